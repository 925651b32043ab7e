"""Checks: every measure kind triggers and is lifted (list entry ends, repair, retention end), the legal
basis is always present, decisions, name warnings, persons, inquiries, batch, query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from gongxin.access.models import Inquiry
from gongxin.accounts.choices import Role
from gongxin.accounts.models import ApiClient, User
from gongxin.accounts.viewer import Viewer, viewer_for_client, viewer_for_user
from gongxin.catalog.models import SourceUnit
from gongxin.records.expiry import clocks_run
from gongxin.records.services import record_revoke
from gongxin.rewards import errors
from gongxin.rewards.models import BusinessSystem, Check, CheckHit, SubjectFacts
from gongxin.rewards.services import CheckRequest, check_perform, checks_perform, decision_of
from gongxin.rewards.tests.conftest import (
    STAFF,
    TODAY,
    at,
    dispatch,
    judgment_debtor_create,
    serious_list_create,
    serious_penalty_create,
    voluntary_performance_create,
)
from gongxin.subjects.models import Subject
from gongxin.testing import factories


def check(viewer: Viewer, subject: Subject, matter: str, name: str = "") -> Check:
    return check_perform(subject=subject, matter=matter, actor=viewer, name=name)


def codes(c: Check) -> set[str]:
    return {h["measure"] for h in c.hits}


def test_clean_subject_passes(system_viewer: Viewer, clean_org: Subject) -> None:
    result = check(system_viewer, clean_org, "CZ-CG-001")
    assert result.decision == "pass" and result.hits == [] and result.warnings == []


def test_judgment_debtor_intercepted_with_basis_and_legal_basis(system_viewer: Viewer, debtor_org: Subject) -> None:
    result = check(system_viewer, debtor_org, "CZ-CG-001")
    assert result.decision == "intercept"
    assert codes(result) == {"jd.procurement"}
    hit = result.hits[0]
    assert hit["kind"] == "punishment" and hit["class"] == "legal" and "政府采购法" in hit["legal_basis"]
    entry = hit["basis"][0]
    assert entry["type"] == "list_entry" and entry["list"] == "judgment_debtor" and entry["record_id"]
    # The court removes a judgment debtor after performance; credit repair does not (the repair policy's removed_by).
    assert hit["lift"] == {"how": "court", "date": None} and entry["lift"]["how"] == "court"
    assert "repair" not in {lift["how"] for lift in entry["lift_options"]}
    # The hit rows the statistics count.
    assert CheckHit.objects.filter(check_row=result).count() == 1


@pytest.mark.parametrize(("matter", "expected"), [
    ("CZ-ZB-001", {"jd.bidding"}),
    ("CZ-BT-001", {"jd.subsidy"}),
    ("CZ-GX-001", {"jd.high_consumption"}),
    ("CZ-RZ-001", set()),  # office-holding restrictions of debtors concern persons
])
def test_debtor_measures_by_matter(system_viewer: Viewer, debtor_org: Subject, matter: str,
                                   expected: set[str]) -> None:
    assert codes(check(system_viewer, debtor_org, matter)) == expected


def test_person_debtor_office_holding(system_viewer: Viewer, unit: SourceUnit) -> None:
    person = factories.person_create(name="李四")
    judgment_debtor_create(subject=person, source_unit=unit)
    dispatch()
    result = check(system_viewer, person, "CZ-RZ-001")
    assert codes(result) == {"jd.office"} and result.decision == "intercept"


def test_debtor_lifted_by_performance(system_viewer: Viewer, debtor_org: Subject) -> None:
    record = debtor_org.records.get()
    record_revoke(record=record, actor=factories.ADMIN, reason="已履行生效法律文书确定的义务，删除失信信息")
    dispatch()
    assert check(system_viewer, debtor_org, "CZ-CG-001").decision == "pass"


def test_serious_list_lifted_when_entry_ends(system_viewer: Viewer, clean_org: Subject, unit: SourceUnit) -> None:
    serious_list_create(subject=clean_org, source_unit=unit, exit_on=TODAY + timedelta(days=10))
    dispatch()
    result = check(system_viewer, clean_org, "CZ-CG-001")
    assert codes(result) == {"sd.procurement"} and result.decision == "intercept"
    assert result.hits[0]["lift"] == {"how": "end_date", "date": (TODAY + timedelta(days=11)).isoformat()}
    with at(TODAY + timedelta(days=11)):
        # No event: the facts row is past its valid_until, so the check recomputes it first.
        later = check(system_viewer, clean_org, "CZ-CG-001")
    assert later.decision == "pass"
    assert "serious_dishonesty" not in SubjectFacts.objects.get(pk=clean_org.pk).facts


def test_serious_record_warns_and_is_lifted_by_repair(system_viewer: Viewer, clean_org: Subject,
                                                      unit: SourceUnit) -> None:
    record = serious_penalty_create(subject=clean_org, source_unit=unit)
    dispatch()
    result = check(system_viewer, clean_org, "CZ-JC-001")
    assert codes(result) == {"neg.serious_supervision"} and result.decision == "warn"
    basis = result.hits[0]["basis"][0]
    assert basis["type"] == "record" and basis["id"] == record.pk and basis["severity"] == "serious"
    assert result.hits[0]["lift"]["how"] == "repair"
    factories.repair_mark(record)
    dispatch()
    assert check(system_viewer, clean_org, "CZ-JC-001").decision == "pass"


def test_serious_record_lifted_when_retention_ends(system_viewer: Viewer, clean_org: Subject,
                                                   unit: SourceUnit) -> None:
    record = serious_penalty_create(subject=clean_org, source_unit=unit, decided=TODAY - timedelta(days=5 * 365))
    dispatch()
    retention_end = record.current_version.retention_end
    assert retention_end is not None and retention_end >= TODAY
    assert check(system_viewer, clean_org, "CZ-JC-001").decision == "warn"
    day_after = retention_end + timedelta(days=1)
    with at(day_after):
        clocks_run(day=day_after)
        dispatch()
        assert check(system_viewer, clean_org, "CZ-JC-001").decision == "pass"


def test_rewards(system_viewer: Viewer, clean_org: Subject, unit: SourceUnit) -> None:
    voluntary_performance_create(subject=clean_org, source_unit=unit)
    factories.honour_create(subject=clean_org, source_unit=unit)
    dispatch()
    loan = check(system_viewer, clean_org, "CZ-DK-001")
    assert loan.decision == "reward" and codes(loan) == {"vp.credit_loan"}
    assert loan.hits[0]["class"] == "market"
    licence = check(system_viewer, clean_org, "CZ-XK-001")
    assert codes(licence) == {"red.green_channel", "red.document_tolerance"}
    inspection = check(system_viewer, clean_org, "CZ-JC-001")
    assert codes(inspection) == {"vp.fewer_inspections"}


def test_punishment_wins_over_reward(system_viewer: Viewer, debtor_org: Subject, unit: SourceUnit) -> None:
    voluntary_performance_create(subject=debtor_org, source_unit=unit)
    dispatch()
    # Rewards require no serious dishonesty: a debtor gets none, and is intercepted.
    result = check(system_viewer, debtor_org, "CZ-DK-001")
    assert result.decision == "pass"
    assert decision_of([{"kind": "reward", "class": "market"}, {"kind": "punishment", "class": "management"}]) == "warn"


def test_legal_basis_present_on_every_hit(system_viewer: Viewer, debtor_org: Subject, unit: SourceUnit) -> None:
    serious_penalty_create(subject=debtor_org, source_unit=unit)
    dispatch()
    for matter in ("CZ-CG-001", "CZ-ZB-001", "CZ-BT-001", "CZ-GX-001", "CZ-JC-001", "CZ-XK-001"):
        for hit in check(system_viewer, debtor_org, matter).hits:
            assert hit["legal_basis"].strip() and hit["basis"]


def test_name_mismatch_is_warned(system_viewer: Viewer, clean_org: Subject) -> None:
    same = check(system_viewer, clean_org, "CZ-CG-001", name=" 宁波市鄞州区守信科技有限公司 ")
    assert same.warnings == []
    other = check(system_viewer, clean_org, "CZ-CG-001", name="宁波市别的公司")
    assert [w["code"] for w in other.warnings] == ["name_mismatch"]


def test_check_logs_an_inquiry(system_viewer: Viewer, debtor_org: Subject) -> None:
    check(system_viewer, debtor_org, "CZ-CG-001")
    inquiry = Inquiry.objects.get(subject=debtor_org)
    assert inquiry.channel == "check" and inquiry.purpose == "sharing"
    assert inquiry.viewer_client_id == system_viewer.client_id and "CZ-CG-001" in inquiry.reason
    assert inquiry.records_shown == 1


def test_matter_rules(system_viewer: Viewer, clean_org: Subject, other_system: tuple) -> None:
    with pytest.raises(errors.UnknownMatter):
        check(system_viewer, clean_org, "NOPE-001")
    with pytest.raises(errors.MatterNotOfSystem):
        check(system_viewer, clean_org, "ZJ-BT-001")
    outsider = Viewer(label="user:someone", role=Role.PUBLIC, user_id=99)
    with pytest.raises(errors.NotABusinessSystem):
        check(outsider, clean_org, "CZ-CG-001")
    assert check(STAFF, clean_org, "ZJ-BT-001").decision == "pass"


def test_unregistered_client_may_not_check(clean_org: Subject, procurement: BusinessSystem) -> None:
    client = ApiClient.objects.create(name="x", department=procurement.department, key_prefix="zz", key_hash="0",
                                      scopes=["records:share"])
    with pytest.raises(errors.NotABusinessSystem):
        check(viewer_for_client(client), clean_org, "CZ-CG-001")


def test_persons_need_the_sharing_scope(other_system: tuple, unit: SourceUnit) -> None:
    person = factories.person_create(name="王五")
    _system, client, _key = other_system
    with pytest.raises(errors.PersonCheckNotAllowed):
        check(viewer_for_client(client), person, "ZJ-BT-001")


def test_subject_checks_itself_only(clean_org: Subject, debtor_org: Subject, procurement: BusinessSystem) -> None:
    user = User.objects.create_user(username="agent", password="x-agent-password-1", role=Role.ORG_AGENT,
                                    subject=clean_org)
    agent = viewer_for_user(user)
    assert check(agent, clean_org, "CZ-CG-001").decision == "pass"
    assert Inquiry.objects.get(subject=clean_org).purpose == "self"
    with pytest.raises(errors.SubjectNotFound):
        check(agent, debtor_org, "CZ-CG-001")


def test_batch(system_viewer: Viewer, clean_org: Subject, debtor_org: Subject, unit: SourceUnit) -> None:
    person = factories.person_create(name="赵六")
    requests = [
        CheckRequest(uscc=clean_org.organization.uscc),
        CheckRequest(uscc=debtor_org.organization.uscc, name="错误的名称"),
        CheckRequest(uscc="91330200MA2XXXXXXX"),
        CheckRequest(),
        CheckRequest(rin="330203199001011234"),
    ]
    outcomes = checks_perform(requests=requests, matter_code="CZ-CG-001", actor=system_viewer)
    assert outcomes[0].check.decision == "pass"
    assert outcomes[1].check.decision == "intercept" and outcomes[1].check.warnings[0]["code"] == "name_mismatch"
    assert outcomes[2].error.code == "rewards.subject_not_found"
    assert outcomes[3].error.code == "rewards.subject_code_required"
    assert outcomes[4].check is None and outcomes[4].error is not None
    assert Check.objects.count() == 2 and Inquiry.objects.filter(channel="check").count() == 2
    assert person.pk  # persons are found by RIN only (see test_api)
    with pytest.raises(errors.BatchTooLarge):
        checks_perform(requests=[CheckRequest(uscc="x")] * 1001, matter_code="CZ-CG-001", actor=system_viewer)


def test_batch_reads_set_based(system_viewer: Viewer, unit: SourceUnit, django_assert_max_num_queries) -> None:
    subjects = [factories.organization_create(name=f"宁波市批量测试{i}有限公司") for i in range(30)]
    for subject in subjects[:5]:
        judgment_debtor_create(subject=subject, source_unit=unit)
    dispatch()
    requests = [CheckRequest(uscc=s.organization.uscc) for s in subjects]
    checks_perform(requests=requests[:1], matter_code="CZ-CG-001", actor=system_viewer)  # warm the rules cache
    with django_assert_max_num_queries(8):
        outcomes = checks_perform(requests=requests, matter_code="CZ-CG-001", actor=system_viewer)
    assert sum(1 for o in outcomes if o.check.decision == "intercept") == 5


def test_one_check_costs_a_lookup_and_three_inserts(system_viewer: Viewer, debtor_org: Subject,
                                                     django_assert_max_num_queries) -> None:
    request = [CheckRequest(uscc=debtor_org.organization.uscc)]
    checks_perform(requests=request, matter_code="CZ-CG-001", actor=system_viewer)  # warm the rules cache
    # lookup joined with facts; savepoint + INSERT check + INSERT hits + INSERT inquiry + release
    with django_assert_max_num_queries(6):
        outcome = checks_perform(requests=request, matter_code="CZ-CG-001", actor=system_viewer)[0]
    assert outcome.check.decision == "intercept"


def test_new_measure_version_applies_at_once(system_viewer: Viewer, clean_org: Subject) -> None:
    from gongxin.rewards.services import MeasureDraft, measure_save

    assert check(system_viewer, clean_org, "CZ-CG-001").decision == "pass"
    measure_save(code="test.everyone", actor=STAFF, draft=MeasureDraft(
        name="测试措施", kind="punishment", measure_class="management", trigger='subject_kind == "organization"',
        legal_basis="测试依据", department="测试部门", effective_from=TODAY, matter_codes=["CZ-CG-001"]))
    assert check(system_viewer, clean_org, "CZ-CG-001").decision == "warn"


class ScoreProvider:
    """A stand-in for gongxin.scoring.facts.ScoringFacts: organizations of supervision class A."""

    names = {"grade": "string", "score_level": "string", "score": "int"}

    def facts_for(self, subject_ids):
        return {sid: {"grade": "excellent", "score_level": "A", "score": 880} for sid in subject_ids}


def test_grade_a_incentives_from_a_provider(system_viewer: Viewer, clean_org: Subject, settings) -> None:
    from gongxin.rewards.facts import facts_refresh
    from gongxin.rewards.rules import rules_forget

    assert check(system_viewer, clean_org, "CZ-JC-001").decision == "pass"
    settings.GONGXIN_FACT_PROVIDERS = ["gongxin.rewards.tests.test_checks.ScoreProvider"]
    rules_forget()
    facts_refresh([clean_org.pk])  # what the consumer does on scoring's event
    result = check(system_viewer, clean_org, "CZ-JC-001")
    assert result.decision == "reward" and codes(result) == {"grade_a.fewer_inspections"}
    assert result.hits[0]["basis"] == [{"type": "fact", "fact": "score_level", "value": "A", "label": "score_level",
                                        "lift": {"how": "end_date", "date": None}}]
    rules_forget()


def test_matched_measures_kept_per_facts_value(system_viewer: Viewer, clean_org: Subject) -> None:
    """The rules' answer is kept per distinct facts value and is the same as evaluating afresh; a rule
    change starts from nothing."""
    from gongxin.rewards.rules import ruleset
    from gongxin.rewards.services import MeasureDraft, measure_save

    rules = ruleset()
    matter = rules.matters["CZ-CG-001"]
    debtor = {"judgment_debtor": True, "serious_dishonesty": True, "lists": ["judgment_debtor"]}
    first = rules.measures_matched(matter, TODAY, debtor)
    assert [m.code for m in first] == ["jd.procurement"]
    assert rules.measures_matched(matter, TODAY, dict(reversed(list(debtor.items())))) is first  # kept
    assert rules.measures_matched(matter, TODAY, {}) == ()
    # A provider's fact of the wrong type fails its rule: never a hit by error.
    assert rules.measures_matched(matter, TODAY, {"judgment_debtor": "yes"}) == ()
    measure_save(code="test.everyone", actor=STAFF, draft=MeasureDraft(
        name="测试措施", kind="punishment", measure_class="management", trigger='subject_kind == "organization"',
        legal_basis="测试依据", department="测试部门", effective_from=TODAY, matter_codes=["CZ-CG-001"]))
    fresh = ruleset()
    assert fresh is not rules
    organization = {"subject_kind": "organization"}
    assert [m.code for m in fresh.measures_matched(fresh.matters["CZ-CG-001"], TODAY, organization)] == [
        "test.everyone"]
    assert check(system_viewer, clean_org, "CZ-CG-001").decision == "warn"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")
def test_check_statements_prepared_once_per_connection(system_viewer: Viewer, clean_org: Subject,
                                                       debtor_org: Subject) -> None:
    """PostgreSQL: the lookup and the INSERT of a single check are prepared statements of the connection
    (Django's own cursors never prepare), so they are not parsed and planned on every check."""
    for subject in (clean_org, debtor_org, clean_org):
        outcome = checks_perform(requests=[CheckRequest(uscc=subject.organization.uscc)], matter_code="CZ-CG-001",
                                 actor=system_viewer)[0]
        assert outcome.check is not None and outcome.check.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert sum(1 for s in statements if "subjects_organization" in s and "rewards_subjectfacts" in s) == 1
    # one INSERT per number of hits, prepared once: the clean subject's (0) and the debtor's (1) among them
    inserts = [s for s in statements if s.startswith("WITH c AS (INSERT INTO")]
    assert len(inserts) == len(set(inserts)) >= 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the batch statement of PostgreSQL")
@pytest.mark.parametrize("one_statement", [True, False], ids=["one statement", "bulk INSERTs"])
def test_a_batch_writes_each_check_with_its_hits_and_inquiry(system_viewer: Viewer, unit: SourceUnit,
                                                             one_statement: bool, monkeypatch: pytest.MonkeyPatch,
                                                             django_assert_max_num_queries) -> None:
    """PostgreSQL: a batch's checks, hits and inquiries are one statement after its ids are drawn (two round trips
    after the lookup); a batch too big for one statement takes the bulk INSERTs. The rows are the same either way."""
    from gongxin.rewards import services

    if not one_statement:
        monkeypatch.setattr(services, "BATCH_STATEMENT_PARAMS", 10)
    subjects = [factories.organization_create(name=f"宁波市批量写入{i}有限公司") for i in range(6)]
    for subject in subjects[:2]:
        judgment_debtor_create(subject=subject, source_unit=unit)
    dispatch()
    requests = [CheckRequest(uscc=s.organization.uscc) for s in subjects] + [CheckRequest(uscc="91330200MA2XXXXXXX")]
    checks_perform(requests=requests[-1:], matter_code="CZ-CG-001", actor=system_viewer)  # warm the rules cache
    with django_assert_max_num_queries(3 if one_statement else 6):
        outcomes = checks_perform(requests=requests, matter_code="CZ-CG-001", actor=system_viewer)
    assert outcomes[-1].error is not None and outcomes[-1].error.code == "rewards.subject_not_found"
    for subject, outcome in zip(subjects, outcomes, strict=False):
        assert outcome.check is not None
        stored = Check.objects.get(pk=outcome.check.pk)  # the id answered is the row written for this subject
        assert (stored.subject_id, stored.decision, stored.hits) == (subject.pk, outcome.check.decision,
                                                                     outcome.check.hits)
        assert sorted(CheckHit.objects.filter(check_row=stored).values_list("measure__code", flat=True)) == sorted(
            h["measure"] for h in stored.hits)
        inquiry = Inquiry.objects.get(subject=subject, channel="check", created_at=stored.created_at)
        assert (inquiry.records_shown, inquiry.viewer_client_id) == (len(stored.hits), system_viewer.client_id)
    assert [o.check.decision for o in outcomes[:6]] == ["intercept"] * 2 + ["pass"] * 4
