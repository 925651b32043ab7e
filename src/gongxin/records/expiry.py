"""The daily clock job: the two clocks of negative records take effect on the policy's days.

``clocks_run(day=D)`` does, for everything due on or before ``D`` (so a run after downtime catches up):

1. **Publicity ends** — a published record in effect whose ``publicity_max_end`` is before ``D``
   gets a version ``publicity_ended`` (``publicity_ended=True``).
2. **Retention ends or is extended** — a record (in effect or revoked) whose ``retention_end`` is
   before ``D``:

   - when its subject is on a serious dishonesty list (an active entry of a list type with
     ``is_serious_dishonesty``), retention is extended (version ``retention_extended``) to the entry's
     planned end (its end date, else its start plus the list type's default duration); when that
     planned end has already passed but the entry is still active, to ``D`` — it is looked at again
     the next day;
   - otherwise the record is archived (version ``retention_ended``, status ``archived``): kept for
     audit, invisible to every other purpose (access.disclosure).

Day semantics (decisions/018): ``publicity_max_end`` and ``retention_end`` are the **last day** of
their windows — the disclosure policy shows a record on that day (``>= today``) — so a record is due on
the day after, i.e. when ``end < D``. Every version names the policy and the date in its reason and
carries the policy's legal basis.

Selection is set-based (one filtered query per chunk, keyset by id), each chunk is one transaction
that locks its records in id order and re-checks them, and every change goes through
``records.services.record_version_append`` (one version + one outbox event). Running twice on one day
changes nothing the second time: an ended record no longer matches its filter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.core import clock
from gongxin.core.clock import add_months
from gongxin.records.choices import ChangeKind, RecordStatus
from gongxin.records.counting import publicity_over_q, retention_over_q
from gongxin.records.errors import FutureDay
from gongxin.records.models import ListEntry, Record
from gongxin.records.services import record_version_append

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
CLOCKS_ACTOR = Viewer(label="system:clocks", role=Role.ADMIN)

STAGE_PUBLICITY = "publicity"
STAGE_RETENTION = "retention"

Progress = Callable[[str, int, int], None]


@dataclass
class ClocksResult:
    day: date
    publicity_ended: int = 0
    retention_ended: int = 0
    retention_extended: int = 0

    def as_dict(self) -> dict[str, object]:
        values = asdict(self)
        values["day"] = self.day.isoformat()
        return values

    @property
    def changed(self) -> int:
        return self.publicity_ended + self.retention_ended + self.retention_extended


def publicity_due_q(day: date) -> Q:
    """Records whose publicity is still on although its maximum end (the last day shown) is before ``day``."""
    return publicity_over_q(day=day) & Q(
        current_version__status=RecordStatus.ACTIVE,
        current_version__published=True,
        current_version__publicity_ended=False,
    )


def retention_due_q(day: date) -> Q:
    """Records not yet archived whose retention end (the last day kept) is before ``day``."""
    return retention_over_q(day=day) & Q(
        current_version__status__in=[RecordStatus.ACTIVE, RecordStatus.REVOKED],
    )


def _chunks(q: Q, chunk_size: int) -> Iterator[list[int]]:
    """Ids of due records, chunk by chunk (keyset by id: processed records drop out of the filter anyway)."""
    last = 0
    while True:
        ids = list(Record.objects.filter(q, pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _locked(ids: list[int], q: Q) -> list[Record]:
    """The records of a chunk, locked in id order, that are still due (another run may have handled them)."""
    locked = list(Record.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
                  .values_list("pk", flat=True))
    return list(
        Record.objects.filter(q, pk__in=locked).order_by("pk").select_related(
            "catalog_item", "current_version__publicity_policy", "current_version__retention_policy",
        )
    )


def _publicity_end(record: Record) -> None:
    version = record.current_version
    assert version is not None and version.publicity_max_end is not None
    policy = version.publicity_policy
    reason = _(
        "Publicity ended by the daily clock job: the maximum publicity period ended on %(date)s (the last day "
        "shown), under %(policy)s."
    ) % {"date": version.publicity_max_end.isoformat(), "policy": policy.name if policy else "—"}
    record_version_append(
        record=record, change=ChangeKind.PUBLICITY_ENDED, actor=CLOCKS_ACTOR, reason=reason,
        legal_basis=policy.legal_basis if policy else "", publicity_ended=True,
    )


@dataclass(frozen=True)
class _Listing:
    """A subject's active serious dishonesty list entry and how long it is planned to last."""

    entry_id: int
    list_name: str
    planned_end: date | None


def _listings(subject_ids: set[int], day: date) -> dict[int, list[_Listing]]:
    found: dict[int, list[_Listing]] = {}
    entries = ListEntry.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day),
        subject_id__in=subject_ids, is_active=True, list_type__is_serious_dishonesty=True,
    ).select_related("list_type")
    for entry in entries:
        planned = entry.end_date
        if planned is None and entry.list_type.default_duration_months:
            planned = add_months(entry.start_date, entry.list_type.default_duration_months)
        found.setdefault(entry.subject_id, []).append(
            _Listing(entry_id=entry.pk, list_name=entry.list_type.name, planned_end=planned)
        )
    return found


def _retention_extend(record: Record, listings: list[_Listing], day: date) -> None:
    version = record.current_version
    assert version is not None and version.retention_end is not None
    # The latest planned end among the entries; an entry past its plan (or without one) is still active
    # today, so the record is kept at least through today and looked at again tomorrow.
    planned = [listing.planned_end for listing in listings if listing.planned_end is not None]
    until = max([*planned, day]) if len(planned) == len(listings) else day
    longest = max(listings, key=lambda listing: listing.planned_end or date.max)
    if until > day:
        how = _("until %(until)s, the planned end of the entry") % {"until": until.isoformat()}
    else:
        how = _("through %(until)s only: the entry is still active past its planned end, so the record is "
                "looked at again the next day") % {"until": until.isoformat()}
    reason = _(
        "Retention extended from %(old)s %(how)s, because the subject is on the %(list)s (entry %(entry)s) and "
        "negative information is kept while the subject stays on a serious dishonesty list."
    ) % {"old": version.retention_end.isoformat(), "how": how, "list": longest.list_name, "entry": longest.entry_id}
    policy = version.retention_policy
    record_version_append(
        record=record, change=ChangeKind.RETENTION_EXTENDED, actor=CLOCKS_ACTOR, reason=reason,
        legal_basis=policy.legal_basis if policy else "", retention_end=until,
    )


def _retention_end(record: Record) -> None:
    version = record.current_version
    assert version is not None and version.retention_end is not None
    policy = version.retention_policy
    reason = _(
        "Retention ended by the daily clock job on %(date)s (the last day kept), under %(policy)s: the record is "
        "archived, kept for audit only and no longer a basis for any measure."
    ) % {"date": version.retention_end.isoformat(), "policy": policy.name if policy else "—"}
    record_version_append(
        record=record, change=ChangeKind.RETENTION_ENDED, actor=CLOCKS_ACTOR, reason=reason,
        legal_basis=policy.legal_basis if policy else "", status=RecordStatus.ARCHIVED,
    )


def clocks_run(
    *, day: date | None = None, chunk_size: int = CHUNK_SIZE, progress: Progress | None = None
) -> ClocksResult:
    """End publicity and retention (or extend retention) of everything due on or before ``day`` (default
    today). Idempotent; never for a future day. ``progress(stage, done, total)`` is called after each chunk."""
    today = clock.today()
    day = day or today
    if day > today:
        raise FutureDay(day)
    result = ClocksResult(day=day)
    # Reasons are stored with the version: written in the platform's language, not the caller's.
    with translation.override(settings.LANGUAGE_CODE):
        q = publicity_due_q(day)
        total = Record.objects.filter(q).count()
        done = 0
        for ids in _chunks(q, chunk_size):
            with transaction.atomic():
                for record in _locked(ids, q):
                    _publicity_end(record)
                    result.publicity_ended += 1
            done += len(ids)
            if progress:
                progress(STAGE_PUBLICITY, done, total)

        q = retention_due_q(day)
        total = Record.objects.filter(q).count()
        done = 0
        for ids in _chunks(q, chunk_size):
            with transaction.atomic():
                records = _locked(ids, q)
                listings = _listings({r.subject_id for r in records}, day)
                for record in records:
                    if record.subject_id in listings:
                        _retention_extend(record, listings[record.subject_id], day)
                        result.retention_extended += 1
                    else:
                        _retention_end(record)
                        result.retention_ended += 1
            done += len(ids)
            if progress:
                progress(STAGE_RETENTION, done, total)
    logger.info("clocks run for %s: %s", day, result.as_dict())
    return result


@task()
def clocks_run_task(day: str | None = None) -> dict[str, object]:
    """The daily job as a django-tasks task (takes an ISO date; default today)."""
    return clocks_run(day=date.fromisoformat(day) if day else None).as_dict()
