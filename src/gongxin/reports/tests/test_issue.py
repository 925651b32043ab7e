"""report_issue: who gets which report, what goes in, frozen content, numbers, supersede and revoke."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from gongxin.access.errors import ConsentRequired
from gongxin.access.models import Inquiry
from gongxin.core import clock, signing
from gongxin.core.errors import PermissionDenied
from gongxin.core.models import OutboxEvent
from gongxin.ledger.checkpoints import checkpoint_ensure
from gongxin.ledger.services import ledger_integrate
from gongxin.records.services import record_revoke
from gongxin.reports.errors import (
    ReportAlreadyRevoked,
    ReportKindInvalid,
    ReportPurposeNotAllowed,
    ReportRangeInFuture,
    ReportRangeInvalid,
    ReportRangeNotApplicable,
    ReportRangeTooLong,
    ReportReasonRequired,
    ReportRevokeNotAllowed,
)
from gongxin.reports.models import Report
from gongxin.reports.personal import report_signed_content
from gongxin.reports.services import report_issue, report_revoke
from gongxin.subjects.errors import SubjectNotFound
from gongxin.testing import factories

pytestmark = pytest.mark.django_db


def _records(report: Report, section: str) -> list[dict]:
    return next(s for s in report.content["details"] if s["key"] == section)["records"]


def test_public_organization_report_has_the_standard_structure(acme, source_unit, public):
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    factories.licence_create(subject=acme, source_unit=source_unit)

    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")

    content = report.content
    assert re.fullmatch(r"GX-\d{8}-[0-9A-HJKMNP-TV-Z]{10}", report.number)
    assert content["number"] == report.number
    cover = content["cover"]
    assert cover["title"] == "法人和非法人组织公共信用信息报告"
    assert cover["subject_name"] == acme.name
    assert cover["subject_code"] == acme.organization.uscc
    assert cover["issuer"] == "宁波市公共信用信息平台"
    assert cover["requester"] == "社会公众"
    assert [n["key"] for n in content["notes"]] == ["sources", "scope", "details", "validity", "verification",
                                                   "remedies"]
    # Judgment debtors are removed by the court, never repaired; the mark comes with an objection's acceptance (#18).
    remedies = content["notes"][-1]["text"]
    assert "人民法院在被执行人履行义务后移出名单" in remedies and "异议受理后" in remedies
    assert {"label": "统一社会信用代码", "key": "uscc", "value": acme.organization.uscc} in content["overview"]["basic"]
    summary = {row["key"]: row for row in content["overview"]["summary"]}
    assert summary["penalties"]["total"] == 1 and summary["penalties"]["negative"] == 1
    assert summary["licences"]["total"] == 1 and summary["licences"]["positive"] == 1
    assert content["overview"]["totals"]["total"] == 2
    assert content["layout"] == "full" and content["overview"]["lists"] == []
    [entry] = _records(report, "penalties")
    version = penalty.current_version
    assert entry["record_id"] == penalty.pk
    assert entry["source_unit"] == factories.SOURCE_UNIT_NAME
    assert entry["decision_date"] == version.decision_date.isoformat()
    assert entry["publicity_end"] == version.publicity_max_end.isoformat()
    assert entry["retention_end"] == version.retention_end.isoformat()
    assert entry["legal_basis"]
    assert entry["item_name"] == "行政处罚信息"
    # Public: personal fields never appear.
    assert "330203199001010012" not in signing.canonical_json(content).decode()
    assert content["verification"]["url"].endswith(f"/verify/{report.number}/")
    assert content["verification"]["key_id"] == report.key_id == signing.key_id()


def test_hash_and_signature_cover_the_canonical_content(acme, public):
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    data = signing.canonical_json(report.content)
    assert report.content_hash == signing.content_hash(data)
    assert signing.verify(data, report.signature, key_id=report.key_id)
    assert not signing.verify(data + b" ", report.signature, key_id=report.key_id)


def test_issued_content_is_frozen_when_records_change_later(acme, source_unit, public):
    penalty = factories.penalty_create(subject=acme, source_unit=source_unit)
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    before = (signing.canonical_json(report.content), report.content_hash, report.signature)

    factories.objection_mark(penalty)
    record_revoke(record=penalty, actor=factories.ADMIN, reason="决定已撤销")
    factories.penalty_create(subject=acme, source_unit=source_unit)

    stored = Report.objects.get(pk=report.pk)
    assert (signing.canonical_json(stored.content), stored.content_hash, stored.signature) == before
    assert [r["record_id"] for r in _records(stored, "penalties")] == [penalty.pk]
    # A new report shows the new state.
    again = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    assert [r["record_id"] for r in _records(again, "penalties")] != [penalty.pk]


def test_marks_travel_into_the_report(acme, source_unit, agent):
    objected = factories.objection_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    repaired = factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))

    report = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")

    marks = {r["record_id"]: r["marks"] for r in _records(report, "penalties")}
    assert marks == {objected.pk: ["异议中"], repaired.pk: ["已修复"]}
    assert report.content["overview"]["totals"]["repaired"] == 1
    assert report.content["cover"]["requester"] == "示例公司经办人"


def test_public_report_leaves_out_repaired_records(acme, source_unit, public):
    factories.repair_mark(factories.penalty_create(subject=acme, source_unit=source_unit))
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    assert _records(report, "penalties") == []


def test_persons_never_get_a_public_report(person, public):
    for kind in ("person", "organization", "special"):
        with pytest.raises(SubjectNotFound):
            report_issue(subject=person, kind=kind, viewer=public, purpose="public")
    assert not Report.objects.exists()


def test_person_report_for_the_person_itself_shows_the_full_rin(person, person_self, source_unit):
    factories.penalty_create(subject=person, source_unit=source_unit)
    report = report_issue(subject=person, kind="person", viewer=person_self, purpose="self")
    cover = report_signed_content(report)["cover"]  # as signed; the stored copy seals it (test_personal)
    assert cover["title"] == "自然人公共信用信息报告"
    assert "*" not in cover["subject_code"] and len(cover["subject_code"]) == 18
    assert _records(report, "penalties")


def test_person_report_for_an_authorized_bank_masks_the_rin_and_logs_the_inquiry(
        person, person_self, bank, bank_consent, source_unit):
    factories.penalty_create(subject=person, source_unit=source_unit)
    report = report_issue(subject=person, kind="person", viewer=bank, purpose="authorized")
    code = report.content["cover"]["subject_code"]
    assert "*" in code and code == person.person.rin_masked
    assert {"key": "rin", "label": "居民身份证号码", "value": code} in report.content["overview"]["basic"]
    assert report.content["cover"]["requester"] == "宁波示例银行信贷部"
    # Personal fields of the records are masked as well.
    assert "330203199001010012" not in signing.canonical_json(report.content).decode()
    inquiry = Inquiry.objects.get(subject=person)
    assert inquiry.channel == "report" and inquiry.purpose == "authorized" and inquiry.consent == bank_consent
    assert inquiry.reason == report.number and inquiry.viewer_user_id == bank.user_id


def test_person_report_without_consent_is_refused(person, bank):
    with pytest.raises(ConsentRequired):
        report_issue(subject=person, kind="person", viewer=bank, purpose="authorized")


def test_kinds_and_purposes_that_do_not_fit_are_refused(acme, person, person_self, agent, public):
    with pytest.raises(ReportKindInvalid):
        report_issue(subject=acme, kind="person", viewer=agent, purpose="self")
    with pytest.raises(ReportKindInvalid):
        report_issue(subject=person, kind="organization", viewer=person_self, purpose="self")
    with pytest.raises(ReportKindInvalid):
        report_issue(subject=acme, kind="nonsense", viewer=agent, purpose="self")
    with pytest.raises(ReportPurposeNotAllowed):
        report_issue(subject=acme, kind="special", viewer=public, purpose="public")
    with pytest.raises(PermissionDenied):  # not the organization's agent
        report_issue(subject=acme, kind="organization", viewer=person_self, purpose="self")


def test_special_report_lists_penalties_in_range_with_repaired_ones_marked(acme, source_unit, agent):
    today = clock.today()
    recent = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=100))
    repaired = factories.repair_mark(
        factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=400)))
    old = factories.penalty_create(subject=acme, source_unit=source_unit, decided=today - timedelta(days=900))
    factories.licence_create(subject=acme, source_unit=source_unit)  # not part of a special report
    factories.honour_create(subject=acme, source_unit=source_unit)

    report = report_issue(subject=acme, kind="special", viewer=agent, purpose="self",
                          range_from=today - timedelta(days=730), range_to=today)

    content = report.content
    assert content["cover"]["title"] == "专项信用报告"
    assert content["range"] == {"from": (today - timedelta(days=730)).isoformat(), "to": today.isoformat()}
    assert [s["key"] for s in content["details"]] == [
        "penalties", "compulsory_measures", "serious_dishonesty", "criminal_judgments"]
    penalties = _records(report, "penalties")
    assert [r["record_id"] for r in penalties] == [recent.pk, repaired.pk]
    assert [r["marks"] for r in penalties] == [[], ["已修复"]]
    assert old.pk not in [r["record_id"] for r in penalties]
    criminal = next(s for s in content["details"] if s["key"] == "criminal_judgments")
    assert criminal["covered"] is False
    assert "已修复 1 条" in content["conclusion"]
    assert report.range_from == today - timedelta(days=730)


def test_special_report_by_staff_leaves_out_revoked_records(acme, source_unit, staff_viewer):
    revoked = factories.penalty_create(subject=acme, source_unit=source_unit)
    record_revoke(record=revoked, actor=factories.ADMIN, reason="撤销")
    report = report_issue(subject=acme, kind="special", viewer=staff_viewer, purpose="staff")
    assert _records(report, "penalties") == []
    assert "无记录" in report.content["conclusion"]
    assert Inquiry.objects.filter(subject=acme, channel="report", purpose="staff").count() == 1


def test_special_report_range_is_validated(acme, agent):
    today = clock.today()
    with pytest.raises(ReportRangeTooLong):
        report_issue(subject=acme, kind="special", viewer=agent, purpose="self",
                     range_from=clock.add_months(today, -60) - timedelta(days=1), range_to=today)
    with pytest.raises(ReportRangeInFuture):
        report_issue(subject=acme, kind="special", viewer=agent, purpose="self", range_to=today + timedelta(days=1))
    with pytest.raises(ReportRangeInvalid):
        report_issue(subject=acme, kind="special", viewer=agent, purpose="self",
                     range_from=today - timedelta(days=1), range_to=today - timedelta(days=2))
    with pytest.raises(ReportRangeNotApplicable):
        report_issue(subject=acme, kind="organization", viewer=agent, purpose="self", range_to=today)
    # Exactly five years is allowed; the default is the last three years.
    five = report_issue(subject=acme, kind="special", viewer=agent, purpose="self",
                        range_from=clock.add_months(today, -60), range_to=today)
    assert five.range_from == clock.add_months(today, -60)
    default = report_issue(subject=acme, kind="special", viewer=agent, purpose="self")
    assert (default.range_from, default.range_to) == (clock.add_months(today, -36), today)


def test_a_newer_report_supersedes_the_requesters_older_one(acme, agent, staff_viewer, public):
    first = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    other_kind = report_issue(subject=acme, kind="special", viewer=agent, purpose="self")
    someone_else = report_issue(subject=acme, kind="organization", viewer=staff_viewer, purpose="staff")
    anonymous_1 = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    anonymous_2 = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")

    second = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")

    first.refresh_from_db()
    assert first.status == "superseded" and first.superseded_by == second and first.status_changed_at
    for report in (other_kind, someone_else, anonymous_1, anonymous_2, second):
        report.refresh_from_db()
        assert report.status == "valid", report.number
    topics = list(OutboxEvent.objects.filter(aggregate_type="report").values_list("topic", "aggregate_id"))
    assert ("reports.report.superseded", first.pk) in topics
    assert topics.count(("reports.report.issued", second.pk)) == 1


def test_staff_revoke_a_report(acme, public, staff_viewer, agent):
    report = report_issue(subject=acme, kind="organization", viewer=public, purpose="public")
    with pytest.raises(ReportRevokeNotAllowed):
        report_revoke(report=report, actor=agent, reason="x")
    with pytest.raises(ReportReasonRequired):
        report_revoke(report=report, actor=staff_viewer, reason="  ")

    report_revoke(report=report, actor=staff_viewer, reason="出具有误")

    report.refresh_from_db()
    assert report.status == "revoked" and report.status_reason == "出具有误"
    assert OutboxEvent.objects.filter(topic="reports.report.revoked", aggregate_id=report.pk).count() == 1
    with pytest.raises(ReportAlreadyRevoked):
        report_revoke(report=report, actor=staff_viewer, reason="again")


def test_report_build_stays_within_a_few_queries(acme, source_unit, public, django_assert_max_num_queries):
    for _ in range(5):
        factories.penalty_create(subject=acme, source_unit=source_unit)
        factories.licence_create(subject=acme, source_unit=source_unit)
    ledger_integrate()  # the task integrated the versions and signed a checkpoint: the report's proofs read the
    checkpoint_ensure()  # log (decision 063), eight more queries (the versions' items read once, decision 085)
    with django_assert_max_num_queries(12 + 8):
        report_issue(subject=acme, kind="organization", viewer=public, purpose="public")


def test_the_evaluation_travels_into_reports_other_than_public_ones(acme, source_unit, agent, public):
    from gongxin.accounts.viewer import SYSTEM
    from gongxin.reports.render import report_html
    from gongxin.scoring.services import scores_run

    factories.penalty_create(subject=acme, source_unit=source_unit)
    scores_run(actor=SYSTEM)

    own = report_issue(subject=acme, kind="organization", viewer=agent, purpose="self")
    evaluation = own.content["evaluation"]
    assert 0 < evaluation["score"] < evaluation["scale_max"] == 1000
    assert evaluation["level"] in {"A", "B", "C", "D"} and evaluation["dimensions"]
    assert evaluation["reasons"] and "处罚" in evaluation["reasons"][0]  # the penalty is what lowers it
    assert "主要扣分因素" in report_html(own)
    assert "evaluation" not in report_issue(subject=acme, kind="organization", viewer=public,
                                            purpose="public").content  # evaluations are never public
