"""Keyset (seek) paging and honest counts: the one way the platform pages a list that can be long.

A page is found by *where it starts*, not by how many rows come before it: the list is ordered by a
unique key tuple (``(decision date desc, id desc)``) and the next page is "the first ``size`` rows after
the last row shown". The database walks an index from that point, so page 1, page 5,000 and the last
page cost the same, and rows added between two page loads neither repeat nor disappear (an ``OFFSET``
page shifts by one for every row added above it).

- ``Keyset`` names a list and its order: ``SortKey``s from the most significant to a unique last one.
  Only the first key may be nullable; nulls come last in the list's order (after every value), as the
  listing wants records without a decision date at the end.
- ``keyset_page`` serves one page for a cursor: the first page (no cursor), the rows after or before a
  row (the ``next`` / ``previous`` cursors of a page), or the last page (``LAST``, the order reversed).
- Cursors are opaque, signed tokens (``django.core.signing``, salted with the list's name): a cursor of
  one list is refused by another, and an edited one is refused too. Their values are checked against the
  keys' types on the way in; a bad cursor raises ``CursorInvalid`` (400, ``paging.cursor_invalid``).
- The conditions are written as nested ``AND`` / ``OR`` (no row-value comparison, which SQLite and the
  ORM do not share) with the first key's bound repeated in front (``d <= v AND (d < v OR (d = v AND
  id < i))``), so PostgreSQL and SQLite both start an index range scan at the cursor. A nullable first
  key is read in two segments — its values, then its nulls — so each segment stays one index range.
- ``count_honest`` counts what is cheap to count: exactly up to ``exact_up_to`` rows (a ``LIMIT`` count
  that stops early), beyond that the planner's estimate on PostgreSQL ("about N") or "10,000+" on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, Literal, TypeVar

from django.core import signing
from django.db import connections
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.translation import gettext as _

from gongxin.core.errors import CursorInvalid
from gongxin.core.planner import planner_settings

__all__ = [
    "LAST", "CursorInvalid", "HonestCount", "Keyset", "KeysetPage", "SortKey", "count_honest", "index_walk",
    "keyset_chunks", "keyset_page", "keyset_page_numbered",
]

M = TypeVar("M", bound=Model)

KeyKind = Literal["date", "datetime", "int", "str"]
# The cursor of the last page: the list read backwards from its end.
LAST = "last"
# A text key longer than this is not a cursor value (bounds what a forged token can carry).
_TEXT_MAX = 200


@dataclass(frozen=True)
class SortKey:
    """One column of a list's order: an ORM path from the listed model (``current_version__decision_date``),
    the kind of its values, its direction, and whether it may be null (the first key only)."""

    path: str
    kind: KeyKind
    descending: bool = True
    nullable: bool = False

    def value_of(self, obj: Any) -> Any:
        """The key's value on a fetched object, following the path's relations (select_related them)."""
        for part in self.path.split("__"):
            if obj is None:
                return None
            obj = getattr(obj, part)
        return obj


@dataclass(frozen=True)
class Keyset:
    """A list's name (it salts the cursors) and its order; the last key must be unique (a primary key)."""

    name: str
    keys: tuple[SortKey, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a keyset needs at least one key")
        if any(key.nullable for key in self.keys[1:]):
            raise ValueError("only the first key of a keyset may be nullable")

    # --- order and conditions -------------------------------------------------------------------------

    def order_by(self, *, reverse: bool = False) -> list[OrderBy]:
        """The ORDER BY of the list (``reverse``: read from its end). Nulls of the first key come last in the
        list's order, so first in the reversed one; the placement is always written out, so that the order
        matches an index declared ``(key DESC NULLS LAST, id DESC)`` both ways."""
        terms = []
        for key in self.keys:
            descending = key.descending != reverse
            expression = F(key.path)
            if key.nullable:
                placement = {"nulls_first": True} if reverse else {"nulls_last": True}
                terms.append(expression.desc(**placement) if descending else expression.asc(**placement))
            else:
                terms.append(expression.desc() if descending else expression.asc())
        return terms

    def _beyond(self, values: Sequence[Any], *, reverse: bool, start: int = 0) -> Q:
        """Rows strictly after ``values`` in the order (``reverse``: before them), over keys from ``start``
        on, the values of those keys being non-null: ``k <= v AND (k < v OR (k = v AND <rest>))``."""
        key = self.keys[start]
        value = values[start]
        ascending = key.descending == reverse
        strict = Q(**{f"{key.path}__{'gt' if ascending else 'lt'}": value})
        if start == len(self.keys) - 1:
            return strict
        bound = Q(**{f"{key.path}__{'gte' if ascending else 'lte'}": value})
        rest = Q(**{key.path: value}) & self._beyond(values, reverse=reverse, start=start + 1)
        return bound & (strict | rest)

    def segments(self, values: Sequence[Any] | None, *, reverse: bool) -> list[Q]:
        """The conditions to read, in turn, for the rows after ``values`` (None: from the list's start) in the
        order (``reverse``: backwards). One condition per index range: with a nullable first key, the
        non-null values and then the nulls (reversed: the nulls, then the values)."""
        first = self.keys[0]
        if not first.nullable:
            return [Q() if values is None else self._beyond(values, reverse=reverse)]
        non_null = Q(**{f"{first.path}__isnull": False})
        nulls = Q(**{f"{first.path}__isnull": True})
        in_order = [non_null, nulls] if not reverse else [nulls, non_null]
        if values is None:
            return in_order
        rest = self._beyond(values, reverse=reverse, start=1) if len(self.keys) > 1 else Q(pk__in=[])
        if values[0] is None:
            # Inside the nulls: the rest of them, then (reversed only) every value.
            return [nulls & rest] + ([non_null] if reverse else [])
        # Inside the values: the rest of them, then (forward only) every null.
        return [non_null & self._beyond(values, reverse=reverse)] + ([nulls] if not reverse else [])

    # --- cursors --------------------------------------------------------------------------------------

    def _signer(self) -> signing.Signer:
        return signing.Signer(salt=f"gongxin.paging.{self.name}")

    def values_of(self, obj: Any) -> list[Any]:
        return [key.value_of(obj) for key in self.keys]

    def cursor_make(self, obj: Any, *, before: bool) -> str:
        """The token of the position just after ``obj`` (``before``: just before it)."""
        encoded = [_encode(value) for value in self.values_of(obj)]
        return self._signer().sign_object({"b": 1 if before else 0, "v": encoded}, compress=False)

    def cursor_read(self, token: str) -> tuple[bool, list[Any]]:
        """(before, values) of a token this list gave out; ``CursorInvalid`` for anything else."""
        try:
            body = self._signer().unsign_object(token.strip())
        except (signing.BadSignature, ValueError, TypeError, UnicodeError):
            raise CursorInvalid() from None
        if not isinstance(body, dict) or body.get("b") not in (0, 1) or not isinstance(body.get("v"), list):
            raise CursorInvalid()
        raw = body["v"]
        if len(raw) != len(self.keys):
            raise CursorInvalid()
        return body["b"] == 1, [_decode(key, value) for key, value in zip(self.keys, raw, strict=True)]


def _encode(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _decode(key: SortKey, value: Any) -> Any:
    if value is None:
        if key.nullable:
            return None
        raise CursorInvalid()
    try:
        if key.kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if key.kind == "str" and isinstance(value, str) and len(value) <= _TEXT_MAX:
            return value
        if key.kind == "date" and isinstance(value, str):
            return date.fromisoformat(value)
        if key.kind == "datetime" and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return moment
    except ValueError:
        pass
    raise CursorInvalid()


# --- pages ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    """One page: its rows in the list's order and the cursors of its neighbours (None: there is none)."""

    items: list[M]
    next_cursor: str | None
    previous_cursor: str | None
    size: int

    @property
    def is_first(self) -> bool:
        return self.previous_cursor is None

    @property
    def is_last(self) -> bool:
        return self.next_cursor is None


def _read(queryset: QuerySet[M], keyset: Keyset, values: Sequence[Any] | None, *, reverse: bool,
          limit: int) -> list[M]:
    """Up to ``limit`` rows after ``values`` in the order (``reverse``: backwards), segment by segment."""
    rows: list[M] = []
    order = keyset.order_by(reverse=reverse)
    for condition in keyset.segments(values, reverse=reverse):
        rows.extend(queryset.filter(condition).order_by(*order)[: limit - len(rows)])
        if len(rows) >= limit:
            break
    return rows


def keyset_page(queryset: QuerySet[M], *, keyset: Keyset, cursor: str | None, size: int) -> KeysetPage[M]:
    """The page of ``queryset`` at ``cursor``: None or "" the first page, ``LAST`` the last page, otherwise a
    ``next`` / ``previous`` cursor of an earlier page. Past either end (the rows it pointed at are gone) the
    nearest full page is served: the first page instead of a short one before it, the last instead of an
    empty one after it."""
    size = max(1, size)
    token = (cursor or "").strip()
    if token == LAST:
        return _backward(queryset, keyset, None, size)
    if not token:
        return _forward(queryset, keyset, None, size)
    before, values = keyset.cursor_read(token)
    if before:
        return _backward(queryset, keyset, values, size)
    return _forward(queryset, keyset, values, size)


def _forward(queryset: QuerySet[M], keyset: Keyset, values: Sequence[Any] | None, size: int) -> KeysetPage[M]:
    fetched = _read(queryset, keyset, values, reverse=False, limit=size + 1)
    rows = fetched[:size]
    if values is not None and not rows:
        return _backward(queryset, keyset, None, size)  # past the end: the last page
    return KeysetPage(
        items=rows,
        next_cursor=keyset.cursor_make(rows[-1], before=False) if len(fetched) > size else None,
        previous_cursor=keyset.cursor_make(rows[0], before=True) if values is not None and rows else None,
        size=size,
    )


def _backward(queryset: QuerySet[M], keyset: Keyset, values: Sequence[Any] | None, size: int) -> KeysetPage[M]:
    fetched = _read(queryset, keyset, values, reverse=True, limit=size + 1)
    more = len(fetched) > size
    if values is not None and not more:
        return _forward(queryset, keyset, None, size)  # reached the start: the (full) first page
    rows = list(reversed(fetched[:size]))
    return KeysetPage(
        items=rows,
        next_cursor=keyset.cursor_make(rows[-1], before=False) if values is not None and rows else None,
        previous_cursor=keyset.cursor_make(rows[0], before=True) if more else None,
        size=size,
    )


def keyset_page_numbered(queryset: QuerySet[M], *, keyset: Keyset, number: int, size: int) -> KeysetPage[M]:
    """Page ``number`` (from 1) counted from the start, for links that still carry a page number: read by
    offset, so only for small numbers (the caller bounds them); its cursors lead on by keyset."""
    size = max(1, size)
    offset = (max(1, number) - 1) * size
    fetched = list(queryset.order_by(*keyset.order_by())[offset: offset + size + 1])
    rows = fetched[:size]
    if not rows and offset:
        return _backward(queryset, keyset, None, size)  # past the end: the last page
    return KeysetPage(
        items=rows,
        next_cursor=keyset.cursor_make(rows[-1], before=False) if len(fetched) > size else None,
        previous_cursor=keyset.cursor_make(rows[0], before=True) if offset and rows else None,
        size=size,
    )


def keyset_chunks(queryset: QuerySet[Any], *, keyset: Keyset, chunk_size: int = 2000,
                  values_of: Callable[[Any], Sequence[Any]] | None = None, walk: bool = False) -> Iterator[list[Any]]:
    """Every row of ``queryset`` in the keyset's order, ``chunk_size`` at a time, each chunk one short
    query that starts where the last one stopped (no long-held cursor, constant memory).

    ``values_of``: the keys' values of a row, for a queryset of plain rows (``values_list``) rather than
    objects; by default they are read off the objects along the keys' paths.

    ``walk``: once the first chunk came back full (the list is long), read the next ones along the index that
    holds the keyset's order (``index_walk``), so that each reads about ``chunk_size`` index entries and the
    whole list costs one pass over its range. The planner may prefer to join every row after the cursor and
    sort them for every chunk (it did for a freshly loaded listing, ANALYZEd or not): a whole list read that way
    costs its length squared over ``chunk_size``. The first chunk keeps the planner's choice, which is right
    for a short list of a rare filter (a few probes of another index, where a walk would read the whole range)."""
    read_values = values_of or keyset.values_of
    values: Sequence[Any] | None = None
    while True:
        if walk and values is not None:
            with index_walk(queryset.db):
                rows = _read(queryset, keyset, values, reverse=False, limit=chunk_size)
        else:
            rows = _read(queryset, keyset, values, reverse=False, limit=chunk_size)
        if rows:
            yield rows
        if len(rows) < chunk_size:
            return
        values = list(read_values(rows[-1]))


@contextmanager
def index_walk(using: str) -> Iterator[None]:
    """Within the block, a query ordered as an index holds is read along that index: on PostgreSQL sorting and JIT
    are set aside (``SET LOCAL`` in a transaction of the block's own; inside a caller's transaction they are put
    back as they were at the end), so an ordered walk of the index is the planner's only plan for the order. The
    planner misjudges how many rows a range of the order holds (the listing's visibility conditions read as
    independent), and would rather join every row and sort than stop after ``LIMIT`` rows of the index."""
    with planner_settings({"enable_sort": "off", "jit": "off"}, using=using, savepoint=True):
        yield


# --- honest counts ------------------------------------------------------------------------------------------

EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class HonestCount:
    """How many rows a list has, as far as it is cheap to know: ``exact``, ``about`` (the planner's estimate,
    rounded) or ``at_least`` (more than ``value``)."""

    value: int
    exactness: Literal["exact", "about", "at_least"]

    @property
    def exact(self) -> bool:
        return self.exactness == "exact"

    def __str__(self) -> str:
        number = f"{self.value:,}"
        if self.exactness == "about":
            return _("about %(count)s") % {"count": number}
        if self.exactness == "at_least":
            return _("%(count)s+") % {"count": number}
        return number


def _round(value: int) -> int:
    """Three significant digits: an estimate should not look exact."""
    digits = len(str(value))
    if digits <= 3:
        return value
    unit = 10 ** (digits - 3)
    return round(value / unit) * unit


def _planner_rows(queryset: QuerySet[Any]) -> int | None:
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan: Any = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _count_walking(queryset: QuerySet[Any], keyset: Keyset, limit: int) -> int:
    """Up to ``limit`` rows of ``queryset`` counted along ``keyset``'s order, that is along the index that
    holds it (``index_walk``: without a sort the ordered walk is the planner's only plan, and it stops after
    ``limit`` rows of the index)."""
    counted = queryset.order_by(*keyset.order_by()).values("pk")[:limit]
    with index_walk(queryset.db):
        return counted.count()


def count_honest(queryset: QuerySet[Any], *, exact_up_to: int = EXACT_UP_TO,
                 estimate: Callable[[QuerySet[Any]], int | None] = _planner_rows,
                 walk: Keyset | None = None, estimate_above: int = EXACT_UP_TO) -> HonestCount:
    """Count ``queryset`` exactly while it has at most ``exact_up_to`` rows (the count stops reading at one
    more); past that, "about" the planner's estimate on PostgreSQL, or "at least ``exact_up_to``" where there
    is no estimate (SQLite) or the estimate is below what was counted.

    An estimate is said only above ``estimate_above`` too (10,000 by default, whatever the cap): a smaller one
    is as likely a planner's misjudgement as a size, and says no more than "more than the cap".

    ``walk``: count along that keyset's index instead of letting the planner choose — for a filter that is a
    range of the index's first key (a period), where the walk reads at most the range and stops at
    ``exact_up_to + 1`` rows, while the planner's own choice joins every record. Not for a filter that matches
    few rows spread over the whole index (the walk would then read all of it)."""
    if walk is not None:
        counted = _count_walking(queryset, walk, exact_up_to + 1)
    else:
        counted = queryset.order_by().values("pk")[: exact_up_to + 1].count()
    if counted <= exact_up_to:
        return HonestCount(counted, "exact")
    estimated = estimate(queryset)
    if estimated is None or estimated <= max(exact_up_to, estimate_above):
        # No estimate, or one below what was just counted or too small to trust (the planner misjudges joined
        # filters by an order of magnitude: 1,743 for a month of over 10,000): all that is known is "more than
        # exact_up_to".
        return HonestCount(exact_up_to, "at_least")
    return HonestCount(_round(estimated), "about")
