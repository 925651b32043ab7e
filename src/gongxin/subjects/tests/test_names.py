"""Pinyin initials of names, and how the search box's text is read."""

from __future__ import annotations

import pytest

from gongxin.subjects.names import QueryKind, SearchQuery, name_initials, search_query_parse


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("宁波万业贸易有限公司", "nbwymyyxgs"),
        ("重庆长江实业有限公司", "cqcjsyyxgs"),  # phrase readings: 重庆 chóngqìng, 长江 chángjiāng
        ("宁波银行股份有限公司", "nbyhgfyxgs"),  # 银行 yínháng, not yínxíng
        ("IBM（中国）有限公司", "ibmzgyxgs"),  # Latin words kept, lowercase; brackets dropped
        ("ＡＢＣ科技", "abckj"),  # full-width letters folded
        ("3M中国", "3mzg"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_name_initials(name: str, initials: str) -> None:
    assert name_initials(name) == initials


def test_initials_fit_the_column() -> None:
    assert len(name_initials("A" * 150 + "宁" * 100)) == 200


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("nbwy", SearchQuery(QueryKind.INITIALS, "nbwy")),
        (" NBwy ", SearchQuery(QueryKind.INITIALS, "nbwy")),
        ("ｎｂ", SearchQuery(QueryKind.INITIALS, "nb")),
        ("913302", SearchQuery(QueryKind.USCC, "913302")),
        ("91330200 ma2h", SearchQuery(QueryKind.USCC, "91330200MA2H")),
        ("９１３３", SearchQuery(QueryKind.USCC, "9133")),
        ("万业", SearchQuery(QueryKind.NAME, "万业")),
        ("IBM 中国", SearchQuery(QueryKind.NAME, "IBM 中国")),
        ("甬江  贸易", SearchQuery(QueryKind.NAME, "甬江 贸易")),
        ("330203********1234", SearchQuery(QueryKind.NAME, "330203********1234")),
        ("100%", SearchQuery(QueryKind.NAME, "100%")),
        ("9133020000000000000", SearchQuery(QueryKind.NAME, "9133020000000000000")),  # longer than a USCC
    ],
)
def test_search_query_parse(q: str, expected: SearchQuery) -> None:
    assert search_query_parse(q) == expected


def test_blank_query_is_nothing() -> None:
    assert search_query_parse("") is None
    assert search_query_parse(" \u3000 ") is None
