"""The pure distributions of a city's credit data: shape, exact totals, list shares, no red/black overlap."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from gongxin.demo import distributions as d

AS_OF = date(2026, 11, 1)
FIRST = date(2019, 7, 1)


@pytest.mark.parametrize("mean", [3.0, 8.0, 14.0])
def test_records_per_organization_most_have_few_and_a_long_tail_has_hundreds(mean: float) -> None:
    distribution = d.organization_counts(mean)
    assert distribution.mean == pytest.approx(mean, rel=1e-3)
    rng = random.Random(1)
    counts = [distribution.draw(rng) for _ in range(50_000)]
    assert sum(counts) / len(counts) == pytest.approx(mean, rel=0.05)
    assert sum(c <= 3 for c in counts) / len(counts) > 0.55
    assert max(counts) <= d.ORGANIZATION_CAP
    assert max(counts) >= 200  # the tail reaches a few hundred
    assert Counter(counts)[d.ORGANIZATION_CAP] < 0.005 * len(counts)  # truncated, not piled up at the cap


def test_the_default_demo_shape_has_most_organizations_at_three_records_or_fewer() -> None:
    # The default demo city: ~180,000 everyday organization records over 30,000 organizations.
    distribution = d.organization_counts(6.0)
    assert distribution.share_at_most(3) > 0.7
    assert distribution.share_at_most(0) > 0.3


def test_persons_have_fewer_records_than_organizations() -> None:
    distribution = d.person_counts(1.0)
    rng = random.Random(2)
    counts = [distribution.draw(rng) for _ in range(20_000)]
    assert sum(c == 0 for c in counts) / len(counts) > 0.6
    assert max(counts) <= d.PERSON_CAP


def test_counts_to_total_hits_the_total_exactly_and_keeps_the_shape() -> None:
    rng = random.Random(3)
    distribution = d.organization_counts(8.0)
    for total in (100_000, 60_000, 0):
        counts = [distribution.draw(rng) for _ in range(10_000)]
        before = sum(counts)
        zeros = sum(c == 0 for c in counts)
        d.counts_to_total(counts, total, rng, cap=d.ORGANIZATION_CAP)
        assert sum(counts) == total
        assert max(counts) <= d.ORGANIZATION_CAP and min(counts) >= 0
        if total > before:  # records go to subjects in proportion to what they have: no zero gains one
            assert sum(c == 0 for c in counts) == zeros
        else:  # records leave at random positions: a subject only loses
            assert sum(c == 0 for c in counts) >= zeros


def test_counts_to_total_refuses_what_cannot_fit_and_fills_an_empty_city() -> None:
    with pytest.raises(ValueError):
        d.counts_to_total([1, 1], 100, random.Random(1), cap=10)
    assert sum(d.counts_to_total([0, 0, 0], 5, random.Random(1))) == 5
    assert d.counts_to_total([0, 0], 4, random.Random(1), cap=2) == [2, 2]


def test_list_shares_are_in_range_and_red_never_overlaps_black() -> None:
    rng = random.Random(4)
    plans = [d.list_plan(rng, d.ORGANIZATION_LISTS, first=FIRST, as_of=AS_OF) for _ in range(50_000)]
    black_now = sum(any(e.is_black and e.start <= AS_OF and (e.end is None or e.end >= AS_OF) for e in p)
                    for p in plans) / len(plans)
    red = sum(any(not e.is_black for e in p) for p in plans) / len(plans)
    assert 0.01 <= black_now <= 0.03
    assert 0.02 <= red <= 0.06
    assert all(d.plan_is_consistent(p) for p in plans)
    assert max(len(p) for p in plans) <= 3  # one or two black entries, a red one after an ended black one
    # Some subjects were on a black list and left it, then earned an honour: after, never during.
    after = [p for p in plans if any(e.is_black for e in p) and any(not e.is_black for e in p)]
    assert after
    for plan in after:
        red_entry = next(e for e in plan if not e.is_black)
        assert all(b.end is not None and b.end < red_entry.start for b in plan if b.is_black)
    for plan in plans:
        for entry in plan:
            assert FIRST <= entry.start <= AS_OF


def test_periods_overlap_with_open_ends() -> None:
    assert d.periods_overlap(date(2024, 1, 1), None, date(2025, 1, 1), date(2025, 2, 1))
    assert not d.periods_overlap(date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1), None)
    assert d.periods_overlap(date(2024, 1, 1), date(2025, 1, 1), date(2025, 1, 1), None)


def test_kinds_follow_the_mix_with_tax_grades_capped() -> None:
    rng = random.Random(5)
    kinds = d.kinds_draw(rng, 400, d.ITEM_MIX["organization"])
    counts = Counter(kinds)
    assert counts.most_common(1)[0][0] == "licence"
    assert counts["penalty"] > counts["commitment"] > 0
    assert counts["tax_grade_a"] <= d.TAX_GRADE_YEARS_MAX
    assert "tax_grade_a" not in d.kinds_draw(rng, 50, d.ITEM_MIX["person"])
    assert set(d.kinds_draw(rng, 50, d.ITEM_MIX["organization"], available=["penalty"])) == {"penalty"}


def test_the_same_seed_draws_the_same_city() -> None:
    one = [d.list_plan(random.Random(i), d.ORGANIZATION_LISTS, first=FIRST, as_of=AS_OF) for i in range(500)]
    two = [d.list_plan(random.Random(i), d.ORGANIZATION_LISTS, first=FIRST, as_of=AS_OF) for i in range(500)]
    assert one == two
