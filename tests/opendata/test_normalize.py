"""Property tests for the cell normalizers."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from chiiki.jp import is_valid_local_gov_code
from chiiki.opendata.engine import NORMALIZERS

FULL = str.maketrans("0123456789:", "０１２３４５６７８９：")


@given(st.integers(0, 23), st.integers(0, 59), st.booleans(), st.booleans())
def test_any_written_time_becomes_hh_mm(hour, minute, full_width, seconds):
    text = f"{hour}:{minute:02d}" + (":00" if seconds else "")
    if full_width:
        text = text.translate(FULL)
    assert NORMALIZERS["time"](text) == (f"{hour:02d}:{minute:02d}", None)


@given(st.integers(24, 99), st.integers(0, 59))
def test_impossible_hours_are_errors(hour, minute):
    if (hour, minute) == (24, 0):
        return
    value, error = NORMALIZERS["time"](f"{hour}:{minute:02d}")
    assert value is None
    assert error


@given(st.text(max_size=12))
def test_normalizers_never_raise_and_return_value_or_error(text):
    for check, normalizer in NORMALIZERS.items():
        if check == "date":
            continue  # covered by chiiki.jp.wareki's own tests
        value, error = normalizer(text)
        assert (error is None) or (value is None)


@given(st.integers(1000, 47999))
def test_codes_missing_check_digit_or_leading_zero_are_repaired_to_valid_codes(five):
    raw = f"{five:05d}"
    value, error = NORMALIZERS["local_gov_code"](raw)
    if error is None:
        assert value is not None
        assert is_valid_local_gov_code(value)


@given(st.sampled_from(["○", "〇", "有", "あり", "1", "×", "無", "なし", "0"]))
def test_marks_map_onto_yes_or_no(mark):
    value, error = NORMALIZERS["yes_no"](mark)
    assert error is None
    assert value in ("有", "無")


@given(
    st.text(
        alphabet="ァアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンー",
        min_size=1,
    )
)
def test_half_width_and_hiragana_readings_become_katakana(kana):
    import unicodedata

    half = unicodedata.normalize("NFKC", kana)
    hira = "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in kana)
    for written in (half, hira):
        value, error = NORMALIZERS["katakana"](written)
        assert error is None
        assert value is not None
        assert re.fullmatch(r"[ァ-ヶー]+", value)


@given(st.floats(20, 46), st.floats(0, 59), st.floats(0, 59.9))
def test_degrees_minutes_seconds_become_decimal(deg, minutes, seconds):
    d, m, s = int(deg), int(minutes), round(seconds, 1)
    value, error = NORMALIZERS["latitude"](f"{d}°{m:02d}'{s}\"N")
    assert error is None
    assert value is not None
    assert abs(float(value) - (d + m / 60 + s / 3600)) < 1e-6


def test_weekday_ranges_are_expanded():
    assert NORMALIZERS["weekdays"]("月曜日～金曜日") == ("月火水木金", None)
    assert NORMALIZERS["weekdays"]("月・火・水") == ("月火水", None)
    assert NORMALIZERS["weekdays"]("年中無休")[0] is None
