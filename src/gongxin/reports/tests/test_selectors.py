"""reports.selectors: who may list a subject's reports (the API's /mine lists the caller's own only)."""

from __future__ import annotations

import pytest

from gongxin.accounts.viewer import Viewer
from gongxin.reports.errors import ReportListNotAllowed
from gongxin.reports.selectors import reports_of_subject
from gongxin.subjects.models import Subject


def test_a_subjects_reports_are_listed_for_itself_and_the_office_only(
    acme: Subject, agent: Viewer, staff_viewer: Viewer, bank: Viewer, public: Viewer
) -> None:
    assert list(reports_of_subject(subject_id=acme.pk, viewer=agent)) == []
    assert list(reports_of_subject(subject_id=acme.pk, viewer=staff_viewer)) == []
    for outsider in (bank, public):
        with pytest.raises(ReportListNotAllowed) as caught:
            reports_of_subject(subject_id=acme.pk, viewer=outsider)
        assert caught.value.code == "report.list_not_allowed" and caught.value.status == 403
        assert str(caught.value.message) == "您无权执行此操作。"
