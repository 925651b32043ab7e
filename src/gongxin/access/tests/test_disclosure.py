"""The one disclosure policy, persona by persona."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from gongxin.access.disclosure import mask_value, records_visible
from gongxin.access.shown import profile_records, record_shown
from gongxin.accounts.choices import Role, Scope
from gongxin.accounts.viewer import ANONYMOUS, Viewer
from gongxin.core.errors import NotFound, PermissionDenied
from gongxin.records.choices import ChangeKind, Purpose
from gongxin.records.services import record_submit, record_version_append
from gongxin.testing.payloads import item, payload_for

SHARING_CLIENT = Viewer(label="api-client:tax", role=Role.OPERATOR, scopes=frozenset({Scope.RECORDS_SHARE}))
STAFF = Viewer(label="user:staff", role=Role.STAFF)
AUDITOR = Viewer(label="user:auditor", role=Role.AUDITOR)


def _penalty(unit, operator, subject, decided: date, types: str = "罚款", sid: str = "CF-1", **extra):
    payload = payload_for(item("penalty"), decision_date=decided, penalty_types=types, **extra)
    return record_submit(source_unit=unit, item=item("penalty"), source_record_id=sid, subject=subject,
                         payload=payload, actor=operator).record


def _ids(subject, viewer, purpose):
    return [r.record_id for r in profile_records(subject=subject, viewer=viewer, purpose=purpose)]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel("2026-11-25 10:00 +0800", tick=False):
        yield


@pytest.mark.django_db
class TestDisclosure:
    def test_public_sees_a_general_penalty_inside_its_window_with_clocks(
        self, market_unit, market_operator, organization
    ):
        record = _penalty(market_unit, market_operator, organization, date(2026, 6, 1))
        shown = profile_records(subject=organization, viewer=ANONYMOUS, purpose=Purpose.PUBLIC)
        assert [r.record_id for r in shown] == [record.pk]
        assert shown[0].publicity_max_end == date(2027, 6, 1)
        assert shown[0].source_unit_name == "宁波市市场监督管理局"
        assert shown[0].legal_basis

    def test_public_no_longer_sees_it_after_the_publicity_end_but_government_does(
        self, market_unit, market_operator, organization
    ):
        record = _penalty(market_unit, market_operator, organization, date(2026, 6, 1))
        with time_machine.travel("2027-06-02 10:00 +0800", tick=False):
            assert _ids(organization, ANONYMOUS, Purpose.PUBLIC) == []
            assert _ids(organization, SHARING_CLIENT, Purpose.SHARING) == [record.pk]
        with time_machine.travel("2031-06-02 10:00 +0800", tick=False):  # retention over: no basis for anything
            assert _ids(organization, SHARING_CLIENT, Purpose.SHARING) == []
            assert _ids(organization, STAFF, Purpose.STAFF) == [record.pk]

    def test_a_warning_under_samr_order_107_is_never_public(self, market_unit, market_operator, organization):
        record = _penalty(market_unit, market_operator, organization, date(2026, 6, 1), types="警告")
        assert _ids(organization, ANONYMOUS, Purpose.PUBLIC) == []
        assert _ids(organization, SHARING_CLIENT, Purpose.SHARING) == [record.pk]

    def test_persons_are_never_visible_to_the_public(self, market_unit, market_operator, person):
        with pytest.raises(NotFound):
            profile_records(subject=person, viewer=ANONYMOUS, purpose=Purpose.PUBLIC)
        assert not records_visible(viewer=ANONYMOUS, purpose=Purpose.PUBLIC).filter(subject=person).exists()

    def test_repaired_records_leave_public_and_sharing_but_stay_for_staff(
        self, market_unit, market_operator, organization
    ):
        record = _penalty(market_unit, market_operator, organization, date(2026, 6, 1))
        record_version_append(record=record, change=ChangeKind.REPAIRED, actor=STAFF, reason="repair approved",
                              repaired=True)
        assert _ids(organization, ANONYMOUS, Purpose.PUBLIC) == []
        assert _ids(organization, SHARING_CLIENT, Purpose.SHARING) == []
        shown = profile_records(subject=organization, viewer=STAFF, purpose=Purpose.STAFF)
        assert shown[0].repaired is True

    def test_personal_fields_removed_for_public_masked_for_sharing_shown_to_self(
        self, market_unit, market_operator, organization
    ):
        personal = [f["code"] for f in item("penalty").fields if f.get("personal")]
        assert personal, "the penalty item marks its ID-number field as personal"
        code = personal[0]
        _penalty(market_unit, market_operator, organization, date(2026, 6, 1), **{code: "330203199001011234"})
        agent = Viewer(label="user:agent", role=Role.ORG_AGENT, user_id=5, subject_id=organization.pk)

        def value(viewer, purpose):
            fields = profile_records(subject=organization, viewer=viewer, purpose=purpose)[0].fields
            return next((f.value for f in fields if f.code == code), None)

        assert value(ANONYMOUS, Purpose.PUBLIC) is None
        assert value(SHARING_CLIENT, Purpose.SHARING) == "**************1234"
        assert value(agent, Purpose.SELF) == "330203199001011234"

    def test_purposes_need_their_standing(self, organization):
        other_agent = Viewer(label="user:other", role=Role.ORG_AGENT, user_id=6, subject_id=organization.pk + 1)
        for viewer, purpose in [
            (ANONYMOUS, Purpose.SELF), (other_agent, Purpose.SELF), (ANONYMOUS, Purpose.SHARING),
            (ANONYMOUS, Purpose.STAFF), (STAFF, Purpose.AUDIT), (AUDITOR, Purpose.STAFF),
            (SHARING_CLIENT, Purpose.AUTHORIZED),
        ]:
            with pytest.raises(PermissionDenied):
                profile_records(subject=organization, viewer=viewer, purpose=purpose)

    def test_archived_records_are_seen_only_by_audit(self, market_unit, market_operator, organization):
        record = _penalty(market_unit, market_operator, organization, date(2026, 6, 1))
        record_version_append(record=record, change=ChangeKind.RETENTION_ENDED, actor=STAFF,
                              reason="retention ended", status="archived")
        assert _ids(organization, STAFF, Purpose.STAFF) == []
        assert _ids(organization, AUDITOR, Purpose.AUDIT) == [record.pk]


def test_mask_value_keeps_the_ends_only():
    assert mask_value("330203199001011234") == "**************1234"
    assert mask_value("13800138000").startswith("13") and "*" in mask_value("13800138000")


@pytest.mark.django_db
def test_labels_follow_the_active_language(market_unit, market_operator, organization):
    from django.utils import translation

    _penalty(market_unit, market_operator, organization, date(2026, 6, 1))
    with translation.override("en"):
        shown = profile_records(subject=organization, viewer=ANONYMOUS, purpose=Purpose.PUBLIC)[0]
    assert shown.item_name == item("penalty").name_en
    labels = {f.code: f.label for f in shown.fields}
    assert labels["decision_date"] == "Decision date"
    with translation.override("zh-hans"):
        shown = profile_records(subject=organization, viewer=ANONYMOUS, purpose=Purpose.PUBLIC)[0]
    assert shown.item_name == item("penalty").name
    assert {f.code: f.label for f in shown.fields}["decision_date"] == "处罚决定日期"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_whole_profile_read_as_rows_shows_what_each_record_read_alone_shows(
    market_unit, market_operator, organization, language
):
    """profile_records reads plain values set-based (no model instances); record_shown reads one record's models:
    both show the same, field for field, for each purpose and language."""
    from django.utils import translation

    _penalty(market_unit, market_operator, organization, date(2026, 6, 1), fine_amount="210000.00")
    _penalty(market_unit, market_operator, organization, date(2025, 3, 2), sid="CF-2", types="警告")
    record_submit(source_unit=market_unit, item=item("licence"), source_record_id="XK-1", subject=organization,
                  payload=payload_for(item("licence"), decision_date=date(2024, 5, 6)), actor=market_operator)
    with translation.override(language):
        for viewer, purpose in ((ANONYMOUS, Purpose.PUBLIC), (STAFF, Purpose.STAFF), (AUDITOR, Purpose.AUDIT)):
            shown = profile_records(subject=organization, viewer=viewer, purpose=purpose)
            assert len(shown) == 3 and all(r.fields for r in shown)
            assert shown == [record_shown(record_id=r.record_id, viewer=viewer, purpose=purpose) for r in shown]


@pytest.mark.django_db
def test_amounts_are_shown_in_the_unit_of_their_label(market_unit, market_operator, organization):
    _penalty(market_unit, market_operator, organization, date(2026, 6, 1), fine_amount="210000.00")
    fields = {f.code: f.value for f in profile_records(subject=organization, viewer=ANONYMOUS,
                                                       purpose=Purpose.PUBLIC)[0].fields}
    assert fields["fine_amount"] == "21 万元（210,000.00 元）"


@pytest.mark.django_db
def test_non_public_queries_are_logged_as_inquiries_and_public_ones_are_not(
    market_unit, market_operator, organization
):
    from gongxin.access.models import Inquiry

    _penalty(market_unit, market_operator, organization, date(2026, 6, 1))
    profile_records(subject=organization, viewer=ANONYMOUS, purpose=Purpose.PUBLIC)
    assert Inquiry.objects.count() == 0
    profile_records(subject=organization, viewer=SHARING_CLIENT, purpose=Purpose.SHARING, channel="api",
                    reason="补贴审核")
    inquiry = Inquiry.objects.get()
    assert (inquiry.subject_id, inquiry.viewer_label, inquiry.purpose, inquiry.channel, inquiry.reason,
            inquiry.records_shown) == (organization.pk, "api-client:tax", "sharing", "api", "补贴审核", 1)
