"""Dates written in 和暦 (Japanese era years) or western form, read into :class:`datetime.date`.

Real files mix many spellings of one day. All of these give 2023-04-01::

    令和5年4月1日   令和五年四月一日   R5.4.1   R05/04/01   r5-4-1   令5.4.1   ㋿5年4月1日
    R050401   5050401 (era code 5 = 令和, as in many municipal systems)
    2023/4/1   2023-04-01   2023.4.1   2023年4月1日   20230401   2023/04/01 0:00:00   45017 (Excel serial)

Era boundaries follow the official first and last days. One overrun is accepted on purpose: 平成31年 dates
after 2019-04-30 (平成31年5月1日 is 2019-05-01), because forms printed before the new era name was announced
kept being filled in with 平成. Any other date outside its era (昭和64年1月8日, 令和元年4月30日) is an error.

明治 dates before 明治6年 (1873) are refused: Japan used the lunisolar calendar until then, so the day numbers
do not map to the western calendar without a conversion table.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

from chiiki.jp._numerals import KANJI_NUMERAL_CHARS, replace_kanji_numerals

__all__ = [
    "ERAS",
    "DateParseError",
    "Era",
    "era_of",
    "format_wareki",
    "from_excel_serial",
    "parse_date",
]


class DateParseError(ValueError):
    """A value that is not a readable, existing date. The message is plain Japanese, then English."""

    def __init__(self, message: str, value: object = None) -> None:
        super().__init__(message)
        self.value = value


@dataclass(frozen=True)
class Era:
    """One Japanese era (元号): its name, one-letter abbreviation, numeric code and first/last day."""

    name: str
    letter: str
    code: int  # the digit used by 7-digit GYYMMDD codes (1 明治 ... 5 令和)
    first_day: dt.date
    last_day: dt.date | None  # None while the era is current

    @property
    def offset(self) -> int:
        """Western year minus era year (令和: 2018, since 令和1年 is 2019)."""
        return self.first_day.year - 1


ERAS: Final[tuple[Era, ...]] = (
    Era("明治", "M", 1, dt.date(1868, 10, 23), dt.date(1912, 7, 29)),
    Era("大正", "T", 2, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    Era("昭和", "S", 3, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    Era("平成", "H", 4, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    Era("令和", "R", 5, dt.date(2019, 5, 1), None),
)
"""The eras since the western calendar was adopted, oldest first."""

_HEISEI_OVERRUN_END = dt.date(2019, 12, 31)  # 平成31年 is accepted until the end of its western year
_MEIJI_GREGORIAN_START = dt.date(1873, 1, 1)  # 明治6年1月1日, first day of the western calendar in Japan

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the non-existent 1900-02-29.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EXCEL_MIN = 61  # 1900-03-01: below it Excel's leap-year bug makes serials ambiguous
_EXCEL_MAX = 73050  # 2099-12-31: larger numbers are far more likely to be something else

_ERA_BY_TOKEN: Final[dict[str, Era]] = {}
for _era in ERAS:
    _ERA_BY_TOKEN[_era.name] = _era
    _ERA_BY_TOKEN[_era.name[0]] = _era  # 昭50.1.1, 平元.1.8
    _ERA_BY_TOKEN[_era.letter] = _era
_ERA_BY_CODE: Final[dict[int, Era]] = {era.code: era for era in ERAS}

_ERA_TOKEN = "|".join(sorted(_ERA_BY_TOKEN, key=len, reverse=True))
_SEP = r"[./\-年・]"
_SEP_MONTH = r"[./\-月・]"

_ERA_DATE = re.compile(
    rf"(?P<era>{_ERA_TOKEN})\.?(?P<year>\d{{1,2}}|元){_SEP}(?P<month>\d{{1,2}}){_SEP_MONTH}(?P<day>\d{{1,2}})日?"
)
_ERA_COMPACT = re.compile(rf"(?P<era>{_ERA_TOKEN})\.?(?P<year>\d\d)(?P<month>\d\d)(?P<day>\d\d)")
_ERA_CODE7 = re.compile(r"(?P<code>[1-5])(?P<year>\d\d)(?P<month>\d\d)(?P<day>\d\d)")
_WESTERN = re.compile(rf"(?P<year>\d{{4}}){_SEP}(?P<month>\d{{1,2}}){_SEP_MONTH}(?P<day>\d{{1,2}})日?")
_WESTERN_COMPACT = re.compile(r"(?P<year>\d{4})(?P<month>\d\d)(?P<day>\d\d)")
_ERA_YEAR_ONLY = re.compile(rf"(?P<era>{_ERA_TOKEN})(?P<year>\d{{1,2}}|元)年?")

# Decorations that do not change the date: a weekday in brackets, a time of day, "生" after a birth date.
_WEEKDAY = re.compile(r"\((?:[月火水木金土日]曜?日?|mon|tue|wed|thu|fri|sat|sun)\)$", re.IGNORECASE)
_TIME = re.compile(r"(?:[T ]|(?<=日))\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?$", re.IGNORECASE)
_SUFFIX = re.compile(r"(?:生まれ|生|頃)$")
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ーｰ", "-"))
_KANJI_NUMERAL_RUN = re.compile(f"[{KANJI_NUMERAL_CHARS}]")

_FIELD_NAMES = {"month": "月", "day": "日"}


def parse_date(value: str | int | float | dt.date, *, allow_excel_serial: bool = False) -> dt.date:
    """Read a date written in any common Japanese or western form and return it as a :class:`date`.

    `value` may be a string (full-width digits, kanji numerals and era ligatures such as ㍻ are fine),
    a :class:`date` or :class:`datetime` (returned as a date), or an int in YYYYMMDD form. Excel serial day
    numbers (45017 for 2023-04-01, as ints, floats or digit strings) are read only when
    `allow_excel_serial` is true, because a five-digit number is otherwise more likely a code than a date.

    Raises :class:`DateParseError` with a plain Japanese message for blank, unreadable or impossible dates
    (令和5年2月30日, 昭和64年1月8日, 13月).
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise DateParseError(f"日付ではありません: {value!r} / not a date", value)
    if isinstance(value, int | float):
        return _parse_number(value, allow_excel_serial=allow_excel_serial)
    if not isinstance(value, str):
        raise DateParseError(f"日付として読めない種類の値です: {value!r} / not a date", value)
    return _parse_text(value, allow_excel_serial=allow_excel_serial)


def from_excel_serial(serial: float) -> dt.date:
    """Return the date of an Excel serial day number (1900 date system); the time of day is dropped.

    Only 61 (1900-03-01) to 73050 (2099-12-31) are accepted: lower serials are distorted by Excel's
    fictitious 1900-02-29, and higher ones are almost always something other than a date.
    """
    if serial != serial or serial in (float("inf"), float("-inf")):  # NaN or infinity
        raise DateParseError(f"Excelの日付シリアル値として読めません: {serial!r}", serial)
    whole = int(serial)
    if not _EXCEL_MIN <= whole <= _EXCEL_MAX:
        raise DateParseError(
            f"Excelの日付シリアル値の範囲外です({_EXCEL_MIN}〜{_EXCEL_MAX}): {serial!r} "
            "/ Excel serial out of range",
            serial,
        )
    return _EXCEL_EPOCH + dt.timedelta(days=whole)


def era_of(day: dt.date) -> Era:
    """Return the era a western date belongs to (2019-05-01 -> 令和); before 明治 raises DateParseError."""
    for era in reversed(ERAS):
        if day >= era.first_day:
            return era
    raise DateParseError(f"明治より前の日付は和暦にできません: {day.isoformat()}", day)


WarekiStyle = Literal["kanji", "kanji_gannen", "letter", "letter_padded", "compact", "code7"]


def format_wareki(day: dt.date, style: WarekiStyle = "kanji") -> str:
    """Write a date in 和暦. Styles, for 2019-05-01:

    ``kanji`` 令和1年5月1日, ``kanji_gannen`` 令和元年5月1日, ``letter`` R1.5.1,
    ``letter_padded`` R01/05/01, ``compact`` R010501, ``code7`` 5010501.
    Every style is read back by :func:`parse_date`.
    """
    era = era_of(day)
    year = day.year - era.offset
    if style == "kanji":
        return f"{era.name}{year}年{day.month}月{day.day}日"
    if style == "kanji_gannen":
        year_text = "元" if year == 1 else str(year)
        return f"{era.name}{year_text}年{day.month}月{day.day}日"
    if style == "letter":
        return f"{era.letter}{year}.{day.month}.{day.day}"
    if style == "letter_padded":
        return f"{era.letter}{year:02d}/{day.month:02d}/{day.day:02d}"
    if style == "compact":
        return f"{era.letter}{year:02d}{day.month:02d}{day.day:02d}"
    if style == "code7":
        return f"{era.code}{year:02d}{day.month:02d}{day.day:02d}"
    raise ValueError(f"unknown wareki style: {style!r}")


def _parse_number(value: float, *, allow_excel_serial: bool) -> dt.date:
    if isinstance(value, int) and 10_000_000 <= value <= 99_999_999:
        return _parse_text(str(value), allow_excel_serial=False)
    if allow_excel_serial:
        return from_excel_serial(value)
    raise DateParseError(
        f"数値 {value!r} は日付として読めません(Excelのシリアル値なら allow_excel_serial=True を指定) "
        "/ a number is not a date unless Excel serials are allowed",
        value,
    )


def _normalize(text: str) -> str:
    """Fold the spellings that do not change the date: width, ligatures, spaces, dashes, decorations."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    text = re.sub(r"\s+", " ", text).strip()
    text = _WEEKDAY.sub("", text).strip()
    text = _TIME.sub("", text).strip()
    text = text.upper().replace(" ", "")
    text = _SUFFIX.sub("", text).rstrip(".")
    if text.startswith("西暦"):
        text = text[2:]
    if _KANJI_NUMERAL_RUN.search(text):
        text = replace_kanji_numerals(text)
    return text


def _parse_text(raw: str, *, allow_excel_serial: bool) -> dt.date:
    text = _normalize(raw)
    if not text:
        raise DateParseError("日付が空です / the date is blank", raw)

    if match := _ERA_DATE.fullmatch(text) or _ERA_COMPACT.fullmatch(text):
        era = _ERA_BY_TOKEN[match["era"]]
        year = 1 if match["year"] == "元" else int(match["year"])
        return _era_date(era, year, int(match["month"]), int(match["day"]), raw)
    if match := _WESTERN.fullmatch(text) or _WESTERN_COMPACT.fullmatch(text):
        return _western_date(int(match["year"]), int(match["month"]), int(match["day"]), raw)
    if match := _ERA_CODE7.fullmatch(text):
        era = _ERA_BY_CODE[int(match["code"])]
        return _era_date(era, int(match["year"]), int(match["month"]), int(match["day"]), raw)
    if text.isascii() and re.fullmatch(r"\d{1,5}(?:\.\d+)?", text):
        if allow_excel_serial:
            return from_excel_serial(float(text))
        raise DateParseError(
            f"「{raw}」は日付として読めません(Excelのシリアル値なら allow_excel_serial=True を指定) "
            "/ not a date",
            raw,
        )
    if _ERA_YEAR_ONLY.fullmatch(text) or re.fullmatch(r"\d{4}年?", text):
        raise DateParseError(f"「{raw}」には月と日がありません / month and day are missing", raw)
    if re.fullmatch(r"\d{1,2}[./\-]\d{1,2}[./\-]\d{1,2}", text):
        raise DateParseError(
            f"「{raw}」は年が2桁で、西暦か和暦か分かりません。4桁の西暦か元号を付けてください "
            "/ two-digit year is ambiguous",
            raw,
        )
    raise DateParseError(f"「{raw}」は日付として読めません / unreadable date", raw)


def _checked(year: int, month: int, day: int, raw: str, label: str) -> dt.date:
    """Build the date, explaining in Japanese which part does not exist."""
    if not 1 <= month <= 12:
        raise DateParseError(f"「{raw}」の月({month}月)は存在しません / no such month", raw)
    if not 1 <= year <= 9999:
        raise DateParseError(f"「{raw}」の年は範囲外です / year out of range", raw)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise DateParseError(
            f"{label}{month}月{day}日は存在しない日付です({month}月は{last}日まで)/ no such day: {raw}",
            raw,
        )
    return dt.date(year, month, day)


def _western_date(year: int, month: int, day: int, raw: str) -> dt.date:
    if year < 1:
        raise DateParseError(f"「{raw}」の年は範囲外です / year out of range", raw)
    return _checked(year, month, day, raw, f"{year}年")


def _era_date(era: Era, year: int, month: int, day: int, raw: str) -> dt.date:
    if year < 1:
        raise DateParseError(
            f"{era.name}0年はありません(1年は「元年」)/ era year 0 does not exist: {raw}", raw
        )
    year_label = f"{era.name}{'元' if year == 1 else year}年"
    result = _checked(era.offset + year, month, day, raw, year_label)
    if result < era.first_day:
        first = era.first_day
        raise DateParseError(
            f"{year_label}{month}月{day}日は{era.name}の始まり({first.year}年{first.month}月{first.day}日)"
            f"より前です / before the start of {era.name}: {raw}",
            raw,
        )
    if era.name == "明治" and result < _MEIJI_GREGORIAN_START:
        raise DateParseError(
            f"明治5年以前は旧暦のため西暦に直せません / dates before 1873 used the old calendar: {raw}", raw
        )
    last = _HEISEI_OVERRUN_END if era.name == "平成" else era.last_day
    if last is not None and result > last:
        end = era.last_day or last
        following = era_of(result)
        following_year = result.year - following.offset
        raise DateParseError(
            f"{year_label}{month}月{day}日は{era.name}の終わり({end.year}年{end.month}月{end.day}日)"
            f"より後です。{following.name}{'元' if following_year == 1 else following_year}年のことではありませんか "
            f"/ after the end of {era.name}: {raw}",
            raw,
        )
    return result
