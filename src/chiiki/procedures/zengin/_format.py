"""A 総合振込 (bulk transfer) file in the 全銀協 fixed-width layout: 120-byte records, half-width kana, Shift_JIS.

UNVERIFIED: the layout below is the one widely published by banks for 総合振込 (header 1, data 2, trailer 8,
end 9); it was written without access to the 全銀協 specification or any bank's own manual, and no bank has
read a file written here. docs/apps/procedures.md lists each field; check it against your bank's manual.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import jaconv

RECORD = 120
ENCODING = "cp932"
_SMALL = str.maketrans("ｧｨｩｪｫｬｭｮｯ", "ｱｲｳｴｵﾔﾕﾖﾂ")
_ALLOWED = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ ().-/") | {chr(c) for c in range(0xFF71, 0xFFA0)}
ACCOUNT_TYPES = {"1": "普通", "2": "当座", "4": "貯蓄"}


class ZenginError(ValueError):
    """A value cannot be written in the fixed-width layout; the message names the record and field."""


@dataclass(frozen=True, slots=True)
class Requester:
    """The municipality as the one who asks for the transfers (依頼人), and its paying account."""

    code: str
    name_kana: str
    transfer_date: date
    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str


@dataclass(frozen=True, slots=True)
class Transfer:
    """One payment to a receipt account (公金受取口座)."""

    bank_code: str
    bank_name_kana: str
    branch_code: str
    branch_name_kana: str
    account_type: str
    account_number: str
    holder_kana: str
    amount: int
    customer_code: str = ""


def zengin_kana(text: str, *, field: str = "") -> str:
    """`text` in the layout's character set: half-width katakana (large), A–Z, 0–9, space and ().-/.

    Full-width and hiragana are folded, small kana made large, ー becomes -; anything else is refused by name.
    """
    half = _fold(text)
    bad = sorted({ch for ch in half if ch not in _ALLOWED})
    if bad:
        where = f"「{field}」" if field else ""
        raise ZenginError(f"{where}に全銀の文字として使えない文字があります: {''.join(bad)} (not allowed)")
    return half


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    if text.isascii() and text.isalnum():
        return text.upper()
    folded = jaconv.hira2kata(unicodedata.normalize("NFKC", text))
    half = jaconv.z2h(folded, kana=True, ascii=True, digit=True).upper().translate(_SMALL)
    return half.replace("ｰ", "-").replace("･", ".").replace("　", " ")


def _text(value: str, width: int, field: str) -> str:
    kana = zengin_kana(value, field=field)
    return kana[:width].ljust(width)


def _number(value: str | int, width: int, field: str) -> str:
    digits = str(value)
    if not digits.isascii() or not digits.isdigit() or len(digits) > width:
        raise ZenginError(f"「{field}」は {width} 桁以内の数字です: {value!r}")
    return digits.zfill(width)


def _header(r: Requester) -> str:
    return (
        "1"
        + "21"  # 種別コード: 総合振込
        + "0"  # コード区分: JIS/Shift_JIS
        + _number(r.code, 10, "依頼人コード")
        + _text(r.name_kana, 40, "依頼人名")
        + r.transfer_date.strftime("%m%d")
        + _number(r.bank_code, 4, "仕向銀行番号")
        + _text(r.bank_name_kana, 15, "仕向銀行名")
        + _number(r.branch_code, 3, "仕向支店番号")
        + _text(r.branch_name_kana, 15, "仕向支店名")
        + _account_type(r.account_type)
        + _number(r.account_number, 7, "口座番号")
        + " " * 17
    )


def _account_type(value: str) -> str:
    if value not in ACCOUNT_TYPES:
        raise ZenginError(f"預金種目は 1(普通)・2(当座)・4(貯蓄) のどれかです: {value!r}")
    return value


def _data(t: Transfer) -> str:
    if t.amount <= 0:
        raise ZenginError(f"振込金額は正の整数です: {t.amount}")
    return (
        "2"
        + _number(t.bank_code, 4, "被仕向銀行番号")
        + _text(t.bank_name_kana, 15, "被仕向銀行名")
        + _number(t.branch_code, 3, "被仕向支店番号")
        + _text(t.branch_name_kana, 15, "被仕向支店名")
        + " " * 4  # 手形交換所番号: not used
        + _account_type(t.account_type)
        + _number(t.account_number, 7, "口座番号")
        + _text(t.holder_kana, 30, "受取人名")
        + _number(t.amount, 10, "振込金額")
        + "0"  # 新規コード
        + _text(t.customer_code, 20, "顧客コード")
        + "7"  # 振込区分: 電信 (telegraphic)
        + " "  # 識別表示
        + " " * 7
    )


def write_transfers(requester: Requester, transfers: list[Transfer]) -> bytes:
    """The whole file: header, one data record per transfer, trailer with count and control total, end record."""
    total = sum(t.amount for t in transfers)
    records = [_header(requester), *(_data(t) for t in transfers)]
    records.append("8" + _number(len(transfers), 6, "合計件数") + _number(total, 12, "合計金額") + " " * 101)
    records.append("9" + " " * 119)
    for number, record in enumerate(records, start=1):
        if len(record.encode(ENCODING)) != RECORD:
            raise ZenginError(f"{number} 件目のレコードが {RECORD} バイトではありません")
    return ("\r\n".join(records) + "\r\n").encode(ENCODING)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """What `parse_transfers` read back: the requester's code and date, the transfers and the trailer."""

    requester_code: str
    transfer_mmdd: str
    transfers: list[Transfer]
    count: int
    total: int


def parse_transfers(data: bytes) -> ParsedFile:
    """Read a file written by `write_transfers` back, checking record lengths, the count and the control total."""
    lines = data.decode(ENCODING).split("\r\n")
    if lines and lines[-1] == "":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        if len(line.encode(ENCODING)) != RECORD:
            raise ZenginError(f"{number} 件目のレコードが {RECORD} バイトではありません")
    if not lines or lines[0][0] != "1" or lines[-1][0] != "9" or lines[-2][0] != "8":
        raise ZenginError("ヘッダ・トレーラ・エンドレコードの並びが正しくありません")
    transfers = [_parse_data(line) for line in lines[1:-2]]
    count, total = int(lines[-2][1:7]), int(lines[-2][7:19])
    if count != len(transfers) or total != sum(t.amount for t in transfers):
        raise ZenginError("トレーラの合計件数・合計金額がデータレコードと一致しません")
    return ParsedFile(lines[0][4:14], lines[0][54:58], transfers, count, total)


def _parse_data(line: str) -> Transfer:
    if line[0] != "2":
        raise ZenginError(f"データレコードではありません: {line[:10]!r}")
    return Transfer(
        bank_code=line[1:5],
        bank_name_kana=line[5:20].rstrip(),
        branch_code=line[20:23],
        branch_name_kana=line[23:38].rstrip(),
        account_type=line[42],
        account_number=line[43:50],
        holder_kana=line[50:80].rstrip(),
        amount=int(line[80:90]),
        customer_code=line[91:111].rstrip(),
    )
