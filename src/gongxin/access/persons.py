"""The one door to a person named by RIN: ``person_by_rin_for`` (decision 029).

Whoever is not entitled to a person must not learn whether a RIN belongs to anyone. Every endpoint and
page that takes a RIN resolves it here, and a caller who is not entitled gets one refusal —
``ConsentRequired`` (403 ``disclosure.consent_required``, "Querying these records needs the subject's
consent.") — whether the RIN is unknown or belongs to a person: true in both cases, and what a requester
can act on (ask the person for a consent). Same status, code, message and body, and the same queries on
both paths (the
look-up by keyed hash, then the consent query, with an id no subject has when nobody has the RIN), so
the timing does not tell either. A malformed RIN is refused as such (``subject.invalid_rin``): that
says nothing about any person.

Entitled to a person: credit office staff and administrators; the person itself; a requester named by
an active consent of the person; and a caller whose purpose entitles it, as the owning app decides
(``entitled``: e.g. a government system with the sharing scope, the receiving department's system of
a commitment). Entitled callers learn that a RIN is unknown (``None``), as before.

Every look-up by anyone but staff is counted against ``rin_lookup.caller`` and ``rin_lookup.address``
(core.throttle): over either, a 429 with ``Retry-After``, before the database is asked.

Kept apart from access.selectors because access.disclosure (which raises the refusal) imports those.
"""

from __future__ import annotations

from gongxin.access.errors import ConsentRequired
from gongxin.access.selectors import consent_active_for
from gongxin.accounts.capabilities import looks_up_persons
from gongxin.accounts.viewer import Viewer
from gongxin.core.throttle import current_address, throttle_hit
from gongxin.subjects.identifiers import rin_validate
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_rin

# No subject has this id: the consent query of the "unknown" path, so both paths cost the same.
_NO_SUBJECT_ID = -1


def caller_key(viewer: Viewer) -> str:
    """The throttle key of a caller: its API client or its account; "" for an anonymous visitor."""
    if viewer.client_id is not None:
        return f"client:{viewer.client_id}"
    if viewer.user_id is not None:
        return f"user:{viewer.user_id}"
    return ""


def rin_lookup_count(*, viewer: Viewer, lookups: int = 1) -> None:
    """Count ``lookups`` RIN look-ups by ``viewer`` (and the request's address); raise ``Throttled`` over
    the limits. Staff are not counted. For paths that resolve RINs in bulk themselves."""
    if looks_up_persons(viewer):
        return
    address = current_address()
    throttle_hit(hits=[("rin_lookup.caller", caller_key(viewer)),
                       ("rin_lookup.address", f"addr:{address}" if address else "")], cost=lookups)


def person_by_rin_for(*, rin: str, viewer: Viewer, entitled: bool = False) -> Subject | None:
    """The person with ``rin`` for ``viewer``, or the uniform refusal (see the module).

    ``entitled``: the caller's purpose entitles it to look persons up (the owning app decided); it then
    gets ``None`` for an unknown RIN. Staff are entitled. Anyone else gets the person only when it is the
    person itself or holds an active consent of it, and ``ConsentRequired`` otherwise — also for an
    unknown RIN. Raises ``InvalidRin`` for a malformed number and ``Throttled`` over the look-up limits.
    """
    check = rin_validate((rin or "").strip())
    rin_lookup_count(viewer=viewer)
    subject = subject_by_rin(check.rin)
    if entitled or looks_up_persons(viewer):
        return subject
    if subject is not None and viewer.subject_id is not None and viewer.subject_id == subject.pk:
        return subject
    consent = consent_active_for(subject_id=subject.pk if subject is not None else _NO_SUBJECT_ID, viewer=viewer)
    if subject is None or consent is None:
        raise ConsentRequired()
    return subject
