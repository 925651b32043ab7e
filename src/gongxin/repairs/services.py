"""Writes of the credit repair lifecycle: apply → (source unit) approve or reject; or withdraw.

Each service is one transaction with one ``RepairEvent`` audit row, one outbox event and one notice to the
subject, all three coded ``repairs.repair.<step>`` (core.events); approval also appends the record's
``repaired`` version through ``records.services.record_version_append`` (its own ``records.record.repaired``
event tells subscribers and partner platforms that the record's publicity and use ended).

Filing computes the eligibility (repairs.eligibility) under a lock of the record and refuses an
ineligible application with the explanation in ``details``; an eligible one goes straight to the
source unit that decided the record, with two deadlines in working days from the ``deadlines``
policy: the unit decides by ``department_due``, the platform answers by ``platform_due``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import acts_for_subject, writes_for_unit
from gongxin.accounts.choices import AgentCapability
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.policy import deadline_working_days
from gongxin.core import clock
from gongxin.core.events import REPAIR_APPLIED, REPAIR_APPROVED, REPAIR_REJECTED, REPAIR_WITHDRAWN
from gongxin.core.files import (
    DOCUMENT_SIGNATURES,
    EVIDENCE_MAX_BYTES,
    EVIDENCE_MAX_FILES,
    document_kind,
    upload_sha256,
)
from gongxin.core.outbox import event_emit
from gongxin.core.workdays import add_working_days
from gongxin.notices.services import notice_send
from gongxin.records.choices import ChangeKind
from gongxin.records.models import Record
from gongxin.records.services import record_version_append
from gongxin.repairs.choices import RejectionReason, RepairStatus
from gongxin.repairs.eligibility import Eligibility, eligibility_check
from gongxin.repairs.errors import (
    RepairEvidenceInvalid,
    RepairNotDecider,
    RepairNotEligible,
    RepairNotPending,
    RepairNotSubject,
    RepairObligationsUnconfirmed,
    RepairPending,
    RepairReasonsMissing,
    RepairSignerMissing,
    RepairStatementInvalid,
)
from gongxin.repairs.models import RepairApplication, RepairEvent, RepairEvidence

EVIDENCE_TYPES = {content_type: f".{extension}" for _magic, content_type, extension in DOCUMENT_SIGNATURES}
STATEMENT_MAX = 4000


def evidence_validate(files: Sequence[UploadedFile]) -> None:
    """Raise ``RepairEvidenceInvalid`` unless every file is a PDF, JPEG or PNG within the size limit."""
    if len(files) > EVIDENCE_MAX_FILES:
        raise RepairEvidenceInvalid(details={"max_files": EVIDENCE_MAX_FILES})
    for upload in files:
        found = document_kind(upload)
        kind = found[0] if found else ""
        if not kind or (upload.size or 0) > EVIDENCE_MAX_BYTES or not upload.size:
            raise RepairEvidenceInvalid(details={"file": upload.name, "allowed": sorted(EVIDENCE_TYPES),
                                                 "max_bytes": EVIDENCE_MAX_BYTES})
        upload.content_type = kind


def _evidence_store(application: RepairApplication, files: Sequence[UploadedFile]) -> int:
    for upload in files:
        evidence = RepairEvidence(
            application=application, original_name=(upload.name or "evidence")[:200],
            content_type=upload.content_type or "", size=upload.size or 0, sha256=upload_sha256(upload),
            uploaded_at=clock.now(),
        )
        evidence.file.save(f"evidence{EVIDENCE_TYPES.get(upload.content_type or '', '')}", upload, save=False)
        evidence.save()
    return len(files)


def _event(application: RepairApplication, *, action: str, actor: Viewer, note: str = "",
           data: dict[str, Any] | None = None) -> RepairEvent:
    event = RepairEvent.objects.create(
        application=application, action=action, actor_id=actor.user_id, actor_label=actor.label, note=note,
        data=data or {}, created_at=clock.now(),
    )
    event_emit(
        topic=action, aggregate_type="repair", aggregate_id=application.pk, subject_id=application.subject_id,
        payload={"record": application.record_id, "status": application.status, **(data or {})},
    )
    return event


def _notify(application: RepairApplication, *, code: str, title: str, body: str) -> None:
    notice_send(subject=application.subject, code=code, title=title, body=body,
                link=reverse("repairs:detail", args=[application.pk]))


def _item_name(application: RepairApplication) -> str:
    return application.record.catalog_item.name


def repair_apply(
    *,
    record: Record,
    actor: Viewer,
    statement: str,
    commitment_accepted: bool,
    commitment_signer: str,
    evidence: Sequence[UploadedFile] = (),
) -> RepairApplication:
    """File a repair application for ``record`` as its subject. Raises ``RepairNotEligible`` (with every
    condition in ``details``) when a condition is not met."""
    if not acts_for_subject(actor, subject_id=record.subject_id, capability=AgentCapability.REPAIRS):
        raise RepairNotSubject()
    statement = (statement or "").strip()
    signer = (commitment_signer or "").strip()
    if not statement or len(statement) > STATEMENT_MAX:
        raise RepairStatementInvalid(_("Describe how the act was corrected (at most %(max)s characters).")
                                     % {"max": STATEMENT_MAX})
    if commitment_accepted and not signer:
        raise RepairSignerMissing()
    evidence_validate(evidence)
    today = clock.today()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        locked = (Record.objects.select_for_update(of=("self",))
                  .select_related("current_version", "catalog_item", "source_unit", "subject").get(pk=record.pk))
        eligibility = eligibility_check(record=locked, day=today, evidence_count=len(evidence),
                                        commitment_signed=bool(commitment_accepted))
        if not eligibility.eligible:
            raise RepairNotEligible(details={"conditions": eligibility.as_list()})
        version = locked.current_version
        assert version is not None
        department_days = deadline_working_days(name="repair_department_working_days", day=today)
        platform_days = deadline_working_days(name="repair_platform_working_days", day=today)
        now = clock.now()
        try:
            with transaction.atomic():
                application = RepairApplication.objects.create(
                    record=locked, record_version=version.number, subject=locked.subject,
                    source_unit=locked.source_unit, policy=eligibility.policy, status=RepairStatus.FORWARDED,
                    statement=statement, eligibility=eligibility.as_list(),
                    commitment_text=str(eligibility.policy.params.get("commitment_text") or ""),
                    commitment_signer=signer, commitment_signed_at=now,
                    applicant_id=actor.user_id, applicant_label=actor.label, applied_at=now,
                    department_due=add_working_days(today, department_days),
                    platform_due=add_working_days(today, platform_days),
                )
        except IntegrityError:  # a concurrent filing won the race for this record
            raise RepairPending() from None
        stored = _evidence_store(application, evidence)
        _event(application, action=REPAIR_APPLIED, actor=actor, note=statement, data={
            "evidence": stored, "department_due": application.department_due.isoformat(),
            "platform_due": application.platform_due.isoformat(), "source_unit": locked.source_unit_id,
        })
        _notify(application, code=REPAIR_APPLIED,
                title=_("Repair application %(id)s received") % {"id": application.pk},
                body=_(
                    "Your application to repair the record \"%(item)s\" has been received and forwarded to "
                    "%(unit)s, which decides by %(department_due)s; the platform answers by %(platform_due)s."
                ) % {"item": locked.catalog_item.name, "unit": locked.source_unit.name,
                     "department_due": application.department_due.isoformat(),
                     "platform_due": application.platform_due.isoformat()})
    return application


def decide_check(*, viewer: Viewer, application: RepairApplication) -> None:
    """Only the deciding source unit's operators (or its system, or an administrator) decide."""
    if not writes_for_unit(viewer, source_unit_id=application.source_unit_id):
        raise RepairNotDecider()


def _pending_locked(application: RepairApplication) -> RepairApplication:
    locked = (RepairApplication.objects.select_for_update(of=("self",))
              .select_related("record__catalog_item", "record__current_version", "subject", "policy", "source_unit")
              .get(pk=application.pk))
    if locked.status != RepairStatus.FORWARDED:
        raise RepairNotPending()
    return locked


def repair_approve(
    *, application: RepairApplication, actor: Viewer, obligations_confirmed: bool, note: str = ""
) -> RepairApplication:
    """Approve: the record gets a ``repaired`` version (repaired, publicity ended), ending its publicity and
    its use in sharing; the subject is told."""
    decide_check(viewer=actor, application=application)
    if not obligations_confirmed:
        raise RepairObligationsUnconfirmed()
    note = (note or "").strip()
    today = clock.today()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        locked = _pending_locked(application)
        record = locked.record
        # The record may have changed since filing (revoked, repaired otherwise): check again.
        recheck: Eligibility = eligibility_check(record=record, day=today, evidence_count=1, commitment_signed=True,
                                                 exclude_application_id=locked.pk)
        if recheck.unmet:
            raise RepairNotEligible(details={"conditions": recheck.as_list()})
        reason = _("Credit repair approved (application %(id)s) by %(unit)s.") % {
            "id": locked.pk, "unit": locked.source_unit.name}
        if note:
            reason = f"{reason} {note}"
        version = record_version_append(
            record=record, change=ChangeKind.REPAIRED, actor=actor, reason=reason,
            legal_basis=locked.policy.legal_basis, repaired=True, publicity_ended=True,
        )
        locked.status = RepairStatus.APPROVED
        locked.obligations_confirmed = True
        locked.decision_note = note
        locked.decided_at = clock.now()
        locked.decided_by_id = actor.user_id
        locked.decided_by_label = actor.label
        locked.repaired_version = version.number
        locked.save(update_fields=["status", "obligations_confirmed", "decision_note", "decided_at", "decided_by",
                                   "decided_by_label", "repaired_version"])
        _event(locked, action=REPAIR_APPROVED, actor=actor, note=note,
               data={"version": version.number, "overdue": today > locked.department_due})
        _notify(locked, code=REPAIR_APPROVED,
                title=_("Repair application %(id)s approved") % {"id": locked.pk},
                body=_(
                    "The record \"%(item)s\" has been repaired: it is no longer published or shared, and your own "
                    "profile and credit reports mark it as repaired."
                ) % {"item": _item_name(locked)})
    return locked


def repair_reject(
    *, application: RepairApplication, actor: Viewer, reasons: Sequence[str], note: str
) -> RepairApplication:
    """Reject with reasons (codes of ``RejectionReason``) and an explanation; the record is unchanged."""
    decide_check(viewer=actor, application=application)
    reasons = list(dict.fromkeys(reasons))
    note = (note or "").strip()
    if not reasons or not note or any(r not in RejectionReason.values for r in reasons):
        raise RepairReasonsMissing(details={"allowed": list(RejectionReason.values)})
    today = clock.today()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        locked = _pending_locked(application)
        locked.status = RepairStatus.REJECTED
        locked.rejection_reasons = reasons
        locked.decision_note = note
        locked.decided_at = clock.now()
        locked.decided_by_id = actor.user_id
        locked.decided_by_label = actor.label
        locked.save(update_fields=["status", "rejection_reasons", "decision_note", "decided_at", "decided_by",
                                   "decided_by_label"])
        _event(locked, action=REPAIR_REJECTED, actor=actor, note=note,
               data={"reasons": reasons, "overdue": today > locked.department_due})
        labels = "；".join(str(RejectionReason(r).label) for r in reasons)
        _notify(locked, code=REPAIR_REJECTED,
                title=_("Repair application %(id)s rejected") % {"id": locked.pk},
                body=_(
                    "Your application to repair the record \"%(item)s\" was rejected. Reasons: %(reasons)s. "
                    "Explanation: %(note)s You may apply again once the reasons no longer apply."
                ) % {"item": _item_name(locked), "reasons": labels, "note": note})
    return locked


def repair_withdraw(*, application: RepairApplication, actor: Viewer) -> RepairApplication:
    """The subject withdraws its pending application."""
    if not acts_for_subject(actor, subject_id=application.subject_id, capability=AgentCapability.REPAIRS):
        raise RepairNotSubject()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        locked = _pending_locked(application)
        locked.status = RepairStatus.WITHDRAWN
        locked.decided_at = clock.now()
        locked.save(update_fields=["status", "decided_at"])
        _event(locked, action=REPAIR_WITHDRAWN, actor=actor)
        _notify(locked, code=REPAIR_WITHDRAWN,
                title=_("Repair application %(id)s withdrawn") % {"id": locked.pk},
                body=_("You withdrew your application to repair the record \"%(item)s\".")
                % {"item": _item_name(locked)})
    return locked
