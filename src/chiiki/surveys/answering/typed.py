"""Numbers and years as residents type them, read before the questionnaire's own type check.

A box that asks for a number accepts what people write on paper forms: a year in 和暦 (昭和25, 昭和25年,
S25, 平成元年), a number with its unit (1人, 55㎡, 3,000円, 2歳), full-width digits. The value stored is the
plain number (1950, 1, 55, 3000, 2); anything else is kept as typed, so the type check names the problem.
"""

from __future__ import annotations

import re
import unicodedata

from chiiki.jp import DateParseError, parse_date

__all__ = ["plain_number"]

_ERA_YEAR = re.compile(r"(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\.?(?P<year>\d{1,2}|元)年?(?:生まれ|生)?")
# Units printed beside the boxes of Japanese questionnaires; NFKC has already turned ㎡ into m2.
_UNITS = (
    "人|名|世帯|歳|才|年|か月|ヵ月|ヶ月|ケ月|カ月|月|日|時間|分|回|件|台|個|本|枚|部屋|室|階|m2|平方メートル|平米|坪"
    "|円|万円|千円|km|m|cm|kg|g|%|パーセント"
)
_NUMBER_WITH_UNIT = re.compile(
    rf"(?P<number>[+-]?(?:\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.\d+)?)\s*(?:{_UNITS})?(?:ぐらい|くらい|程度|位)?"
)


def plain_number(typed: str, kind: str) -> str:
    """`typed` as a plain number for an ``integer`` or ``decimal`` question when it can be read as one;
    otherwise `typed` unchanged (stripped)."""
    text = unicodedata.normalize("NFKC", typed).strip().replace(" ", "")
    if not text:
        return typed.strip()
    if kind == "integer" and (match := _ERA_YEAR.fullmatch(text.upper())):
        return _western_year(match["era"], match["year"]) or typed.strip()
    if match := _NUMBER_WITH_UNIT.fullmatch(text):
        number = match["number"].replace(",", "")
        if kind == "integer" and "." in number:
            return typed.strip()  # "1.5人" is not a whole number: the type check says so
        return number
    return typed.strip()


def _western_year(era: str, year: str) -> str:
    """The western year of an era's year, if the era had it (昭和1年 began on 25 December, 令和1年 on 1 May)."""
    for day in ("1月1日", "12月31日"):
        try:
            return str(parse_date(f"{era}{year}年{day}").year)
        except DateParseError:
            continue
    return ""
