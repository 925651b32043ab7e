"""Realistic distributions of a city's credit data: pure functions of a ``random.Random``, no database.

What a city looks like, and what the demo city and the city-scale benchmark draw from:

- **records per subject** — a discrete lognormal truncated at a cap: most organizations have 0–3 records,
  a long tail reaches a few hundred (the big licensed firms), persons have fewer still
  (``CountDistribution.lognormal``); ``counts_to_total`` then moves a few records so a city of N
  subjects holds exactly the records asked for, keeping the shape;
- **lists** — ~2 % of organizations on a black list now (a dishonest judgment debtor or a serious
  dishonesty list), ~0.5 % more that were and have left it, a few of them on two; ~4 % on the red list
  (an honour). A subject is never on the red and a black list for overlapping periods (``list_plan``);
- **the catalog item mix** — which kinds of record a subject's records are, by kind of subject
  (``ITEM_MIX``, ``kinds_draw``): licences first, then penalties, commitments, tax grade A.

Everything takes the ``Random`` it draws from, so callers seed per subject (random access, the same city for
the same seed) or per stream. The numbers are the shape of a city, not of its law: publicity and retention
come from policy (catalog), never from here.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

# ---------------------------------------------------------------------------------------------------
# Records per subject
# ---------------------------------------------------------------------------------------------------

# Organizations: a wide lognormal — with a mean of 8 records, ~70 % have 0–3 and ~1.5 % have 100 or more.
ORGANIZATION_SIGMA = 2.0
ORGANIZATION_CAP = 400
# Persons: most have none; a practising doctor or a driver has a few.
PERSON_SIGMA = 1.5
PERSON_CAP = 40


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


@dataclass(frozen=True)
class CountDistribution:
    """``floor(exp(N(mu, sigma)))`` conditioned on being at most ``cap``; ``cdf[k]`` = P(count <= k)."""

    mu: float
    sigma: float
    cap: int
    cdf: tuple[float, ...]

    @classmethod
    def at(cls, *, mu: float, sigma: float, cap: int) -> CountDistribution:
        if sigma <= 0 or cap < 0:
            raise ValueError("sigma must be positive and cap not negative")
        raw = [_normal_cdf((math.log(k + 1) - mu) / sigma) for k in range(cap + 1)]
        total = raw[-1]
        return cls(mu=mu, sigma=sigma, cap=cap, cdf=tuple(min(1.0, c / total) for c in raw))

    @classmethod
    def lognormal(cls, *, mean: float, sigma: float, cap: int) -> CountDistribution:
        """The distribution of this shape (``sigma``, ``cap``) whose mean is ``mean`` (0 <= mean < cap)."""
        if not 0 <= mean < cap:
            raise ValueError(f"mean {mean} must lie in [0, {cap})")
        if mean == 0:
            return cls(mu=-math.inf, sigma=sigma, cap=cap, cdf=(1.0,) * (cap + 1))
        low, high = -30.0, math.log(cap + 1) + 10 * sigma
        for _ in range(80):  # bisection: the mean grows with mu
            middle = (low + high) / 2
            if cls.at(mu=middle, sigma=sigma, cap=cap).mean < mean:
                low = middle
            else:
                high = middle
        return cls.at(mu=(low + high) / 2, sigma=sigma, cap=cap)

    @property
    def mean(self) -> float:
        # E[X] = sum over k >= 1 of P(X >= k)
        return sum(1.0 - c for c in self.cdf[:-1])

    def share_at_most(self, k: int) -> float:
        return 1.0 if k >= self.cap else self.cdf[k] if k >= 0 else 0.0

    def draw(self, rng: random.Random) -> int:
        return min(self.cap, bisect.bisect_right(self.cdf, rng.random()))


def organization_counts(mean: float) -> CountDistribution:
    return CountDistribution.lognormal(mean=mean, sigma=ORGANIZATION_SIGMA, cap=ORGANIZATION_CAP)


def person_counts(mean: float) -> CountDistribution:
    return CountDistribution.lognormal(mean=mean, sigma=PERSON_SIGMA, cap=PERSON_CAP)


def counts_to_total(counts: list[int], total: int, rng: random.Random, *, cap: int | None = None) -> list[int]:
    """Make ``counts`` sum to ``total`` (in place, and returned), keeping their shape: surplus records are
    removed at random positions among all records (a subject loses in proportion to what it has), missing
    ones are added to subjects in proportion to what they have (to any subject when all have none), never
    past ``cap``."""
    if total < 0:
        raise ValueError("total must not be negative")
    current = sum(counts)
    if current > total:
        bounds = list(itertools.accumulate(counts))
        for position in sorted(rng.sample(range(current), current - total)):
            counts[bisect.bisect_right(bounds, position)] -= 1
        return counts
    missing = total - current
    if missing and not counts:
        raise ValueError("no subjects to put records on")
    limit = cap if cap is not None else math.inf
    open_slots = sum(max(0, limit - c) for c in counts) if cap is not None else math.inf
    if missing > open_slots:
        raise ValueError(f"{total} records do not fit {len(counts)} subjects of at most {cap}")
    while missing:
        weights = counts if current else [1] * len(counts)
        bounds = list(itertools.accumulate(weights))
        added = 0
        for _ in range(missing):
            index = bisect.bisect_right(bounds, rng.random() * bounds[-1])
            index = min(index, len(counts) - 1)
            if counts[index] < limit:
                counts[index] += 1
                added += 1
        missing -= added
        current += added
        if not added:  # the weighted subjects are full: spread the rest over any subject with room
            for index in range(len(counts)):
                room = int(min(missing, limit - counts[index]))
                counts[index] += room
                missing -= room
                if not missing:
                    break
    return counts


# ---------------------------------------------------------------------------------------------------
# The catalog item mix
# ---------------------------------------------------------------------------------------------------

# Record kinds (catalog ``record_kind``) a subject's everyday records are, by kind of subject. List kinds
# (judgment_debtor, serious_dishonesty, honour) are not drawn here: ``list_plan`` decides them per subject.
ITEM_MIX: dict[str, dict[str, float]] = {
    "organization": {"licence": 50.0, "penalty": 24.0, "commitment": 13.0, "tax_grade_a": 6.0,
                     "voluntary_performance": 2.5},
    "individual_business": {"licence": 55.0, "penalty": 30.0, "commitment": 12.0, "voluntary_performance": 1.0},
    "person": {"licence": 55.0, "penalty": 20.0, "commitment": 15.0, "voluntary_performance": 5.0},
}
# Grades of a year are published once: at most one tax grade A record per subject and year.
TAX_GRADE_YEARS_MAX = 7


def kinds_draw(rng: random.Random, count: int, mix: dict[str, float], *, available: Sequence[str] = ()) -> list[str]:
    """``count`` record kinds drawn from ``mix`` (only those in ``available`` when given), at most
    ``TAX_GRADE_YEARS_MAX`` tax grades (the rest become licences)."""
    kinds = [k for k in mix if not available or k in available]
    if not kinds or count <= 0:
        return []
    drawn = rng.choices(kinds, [mix[k] for k in kinds], k=count)
    fallback = "licence" if "licence" in kinds else kinds[0]
    taxes = 0
    for position, kind in enumerate(drawn):
        if kind == "tax_grade_a":
            taxes += 1
            if taxes > TAX_GRADE_YEARS_MAX:
                drawn[position] = fallback
    return drawn


# ---------------------------------------------------------------------------------------------------
# Red and black lists
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListShares:
    """Shares of subjects on lists as of the city's day."""

    black_now: float  # on a black list now
    black_past: float  # were on a serious dishonesty list, have left it
    black_second: float  # of the black-listed, share on a second black list too
    red: float  # on the red list (an honour), never while on a black list


ORGANIZATION_LISTS = ListShares(black_now=0.02, black_past=0.005, black_second=0.1, red=0.04)
PERSON_LISTS = ListShares(black_now=0.006, black_past=0.002, black_second=0.05, red=0.004)

# How long an entry lasts (list types' default durations; a judgment debtor stays listed until performance).
JUDGMENT_DEBTOR_YEARS = 2
SERIOUS_DISHONESTY_YEARS = 3
HONOUR_YEARS = 3


@dataclass(frozen=True)
class PlannedEntry:
    """A list record to generate: its record kind and the period it covers (``end`` None: open)."""

    kind: str  # "judgment_debtor" | "serious_dishonesty" | "honour"
    start: date
    end: date | None

    @property
    def is_black(self) -> bool:
        return self.kind != "honour"

    def overlaps(self, other: PlannedEntry) -> bool:
        return periods_overlap(self.start, self.end, other.start, other.end)


def periods_overlap(start_a: date, end_a: date | None, start_b: date, end_b: date | None) -> bool:
    """Do [start_a, end_a] and [start_b, end_b] share a day (None: no end)?"""
    return (end_b is None or start_a <= end_b) and (end_a is None or start_b <= end_a)


def _years(start: date, years: int) -> date:
    return start + timedelta(days=365 * years)


def _day(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def list_plan(rng: random.Random, shares: ListShares, *, first: date, as_of: date) -> tuple[PlannedEntry, ...]:
    """The list entries of one subject whose records may start on ``first``: none for most; black entries
    (now, or past and ended), a red entry only outside every black period."""
    plan: list[PlannedEntry] = []
    roll = rng.random()
    if roll < shares.black_now:
        plan.append(_black_now(rng, first=first, as_of=as_of))
        if rng.random() < shares.black_second:
            plan.append(_black_now(rng, first=first, as_of=as_of))
    elif roll < shares.black_now + shares.black_past:
        latest = as_of - timedelta(days=365 * SERIOUS_DISHONESTY_YEARS + 30)
        if latest > first:
            start = _day(rng, first, latest)
            plan.append(PlannedEntry("serious_dishonesty", start, _years(start, SERIOUS_DISHONESTY_YEARS)))
    if rng.random() < shares.red:
        red = _red(rng, plan, first=first, as_of=as_of)
        if red is not None:
            plan.append(red)
    return tuple(plan)


def _black_now(rng: random.Random, *, first: date, as_of: date) -> PlannedEntry:
    if rng.random() < 0.6:
        start = _day(rng, max(first, as_of - timedelta(days=365 * JUDGMENT_DEBTOR_YEARS)), as_of)
        return PlannedEntry("judgment_debtor", start, None)
    start = _day(rng, max(first, as_of - timedelta(days=365 * SERIOUS_DISHONESTY_YEARS - 1)), as_of)
    return PlannedEntry("serious_dishonesty", start, _years(start, SERIOUS_DISHONESTY_YEARS))


def _red(rng: random.Random, black: Sequence[PlannedEntry], *, first: date, as_of: date) -> PlannedEntry | None:
    # An honour is awarded only to a subject on no black list; after an ended black entry, a later one may be.
    earliest = first
    for entry in black:
        if entry.end is None or entry.end >= as_of:
            return None
        earliest = max(earliest, entry.end + timedelta(days=1))
    if earliest > as_of:
        return None
    start = _day(rng, earliest, as_of)
    red = PlannedEntry("honour", start, _years(start, HONOUR_YEARS))
    return None if any(red.overlaps(entry) for entry in black) else red


def plan_is_consistent(plan: Sequence[PlannedEntry]) -> bool:
    """No red entry overlaps a black one."""
    reds = [e for e in plan if not e.is_black]
    blacks = [e for e in plan if e.is_black]
    return not any(r.overlaps(b) for r in reds for b in blacks)
