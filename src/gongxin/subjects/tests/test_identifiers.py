"""Identifier rules: USCC (GB 32100) and RIN (GB 11643) check characters, letter-first USCCs,
area codes, masking and the guess of older code schemes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from gongxin.core import clock
from gongxin.subjects.choices import IdentifierScheme, OrganizationKind
from gongxin.subjects.identifiers import (
    USCC_ALPHABET,
    USCC_AUTHORITY_TYPES,
    InvalidRin,
    InvalidUscc,
    alias_scheme_guess,
    rin_check_char,
    rin_from_15,
    rin_generate,
    rin_mask,
    rin_normalize,
    rin_validate,
    uscc_check_char,
    uscc_generate,
    uscc_normalize,
    uscc_org_kind_guess,
    uscc_validate,
)

digits = st.text(alphabet="0123456789", min_size=6, max_size=6)
org_codes = st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9)
prefixes = st.sampled_from(sorted(USCC_AUTHORITY_TYPES))
valid_usccs = st.builds(lambda p, d, o: uscc_generate(prefix=p, division=d, org_code=o), prefixes, digits, org_codes)
valid_rins = st.builds(
    lambda a, b, s: rin_generate(area=a, birth_date=b, sequence=s),
    digits,
    st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    st.integers(min_value=0, max_value=999),
)


# --- USCC ---------------------------------------------------------------------------------------------


@given(valid_usccs)
def test_generated_usccs_always_validate(code: str) -> None:
    assert uscc_validate(code) == code


@given(valid_usccs, st.data())
def test_any_single_character_change_of_a_uscc_is_rejected(code: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from(USCC_ALPHABET + "IOSVZ"))
    assume(replacement != code[position])
    changed = code[:position] + replacement + code[position + 1:]
    with pytest.raises(InvalidUscc) as caught:
        uscc_validate(changed)
    assert caught.value.code == "subject.invalid_uscc"


@given(st.text(alphabet="0123456789", min_size=8, max_size=8), org_codes)
def test_check_character_agrees_with_stdnum_for_digit_first_codes(first8: str, org_code: str) -> None:
    assert uscc_check_char(first8 + org_code) == stdnum_uscc.calc_check_digit(first8 + org_code)


@pytest.mark.parametrize("prefix", ["Y1", "N1", "N2", "N3", "N9", "A1", "A9"])
def test_letter_first_codes_are_accepted_though_stdnum_rejects_them(prefix: str) -> None:
    code = uscc_generate(prefix=prefix, division="330203", org_code="MA2H1234X")
    assert uscc_validate(code) == code
    assert not stdnum_uscc.is_valid(code)


def test_a_real_code_validates_and_is_normalized() -> None:
    assert uscc_validate("91110000600037341L") == "91110000600037341L"
    # Full-width characters, lower case, spaces and hyphens as typed in forms and spreadsheets.
    assert uscc_validate(" ９１１１００００６０００３７３４１ｌ ") == "91110000600037341L"
    assert uscc_validate("91 110000-600037341l") == "91110000600037341L"
    assert uscc_normalize("\u3000９１ab\u3000") == "91AB"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("91110000600037341M", "check"),  # the real code ends in L
        ("91110000600037341K", "check"),
        ("91330203MA2H1234X1", "check"),
        ("9111000060003734", "length"),
        ("91110000600037341LL", "length"),
        ("", "length"),
        ("91110000600O37341L", "alphabet"),  # letter O for zero
        ("9111000060003734IL", "alphabet"),
        ("S1110000600037341L", "alphabet"),
        ("94110000600037341L", "authority_type"),
        ("B1110000600037341L", "authority_type"),
        ("9111A000600037341L", "division"),
    ],
)
def test_known_bad_codes_are_rejected_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidUscc) as caught:
        uscc_validate(value)
    assert caught.value.details == {"reason": reason}
    assert caught.value.status == 422
    assert str(caught.value.message)


def test_the_inner_organization_code_check_is_not_enforced() -> None:
    # 12345678-0 fails GB 11714 (its check character is 5); the USCC built around it is still valid.
    code = uscc_generate(prefix="91", division="330200", org_code="123456780")
    assert uscc_validate(code) == code


def test_check_character_31_maps_to_zero() -> None:
    # Find a body whose weighted sum is divisible by 31: its check character is '0', not out of range.
    body = next(
        f"9133020{n:010d}" for n in range(10_000)
        if sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(f"9133020{n:010d}")) % 31 == 0
    )
    assert uscc_check_char(body) == "0"


def test_generate_refuses_impossible_parts() -> None:
    with pytest.raises(InvalidUscc):
        uscc_generate(prefix="94", division="330200", org_code="MA2H1234X")
    with pytest.raises(InvalidUscc):
        uscc_generate(prefix="91", division="33020", org_code="MA2H1234X")
    with pytest.raises(InvalidUscc):
        uscc_generate(prefix="91", division="330200", org_code="MA2H1234")


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [("91", OrganizationKind.ENTERPRISE), ("92", OrganizationKind.INDIVIDUAL_BUSINESS),
     ("11", OrganizationKind.GOVERNMENT), ("12", OrganizationKind.PUBLIC_INSTITUTION),
     ("51", OrganizationKind.SOCIAL_ORGANIZATION), ("Y1", OrganizationKind.OTHER)],
)
def test_organization_kind_is_guessed_from_the_authority_and_type(prefix: str, kind: str) -> None:
    assert uscc_org_kind_guess(uscc_generate(prefix=prefix, division="330200", org_code="MA2H1234X")) == kind


# --- RIN ----------------------------------------------------------------------------------------------


@given(valid_rins)
def test_generated_rins_always_validate(rin: str) -> None:
    check = rin_validate(rin)
    assert check.rin == rin
    assert check.birth_date.strftime("%Y%m%d") == rin[6:14]
    assert check.is_male == (int(rin[16]) % 2 == 1)


@given(valid_rins, st.data())
def test_any_single_character_change_of_a_rin_is_rejected(rin: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(min_value=0, max_value=17))
    replacement = data.draw(st.sampled_from("0123456789X"))
    assume(replacement != rin[position])
    with pytest.raises(InvalidRin) as caught:
        rin_validate(rin[:position] + replacement + rin[position + 1:])
    assert caught.value.code == "subject.invalid_rin"


@given(valid_rins)
def test_rin_check_character_agrees_with_stdnum(rin: str) -> None:
    assert rin_check_char(rin[:17]) == stdnum_ric.calc_check_digit(rin)


def test_a_published_example_validates() -> None:
    check = rin_validate("360426199101010071")
    assert check.birth_date == date(1991, 1, 1)
    assert check.is_male
    assert check.known_area


def test_lower_case_x_and_full_width_digits_are_normalized() -> None:
    rin = next(r for r in (rin_generate(area="330203", birth_date=date(1985, 3, 4), sequence=s) for s in range(999))
               if r.endswith("X"))
    assert rin_validate(rin.lower()).rin == rin
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in rin)
    assert rin_normalize(full_width) == rin


def test_unknown_or_retired_area_codes_are_accepted_but_flagged() -> None:
    current = rin_validate(rin_generate(area="330203", birth_date=date(1980, 5, 6), sequence=11))
    retired = rin_validate(rin_generate(area="330204", birth_date=date(1980, 5, 6), sequence=11))  # 江东区, merged 2016
    unknown = rin_validate(rin_generate(area="999999", birth_date=date(1980, 5, 6), sequence=11))
    assert current.known_area
    assert not retired.known_area
    assert not unknown.known_area
    assert not stdnum_ric.is_valid(unknown.rin)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("33020319900101123", "length"),
        ("3302031990010112345", "length"),
        ("33020319900101123A", "format"),
        ("330203199002301234", "birth_date"),  # 30 February
        ("330203184901011234", "birth_date"),
    ],
)
def test_bad_rins_are_rejected_with_the_reason(value: str, reason: str) -> None:
    with pytest.raises(InvalidRin) as caught:
        rin_validate(value)
    assert caught.value.details == {"reason": reason}


def test_a_birth_date_in_the_future_is_rejected() -> None:
    rin = rin_generate(area="330203", birth_date=clock.today() + timedelta(days=1), sequence=1)
    with pytest.raises(InvalidRin) as caught:
        rin_validate(rin)
    assert caught.value.details == {"reason": "birth_date"}


def test_a_wrong_check_character_is_rejected() -> None:
    rin = rin_generate(area="330203", birth_date=date(1990, 1, 1), sequence=123)
    wrong = "X" if rin[-1] != "X" else "0"
    with pytest.raises(InvalidRin) as caught:
        rin_validate(rin[:17] + wrong)
    assert caught.value.details == {"reason": "check"}


def test_mask_keeps_the_first_six_and_last_four() -> None:
    assert rin_mask("33020319900101123X") == "**************123X"
    assert rin_mask("33020319900101123x") == "**************123X"
    assert rin_mask("123") == "***"


def test_first_generation_numbers_are_upgraded() -> None:
    rin = rin_from_15("330203900101123")
    assert rin.startswith("33020319900101123")
    assert rin_validate(rin).birth_date == date(1990, 1, 1)


# --- older codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "scheme"),
    [
        ("330200000123456", IdentifierScheme.REGISTRATION_NUMBER),
        ("14407183-6", IdentifierScheme.ORGANIZATION_CODE),
        ("MA2H1234X", IdentifierScheme.ORGANIZATION_CODE),
        ("330203MA2H1234X", IdentifierScheme.TAX_NUMBER),
        ("33020319900101123X01", IdentifierScheme.TAX_NUMBER),
        ("事证第133020000123号", IdentifierScheme.INSTITUTION_CERTIFICATE),
        ("133020000123", IdentifierScheme.INSTITUTION_CERTIFICATE),
        ("浙甬民证字第020123号", IdentifierScheme.SOCIAL_ORGANIZATION_CERTIFICATE),
        ("91110000600037341L", None),  # a USCC is not an alias
        ("12345", None),
        ("", None),
    ],
)
def test_alias_scheme_guess(value: str, scheme: IdentifierScheme | None) -> None:
    assert alias_scheme_guess(value) == scheme
