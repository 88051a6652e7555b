"""Reading the tax extract (課税情報) and the receipt-account extract (公金受取口座) into checked rows; no Django.

Layouts (docs/apps/procedures.md): a header row, then one row per person. Files go through `chiiki.tables`
(UTF-8, Shift_JIS, UTF-16, EUC-JP; comma or tab). A file with any problem yields nothing: every problem is
listed with its row (the header is row 1) and the column as the file names it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chiiki.procedures.zengin import ZenginError, branch_names, zengin_kana
from chiiki.tables import TableReadError, check_table_bytes, read_delimited

MAX_PROBLEMS = 200


@dataclass(frozen=True, slots=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.row}行目" if self.row else "ファイル"
        return where + (f"「{self.column}」列" if self.column else "") + f": {self.message}"


class ExtractRejected(ValueError):
    """The file cannot be loaded; `problems` lists every reason with row and column. Nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class TaxRow:
    person_code: str
    fiscal_year: int
    exempt: bool
    income: int


@dataclass(frozen=True, slots=True)
class AccountRow:
    person_code: str
    bank_code: str
    branch_code: str
    account_type: str
    account_number: str
    holder_kana: str
    email: str = ""
    phone: str = ""


TAX_COLUMNS: dict[str, tuple[str, ...]] = {
    "person_code": ("person_code", "住民番号"),
    "fiscal_year": ("fiscal_year", "年度"),
    "exempt": ("exempt", "均等割非課税"),
    "income": ("income", "所得"),
}
ACCOUNT_COLUMNS: dict[str, tuple[str, ...]] = {
    "person_code": ("person_code", "住民番号"),
    "bank_code": ("bank_code", "金融機関コード"),
    "branch_code": ("branch_code", "支店コード"),
    "account_type": ("account_type", "預金種目"),
    "account_number": ("account_number", "口座番号"),
    "holder_kana": ("holder_kana", "口座名義カナ"),
}
# Optional: the contact registered with the account, where a notice is also sent by e-mail or SMS.
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "メールアドレス"),
    "phone": ("phone", "電話番号"),
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^(\+81|0)\d{9,10}$")
_EXEMPT = {"1": True, "非課税": True, "true": True, "0": False, "課税": False, "false": False}
_ACCOUNT_TYPES = {"1": "1", "普通": "1", "2": "2", "当座": "2", "4": "4", "貯蓄": "4"}


class _Reader:
    def __init__(
        self,
        data: bytes,
        label: str,
        columns: dict[str, tuple[str, ...]],
        optional: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.problems: list[Problem] = []
        try:
            check_table_bytes(data, label=label)
            table = read_delimited(data, label=label)
        except TableReadError as error:
            raise ExtractRejected([Problem(error.line or 0, "", str(error))]) from error
        every = {**columns, **(optional or {})}
        spelled = {alias: name for name, aliases in every.items() for alias in aliases}
        self.index = {spelled[h.strip()]: i for i, h in enumerate(table.header) if h.strip() in spelled}
        self.titles = {spelled[h.strip()]: h.strip() for h in table.header if h.strip() in spelled}
        missing = [aliases[1] for name, aliases in columns.items() if name not in self.index]
        if missing:
            raise ExtractRejected(
                [Problem(1, m, f"必須の列「{m}」がありません (missing column)") for m in missing]
            )
        self.table = table
        self.columns = every

    def cell(self, record: list[str], name: str) -> str:
        i = self.index.get(name)
        if i is None:
            return ""
        return record[i].strip() if i < len(record) else ""

    def problem(self, row: int, name: str, message: str) -> None:
        self.problems.append(Problem(row, self.titles.get(name, self.columns[name][1]), message))

    def rows(self, parse: Callable[[int, list[str]], Any]) -> list[Any]:
        result = []
        for number, record in enumerate(self.table.rows, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(self.problems) >= MAX_PROBLEMS:
                break
            parsed = parse(number, record)
            if parsed is not None:
                result.append(parsed)
        if not result and not self.problems:
            self.problems.append(Problem(0, "", "データの行がありません (no data rows)"))
        if self.problems:
            raise ExtractRejected(self.problems)
        return result


def parse_tax_extract(data: bytes) -> list[TaxRow]:
    """Every row of a tax extract, or ExtractRejected naming each bad row and column (and duplicates)."""
    reader = _Reader(data, "課税情報の抽出", TAX_COLUMNS)
    seen: dict[tuple[str, int], int] = {}

    def parse(number: int, record: list[str]) -> TaxRow | None:
        code, year = reader.cell(record, "person_code"), reader.cell(record, "fiscal_year")
        exempt, income = reader.cell(record, "exempt"), reader.cell(record, "income") or "0"
        before = len(reader.problems)
        if not code or len(code) > 20:
            reader.problem(number, "person_code", "住民番号がないか長すぎます (missing or too long)")
        if not (year.isascii() and year.isdigit() and 1990 <= int(year) <= 2100):
            reader.problem(number, "fiscal_year", f"年度「{year}」は西暦の4桁で書いてください (not a year)")
        if exempt.lower() not in _EXEMPT:
            reader.problem(
                number, "exempt", f"「{exempt}」は 1(非課税)か 0(課税)で書いてください (not 1 or 0)"
            )
        if not (income.isascii() and income.lstrip("-").isdigit()):
            reader.problem(
                number, "income", f"所得「{income}」は円単位の整数で書いてください (not an integer)"
            )
        if len(reader.problems) > before:
            return None
        key = (code, int(year))
        if key in seen:
            reader.problem(number, "person_code", f"{seen[key]}行目と同じ人・同じ年度です (duplicate)")
            return None
        seen[key] = number
        return TaxRow(code, int(year), _EXEMPT[exempt.lower()], int(income))

    return list(reader.rows(parse))


def parse_account_extract(data: bytes) -> list[AccountRow]:
    """Every row of a receipt-account extract; bank and branch codes are checked against the zengin-code data."""
    reader = _Reader(data, "公金受取口座の抽出", ACCOUNT_COLUMNS, CONTACT_COLUMNS)
    seen: dict[str, int] = {}

    def parse(number: int, record: list[str]) -> AccountRow | None:
        values = {name: reader.cell(record, name) for name in (*ACCOUNT_COLUMNS, *CONTACT_COLUMNS)}
        before = len(reader.problems)
        _check_account(reader, number, values)
        _check_contact(reader, number, values)
        if len(reader.problems) > before:
            return None
        if values["person_code"] in seen:
            reader.problem(
                number, "person_code", f"{seen[values['person_code']]}行目と同じ人です (duplicate)"
            )
            return None
        seen[values["person_code"]] = number
        values["account_type"] = _ACCOUNT_TYPES[values["account_type"]]
        values["holder_kana"] = zengin_kana(values["holder_kana"])
        values["account_number"] = values["account_number"].zfill(7)
        return AccountRow(**values)

    return list(reader.rows(parse))


def _check_account(reader: _Reader, number: int, values: dict[str, str]) -> None:
    if not values["person_code"]:
        reader.problem(number, "person_code", "住民番号がありません (missing)")
    for name, width in (("bank_code", 4), ("branch_code", 3)):
        if not (values[name].isascii() and values[name].isdigit() and len(values[name]) == width):
            reader.problem(number, name, f"{width}桁の数字で書いてください (expected {width} digits)")
            return
    try:
        branch_names(values["bank_code"], values["branch_code"])
    except ZenginError as error:
        reader.problem(number, "branch_code", str(error))
    if values["account_type"] not in _ACCOUNT_TYPES:
        reader.problem(number, "account_type", "預金種目は 普通・当座・貯蓄 (1・2・4) のどれかです")
    account = values["account_number"]
    if not (account.isascii() and account.isdigit() and 1 <= len(account) <= 7):
        reader.problem(number, "account_number", "口座番号は7桁以内の数字です (up to 7 digits)")
    try:
        if not zengin_kana(values["holder_kana"]).strip():
            reader.problem(number, "holder_kana", "口座名義(カナ)がありません (missing)")
    except ZenginError as error:
        reader.problem(number, "holder_kana", str(error))


def _check_contact(reader: _Reader, number: int, values: dict[str, str]) -> None:
    email = unicodedata.normalize("NFKC", values["email"]).strip().lower()
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        reader.problem(
            number,
            "email",
            f"「{values['email']}」はメールアドレスの形ではありません (not an e-mail address)",
        )
    phone = re.sub(r"[\s\-ー−()]", "", unicodedata.normalize("NFKC", values["phone"]))
    if phone and not _PHONE.match(phone):
        reader.problem(
            number, "phone", f"「{values['phone']}」は電話番号の形ではありません (not a phone number)"
        )
    values["email"], values["phone"] = email, phone
