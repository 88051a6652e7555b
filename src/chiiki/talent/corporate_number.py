"""法人番号 (corporate number): 13 digits whose first digit is a check digit over the other twelve. Django-free.

The National Tax Agency's rule (法人番号の指定等に関する省令 第2条): with the 12-digit base number's digits
P_n counted from the right (n = 1 … 12) and weights Q_n = 1 for odd n, 2 for even n,
check digit = 9 − (Σ P_n × Q_n mod 9). The check digit is therefore always 1–9.
Example: 国税庁 7000012050002.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CorporateNumberError", "check_digit", "normalize", "validate"]

_SEPARATORS = re.compile(r"[\s\-‐－ー―]")


class CorporateNumberError(ValueError):
    """A corporate number that is malformed or whose check digit does not match (Japanese message first)."""


def check_digit(base: str) -> int:
    """The check digit (1–9) for a 12-digit base number."""
    if len(base) != 12 or not base.isascii() or not base.isdigit():
        raise CorporateNumberError(
            f"基礎番号は12桁の数字です: {base!r} (the base number must be 12 ASCII digits)"
        )
    total = sum(int(digit) * (1 if n % 2 else 2) for n, digit in enumerate(reversed(base), start=1))
    return 9 - total % 9


def normalize(value: str) -> str:
    """Fold full-width digits and drop spaces and hyphens: ``"７０００-０１２０-５０００２"`` → ``"7000012050002"``."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))


def validate(value: str) -> str:
    """Return the normalized 13-digit number, or raise :class:`CorporateNumberError` saying what is wrong."""
    number = normalize(value)
    if not number.isascii() or not number.isdigit():
        raise CorporateNumberError(f"法人番号は数字13桁です: {value!r} (digits only)")
    if len(number) != 13:
        raise CorporateNumberError(
            f"法人番号は13桁です({len(number)}桁が入力されました) (a corporate number has 13 digits)"
        )
    expected = check_digit(number[1:])
    if int(number[0]) != expected:
        raise CorporateNumberError(
            f"法人番号の検査用数字(先頭の1桁)が合いません: {number} "
            "(check digit mismatch; please check for a typing error)"
        )
    return number
