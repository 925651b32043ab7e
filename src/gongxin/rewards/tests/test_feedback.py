"""rewards.services.check_feedback: what a business system reports back on its check (the API's schema
narrows the outcome before the service sees it; other callers meet the service's own refusal)."""

from __future__ import annotations

import pytest

from gongxin.accounts.viewer import Viewer
from gongxin.rewards import errors
from gongxin.rewards.models import CheckFeedback
from gongxin.rewards.services import check_feedback, check_perform
from gongxin.subjects.models import Subject


def test_unknown_outcome_is_refused_with_its_code(system_viewer: Viewer, debtor_org: Subject) -> None:
    check = check_perform(subject=debtor_org, matter="CZ-CG-001", actor=system_viewer)
    with pytest.raises(errors.OutcomeInvalid) as caught:
        check_feedback(check=check, measures_applied=[], outcome="maybe", note="", actor=system_viewer)
    assert caught.value.code == "rewards.outcome_invalid" and caught.value.status == 422
    assert str(caught.value.message) == "未知的办理结果。"  # the message unchanged, in zh-hans
    assert isinstance(caught.value, errors.MeasureInvalid)  # callers catching the family still catch it
    assert not CheckFeedback.objects.filter(check_row=check).exists()
