"""chiiki.jp: a Django-free Japanese text toolkit used by linkage, open data and forms.

Modules: ``address`` (住所), ``wareki`` (和暦 and western dates), ``width`` (全角/半角), ``kana`` (reading keys), ``itaiji``
(異体字 keys for kanji names), ``names`` (姓/名), ``numerals`` (漢数字), ``local_gov_code``
(全国地方公共団体コード), ``municipalities`` (the list of municipalities). Normalizers return comparison keys or parsed values; none rewrites the stored
original.
"""

from chiiki.jp.address import Address, address_key, parse_address
from chiiki.jp.itaiji import kanji_key, variant_groups
from chiiki.jp.kana import kana_key, to_katakana
from chiiki.jp.names import NameAgreement, PersonName, compare_kana_names, compare_kanji_names, split_name
from chiiki.jp.numerals import kanji_to_int, replace_kanji_numerals
from chiiki.jp.wareki import DateParseError, Era, era_of, format_wareki, from_excel_serial, parse_date
from chiiki.jp.width import nfkc, to_fullwidth_katakana, to_halfwidth_ascii

__all__ = [
    "Address",
    "DateParseError",
    "Era",
    "NameAgreement",
    "PersonName",
    "address_key",
    "compare_kana_names",
    "compare_kanji_names",
    "era_of",
    "format_wareki",
    "from_excel_serial",
    "kana_key",
    "kanji_key",
    "kanji_to_int",
    "nfkc",
    "parse_address",
    "parse_date",
    "replace_kanji_numerals",
    "split_name",
    "to_fullwidth_katakana",
    "to_halfwidth_ascii",
    "to_katakana",
    "variant_groups",
]
