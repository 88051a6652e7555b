"""全国地方公共団体コード (nationwide local government code): 5 digits plus a check digit.

The check digit follows the Ministry of Internal Affairs rule: weight the five digits 6, 5, 4, 3, 2, take the
sum modulo 11, and subtract that remainder from 11; keep the last digit of the result (10 gives 0, 11 gives 1).
"""

from __future__ import annotations

import unicodedata

from chiiki.jp._municipalities import find_municipality

_WEIGHTS = (6, 5, 4, 3, 2)


class LocalGovCodeError(ValueError):
    """A string that is not a valid 全国地方公共団体コード."""


def check_digit(five_digits: str) -> int:
    """Return the check digit of a 5-digit code, e.g. check_digit("35202") == 1 (宇部市 352021)."""
    if len(five_digits) != 5 or not five_digits.isascii() or not five_digits.isdigit():
        raise LocalGovCodeError(f"5桁の数字ではありません: {five_digits!r}")
    total = sum(int(digit) * weight for digit, weight in zip(five_digits, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid_local_gov_code(code: str) -> bool:
    """True when `code` is six ASCII digits whose last digit is the right check digit."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    return check_digit(code[:5]) == int(code[5])


def validate_local_gov_code(code: str) -> str:
    """Return `code` when it is a valid 6-digit code, else raise LocalGovCodeError in plain Japanese."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise LocalGovCodeError(f"全国地方公共団体コードは6桁の半角数字です: {code!r}")
    expected = check_digit(code[:5])
    if expected != int(code[5]):
        raise LocalGovCodeError(
            f"全国地方公共団体コード {code} の検査数字が正しくありません(正しくは {code[:5]}{expected})"
        )
    return code


def repair_local_gov_code(raw: str) -> str:
    """Turn common damaged forms into a valid 6-digit code, or raise LocalGovCodeError.

    Handles full-width digits, a leading zero lost by a spreadsheet (35202 read as a number, "1002"
    for 01100x), and a missing check digit (5 digits given).
    """
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace("-", "")
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isascii() or not text.isdigit():
        raise LocalGovCodeError(f"全国地方公共団体コードとして読めません: {raw!r}")
    if len(text) == 6:
        return validate_local_gov_code(text)
    if len(text) == 5:
        return _complete_five_digits(raw, text)
    if len(text) == 4:
        return repair_local_gov_code(text.zfill(5))
    raise LocalGovCodeError(f"全国地方公共団体コードの桁数が違います: {raw!r}")


def _complete_five_digits(raw: str, text: str) -> str:
    """Five digits are either a code that lost its leading zero or a code without its check digit.

    The municipality list decides; without it (a fictional or new code) the one reading that is valid wins.
    """
    readings = [
        reading
        for reading in (text.zfill(6), text + str(check_digit(text)))
        if is_valid_local_gov_code(reading)
    ]
    known = [reading for reading in readings if find_municipality(reading) is not None]
    if len(known) == 1:
        return known[0]
    if len(readings) == 1:
        return readings[0]
    raise LocalGovCodeError(
        f"{raw!r} は「{readings[0]}」とも「{readings[-1]}」とも読めます。6桁で入力してください"
    )
