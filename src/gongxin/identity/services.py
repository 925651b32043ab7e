"""Writes of unified identity: a verified sign-in bound to an account and a subject, and its audit.

``identity_sign_in`` takes the claims of an ID token that ``oidc`` has already verified (signature, issuer,
audience, expiry, nonce) and returns the account to log in:

- the provider's account (issuer + ``sub``) seen before: its binding is used, if the identity it asserts is
  still the one it was bound with — a different RIN or USCC is refused (``ClaimChanged``), never re-bound;
- seen for the first time: the subject is found by the keyed hash of the RIN (a person; registered through
  ``subjects.services`` when the platform has no record of them yet) or by the USCC (an organization, which
  must be registered); an identity already bound to another account of the provider is refused
  (``ClaimTaken``); else an account is opened (no password: it signs in through the provider only) and bound.

Every sign-in and every refusal writes one ``IdentityEvent``; a refusal's is written in its own transaction,
so it stays when the sign-in is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from gongxin.accounts.choices import Role
from gongxin.accounts.models import User
from gongxin.core import clock
from gongxin.identity.choices import Action, AssuranceLevel, IdentityKind
from gongxin.identity.config import IdentitySettings, identity_settings
from gongxin.identity.errors import (
    AccountDisabled,
    ClaimChanged,
    ClaimsInvalid,
    ClaimTaken,
    OrganizationUnknown,
    SignInRefused,
)
from gongxin.identity.models import ExternalIdentity, IdentityEvent
from gongxin.subjects.errors import InvalidRin, InvalidUscc
from gongxin.subjects.identifiers import rin_lookup_hash, rin_validate, uscc_validate
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_rin, subject_by_uscc
from gongxin.subjects.services import person_register

NAME_MAX = 100


class _Claimed:
    """What the verified claims assert, in the platform's terms (the RIN is kept only for this request)."""

    def __init__(self, claims: Mapping[str, Any], config: IdentitySettings) -> None:
        names = config.claims
        self.external_subject = str(claims.get("sub") or "")
        self.name = str(claims.get(names["name"]) or "").strip()[:NAME_MAX]
        level = config.assurance_map.get(str(claims.get(names["assurance"])), AssuranceLevel.BASIC)
        self.assurance = AssuranceLevel(level) if level in AssuranceLevel.values else AssuranceLevel.BASIC
        self.rin = ""
        self.uscc = ""
        uscc = str(claims.get(names["uscc"]) or "").strip()
        rin = str(claims.get(names["rin"]) or "").strip()
        if not self.external_subject or not self.name:
            raise ClaimsInvalid()
        try:
            if uscc:
                self.kind = IdentityKind.ORGANIZATION
                self.uscc = uscc_validate(uscc)
                self.claim_key = self.uscc
            elif rin:
                self.kind = IdentityKind.PERSON
                self.rin = rin_validate(rin).rin
                self.claim_key = rin_lookup_hash(self.rin)
            else:
                raise ClaimsInvalid()
        except (InvalidRin, InvalidUscc) as exc:
            raise ClaimsInvalid() from exc


def identity_sign_in(*, issuer: str, claims: Mapping[str, Any]) -> User:
    """The account that the verified ``claims`` of ``issuer`` sign in (opened and bound on the first sign-in);
    raises a ``SignInRefused`` (after auditing it) when they cannot be let in."""
    config = identity_settings()
    try:
        claimed = _Claimed(claims, config)
    except SignInRefused as refusal:
        sign_in_refusal_record(issuer=issuer, external_subject=str(claims.get("sub") or ""),
                               action=Action.REFUSED_CLAIMS_INVALID, reason=refusal.code)
        raise
    try:
        with transaction.atomic():
            return _sign_in(issuer=issuer, claimed=claimed)
    except _Refused as refused:
        sign_in_refusal_record(issuer=issuer, external_subject=claimed.external_subject, action=refused.action,
                               reason=refused.error.code, assurance=claimed.assurance,
                               binding=refused.binding, conflicting_binding=refused.conflicting)
        raise refused.error from None


class _Refused(Exception):
    def __init__(self, error: SignInRefused, action: str, *, binding: ExternalIdentity | None = None,
                 conflicting: ExternalIdentity | None = None) -> None:
        super().__init__(error.code)
        self.error, self.action, self.binding, self.conflicting = error, action, binding, conflicting


def _sign_in(*, issuer: str, claimed: _Claimed) -> User:
    now = clock.now()
    binding = (ExternalIdentity.objects.select_for_update().select_related("user")
               .filter(issuer=issuer, external_subject=claimed.external_subject).first())
    if binding is not None:
        if binding.claim_key != claimed.claim_key or binding.kind != claimed.kind:
            raise _Refused(ClaimChanged(), Action.REFUSED_CLAIM_CHANGED, binding=binding)
        if not binding.user.is_active:
            raise _Refused(AccountDisabled(), Action.REFUSED_ACCOUNT_DISABLED, binding=binding)
        binding.assurance = claimed.assurance
        binding.last_signed_in_at = now
        binding.save(update_fields=["assurance", "last_signed_in_at"])
        _event(binding=binding, action=Action.SIGNED_IN, at=now)
        return binding.user
    holder = ExternalIdentity.objects.filter(issuer=issuer, claim_key=claimed.claim_key).first()
    if holder is not None:
        raise _Refused(ClaimTaken(), Action.REFUSED_CLAIM_TAKEN, conflicting=holder)
    subject = _subject_of(claimed, issuer=issuer)
    user = User(username=_username_new(), role=Role.PERSON if claimed.kind == IdentityKind.PERSON else Role.ORG_AGENT,
                subject=subject, display_name=claimed.name)
    user.set_unusable_password()
    user.save()
    try:
        with transaction.atomic():
            binding = ExternalIdentity.objects.create(
                issuer=issuer, external_subject=claimed.external_subject, kind=claimed.kind,
                claim_key=claimed.claim_key, user=user, subject=subject, assurance=claimed.assurance,
                created_at=now, last_signed_in_at=now,
            )
    except IntegrityError:
        # The same account or identity bound by a sign-in running at the same moment: let the next try decide.
        raise _Refused(ClaimTaken(), Action.REFUSED_CLAIM_TAKEN) from None
    _event(binding=binding, action=Action.BOUND, at=now)
    return user


def _subject_of(claimed: _Claimed, *, issuer: str) -> Subject:
    if claimed.kind == IdentityKind.ORGANIZATION:
        subject = subject_by_uscc(claimed.uscc)
        if subject is None:
            raise _Refused(OrganizationUnknown(), Action.REFUSED_UNKNOWN_ORGANIZATION)
        return subject
    subject = subject_by_rin(claimed.rin)
    if subject is None:
        # A person the platform holds nothing about yet: registered (the RIN sealed and hashed, never in clear).
        subject = person_register(rin=claimed.rin, name=claimed.name, actor_label=f"identity:{issuer}")
    return subject


def _username_new() -> str:
    # Internal and never shown as the person's name; carries nothing of the identity.
    return f"uid-{uuid.uuid4().hex[:16]}"


def _event(*, binding: ExternalIdentity, action: str, at: datetime) -> IdentityEvent:
    return IdentityEvent.objects.create(at=at, action=action, issuer=binding.issuer,
                                        external_subject=binding.external_subject, binding=binding,
                                        assurance=binding.assurance)


def sign_in_refusal_record(
    *, issuer: str, action: str, reason: str, external_subject: str = "", assurance: str = "",
    binding: ExternalIdentity | None = None, conflicting_binding: ExternalIdentity | None = None,
) -> IdentityEvent:
    """Audit a refused sign-in (in its own transaction: the refusal itself writes nothing else)."""
    with transaction.atomic():
        return IdentityEvent.objects.create(
            at=clock.now(), action=action, issuer=issuer, external_subject=external_subject[:255],
            binding=binding, conflicting_binding=conflicting_binding, assurance=assurance, reason=reason[:200],
        )
