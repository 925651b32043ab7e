"""rewards.selectors.checks_awaiting_feedback: the checks that hit a measure and whose feedback is due but
missing (the office's workbench to-do), oldest first, within a bounded window."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.rewards import errors
from gongxin.rewards.selectors import FEEDBACK_DUE_DAYS, FEEDBACK_WINDOW_DAYS, checks_awaiting_feedback
from gongxin.rewards.services import check_feedback, check_perform
from gongxin.subjects.models import Subject


def test_a_hit_without_feedback_is_due_after_the_days_and_leaves_the_window(
    system_viewer: Viewer, debtor_org: Subject, clean_org: Subject, staff_viewer: Viewer,
) -> None:
    first = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    answered = check_perform(subject=debtor_org, matter="CZ-ZB-001", actor=system_viewer)
    check_feedback(check=answered, measures_applied=[], outcome="approved", note="", actor=system_viewer)
    passed = check_perform(subject=clean_org, matter="CZ-CG-001", actor=system_viewer)
    with time_machine.travel(clock.now() + timedelta(hours=1), tick=False):
        second = check_perform(subject=debtor_org, matter="CZ-BT-001", actor=system_viewer)
    assert first.decision != "pass" and second.decision != "pass" and passed.decision == "pass"
    now = clock.now()

    assert not checks_awaiting_feedback(viewer=staff_viewer, now=now).exists()  # not due yet
    due = now + timedelta(days=FEEDBACK_DUE_DAYS, hours=2)
    assert list(checks_awaiting_feedback(viewer=staff_viewer, now=due)) == [first, second]  # oldest first
    gone = now + timedelta(days=FEEDBACK_DUE_DAYS + FEEDBACK_WINDOW_DAYS, hours=2)
    assert not checks_awaiting_feedback(viewer=staff_viewer, now=gone).exists()


def test_only_the_office_reads_them(system_viewer: Viewer) -> None:
    with pytest.raises(errors.NotStaff):
        checks_awaiting_feedback(viewer=system_viewer, now=clock.now())
