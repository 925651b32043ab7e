"""Queries of a subject's non-public records by a requester: authorized (under the subject's consent)
or government sharing. Persons are named by RIN in the request body, never in a URL.

The records come from ``access.shown.profile_records``, so the disclosure policy decides what is
shown (consent scope included) and the inquiry is logged in the same call. Kept apart from
access.selectors because records imports those (the disclosure policy reads consents).
"""

from __future__ import annotations

from dataclasses import dataclass

from gongxin.access.choices import Channel
from gongxin.access.disclosure import purpose_check
from gongxin.access.errors import ConsentRequired, PurposeNotAllowed, QuerySubjectRequired
from gongxin.access.models import Consent
from gongxin.access.persons import person_by_rin_for
from gongxin.access.selectors import consent_active_for
from gongxin.access.shown import ShownRecord, profile_records
from gongxin.accounts.viewer import Viewer
from gongxin.core.errors import NotAuthenticated
from gongxin.records.choices import Purpose
from gongxin.subjects.errors import SubjectNotFound
from gongxin.subjects.identifiers import uscc_validate
from gongxin.subjects.models import Subject
from gongxin.subjects.selectors import subject_by_uscc, subject_display_code

QUERY_PURPOSES = frozenset({Purpose.AUTHORIZED, Purpose.SHARING})
REASON_MAX_LENGTH = 300


@dataclass(frozen=True)
class QueryResult:
    subject: Subject
    subject_code: str  # the USCC, or the person's RIN masked
    purpose: str
    consent: Consent | None
    records: list[ShownRecord]


def _subject_find(*, rin: str, uscc: str, viewer: Viewer, purpose: str) -> Subject | None:
    rin, uscc = (rin or "").strip(), (uscc or "").strip()
    if bool(rin) == bool(uscc):
        raise QuerySubjectRequired()
    if uscc:
        return subject_by_uscc(uscc_validate(uscc))
    if purpose == Purpose.SHARING:  # refuse those who may not share before any look-up
        purpose_check(viewer=viewer, purpose=purpose, subject=None)
    return person_by_rin_for(rin=rin, viewer=viewer, entitled=purpose == Purpose.SHARING)


def records_query(*, viewer: Viewer, purpose: str, reason: str = "", rin: str = "", uscc: str = "",
                  channel: str = Channel.API) -> QueryResult:
    """A requester's query of one subject for ``purpose`` (authorized or sharing), logged as an inquiry.

    Without an active consent an authorized query is refused (``disclosure.consent_required``) — also
    when no organization has the USCC, so the endpoint cannot be used to learn who has a profile. A person
    named by RIN is found only for whom is entitled to it (access.persons): anyone else gets the same
    refusal, whether the RIN is known or not.
    """
    if viewer.is_anonymous:
        raise NotAuthenticated()
    if purpose not in QUERY_PURPOSES:
        raise PurposeNotAllowed()
    subject = _subject_find(rin=rin, uscc=uscc, viewer=viewer, purpose=purpose)
    if subject is None:
        if purpose == Purpose.AUTHORIZED:
            raise ConsentRequired()
        purpose_check(viewer=viewer, purpose=purpose, subject=None)  # refuse those who may not share first
        raise SubjectNotFound()
    consent = consent_active_for(subject_id=subject.pk, viewer=viewer) if purpose == Purpose.AUTHORIZED else None
    shown = profile_records(subject=subject, viewer=viewer, purpose=purpose, channel=channel,
                            reason=(reason or "").strip()[:REASON_MAX_LENGTH])
    return QueryResult(subject=subject, subject_code=subject_display_code(subject=subject, viewer=viewer),
                       purpose=purpose, consent=consent, records=shown)
