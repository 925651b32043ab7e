"""Keyset paging and honest counts (core.paging), over a small table with a nullable date (holiday
arrangements: ``published_on`` desc, nulls last, then id desc) — on SQLite and PostgreSQL alike."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone, translation

from gongxin.core.models import HolidayArrangement
from gongxin.core.paging import (
    LAST,
    CursorInvalid,
    HonestCount,
    Keyset,
    SortKey,
    count_honest,
    keyset_chunks,
    keyset_page,
)

pytestmark = pytest.mark.django_db

KEYSET = Keyset(name="tests.arrangements", keys=(
    SortKey("published_on", "date", nullable=True),
    SortKey("id", "int"),
))
_years = iter(range(1000, 30000))


def _add(count: int, *, rng: random.Random, null_share: float = 0.2) -> None:
    """``count`` rows; many share a date (ties broken by id), some have none."""
    HolidayArrangement.objects.bulk_create([
        HolidayArrangement(
            year=next(_years), source="test", entered_at=timezone.now(),
            published_on=None if rng.random() < null_share else date(2020, 1, 1) + timedelta(days=rng.randrange(12)),
        )
        for _ in range(count)
    ])


def _expected() -> list[int]:
    """The list's order computed here, not by the database: date desc, nulls last, then id desc."""
    rows = list(HolidayArrangement.objects.values_list("published_on", "id"))
    dated = sorted((r for r in rows if r[0] is not None), key=lambda r: (r[0], r[1]), reverse=True)
    undated = sorted((r for r in rows if r[0] is None), key=lambda r: r[1], reverse=True)
    return [r[1] for r in dated + undated]


def _ids(page) -> list[int]:
    return [row.pk for row in page.items]


def _walk_forward(size: int) -> list[int]:
    queryset = HolidayArrangement.objects.all()
    seen: list[int] = []
    page = keyset_page(queryset, keyset=KEYSET, cursor=None, size=size)
    seen += _ids(page)
    while page.next_cursor:
        page = keyset_page(queryset, keyset=KEYSET, cursor=page.next_cursor, size=size)
        seen += _ids(page)
    return seen


def test_forward_walk_reads_every_row_once_in_order():
    _add(83, rng=random.Random(1))
    assert _walk_forward(size=10) == _expected()


def test_backward_walk_from_the_last_page_reads_every_row_once():
    _add(57, rng=random.Random(2))
    queryset = HolidayArrangement.objects.all()
    page = keyset_page(queryset, keyset=KEYSET, cursor=LAST, size=10)
    assert page.is_last and not page.is_first
    pages = [_ids(page)]
    while page.previous_cursor:
        page = keyset_page(queryset, keyset=KEYSET, cursor=page.previous_cursor, size=10)
        pages.insert(0, _ids(page))
    # Backwards the pages are aligned on the end; reaching the start serves the full first page, which may
    # overlap the page after it (57 rows: 10 + the last 50, pages of 10).
    order = _expected()
    assert [row for rows in pages[1:] for row in rows] == order[-50:]
    assert pages[0] == order[:10] and page.is_first
    assert all(len(rows) == 10 for rows in pages)


def test_previous_of_the_second_page_is_the_first_page_and_next_comes_back():
    _add(35, rng=random.Random(3))
    queryset = HolidayArrangement.objects.all()
    first = keyset_page(queryset, keyset=KEYSET, cursor="", size=10)
    second = keyset_page(queryset, keyset=KEYSET, cursor=first.next_cursor, size=10)
    back = keyset_page(queryset, keyset=KEYSET, cursor=second.previous_cursor, size=10)
    assert _ids(back) == _ids(first) and back.is_first
    again = keyset_page(queryset, keyset=KEYSET, cursor=back.next_cursor, size=10)
    assert _ids(again) == _ids(second)


def test_no_gaps_or_repeats_while_rows_are_added_between_page_loads():
    """Rows added above and below the reader's position between two page loads: the reader sees every row
    that was there when it started, none twice, in order; of the added rows, those that fall after its
    position are read too."""
    rng = random.Random(4)
    _add(120, rng=rng)
    before = set(_expected())
    queryset = HolidayArrangement.objects.all()
    seen: list[int] = []
    page = keyset_page(queryset, keyset=KEYSET, cursor=None, size=9)
    seen += _ids(page)
    while page.next_cursor:
        _add(7, rng=rng)  # another department publishes while the reader reads
        page = keyset_page(queryset, keyset=KEYSET, cursor=page.next_cursor, size=9)
        seen += _ids(page)
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert before <= set(seen), "a row that was there from the start was skipped"
    order = _expected()
    positions = [order.index(pk) for pk in seen]
    assert positions == sorted(positions), "the pages left the list's order"


def test_a_cursor_past_the_end_serves_the_last_page():
    _add(25, rng=random.Random(5), null_share=0)
    queryset = HolidayArrangement.objects.all()
    last = keyset_page(queryset, keyset=KEYSET, cursor=LAST, size=10)
    after_end = KEYSET.cursor_make(HolidayArrangement.objects.get(pk=_expected()[-1]), before=False)
    page = keyset_page(queryset, keyset=KEYSET, cursor=after_end, size=10)
    assert _ids(page) == _ids(last) and page.is_last


@pytest.mark.parametrize("token", [
    "garbage",
    "eyJiIjowLCJ2IjpbIjIwMjAtMDEtMDEiLDFdfQ:forged",
    "x" * 300,
])
def test_a_bad_cursor_is_a_clear_400(token):
    with pytest.raises(CursorInvalid) as caught:
        keyset_page(HolidayArrangement.objects.all(), keyset=KEYSET, cursor=token, size=10)
    assert caught.value.status == 400 and caught.value.code == "paging.cursor_invalid"


def test_a_cursor_of_another_list_or_with_wrong_types_is_refused():
    _add(3, rng=random.Random(6), null_share=0)
    row = HolidayArrangement.objects.first()
    other = Keyset(name="tests.other", keys=KEYSET.keys)
    with pytest.raises(CursorInvalid):
        KEYSET.cursor_read(other.cursor_make(row, before=False))
    # Signed by this list, but the values are not of the keys' kinds (an older order, say).
    signer = KEYSET._signer()
    for values in (["not a date", 1], ["2020-01-01", "1"], ["2020-01-01", None], ["2020-01-01"], [True, 1]):
        with pytest.raises(CursorInvalid):
            KEYSET.cursor_read(signer.sign_object({"b": 0, "v": values}))
    assert KEYSET.cursor_read(signer.sign_object({"b": 1, "v": [None, 5]})) == (True, [None, 5])


def test_chunks_read_everything_in_order():
    _add(47, rng=random.Random(7))
    chunks = list(keyset_chunks(HolidayArrangement.objects.all(), keyset=KEYSET, chunk_size=10))
    assert [len(chunk) for chunk in chunks] == [10, 10, 10, 10, 7]
    assert [row.pk for chunk in chunks for row in chunk] == _expected()


def test_honest_count_is_exact_when_small_and_honest_when_not():
    _add(12, rng=random.Random(8))
    queryset = HolidayArrangement.objects.all()
    assert count_honest(queryset, exact_up_to=20) == HonestCount(12, "exact")
    big = count_honest(queryset, exact_up_to=5)
    if connection.vendor == "postgresql":
        assert big == HonestCount(5, "at_least") or (big.exactness == "about" and big.value > 5)
    else:
        assert big == HonestCount(5, "at_least")
    assert count_honest(queryset, exact_up_to=5, estimate=lambda qs: 1_234_567) == HonestCount(1_230_000, "about")
    # An estimate below what was counted says nothing more than "more than 5".
    assert count_honest(queryset, exact_up_to=5, estimate=lambda qs: 3) == HonestCount(5, "at_least")
    # Nor does a small one (below estimate_above, 10,000 by default): the planner may be wrong tenfold.
    assert count_honest(queryset, exact_up_to=5, estimate=lambda qs: 1_743) == HonestCount(5, "at_least")
    assert count_honest(queryset, exact_up_to=5, estimate=lambda qs: 1_743,
                        estimate_above=100) == HonestCount(1_740, "about")


def test_honest_count_walking_the_order_counts_the_same():
    _add(12, rng=random.Random(9))
    queryset = HolidayArrangement.objects.all()
    assert count_honest(queryset, exact_up_to=20, walk=KEYSET) == HonestCount(12, "exact")
    assert count_honest(queryset.filter(pk__in=_expected()[:7]), exact_up_to=20, walk=KEYSET).value == 7
    assert count_honest(queryset, exact_up_to=5, walk=KEYSET).exactness in {"at_least", "about"}


def test_honest_count_reads_honestly_in_both_languages():
    with translation.override("zh-hans"):
        assert str(HonestCount(1_230_000, "about")) == "约 1,230,000"
        assert str(HonestCount(10_000, "at_least")) == "10,000+"
        assert str(HonestCount(42, "exact")) == "42"
    with translation.override("en"):
        assert str(HonestCount(1_230_000, "about")) == "about 1,230,000"
