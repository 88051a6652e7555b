"""Standard application items as data, and procedure forms built from them as XLSForms; no Django.

`items.json` is the shared dictionary (one name, type, format and label per item, with a version);
`catalog.json` is the starter catalog, each procedure listing the items its form asks by name. A form is built
as an XLSForm workbook (so another e-application system can take it) and read back with the surveys' XLSForm
engine, which checks answers on the server. `normalize` applies the item's format rules with `chiiki.jp`
(和暦 dates, kana, full-width digits) before the XLSForm constraints run.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from openpyxl import Workbook

from chiiki.jp import DateParseError, nfkc, parse_date, to_fullwidth_katakana, to_katakana

__all__ = [
    "FORMATS",
    "Dictionary",
    "FormatError",
    "ProcedureSpec",
    "build_xlsform",
    "describe",
    "load_catalog",
    "load_dictionary",
    "normalize",
]

# Format → the XLSForm constraint that checks the normalized value, and its messages.
FORMATS: dict[str, tuple[str, str, str]] = {
    "kana": ("regex(., '^[ァ-ヶー　 ]+$')", "カタカナで入力してください", "Use katakana"),
    "postal": ("regex(., '^[0-9]{7}$')", "郵便番号は7桁の数字です", "7 digits"),
    "phone": (
        "regex(., '^[0-9-]{10,13}$')",
        "電話番号は数字とハイフンで入力してください",
        "Digits and hyphens",
    ),
    "my_number": ("regex(., '^[0-9]{12}$')", "個人番号は12桁の数字です", "12 digits"),
    "bank_code": ("regex(., '^[0-9]{4}$')", "4桁の数字です", "4 digits"),
    "branch_code": ("regex(., '^[0-9]{3}$')", "3桁の数字です", "3 digits"),
    "account_number": ("regex(., '^[0-9]{1,7}$')", "7桁以内の数字です", "Up to 7 digits"),
}


class FormatError(ValueError):
    """A typed value that its item's format cannot read (a date that is no date)."""


@dataclass(frozen=True)
class Dictionary:
    version: str
    items: dict[str, dict[str, Any]]
    lists: dict[str, list[list[str]]]
    note: str = ""


@dataclass(frozen=True)
class ProcedureSpec:
    code: str
    name: str
    name_kana: str
    name_en: str
    legal_basis: str
    who: str
    attachments: list[str]
    fee: int
    days: int
    card_required: bool
    items: list[str]
    second_approval: bool = False
    # A resident without the card may use an e-mail-verified account (procedures.md: "Who may sign in how").
    email_allowed: bool = False


@lru_cache(maxsize=1)
def load_dictionary() -> Dictionary:
    """The shared dictionary of application items shipped with Chiiki."""
    data = json.loads(resources.files(__package__).joinpath("items.json").read_text("utf-8"))
    return Dictionary(
        data["version"], {item["name"]: item for item in data["items"]}, data["lists"], data.get("note", "")
    )


def load_catalog() -> list[ProcedureSpec]:
    """The starter catalog; every item a procedure names must be in the dictionary (else ValueError naming it)."""
    data = json.loads(resources.files(__package__).joinpath("catalog.json").read_text("utf-8"))
    dictionary = load_dictionary()
    specs = [ProcedureSpec(**p) for p in data["procedures"]]
    for spec in specs:
        unknown = [name for name in spec.items if name not in dictionary.items]
        if unknown:
            raise ValueError(f"{spec.code}: items not in the dictionary: {', '.join(unknown)}")
    return specs


def _survey_row(item: dict[str, Any]) -> list[str]:
    kind = f"select_one {item['list']}" if item["type"] == "select_one" else item["type"]
    constraint, message_ja, message_en = FORMATS.get(item.get("format", ""), ("", "", ""))
    if "max" in item:
        length = f"string-length(.) <= {item['max']}"
        constraint = f"{constraint} and {length}" if constraint else length
        message_ja = message_ja or f"{item['max']}文字以内で入力してください"
        message_en = message_en or f"At most {item['max']} characters"
    if "constraint" in item:
        constraint, message_ja, message_en = item["constraint"], item["constraint_ja"], item["constraint_en"]
    return [
        kind, item["name"], item["label_ja"], item["label_en"], item.get("hint_ja", ""), item.get("hint_en", ""),
        "yes", constraint, message_ja, message_en,
    ]  # fmt: skip


def build_xlsform(spec: ProcedureSpec, dictionary: Dictionary | None = None) -> bytes:
    """The procedure's form as an XLSForm workbook (.xlsx bytes): survey, choices and settings sheets."""
    dictionary = dictionary or load_dictionary()
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append([
        "type", "name", "label::ja", "label::en", "hint::ja", "hint::en", "required", "constraint",
        "constraint_message::ja", "constraint_message::en",
    ])  # fmt: skip
    lists: set[str] = set()
    for name in spec.items:
        item = dictionary.items[name]
        survey.append(_survey_row(item))
        if item["type"] == "select_one":
            lists.add(item["list"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::ja", "label::en"])
    for list_name in sorted(lists):
        for value, label_ja, label_en in dictionary.lists[list_name]:
            choices.append([list_name, value, label_ja, label_en])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "form_title", "version", "default_language"])
    settings.append([spec.code, spec.name, dictionary.version, "ja"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def describe(spec: ProcedureSpec, dictionary: Dictionary | None = None) -> dict[str, Any]:
    """The procedure and its form as plain JSON: for another e-application system, with the dictionary version."""
    dictionary = dictionary or load_dictionary()
    return {
        "code": spec.code,
        "name": spec.name,
        "name_kana": spec.name_kana,
        "name_en": spec.name_en,
        "legal_basis": spec.legal_basis,
        "who_may_apply": spec.who,
        "attachments": spec.attachments,
        "fee_yen": spec.fee,
        "processing_days": spec.days,
        "my_number_card_required": spec.card_required,
        "email_account_allowed": spec.email_allowed,
        "second_approval_required": spec.second_approval,
        "dictionary_version": dictionary.version,
        "items": [dictionary.items[name] for name in spec.items],
    }


def normalize(item: dict[str, Any], value: str) -> str:
    """A typed value in the item's stored form: 和暦 or slashed dates as ISO, kana as full-width katakana, digits
    and hyphens folded to ASCII. Raises FormatError for a date that cannot be read."""
    text = value.strip()
    if not text:
        return ""
    fmt = item.get("format", "text")
    if item["type"] == "date":
        try:
            return parse_date(text).isoformat()
        except DateParseError as error:
            raise FormatError(str(error)) from error
    if fmt == "kana":
        return to_fullwidth_katakana(to_katakana(text))
    if fmt in FORMATS:
        folded = nfkc(text).replace("ー", "-").replace("−", "-")
        return folded if fmt == "phone" else folded.replace("-", "").replace(" ", "")
    return text
