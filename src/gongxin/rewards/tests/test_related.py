"""Risk that follows people and capital: the high-consumption restriction on the legal representative of a dishonest
judgment debtor firm hits that person with the path (the firm, the relation) as basis, in the check and its API;
it stops when the relation ends; the dry run counts it; the nightly refresh finds it set-based."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.records.services import record_submit
from gongxin.rewards.models import SubjectFacts
from gongxin.rewards.related import related_candidates, related_refresh
from gongxin.rewards.services import check_perform, measure_dry_run
from gongxin.rewards.tests.conftest import STAFF, dispatch
from gongxin.subjects.identifiers import rin_generate
from gongxin.subjects.models import Relation, Subject
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _related_facts(settings: Any, _built_in_facts_only: None) -> None:
    """This provider on (the rewards tests run with the built-in facts only)."""
    from gongxin.rewards.rules import rules_forget

    settings.GONGXIN_FACT_PROVIDERS = ["gongxin.rewards.related.RelatedFacts"]
    rules_forget()

MEASURE = "jd.legal_rep.high_consumption"
CONSUMPTION = "CZ-GX-001"
RIN = rin_generate(area="330203", birth_date=date(1975, 4, 9), sequence=31)


def represent(unit: SourceUnit, firm: Subject, *, kind: str = "legal_representative", end: str = "",
              start: str = "2019-03-01") -> Subject:
    payload: dict[str, Any] = {
        "subject_name": firm.name, "subject_category": "organization", "uscc": firm.organization.uscc,
        "relation_number": f"REL-{firm.pk}-{kind}", "relation_kind": kind, "party_name": "陈法代",
        "party_category": "person", "party_id_number": RIN, "start_date": start,
        "authority_name": "宁波市市场监督管理局",
    }
    if end:
        payload["end_date"] = end
    result = record_submit(source_unit=unit, item=factories.seeded_item("registration_relation"),
                           source_record_id=None, subject=firm, payload=payload, actor=factories.ADMIN)
    dispatch()
    return Relation.objects.get(record_ref=result.record.pk).from_subject


def hit_of(person: Subject, system_viewer: Viewer) -> dict[str, Any] | None:
    check = check_perform(subject=person, matter=CONSUMPTION, actor=system_viewer)
    return next((h for h in check.hits if h["measure"] == MEASURE), None)


def test_the_legal_representative_of_a_debtor_firm_is_hit_with_the_path_until_the_relation_ends(
        unit: SourceUnit, debtor_org: Subject, system_viewer: Viewer) -> None:
    person = represent(unit, debtor_org)
    hit = hit_of(person, system_viewer)
    assert hit is not None and hit["class"] == "legal"
    assert "法释〔2015〕17号" in hit["legal_basis"]
    [basis] = [b for b in hit["basis"] if b["type"] == "relation"]
    assert basis["relation"] == "legal_representative" and basis["list"] == "judgment_debtor"
    assert basis["firm"] == {"subject_id": debtor_org.pk, "name": debtor_org.name,
                             "uscc": debtor_org.organization.uscc}
    assert [(p["subject_id"], p["kind"]) for p in basis["path"]] == [(debtor_org.pk, "legal_representative")]
    assert hit["lift"]["how"] == "court"  # the firm leaves the court's list only by the court
    # The firm itself is hit by the firm measures, not by this one (a person's measure).
    assert hit_of(debtor_org, system_viewer) is None

    # The relation ends (its end date registered): the person is no longer hit.
    represent(unit, debtor_org, end="2026-06-01")
    assert hit_of(person, system_viewer) is None
    assert "legal_rep_of_judgment_debtor" not in SubjectFacts.objects.get(pk=person.pk).facts


def test_an_executive_is_not_hit_and_a_controller_is(unit: SourceUnit, debtor_org: Subject,
                                                     system_viewer: Viewer) -> None:
    executive = represent(unit, debtor_org, kind="executive")
    assert hit_of(executive, system_viewer) is None
    controller = represent(unit, debtor_org, kind="actual_controller")
    assert controller.pk == executive.pk  # the same person, now also the actual controller
    hit = hit_of(controller, system_viewer)
    assert hit is not None
    assert {b["relation"] for b in hit["basis"] if b["type"] == "relation"} == {"actual_controller"}


def test_a_firm_listed_after_the_relation_reaches_its_legal_representative(
        unit: SourceUnit, clean_org: Subject, system_viewer: Viewer) -> None:
    from gongxin.rewards.tests.conftest import judgment_debtor_create

    person = represent(unit, clean_org)
    assert hit_of(person, system_viewer) is None
    judgment_debtor_create(subject=clean_org, source_unit=unit)
    dispatch()  # the firm's event: the consumer also recomputes the persons related to it
    assert hit_of(person, system_viewer) is not None


def test_check_api_answers_with_the_path_and_the_dry_run_counts_the_person(
        unit: SourceUnit, debtor_org: Subject, api: Client) -> None:
    represent(unit, debtor_org)
    response = api.post("/api/v1/checks", data=json.dumps({"matter": CONSUMPTION, "rin": RIN}),
                        content_type="application/json")
    assert response.status_code == 200, response.content
    [hit] = [h for h in response.json()["hits"] if h["measure"] == MEASURE]
    [basis] = [b for b in hit["basis"] if b["type"] == "relation"]
    assert basis["firm"]["uscc"] == debtor_org.organization.uscc and basis["path"][0]["kind"] == "legal_representative"
    result = measure_dry_run(trigger="legal_rep_of_judgment_debtor", actor=STAFF)
    assert result.subjects_hit == 1
    assert result.sample[0]["kind"] == "person" and result.sample[0]["name"] != "陈法代"  # persons not named


def test_nightly_refresh_finds_the_candidates_set_based(unit: SourceUnit, debtor_org: Subject) -> None:
    person = represent(unit, debtor_org)
    SubjectFacts.objects.filter(pk=person.pk).delete()  # as if no event had reached it
    assert person.pk in related_candidates()
    done = list(related_refresh())
    assert done[-1][0] == done[-1][1] >= 1
    assert SubjectFacts.objects.get(pk=person.pk).facts["legal_rep_of_judgment_debtor"] is True


def test_a_person_on_a_list_who_becomes_legal_representative_founded_while_listed(
        unit: SourceUnit, clean_org: Subject, system_viewer: Viewer) -> None:
    from gongxin.rewards.tests.conftest import serious_list_create

    other = factories.organization_create(name="宁波市江北区旧公司有限公司")
    person = represent(unit, other)  # an old relation, from before any listing
    serious_list_create(subject=person, source_unit=unit, exit_on=None)  # listed 100 days ago
    dispatch()
    assert not SubjectFacts.objects.get(pk=person.pk).facts.get("founded_while_listed")
    represent(unit, clean_org, start="2026-05-01")  # while on the list
    check = check_perform(subject=person, matter="CZ-XK-001", actor=system_viewer)
    [hit] = [h for h in check.hits if h["measure"] == "sd.founded_while_listed"]
    [basis] = [b for b in hit["basis"] if b["type"] == "relation"]
    assert basis["firm"]["subject_id"] == clean_org.pk and basis["start"] == "2026-05-01"


def test_a_certificate_proves_the_firms_record_a_relation_hit_rests_on_under_the_firm(
        unit: SourceUnit, debtor_org: Subject, system_viewer: Viewer) -> None:
    """The log's leaf of the firm's list record commits to the firm (leaf v2): the person's certificate proves it
    under the firm, and only a relation's record may be proved under a subject other than the certificate's."""
    import copy

    from gongxin.core import signing
    from gongxin.reports.ledger import ledger_verify
    from gongxin.rewards.services import certificate_issue

    person = represent(unit, debtor_org)
    certificate = certificate_issue(check=check_perform(subject=person, matter=CONSUMPTION, actor=system_viewer),
                                    actor=STAFF)
    content = certificate.content
    block = content["ledger"]
    relation_records = {b["record_id"] for h in content["hits"] for b in h["basis"] if b["type"] == "relation"}
    assert relation_records and block["subject"] == person.pk
    assert {p["record_id"]: p.get("subject") for p in block["records"]
            if p["record_id"] in relation_records} == dict.fromkeys(relation_records, debtor_org.pk)
    keys = list(signing.public_keys().values())
    check = ledger_verify(content, public_keys=keys)
    assert check.valid and check.proved == check.stated >= 1
    # Stated as the person's own basis, the firm's record does not verify.
    forged = copy.deepcopy(content)
    for hit in forged["hits"]:
        for basis in hit["basis"]:
            if basis.get("record_id") in relation_records:
                basis["type"] = "list_entry"
    assert not ledger_verify(forged, public_keys=keys).valid
