"""全国地方公共団体コード (nationwide local government code): 5 digits plus a check digit.

The check digit follows the Ministry of Internal Affairs rule: weight the five digits 6, 5, 4, 3, 2, take the
sum modulo 11, and subtract that remainder from 11; keep the last digit of the result (10 gives 0, 11 gives 1).
"""

from __future__ import annotations

import unicodedata

_WEIGHTS = (6, 5, 4, 3, 2)


class LocalGovCodeError(ValueError):
    """A string that is not a valid 全国地方公共団体コード."""


def check_digit(five_digits: str) -> int:
    """Return the check digit of a 5-digit code, e.g. check_digit("35202") == 1 (宇部市 352021)."""
    if len(five_digits) != 5 or not five_digits.isascii() or not five_digits.isdigit():
        raise LocalGovCodeError(f"5桁の数字ではありません: {five_digits!r}")
    total = sum(int(digit) * weight for digit, weight in zip(five_digits, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def is_valid(code: str) -> bool:
    """True when `code` is six ASCII digits whose last digit is the right check digit."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    return check_digit(code[:5]) == int(code[5])


def validate(code: str) -> str:
    """Return `code` when it is a valid 6-digit code, else raise LocalGovCodeError in plain Japanese."""
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise LocalGovCodeError(f"全国地方公共団体コードは6桁の半角数字です: {code!r}")
    expected = check_digit(code[:5])
    if expected != int(code[5]):
        raise LocalGovCodeError(
            f"全国地方公共団体コード {code} の検査数字が正しくありません(正しくは {code[:5]}{expected})"
        )
    return code


def repair(raw: str) -> str:
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
        return validate(text)
    if len(text) == 5:
        if is_valid(text.zfill(6)) and text[0] != "0":
            # Five digits could be a 6-digit code that lost its leading zero, or a code without check digit.
            with_digit = text + str(check_digit(text))
            if not is_valid(with_digit):
                return text.zfill(6)
            raise LocalGovCodeError(
                f"{raw!r} は「0{text}」とも「{with_digit}」とも読めます。6桁で入力してください"
            )
        if is_valid(text.zfill(6)):
            return text.zfill(6)
        return text + str(check_digit(text))
    if len(text) == 4:
        return repair(text.zfill(5))
    raise LocalGovCodeError(f"全国地方公共団体コードの桁数が違います: {raw!r}")
