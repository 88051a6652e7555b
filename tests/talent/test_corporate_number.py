"""法人番号 check digit (NTA rule), normalization and validation."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chiiki.talent.corporate_number import CorporateNumberError, check_digit, normalize, validate

bases = st.text(alphabet="0123456789", min_size=12, max_size=12)


@pytest.mark.parametrize(
    "number",
    [
        "7000012050002",  # 国税庁
        "1180301018771",  # トヨタ自動車株式会社
        "4000012090001",  # 財務省
    ],
)
def test_published_corporate_numbers_are_valid(number: str) -> None:
    assert validate(number) == number


def test_check_digit_follows_the_nta_worked_example() -> None:
    # 000012050002: from the right 2×1 + 5×1 + 2×1 + 1×2 = 11; 11 mod 9 = 2; 9 − 2 = 7
    assert check_digit("000012050002") == 7


def test_full_width_digits_and_hyphens_are_accepted() -> None:
    assert validate("７０００-０１２０-５０００２") == "7000012050002"
    assert normalize(" 7000 0120 50002 ") == "7000012050002"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("700001205000", "13桁"),
        ("70000120500021", "13桁"),
        ("700001205000A", "数字"),
        ("8000012050002", "検査用数字"),
        ("", "13桁"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value: str, fragment: str) -> None:
    with pytest.raises(CorporateNumberError, match=fragment):
        validate(value)


def test_base_must_be_twelve_digits() -> None:
    with pytest.raises(CorporateNumberError):
        check_digit("12345")


@given(bases)
def test_a_base_with_its_check_digit_always_validates(base: str) -> None:
    digit = check_digit(base)
    assert 1 <= digit <= 9
    assert validate(f"{digit}{base}") == f"{digit}{base}"


@given(bases, st.integers(min_value=0, max_value=11), st.integers(min_value=1, max_value=8))
def test_changing_one_base_digit_is_detected_unless_it_swaps_0_and_9(
    base: str, position: int, delta: int
) -> None:
    number = f"{check_digit(base)}{base}"
    digits = list(number)
    old = int(digits[position + 1])
    new = (old + delta) % 10
    assume(abs(new - old) != 9)  # weights 1 and 2 are blind to ±9 (mod 9)
    digits[position + 1] = str(new)
    with pytest.raises(CorporateNumberError):
        validate("".join(digits))


@given(st.text(max_size=20))
def test_validate_either_returns_13_digits_or_raises_its_own_error(value: str) -> None:
    try:
        result = validate(value)
    except CorporateNumberError:
        return
    assert len(result) == 13
    assert result.isdigit()
