"""rewards.services.check_feedback: what a business system reports back on its check (the API's schema
narrows the outcome before the service sees it; other callers meet the service's own refusal)."""

from __future__ import annotations

from dataclasses import fields

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.accounts.viewer import Viewer
from gongxin.core.models import OutboxEvent
from gongxin.rewards import errors
from gongxin.rewards.models import CheckFeedback, CheckHit, Measure
from gongxin.rewards.services import MeasureDraft, check_feedback, check_perform, measure_save
from gongxin.rewards.tests.conftest import STAFF
from gongxin.subjects.models import Subject

FEEDBACK_TOPIC = "rewards.check.feedback_recorded"


def test_unknown_outcome_is_refused_with_its_code(system_viewer: Viewer, debtor_org: Subject) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    with pytest.raises(errors.OutcomeInvalid) as caught:
        check_feedback(check=check, measures_applied=[], outcome="maybe", note="", actor=system_viewer)
    assert caught.value.code == "rewards.outcome_invalid" and caught.value.status == 422
    assert str(caught.value.message) == "未知的办理结果。"  # the message unchanged, in zh-hans
    assert isinstance(caught.value, errors.MeasureInvalid)  # callers catching the family still catch it
    assert not CheckFeedback.objects.filter(check_row=check).exists()


def test_a_second_report_of_a_check_is_refused_and_changes_nothing(system_viewer: Viewer, debtor_org: Subject
                                                                    ) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    check_feedback(check=check, measures_applied=["jd.procurement"], outcome="rejected", note="first",
                   actor=system_viewer)
    with pytest.raises(errors.FeedbackExists) as caught:
        check_feedback(check=check, measures_applied=[], outcome="approved", note="second", actor=system_viewer)
    assert caught.value.status == 409
    feedback = CheckFeedback.objects.get(check_row=check)
    assert (feedback.outcome, feedback.note, feedback.measures_applied) == ("rejected", "first", ["jd.procurement"])
    assert CheckHit.objects.get(check_row=check).applied is True  # the refused report did not mark it not applied
    assert OutboxEvent.objects.filter(topic=FEEDBACK_TOPIC, aggregate_id=check.pk).count() == 1


def test_a_report_reads_no_measure_and_asks_nothing_first(system_viewer: Viewer, debtor_org: Subject) -> None:
    """The unique check row decides a repeated report, the measures' ids come from the cached rules: the report
    is its three writes, whatever else the database holds."""
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    with CaptureQueriesContext(connection) as queries:
        check_feedback(check=check, measures_applied=["jd.procurement"], outcome="rejected", note="",
                       actor=system_viewer)
    statements = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in statements if "rewards_measure" in s]
    assert not [s for s in statements if "rewards_checkfeedback" in s and s.startswith("SELECT")]
    assert CheckHit.objects.get(check_row=check).applied is True


def test_a_hit_of_a_measure_withdrawn_since_the_check_is_still_marked_applied(system_viewer: Viewer,
                                                                              debtor_org: Subject) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    current = Measure.objects.select_related("current_version").get(code="jd.procurement").current_version
    assert current is not None
    draft = MeasureDraft(**{f.name: getattr(current, f.name) for f in fields(MeasureDraft)} | {"is_active": False})
    measure_save(code="jd.procurement", draft=draft, actor=STAFF)  # no longer among the rules checks apply
    check_feedback(check=check, measures_applied=["jd.procurement"], outcome="rejected", note="", actor=system_viewer)
    assert CheckHit.objects.get(check_row=check).applied is True
