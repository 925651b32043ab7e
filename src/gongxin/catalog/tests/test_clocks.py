"""clocks_compute: the publicity window and retention end under each regime, with exact dates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from gongxin.catalog.errors import DecisionDateMissing, PolicyNotFound, SeverityInvalid
from gongxin.catalog.models import CatalogItem, Policy
from gongxin.catalog.policy import Clocks, PolicyBook, clocks_compute
from gongxin.catalog.selectors import item_by_code

NB = "CN-ZJ-NB"


def clocks(item: CatalogItem, decided: str, types: str = "罚款", *, domain: str = "", **extra: Any) -> Clocks:
    payload = {"decision_date": decided, "penalty_types": types, **extra.pop("payload", {})}
    return clocks_compute(item=item, domain=domain, payload=payload, jurisdiction=NB, **extra)


def window(c: Clocks) -> tuple[date | None, date | None, date | None]:
    return c.publicity_min_end, c.publicity_max_end, c.retention_end


def policy_code(policy_id: int | None) -> str | None:
    return Policy.objects.get(pk=policy_id).code if policy_id else None


# --- 2026: Order 36 -----------------------------------------------------------------------------------

def test_general_penalty_2026(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10")
    assert c.polarity == "negative"
    assert c.severity == "general"
    assert c.decision_date == date(2026, 5, 10)
    assert c.published is True
    assert window(c) == (date(2026, 8, 10), date(2027, 5, 10), date(2031, 5, 10))
    assert policy_code(c.publicity_policy_id) == "publicity.cn.order36"
    assert policy_code(c.retention_policy_id) == "retention.zj"


def test_minor_penalty_2026_is_published_at_most_three_months(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", "警告")
    assert (c.severity, c.published) == ("minor", True)
    assert window(c) == (date(2026, 5, 10), date(2026, 8, 10), date(2031, 5, 10))


def test_serious_penalty_2026(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", "罚款；吊销许可证件")
    assert c.severity == "serious"
    assert window(c) == (date(2027, 5, 10), date(2029, 5, 10), date(2031, 5, 10))


def test_severity_override(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", "罚款", severity="serious")
    assert c.severity == "serious"
    assert c.publicity_min_end == date(2027, 5, 10)
    with pytest.raises(SeverityInvalid):
        clocks(penalty_item, "2026-05-10", severity="grave")


# --- 2019 rule --------------------------------------------------------------------------------------------

def test_2019_rule(penalty_item: CatalogItem) -> None:
    general = clocks(penalty_item, "2020-03-15")
    assert window(general) == (date(2020, 6, 15), date(2021, 3, 15), date(2025, 3, 15))
    assert policy_code(general.publicity_policy_id) == "publicity.cn.2019"
    serious = clocks(penalty_item, "2020-03-15", "责令停产停业")
    assert window(serious) == (date(2020, 9, 15), date(2023, 3, 15), date(2025, 3, 15))
    minor = clocks(penalty_item, "2020-03-15", "通报批评")
    assert (minor.severity, minor.published) == ("minor", False)
    assert window(minor) == (None, None, date(2025, 3, 15))       # kept, not published
    assert policy_code(minor.publicity_policy_id) == "publicity.cn.2019"


def test_decisions_before_2019_get_the_2019_periods_under_their_own_policy(penalty_item: CatalogItem) -> None:
    general = clocks(penalty_item, "2019-06-30")
    assert window(general) == (date(2019, 9, 30), date(2020, 6, 30), date(2024, 6, 30))
    assert policy_code(general.publicity_policy_id) == "publicity.cn.before2019"


# --- Order 58 ---------------------------------------------------------------------------------------------

def test_order_58_general_and_minor(penalty_item: CatalogItem) -> None:
    general = clocks(penalty_item, "2024-01-31")
    assert window(general) == (date(2024, 4, 30), date(2027, 1, 31), date(2029, 1, 31))   # clamped month end
    assert policy_code(general.publicity_policy_id) == "publicity.cn.order58"
    minor = clocks(penalty_item, "2024-01-31", "警告")
    assert minor.published is True
    assert window(minor)[:2] == (date(2024, 4, 30), date(2027, 1, 31))


@pytest.mark.parametrize("domain", ["special_equipment", "work_safety", "fire", "food", "drugs"])
def test_order_58_special_domains_one_year_minimum(penalty_item: CatalogItem, domain: str) -> None:
    c = clocks(penalty_item, "2024-01-31", domain=domain)
    assert window(c) == (date(2025, 1, 31), date(2027, 1, 31), date(2029, 1, 31))
    assert policy_code(c.publicity_policy_id) == f"publicity.cn.order58.{domain}"


def test_regime_boundary_order_58_to_36(penalty_item: CatalogItem) -> None:
    last_day = clocks(penalty_item, "2026-03-31")
    assert window(last_day) == (date(2026, 6, 30), date(2029, 3, 31), date(2031, 3, 31))
    assert policy_code(last_day.publicity_policy_id) == "publicity.cn.order58"
    first_day = clocks(penalty_item, "2026-04-01")
    assert window(first_day) == (date(2026, 7, 1), date(2027, 4, 1), date(2031, 4, 1))
    assert policy_code(first_day.publicity_policy_id) == "publicity.cn.order36"
    food_last = clocks(penalty_item, "2026-03-31", domain="food")
    food_first = clocks(penalty_item, "2026-04-01", domain="food")
    assert food_last.publicity_min_end == date(2027, 3, 31)
    assert food_first.publicity_min_end == date(2026, 7, 1)


def test_regime_boundary_2019_to_order_58(penalty_item: CatalogItem) -> None:
    assert policy_code(clocks(penalty_item, "2023-04-30").publicity_policy_id) == "publicity.cn.2019"
    assert policy_code(clocks(penalty_item, "2023-05-01").publicity_policy_id) == "publicity.cn.order58"


# --- SAMR Order 107 (market regulation) --------------------------------------------------------------------

def test_samr_107_warning_not_published(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", "警告", domain="market_regulation")
    assert (c.severity, c.published) == ("minor", False)
    assert window(c) == (None, None, date(2031, 5, 10))
    assert policy_code(c.publicity_policy_id) == "publicity.cn.samr107"


def test_samr_107_warning_with_fine_is_published(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", "警告、罚款", domain="market_regulation")
    assert (c.severity, c.published) == ("general", True)
    assert window(c) == (date(2026, 8, 10), date(2027, 5, 10), date(2031, 5, 10))


def test_samr_107_overrides_order_58_in_its_domain_from_2025_12_25(penalty_item: CatalogItem) -> None:
    before = clocks(penalty_item, "2025-12-24", domain="market_regulation")
    assert policy_code(before.publicity_policy_id) == "publicity.cn.order58"
    assert before.publicity_max_end == date(2028, 12, 24)
    on = clocks(penalty_item, "2025-12-25", domain="market_regulation")
    assert policy_code(on.publicity_policy_id) == "publicity.cn.samr107"
    assert window(on) == (date(2026, 3, 25), date(2026, 12, 25), date(2030, 12, 25))
    minor = clocks(penalty_item, "2026-01-10", "通报批评", domain="market_regulation")
    assert window(minor)[:2] == (date(2026, 1, 10), date(2026, 4, 10))
    serious = clocks(penalty_item, "2026-01-10", "吊销营业执照", domain="market_regulation")
    assert serious.severity == "serious"
    assert window(serious)[:2] == (date(2027, 1, 10), date(2029, 1, 10))


# --- specificity --------------------------------------------------------------------------------------------

def _publicity(code: str, jurisdiction: str, start: date, months: tuple[int, int], domain: str = "") -> Policy:
    regime = {"publish": True, "min_months": months[0], "max_months": months[1]}
    return Policy.objects.create(
        code=code, kind="publicity", name=code, jurisdiction=jurisdiction, domain=domain, effective_from=start,
        params={"minor": regime, "general": regime, "serious": regime}, legal_basis="test",
    )


def test_deeper_jurisdiction_wins(penalty_item: CatalogItem) -> None:
    _publicity("publicity.zj.test", "CN-ZJ", date(2026, 4, 1), (6, 24))
    c = clocks(penalty_item, "2026-05-10")
    assert policy_code(c.publicity_policy_id) == "publicity.zj.test"
    assert c.publicity_max_end == date(2028, 5, 10)
    # Guangdong: the national regime, but no retention policy (Zhejiang's does not reach it).
    with pytest.raises(PolicyNotFound) as caught:
        clocks_compute(item=penalty_item, domain="", jurisdiction="CN-GD",
                       payload={"decision_date": "2026-05-10", "penalty_types": "罚款"})
    assert caught.value.details["kind"] == "retention"


def test_jurisdiction_prefix_is_by_segment(penalty_item: CatalogItem) -> None:
    _publicity("publicity.z.test", "CN-Z", date(2026, 4, 1), (6, 24))
    Policy.objects.create(code="retention.zjx", kind="retention", name="x", jurisdiction="CN-ZJX",
                          effective_from=date(2018, 1, 1), params={"years": 5}, legal_basis="test")
    c = clocks_compute(item=penalty_item, domain="", jurisdiction="CN-ZJX",
                       payload={"decision_date": "2026-05-10", "penalty_types": "罚款"})
    assert policy_code(c.publicity_policy_id) == "publicity.cn.order36"


def test_domain_beats_jurisdiction(penalty_item: CatalogItem) -> None:
    _publicity("publicity.zj.test", "CN-ZJ", date(2026, 4, 1), (6, 24))
    c = clocks(penalty_item, "2026-05-10", domain="market_regulation")
    assert policy_code(c.publicity_policy_id) == "publicity.cn.samr107"


def test_latest_start_wins(penalty_item: CatalogItem) -> None:
    _publicity("publicity.cn.2027", "CN", date(2027, 1, 1), (1, 2))
    assert policy_code(clocks(penalty_item, "2026-12-31").publicity_policy_id) == "publicity.cn.order36"
    c = clocks(penalty_item, "2027-02-01")
    assert policy_code(c.publicity_policy_id) == "publicity.cn.2027"
    assert window(c)[:2] == (date(2027, 3, 1), date(2027, 4, 1))


def test_policy_book_gives_the_same_answer(penalty_item: CatalogItem) -> None:
    book = PolicyBook.load()
    for decided, types, domain in [("2020-03-15", "警告", ""), ("2024-01-31", "罚款", "food"),
                                   ("2026-05-10", "警告", "market_regulation"), ("2026-05-10", "吊销许可证件", "")]:
        assert clocks(penalty_item, decided, types, domain=domain, policies=book) == clocks(
            penalty_item, decided, types, domain=domain)


# --- retention and other items -----------------------------------------------------------------------------

def test_retention_from_end_of_custodial_sentence(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", payload={"sentence_end_date": "2028-02-29"})
    assert c.retention_end == date(2033, 2, 28)
    assert c.publicity_max_end == date(2027, 5, 10)


def test_summary_procedure_is_not_negative_information(penalty_item: CatalogItem) -> None:
    c = clocks(penalty_item, "2026-05-10", "罚款", payload={"procedure": "summary"})
    assert c == Clocks(polarity="neutral", severity="", decision_date=date(2026, 5, 10), published=False,
                       publicity_min_end=None, publicity_max_end=None, retention_end=None,
                       publicity_policy_id=None, retention_policy_id=None)
    general = clocks(penalty_item, "2026-05-10", "罚款", payload={"procedure": "general"})
    assert general.polarity == "negative"


def test_positive_and_neutral_items_have_no_clocks(catalog: None) -> None:
    licence = clocks_compute(item=item_by_code("licence"), domain="market_regulation",
                             payload={"decision_date": "2026-03-02"})
    assert licence == Clocks(polarity="positive", severity="", decision_date=date(2026, 3, 2), published=True,
                             publicity_min_end=None, publicity_max_end=None, retention_end=None,
                             publicity_policy_id=None, retention_policy_id=None)
    commitment = clocks_compute(item=item_by_code("commitment"), domain="",
                                payload={"commitment_date": "2026-03-02"})
    assert (commitment.polarity, commitment.retention_end) == ("neutral", None)


def test_list_items_default_to_serious(catalog: None) -> None:
    debtor = clocks_compute(item=item_by_code("judgment_debtor"), domain="court",
                            payload={"listing_date": "2026-05-10"}, jurisdiction=NB)
    assert debtor.severity == "serious"
    assert window(debtor) == (date(2027, 5, 10), date(2029, 5, 10), date(2031, 5, 10))


def test_default_jurisdiction_is_the_platforms(penalty_item: CatalogItem, settings: Any) -> None:
    settings.GONGXIN_JURISDICTION = "CN-ZJ-NB"
    c = clocks_compute(item=penalty_item, domain="", payload={"decision_date": "2026-05-10"})
    assert c.retention_end == date(2031, 5, 10)
    settings.GONGXIN_JURISDICTION = "CN-GD"
    with pytest.raises(PolicyNotFound):
        clocks_compute(item=penalty_item, domain="", payload={"decision_date": "2026-05-10"})


def test_negative_record_needs_a_decision_date(penalty_item: CatalogItem) -> None:
    with pytest.raises(DecisionDateMissing):
        clocks_compute(item=penalty_item, domain="", payload={"penalty_types": "罚款"}, jurisdiction=NB)
