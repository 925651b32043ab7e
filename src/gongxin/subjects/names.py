"""Names of subjects as searched: pinyin initials, and how a search query is read.

``name_initials("宁波万业贸易有限公司") == "nbwymyyxgs"``: the first letter of each character's pinyin
(pypinyin's default reading, phrase-aware, no heteronyms), letters and digits of other scripts kept as
they are, all lowercase, everything else (brackets, spaces, punctuation) dropped. Stored on
``Subject.name_initials`` for organizations so that "nbwy" finds 宁波万业….

Pure functions, no database: safe in bulk paths and in migrations.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin

from gongxin.subjects.identifiers import USCC_ALPHABET, uscc_normalize

INITIALS_MAX_LENGTH = 200


def name_initials(name: str) -> str:
    """Lowercase pinyin initials of ``name`` (see the module's docstring); ``""`` for a blank name."""
    text = unicodedata.normalize("NFKC", name or "").strip()
    if not text:
        return ""
    pieces = lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default", strict=False)
    initials = "".join(c for piece in pieces for c in piece.lower() if c.isascii() and c.isalnum())
    return initials[:INITIALS_MAX_LENGTH]


class QueryKind(enum.StrEnum):
    NAME = "name"  # a part of the name (anything with Chinese characters, or punctuation)
    INITIALS = "initials"  # ASCII letters only: pinyin initials (and Latin words of names)
    USCC = "uscc"  # digits, maybe with USCC letters: the beginning of a USCC


@dataclass(frozen=True)
class SearchQuery:
    """How the public search reads a query: what to match, against what."""

    kind: QueryKind
    term: str  # name: the query as typed (NFKC, spaces collapsed); initials: lowercase; uscc: normalized


def search_query_parse(q: str) -> SearchQuery | None:
    """Read a search box's text; ``None`` when there is nothing to search.

    - ASCII letters only ("nbwy", "NBWY", "ibm") → pinyin initials, case-insensitive;
    - digits, possibly with USCC letters ("913302", "91330200ma2h") → the beginning of a USCC;
    - anything else (Chinese, mixed "IBM中国", "3-M") → a part of the name.
    """
    term = " ".join(unicodedata.normalize("NFKC", q or "").split())
    if not term:
        return None
    if term.isascii() and term.isalpha():
        return SearchQuery(QueryKind.INITIALS, term.lower())
    code = uscc_normalize(term)
    if (term.isascii() and any(c.isdigit() for c in code) and len(code) <= 18
            and all(c in USCC_ALPHABET for c in code)):
        return SearchQuery(QueryKind.USCC, code)
    return SearchQuery(QueryKind.NAME, term)
