"""Explanations (reason codes match the factors, what would change it) and who may see a score."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from gongxin.access.models import Inquiry
from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import SYSTEM, viewer_for_user
from gongxin.scoring.selectors import score_panel
from gongxin.scoring.services import scores_run
from gongxin.scoring.tests.conftest import OUTSIDER, STAFF, penalty
from gongxin.testing.personas import user_create

TODAY = date(2026, 11, 25)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoring_models")]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_reasons_are_the_indicators_that_cost_points_ranked_and_specific(organization, market_unit,
                                                                        market_operator):
    penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number="G-1")
    penalty(market_unit, market_operator, organization, decided=date(2026, 8, 1), number="G-2")
    penalty(market_unit, market_operator, organization, decided=date(2025, 2, 1), number="G-3")
    penalty(market_unit, market_operator, organization, decided=date(2026, 9, 1), number="S-1", severity="serious")
    penalty(market_unit, market_operator, organization, decided=date(2026, 9, 2), number="M-1", severity="minor")
    scores_run(actor=SYSTEM)
    # A real sign-in of the firm (the self purpose asks the sign-in's assurance level, decision 055).
    subject_self = viewer_for_user(user_create("org-self", role=Role.ORG_AGENT, subject=organization))

    panel = score_panel(subject=organization, viewer=subject_self)

    e = panel.explanation
    assert e.score == panel.current.score == 850 - 150 - 150 - 15
    assert [r.code for r in e.reasons] == ["general_penalties", "serious_penalties", "minor_penalties"]
    assert [r.points_lost for r in e.reasons] == [150.0, 150.0, 15.0]
    general = e.reasons[0]
    assert general.text_zh == "3条一般行政处罚（近12个月2条）"
    assert general.text_en == "3 general administrative penalties (2 in the last 12 months)"
    assert {d.code: d.points for d in e.dimensions}["compliance"] == 450 - 315
    assert len(e.reasons) <= 4


def test_what_would_change_it_lists_retention_ends_decay_and_repair_dates(organization, market_unit,
                                                                         market_operator):
    record = penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number="G-1")
    scores_run(actor=SYSTEM)

    e = score_panel(subject=organization, viewer=STAFF).explanation

    kinds = {(c.kind, c.day) for c in e.changes}
    assert ("weight_drops", date(2027, 6, 1)) in kinds
    assert ("retention_end", record.current_version.retention_end + timedelta(days=1)) in kinds
    assert any(c.kind == "repairable" for c in e.changes)


def test_a_judgment_debtor_is_never_told_it_may_repair(organization, market_unit, market_operator):
    """The court removes a judgment debtor after performance (the repair policy's removed_by): the tips name its
    dates but never repair, while a penalty beside it may still be repaired."""
    from gongxin.records.services import record_submit
    from gongxin.testing.factories import ADMIN
    from gongxin.testing.payloads import item, payload_for

    debtor = item("judgment_debtor")
    listed = record_submit(
        source_unit=market_unit, item=debtor, source_record_id="JD-1", subject=organization, actor=ADMIN,
        payload=payload_for(debtor, decision_date=date(2026, 6, 1), subject_name=organization.name,
                            subject_category="organization", uscc=organization.organization.uscc)).record
    fine = penalty(market_unit, market_operator, organization, decided=date(2026, 6, 1), number="G-1")
    scores_run(actor=SYSTEM)

    e = score_panel(subject=organization, viewer=STAFF).explanation

    assert "on_judgment_debtor_list" in [r.code for r in e.reasons]
    repairable = {c.record_id for c in e.changes if c.kind == "repairable"}
    assert fine.pk in repairable and listed.pk not in repairable
    assert not any("修复" in c.text_zh for c in e.changes if c.record_id == listed.pk)


def test_the_public_sees_no_score_and_staff_looks_are_logged(organization, person):
    scores_run(actor=SYSTEM)

    assert score_panel(subject=organization, viewer=OUTSIDER) is None
    assert score_panel(subject=person, viewer=OUTSIDER) is None
    assert score_panel(subject=person, viewer=STAFF) is not None
    assert Inquiry.objects.filter(subject_id=person.pk, purpose="staff").count() == 1


def test_the_subject_sees_its_own_score_without_an_inquiry(person):
    scores_run(actor=SYSTEM)
    me = viewer_for_user(user_create("person-self", role=Role.PERSON, subject=person))

    panel = score_panel(subject=person, viewer=me)

    assert panel.explanation.grade == "AA" and panel.explanation.reasons == []
    assert not Inquiry.objects.filter(subject_id=person.pk).exists()
