"""chiiki.jp: a Django-free Japanese text toolkit used by linkage, open data, forms and the registry.

Everything public is imported from here (`from chiiki.jp import parse_date`); the modules behind it are
private: ``_address`` (住所), ``_wareki`` (和暦 and western dates), ``_width`` (全角/半角), ``_kana`` (reading
keys), ``_itaiji`` (異体字 keys for kanji names), ``_names`` (姓/名), ``_sex`` (性別 as the registry's 1/2),
``_numerals`` (漢数字), ``_local_gov_code`` (全国地方公共団体コード) and ``_municipalities`` (the list of
municipalities). Normalizers return comparison keys or parsed values; none rewrites the stored original.
"""

from chiiki.jp._address import Address, address_key, parse_address
from chiiki.jp._itaiji import VariantPair, kanji_key, load_variant_pairs, representative, variant_groups
from chiiki.jp._kana import kana_key, to_katakana
from chiiki.jp._local_gov_code import (
    LocalGovCodeError,
    check_digit,
    is_valid_local_gov_code,
    repair_local_gov_code,
    validate_local_gov_code,
)
from chiiki.jp._municipalities import MunicipalityRecord, find_municipality, load_municipalities
from chiiki.jp._names import NameAgreement, PersonName, compare_kana_names, compare_kanji_names, split_name
from chiiki.jp._numerals import KANJI_NUMERAL_CHARS, kanji_to_int, replace_kanji_numerals
from chiiki.jp._sex import FEMALE, MALE, SEX_SPELLINGS, SexParseError, parse_sex
from chiiki.jp._wareki import (
    DateParseError,
    Era,
    WarekiStyle,
    era_of,
    format_wareki,
    from_excel_serial,
    parse_date,
)
from chiiki.jp._width import nfkc, to_fullwidth_katakana, to_halfwidth_ascii

__all__ = [
    "FEMALE",
    "KANJI_NUMERAL_CHARS",
    "MALE",
    "SEX_SPELLINGS",
    "Address",
    "DateParseError",
    "Era",
    "LocalGovCodeError",
    "MunicipalityRecord",
    "NameAgreement",
    "PersonName",
    "SexParseError",
    "VariantPair",
    "WarekiStyle",
    "address_key",
    "check_digit",
    "compare_kana_names",
    "compare_kanji_names",
    "era_of",
    "find_municipality",
    "format_wareki",
    "from_excel_serial",
    "is_valid_local_gov_code",
    "kana_key",
    "kanji_key",
    "kanji_to_int",
    "load_municipalities",
    "load_variant_pairs",
    "nfkc",
    "parse_address",
    "parse_date",
    "parse_sex",
    "repair_local_gov_code",
    "replace_kanji_numerals",
    "representative",
    "split_name",
    "to_fullwidth_katakana",
    "to_halfwidth_ascii",
    "to_katakana",
    "validate_local_gov_code",
    "variant_groups",
]
