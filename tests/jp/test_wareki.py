"""Tests for chiiki.jp.wareki: every common spelling of a date, era boundaries, impossible dates."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import DateParseError, era_of, format_wareki, from_excel_serial, parse_date

APRIL_FIRST_2023 = dt.date(2023, 4, 1)

dates_since_showa = st.dates(min_value=dt.date(1926, 12, 25), max_value=dt.date(2030, 12, 31))


@pytest.mark.parametrize(
    "text",
    [
        "令和5年4月1日",
        "令和五年四月一日",
        "R5.4.1",
        "R05/04/01",
        "r5-4-1",
        "令5.4.1",
        "㋿5年4月1日",
        "R050401",
        "5050401",
        "2023/4/1",
        "2023-04-01",
        "2023.4.1",
        "2023年4月1日",
        "20230401",
        "２０２３年４月１日",
        "Ｒ５．４．１",
        "二〇二三年四月一日",
        "2023/04/01 0:00:00",
        "2023-04-01T10:30:00+09:00",
        "令和5年4月1日(土)",
        " 令和 5年 4月 1日 ",
        "西暦2023年4月1日",
        "2023－04－01",
        "R5・4・1",
        "R5.4.1.",
        "R.5.4.1",
    ],
)
def test_every_common_spelling_of_april_first_2023_is_read(text: str) -> None:
    assert parse_date(text) == APRIL_FIRST_2023


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("H1.1.8", dt.date(1989, 1, 8)),
        ("S63/01/07", dt.date(1988, 1, 7)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R1.5.1", dt.date(2019, 5, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("大正15年12月24日", dt.date(1926, 12, 24)),
        ("昭和元年12月25日", dt.date(1926, 12, 25)),
        ("明治45年7月29日", dt.date(1912, 7, 29)),
        ("㍻31年4月30日", dt.date(2019, 4, 30)),
    ],
)
def test_era_boundary_days_are_read(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_heisei_31_after_the_era_change_is_accepted_as_the_western_date() -> None:
    assert parse_date("平成31年5月1日") == dt.date(2019, 5, 1)
    assert parse_date("H31.12.31") == dt.date(2019, 12, 31)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("昭和64年1月8日", "昭和の終わり"),
        ("令和元年4月30日", "令和の始まり"),
        ("平成元年1月7日", "平成の始まり"),
        ("平成32年1月1日", "平成の終わり"),
        ("令和5年2月30日", "存在しない日付"),
        ("2023年2月29日", "存在しない日付"),
        ("令和5年13月1日", "存在しません"),
        ("R5.4.31", "存在しない日付"),
        ("令和0年1月1日", "0年はありません"),
        ("明治5年1月1日", "旧暦"),
        ("令和5年", "月と日がありません"),
        ("23/4/1", "年が2桁"),
        ("", "空"),
        ("   ", "空"),
        ("あした", "読めません"),
        ("45017", "allow_excel_serial"),
    ],
)
def test_impossible_or_unreadable_dates_raise_a_japanese_message(text: str, words: str) -> None:
    with pytest.raises(DateParseError, match=words):
        parse_date(text)


def test_date_parse_error_is_a_value_error_that_keeps_the_input() -> None:
    with pytest.raises(ValueError, match="令和5年2月30日") as caught:
        parse_date("令和5年2月30日")
    assert isinstance(caught.value, DateParseError)
    assert caught.value.value == "令和5年2月30日"


def test_february_29_exists_in_leap_years_only() -> None:
    assert parse_date("令和2年2月29日") == dt.date(2020, 2, 29)
    with pytest.raises(DateParseError):
        parse_date("令和3年2月29日")


def test_excel_serials_are_read_only_when_allowed() -> None:
    assert parse_date(45017, allow_excel_serial=True) == APRIL_FIRST_2023
    assert parse_date(45017.75, allow_excel_serial=True) == APRIL_FIRST_2023
    assert parse_date("45017", allow_excel_serial=True) == APRIL_FIRST_2023
    with pytest.raises(DateParseError):
        parse_date(45017)


@pytest.mark.parametrize("serial", [0, 60, 73051, -5, float("nan"), float("inf")])
def test_excel_serials_outside_the_plausible_range_are_refused(serial: float) -> None:
    with pytest.raises(DateParseError):
        from_excel_serial(serial)


def test_excel_serial_61_is_the_first_of_march_1900() -> None:
    assert from_excel_serial(61) == dt.date(1900, 3, 1)


def test_an_eight_digit_int_is_read_as_yyyymmdd() -> None:
    assert parse_date(20230401) == APRIL_FIRST_2023


def test_dates_and_datetimes_pass_through() -> None:
    assert parse_date(APRIL_FIRST_2023) == APRIL_FIRST_2023
    assert parse_date(dt.datetime(2023, 4, 1, 12, 0, tzinfo=dt.UTC)) == APRIL_FIRST_2023


def test_booleans_are_not_dates() -> None:
    with pytest.raises(DateParseError):
        parse_date(True)


def test_era_of_names_the_era_of_each_boundary_day() -> None:
    assert era_of(dt.date(1989, 1, 7)).name == "昭和"
    assert era_of(dt.date(1989, 1, 8)).name == "平成"
    assert era_of(dt.date(2019, 4, 30)).name == "平成"
    assert era_of(dt.date(2019, 5, 1)).name == "令和"


@given(dates_since_showa)
def test_iso_dates_round_trip(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day


@given(
    dates_since_showa,
    st.sampled_from(["kanji", "kanji_gannen", "letter", "letter_padded", "compact", "code7"]),
)
def test_every_wareki_style_round_trips(day: dt.date, style: str) -> None:
    assert parse_date(format_wareki(day, style)) == day  # type: ignore[arg-type]


@given(dates_since_showa, st.sampled_from(["/", "-", ".", "年"]), st.booleans())
def test_western_forms_round_trip(day: dt.date, separator: str, padded: bool) -> None:
    month = f"{day.month:02d}" if padded else str(day.month)
    date_text = f"{day.day:02d}" if padded else str(day.day)
    if separator == "年":
        text = f"{day.year}年{month}月{date_text}日"
    else:
        text = f"{day.year}{separator}{month}{separator}{date_text}"
    assert parse_date(text) == day


@given(dates_since_showa)
def test_full_width_wareki_round_trips(day: dt.date) -> None:
    full_width = format_wareki(day, "kanji").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert parse_date(full_width) == day


@given(dates_since_showa)
def test_excel_serial_round_trips(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    assert parse_date(serial, allow_excel_serial=True) == day


@given(st.text(max_size=30))
def test_any_text_gives_a_date_or_a_date_parse_error(text: str) -> None:
    try:
        result = parse_date(text)
    except DateParseError:
        return
    assert isinstance(result, dt.date)


@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)), st.booleans())
def test_any_number_gives_a_date_or_a_date_parse_error(number: float, allow_excel_serial: bool) -> None:
    try:
        result = parse_date(number, allow_excel_serial=allow_excel_serial)
    except DateParseError:
        return
    assert isinstance(result, dt.date)
