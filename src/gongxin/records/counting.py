"""When a record counts on a day: the one rule, in the three forms its readers need.

A record **counts** on day ``d`` when its current version is in effect (status ``active``) and ``d`` is
within its retention period. ``retention_end`` is the *last* day a record is kept and used, and
``publicity_max_end`` the last day a negative record is shown to the public (decision 018): a record
still counts **on** its ``retention_end`` day and stops the day after; a null end never ends.

The same rule, three ways — a test (records/tests/test_counting.py) proves they agree on the boundary
days, on SQLite and PostgreSQL:

- ``counts_q`` — a ``Q`` on ``Record`` through its current version; ``prefix`` is the path to a record
  from another model (``"breach_record__"`` from a commitment);
- ``counts_sql`` — the same condition as SQL text over a record version's columns, for set-based engines
  that generate SQL (scoring); ``records_join_sql`` and ``current_version_join_sql`` name the tables, so
  no other app spells them;
- ``counts`` — a predicate on one version (or anything with its fields), for code that holds objects.

Where readers differ, they differ on purpose, through one argument — ``repaired_counts``:

- ``True`` (default): a repaired record still counts. The subject's own view and its reports (the record
  is marked 已修复), and scoring (a repaired record weighs the model's ``repaired_weight``; when that is
  zero, scoring passes ``False``).
- ``False``: a repaired record no longer counts. Everything that is a *basis for measures* — commitment
  eligibility, reward and punishment facts of negative records, list entries being active, early-warning
  features — and the disclosure purposes outside the subject (public, sharing, authorized).

The staff and audit purposes of disclosure do not apply the rule: they see revoked (staff) and archived
(audit) records on purpose. Positive records have no retention end, so for them the rule is "in effect".

Publicity is the second window: a negative record is inside it on ``d`` while ``d <= publicity_max_end``
(``within_publicity_*``); disclosure adds its own conditions (published, publicity not ended, not
repaired). The daily clock job (records.expiry) selects the complements — ``publicity_over_q`` and
``retention_over_q`` (end before ``d``) — and ``counting_ends_on`` is the first day a record no longer
counts, the day reasons and "what would change" lists name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Protocol

from django.db.models import Q

from gongxin.records.choices import RecordStatus
from gongxin.records.models import Record, RecordVersion

__all__ = [
    "CountedVersion", "PublishedVersion", "counting_ends_on", "counts", "counts_q", "counts_sql",
    "current_version_join_sql", "publicity_over_q", "records_join_sql", "retention_over_q", "within_publicity",
    "within_publicity_q", "within_publicity_sql", "within_retention", "within_retention_q", "within_retention_sql",
]


class CountedVersion(Protocol):
    """What ``counts`` reads: a ``RecordVersion``, or a plain object with the same fields (read-only ones
    too: a frozen dataclass or a shown record)."""

    @property
    def status(self) -> str: ...
    @property
    def repaired(self) -> bool: ...
    @property
    def retention_end(self) -> Any: ...  # date | None


class PublishedVersion(Protocol):
    """What ``within_publicity`` reads."""

    @property
    def publicity_max_end(self) -> Any: ...  # date | None


# --- Q on Record ------------------------------------------------------------------------------------------


def within_retention_q(*, day: date, prefix: str = "") -> Q:
    """Records (``prefix`` = path to a Record) within retention on ``day`` (its last day included)."""
    field = f"{prefix}current_version__retention_end"
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": day})


def counts_q(*, day: date, prefix: str = "", repaired_counts: bool = True) -> Q:
    """Records (``prefix`` = path to a Record) that count on ``day``: in effect and within retention."""
    q = Q(**{f"{prefix}current_version__status": RecordStatus.ACTIVE}) & within_retention_q(day=day, prefix=prefix)
    if not repaired_counts:
        q &= Q(**{f"{prefix}current_version__repaired": False})
    return q


def within_publicity_q(*, day: date, prefix: str = "") -> Q:
    """Records whose publicity window (if any) has not passed on ``day`` (its last day included)."""
    field = f"{prefix}current_version__publicity_max_end"
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": day})


def retention_over_q(*, day: date, prefix: str = "") -> Q:
    """Records whose retention period ended before ``day`` (what the clock job archives on ``day``)."""
    return Q(**{f"{prefix}current_version__retention_end__lt": day})


def publicity_over_q(*, day: date, prefix: str = "") -> Q:
    """Records whose publicity window ended before ``day`` (what the clock job ends on ``day``)."""
    return Q(**{f"{prefix}current_version__publicity_max_end__lt": day})


# --- SQL text -----------------------------------------------------------------------------------------------


def _column(name: str) -> str:
    column = RecordVersion._meta.get_field(name).column  # type: ignore[union-attr]  # a field, not a relation
    assert column is not None  # every concrete field has one
    return column


def _literal(day: date) -> str:
    # A date literal (ISO text compares as a date on SQLite and PostgreSQL); only a real date gets here.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError(f"a date is needed, not {day!r}")
    return f"'{day.isoformat()}'"


def current_version_join_sql(*, record: str = "r", version: str = "v") -> str:
    """``JOIN`` text: the current version (as ``version``) of the record already joined as ``record``."""
    current = Record._meta.get_field("current_version").column
    return (f"JOIN {RecordVersion._meta.db_table} {version} "
            f"ON {version}.{RecordVersion._meta.pk.column} = {record}.{current}")


def records_join_sql(*, record: str = "r", version: str = "v") -> str:
    """``FROM`` text: the record table as ``record`` joined to its current version as ``version``."""
    return f"{Record._meta.db_table} {record} {current_version_join_sql(record=record, version=version)}"


def within_retention_sql(*, day: date, version: str = "v") -> str:
    """``within_retention_q`` as SQL over the record version aliased ``version``."""
    end = f"{version}.{_column('retention_end')}"
    return f"({end} IS NULL OR {end} >= {_literal(day)})"


def counts_sql(*, day: date, version: str = "v", repaired_counts: bool = True) -> str:
    """``counts_q`` as SQL over the record version aliased ``version`` (join it with ``records_join_sql``)."""
    sql = (f"({version}.{_column('status')} = '{RecordStatus.ACTIVE.value}' "
           f"AND {within_retention_sql(day=day, version=version)}")
    if not repaired_counts:
        sql += f" AND NOT {version}.{_column('repaired')}"
    return sql + ")"


def within_publicity_sql(*, day: date, version: str = "v") -> str:
    """``within_publicity_q`` as SQL over the record version aliased ``version``."""
    end = f"{version}.{_column('publicity_max_end')}"
    return f"({end} IS NULL OR {end} >= {_literal(day)})"


# --- predicates on one version ------------------------------------------------------------------------------


def within_retention(version: CountedVersion, *, day: date) -> bool:
    """``within_retention_q`` for one version."""
    return version.retention_end is None or version.retention_end >= day


def counts(version: CountedVersion | None, *, day: date, repaired_counts: bool = True) -> bool:
    """``counts_q`` for one version (``None``, a record without a version, never counts)."""
    return (
        version is not None
        and version.status == RecordStatus.ACTIVE
        and within_retention(version, day=day)
        and (repaired_counts or not version.repaired)
    )


def within_publicity(version: PublishedVersion, *, day: date) -> bool:
    """``within_publicity_q`` for one version."""
    return version.publicity_max_end is None or version.publicity_max_end >= day


def counting_ends_on(retention_end: date | None) -> date | None:
    """The first day a record with this ``retention_end`` no longer counts (None: it does not end)."""
    return None if retention_end is None else retention_end + timedelta(days=1)
