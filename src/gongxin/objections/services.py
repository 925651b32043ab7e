"""Writes of the objection lifecycle (Zhejiang regulation Art. 30-31).

submitted → accepted (the record is marked 异议中, the working-day clock starts) or rejected → forwarded to
the record's source unit → decided (the version the decision implies, which also clears the mark) → at
most one review (复核), which marks the record again and reopens it for a second decision.

Every step is one service, one transaction: the objection row (locked), one ``ObjectionEvent`` audit row,
one outbox event ``objections.objection.<step>`` (core.events), and one notice to the subject (e-mailed
after commit). Record versions go through ``records.services.record_version_append`` in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import acts_for_subject, decides_for_office, writes_for_unit
from gongxin.accounts.choices import AgentCapability
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.policy import clocks_compute, deadline_working_days
from gongxin.catalog.schema import payload_validate
from gongxin.core import clock
from gongxin.core.errors import ValidationFailed
from gongxin.core.outbox import event_emit
from gongxin.core.workdays import add_working_days
from gongxin.identity.assurance import assurance_require
from gongxin.identity.choices import AssuredCapability
from gongxin.notices.services import notice_send
from gongxin.objections.choices import OPEN_STATUSES, PAYLOAD_DECISIONS, Action, Decision, Ground, Status
from gongxin.objections.errors import (
    AlreadyOpen,
    DecisionNotApplicable,
    ExtensionTooLong,
    NotOwnRecord,
    NotSourceUnit,
    NotStaff,
    NotSubject,
    PayloadRequired,
    ReasonRequired,
    RecordGone,
    ReviewUsed,
    WrongStatus,
)
from gongxin.objections.evidence import evidence_check
from gongxin.objections.models import Evidence, Objection, ObjectionEvent
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.content import clock_fields, content_hash
from gongxin.records.lists import END_FIELDS, START_FIELDS
from gongxin.records.models import Record, RecordVersion
from gongxin.records.personal import payload_unseal
from gongxin.records.services import record_version_append

DESCRIPTION_MAX = 4000
REASON_MAX = 4000


DECIDE_DAYS = "objection_decide_working_days"
MAX_DAYS = "objection_max_working_days"


# --- permissions ------------------------------------------------------------------------------------------

def unit_decides(viewer: Viewer, objection: Objection) -> bool:
    """Who decides a forwarded objection: whoever writes the record's source unit's records (its operators and
    its own systems holding ``records:write``; accounts.capabilities.writes_for_unit)."""
    return writes_for_unit(viewer, source_unit_id=objection.source_unit_id)


def is_filer(viewer: Viewer, objection: Objection) -> bool:
    """The objecting subject's own accounts, and its agents whose mandate covers objections (accounts.agents)."""
    return acts_for_subject(viewer, subject_id=objection.subject_id, capability=AgentCapability.OBJECTIONS)


def _staff_check(actor: Viewer) -> None:
    if not decides_for_office(actor):
        raise NotStaff()


# --- helpers ----------------------------------------------------------------------------------------------

def _text(value: str, *, limit: int, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ReasonRequired()
    if len(text) > limit:
        raise ValidationFailed(details={"field": "reason", "max_length": limit})
    return text


def _locked(objection: Objection, *, allowed: Sequence[str]) -> Objection:
    locked = Objection.objects.select_for_update(of=("self",)).select_related(
        "subject", "record__catalog_item", "record__source_unit", "source_unit__department"
    ).get(pk=objection.pk)
    if locked.status not in allowed:
        raise WrongStatus(details={"status": locked.status, "allowed": list(allowed)})
    return locked


def _link(objection: Objection) -> str:
    return reverse("objections:detail", args=[objection.pk])


def _step(*, objection: Objection, action: str, actor: Viewer, note: str, title: str, body: str,
          extra: dict[str, Any] | None = None) -> ObjectionEvent:
    """The audit row, the outbox event and the subject's notice of one step (inside the step's transaction)."""
    event = ObjectionEvent.objects.create(
        objection=objection, action=action, status=objection.status, actor_id=actor.user_id,
        actor_label=actor.label, note=note, created_at=clock.now(),
    )
    event_emit(
        topic=action, aggregate_type="objection", aggregate_id=objection.pk, subject_id=objection.subject_id,
        payload={"number": objection.number, "record": objection.record_id, "status": objection.status,
                 "round": objection.round, **(extra or {})},
    )
    notice_send(subject=objection.subject, code=action, title=title, body=body, link=_link(objection))
    return event


def _platform_language() -> translation.override:
    """Notices and version reasons are records of what was said: written in the platform's language."""
    return translation.override(settings.LANGUAGE_CODE)


def _mark(*, objection: Objection, actor: Viewer, reason: str) -> RecordVersion:
    return record_version_append(record=objection.record, change=ChangeKind.OBJECTION_MARKED, actor=actor,
                                 reason=reason, under_objection=True)


def _deadline(start: date, days: int) -> date:
    return add_working_days(start, days)


# --- filing -----------------------------------------------------------------------------------------------

def objection_file(
    *, record: Record, ground: str, description: str, actor: Viewer, files: Sequence[UploadedFile] = ()
) -> Objection:
    """The subject objects to one of its own records, with evidence files."""
    if not acts_for_subject(actor, subject_id=record.subject_id, capability=AgentCapability.OBJECTIONS):
        raise NotOwnRecord()
    # Filing sets a procedure going against a source unit: a verified identity only (decision 055).
    assurance_require(viewer=actor, capability=AssuredCapability.OBJECTION_FILE)
    if ground not in Ground.values:
        raise ValidationFailed(details={"field": "ground", "allowed": list(Ground.values)})
    text = _text(description, limit=DESCRIPTION_MAX, required=True)
    checked = evidence_check(files)
    with transaction.atomic():
        current = Record.objects.select_related("current_version").get(pk=record.pk).current_version
        if current is None or current.status != RecordStatus.ACTIVE:
            raise RecordGone()
        if Objection.objects.filter(record=record, status__in=(Status.SUBMITTED, *OPEN_STATUSES)).exists():
            raise AlreadyOpen()
        try:
            with transaction.atomic():
                objection = Objection.objects.create(
                    number=f"~{uuid.uuid4().hex[:18]}", record=record, subject_id=record.subject_id,
                    source_unit_id=record.source_unit_id, ground=ground, description=text, filed_by_id=actor.user_id,
                    filed_at=clock.now(),
                )
        except IntegrityError:
            raise AlreadyOpen() from None
        objection.number = f"YY{clock.today():%Y}{objection.pk:06d}"
        objection.save(update_fields=["number"])
        for item in checked:
            evidence = Evidence(objection=objection, name=item.name, content_type=item.content_type, size=item.size,
                                sha256=item.sha256, uploaded_by_id=actor.user_id, uploaded_at=clock.now())
            evidence.file.save(item.storage_name, item.upload, save=False)
            evidence.save()
        objection = Objection.objects.select_related("subject", "record__catalog_item", "source_unit__department").get(
            pk=objection.pk
        )
        with _platform_language():
            _step(objection=objection, action=Action.FILED, actor=actor, note="", extra={"ground": ground},
                  title=_("Objection %(number)s received") % {"number": objection.number},
                  body=_("We received your objection to the record \"%(item)s\". The credit office will decide "
                         "whether to accept it.") % {"item": objection.record.catalog_item.name})
    return objection


def objection_evidence_add(*, objection: Objection, actor: Viewer, files: Sequence[UploadedFile]) -> list[Evidence]:
    """More evidence from the subject while the objection is not yet decided."""
    if not is_filer(actor, objection):
        raise NotSubject()
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.SUBMITTED, *OPEN_STATUSES))
        checked = evidence_check(files, already=locked.evidence.count())
        added = []
        for item in checked:
            evidence = Evidence(objection=locked, name=item.name, content_type=item.content_type, size=item.size,
                                sha256=item.sha256, uploaded_by_id=actor.user_id, uploaded_at=clock.now())
            evidence.file.save(item.storage_name, item.upload, save=False)
            evidence.save()
            added.append(evidence)
        ObjectionEvent.objects.create(
            objection=locked, action=Action.EVIDENCE_ADDED, status=locked.status, actor_id=actor.user_id,
            actor_label=actor.label, note=", ".join(e.name for e in added), created_at=clock.now(),
        )
        event_emit(topic=Action.EVIDENCE_ADDED, aggregate_type="objection", aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload={"number": locked.number, "files": len(added)})
    return added


# --- the credit office ------------------------------------------------------------------------------------

def objection_accept(*, objection: Objection, actor: Viewer, note: str = "") -> Objection:
    """Accept: the record is marked 异议中 and the decision deadline starts (policy, working days)."""
    _staff_check(actor)
    note = _text(note, limit=REASON_MAX, required=False)
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.SUBMITTED,))
        today = clock.today()
        days = deadline_working_days(name=DECIDE_DAYS, day=today)
        locked.status = Status.ACCEPTED
        locked.accepted_at = clock.now()
        locked.clock_start = today
        locked.deadline_working_days = days
        locked.due_date = _deadline(today, days)
        locked.save(update_fields=["status", "accepted_at", "clock_start", "deadline_working_days", "due_date"])
        with _platform_language():
            _mark(objection=locked, actor=actor,
                  reason=_("Objection %(number)s accepted") % {"number": locked.number})
            _step(objection=locked, action=Action.ACCEPTED, actor=actor, note=note,
                  extra={"due_date": locked.due_date.isoformat()},
                  title=_("Objection %(number)s accepted") % {"number": locked.number},
                  body=_("Your objection has been accepted. While it is verified, the record carries the mark "
                         "\"under objection\". A decision is due by %(due)s.") % {"due": locked.due_date.isoformat()})
    return locked


def objection_reject(*, objection: Objection, actor: Viewer, reason: str) -> Objection:
    """Not accepted, with the reason (the record is not marked)."""
    _staff_check(actor)
    reason = _text(reason, limit=REASON_MAX, required=True)
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.SUBMITTED,))
        locked.status = Status.REJECTED
        locked.rejection_reason = reason
        locked.save(update_fields=["status", "rejection_reason"])
        with _platform_language():
            _step(objection=locked, action=Action.REJECTED, actor=actor, note=reason,
                  title=_("Objection %(number)s not accepted") % {"number": locked.number},
                  body=_("Your objection has not been accepted. Reason: %(reason)s") % {"reason": reason})
    return locked


def objection_forward(*, objection: Objection, actor: Viewer, note: str = "") -> Objection:
    """Send an accepted objection to the record's source unit: its operators get a task with the deadline."""
    _staff_check(actor)
    note = _text(note, limit=REASON_MAX, required=False)
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.ACCEPTED,))
        locked.status = Status.FORWARDED
        locked.forwarded_at = clock.now()
        locked.save(update_fields=["status", "forwarded_at"])
        with _platform_language():
            _step(objection=locked, action=Action.FORWARDED, actor=actor, note=note,
                  title=_("Objection %(number)s sent to the source unit") % {"number": locked.number},
                  body=_("Your objection has been sent to %(unit)s for verification. A decision is due by "
                         "%(due)s.") % {"unit": locked.source_unit.department.name,
                                        "due": locked.due_date.isoformat() if locked.due_date else "—"})
    return locked


def objection_extension_request(*, objection: Objection, actor: Viewer, working_days: int, reason: str) -> Objection:
    """The source unit asks for more time; staff approve it (``objection_extend``). Internal to the
    platform: audited and announced on the outbox, but no notice to the subject until it is approved."""
    if not unit_decides(actor, objection):
        raise NotSourceUnit()
    reason = _text(reason, limit=REASON_MAX, required=True)
    if working_days < 1:
        raise ValidationFailed(details={"field": "working_days", "min": 1})
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.FORWARDED,))
        assert locked.clock_start is not None
        most = deadline_working_days(name=MAX_DAYS, day=locked.clock_start)
        if locked.deadline_working_days + working_days > most:
            raise ExtensionTooLong(details={"max_working_days": most,
                                            "remaining": max(0, most - locked.deadline_working_days)})
        locked.extension_requested_days = working_days
        locked.extension_request_reason = reason
        locked.save(update_fields=["extension_requested_days", "extension_request_reason"])
        ObjectionEvent.objects.create(
            objection=locked, action=Action.EXTENSION_REQUESTED, status=locked.status, actor_id=actor.user_id,
            actor_label=actor.label, note=reason, created_at=clock.now(),
        )
        event_emit(topic=Action.EXTENSION_REQUESTED, aggregate_type="objection", aggregate_id=locked.pk,
                   subject_id=locked.subject_id, payload={"number": locked.number, "working_days": working_days})
    return locked


def objection_extend(*, objection: Objection, actor: Viewer, working_days: int, reason: str) -> Objection:
    """Approve more time: the deadline, counted from acceptance, may grow up to the policy's maximum in all."""
    _staff_check(actor)
    reason = _text(reason, limit=REASON_MAX, required=True)
    if working_days < 1:
        raise ValidationFailed(details={"field": "working_days", "min": 1})
    with transaction.atomic():
        locked = _locked(objection, allowed=OPEN_STATUSES)
        assert locked.clock_start is not None
        most = deadline_working_days(name=MAX_DAYS, day=locked.clock_start)
        total = locked.deadline_working_days + working_days
        if total > most:
            raise ExtensionTooLong(details={"max_working_days": most,
                                            "remaining": max(0, most - locked.deadline_working_days)})
        previous = locked.due_date
        locked.deadline_working_days = total
        locked.due_date = _deadline(locked.clock_start, total)
        locked.extension_requested_days = 0  # a pending request of the source unit is answered by this
        locked.extension_request_reason = ""
        locked.save(update_fields=["deadline_working_days", "due_date", "extension_requested_days",
                                   "extension_request_reason"])
        with _platform_language():
            _step(objection=locked, action=Action.EXTENDED, actor=actor, note=reason,
                  extra={"due_date": locked.due_date.isoformat(), "working_days": total},
                  title=_("Objection %(number)s: more time for the decision") % {"number": locked.number},
                  body=_("The deadline for the decision moves from %(old)s to %(new)s. Reason: %(reason)s")
                  % {"old": previous.isoformat() if previous else "—", "new": locked.due_date.isoformat(),
                     "reason": reason})
    return locked


# --- the source unit --------------------------------------------------------------------------------------

def _list_removal_payload(record: Record, payload: dict[str, Any], today: date) -> dict[str, Any] | None:
    """The list record's content with its end date set so that the entry is no longer active.

    An entry's end date is its last day on the list (records.lists counts it active while end >= today),
    so removing it now writes yesterday — never earlier than the listing itself. ``None`` when the item
    has no end-date field (the listing is then withdrawn)."""
    codes = {f["code"] for f in record.catalog_item.fields}
    end_field = next((f for f in END_FIELDS if f in codes), None)
    if end_field is None:
        return None
    start = None
    for name in START_FIELDS:
        if payload.get(name):
            start = str(payload[name])[:10]
            break
    end = (today - timedelta(days=1)).isoformat()
    if start and end < start:
        end = start
    return {**payload, end_field: end}


def _decision_version(*, objection: Objection, record: Record, decision: str, actor: Viewer, reason: str,
                      payload: dict[str, Any] | None, severity: str | None) -> RecordVersion:
    current = Record.objects.select_related("current_version").get(pk=record.pk).current_version
    assert current is not None
    item = record.catalog_item
    if current.status != RecordStatus.ACTIVE:
        if decision not in (Decision.UPHOLD, Decision.DELETE):
            raise RecordGone()
        return record_version_append(record=record, change=ChangeKind.OBJECTION_CLEARED, actor=actor, reason=reason,
                                     under_objection=False)
    if decision == Decision.DELETE:
        return record_version_append(record=record, change=ChangeKind.REVOKED, actor=actor, reason=reason,
                                     status=RecordStatus.REVOKED, under_objection=False)
    if decision in PAYLOAD_DECISIONS:
        if not payload:
            raise PayloadRequired()
        # A payload taken from the stored version carries sealed personal values: compare and validate in clear.
        canonical = payload_validate(item=item, payload=payload_unseal(item=item, payload=payload))
        clocks = clocks_compute(item=item, domain=record.source_unit.domain, payload=canonical,
                                severity=severity or None)
        digest = content_hash(payload=canonical, severity=clocks.severity)
        if digest == current.content_hash:
            raise DecisionNotApplicable(_("The corrected content is the same as the record's current content."))
        return record_version_append(record=record, change=ChangeKind.CORRECTED, actor=actor, reason=reason,
                                     legal_basis=item.legal_basis, payload=canonical, content_hash=digest,
                                     under_objection=False, **clock_fields(clocks))
    if decision == Decision.STOP_DISCLOSURE:
        return record_version_append(record=record, change=ChangeKind.PUBLICITY_ENDED, actor=actor, reason=reason,
                                     publicity_ended=True, under_objection=False)
    if decision == Decision.REMOVE_FROM_LIST:
        if not item.list_type_code:
            raise DecisionNotApplicable(_("The record is not a list entry."))
        ended = _list_removal_payload(record, dict(current.payload), clock.today())
        if ended is None:
            return record_version_append(record=record, change=ChangeKind.LIST_REMOVED, actor=actor, reason=reason,
                                         status=RecordStatus.REVOKED, under_objection=False)
        canonical = payload_validate(item=item, payload=ended)
        return record_version_append(record=record, change=ChangeKind.LIST_REMOVED, actor=actor, reason=reason,
                                     payload=canonical, content_hash=content_hash(payload=canonical,
                                                                                  severity=current.severity),
                                     under_objection=False)
    return record_version_append(record=record, change=ChangeKind.OBJECTION_CLEARED, actor=actor, reason=reason,
                                 under_objection=False)


def objection_decide(
    *, objection: Objection, actor: Viewer, decision: str, reason: str, payload: dict[str, Any] | None = None,
    severity: str | None = None,
) -> Objection:
    """The source unit decides. The record gets the version the decision implies, which clears the mark; its
    reason names the objection."""
    if decision not in Decision.values:
        raise ValidationFailed(details={"field": "decision", "allowed": list(Decision.values)})
    if not unit_decides(actor, objection):
        raise NotSourceUnit()
    reason = _text(reason, limit=REASON_MAX, required=True)
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.FORWARDED,))
        with _platform_language():
            label = str(Decision(decision).label)
            version_reason = _("Objection %(number)s decided: %(decision)s. %(reason)s") % {
                "number": locked.number, "decision": label, "reason": reason}
            version = _decision_version(objection=locked, record=locked.record, decision=decision, actor=actor,
                                        reason=version_reason, payload=payload, severity=severity)
            locked.status = Status.DECIDED
            locked.decision = decision
            locked.decision_reason = reason
            locked.decided_at = clock.now()
            locked.decision_version = version
            locked.extension_requested_days = 0
            locked.extension_request_reason = ""
            locked.save(update_fields=["status", "decision", "decision_reason", "decided_at", "decision_version",
                                       "extension_requested_days", "extension_request_reason"])
            late = locked.due_date is not None and clock.today() > locked.due_date
            if locked.round > 1:
                body = _("Decision after review: %(decision)s. Reasons: %(reason)s")
            else:
                body = _("Decision: %(decision)s. Reasons: %(reason)s") + "\n" + _(
                    "If you disagree, you may ask for a review once.")
            _step(objection=locked, action=Action.DECIDED, actor=actor, note=reason,
                  extra={"decision": decision, "version": version.number, "late": late},
                  title=_("Objection %(number)s decided: %(decision)s") % {"number": locked.number, "decision": label},
                  body=body % {"decision": label, "reason": reason})
    return locked


# --- the subject again ------------------------------------------------------------------------------------

def objection_review_request(*, objection: Objection, actor: Viewer, reason: str) -> Objection:
    """The subject asks for a review (复核), once: the record is marked again and the source unit decides a
    second time, within a fresh deadline."""
    if not is_filer(actor, objection):
        raise NotSubject()
    reason = _text(reason, limit=REASON_MAX, required=True)
    with transaction.atomic():
        locked = _locked(objection, allowed=(Status.DECIDED,))
        if locked.round > 1 or locked.review_requested_at is not None:
            raise ReviewUsed()
        current = Record.objects.select_related("current_version").get(pk=locked.record_id).current_version
        if current is None or current.status != RecordStatus.ACTIVE:
            raise RecordGone()
        today = clock.today()
        days = deadline_working_days(name=DECIDE_DAYS, day=today)
        locked.round = 2
        locked.status = Status.FORWARDED
        locked.review_requested_at = clock.now()
        locked.review_reason = reason
        locked.forwarded_at = clock.now()
        locked.clock_start = today
        locked.deadline_working_days = days
        locked.due_date = _deadline(today, days)
        locked.save(update_fields=["round", "status", "review_requested_at", "review_reason", "forwarded_at",
                                   "clock_start", "deadline_working_days", "due_date"])
        with _platform_language():
            _mark(objection=locked, actor=actor,
                  reason=_("Review of objection %(number)s requested") % {"number": locked.number})
            _step(objection=locked, action=Action.REVIEW_REQUESTED, actor=actor, note=reason,
                  extra={"due_date": locked.due_date.isoformat()},
                  title=_("Objection %(number)s: review requested") % {"number": locked.number},
                  body=_("Your request for a review has been sent to %(unit)s. The record carries the mark "
                         "\"under objection\" again; a second decision is due by %(due)s.")
                  % {"unit": locked.source_unit.department.name, "due": locked.due_date.isoformat()})
    return locked
