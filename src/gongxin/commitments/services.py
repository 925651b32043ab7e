"""Writes of the commitment loop: check → sign → (department) fulfil or breach; reminders; instant payouts.

Each service is one transaction with one ``CommitmentEvent`` history row and one outbox event
``commitments.commitment.<step>`` (payouts: ``commitments.payout.decided``), and tells the subject by a
notice. A breach also writes the negative record of item ``broken_commitment`` through
``records.services.record_submit`` (its own version, clocks and ``records.record.created`` event), which then
reaches the rewards facts and may trigger measures.

Signing stores the exact text, its SHA-256, who signed and how, and the platform's Ed25519 signature over
the signed facts (``commitment_document``), so the commitment can be verified with the platform's
published key (core.signing).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongxin.accounts.capabilities import acts_for_subject, writes_for_unit
from gongxin.accounts.choices import AgentCapability
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.choices import Severity, SubjectKind
from gongxin.catalog.models import CatalogItem, SourceUnit
from gongxin.catalog.selectors import item_by_code
from gongxin.commitments.choices import CommitmentStatus, PayoutOutcome, PayoutReason, SignedVia
from gongxin.commitments.eligibility import Eligibility, eligibility_check
from gongxin.commitments.errors import (
    CommitmentInputInvalid,
    CommitmentNotAccepted,
    CommitmentNotEligible,
    CommitmentNotOpen,
    CommitmentNotSigner,
    CommitmentNotVerifier,
    CommitmentOpenExists,
    CommitmentTextChanged,
    PayoutForbidden,
)
from gongxin.commitments.models import Commitment, CommitmentEvent, CommitmentType, Payout
from gongxin.commitments.payout_check import CheckOutcome, payout_check
from gongxin.commitments.seed import BROKEN_ITEM_CODE
from gongxin.core import clock, signing
from gongxin.core.events import (
    COMMITMENT_BREACHED,
    COMMITMENT_FULFILLED,
    COMMITMENT_OVERDUE,
    COMMITMENT_REMINDED,
    COMMITMENT_SIGNED,
    PAYOUT_DECIDED,
)
from gongxin.core.outbox import event_emit
from gongxin.core.workdays import add_working_days, is_working_day
from gongxin.notices.services import notice_send
from gongxin.records.services import record_submit
from gongxin.subjects.models import Subject

SIGNER_MAX = 100
NOTE_MAX = 4000
DEADLINE_MAX_DAYS = 3 * 366  # a department may set a later deadline than the type's, within reason


@dataclass(frozen=True)
class Preview:
    """What the subject reads before signing: the full text (with its hash, sent back when signing) and
    the deadline the text names."""

    type: CommitmentType
    text: str
    text_sha256: str
    deadline: date
    eligibility: Eligibility


def working_days_before(day: date, days: int) -> date:
    """The date ``days`` working days before ``day`` (``day`` itself not counted)."""
    current = day
    remaining = days
    while remaining:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def text_sha256(text: str) -> str:
    return signing.content_hash(text.encode("utf-8"))


def commitment_text_render(*, type: CommitmentType, subject: Subject, matter_name: str, source_unit: SourceUnit,
                           deadline: date) -> str:
    return type.text_template.format(
        subject_name=subject.name, matter_name=matter_name, department=source_unit.department.name,
        deadline=f"{deadline.year}年{deadline.month}月{deadline.day}日",
    )


def _clean(value: str, *, max_length: int, field: str, required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > max_length:
        raise CommitmentInputInvalid(details={"field": field, "max_length": max_length})
    return value


def commitment_preview(*, subject: Subject, type: CommitmentType, source_unit: SourceUnit, matter_code: str,
                       matter_name: str, deadline: date | None = None, day: date | None = None) -> Preview:
    """The text to sign and the eligibility, without writing anything."""
    day = day or clock.today()
    matter_code = _clean(matter_code, max_length=60, field="matter_code")
    matter_name = _clean(matter_name, max_length=200, field="matter_name")
    due = deadline or add_working_days(day, type.fulfilment_working_days)
    if due <= day or due > day + timedelta(days=DEADLINE_MAX_DAYS):
        raise CommitmentInputInvalid(details={"field": "deadline"})
    text = commitment_text_render(type=type, subject=subject, matter_name=matter_name, source_unit=source_unit,
                                  deadline=due)
    return Preview(type=type, text=text, text_sha256=text_sha256(text), deadline=due,
                   eligibility=eligibility_check(subject=subject, type=type, matter_code=matter_code, day=day))


def commitment_document(commitment: Commitment) -> dict[str, Any]:
    """The facts the platform signs (canonical JSON of this dict). Only what never changes afterwards: the
    subject's name is inside the text (hashed), so a later renaming does not break the signature."""
    return {
        "kind": "gongxin.commitment",
        "number": commitment.number,
        "type": commitment.type.code,
        "subject_id": commitment.subject_id,
        "receiving_unit": commitment.source_unit.department.code,
        "matter_code": commitment.matter_code,
        "matter_name": commitment.matter_name,
        "text_sha256": commitment.text_sha256,
        "signer_name": commitment.signer_name,
        "signed_via": commitment.signed_via,
        "signed_at": commitment.signed_at.isoformat(),
        "deadline": commitment.deadline.isoformat(),
    }


def commitment_signature_valid(commitment: Commitment) -> bool:
    """The stored text still hashes to the signed hash, and the platform signature is valid."""
    if not commitment.platform_signature or text_sha256(commitment.text) != commitment.text_sha256:
        return False
    return signing.verify(signing.canonical_json(commitment_document(commitment)), commitment.platform_signature,
                          key_id=commitment.platform_key_id)


def _event(commitment: Commitment, *, action: str, actor: Viewer, note: str = "",
           data: dict[str, Any] | None = None) -> CommitmentEvent:
    event = CommitmentEvent.objects.create(
        commitment=commitment, action=action, actor_id=actor.user_id, actor_label=actor.label, note=note,
        data=data or {}, created_at=clock.now(),
    )
    event_emit(
        topic=action, aggregate_type="commitment", aggregate_id=commitment.pk, subject_id=commitment.subject_id,
        payload={"number": commitment.number, "type": commitment.type.code, "matter_code": commitment.matter_code,
                 "status": commitment.status, "source_unit": commitment.source_unit_id, **(data or {})},
    )
    return event


def _notify(commitment: Commitment, *, code: str, title: str, body: str) -> None:
    notice_send(subject=commitment.subject, code=code, title=title, body=body,
                link=reverse("commitments:detail", args=[commitment.pk]))


def _new_number(day: date) -> str:
    return f"CN{day:%Y%m%d}{secrets.token_hex(4).upper()}"


def preview_check(*, actor: Viewer, subject: Subject, source_unit: SourceUnit) -> None:
    """Who may see a subject's eligibility and text: the subject itself, or the receiving department's system
    (which then logs an inquiry of the subject: the answer reveals non-public facts)."""
    if actor.client_id is None and actor.subject_id == subject.pk:
        return
    if actor.client_id is not None and actor.department_id == source_unit.pk:
        return
    raise CommitmentNotSigner()


def sign_check(*, actor: Viewer, subject: Subject, source_unit: SourceUnit, subject_signature: str) -> str:
    """How ``actor`` may sign for ``subject`` (a ``SignedVia``), or raise ``CommitmentNotSigner``: the subject's
    own signed-in users (portal or API session), or a system of the receiving department that sends the
    subject's signature."""
    if acts_for_subject(actor, subject_id=subject.pk, capability=AgentCapability.COMMITMENTS):
        return SignedVia.PORTAL
    if actor.client_id is not None and actor.department_id == source_unit.pk and subject_signature.strip():
        return SignedVia.CLIENT
    raise CommitmentNotSigner()


def commitment_sign(
    *,
    subject: Subject,
    type: CommitmentType,
    source_unit: SourceUnit,
    matter_code: str,
    matter_name: str,
    signer_name: str,
    accepted: bool,
    actor: Viewer,
    shown_text_sha256: str = "",
    publish: bool = False,
    subject_signature: str = "",
    deadline: date | None = None,
    via_api: bool = False,
) -> Commitment:
    """The subject signs the commitment text of ``type`` for a matter received by ``source_unit``.

    ``shown_text_sha256`` (when given) must be the hash of the text the signer read; a changed text is refused.
    ``deadline`` may be set by the receiving department's system only (else the type's period applies).
    Raises ``CommitmentNotEligible`` (conditions in ``details``) for an approval type the subject may not use."""
    via = sign_check(actor=actor, subject=subject, source_unit=source_unit, subject_signature=subject_signature)
    if via == SignedVia.PORTAL and via_api:
        via = SignedVia.API
    signer = _clean(signer_name, max_length=SIGNER_MAX, field="signer_name", required=False)
    if not accepted or not signer:
        raise CommitmentNotAccepted()
    if deadline is not None and via != SignedVia.CLIENT:
        deadline = None
    today = clock.today()
    if not type.applies_on(today):
        raise CommitmentInputInvalid(details={"field": "type"})
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        # The subject's row is the lock: two signings of one subject never pass the checks at once.
        locked_subject = Subject.objects.select_for_update().get(pk=subject.pk)
        preview = commitment_preview(subject=locked_subject, type=type, source_unit=source_unit,
                                     matter_code=matter_code, matter_name=matter_name, deadline=deadline, day=today)
        if shown_text_sha256 and shown_text_sha256 != preview.text_sha256:
            raise CommitmentTextChanged(details={"text": preview.text, "text_sha256": preview.text_sha256})
        if not preview.eligibility.eligible:
            unmet = {c.code for c in preview.eligibility.unmet}
            if unmet == {"no_duplicate"}:
                raise CommitmentOpenExists(details={"conditions": preview.eligibility.as_list()})
            raise CommitmentNotEligible(details={"conditions": preview.eligibility.as_list()})
        now = clock.now()
        remind_on = max(working_days_before(preview.deadline, type.reminder_working_days), today)
        try:
            with transaction.atomic():
                commitment = Commitment.objects.create(
                    number=_new_number(today), type=type, subject=locked_subject, source_unit=source_unit,
                    matter_code=matter_code.strip(), matter_name=matter_name.strip(),
                    status=CommitmentStatus.SIGNED,
                    # Natural persons are never published, whatever the type or the wish.
                    is_public=locked_subject.kind == SubjectKind.ORGANIZATION and bool(publish or type.public_always),
                    eligibility=preview.eligibility.as_list(), text=preview.text, text_sha256=preview.text_sha256,
                    signer_name=signer, signed_via=via, signed_by_id=actor.user_id, signed_by_client_id=actor.client_id,
                    signed_by_label=actor.label, subject_signature=subject_signature.strip(), signed_at=now,
                    deadline=preview.deadline, remind_on=remind_on,
                )
        except IntegrityError:  # a concurrent signing for the same matter won
            raise CommitmentOpenExists() from None
        signature = signing.sign(signing.canonical_json(commitment_document(commitment)))
        commitment.platform_key_id = signature.key_id
        commitment.platform_signature = signature.value_b64
        commitment.save(update_fields=["platform_key_id", "platform_signature"])
        _event(commitment, action=COMMITMENT_SIGNED, actor=actor, data={
            "signed_via": via, "deadline": commitment.deadline.isoformat(), "public": commitment.is_public,
            "text_sha256": commitment.text_sha256,
        })
        _notify(commitment, code="commitments.signed",
                title=_("Commitment %(number)s signed") % {"number": commitment.number},
                body=_("You signed a %(type)s commitment for \"%(matter)s\" to %(unit)s. The department verifies it "
                       "by %(deadline)s.") % {"type": type.name, "matter": commitment.matter_name,
                                              "unit": source_unit.department.name,
                                              "deadline": commitment.deadline.isoformat()})
    return commitment


def verify_check(*, viewer: Viewer, commitment: Commitment) -> None:
    """Only the receiving department's operators (or its system, or an administrator) verify."""
    if not writes_for_unit(viewer, source_unit_id=commitment.source_unit_id):
        raise CommitmentNotVerifier()


def _open_locked(commitment: Commitment) -> Commitment:
    locked = (Commitment.objects.select_for_update(of=("self",))
              .select_related("type", "subject__organization", "source_unit__department").get(pk=commitment.pk))
    if locked.status != CommitmentStatus.SIGNED:
        raise CommitmentNotOpen()
    return locked


def _verified(locked: Commitment, *, status: str, actor: Viewer, note: str) -> None:
    locked.status = status
    locked.verified_at = clock.now()
    locked.verified_by_id = actor.user_id
    locked.verified_by_label = actor.label
    locked.verification_note = note


def commitment_fulfil(*, commitment: Commitment, actor: Viewer, note: str = "") -> Commitment:
    """The department verified the commitment and found it kept."""
    verify_check(viewer=actor, commitment=commitment)
    note = _clean(note, max_length=NOTE_MAX, field="note", required=False)
    today = clock.today()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        locked = _open_locked(commitment)
        _verified(locked, status=CommitmentStatus.FULFILLED, actor=actor, note=note)
        locked.save(update_fields=["status", "verified_at", "verified_by", "verified_by_label", "verification_note"])
        _event(locked, action=COMMITMENT_FULFILLED, actor=actor, note=note,
               data={"late": today > locked.deadline})
        _notify(locked, code="commitments.fulfilled",
                title=_("Commitment %(number)s fulfilled") % {"number": locked.number},
                body=_("%(unit)s verified your commitment for \"%(matter)s\" and found it fulfilled.")
                % {"unit": locked.source_unit.department.name, "matter": locked.matter_name})
    return locked


def _subject_payload(subject: Subject) -> dict[str, Any]:
    if subject.kind == "organization":
        organization = getattr(subject, "organization", None)
        values: dict[str, Any] = {"subject_name": subject.name, "subject_category": "organization"}
        if organization is not None:
            values["uscc"] = organization.uscc
        return values
    return {"subject_name": subject.name, "subject_category": "person"}


def broken_item() -> CatalogItem:
    return item_by_code(BROKEN_ITEM_CODE)  # seeded by migration 0002


def commitment_breach(
    *, commitment: Commitment, actor: Viewer, facts: str, handling: str = "", severity: str = "",
) -> Commitment:
    """The department found the commitment false or broken: the commitment is closed as breached and a
    negative record "broken commitment" is written (clocks from the publicity and retention policies,
    counted from today, the breach date; severity the item's default unless ``severity`` is given)."""
    verify_check(viewer=actor, commitment=commitment)
    facts = _clean(facts, max_length=NOTE_MAX, field="facts")
    handling = _clean(handling, max_length=2000, field="handling", required=False)
    if severity and severity not in Severity.values:
        raise CommitmentInputInvalid(details={"field": "severity", "allowed": list(Severity.values)})
    today = clock.today()
    item = broken_item()
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        locked = _open_locked(commitment)
        payload = {
            **_subject_payload(locked.subject),
            "commitment_number": locked.number,
            "commitment_type": locked.type.code,
            "commitment_matter": locked.matter_name,
            "commitment_date": timezone.localdate(locked.signed_at).isoformat(),
            "breach_date": today.isoformat(),
            "breach_facts": facts,
            "authority_name": locked.source_unit.department.name,
        }
        if handling:
            payload["handling"] = handling
        result = record_submit(
            source_unit=locked.source_unit, item=item, source_record_id=locked.number, subject=locked.subject,
            payload=payload, actor=actor, severity=severity or None,
            reason=_("Commitment %(number)s found broken by %(unit)s.") % {
                "number": locked.number, "unit": locked.source_unit.department.name},
        )
        _verified(locked, status=CommitmentStatus.BREACHED, actor=actor, note=facts)
        locked.breach_record = result.record
        locked.save(update_fields=["status", "verified_at", "verified_by", "verified_by_label", "verification_note",
                                   "breach_record"])
        version = result.version
        _event(locked, action=COMMITMENT_BREACHED, actor=actor, note=facts, data={
            "record": result.record.pk, "severity": version.severity if version else "",
            "retention_end": version.retention_end.isoformat() if version and version.retention_end else None,
        })
        _notify(locked, code="commitments.breached",
                title=_("Commitment %(number)s found broken") % {"number": locked.number},
                body=_("%(unit)s found your commitment for \"%(matter)s\" broken: %(facts)s A negative record "
                       "\"broken commitment\" has been added to your credit profile; you may object to it or, once "
                       "corrected, apply for its repair.")
                % {"unit": locked.source_unit.department.name, "matter": locked.matter_name, "facts": facts})
    return locked


@dataclass(frozen=True)
class DailyResult:
    day: date
    reminded: int
    overdue: int


def commitments_daily(*, day: date | None = None, actor_label: str = "system:commitments-daily") -> DailyResult:
    """Remind subjects of commitments whose reminder day has come, and note those past their deadline (the
    department still verifies them; they lead its queue). Each commitment is reminded once and noted overdue
    once: a conditional UPDATE claims it, so re-running (or two runs at once) never repeats a notice."""
    day = day or clock.today()
    actor = Viewer(label=actor_label, role="admin")
    reminded = overdue = 0
    due_ids = list(Commitment.objects.filter(status=CommitmentStatus.SIGNED, remind_on__lte=day,
                                             reminded_at__isnull=True, deadline__gte=day).values_list("pk", flat=True))
    with translation.override(settings.LANGUAGE_CODE):
        for pk in due_ids:
            with transaction.atomic():
                if not Commitment.objects.filter(pk=pk, reminded_at__isnull=True,
                                                 status=CommitmentStatus.SIGNED).update(reminded_at=clock.now()):
                    continue
                commitment = Commitment.objects.select_related("type", "subject", "source_unit__department").get(pk=pk)
                _event(commitment, action=COMMITMENT_REMINDED, actor=actor,
                       data={"deadline": commitment.deadline.isoformat(), "day": day.isoformat()})
                _notify(commitment, code="commitments.reminder",
                        title=_("Commitment %(number)s: verification by %(deadline)s")
                        % {"number": commitment.number, "deadline": commitment.deadline.isoformat()},
                        body=_("Your commitment for \"%(matter)s\" to %(unit)s is verified by %(deadline)s. Make sure "
                               "what you promised is done by then.")
                        % {"matter": commitment.matter_name, "unit": commitment.source_unit.department.name,
                           "deadline": commitment.deadline.isoformat()})
                reminded += 1
        late_ids = list(Commitment.objects.filter(status=CommitmentStatus.SIGNED, deadline__lt=day,
                                                  overdue_noted_at__isnull=True).values_list("pk", flat=True))
        for pk in late_ids:
            with transaction.atomic():
                if not Commitment.objects.filter(pk=pk, overdue_noted_at__isnull=True,
                                                 status=CommitmentStatus.SIGNED).update(overdue_noted_at=clock.now()):
                    continue
                commitment = Commitment.objects.select_related("type", "subject", "source_unit__department").get(pk=pk)
                _event(commitment, action=COMMITMENT_OVERDUE, actor=actor,
                       data={"deadline": commitment.deadline.isoformat(), "day": day.isoformat()})
                _notify(commitment, code="commitments.overdue",
                        title=_("Commitment %(number)s is past its deadline") % {"number": commitment.number},
                        body=_("The deadline %(deadline)s of your commitment for \"%(matter)s\" has passed without a "
                               "verification; %(unit)s will verify it.")
                        % {"deadline": commitment.deadline.isoformat(), "matter": commitment.matter_name,
                           "unit": commitment.source_unit.department.name})
                overdue += 1
    return DailyResult(day=day, reminded=reminded, overdue=overdue)


# --- instant policy payout ---------------------------------------------------------------------------------

def _payout_commitment(*, subject: Subject, matter_code: str) -> Commitment | None:
    """The subject's newest signed or fulfilled commitment for the matter (a breached one is returned when it
    is the newest, so the refusal can say so)."""
    return (Commitment.objects.filter(subject=subject, matter_code=matter_code)
            .select_related("type").order_by("-signed_at", "-id").first())


def payout_decide(*, check: CheckOutcome, commitment: Commitment | None) -> tuple[str, list[str]]:
    """The payout rule: a commitment signed (or fulfilled) for the matter AND a check that passes or rewards.
    A check that warns is refused too: the matter then goes through the normal procedure (no instant payout)."""
    reasons: list[str] = []
    if commitment is None:
        reasons.append(PayoutReason.NO_COMMITMENT)
    elif commitment.status == CommitmentStatus.BREACHED:
        reasons.append(PayoutReason.COMMITMENT_BREACHED)
    if check.decision == "intercept":
        reasons.append(PayoutReason.CHECK_INTERCEPT)
    elif check.decision == "warn":
        reasons.append(PayoutReason.CHECK_WARN)
    return (PayoutOutcome.REFUSED if reasons else PayoutOutcome.APPROVED), [str(r) for r in reasons]


def payout_request(
    *, subject: Subject, matter_code: str, amount: Decimal, reference: str, actor: Viewer, name: str = "",
) -> tuple[Payout, CheckOutcome | None, bool]:
    """Decide an instant payout in one call: run the credit check of the matter (rewards), require a signed
    commitment for it, record the answer. Returns (payout, check outcome, created); a reference the same caller
    already used returns the first answer (``created`` False) without checking again."""
    if actor.client_id is None:
        raise PayoutForbidden()
    reference = _clean(reference, max_length=100, field="reference")
    matter_code = _clean(matter_code, max_length=60, field="matter")
    if amount <= 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise CommitmentInputInvalid(details={"field": "amount"})
    existing = Payout.objects.filter(client_id=actor.client_id, reference=reference).first()
    if existing is not None:
        return existing, None, False
    check = payout_check(subject=subject, matter_code=matter_code, actor=actor, name=name)
    with transaction.atomic():
        commitment = _payout_commitment(subject=subject, matter_code=matter_code)
        outcome, reasons = payout_decide(check=check, commitment=commitment)
        try:
            with transaction.atomic():
                payout = Payout.objects.create(
                    subject=subject, matter_code=matter_code, commitment=commitment, reference=reference,
                    amount_requested=amount, amount_paid=amount if outcome == PayoutOutcome.APPROVED else Decimal(0),
                    outcome=outcome, reasons=reasons, check_id=check.check_id, check_decision=check.decision,
                    client_id=actor.client_id, requested_by_label=actor.label, created_at=clock.now(),
                )
        except IntegrityError:  # the same reference, sent twice at once
            return Payout.objects.get(client_id=actor.client_id, reference=reference), check, False
        event_emit(topic=PAYOUT_DECIDED, aggregate_type="payout", aggregate_id=payout.pk,
                   subject_id=subject.pk, payload={
                       "matter_code": matter_code, "outcome": outcome, "reasons": reasons,
                       "amount_paid": str(payout.amount_paid), "check_id": check.check_id,
                       "commitment": commitment.number if commitment else None})
    return payout, check, True
