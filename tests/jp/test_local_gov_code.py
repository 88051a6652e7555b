import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import (
    LocalGovCodeError,
    check_digit,
    find_municipality,
    is_valid_local_gov_code,
    load_municipalities,
    repair_local_gov_code,
    validate_local_gov_code,
)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("010006", "北海道"),
        ("011002", "札幌市"),
        ("130001", "東京都"),
        ("341002", "広島市"),
        ("350001", "山口県"),
        ("352021", "宇部市"),
        ("131016", "千代田区"),
        ("343021", "府中町"),
    ],
)
def test_published_codes_have_valid_check_digits(code: str, name: str) -> None:
    assert is_valid_local_gov_code(code)
    record = find_municipality(code)
    assert record is not None
    assert record.name == name


def test_wrong_check_digit_is_rejected_with_the_right_one_named() -> None:
    with pytest.raises(LocalGovCodeError, match="352021"):
        validate_local_gov_code("352020")


@pytest.mark.parametrize("bad", ["35202", "3520211", "35202a", "３５２０２１", "", "35-2021"])
def test_malformed_codes_are_invalid(bad: str) -> None:
    assert not is_valid_local_gov_code(bad)


@given(st.from_regex(r"\A[0-9]{5}\Z"))
def test_exactly_one_check_digit_completes_any_five_digits(five: str) -> None:
    valid = [d for d in range(10) if is_valid_local_gov_code(f"{five}{d}")]
    assert valid == [check_digit(five)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("３５２０２１", "352021"), ("35202", "352021"), ("11002", "011002"), ("11002.0", "011002")],
)
def test_repair_restores_damaged_codes(raw: str, expected: str) -> None:
    assert repair_local_gov_code(raw) == expected


def test_shipped_list_is_complete_and_valid() -> None:
    records = load_municipalities()
    kinds = [r.kind for r in records]
    assert kinds.count("prefecture") == 47
    assert kinds.count("special_ward") == 23
    # 1,718 cities, towns and villages (20 of them designated cities) as counted by MIC since 2014
    assert sum(kinds.count(k) for k in ("city", "designated_city", "town", "village")) == 1718
    assert all(is_valid_local_gov_code(r.code) for r in records)
    assert len({r.code for r in records}) == len(records)
