"""Association analysis (关联分析) over the relation projection ``subjects.Relation``: pure reads, set-based.

Nothing here checks who is asking or logs a query: these are the store-level reads. Every page and API goes
through ``monitoring.associations`` (the disclosure policy: staff and authorized purposes only, natural persons
never public, each query of a subject logged as an inquiry).

A relation ``from -kind-> to`` says "``from`` is the ``kind`` of the organization ``to``" and is in effect on day
*d* when ``start_date <= d < end_date`` (either may be empty). ``as_of`` (a date; default today) asks about one
day, so a relation that ended yesterday is gone today and still there for a question about last month.

- ``related_subjects``: the subjects within ``depth`` hops in either direction, each reached first on its shortest
  path, with that path: a chain of ``Hop`` (the subject reached, the relation's kind, its direction). On PostgreSQL
  one recursive query (both directions through the foreign keys' indexes) and one read of the relations on the paths;
  elsewhere one query per level;
- ``ultimate_controllers``: who stands behind an organization through holding chains (shareholder and investment
  relations), shares multiplied along every chain and summed over chains, exact (``fractions.Fraction`` from the
  stored 4-place ratios). Cycles are solved exactly: the holding graph above the organization is cut into strongly
  connected components, which are solved in order from the organization upwards, each cycle as the small linear
  system ``f = b + M f`` by Gaussian elimination over fractions (decision 070). Declared actual controllers
  (``actual_controller`` relations) are reported as such, with the share they also hold through chains;
- ``shared_legal_representatives`` / ``shared_addresses``: other organizations with the same legal representative
  (a person on several boards) or the same registered address.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Q

from gongxin.catalog.choices import SubjectKind
from gongxin.core import clock
from gongxin.subjects.choices import RelationKind
from gongxin.subjects.models import Organization, Relation, Subject

# The direction of a hop, seen from the subject the hop starts at.
OUT = "out"  # the previous subject is the ``kind`` of the subject reached (a person -> the firm it represents)
IN = "in"  # the subject reached is the ``kind`` of the previous one (a firm -> its shareholder)

DEFAULT_DEPTH = 2
MAX_DEPTH = 3
# A hub (a registered agent on ten thousand boards) must not turn one question into a scan: at most this many
# subjects are answered (the nearest first); ``related_subjects`` says so by returning exactly the limit.
RELATED_LIMIT = 2000
# Holding chains longer than this, or more subjects above an organization than this, are not followed further.
CHAIN_MAX_DEPTH = 12
CHAIN_MAX_SUBJECTS = 5000
PATHS_PER_CONTROLLER = 3

HOLDING_KINDS = (RelationKind.SHAREHOLDER.value, RelationKind.INVESTMENT.value)


@dataclass(frozen=True)
class Hop:
    """One step of a path: the subject reached, through which relation, in which direction (``OUT``: the subject
    the step starts at is the ``kind`` of the subject reached; ``IN``: the subject reached is the ``kind`` of it)."""

    subject_id: int
    kind: str
    direction: str
    relation_id: int
    share_ratio: Decimal | None = None


@dataclass(frozen=True)
class Association:
    """A subject related to the one asked about, ``depth`` hops away along ``path`` (from the subject asked about)."""

    subject_id: int
    subject_kind: str
    depth: int
    path: tuple[Hop, ...]


@dataclass(frozen=True)
class Controller:
    """Who stands behind an organization: ``share`` of it, held through holding chains (exact; 0 for a declared
    actual controller holding nothing), ``declared`` when registered as its actual controller. ``paths`` are a
    few of the holding chains, each from the organization up to the controller (hops in the ``IN`` direction)."""

    subject_id: int
    subject_kind: str
    share: Fraction
    declared: bool = False
    exact: bool = True
    paths: tuple[tuple[Hop, ...], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SharedLink:
    """Another organization linked to the one asked about by what they share: ``via`` is the shared legal
    representative (a subject id) or the shared address (a text); ``kind`` says which."""

    subject_id: int
    kind: str  # "legal_representative" or "address"
    via_subject_id: int | None = None
    via_address: str = ""


def in_effect_q(as_of: date | None = None, prefix: str = "") -> Q:
    """Relations in effect on ``as_of`` (default today): started on or before it, not ended on or before it."""
    day = as_of or clock.today()
    return ((Q(**{f"{prefix}start_date__isnull": True}) | Q(**{f"{prefix}start_date__lte": day}))
            & (Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})))


def _kinds_of(subject_ids: Collection[int]) -> dict[int, str]:
    return dict(Subject.objects.filter(pk__in=list(subject_ids)).values_list("pk", "kind"))


def related_subjects(*, subject_id: int, depth: int = DEFAULT_DEPTH, kinds: Collection[str] | None = None,
                     as_of: date | None = None, limit: int = RELATED_LIMIT) -> list[Association]:
    """The subjects within ``depth`` (1..3) hops of ``subject_id`` over relations in effect on ``as_of`` (of the
    ``kinds`` given, default all), nearest first, each with its shortest path; between paths of one length, the
    one whose relation ids are smallest (compared hop by hop). PostgreSQL answers in one recursive query
    (decision 070: measured faster than a query per level); other databases walk one query per level."""
    depth = max(1, min(int(depth), MAX_DEPTH))
    day = as_of or clock.today()
    if connection.vendor == "postgresql":
        reached = _reached_recursive(subject_id, depth, list(kinds) if kinds else None, day, limit)
    else:
        reached = _reached_by_level(subject_id, depth, list(kinds) if kinds else None, day, limit)
    relation_ids = {rid for _sid, _kind, path in reached for rid in path}
    relations = {pk: (from_id, to_id, kind, share) for pk, from_id, to_id, kind, share in
                 Relation.objects.filter(pk__in=relation_ids).values_list(
                     "pk", "from_subject_id", "to_subject_id", "kind", "share_ratio")}
    found = []
    for sid, subject_kind, path in reached:
        here, hops = subject_id, []
        for rid in path:
            from_id, to_id, kind, share = relations[rid]
            there, direction = (to_id, OUT) if from_id == here else (from_id, IN)
            hops.append(Hop(subject_id=there, kind=kind, direction=direction, relation_id=rid, share_ratio=share))
            here = there
        found.append(Association(subject_id=sid, subject_kind=subject_kind, depth=len(hops), path=tuple(hops)))
    return found


_EFFECT = "(r.start_date IS NULL OR r.start_date <= %(day)s) AND (r.end_date IS NULL OR r.end_date > %(day)s)"


def _recursive_sql(*, with_kinds: bool) -> str:
    table = connection.ops.quote_name(Relation._meta.db_table)
    subjects = connection.ops.quote_name(Subject._meta.db_table)
    kinds = " AND r.kind = ANY(%(kinds)s)" if with_kinds else ""
    # Table names from the models; every value is a parameter.
    return f"""
WITH RECURSIVE walk(subject_id, depth, path, seen) AS (
    SELECT %(start)s::bigint, 0, ARRAY[]::bigint[], ARRAY[%(start)s::bigint]
  UNION ALL
    SELECT step.other, walk.depth + 1, walk.path || step.id, walk.seen || step.other
    FROM walk CROSS JOIN LATERAL (
        SELECT r.id, r.to_subject_id AS other FROM {table} r
        WHERE r.from_subject_id = walk.subject_id AND {_EFFECT}{kinds}
      UNION ALL
        SELECT r.id, r.from_subject_id FROM {table} r
        WHERE r.to_subject_id = walk.subject_id AND {_EFFECT}{kinds}
    ) AS step
    WHERE walk.depth < %(depth)s AND NOT step.other = ANY(walk.seen)
), nearest AS (
    SELECT DISTINCT ON (subject_id) subject_id, depth, path FROM walk WHERE depth > 0
    ORDER BY subject_id, depth, path
)
SELECT n.subject_id, s.kind, n.path FROM nearest n JOIN {subjects} s ON s.id = n.subject_id
ORDER BY n.depth, n.path LIMIT %(limit)s"""  # noqa: S608


def _reached_recursive(subject_id: int, depth: int, kinds: list[str] | None, day: date, limit: int
                       ) -> list[tuple[int, str, tuple[int, ...]]]:
    with connection.cursor() as cursor:
        cursor.execute(_recursive_sql(with_kinds=kinds is not None),
                       {"start": subject_id, "depth": depth, "kinds": kinds, "day": day, "limit": limit})
        return [(sid, kind, tuple(path)) for sid, kind, path in cursor.fetchall()]


def _reached_by_level(subject_id: int, depth: int, kinds: list[str] | None, day: date, limit: int
                      ) -> list[tuple[int, str, tuple[int, ...]]]:
    relations = Relation.objects.filter(in_effect_q(day))
    if kinds:
        relations = relations.filter(kind__in=kinds)
    paths: dict[int, tuple[int, ...]] = {subject_id: ()}
    order: list[int] = []
    frontier = [subject_id]
    for _level in range(depth):
        if not frontier or len(order) >= limit:
            break
        ahead = set(frontier)
        level: dict[int, tuple[int, ...]] = {}
        rows = (relations.filter(Q(from_subject_id__in=frontier) | Q(to_subject_id__in=frontier))
                .values_list("pk", "from_subject_id", "to_subject_id"))
        for pk, from_id, to_id in rows.iterator(chunk_size=5000):
            for here, there in ((from_id, to_id), (to_id, from_id)):
                if here in ahead and there not in paths:
                    candidate = (*paths[here], pk)
                    if there not in level or candidate < level[there]:
                        level[there] = candidate
        ranked = sorted(level.items(), key=lambda item: item[1])
        paths.update(ranked)
        order += [sid for sid, _path in ranked]
        frontier = [sid for sid, _path in ranked]
    order = order[:limit]
    kinds_of = _kinds_of(order)
    return [(sid, kinds_of.get(sid, ""), paths[sid]) for sid in order]


# --- ultimate controllers ---------------------------------------------------------------------------------------

@dataclass
class _Holding:
    holder: int
    held: int
    share: Fraction
    relation_id: int
    ratio: Decimal | None


HOLDINGS_MAX = 4 * CHAIN_MAX_SUBJECTS


def _holdings_above(subject_id: int, as_of: date | None) -> list[_Holding]:
    """Every holding relation in effect above the organization: on PostgreSQL one recursive query (UNION ends at a
    cycle: a row already found is not followed again), elsewhere level by level (one query per level)."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Relation._meta.db_table)
        sql = f"""
WITH RECURSIVE up(id, holder, held, share) AS (
    SELECT r.id, r.from_subject_id, r.to_subject_id, r.share_ratio FROM {table} r
    WHERE r.to_subject_id = %(start)s AND r.kind = ANY(%(kinds)s) AND r.share_ratio IS NOT NULL AND {_EFFECT}
  UNION
    SELECT r.id, r.from_subject_id, r.to_subject_id, r.share_ratio FROM up JOIN {table} r ON r.to_subject_id = up.holder
    WHERE up.holder <> %(start)s AND r.kind = ANY(%(kinds)s) AND r.share_ratio IS NOT NULL AND {_EFFECT}
)
SELECT id, holder, held, share FROM up LIMIT %(limit)s"""  # noqa: S608 - table names from the models
        with connection.cursor() as cursor:
            cursor.execute(sql, {"start": subject_id, "kinds": list(HOLDING_KINDS), "day": as_of or clock.today(),
                                 "limit": HOLDINGS_MAX})
            found = sorted(cursor.fetchall())
        return [_Holding(holder=holder, held=held, share=Fraction(ratio), relation_id=pk, ratio=ratio)
                for pk, holder, held, ratio in found if holder != subject_id]
    holdings: list[_Holding] = []
    seen = {subject_id}
    frontier = [subject_id]
    base = Relation.objects.filter(in_effect_q(as_of), kind__in=HOLDING_KINDS, share_ratio__isnull=False)
    for _level in range(CHAIN_MAX_DEPTH):
        if not frontier or len(seen) > CHAIN_MAX_SUBJECTS:
            break
        rows = (base.filter(to_subject_id__in=frontier).order_by("pk")
                .values_list("pk", "from_subject_id", "to_subject_id", "share_ratio"))
        following = []
        for pk, holder, held, ratio in rows.iterator(chunk_size=5000):
            if holder == subject_id:
                continue  # the organization holding its own holder: a chain stops at the organization asked about
            share = Fraction(ratio) if ratio is not None else Fraction(0)  # the filter keeps only stated shares
            holdings.append(_Holding(holder=holder, held=held, share=share, relation_id=pk, ratio=ratio))
            if holder not in seen:
                seen.add(holder)
                following.append(holder)
        frontier = following
    return holdings


def _components(nodes: Iterable[int], edges: dict[int, list[int]]) -> list[list[int]]:
    """Strongly connected components (Tarjan, iterative), in reverse topological order of ``edges``: a component
    comes after every component it has an edge to."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    result: list[list[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(edges.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for nxt in successors:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(edges.get(nxt, ()))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
    return result


def _solve(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Solve ``matrix · x = rhs`` exactly (Gaussian elimination over fractions); None when singular."""
    n = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = next((r for r in range(col, n) if a[r][col] != 0), None)
        if pivot is None:
            return None
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col and a[r][col] != 0:
                factor = a[r][col] / a[col][col]
                a[r] = [x - factor * y for x, y in zip(a[r], a[col], strict=True)]
    return [a[i][n] / a[i][i] for i in range(n)]


def holding_shares(subject_id: int, holdings: list[_Holding]) -> tuple[dict[int, Fraction], bool]:
    """Each holder's integrated share of ``subject_id``: the sum over every holding chain from the holder to it of
    the product of the shares along the chain (a chain ends the first time it reaches the organization). Exact;
    the flag is False when a cycle's system was singular (holdings of 100 % both ways), solved then by a bounded
    fixed-point iteration instead."""
    down: dict[int, list[_Holding]] = defaultdict(list)  # holder -> what it holds
    for h in holdings:
        down[h.holder].append(h)
    edges = {holder: [h.held for h in held] for holder, held in down.items()}
    nodes = [subject_id, *sorted(down)]
    share: dict[int, Fraction] = {subject_id: Fraction(1)}
    exact = True
    for component in _components(nodes, edges):
        members = [m for m in component if m != subject_id]
        if not members:
            continue
        inside = set(members)
        if len(members) == 1 and all(h.held != members[0] for h in down.get(members[0], ())):
            node = members[0]
            share[node] = sum((h.share * share.get(h.held, Fraction(0)) for h in down.get(node, ())), Fraction(0))
            continue
        position = {m: i for i, m in enumerate(members)}
        n = len(members)
        matrix = [[Fraction(int(i == j)) for j in range(n)] for i in range(n)]
        rhs = [Fraction(0)] * n
        for m in members:
            for h in down.get(m, ()):
                if h.held in inside:
                    matrix[position[m]][position[h.held]] -= h.share
                else:
                    rhs[position[m]] += h.share * share.get(h.held, Fraction(0))
        solved = _solve(matrix, rhs)
        if solved is None:
            exact = False
            values = [Fraction(0)] * n
            for _round in range(200):
                values = [min(Fraction(1), rhs[i] + sum((-matrix[i][j] * values[j] for j in range(n) if j != i),
                                                        Fraction(0))).limit_denominator(10**9) for i in range(n)]
            solved = values
        for m in members:
            share[m] = solved[position[m]]
    share.pop(subject_id, None)
    return share, exact


def _paths_up(subject_id: int, target: int, up: dict[int, list[_Holding]]) -> tuple[tuple[Hop, ...], ...]:
    """A few simple holding chains from ``subject_id`` up to ``target`` (depth-first, lower relation ids first)."""
    found: list[tuple[Hop, ...]] = []
    stack: list[tuple[int, tuple[Hop, ...], frozenset[int]]] = [(subject_id, (), frozenset({subject_id}))]
    while stack and len(found) < PATHS_PER_CONTROLLER:
        node, path, seen = stack.pop()
        for h in sorted(up.get(node, ()), key=lambda h: -h.relation_id):
            if h.holder in seen or len(path) >= CHAIN_MAX_DEPTH:
                continue
            hop = Hop(subject_id=h.holder, kind=RelationKind.SHAREHOLDER.value, direction=IN,
                      relation_id=h.relation_id, share_ratio=h.ratio)
            if h.holder == target:
                found.append((*path, hop))
            else:
                stack.append((h.holder, (*path, hop), seen | {h.holder}))
    return tuple(found)


def ultimate_controllers(*, subject_id: int, as_of: date | None = None) -> list[Controller]:
    """Who stands behind the organization ``subject_id`` on ``as_of``: the holders at the top of its holding chains
    (persons, organizations nobody registered as holding, and the members of a holding cycle nobody outside holds)
    with their integrated shares, largest first; and its declared actual controllers."""
    holdings = _holdings_above(subject_id, as_of)
    shares, exact = holding_shares(subject_id, holdings)
    up: dict[int, list[_Holding]] = defaultdict(list)
    held_by: dict[int, set[int]] = defaultdict(set)
    for h in holdings:
        up[h.held].append(h)
        held_by[h.held].add(h.holder)
    # The top: holders nobody holds, or a cycle (strongly connected component) nobody outside it holds.
    edges_up = {held: sorted(holders) for held, holders in held_by.items()}
    top: set[int] = set()
    for component in _components(sorted(shares), edges_up):
        inside = set(component)
        if subject_id in inside:
            continue
        if all(held_by.get(m, set()) <= inside for m in component):
            top |= inside
    declared = set(
        Relation.objects.filter(in_effect_q(as_of), to_subject_id=subject_id, kind=RelationKind.ACTUAL_CONTROLLER)
        .values_list("from_subject_id", flat=True))
    ids = {sid for sid in top if shares.get(sid, 0) > 0} | declared
    kinds_of = _kinds_of(ids)
    controllers = [
        Controller(subject_id=sid, subject_kind=kinds_of.get(sid, ""), share=shares.get(sid, Fraction(0)),
                   declared=sid in declared, exact=exact,
                   paths=_paths_up(subject_id, sid, up) if sid in shares else ())
        for sid in ids
    ]
    controllers.sort(key=lambda c: (-c.share, not c.declared, c.subject_id))
    return controllers


# --- what firms share -------------------------------------------------------------------------------------------

def legal_representatives_of(*, organization_ids: Collection[int], as_of: date | None = None
                             ) -> dict[int, list[tuple[int, int]]]:
    """Each organization's legal representatives in effect: organization id -> [(person id, relation id)]."""
    found: dict[int, list[tuple[int, int]]] = defaultdict(list)
    rows = (Relation.objects.filter(in_effect_q(as_of), to_subject_id__in=list(organization_ids),
                                    kind=RelationKind.LEGAL_REPRESENTATIVE)
            .order_by("pk").values_list("to_subject_id", "from_subject_id", "pk"))
    for org, person, pk in rows:
        found[org].append((person, pk))
    return dict(found)


def shared_legal_representatives(*, subject_id: int, as_of: date | None = None) -> list[SharedLink]:
    """Other organizations with a legal representative in common with the organization ``subject_id`` (asked about a
    person: the organizations it represents). Two statements."""
    reps = Relation.objects.filter(in_effect_q(as_of), kind=RelationKind.LEGAL_REPRESENTATIVE)
    people = set(reps.filter(to_subject_id=subject_id).values_list("from_subject_id", flat=True))
    if not people:
        people = {subject_id}
    rows = (reps.filter(from_subject_id__in=people).exclude(to_subject_id=subject_id)
            .order_by("to_subject_id", "from_subject_id").values_list("to_subject_id", "from_subject_id").distinct())
    return [SharedLink(subject_id=org, kind="legal_representative", via_subject_id=person) for org, person in rows]


ADDRESS_LIMIT = 500


def shared_addresses(*, subject_id: int, limit: int = ADDRESS_LIMIT) -> list[SharedLink]:
    """Other organizations registered at the same address as ``subject_id`` (the address as registered, trimmed;
    an index on it). At most ``limit`` (a business centre hosts hundreds)."""
    address = (Organization.objects.filter(pk=subject_id).values_list("address", flat=True).first() or "").strip()
    if not address:
        return []
    rows = (Organization.objects.filter(address=address).exclude(pk=subject_id).order_by("pk")
            .values_list("pk", flat=True)[:limit])
    return [SharedLink(subject_id=pk, kind="address", via_address=address) for pk in rows]


def subject_kind_is_organization(subject_id: int) -> bool:
    return Subject.objects.filter(pk=subject_id, kind=SubjectKind.ORGANIZATION).exists()
