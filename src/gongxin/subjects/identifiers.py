"""Identifier rules: the USCC (GB 32100-2015), the RIN (GB 11643-1999) and older organization codes.

python-stdnum is wrapped rather than used directly, because ``stdnum.cn.uscc`` insists on eight
leading digits (so it rejects valid letter-first codes such as Y1, N1–N3, A1) and ``stdnum.cn.ric``
rejects unknown or retired area codes although identity numbers issued under them stay valid.
We reuse stdnum's USCC alphabet and its area-code table; the check characters are computed here,
from the weights the standards publish (see shared reference credit-rules.md).

Nothing here touches the database: these are pure functions (``rin_lookup_hash`` reads the lookup
key from settings), safe in bulk paths.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from gongxin.core import clock
from gongxin.core.crypto import lookup_hash
from gongxin.subjects.choices import IdentifierScheme, OrganizationKind
from gongxin.subjects.errors import InvalidRin, InvalidUscc

try:  # stdnum is a declared dependency; the fallbacks below only guard a stripped-down install.
    from stdnum.cn import uscc as _stdnum_uscc
except ImportError:  # pragma: no cover
    _stdnum_uscc = None  # type: ignore[assignment]  # the module, or None when stdnum is missing

__all__ = [
    "RIN_CONTEXT",
    "USCC_ALPHABET",
    "InvalidRin",
    "InvalidUscc",
    "RinCheck",
    "alias_scheme_guess",
    "area_is_known",
    "identifier_normalize",
    "rin_check_char",
    "rin_from_15",
    "rin_generate",
    "rin_is_valid",
    "rin_lookup_hash",
    "rin_mask",
    "rin_normalize",
    "rin_validate",
    "uscc_check_char",
    "uscc_generate",
    "uscc_is_valid",
    "uscc_normalize",
    "uscc_org_kind_guess",
    "uscc_validate",
]

# ---------------------------------------------------------------------------------------------------
# Normalization shared by every code
# ---------------------------------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s\-]+")


def _compact(value: str) -> str:
    # NFKC folds full-width letters, digits, hyphens and the ideographic space to their ASCII forms.
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()


# ---------------------------------------------------------------------------------------------------
# USCC — GB 32100-2015
# ---------------------------------------------------------------------------------------------------

USCC_ALPHABET = _stdnum_uscc._alphabet if _stdnum_uscc is not None else "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (1-based) is 3^(i-1) mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
# Registration authority (pos. 1) and organization type (pos. 2) pairs defined by the standard's
# code table, including the letter-first authorities (A: central military commission, N: agriculture,
# Y: other authorities) that stdnum rejects.
USCC_AUTHORITY_TYPES = frozenset((
    "11", "12", "13", "19", "21", "29", "31", "32", "33", "34", "35", "39", "41", "49", "51", "52", "53",
    "59", "61", "62", "69", "71", "72", "79", "81", "89", "91", "92", "93",
    "A1", "A9", "N1", "N2", "N3", "N9", "Y1",
))
_USCC_INDEX = {c: i for i, c in enumerate(USCC_ALPHABET)}


def uscc_normalize(value: str) -> str:
    """Strip, fold full-width characters to half-width, drop spaces and hyphens, upper-case."""
    return _compact(value)


def uscc_check_char(first17: str) -> str:
    """The 18th character for the given first 17 (already normalized): 31 - (Σ cᵢ·wᵢ mod 31), 31 -> '0'."""
    if len(first17) != 17 or any(c not in _USCC_INDEX for c in first17):
        raise InvalidUscc(
            _("The first 17 characters must come from the code alphabet "
              "(digits and letters but I, O, S, V, Z)."),
            details={"reason": "alphabet"},
        )
    total = sum(_USCC_INDEX[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_validate(value: str) -> str:
    """Return the normalized USCC or raise ``InvalidUscc`` saying why (``details["reason"]``).

    Checked: length, alphabet, registration-authority/type pair, 6-digit division, check character.
    The inner organization code (pos. 9-17) is not checked against GB 11714: codes issued without a
    valid inner check exist and are legally valid.
    """
    code = uscc_normalize(value)
    if len(code) != 18:
        raise InvalidUscc(
            _("A unified social credit code has 18 characters; this one has %(length)d.")
            % {"length": len(code)},
            details={"reason": "length"},
        )
    bad = sorted({c for c in code if c not in _USCC_INDEX})
    if bad:
        raise InvalidUscc(
            _("A unified social credit code uses digits and the letters A-Y without I, O, S, V, Z; "
              "it may not contain %(chars)s.") % {"chars": " ".join(bad)},
            details={"reason": "alphabet"},
        )
    if code[:2] not in USCC_AUTHORITY_TYPES:
        raise InvalidUscc(
            _("%(pair)s is not a registration authority and organization type of the standard.")
            % {"pair": code[:2]},
            details={"reason": "authority_type"},
        )
    if not code[2:8].isdigit():
        raise InvalidUscc(
            _("Characters 3 to 8 (the administrative division) must be digits."),
            details={"reason": "division"},
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidUscc(
            _("The check character does not match: the code is mistyped."),
            details={"reason": "check"},
        )
    return code


def uscc_is_valid(value: str) -> bool:
    try:
        uscc_validate(value)
    except InvalidUscc:
        return False
    return True


def uscc_generate(*, prefix: str, division: str, org_code: str) -> str:
    """Build a valid USCC from its parts (demo and tests): ``prefix`` is the authority/type pair."""
    prefix, division, org_code = uscc_normalize(prefix), uscc_normalize(division), uscc_normalize(org_code)
    if prefix not in USCC_AUTHORITY_TYPES:
        raise InvalidUscc(
            _("%(pair)s is not a registration authority and organization type of the standard.")
            % {"pair": prefix},
            details={"reason": "authority_type"},
        )
    if len(division) != 6 or not division.isdigit():
        raise InvalidUscc(
            _("Characters 3 to 8 (the administrative division) must be digits."),
            details={"reason": "division"},
        )
    if len(org_code) != 9:
        raise InvalidUscc(_("The organization code has 9 characters."), details={"reason": "length"})
    first17 = prefix + division + org_code
    return first17 + uscc_check_char(first17)


def uscc_org_kind_guess(uscc: str) -> OrganizationKind:
    """The organization kind the authority/type pair suggests (a default for subjects met in records)."""
    pair = uscc_normalize(uscc)[:2]
    if pair in ("91", "93"):  # enterprises; farmers' cooperatives
        return OrganizationKind.ENTERPRISE
    if pair == "92":
        return OrganizationKind.INDIVIDUAL_BUSINESS
    if pair == "11":  # organs of state (机关)
        return OrganizationKind.GOVERNMENT
    if pair == "12":
        return OrganizationKind.PUBLIC_INSTITUTION
    if pair == "13" or pair[:1] == "5":  # mass organizations; social organizations of civil affairs
        return OrganizationKind.SOCIAL_ORGANIZATION
    return OrganizationKind.OTHER


# ---------------------------------------------------------------------------------------------------
# RIN — GB 11643-1999
# ---------------------------------------------------------------------------------------------------

# ISO 7064 MOD 11-2: weight of position i (1-based) is 2^(18-i) mod 11.
RIN_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
# No one alive was born before this; a date earlier than it is a typing error.
RIN_EARLIEST_BIRTH = date(1850, 1, 1)
# Province-level prefixes of GB/T 2260 (plus 71 Taiwan, 81/82 Hong Kong/Macao residence permits, 83 Taiwan
# residence permits and 9x permanent residence cards of foreigners): the plausibility fallback.
_PROVINCE_PREFIXES = frozenset((
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
    "83", "91", "92", "93", "94", "95", "96", "97", "98", "99",
))


@dataclass(frozen=True)
class RinCheck:
    rin: str
    birth_date: date
    is_male: bool
    # False when the area code is unknown to the reference table or retired: still valid (old IDs stay
    # valid), but worth a warning in an ingest report.
    known_area: bool

    @property
    def area(self) -> str:
        return self.rin[:6]


def rin_normalize(value: str) -> str:
    """Strip, fold full-width characters, drop spaces and hyphens, upper-case (x -> X)."""
    return _compact(value)


def rin_check_char(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise InvalidRin(_("The first 17 characters must be digits."), details={"reason": "format"})
    remainder = (12 - sum(int(c) * w for c, w in zip(first17, RIN_WEIGHTS, strict=True)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def rin_validate(value: str) -> RinCheck:
    """Validate an 18-character RIN; raise ``InvalidRin`` for bad length, characters, date or check."""
    rin = rin_normalize(value)
    if len(rin) != 18:
        raise InvalidRin(
            _("A resident identity number has 18 characters; this one has %(length)d.")
            % {"length": len(rin)},
            details={"reason": "length"},
        )
    if not (rin[:17].isascii() and rin[:17].isdigit()) or not (rin[17].isdigit() or rin[17] == "X"):
        raise InvalidRin(
            _("A resident identity number has 17 digits followed by a digit or X."),
            details={"reason": "format"},
        )
    try:
        birth = date(int(rin[6:10]), int(rin[10:12]), int(rin[12:14]))
    except ValueError:
        birth = None
    if birth is None or not (RIN_EARLIEST_BIRTH <= birth <= clock.today()):
        raise InvalidRin(
            _("Characters 7 to 14 are not a possible date of birth."), details={"reason": "birth_date"}
        )
    if rin[17] != rin_check_char(rin[:17]):
        raise InvalidRin(
            _("The check character does not match: the number is mistyped."), details={"reason": "check"}
        )
    return RinCheck(
        rin=rin, birth_date=birth, is_male=int(rin[16]) % 2 == 1, known_area=area_is_known(rin[:6])
    )


def rin_is_valid(value: str) -> bool:
    try:
        rin_validate(value)
    except InvalidRin:
        return False
    return True


def rin_generate(*, area: str, birth_date: date, sequence: int) -> str:
    """Build a valid RIN (demo and tests). ``sequence`` 0–999: odd for men, even for women."""
    if len(area) != 6 or not area.isdigit():
        raise InvalidRin(_("The area code has 6 digits."), details={"reason": "format"})
    if not 0 <= sequence <= 999:
        raise InvalidRin(_("The order number has 3 digits."), details={"reason": "format"})
    first17 = f"{area}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + rin_check_char(first17)


def rin_mask(rin: str) -> str:
    """The form third parties see: the last 4 characters only, ``**************123X`` (decision 029).

    The area code and birth date are hidden too: with them, the 4 last characters left about 4,000
    candidates per day of birth, which an oracle could try in minutes; without them, tens of millions."""
    rin = rin_normalize(rin)
    if len(rin) <= 8:
        return "*" * len(rin)
    return "*" * (len(rin) - 4) + rin[-4:]


# Associated data of the sealed RIN and domain of its lookup hash.
RIN_CONTEXT = b"person.rin"


def rin_lookup_hash(rin: str) -> str:
    """The keyed (HMAC) lookup hash of a normalized RIN: equality search without the plain value."""
    return lookup_hash(rin, context=RIN_CONTEXT)


def rin_from_15(value: str) -> str:
    """Upgrade a first-generation 15-digit number (YYMMDD, all born 19xx) to its 18-character form."""
    old = rin_normalize(value)
    if len(old) != 15 or not old.isdigit():
        raise InvalidRin(_("A first-generation identity number has 15 digits."), details={"reason": "length"})
    first17 = old[:6] + "19" + old[6:]
    return rin_validate(first17 + rin_check_char(first17)).rin


@lru_cache(maxsize=8192)
def area_is_known(area: str) -> bool:
    """Whether a 6-digit area code is current in stdnum's GB/T 2260 table (plausibility check without it)."""
    try:
        from stdnum import numdb

        parts = numdb.get("cn/loc").info(area)
    except (ImportError, OSError):  # pragma: no cover - only without stdnum's data file
        return area[:2] in _PROVINCE_PREFIXES and area[2:] != "0000"
    counties = {k: v for _part, props in parts for k, v in props.items()}.get("county")
    if not counties:
        return False
    # Entries look like "东城区" (current) or "[1983-2016]江东区" / "[1983-]海曙区" (with validity years).
    for entry in counties.split(","):
        if not entry.startswith("["):
            return True
        period = entry[1:].split("]", 1)[0]
        if period.endswith("-"):
            return True
    return False


# ---------------------------------------------------------------------------------------------------
# Older organization codes (aliases resolved to the USCC)
# ---------------------------------------------------------------------------------------------------

_ALNUM = re.compile(r"^[0-9A-Z]+$")


def identifier_normalize(value: str) -> str:
    """Normal form of an alias code: as for the USCC (spaces and hyphens dropped, upper-case)."""
    return _compact(value)


def alias_scheme_guess(value: str) -> IdentifierScheme | None:
    """Best-effort guess of which older code ``value`` is; ``None`` for a USCC or an unknown shape.

    - 工商注册号: 15 digits.
    - 组织机构代码 (GB 11714): 8 characters and a check character, often written ``XXXXXXXX-X``.
    - 税务登记号: 15–20 characters (division + organization code, or the owner's ID number + digits).
    - 事业单位法人证书号: 12 digits or text with 事证; 社会组织登记证号: text with 民证 / 社证.
    """
    raw = unicodedata.normalize("NFKC", value or "")
    if "事证" in raw:
        return IdentifierScheme.INSTITUTION_CERTIFICATE
    if "民证" in raw or "社证" in raw:
        return IdentifierScheme.SOCIAL_ORGANIZATION_CERTIFICATE
    code = identifier_normalize(raw)
    if not code or not _ALNUM.match(code):
        return None
    if len(code) == 18 and uscc_is_valid(code):
        return None
    if len(code) == 15 and code.isdigit():
        return IdentifierScheme.REGISTRATION_NUMBER
    if len(code) == 9:
        return IdentifierScheme.ORGANIZATION_CODE
    if len(code) == 12 and code.isdigit():
        return IdentifierScheme.INSTITUTION_CERTIFICATE
    if 15 <= len(code) <= 20:
        return IdentifierScheme.TAX_NUMBER
    return None
