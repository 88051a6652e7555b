"""性別 (sex) as offices write it, read into the resident registry's codes: 1 for male, 2 for female.

Municipal systems write the code (1/2), forms write 男/女 or 男性/女性, and files from abroad or from
English-language software write M/F. Full-width forms (１, Ｍ) read the same. Anything else is refused rather
than guessed, so a shifted column or a typo is caught where the file is read.
"""

from __future__ import annotations

from chiiki.jp._width import nfkc

__all__ = ["FEMALE", "MALE", "SEX_SPELLINGS", "SexParseError", "parse_sex"]

MALE = "1"
FEMALE = "2"
_CODES = {
    "1": MALE,
    "2": FEMALE,
    "男": MALE,
    "女": FEMALE,
    "男性": MALE,
    "女性": FEMALE,
    "m": MALE,
    "f": FEMALE,
    "male": MALE,
    "female": FEMALE,
}
SEX_SPELLINGS = "1/2、男/女、男性/女性、M/F"
"""The accepted spellings, as a refusal message names them."""


class SexParseError(ValueError):
    """A value that is none of the accepted spellings of sex; the message says which are."""


def parse_sex(value: str) -> str:
    """The registry code ("1" male, "2" female) of `value`; "" for a blank value.

    Raises :class:`SexParseError` for any other value (e.g. "3", "不明", "X").
    """
    text = nfkc(value).strip().lower()
    if not text:
        return ""
    code = _CODES.get(text)
    if code is None:
        raise SexParseError(f"性別が読めません: 「{value}」（{SEX_SPELLINGS} で書いてください）")
    return code
