"""Kanji numerals (漢数字) as they appear in dates and addresses: 三, 十二, 二〇二三, 千二百三十四, 壱.

Two styles occur in real data and both are read: positional (二十三 = 23, 千二百 = 1200) and digit by digit
(二〇二三 = 2023, 一二 = 12). The old formal digits 壱/弐/参/拾 (大字) appear in 番地 on older documents.
"""

from __future__ import annotations

import re

_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "壱": 1,
    "二": 2,
    "弐": 2,
    "三": 3,
    "参": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000, "万": 10000}

KANJI_NUMERAL_CHARS = "".join(_DIGITS) + "".join(_UNITS)
"""Every character that :func:`kanji_to_int` understands."""

_RUN = re.compile(f"[{KANJI_NUMERAL_CHARS}]+")


def kanji_to_int(text: str) -> int:
    """Return the value of a kanji numeral such as "二十三" (23), "二〇二三" (2023) or "千二百" (1200).

    Raises ValueError when `text` is empty or holds anything other than kanji numerals.
    """
    if not text or any(char not in _DIGITS and char not in _UNITS for char in text):
        raise ValueError(f"漢数字として読めません: {text!r}")
    if not any(char in _UNITS for char in text):
        # Digit by digit, as in 二〇二三年 or 一二月.
        return int("".join(str(_DIGITS[char]) for char in text))
    total = 0  # completed groups of 万
    section = 0  # value below 万
    digit: int | None = None
    for char in text:
        if char in _DIGITS:
            if digit is not None:
                raise ValueError(f"漢数字として読めません: {text!r}")
            digit = _DIGITS[char]
            continue
        unit = _UNITS[char]
        if unit == 10000:
            total += (section + (digit or 0)) * unit if (section or digit) else unit
            section = 0
        else:
            section += (1 if digit is None else digit) * unit
        digit = None
    return total + section + (digit or 0)


def replace_kanji_numerals(text: str) -> str:
    """Replace every run of kanji numerals in `text` by ASCII digits ("三丁目" -> "3丁目").

    A run that cannot be read (e.g. "一一十") is left unchanged rather than guessed.
    """

    def convert(match: re.Match[str]) -> str:
        try:
            return str(kanji_to_int(match.group()))
        except ValueError:
            return match.group()

    return _RUN.sub(convert, text)
