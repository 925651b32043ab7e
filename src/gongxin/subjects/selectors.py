"""Reads of the subjects app: lookups by code (one or many at once), public organization search, RIN
disclosure.

Persons never leave through the public search; a person's plain RIN only through
``person_rin_reveal`` (the person itself, or credit office staff and administrators).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, Lookup, Q, QuerySet, Value

from gongxin.accounts.capabilities import reveals_rin
from gongxin.catalog.choices import SubjectKind
from gongxin.core.crypto import unseal
from gongxin.core.planner import planner_settings
from gongxin.subjects.choices import IdentifierScheme, RelationKind
from gongxin.subjects.identifiers import (
    RIN_CONTEXT,
    InvalidRin,
    alias_scheme_guess,
    identifier_normalize,
    rin_lookup_hash,
    rin_validate,
    uscc_is_valid,
    uscc_normalize,
)
from gongxin.subjects.models import Organization, Person, Subject, SubjectIdentifier
from gongxin.subjects.names import QueryKind, SearchQuery, search_query_parse
from gongxin.subjects.search_indexes import NGRAMS_FUNCTION

SEARCH_MAX_LIMIT = 100



def subject_by_uscc(uscc: str) -> Subject | None:
    """The organization with this USCC (normalized first), or ``None``."""
    code = uscc_normalize(uscc)
    if len(code) != 18:
        return None
    return (
        Subject.objects.select_related("organization")
        .filter(kind=SubjectKind.ORGANIZATION, organization__uscc=code)
        .first()
    )


def subject_by_code(code: str) -> Subject | None:
    """The organization a USCC or an older alias code (registration number, organization code ...)
    resolves to, or ``None``. An alias that two subjects share resolves to nothing."""
    normalized = identifier_normalize(code)
    if not normalized:
        return None
    if uscc_is_valid(normalized):
        subject = subject_by_uscc(normalized)
        if subject is not None:
            return subject
    aliases = SubjectIdentifier.objects.filter(value=normalized)
    scheme = alias_scheme_guess(code)
    if scheme is not None and aliases.filter(scheme=scheme).exists():
        aliases = aliases.filter(scheme=scheme)
    subject_ids = set(aliases.values_list("subject_id", flat=True)[:2])
    if len(subject_ids) != 1:
        return None
    return Subject.objects.select_related("organization").filter(pk=subject_ids.pop()).first()


def subject_by_rin(rin: str) -> Subject | None:
    """The person with this RIN, found by its keyed hash (the plain RIN is never queried)."""
    try:
        check = rin_validate(rin)
    except InvalidRin:
        return None
    return Subject.objects.select_related("person").filter(person__rin_hash=rin_lookup_hash(check.rin)).first()


def organizations_represented_by(*, person_id: int, day: date) -> QuerySet[Subject]:
    """The organizations whose registered legal representative (a ``legal_representative`` relation from the
    person, not ended before ``day``) is the person ``person_id``, by name."""
    return (Subject.objects.select_related("organization")
            # One filter: the three conditions hold for the same relation row.
            .filter(Q(relations_in__end_date__isnull=True) | Q(relations_in__end_date__gte=day),
                    kind=SubjectKind.ORGANIZATION, relations_in__from_subject_id=person_id,
                    relations_in__kind=RelationKind.LEGAL_REPRESENTATIVE)
            .distinct().order_by("name", "pk"))


# --- Bulk lookup by code ------------------------------------------------------------------------------------
#
# The one way to find many subjects by their codes at once (ingest, the check path, sharing's subscriptions,
# the bulk registrations and the demo): by USCC, by the RIN's keyed lookup hash (the plain RIN is never
# queried) or by an older alias code of one ``IdentifierScheme``.

CODE_USCC = "uscc"
CODE_RIN_HASH = "rin"  # the value is ``identifiers.rin_lookup_hash`` of the RIN
# Codes per ``IN (...)`` list where the database has no array parameter: below SQLite's host-parameter limit.
CODES_PER_QUERY = 900


def _code_source(scheme: str) -> tuple[str, Q, type[Any], str]:
    """(path from Subject to the code, extra condition, the code's model, its code column) of a scheme."""
    if scheme == CODE_USCC:
        return "organization__uscc", Q(), Organization, "uscc"
    if scheme == CODE_RIN_HASH:
        return "person__rin_hash", Q(), Person, "rin_hash"
    if scheme in IdentifierScheme.values:
        return "identifiers__value", Q(identifiers__scheme=scheme), SubjectIdentifier, "value"
    raise ValueError(f"no subject code scheme {scheme!r}")


class _EqualsAny(Lookup):
    """``column = ANY(%s)``: the values as one array parameter (PostgreSQL). A thousand ``IN`` placeholders
    cost more to build and parse than the index probes themselves."""

    lookup_name = "gongxin_equals_any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def subjects_by_codes(*, scheme: str, codes: Iterable[str], fields: Sequence[str] = ()) -> Iterator[tuple[Any, ...]]:
    """``(code, subject id, *fields)`` of each subject known by one of ``codes`` of one ``scheme``; a code
    nobody has is left out. ``scheme`` is ``CODE_USCC`` (normalized USCCs), ``CODE_RIN_HASH`` (the RINs'
    keyed lookup hashes) or an ``IdentifierScheme`` value; ``fields`` are paths from ``Subject``
    (``"name"``, ``"kind"``, ``"person__rin_masked"``, ``"rewards_facts__facts"`` ...), read in the same query.

    Set-based: PostgreSQL reads all codes in one query (one array parameter); SQLite in ``IN`` lists of
    ``CODES_PER_QUERY``. Statements written by hand use ``subjects_by_codes_sql`` instead."""
    path, condition, _model, _column = _code_source(scheme)
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return
    columns = (path, "pk", *fields)
    if connection.vendor == "postgresql":
        # Probes of the code's index, whatever the statistics say: during a big load they are stale (a table
        # analyzed when it was small), and the planner would hash-join whole scans of the subjects and their
        # codes for each chunk — a cost that grows with the city.
        with planner_settings({"enable_seqscan": "off"}):
            rows = list(Subject.objects.filter(condition, _EqualsAny(F(path), wanted)).values_list(*columns))
        yield from rows
        return
    for start in range(0, len(wanted), CODES_PER_QUERY):
        part = wanted[start:start + CODES_PER_QUERY]
        yield from Subject.objects.filter(condition, **{f"{path}__in": part}).values_list(*columns)


@dataclass(frozen=True)
class SubjectCodesSql:
    """``subjects_by_codes`` as SQL text, for a statement written by hand (the check path's prepared lookup
    joins the subject's facts to it): ``SELECT {code}, s.id, s.name … FROM {tables} … WHERE {where}``.

    ``tables`` joins the code's table (alias ``c``) to the subjects (alias ``s``); ``where`` compares the code
    with one parameter — one value, or (``one=False``) an array (PostgreSQL ``= ANY``); ``params`` gives the
    statement's parameters for that value or list."""

    tables: str
    code: str
    where: str
    scheme: str

    def params(self, codes: str | list[str]) -> list[Any]:
        return [codes] if self.scheme in (CODE_USCC, CODE_RIN_HASH) else [codes, self.scheme]


def subjects_by_codes_sql(*, scheme: str, one: bool) -> SubjectCodesSql:
    """The SQL text of the lookup by codes of ``scheme`` (see ``SubjectCodesSql``); tables named from the
    models, so no other app spells them."""
    _path, _condition, model, column = _code_source(scheme)
    q = connection.ops.quote_name
    code = f"c.{q(column)}"
    where = f"{code} = %s" if one else f"{code} = ANY(%s)"
    if model is SubjectIdentifier:
        where += f" AND c.{q('scheme')} = %s"
    return SubjectCodesSql(
        tables=f"{q(model._meta.db_table)} c JOIN {q(Subject._meta.db_table)} s ON s.id = c.subject_id",
        code=code, where=where, scheme=scheme,
    )


# Deeper pages than this are not served: refine the query instead (also keeps 64-bit SQL integers safe).
SEARCH_MAX_OFFSET = 100_000


# The search considers at most this many matches: a broader query says "1000+" (refine it) instead of
# counting and sorting a city's worth of rows. Every query then costs O(cap), whatever it matches.
SEARCH_COUNT_CAP = 1000


@dataclass(frozen=True)
class OrganizationSearchPage:
    """One page of the public search. ``total`` is exact up to ``SEARCH_COUNT_CAP``; beyond it,
    ``total == SEARCH_COUNT_CAP`` and ``total_capped`` is true (show "1000+")."""

    items: list[Subject]
    total: int
    total_capped: bool
    kind: str  # how the query was read: "name", "initials" or "uscc" (see names.search_query_parse)


def organizations_search_page(*, q: str, limit: int = 20, offset: int = 0) -> OrganizationSearchPage:
    """Public search of organizations, one page in name order (at most 100 per page).

    Chinese text (or anything mixed) matches a part of the name, ignoring ASCII case; ASCII letters
    only ("nbwy") match the pinyin initials (a prefix for one or two letters, a part for more);
    digits, possibly with USCC letters, match the beginning of the USCC. A blank query finds nothing.
    Persons are never returned, whatever the query.

    Bounded work, whatever the query matches: the first ``SEARCH_COUNT_CAP`` matches in storage order
    are read through an index (PostgreSQL: trigrams, 1–2-character n-grams or the USCC pattern index
    of migration 0004, see ``_index_scans_only``), sorted by name here, and the page is read by
    primary key — two queries. When more match, the pages cover those first ``SEARCH_COUNT_CAP`` (in
    practice the earliest registered) and ``total_capped`` says so. Sorting by name in SQL instead
    lets the planner walk the name index, which takes seconds when the matches cluster in name order
    (every "慈溪…" for "慈溪").
    """
    query = search_query_parse(q)
    if query is None:
        return OrganizationSearchPage(items=[], total=0, total_capped=False, kind="")
    limit = max(1, min(limit, SEARCH_MAX_LIMIT))
    offset = min(max(0, offset), SEARCH_MAX_OFFSET)
    with _index_scans_only():
        candidates = list(_candidates(query))
    capped = len(candidates) > SEARCH_COUNT_CAP
    del candidates[SEARCH_COUNT_CAP:]
    candidates.sort(key=lambda row: (row[1], row[0]))  # code point order, as SQLite and C collations
    page_ids = [pk for pk, _name in candidates[offset:offset + limit]]
    found = Subject.objects.select_related("organization").in_bulk(page_ids)
    return OrganizationSearchPage(items=[found[pk] for pk in page_ids if pk in found], total=len(candidates),
                                  total_capped=capped, kind=query.kind.value)


@contextmanager
def _index_scans_only() -> Iterator[None]:
    """On PostgreSQL, plan the enclosed query (the search's candidates) to read an index, not a table.

    Left to itself, the planner answers "the first 1001 matches" by walking the table or the primary
    key and filtering, betting on its estimate of how common the term is; when it guesses high
    ("子商务有": 4 × too many) it reads most of the table, and when the matches cluster (every "慈溪…"
    sorts together, USCCs of one district were registered together) so does a walk in index order. With
    sequential and plain index scans off, the candidates come from a bitmap scan of the GIN index
    (trigrams, n-grams) or of the USCC's pattern b-tree: the index lookup plus the first 1001 rows
    in storage order, whatever the term. No parallel workers, so that the storage order holds and the
    capped set is the same from one page to the next. (Measured at 100,000 organizations: p95 7 ms,
    against 129 ms when sorting by name in SQL and 36 ms when reading b-tree ranges in order, whose
    rows are scattered over the table.) The settings are transaction-local; inside an enclosing
    transaction they are put back afterwards.
    """
    with planner_settings({"enable_seqscan": "off", "enable_indexscan": "off",
                           "max_parallel_workers_per_gather": "0"}):
        yield


def organizations_search(*, q: str, limit: int = 20, offset: int = 0) -> tuple[list[Subject], int]:
    """Public search: organizations whose name contains ``q``, whose pinyin initials match it, or whose
    USCC starts with it (see ``organizations_search_page`` for how a query is read).

    Returns one page (at most 100) and the total, counted up to ``SEARCH_COUNT_CAP`` (a broader query
    reports ``SEARCH_COUNT_CAP`` and pages through that many; ``organizations_search_page`` says whether
    there are more). A blank query finds nothing. Persons are never returned, whatever the query.
    """
    page = organizations_search_page(q=q, limit=limit, offset=offset)
    return page.items, page.total


def organizations_matching(*, q: str) -> QuerySet[Subject]:
    """All organizations the public search finds for ``q``, unordered (none for a blank query); for
    callers that page or export themselves, and for ``EXPLAIN``."""
    query = search_query_parse(q)
    return Subject.objects.none() if query is None else _organizations_matching(query)


def organizations_search_explain(*, q: str, analyze: bool = True) -> str:
    """The database's plan for the search's main query (``EXPLAIN``, with ``ANALYZE`` on PostgreSQL
    when asked; for benchmarks and operators). Blank for a blank query."""
    query = search_query_parse(q)
    if query is None:
        return ""
    with _index_scans_only():
        if analyze and connection.vendor == "postgresql":
            return _candidates(query).explain(analyze=True)
        return _candidates(query).explain()


def _candidates(query: SearchQuery) -> QuerySet[Any]:
    """(id, name) of the first ``SEARCH_COUNT_CAP + 1`` matches, in storage order."""
    return _organizations_matching(query).order_by().values_list("pk", "name")[:SEARCH_COUNT_CAP + 1]


def _organizations_matching(query: SearchQuery) -> QuerySet[Subject]:
    return Subject.objects.filter(
        _search_condition(query, connection.vendor), kind=SubjectKind.ORGANIZATION, organization__isnull=False
    )


class _ContainsAnyCase(Lookup):
    """``lhs`` contains the pattern's text, ignoring ASCII case.

    ``ILIKE`` on PostgreSQL, which the trigram index serves (Django's ``icontains`` compiles to
    ``UPPER(..) LIKE UPPER(..)``, which it does not); ``LIKE`` elsewhere (SQLite's ignores ASCII case).
    The right-hand side is an already escaped ``LIKE`` pattern."""

    lookup_name = "gongxin_contains_any_case"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
        return f"{lhs} {operator} {rhs} ESCAPE '\\'", (*lhs_params, *rhs_params)


class _NameNgramsContain(Lookup):
    """PostgreSQL: the name's 1–2-character n-grams (``gongxin_name_ngrams``, GIN-indexed) include
    the term — exactly "the name contains it" for a term of one or two characters."""

    lookup_name = "gongxin_name_ngrams_contain"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{NGRAMS_FUNCTION}({lhs}) @> ARRAY[{rhs}]::text[]", (*lhs_params, *rhs_params)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search_condition(query: SearchQuery, vendor: str) -> Q:
    term = query.term
    if query.kind == QueryKind.USCC:
        return Q(organization__uscc__startswith=term)
    if query.kind == QueryKind.INITIALS:
        # One or two letters as a part would match nearly everything (and trigrams need three).
        if len(term) <= 2:
            return Q(name_initials__startswith=term)
        return Q(name_initials__contains=term)
    if vendor == "postgresql" and len(term) <= 2 and not any(c.isascii() and c.isalpha() for c in term):
        # Trigrams cannot serve 1–2 characters: the n-gram index finds the rows. The equivalent LIKE
        # keeps a scan cheap where one happens (``organizations_matching`` outside ``_index_scans_only``):
        # it runs first, so the costly n-gram function runs on matching rows only.
        return Q(_NameNgramsContain(F("name"), Value(term))) & Q(name__contains=term)
    return Q(_ContainsAnyCase(F("name"), Value(f"%{_like_escape(term)}%")))


def person_rin_reveal(*, person: Person, viewer: Any) -> str:
    """The plain RIN for the person itself and whoever ``accounts.capabilities.reveals_rin`` names (staff and
    administrators); the masked form for anyone else.

    ``viewer`` is an ``accounts.viewer.Viewer`` (or anything with ``role`` and ``subject_id``, such as
    a user; an anonymous user has neither and sees the masked form)."""
    if _is_self(viewer, person.subject_id) or reveals_rin(viewer):
        return unseal(person.rin_sealed, context=RIN_CONTEXT)
    return person.rin_masked


def subject_display_code(*, subject: Subject, viewer: Any) -> str:
    """The code to show for a subject: the USCC of an organization; a person's RIN masked, except
    to the person itself."""
    if subject.kind == SubjectKind.ORGANIZATION:
        return subject.organization.uscc
    person = subject.person
    if _is_self(viewer, subject.pk):
        return unseal(person.rin_sealed, context=RIN_CONTEXT)
    return person.rin_masked


def _is_self(viewer: Any, subject_id: int) -> bool:
    viewer_subject_id = getattr(viewer, "subject_id", None)
    return viewer_subject_id is not None and viewer_subject_id == subject_id
