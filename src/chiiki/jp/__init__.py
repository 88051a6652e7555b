"""chiiki.jp: a Django-free Japanese text toolkit used by linkage, open data and forms.

Modules: ``wareki`` (和暦 and western dates), ``numerals`` (漢数字), ``local_gov_code``
(全国地方公共団体コード). Each normalizer returns a comparison key or a parsed value; none rewrites the
stored original.
"""

from chiiki.jp.numerals import kanji_to_int, replace_kanji_numerals
from chiiki.jp.wareki import DateParseError, Era, era_of, format_wareki, from_excel_serial, parse_date

__all__ = [
    "DateParseError",
    "Era",
    "era_of",
    "format_wareki",
    "from_excel_serial",
    "kanji_to_int",
    "parse_date",
    "replace_kanji_numerals",
]
