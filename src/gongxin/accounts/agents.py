"""Firm agents (经办人): the legal representative authorizes persons to act for the firm, per capability and
period (decision 061).

- The **legal representative** is the person whose RIN is the firm's registered legal representative: a
  ``legal_representative`` relation from that person's subject to the firm (subjects, found by the keyed hash
  of the RIN when the person signs in). Signed in as that person, they authorize and revoke agents.
- An **agent** is a person, named either by an **invitation code** the person made on their own page and
  handed over, or by **name and RIN** typed by the legal representative; either way the page shows the
  person's name and masked RIN to confirm before anything is written, and a wrong code, an unknown RIN and
  a name that does not match get the same answer.
- Agents act with their own login: choosing "act for this firm" puts the mandate in the session; on every
  request ``accounts.middleware.ActingForMiddleware`` checks it is still in force (not revoked, in its
  period) and the ``Viewer`` is then the firm's, with the agent's login as its label and the mandate's
  capabilities (``accounts.capabilities.acts_for_subject``). Every act so records the agent (the actor label)
  and the firm (the subject acted for).
- Every change of a mandate writes, in one transaction, the mandate, its audit row (``AgentMandateEvent``)
  and an outbox event (``accounts.agent.authorized`` / ``accounts.agent.revoked``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from gongxin.accounts.choices import AgentCapability, MandateAction, Role
from gongxin.accounts.errors import AgentNotFound, MandateInvalid, MandateNotFound, NotLegalRepresentative
from gongxin.accounts.models import AgentInvitation, AgentMandate, AgentMandateEvent
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock, events
from gongxin.core.errors import PermissionDenied
from gongxin.core.outbox import event_emit
from gongxin.core.throttle import throttle_hit
from gongxin.subjects.selectors import organizations_represented_by, subject_by_rin

INVITATION_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out and typed by people
INVITATION_LENGTH = 10


def _invitation_days() -> int:
    return int(getattr(settings, "GONGXIN_AGENT_INVITATION_DAYS", 7))


def _code_hash(code: str) -> str:
    # Codes are 50 random bits valid a few days and used once; a fast hash is enough.
    return hashlib.sha256(code.strip().upper().replace("-", "").encode("ascii", "ignore")).hexdigest()


def _person_of(actor: Viewer) -> int | None:
    """The person subject of ``actor`` signed in as itself (not as a firm's agent), else None."""
    if (actor.client_id is not None or actor.user_id is None or actor.subject_id is None
            or actor.role != Role.PERSON or actor.agent_subject_id is not None):
        return None
    return actor.subject_id


# --- the legal representative's firms ------------------------------------------------------------------

def organizations_represented(*, actor: Viewer) -> list[Any]:
    """The firms ``actor`` (a person signed in as itself) is the registered legal representative of; empty
    for anyone else."""
    person_id = _person_of(actor)
    if person_id is None:
        return []
    return list(organizations_represented_by(person_id=person_id, day=clock.today()))


def legal_representative_check(*, actor: Viewer, organization_id: int) -> None:
    """Raise ``NotLegalRepresentative`` unless ``actor`` is signed in as the firm's legal representative."""
    person_id = _person_of(actor)
    represented = organizations_represented_by(person_id=person_id, day=clock.today()) if person_id else None
    if represented is None or not represented.filter(pk=organization_id).exists():
        raise NotLegalRepresentative()


def authorizing_check(*, actor: Viewer, organization_id: int) -> None:
    """Raise unless ``actor`` may name and authorize the firm's agents: its legal representative, signed in as
    strongly as the assurance policy asks (``settings.GONGXIN_AGENTS_AUTHORIZE_GUARD``, identity's guard: this
    app sits below identity)."""
    legal_representative_check(actor=actor, organization_id=organization_id)
    guard = getattr(settings, "GONGXIN_AGENTS_AUTHORIZE_GUARD", "")
    if guard:
        import_string(guard)(actor)


def agents_manage_check(*, actor: Viewer, organization_id: int) -> None:
    """Who sees and revokes a firm's agents: its legal representative, and the firm's own accounts (signed in
    for the firm without a mandate's limits)."""
    if (actor.client_id is None and actor.user_id is not None and actor.subject_id == organization_id
            and actor.agent_capabilities is None):
        return
    legal_representative_check(actor=actor, organization_id=organization_id)


# --- naming the agent -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgentCandidate:
    """The person about to be authorized, as the legal representative sees it to confirm: name, masked RIN."""

    person_id: int
    name: str
    rin_masked: str
    invitation_id: int | None = None


def agent_invitation_create(*, actor: Viewer) -> tuple[AgentInvitation, str]:
    """A person makes a one-time code to hand to a firm's legal representative. Returns the invitation and
    its code, which is shown once (only its hash is kept)."""
    person_id = _person_of(actor)
    if person_id is None:
        raise PermissionDenied(_("Only a person signed in as itself makes an invitation code."))
    code = "".join(secrets.choice(INVITATION_ALPHABET) for _ in range(INVITATION_LENGTH))
    now = clock.now()
    invitation = AgentInvitation.objects.create(person_id=person_id, code_hash=_code_hash(code), created_at=now,
                                                expires_at=now + timedelta(days=_invitation_days()))
    return invitation, f"{code[:5]}-{code[5:]}"


def _lookups_count(actor: Viewer) -> None:
    # The same limit as any look-up of a person by RIN: a legal representative cannot walk the RIN space.
    throttle_hit(hits=[("rin_lookup.caller", f"user:{actor.user_id}")])


def agent_candidate_by_invitation(*, actor: Viewer, organization_id: int, code: str) -> AgentCandidate:
    """The person who made the invitation ``code`` (unused, not expired), for the legal representative to confirm."""
    authorizing_check(actor=actor, organization_id=organization_id)
    _lookups_count(actor)
    invitation = (AgentInvitation.objects.select_related("person", "person__person")
                  .filter(code_hash=_code_hash(code), used_at__isnull=True, expires_at__gt=clock.now()).first())
    if invitation is None:
        raise AgentNotFound()
    person = invitation.person
    return AgentCandidate(person_id=person.pk, name=person.name, rin_masked=person.person.rin_masked,
                          invitation_id=invitation.pk)


def agent_candidate_by_rin(*, actor: Viewer, organization_id: int, name: str, rin: str) -> AgentCandidate:
    """The person with this RIN (by its keyed hash) when the name matches too, for the legal representative to
    confirm. An unknown RIN and a wrong name get the same answer."""
    authorizing_check(actor=actor, organization_id=organization_id)
    _lookups_count(actor)
    subject = subject_by_rin(rin)
    if subject is None or not subject.is_person or subject.name.strip() != (name or "").strip():
        raise AgentNotFound()
    return AgentCandidate(person_id=subject.pk, name=subject.name, rin_masked=subject.person.rin_masked)


# --- authorizing and revoking -----------------------------------------------------------------------------

def _capabilities_clean(capabilities: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(capabilities))
    unknown = [c for c in wanted if c not in AgentCapability.values]
    if not wanted or unknown:
        raise MandateInvalid(_("Choose at least one thing the agent may do."),
                             details={"field": "capabilities", "allowed": list(AgentCapability.values)})
    return [c for c in AgentCapability.values if c in wanted]  # in the catalog's order


def _period_clean(valid_from: date, valid_until: date) -> None:
    today = clock.today()
    if valid_until < valid_from:
        raise MandateInvalid(_("The authorization cannot end before it begins."), details={"field": "valid_until"})
    if valid_until < today:
        raise MandateInvalid(_("The authorization would already have ended."), details={"field": "valid_until"})
    longest = int(getattr(settings, "GONGXIN_AGENT_MANDATE_MAX_DAYS", 3 * 366))
    if (valid_until - valid_from).days > longest:
        raise MandateInvalid(_("An authorization lasts at most %(days)s days; renew it when it ends.")
                             % {"days": longest}, details={"field": "valid_until", "max_days": longest})


def _payload(mandate: AgentMandate, actor: Viewer) -> dict[str, Any]:
    return {"organization_id": mandate.organization_id, "agent_id": mandate.agent_id,
            "capabilities": list(mandate.capabilities), "valid_from": mandate.valid_from.isoformat(),
            "valid_until": mandate.valid_until.isoformat(), "actor": actor.label}


def _step(mandate: AgentMandate, *, action: str, topic: str, actor: Viewer, payload: dict[str, Any]) -> None:
    AgentMandateEvent.objects.create(mandate=mandate, action=action, actor_label=actor.label, at=clock.now(),
                                     details=payload)
    event_emit(topic=topic, aggregate_type="agent_mandate", aggregate_id=mandate.pk, subject_id=None, payload=payload)


def agent_authorize(*, actor: Viewer, organization_id: int, candidate: AgentCandidate, capabilities: Iterable[str],
                    valid_from: date, valid_until: date) -> AgentMandate:
    """The legal representative ``actor`` authorizes the confirmed ``candidate`` to act for the firm, for
    ``capabilities`` from ``valid_from`` to ``valid_until`` (both days included). An invitation is used up."""
    authorizing_check(actor=actor, organization_id=organization_id)
    assert actor.user_id is not None  # the legal representative is signed in (checked above)
    chosen = _capabilities_clean(capabilities)
    _period_clean(valid_from, valid_until)
    with transaction.atomic():
        if candidate.invitation_id is not None:
            used = AgentInvitation.objects.filter(pk=candidate.invitation_id, person_id=candidate.person_id,
                                                  used_at__isnull=True, expires_at__gt=clock.now()
                                                  ).update(used_at=clock.now())
            if not used:
                raise AgentNotFound()
        mandate = AgentMandate.objects.create(
            organization_id=organization_id, agent_id=candidate.person_id, capabilities=chosen,
            valid_from=valid_from, valid_until=valid_until, granted_by_id=actor.user_id, granted_at=clock.now(),
        )
        _step(mandate, action=MandateAction.AUTHORIZED, topic=events.AGENT_AUTHORIZED, actor=actor,
              payload=_payload(mandate, actor))
    return mandate


def agent_revoke(*, actor: Viewer, mandate_id: int) -> AgentMandate:
    """The firm (its legal representative, or its own account) revokes a mandate: the agent loses access with
    its next request. Revoking a revoked mandate changes nothing."""
    mandate = AgentMandate.objects.filter(pk=mandate_id).first()
    if mandate is None:
        raise MandateNotFound()
    try:
        agents_manage_check(actor=actor, organization_id=mandate.organization_id)
    except PermissionDenied:
        raise MandateNotFound() from None  # others do not learn which mandates exist
    with transaction.atomic():
        locked = AgentMandate.objects.select_for_update().get(pk=mandate.pk)
        if locked.revoked_at is not None:
            return locked
        locked.revoked_at = clock.now()
        locked.revoked_by_id = actor.user_id
        locked.save(update_fields=["revoked_at", "revoked_by"])
        payload = {**_payload(locked, actor), "revoked_at": locked.revoked_at.isoformat()}
        _step(locked, action=MandateAction.REVOKED, topic=events.AGENT_REVOKED, actor=actor, payload=payload)
    return locked
