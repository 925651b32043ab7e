"""Writes of the reports app: issue a credit report (a frozen, signed snapshot), supersede, revoke.

Who may get which report (the purpose is checked by access.disclosure, and every non-public query is
logged there as an inquiry on the "report" channel):

- organization report — ``public`` (anyone: public records only), ``self`` (the organization's agent:
  its whole profile), ``sharing`` (government), ``authorized`` (with the organization's consent), ``staff``.
- person report — ``self`` or ``authorized`` (the person's consent) only. Persons are never public:
  asking for a public person report is "not found", like every public look-up of a person.
- special report (专项信用报告, replaces no-violation certificates) — ``self`` (the subject applies for
  its own) or ``staff`` (a credit service counter issues it at the subject's request). Not ``public``,
  ``sharing`` or ``authorized``: those purposes hide repaired records and records past their publicity
  window, so a report under them could claim "no record" where the subject has one. The special report
  must list every penalty, list entry and enforcement record of the period that is still within
  retention, repaired ones marked 已修复; a third party receives it from the subject and checks it
  by its QR code.

A newer report of the same kind, subject, purpose and requester (a signed-in user or an API client)
marks the older valid ones superseded. Anonymous requesters are nobody in particular, so their public
reports never supersede each other. Every state change emits an outbox event in its transaction.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from gongxin.access.choices import Channel
from gongxin.access.persons import caller_key
from gongxin.access.shown import ShownRecord, profile_records
from gongxin.accounts.capabilities import acts_for_subject, decides_for_office
from gongxin.accounts.choices import AgentCapability
from gongxin.accounts.models import ApiClient, User
from gongxin.accounts.viewer import ANONYMOUS, Viewer
from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock, signing
from gongxin.core.busy import busy_retried
from gongxin.core.crypto import unseal
from gongxin.core.documents import public_key_url, verify_url_for
from gongxin.core.events import REPORT_ISSUED, REPORT_REVOKED, REPORT_SUPERSEDED
from gongxin.core.outbox import event_emit
from gongxin.core.throttle import current_address, throttle_hit
from gongxin.records.choices import Purpose
from gongxin.records.counting import counts
from gongxin.reports.choices import ReportKind, ReportStatus
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
from gongxin.reports.ledger import ledger_block, ledger_integrate_before_issue, report_log
from gongxin.reports.models import Report
from gongxin.reports.personal import personal_seal
from gongxin.reports.selectors import list_memberships, report_public_of_today
from gongxin.reports.snapshot import SPECIAL_KINDS, IssueContext, ListMembership, snapshot_build
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.identifiers import RIN_CONTEXT
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_display_code

# Crockford's base32 (no I, L, O, U): 10 characters = 50 random bits. Numbers are unguessable because
# a report's number opens its verification page, which shows the frozen content.
NUMBER_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NUMBER_RANDOM_LENGTH = 10
SPECIAL_MAX_MONTHS = 60
SPECIAL_DEFAULT_MONTHS = 36
ISSUE_ATTEMPTS = 5

ALLOWED_PURPOSES: dict[str, frozenset[str]] = {
    ReportKind.ORGANIZATION: frozenset({Purpose.PUBLIC, Purpose.SELF, Purpose.SHARING, Purpose.AUTHORIZED,
                                        Purpose.STAFF}),
    ReportKind.PERSON: frozenset({Purpose.SELF, Purpose.AUTHORIZED}),
    ReportKind.SPECIAL: frozenset({Purpose.SELF, Purpose.STAFF}),
}



def report_number_new(*, day: date) -> str:
    """``GX-<yyyymmdd>-<10 base32 characters>``, e.g. ``GX-20261125-7K3M9QXD2P``."""
    suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_LENGTH))
    return f"GX-{day:%Y%m%d}-{suffix}"


def purpose_default(*, kind: str, subject: Subject, viewer: Viewer) -> str:
    """The purpose a caller means when it names none: the subject's own report for the subject itself,
    else public (organization), authorized (person) or staff (special, at a credit service counter)."""
    if viewer.subject_id is not None and viewer.subject_id == subject.pk:
        return Purpose.SELF
    if kind == ReportKind.PERSON or (kind == ReportKind.ORGANIZATION and subject.kind == SubjectKind.PERSON):
        return Purpose.AUTHORIZED
    if kind == ReportKind.SPECIAL:
        return Purpose.STAFF
    return Purpose.PUBLIC


def report_range_check(*, kind: str, range_from: date | None, range_to: date | None) -> tuple[date | None, date | None]:
    """The period of a special report (default: the last 3 years up to today), validated: it ends
    today at the latest and spans at most 5 years. Other kinds cover no period."""
    if kind != ReportKind.SPECIAL:
        if range_from is not None or range_to is not None:
            raise ReportRangeNotApplicable()
        return None, None
    today = clock.today()
    range_to = range_to or today
    range_from = range_from or clock.add_months(range_to, -SPECIAL_DEFAULT_MONTHS)
    if range_to > today or range_from > today:
        raise ReportRangeInFuture()
    if range_from > range_to:
        raise ReportRangeInvalid()
    if range_from < clock.add_months(range_to, -SPECIAL_MAX_MONTHS):
        raise ReportRangeTooLong()
    return range_from, range_to


def _kind_check(*, kind: str, subject: Subject, purpose: str) -> None:
    if kind not in ReportKind.values:
        raise ReportKindInvalid()
    if subject.kind == SubjectKind.PERSON and purpose == Purpose.PUBLIC:
        raise SubjectNotFound()  # persons are never public: "not found", as everywhere
    if (kind == ReportKind.ORGANIZATION and subject.kind != SubjectKind.ORGANIZATION) or (
        kind == ReportKind.PERSON and subject.kind != SubjectKind.PERSON
    ):
        raise ReportKindInvalid()
    if purpose not in ALLOWED_PURPOSES[kind]:
        raise ReportPurposeNotAllowed()


def _requester(viewer: Viewer, purpose: str) -> str:
    """Who the cover names as requester: the public for public reports, else the account or system."""
    if purpose == Purpose.PUBLIC or viewer.is_anonymous:
        return "社会公众"
    if viewer.client_id is not None:
        client = ApiClient.objects.select_related("department").filter(pk=viewer.client_id).first()
        if client is not None:
            return f"{client.department.name}（{client.name}）"
    if viewer.user_id is not None:
        user = User.objects.filter(pk=viewer.user_id).only("display_name", "username").first()
        if user is not None:
            return user.display_name or user.username
    return viewer.label


def _included(records: list[ShownRecord], *, kind: str, range_from: date | None, range_to: date | None,
              today: date) -> list[ShownRecord]:
    """Records that count today (records.counting; staff purposes also see revoked ones, and a repaired one
    the purpose may see is listed, marked); for the special report only its kinds, decided inside the period
    (undated records are listed rather than hidden)."""
    kept = [r for r in records if counts(r, day=today)]
    if kind != ReportKind.SPECIAL:
        return kept
    assert range_from is not None and range_to is not None
    return [
        r for r in kept
        if r.record_kind in SPECIAL_KINDS
        and (r.decision_date is None or range_from <= r.decision_date <= range_to)
    ]


def _event_payload(report: Report) -> dict[str, Any]:
    return {"number": report.number, "kind": report.kind, "purpose": report.purpose, "status": report.status,
            "content_hash": report.content_hash, "key_id": report.key_id}


def report_request(
    *,
    subject: Subject,
    kind: str,
    viewer: Viewer,
    purpose: str,
    range_from: date | None = None,
    range_to: date | None = None,
) -> tuple[Report, bool]:
    """A report asked for by ``viewer`` (the API and the pages): ``(report, issued)``.

    An organization's public report is issued once a day: today's valid one is served again, whoever asks
    (it names "the public" as requester and shows what anyone may see; issuing one per request let
    anonymous callers grow the database at will). Every other request issues a report, counted against
    ``report_issue.caller`` and ``report_issue.address`` (core.throttle; credit office staff are not
    counted): over either, ``Throttled`` (429 with Retry-After)."""
    if purpose == Purpose.PUBLIC and kind == ReportKind.ORGANIZATION:
        today = report_public_of_today(subject_id=subject.pk)
        if today is not None:
            return today, False
    if not decides_for_office(viewer):
        address = current_address()
        throttle_hit(hits=[("report_issue.caller", caller_key(viewer)),
                           ("report_issue.address", f"addr:{address}" if address else "")])
    # One transaction of its own: issued again when the database was busy (SQLite's single writer held past the
    # busy timeout), then 503 with Retry-After — never a 500 (core.busy).
    report = busy_retried(lambda: report_issue(subject=subject, kind=kind, viewer=viewer, purpose=purpose,
                                               range_from=range_from, range_to=range_to))
    return report, True


def report_issue(
    *,
    subject: Subject,
    kind: str,
    viewer: Viewer,
    purpose: str,
    range_from: date | None = None,
    range_to: date | None = None,
) -> Report:
    """Issue a credit report of ``subject`` for ``viewer``: freeze, hash and sign its content, store it,
    supersede the requester's older ones. Raises the disclosure errors when the purpose is not allowed."""
    _kind_check(kind=kind, subject=subject, purpose=purpose)
    if purpose == Purpose.SELF and not acts_for_subject(viewer, subject_id=subject.pk,
                                                        capability=AgentCapability.REPORTS):
        raise ReportPurposeNotAllowed()  # a firm's agent without the mandate's "reports" (accounts.agents)
    range_from, range_to = report_range_check(kind=kind, range_from=range_from, range_to=range_to)
    subject = Subject.objects.select_related("organization", "person").get(pk=subject.pk)
    issued_at = clock.now().replace(microsecond=0)
    today = clock.today()
    number = report_number_new(day=today)
    # Every version committed so far gets its leaf now, so the report proves each record it states (decision 063).
    ledger_integrate_before_issue()
    with transaction.atomic():
        # The document is Chinese whatever the requester's interface language (item names, field labels).
        # The inquiry this logs (non-public purposes) names the report, so the subject can look it up.
        with translation.override("zh-hans"):
            shown = profile_records(subject=subject, viewer=viewer, purpose=purpose, channel=Channel.REPORT,
                                    reason=number)
        records = _included(shown, kind=kind, range_from=range_from, range_to=range_to, today=today)
        subject_code = subject_display_code(subject=subject, viewer=viewer)
        requester = _requester(viewer, purpose)
        lists = list_memberships(subject_id=subject.pk, record_ids=[r.record_id for r in records], day=today)
        ledger = ledger_block(((r.record_id, r.version) for r in records), subject_id=subject.pk)
        report = _report_create(number=number, subject=subject, kind=kind, viewer=viewer, purpose=purpose,
                                records=records, lists=lists, ledger=ledger, subject_code=subject_code,
                                requester=requester,
                                issued_at=issued_at, range_from=range_from, range_to=range_to,
                                personal=_personal_replacements(subject))
        event_emit(topic=REPORT_ISSUED, aggregate_type="report", aggregate_id=report.pk, subject_id=subject.pk,
                   payload=_event_payload(report))
        _supersede_older(report=report, viewer=viewer)
    return report


def _personal_replacements(subject: Subject) -> list[tuple[str, str]]:
    """What the stored copy of a person's report seals: its RIN, replaced by the form third parties see
    (reports.personal, docs/decisions/037). Nothing for an organization: organizations are public."""
    if subject.kind != SubjectKind.PERSON:
        return []
    return [(unseal(subject.person.rin_sealed, context=RIN_CONTEXT),
             subject_display_code(subject=subject, viewer=ANONYMOUS))]


def _report_create(*, number: str, subject: Subject, kind: str, viewer: Viewer, purpose: str,
                   records: list[ShownRecord], lists: list[ListMembership], ledger: dict[str, Any],
                   subject_code: str, requester: str,
                   issued_at: datetime,
                   range_from: date | None, range_to: date | None, personal: list[tuple[str, str]]) -> Report:
    for attempt in range(ISSUE_ATTEMPTS):
        if attempt:  # the same random number twice (50 bits): draw again
            number = report_number_new(day=clock.today())
        context = IssueContext(
            number=number, kind=kind, purpose=purpose, issued_at=timezone.localtime(issued_at),
            issuer=settings.GONGXIN_SIGNING_ISSUER, requester=requester,
            verify_url=verify_url_for(number), public_key_url=public_key_url(), key_id=signing.key_id(),
            range_from=range_from, range_to=range_to,
        )
        content = snapshot_build(subject=subject, subject_code=subject_code, records=records, context=context,
                                 lists=lists, ledger=ledger)
        data = signing.canonical_json(content)
        signature = signing.sign(data)
        # Signed as issued (the person's own report shows its RIN); stored with the RIN sealed.
        stored, sealed = personal_seal(content=content, number=number, replacements=personal)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    number=number, kind=kind, subject=subject, purpose=purpose,
                    requested_by_id=viewer.user_id, requested_by_client_id=viewer.client_id,
                    requested_by_label=viewer.label[:200], range_from=range_from, range_to=range_to,
                    created_at=issued_at, content=stored, personal_sealed=sealed,
                    content_hash=signing.content_hash(data),
                    signature=signature.value_b64, key_id=signature.key_id, status=ReportStatus.VALID,
                )
                report_log(report)  # the issue is a leaf of the tamper-evident log, in this transaction
                return report
        except IntegrityError:
            if attempt == ISSUE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def _supersede_older(*, report: Report, viewer: Viewer) -> None:
    if viewer.user_id is not None:
        requester = {"requested_by_id": viewer.user_id}
    elif viewer.client_id is not None:
        requester = {"requested_by_client_id": viewer.client_id}
    else:
        return
    older = list(
        Report.objects.select_for_update()
        .filter(subject_id=report.subject_id, kind=report.kind, purpose=report.purpose, status=ReportStatus.VALID,
                **requester)
        .exclude(pk=report.pk)
        .only("pk", "number", "kind", "purpose", "status", "content_hash", "key_id", "subject_id")
        .order_by("pk")
    )
    if not older:
        return
    at = clock.now()
    Report.objects.filter(pk__in=[r.pk for r in older]).update(
        status=ReportStatus.SUPERSEDED, superseded_by=report, status_changed_at=at
    )
    for old in older:
        old.status = ReportStatus.SUPERSEDED
        payload = {**_event_payload(old), "superseded_by": report.number}
        event_emit(topic=REPORT_SUPERSEDED, aggregate_type="report", aggregate_id=old.pk,
                   subject_id=old.subject_id, payload=payload)


def report_revoke(*, report: Report, actor: Viewer, reason: str) -> Report:
    """Revoke a report (credit office staff): its verification page says so from now on."""
    if not decides_for_office(actor):
        raise ReportRevokeNotAllowed()
    reason = reason.strip()
    if not reason:
        raise ReportReasonRequired()
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status == ReportStatus.REVOKED:
            raise ReportAlreadyRevoked()
        locked.status = ReportStatus.REVOKED
        locked.status_changed_at = clock.now()
        locked.status_reason = reason
        locked.save(update_fields=["status", "status_changed_at", "status_reason"])
        event_emit(topic=REPORT_REVOKED, aggregate_type="report", aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload={**_event_payload(locked), "reason": reason,
                                                          "actor": actor.label})
    report.status, report.status_changed_at, report.status_reason = (
        locked.status, locked.status_changed_at, locked.status_reason)
    return report
