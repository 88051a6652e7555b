"""Import of a standard-item dictionary and of procedure forms from another system; no Django.

The layouts are the export's own: a dictionary is `items.json`'s layout (`version`, `items`, `lists`), a form is
its XLSForm workbook plus the JSON description (`form.json`). Everything is checked before anything is written:
each problem names the field (`items[3].type`) or the workbook cell (`survey!A4`), and a file with any problem is
refused whole.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from chiiki.procedures.standard import FORMATS, Dictionary, ProcedureSpec
from chiiki.surveys.xlsform import Field, Form, FormRejected, Section, load_form

__all__ = [
    "DictionaryDiff",
    "ImportRejected",
    "check_workbook",
    "dictionary_layout",
    "diff_dictionaries",
    "parse_description",
    "parse_dictionary",
    "version_key",
]

ITEM_TYPES = ("text", "integer", "decimal", "date", "select_one")
ITEM_FORMATS = ("text", "date", *FORMATS)
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_VERSION_RE = re.compile(r"^[0-9]{1,6}(\.[0-9]{1,6}){0,4}$")
_ITEM_KEYS = {
    "name", "type", "format", "list", "label_ja", "label_en", "hint_ja", "hint_en", "max", "constraint",
    "constraint_ja", "constraint_en",
}  # fmt: skip


class ImportRejected(ValueError):
    """A dictionary or form that cannot be taken; `problems` names each field or cell and what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems[:5]))


def version_key(version: str) -> tuple[int, ...]:
    """`2026.1` → (2026, 1), for ordering versions; ValueError for anything else."""
    if not isinstance(version, str) or not _VERSION_RE.match(version):
        raise ValueError(f"version: {version!r} is not a version like 2026.1 (numbers separated by dots)")
    parts = [int(part) for part in version.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ImportRejected([f"{what}: not UTF-8 text ({error.reason} at byte {error.start})"]) from error
    except json.JSONDecodeError as error:
        raise ImportRejected(
            [f"{what}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"]
        ) from error


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_item(where: str, item: Any, lists: dict[str, Any], problems: list[str]) -> None:
    if not isinstance(item, dict):
        problems.append(f"{where}: not an object")
        return
    problems.extend(f"{where}.{key}: unknown field" for key in sorted(set(item) - _ITEM_KEYS))
    if not (isinstance(item.get("name"), str) and _NAME_RE.match(item["name"])):
        problems.append(f"{where}.name: {item.get('name')!r} is not a name (letters, digits and _ . -)")
    if item.get("type") not in ITEM_TYPES:
        problems.append(f"{where}.type: {item.get('type')!r} is not one of {', '.join(ITEM_TYPES)}")
    if item.get("format", "text") not in ITEM_FORMATS:
        problems.append(f"{where}.format: {item.get('format')!r} is not one of {', '.join(ITEM_FORMATS)}")
    if item.get("type") == "select_one" and item.get("list") not in lists:
        problems.append(f"{where}.list: {item.get('list')!r} is not a list of `lists`")
    if item.get("type") != "select_one" and "list" in item:
        problems.append(f"{where}.list: only a select_one item has a list")
    _check_item_texts(where, item, problems)


def _check_item_texts(where: str, item: dict[str, Any], problems: list[str]) -> None:
    problems.extend(f"{where}.{key}: missing" for key in ("label_ja", "label_en") if not _text(item.get(key)))
    problems.extend(
        f"{where}.{key}: not text"
        for key in ("hint_ja", "hint_en")
        if key in item and not isinstance(item[key], str)
    )
    size = item.get("max", 1)
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        problems.append(f"{where}.max: {size!r} is not a positive whole number")
    if "constraint" in item:
        problems.extend(
            f"{where}.{key}: missing (a constraint needs its messages)"
            for key in ("constraint", "constraint_ja", "constraint_en")
            if not _text(item.get(key))
        )


def _check_lists(lists: dict[str, Any], problems: list[str]) -> None:
    for list_name, choices in lists.items():
        if not isinstance(choices, list) or not choices:
            problems.append(f"lists.{list_name}: not a list of choices")
            continue
        seen: set[str] = set()
        for number, choice in enumerate(choices):
            if not (isinstance(choice, list) and len(choice) == 3 and all(_text(part) for part in choice)):
                problems.append(f"lists.{list_name}[{number}]: not [value, label_ja, label_en]")
            elif choice[0] in seen:
                problems.append(f"lists.{list_name}[{number}]: value {choice[0]!r} appears twice")
            else:
                seen.add(choice[0])


def _check_items(items: list[Any], lists: dict[str, Any], problems: list[str]) -> None:
    names: set[str] = set()
    for number, item in enumerate(items):
        _check_item(f"items[{number}]", item, lists, problems)
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            if item["name"] in names:
                problems.append(f"items[{number}].name: {item['name']!r} appears twice")
            names.add(item["name"])


def parse_dictionary(data: bytes) -> Dictionary:
    """A dictionary in the export's layout, checked whole; ImportRejected naming every bad field."""
    raw = _json(data, "dictionary")
    if not isinstance(raw, dict):
        raise ImportRejected(["dictionary: not a JSON object with version, items and lists"])
    problems: list[str] = []
    try:
        version_key(raw.get("version"))  # type: ignore[arg-type]
    except ValueError as error:
        problems.append(str(error))
    lists = raw.get("lists", {})
    if not isinstance(lists, dict):
        problems.append("lists: not an object of lists")
        lists = {}
    _check_lists(lists, problems)
    items = raw.get("items")
    if not isinstance(items, list) or not items:
        problems.append("items: not a list of items")
        items = []
    _check_items(items, lists, problems)
    if problems:
        raise ImportRejected(problems)
    return Dictionary(raw["version"], {item["name"]: item for item in items}, lists, raw.get("note", ""))


def dictionary_layout(dictionary: Dictionary) -> dict[str, Any]:
    """The dictionary in the export layout (what `parse_dictionary` reads back)."""
    layout: dict[str, Any] = {"version": dictionary.version}
    if dictionary.note:
        layout["note"] = dictionary.note
    layout["items"] = list(dictionary.items.values())
    layout["lists"] = dictionary.lists
    return layout


@dataclass(frozen=True)
class DictionaryDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[tuple[str, list[str]]] = field(default_factory=list)  # item, the fields that differ
    lists_changed: list[str] = field(default_factory=list)


def diff_dictionaries(old: Dictionary, new: Dictionary) -> DictionaryDiff:
    """Items added, removed and changed (with the fields that differ), and the choice lists that differ."""
    changed = []
    for name in sorted(set(old.items) & set(new.items)):
        a, b = old.items[name], new.items[name]
        fields = sorted(key for key in set(a) | set(b) if a.get(key) != b.get(key))
        if fields:
            changed.append((name, fields))
    return DictionaryDiff(
        added=[name for name in new.items if name not in old.items],
        removed=[name for name in old.items if name not in new.items],
        changed=changed,
        lists_changed=sorted(
            n for n in set(old.lists) | set(new.lists) if old.lists.get(n) != new.lists.get(n)
        ),
    )


def _bool(raw: dict[str, Any], key: str, problems: list[str]) -> bool:
    value = raw.get(key, False)
    if not isinstance(value, bool):
        problems.append(f"{key}: {value!r} is not true or false")
        return False
    return value


def _number(raw: dict[str, Any], key: str, top: int, problems: list[str]) -> int:
    value = raw.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        problems.append(f"{key}: {value!r} is not a whole number from 0 to {top}")
        return 0
    return int(value)


def _string(raw: dict[str, Any], key: str, limit: int, problems: list[str], *, required: bool = False) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        problems.append(f"{key}: not text")
        return ""
    if required and not value.strip():
        problems.append(f"{key}: missing")
    if len(value) > limit:
        problems.append(f"{key}: longer than {limit} characters")
    return value


def _check_version(version: Any, dictionary: Dictionary, problems: list[str]) -> None:
    try:
        if version_key(version) > version_key(dictionary.version):
            problems.append(
                f"dictionary_version: {version} is newer than the dictionary in use ({dictionary.version}); "
                "import that dictionary first"
            )
    except ValueError as error:
        problems.append(f"dictionary_{error}")


def _described_items(items: Any, dictionary: Dictionary, problems: list[str]) -> list[str]:
    """The item names of a description, each checked against the dictionary (name, type, choice list)."""
    names: list[str] = []
    if not isinstance(items, list) or not items:
        problems.append("items: not a list of items")
        return names
    for number, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            problems.append(f"items[{number}].name: missing")
            continue
        known = dictionary.items.get(name)
        if known is None:
            problems.append(
                f"items[{number}].name: {name!r} is not an item of the dictionary {dictionary.version}"
            )
            continue
        if name in names:
            problems.append(f"items[{number}].name: {name!r} appears twice")
        names.append(name)
        for key in ("type", "list"):
            if key in item and item[key] != known.get(key):
                problems.append(
                    f"items[{number}].{key}: {item[key]!r} but the dictionary's {name} has {known.get(key)!r}"
                )
    return names


def parse_description(data: bytes, dictionary: Dictionary) -> tuple[ProcedureSpec, str]:
    """A form's JSON description (the `form.json` layout) checked against the dictionary in use.

    Returns the procedure and the description's dictionary version; every item must be a dictionary item of
    the same type, and a description made with a newer dictionary than the one in use is refused."""
    raw = _json(data, "form.json")
    if not isinstance(raw, dict):
        raise ImportRejected(["form.json: not a JSON object"])
    problems: list[str] = []
    code = raw.get("code")
    if not (isinstance(code, str) and _CODE_RE.match(code)):
        problems.append(
            f"code: {code!r} is not a procedure code (lower-case letters, digits and -, up to 40)"
        )
    version = raw.get("dictionary_version", dictionary.version)
    _check_version(version, dictionary, problems)
    attachments = raw.get("attachments", [])
    if not (isinstance(attachments, list) and all(_text(a) for a in attachments)):
        problems.append("attachments: not a list of texts")
        attachments = []
    names = _described_items(raw.get("items"), dictionary, problems)
    spec = ProcedureSpec(
        code=code if isinstance(code, str) else "",
        name=_string(raw, "name", 120, problems, required=True),
        name_kana=_string(raw, "name_kana", 200, problems),
        name_en=_string(raw, "name_en", 200, problems),
        legal_basis=_string(raw, "legal_basis", 200, problems),
        who=_string(raw, "who_may_apply", 2000, problems),
        attachments=list(attachments),
        fee=_number(raw, "fee_yen", 10**9, problems),
        days=_number(raw, "processing_days", 32767, problems),
        card_required=_bool(raw, "my_number_card_required", problems),
        email_allowed=_bool(raw, "email_account_allowed", problems),
        second_approval=_bool(raw, "second_approval_required", problems),
        items=names,
    )
    if problems:
        raise ImportRejected(problems)
    return spec, version if isinstance(version, str) else dictionary.version


def _question_problem(node: Field | Section, dictionary: Dictionary) -> str:
    """What is wrong with one survey row against the dictionary ("" when nothing)."""
    if not isinstance(node, Field):
        return "groups and repeats are not dictionary items"
    item = dictionary.items.get(node.name)
    if item is None:
        return f"not an item of the dictionary {dictionary.version}"
    if node.kind != item["type"] or node.meta is not None:
        return f"type {node.kind!r} but the dictionary's item is {item['type']!r}"
    if item["type"] == "select_one" and node.choice_list != item.get("list"):
        return f"choice list {node.choice_list!r} but the dictionary's item uses {item.get('list')!r}"
    return ""


def check_workbook(workbook: bytes, spec: ProcedureSpec, version: str, dictionary: Dictionary) -> Form:
    """The workbook read by the XLSForm engine and checked against the description and the dictionary.

    Every question must be a dictionary item of the same type (and choice list); the questions must be the
    description's items in the same order; the settings' form_id and version must be the description's."""
    try:
        form = load_form(workbook, filename=f"{spec.code}.xlsx")
    except FormRejected as error:
        raise ImportRejected(
            [f"form.xlsx {p.describe()}" for p in error.problems if p.severity == "error"]
        ) from error
    problems: list[str] = []
    asked: list[str] = []
    for node, _parents in form.walk():
        problem = _question_problem(node, dictionary)
        if problem:
            problems.append(f"form.xlsx survey!A{node.row} [{node.name}]: {problem}")
        if isinstance(node, Field) and node.name in dictionary.items:
            asked.append(node.name)
    if form.form_id != spec.code:
        problems.append(
            f"form.xlsx settings!A2 [form_id]: {form.form_id!r} but form.json's code is {spec.code!r}"
        )
    if form.version != version:
        problems.append(
            f"form.xlsx settings!C2 [version]: {form.version!r} but form.json's dictionary_version is {version!r}"
        )
    if not problems and asked != spec.items:
        problems.append(
            f"form.xlsx survey: asks {', '.join(asked)} but form.json's items are {', '.join(spec.items)}"
        )
    if problems:
        raise ImportRejected(problems)
    return form
