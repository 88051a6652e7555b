"""Turning the sheets of an XLSForm into a :class:`~chiiki.surveys.xlsform._model.Form`, listing every problem.

The importer accepts the XLSForm subset Chiiki's web answering implements and names everything else
precisely ("not supported: question type 'geopoint'"), so a statistician knows what to change. Column
and type aliases follow the XLSForm specification as pyxform implements it ("select one from x",
"list name", "bind:relevant", "label:English (en)" …).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from chiiki.surveys.xlsform._model import (
    Choice,
    ChoiceList,
    Field,
    FieldKind,
    FileChoices,
    Form,
    Node,
    Section,
    Translations,
)
from chiiki.surveys.xlsform._problems import Problem
from chiiki.surveys.xlsform._workbook import RawRow, RawSheet, RawWorkbook

__all__ = ["Location", "SheetImport", "import_workbook"]

NAME_RE = re.compile(r"^[^\W\d][\w.\-]*$")
MAX_SECTION_DEPTH = 32
"""Groups and repeats nested deeper than this are refused: the form model is walked recursively."""

_SIMPLE_TYPES: dict[str, FieldKind] = {
    "text": "text",
    "string": "text",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "date": "date",
    "note": "note",
    "calculate": "calculate",
    "time": "time",
    "datetime": "datetime",
    "datetime-local": "datetime",
    "geopoint": "geopoint",
    "gps": "geopoint",
    "location": "geopoint",
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "barcode": "text",
    "image": "image",
    "photo": "image",
    "audio": "audio",
    "video": "video",
    "file": "file",
    "qr code": "text",
}
# Metadata types: imported as a calculate filled in by the server (see _model.META_KINDS).
_META_TYPES: dict[str, str] = {
    "start": "start", "end": "end", "today": "today", "deviceid": "deviceid", "imei": "deviceid",
    "username": "username", "phonenumber": "phonenumber", "phone number": "phonenumber",
    "email": "email", "start-geopoint": "start-geopoint", "audit": "audit", "simserial": "simserial",
    "subscriberid": "subscriberid", "hidden": "hidden", "get start time": "start",
    "get end time": "end", "get today": "today", "get device id": "deviceid",
    "get subscriber id": "subscriberid", "get sim id": "simserial", "get phone number": "phonenumber",
    "uri:subscriberid": "subscriberid", "uri:email": "email", "uri:username": "username",
    "uri:phonenumber": "phonenumber", "uri:deviceid": "deviceid",
}  # fmt: skip
_ACKNOWLEDGE_TYPES = {"acknowledge", "trigger"}
ACKNOWLEDGE_LIST = "_acknowledge"
"""The choice list made for ``acknowledge`` questions: one choice, ``OK`` (the value ODK stores)."""
OTHER_CHOICE = "other"
_CONTROL_TYPES = {
    "begin group": ("begin", "group"),
    "begin_group": ("begin", "group"),
    "end group": ("end", "group"),
    "end_group": ("end", "group"),
    "begin repeat": ("begin", "repeat"),
    "begin_repeat": ("begin", "repeat"),
    "end repeat": ("end", "repeat"),
    "end_repeat": ("end", "repeat"),
}
_SELECT_RE = re.compile(
    r"^(select_one|select one|select1|select_multiple|select all that apply)(?:\s+from)?\s+(\S+)"
    r"(\s+or specify other|\s+or_other)?$",
    re.IGNORECASE,
)
_SELECT_FILE_RE = re.compile(
    r"^(select_one_from_file|select one from file|select_multiple_from_file|select multiple from file)\s+(\S+)$",
    re.IGNORECASE,
)
_FILE_ENDINGS = (".csv", ".xml", ".geojson")
# Types the XLSForm specification defines that our web answering does not implement.
_RANK_RE = re.compile(r"^(?:rank|odk:rank)\s+(\S+)$", re.IGNORECASE)
_UNSUPPORTED_TYPES = {
    "xml-external", "csv-external", "begin loop", "end loop", "begin_loop", "end_loop", "osm",
    "background-audio", "background-geopoint", "include", "add image prompt",
    "add photo prompt", "add audio prompt", "add video prompt", "add file prompt",
    "set form title", "set form id", "entity", "select_one_external", "select_multiple_external",
    "begin table-list", "end table-list", "begin lgroup", "end lgroup", "begin looped group",
    "end looped group",
}  # fmt: skip

_TRANSLATABLE = {"label", "hint", "required_message", "constraint_message"}
_SURVEY_COLUMNS = {
    "type", "name", "label", "hint", "required", "required_message", "relevant", "constraint",
    "constraint_message", "calculation", "default", "choice_filter", "appearance", "repeat_count",
    "parameters",
}  # fmt: skip
_SURVEY_ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "count": "repeat_count",
    "jr:count": "repeat_count",
    "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message",
    "constraining_message": "constraint_message",
    "jr:constraintmsg": "constraint_message",
    "command": "type",
    "tag": "name",
}
# Columns the XLSForm specification defines whose meaning we would silently lose if we ignored them.
_UNSUPPORTED_COLUMNS = {
    "noapperrorstring", "no_app_error_string", "instance",
    "intent", "body", "bind", "control", "disabled", "sms_field", "sms_option",
    "compact_tag", "label_hint", "choice_filter_external",
}  # fmt: skip
# Columns that change only how a phone app shows or times a question: read, not applied, and said so.
_WEB_IGNORED_COLUMNS = {
    "image": "画像は表示しません (media in labels is not shown on the web)",
    "big-image": "画像は表示しません (media in labels is not shown on the web)",
    "audio": "音声は再生しません (media in labels is not played on the web)",
    "video": "動画は再生しません (media in labels is not played on the web)",
    "media": "メディアは表示しません (media in labels is not shown on the web)",
    "guidance_hint": "ガイダンスは表示しません (guidance hints are not shown on the web)",
    "autoplay": "自動再生はしません (autoplay is not done on the web)",
    "rows": "入力欄の高さは使いません (rows is not used on the web)",
    "trigger": (
        "trigger は使いません: 計算は回答のたびにやり直します "
        "(trigger ignored: calculations are redone from the current answers)"
    ),
    "read_only": "read_only は使いません: 計算の質問は表示しません (read_only ignored)",
    "save_to": (
        "save_to は使いません: エンティティは作りません。回答は普通の回答として残ります "
        "(save_to ignored: no entity is created; the answers are kept as ordinary answers)"
    ),
    "readonly": "read_only は使いません: 計算の質問は表示しません (read_only ignored)",
}
_MEDIA_COLUMNS = {"image", "big-image", "audio", "video", "media"}
_CHOICE_ALIASES = {"list name": "list_name", "list_name": "list_name", "value": "name", "caption": "label"}
_SETTINGS_ALIASES = {
    "form_title": "title",
    "title": "title",
    "set_form_title": "title",
    "form_id": "form_id",
    "id_string": "form_id",
    "set_form_id": "form_id",
    "version": "version",
    "default_language": "default_language",
    "allow_choice_duplicates": "allow_choice_duplicates",
}
_UNSUPPORTED_SHEETS = {"external_choices", "osm"}
_ENTITIES_SHEET = "entities"
_YES = {"yes", "true", "true()"}
_NO = {"no", "false", "false()"}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value sits: sheet name, row number and column letter."""

    sheet: str
    row: int
    column: str | None


@dataclass(slots=True)
class SheetImport:
    """The result of importing sheets: the form (if structurally sound), the problems, and cell locations
    of every expression so that later checks can point at the right cell."""

    form: Form | None
    problems: list[Problem] = field(default_factory=list)
    locations: dict[tuple[str, str], Location] = field(default_factory=dict)
    choice_columns: dict[str, set[str]] = field(default_factory=dict)
    dropped_names: set[str] = field(default_factory=set)
    """Names of rows refused (and reported) here: later checks do not call them missing a second time."""


@dataclass(frozen=True, slots=True)
class _Column:
    letter: str
    header: str
    key: str  # canonical column name
    language: str | None


def _language_of(raw: str) -> str:
    raw = raw.strip()
    match = re.search(r"\(([^()]+)\)\s*$", raw)
    return match.group(1).strip() if match else raw


def _split_header(header: str) -> tuple[str, str | None]:
    """Split a header: ``label::ja`` -> (label, ja), ``label:English (en)`` -> (label, en)."""
    text = header.strip()
    lowered = text.lower()
    for prefix in ("bind::", "bind:", "control::", "control:"):
        if lowered.startswith(prefix):
            text = text[len(prefix) :]
            lowered = lowered[len(prefix) :]
            break
    if "::" in text:
        base, language = text.split("::", 1)
        return base.strip().lower(), _language_of(language)
    if ":" in text and not lowered.startswith("jr:"):
        base, language = text.split(":", 1)
        return base.strip().lower(), _language_of(language)
    return lowered, None


def _canonical(base: str) -> str:
    base = re.sub(r"\s+", "_", base.strip())
    return _SURVEY_ALIASES.get(base, base)


def _nonempty_columns(sheet: RawSheet) -> set[str]:
    return {letter for row in sheet.rows for letter in row.cells}


_CHOICE_COLUMNS = frozenset({"list_name", "name", "label"})
# Per sheet kind: how a header's base name becomes a column key, and the keys that sheet reads.
_COLUMN_RULES: dict[str, tuple[Callable[[str], str], frozenset[str]]] = {
    "survey": (_canonical, frozenset(_SURVEY_COLUMNS)),
    "choices": (lambda base: _CHOICE_ALIASES.get(base, re.sub(r"\s+", "_", base)), _CHOICE_COLUMNS),
}
_LOCATED_COLUMNS = (
    "relevant",
    "constraint",
    "calculation",
    "default",
    "choice_filter",
    "repeat_count",
    "required",
)
"""Columns whose cell a later check may point at (the expressions)."""
_NOT_ON_SECTIONS = ("calculation", "constraint", "required", "default", "choice_filter")


@dataclass(frozen=True, slots=True)
class _Cells:
    """One row of the survey sheet, read by column key (the first column of that key, trimmed)."""

    sheet: str
    row: RawRow
    by_key: dict[str, list[_Column]]
    type_col: str
    name_col: str | None

    @property
    def number(self) -> int:
        return self.row.number

    def value(self, key: str) -> str:
        cols = self.by_key.get(key)
        return self.row.cells.get(cols[0].letter, "").strip() if cols else ""

    def texts(self, key: str) -> Translations:
        """The non-empty cells of a translatable column, by language."""
        return {
            (c.language or "default"): self.row.cells[c.letter].strip()
            for c in self.by_key.get(key, [])
            if self.row.cells.get(c.letter, "").strip()
        }

    def letter(self, key: str) -> str | None:
        cols = self.by_key.get(key)
        return cols[0].letter if cols else None


def _required(text: str) -> str | None:
    """The ``required`` cell as an expression: yes/true become ``true()``, no/false/blank None."""
    if text.lower() in _YES:
        return "true()"
    if text.lower() in _NO or not text:
        return None
    return text


def _unknown_type_message(raw_type: str) -> str:
    lowered = raw_type.lower()
    first_word = lowered.split(" ")[0]
    if lowered in _UNSUPPORTED_TYPES or first_word in _UNSUPPORTED_TYPES or lowered.startswith("begin loop"):
        return f"not supported: question type '{raw_type}'"
    if first_word in ("select_one", "select_multiple", "select1", "rank") or first_word.endswith(
        "_from_file"
    ):
        return "選択肢リスト名がありません (select type without a choice list)"
    return f"不明な型です (unknown question type '{raw_type}')"


def _did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the first candidate within two edits of ``word``, or ""."""
    similar = next((candidate for candidate in candidates if _similar(word, candidate)), None)
    return f" ('{similar}' の書き間違いですか? did you mean '{similar}'?)" if similar else ""


class _Importer:
    def __init__(self, workbook: RawWorkbook, fallback_name: str) -> None:
        self.workbook = workbook
        self.fallback_name = fallback_name
        self.problems: list[Problem] = []
        self.locations: dict[tuple[str, str], Location] = {}
        self.languages: list[str] = []
        self.choice_columns: dict[str, set[str]] = {}
        self.dropped_names: set[str] = set()
        self.range_bounds: tuple[str, str] | None = None  # of the range row being imported
        self.file_params = False  # the row being imported is a select_one_from_file (parameters used)
        self.media_letters: set[str] = set()  # survey columns holding label media (image::en …)
        self.parameters_noted = False
        self.added: list[Node] = []  # fields a row adds after itself (the text box of 'or_other')
        self.attachments: dict[str, str] = {}  # instance -> file name, from select_one_from_file
        self.file_lists: dict[str, FileChoices] = {}

    def error(
        self, sheet: str | None, row: int | None, column: str | None, subject: str, message: str
    ) -> None:
        self.problems.append(Problem(sheet, row, column, subject, message))

    def warn(
        self, sheet: str | None, row: int | None, column: str | None, subject: str, message: str
    ) -> None:
        self.problems.append(Problem(sheet, row, column, subject, message, "warning"))

    def note_language(self, language: str | None) -> None:
        key = language or "default"
        if key not in self.languages:
            self.languages.append(key)

    # ------------------------------------------------------------------------------------------ sheets

    def sheets(self) -> tuple[RawSheet | None, RawSheet | None, RawSheet | None]:
        by_name: dict[str, RawSheet] = {}
        for sheet in self.workbook.sheets:
            key = sheet.name.strip().lower()
            if key in ("survey", "choices", "settings"):
                if key in by_name:
                    self.error(
                        sheet.name, None, None, sheet.name, "同じ名前のシートが2つあります (duplicate sheet)"
                    )
                by_name[key] = sheet
            elif key == _ENTITIES_SHEET and sheet.rows:
                self.warn(
                    sheet.name, None, None, sheet.name,
                    "entities シートは使いません: ODK Central のエンティティは作りません。回答は普通の回答として"
                    "残ります (entities sheet ignored: no ODK Central entity is created; the answers are kept)",
                )  # fmt: skip
            elif key in _UNSUPPORTED_SHEETS:
                if sheet.rows:
                    self.error(sheet.name, None, None, sheet.name, f"not supported: sheet '{key}'")
            elif len(self.workbook.sheets) > 1:
                hint = _did_you_mean(key, ("survey", "choices", "settings"))
                self.warn(sheet.name, None, None, sheet.name, f"このシートは使いません (sheet ignored){hint}")
        survey = by_name.get("survey")
        if survey is None and len(self.workbook.sheets) == 1:
            survey = self.workbook.sheets[0]
        if survey is None:
            self.error(None, None, None, "survey", "survey シートがありません (no 'survey' sheet)")
        return survey, by_name.get("choices"), by_name.get("settings")

    def columns(self, sheet: RawSheet, kind: Literal["survey", "choices"]) -> list[_Column]:
        """The columns of a sheet that are read; every header that is not read is reported or warned about."""
        used = _nonempty_columns(sheet)
        columns: list[_Column] = []
        seen: dict[tuple[str, str | None], str] = {}
        for letter, header in sheet.headers.items():
            column = self.column(sheet.name, letter, header, kind, letter in used, seen)
            if column is not None:
                columns.append(column)
        return columns

    def column(
        self,
        sheet: str,
        letter: str,
        header: str,
        kind: Literal["survey", "choices"],
        used: bool,
        seen: dict[tuple[str, str | None], str],
    ) -> _Column | None:
        """One header as a column, or None (the reason reported when it matters) when it is not read."""
        base, language = _split_header(header)
        canonical, known = _COLUMN_RULES[kind]
        key = canonical(base)
        if key.startswith("media"):
            key = "media"
        if key in known:
            return self.known_column(sheet, letter, header, key, language, seen)
        if key in _UNSUPPORTED_COLUMNS or key.split(":")[0] in _UNSUPPORTED_COLUMNS:
            if used:
                self.error(sheet, 1, letter, header, f"not supported: column '{header}'")
            return None
        if self.ignored_column(sheet, letter, header, key, kind, used):
            return None
        if kind == "choices":  # an extra column, for choice_filter
            if " " in header.strip():
                self.warn(
                    sheet,
                    1,
                    letter,
                    header,
                    "列名に空白があるため使いません (column name with spaces ignored)",
                )
                return None
            return _Column(letter, header, key, None)
        if used:
            hint = _did_you_mean(key, sorted(known))
            self.warn(sheet, 1, letter, header, f"この列は使いません (column ignored){hint}")
        return None

    def ignored_column(
        self, sheet: str, letter: str, header: str, key: str, kind: Literal["survey", "choices"], used: bool
    ) -> bool:
        """Whether a column only changes a phone app's display (warned about when used); media columns of
        the survey sheet are noted, so that a note showing only an image is not called label-less."""
        ignored = _WEB_IGNORED_COLUMNS.get(key) or _WEB_IGNORED_COLUMNS.get(key.split(":")[0])
        if ignored is None:
            return False
        if key.split(":")[0] in _MEDIA_COLUMNS and kind == "survey":
            self.media_letters.add(letter)
        if used:
            self.warn(sheet, 1, letter, header, ignored)
        return True

    def known_column(
        self,
        sheet: str,
        letter: str,
        header: str,
        key: str,
        language: str | None,
        seen: dict[tuple[str, str | None], str],
    ) -> _Column | None:
        if language is not None and key not in _TRANSLATABLE:
            self.error(
                sheet, 1, letter, header, f"列 '{key}' は言語別にできません (column cannot be translated)"
            )
            return None
        previous = seen.get((key, language))
        if previous is not None:
            self.error(
                sheet, 1, letter, header,
                f"同じ意味の列が2つあります: 列 {previous} と {letter} (duplicate column '{key}')",
            )  # fmt: skip
            return None
        seen[(key, language)] = letter
        if key in _TRANSLATABLE:
            self.note_language(language)
        return _Column(letter, header, key, language)

    # --------------------------------------------------------------------------------------- choices

    def choices(self, sheet: RawSheet | None, allow_duplicates: bool = False) -> dict[str, ChoiceList]:
        lists: dict[str, ChoiceList] = {}
        if sheet is None:
            return lists
        columns = self.columns(sheet, "choices")
        keys = {c.key for c in columns}
        for required in ("list_name", "name"):
            if sheet.rows and required not in keys:
                self.error(
                    sheet.name, 1, None, required, f"{required} 列がありません (missing '{required}' column)"
                )
                return lists
        letter_of = {c.key: c.letter for c in columns if c.key in ("list_name", "name")}
        for row in sheet.rows:
            self.choice(sheet.name, row, columns, letter_of, lists, allow_duplicates)
        return lists

    def choice(
        self,
        sheet: str,
        row: RawRow,
        columns: list[_Column],
        letter_of: dict[str, str],
        lists: dict[str, ChoiceList],
        allow_duplicates: bool,
    ) -> None:
        """Add one row of the choices sheet to its list, or report why it cannot be."""
        values = {c: row.cells.get(c.letter, "") for c in columns}
        if not any(values.values()):
            return
        list_name = row.cells.get(letter_of["list_name"], "")
        name = row.cells.get(letter_of["name"], "")
        if not list_name:
            self.error(
                sheet, row.number, letter_of["list_name"], name, "list_name が空です (empty list_name)"
            )
            return
        if not name:
            self.error(
                sheet, row.number, letter_of["name"], list_name, "選択肢の name が空です (empty choice name)"
            )
            return
        choice_list = lists.setdefault(list_name, ChoiceList(list_name))
        if choice_list.get(name) is not None and not allow_duplicates:
            self.error(
                sheet, row.number, letter_of["name"], name,
                f"選択肢リスト '{list_name}' に同じ name があります (duplicate choice name)",
            )  # fmt: skip
            return
        label: Translations = {}
        extra: dict[str, str] = {}
        for column, value in values.items():
            if column.key == "label" and value:
                label[column.language or "default"] = value
                self.note_language(column.language)
            elif column.key not in _CHOICE_COLUMNS and value:
                extra[column.key] = value
        if not label:
            self.warn(sheet, row.number, None, name, "選択肢にラベルがありません (choice without a label)")
        choice_list.choices.append(Choice(name, label, row.number, extra))
        self.choice_columns.setdefault(list_name, set()).update(
            c.key for c in columns if c.key not in ("list_name", "label")
        )

    # -------------------------------------------------------------------------------------- settings

    def settings(self, sheet: RawSheet | None) -> dict[str, str]:
        out: dict[str, str] = {}
        if sheet is None:
            return out
        data_rows = [row for row in sheet.rows if row.cells]
        if not data_rows:
            return out
        row = data_rows[0]
        for letter, header in sheet.headers.items():
            key = re.sub(r"\s+", "_", header.strip().lower())
            value = row.cells.get(letter, "")
            if key in _SETTINGS_ALIASES:
                out[_SETTINGS_ALIASES[key]] = value
            elif value:
                self.warn(sheet.name, 1, letter, header, f"この設定は使いません (setting '{header}' ignored)")
        return out

    # ---------------------------------------------------------------------------------------- survey

    def survey(self, sheet: RawSheet, lists: dict[str, ChoiceList]) -> list[Node]:
        columns = self.columns(sheet, "survey")
        by_key: dict[str, list[_Column]] = {}
        for column in columns:
            by_key.setdefault(column.key, []).append(column)
        if "type" not in by_key:
            self.error(sheet.name, 1, None, "type", "type 列がありません (missing 'type' column)")
            return []
        if not sheet.rows:
            self.error(sheet.name, None, None, "", "質問がありません (the survey sheet has no rows)")
        type_col = by_key["type"][0].letter
        name_col = by_key["name"][0].letter if "name" in by_key else None
        root: list[Node] = []
        stack: list[tuple[Section, int]] = []
        for row in sheet.rows:
            cells = _Cells(sheet.name, row, by_key, type_col, name_col)
            node = self.row(cells, lists, stack)
            if not isinstance(node, Field | Section):
                if node is None and cells.value("name"):
                    self.dropped_names.add(cells.value("name"))
                continue
            (stack[-1][0].children if stack else root).extend([node, *self.added])
            self.added = []
            if isinstance(node, Section):
                if len(stack) >= MAX_SECTION_DEPTH:
                    # Stop here: deeper nesting is surely a mistake, and the form is rejected anyway.
                    self.error(
                        sheet.name, row.number, type_col, node.name,
                        f"グループ・繰り返しの入れ子が深すぎます (more than {MAX_SECTION_DEPTH} nested groups/repeats)",
                    )  # fmt: skip
                    return root
                stack.append((node, row.number))
        for section, row_number in stack:
            self.error(
                sheet.name, row_number, type_col, section.name,
                f"begin {section.kind} に対応する end {section.kind} がありません (unclosed)",
            )  # fmt: skip
        return root

    def at(self, cells: _Cells, column: str | None, subject: str, message: str) -> None:
        """Report an error in a cell of the survey row being imported."""
        self.error(cells.sheet, cells.number, column, subject, message)

    def row(
        self, cells: _Cells, lists: dict[str, ChoiceList], stack: list[tuple[Section, int]]
    ) -> Node | Literal["end"] | None:
        """One survey row as a field or section, ``"end"`` for an end row, None for a blank or bad row."""
        raw_type = re.sub(r"\s+", " ", cells.value("type"))
        name = cells.value("name")
        if not raw_type:
            if name or cells.texts("label"):
                self.at(cells, cells.type_col, name, "type が空です (missing question type)")
            return None
        lowered = raw_type.lower()
        control = _CONTROL_TYPES.get(lowered)
        if lowered in _UNSUPPORTED_TYPES and lowered.startswith("end"):
            return None  # its 'begin' row already carries the "not supported" message
        if control is not None:
            if control[0] == "end":
                self.close_section(cells, raw_type, control[1], stack)
                return "end"
            if self.checked_name(cells, raw_type, name):
                return self.section(cells, name, control[1])
            return None
        return self.question(cells, raw_type, name, lists)

    def question(self, cells: _Cells, raw_type: str, name: str, lists: dict[str, ChoiceList]) -> Field | None:
        """A survey row that is not a group or repeat as a field, or None (reported) when refused."""
        field_type = self.field_type(cells, raw_type, lists)
        if field_type is None:
            return None
        kind, choice_list, meta = field_type
        if not name and kind == "note":
            name = f"_note_row{cells.number}"  # notes hold no value, so a missing name is harmless
        if self.checked_name(cells, raw_type, name):
            node = self.field(cells, name, kind, choice_list, meta)
            select = _SELECT_RE.match(raw_type)
            if select is not None and select.group(3):
                self.add_other(cells, node, lists)
            return node
        return None

    def add_other(self, cells: _Cells, node: Field, lists: dict[str, ChoiceList]) -> None:
        """``or_other``: an 'other' choice and a text box ``<name>_other`` shown when it is picked (as
        pyxform does)."""
        choice_list = lists.get(node.choice_list or "")
        if choice_list is not None and choice_list.get(OTHER_CHOICE) is None:
            choice_list.choices.append(Choice(OTHER_CHOICE, {"default": "Other"}, cells.number))
        other = Field(
            kind="text",
            name=f"{node.name}_other",
            row=cells.number,
            label={"default": "Specify other."},
            relevant=f"selected(${{{node.name}}}, '{OTHER_CHOICE}')",
        )
        self.added.append(other)

    def close_section(
        self, cells: _Cells, raw_type: str, kind: str, stack: list[tuple[Section, int]]
    ) -> None:
        if not stack:
            self.at(cells, cells.type_col, raw_type, f"対応する begin がありません (unmatched {raw_type})")
            return
        open_section = stack.pop()[0]
        if open_section.kind != kind:
            self.at(
                cells, cells.type_col, raw_type,
                f"begin {open_section.kind} '{open_section.name}' の中で {raw_type} (mismatched end)",
            )  # fmt: skip

    def field_type(
        self, cells: _Cells, raw_type: str, lists: dict[str, ChoiceList]
    ) -> tuple[FieldKind, str | None, str | None] | None:
        """The kind, choice list and metadata of a question type, or None when the type is refused
        (and reported)."""
        lowered = raw_type.lower()
        if lowered == "range":
            return self.range_type(cells)
        if lowered in _META_TYPES:
            return "calculate", None, _META_TYPES[lowered]
        rank = _RANK_RE.match(raw_type)
        if rank is not None:
            return "rank", self.listed(cells, rank.group(1), lists), None
        from_file = _SELECT_FILE_RE.match(raw_type)
        if from_file is not None:
            return self.file_select_type(cells, from_file, lists)
        if lowered in _ACKNOWLEDGE_TYPES:
            if ACKNOWLEDGE_LIST not in lists:
                lists[ACKNOWLEDGE_LIST] = ChoiceList(ACKNOWLEDGE_LIST, [Choice("OK", {"default": "OK"})])
            return "select_one", ACKNOWLEDGE_LIST, None
        select = _SELECT_RE.match(raw_type)
        if select is not None and select.group(2).lower() in ("from_file", "file"):
            select = None  # 'select_one_from_file x.csv' / 'select one from file x.csv' is not a list name
        if select is not None:
            multiple = select.group(1).lower() in ("select_multiple", "select all that apply")
            return (
                ("select_multiple" if multiple else "select_one"),
                self.listed(cells, select.group(2), lists),
                None,
            )
        simple = _SIMPLE_TYPES.get(lowered)
        if simple is None:
            self.at(cells, cells.type_col, cells.value("name") or raw_type, _unknown_type_message(raw_type))
            return None
        return simple, None, None

    def listed(self, cells: _Cells, choice_list: str, lists: dict[str, ChoiceList]) -> str:
        """A select's or rank's choice list name, reported when the choices sheet lacks it."""
        if choice_list not in lists:
            self.at(
                cells, cells.type_col, choice_list,
                f"選択肢リスト '{choice_list}' が choices シートにありません (missing choice list)",
            )  # fmt: skip
        return choice_list

    def file_select_type(
        self, cells: _Cells, match: re.Match[str], lists: dict[str, ChoiceList]
    ) -> tuple[FieldKind, str | None, str | None] | None:
        """``select_one_from_file x.csv``: the choices come from a file attached to the form (value and
        label columns ``name``/``label``, ``id``/``title`` for GeoJSON, or ``value=``/``label=`` in
        ``parameters``)."""
        file_name = match.group(2)
        stem, dot, ending = file_name.rpartition(".")
        if not dot or f".{ending.lower()}" not in _FILE_ENDINGS or not stem:
            self.at(
                cells, cells.type_col, file_name,
                "選択肢ファイルの名前は .csv .xml .geojson で終えてください "
                "(the choice file must end in .csv, .xml or .geojson)",
            )  # fmt: skip
            return None
        geojson = ending.lower() == "geojson"
        value, label = ("id", "title") if geojson else ("name", "label")
        for part in re.split(r"[\s;,]+", cells.value("parameters")):
            key, _, given = part.partition("=")
            if key.strip().lower() == "value" and given.strip():
                value = given.strip()
            elif key.strip().lower() == "label" and given.strip():
                label = given.strip()
        self.file_params = True
        previous = self.attachments.get(stem)
        if previous is not None and previous != file_name:
            self.at(
                cells, cells.type_col, file_name,
                f"'{previous}' と同じ名前の別のファイルです (another file named '{stem}')",
            )  # fmt: skip
            return None
        self.attachments[stem] = file_name
        key = (
            file_name
            if (value, label) == (("id", "title") if geojson else ("name", "label"))
            else (f"{file_name}?value={value}&label={label}")
        )
        self.file_lists[key] = FileChoices(stem, value, label)
        lists.setdefault(key, ChoiceList(key))
        multiple = match.group(1).lower().startswith(("select_multiple", "select multiple"))
        return ("select_multiple" if multiple else "select_one"), key, None

    def range_type(self, cells: _Cells) -> tuple[FieldKind, str | None, str | None] | None:
        """``range``: a number typed in a box, from ``start`` to ``end`` (parameters; 1 to 10 by default)
        in steps of ``step``, checked on the server; an integer unless a parameter has decimals."""
        parameters = {"start": "1", "end": "10", "step": "1"}
        for part in re.split(r"[\s;,]+", cells.value("parameters")):
            key, _, value = part.partition("=")
            if key.strip().lower() in parameters and re.fullmatch(r"-?\d+(\.\d+)?", value.strip()):
                parameters[key.strip().lower()] = value.strip()
        if float(parameters["step"]) <= 0 or float(parameters["start"]) == float(parameters["end"]):
            self.at(
                cells, cells.letter("parameters"), cells.value("name"),
                "range の parameters が正しくありません (range needs start != end and a positive step)",
            )  # fmt: skip
            return None
        low, high = sorted((parameters["start"], parameters["end"]), key=float)
        self.range_bounds = (low, high)
        decimal = any("." in value for value in parameters.values())
        return ("decimal" if decimal else "integer"), None, None

    def checked_name(self, cells: _Cells, raw_type: str, name: str) -> bool:
        """Whether ``name`` is a valid name (else reported); a valid one has its cells' locations noted."""
        if not name:
            self.at(cells, cells.name_col, raw_type, "name が空です (missing name)")
            return False
        if not NAME_RE.match(name):
            self.at(
                cells, cells.name_col, name,
                "name に使えない文字があります。英字で始め、英数字と _ - . だけにしてください (invalid)",
            )  # fmt: skip
            return False
        for key in _LOCATED_COLUMNS:
            column = cells.letter(key)
            if column is not None and cells.value(key):
                self.locations[(name, key)] = Location(cells.sheet, cells.number, column)
        self.locations[(name, "name")] = Location(cells.sheet, cells.number, cells.name_col)
        self.locations[(name, "type")] = Location(cells.sheet, cells.number, cells.type_col)
        return True

    def section(self, cells: _Cells, name: str, kind: str) -> Section:
        section = Section(
            kind="group" if kind == "group" else "repeat",
            name=name,
            row=cells.number,
            label=cells.texts("label"),
            hint=cells.texts("hint"),
            relevant=cells.value("relevant") or None,
            appearance=cells.value("appearance") or None,
            repeat_count=cells.value("repeat_count") or None,
        )
        if section.kind == "group" and section.repeat_count:
            self.at(
                cells, cells.letter("repeat_count"), name,
                "repeat_count は repeat だけに使えます (repeat_count on a group)",
            )  # fmt: skip
        for key in _NOT_ON_SECTIONS:
            if cells.value(key) and key == "default":
                self.warn(
                    cells.sheet, cells.number, cells.letter(key), name,
                    f"{name}: default は {section.kind} には使いません (default ignored on a {section.kind}, "
                    "as pyxform does)",
                )  # fmt: skip
            elif cells.value(key):
                self.at(cells, cells.letter(key), name, f"not supported: '{key}' on a {section.kind}")
        return section

    def field(
        self, cells: _Cells, name: str, kind: FieldKind, choice_list: str | None, meta: str | None = None
    ) -> Field:
        node = Field(
            kind=kind,
            name=name,
            row=cells.number,
            label=cells.texts("label"),
            hint=cells.texts("hint"),
            required=_required(cells.value("required")),
            required_message=cells.texts("required_message"),
            relevant=cells.value("relevant") or None,
            constraint=cells.value("constraint") or None,
            constraint_message=cells.texts("constraint_message"),
            calculation=cells.value("calculation") or None,
            default=cells.value("default") or None,
            choice_list=choice_list,
            choice_filter=cells.value("choice_filter") or None,
            appearance=cells.value("appearance") or None,
            meta=meta,
        )
        if self.range_bounds is not None:
            bounds = f". >= {self.range_bounds[0]} and . <= {self.range_bounds[1]}"
            node.constraint = f"({node.constraint}) and {bounds}" if node.constraint else bounds
            self.range_bounds = None
        elif cells.value("parameters") and not self.parameters_noted and not self.file_params:
            self.parameters_noted = True
            self.warn(
                cells.sheet, 1, cells.letter("parameters"), "parameters",
                "parameters は range の範囲だけに使います (parameters are applied only to range)",
            )  # fmt: skip
        if node.kind not in ("calculate", "note") and node.calculation:
            # ODK computes such a question's value from its calculation; the web does the same, and
            # does not ask it.
            self.warn(
                cells.sheet, cells.number, cells.letter("calculation"), node.name,
                f"calculation のある '{node.kind}' の質問は計算として扱い、表示しません "
                "(a question with a calculation is computed, not asked)",
            )  # fmt: skip
            node.kind = "calculate"
        self.file_params = False
        self.check_field_columns(cells, node)
        return node

    def check_field_columns(self, cells: _Cells, node: Field) -> None:
        """Columns a question of this kind must have, or must not have."""
        if node.kind == "calculate" and not node.calculation and node.meta is None:
            self.at(
                cells, cells.letter("calculation") or cells.type_col, node.name,
                "calculation が空です (calculate without a calculation)",
            )  # fmt: skip
        if node.kind != "calculate" and node.calculation:
            self.at(
                cells, cells.letter("calculation"), node.name,
                f"not supported: calculation on a '{node.kind}' question (use a calculate row)",
            )  # fmt: skip
        media_only = any(cells.row.cells.get(letter, "").strip() for letter in self.media_letters)
        if node.kind == "note" and not node.label and not node.hint and media_only:
            self.warn(
                cells.sheet, cells.number, cells.name_col, node.name,
                f"{node.name}: 画像などだけの注記です。ウェブでは画像を表示しないので、何も表示されません "
                "(a note with only media: media is not shown on the web, so the note shows nothing)",
            )  # fmt: skip
        elif node.kind != "calculate" and not node.label and not node.hint and node.appearance != "hidden":
            self.at(
                cells, cells.letter("label") or cells.name_col, node.name,
                "ラベルがありません (question without a label)",
            )  # fmt: skip
        if node.choice_filter and node.choice_list is None:
            self.at(
                cells, cells.letter("choice_filter"), node.name,
                "choice_filter は選択式の質問だけに使えます (choice_filter on a non-select)",
            )  # fmt: skip
        if cells.value("repeat_count"):
            self.at(
                cells, cells.letter("repeat_count"), node.name,
                "repeat_count は begin repeat だけに使えます (repeat_count on a question)",
            )  # fmt: skip

    def run(self) -> SheetImport:
        survey, choices_sheet, settings_sheet = self.sheets()
        settings = self.settings(settings_sheet)
        lists = self.choices(choices_sheet, settings.get("allow_choice_duplicates", "").lower() in _YES)
        children = self.survey(survey, lists) if survey is not None else []
        languages = [lang for lang in self.languages if lang != "default"] or ["default"]
        if "default" in self.languages and languages != ["default"]:
            languages.append("default")
        default_language = settings.get("default_language") or None
        if default_language is not None and default_language not in self.languages:
            # 'default_language: 日本語 (ja)' names the 'label::日本語 (ja)' columns, read as 'ja'.
            default_language = _language_of(default_language)
        if default_language is not None and default_language not in self.languages:
            self.warn(
                settings_sheet.name if settings_sheet else None, 2, None, default_language,
                "default_language の言語のラベルがありません (no labels in the default_language)",
            )  # fmt: skip
        form_id = settings.get("form_id") or _safe_id(self.fallback_name)
        form = Form(
            title=settings.get("title") or form_id,
            form_id=form_id,
            version=settings.get("version", ""),
            default_language=default_language,
            languages=languages,
            children=children,
            choice_lists=lists,
            attachments=self.attachments,
            file_choice_lists=self.file_lists,
        )
        if survey is None:
            return SheetImport(None, self.problems, self.locations, self.choice_columns, self.dropped_names)
        return SheetImport(form, self.problems, self.locations, self.choice_columns, self.dropped_names)


def _safe_id(name: str) -> str:
    stem = Path(name).stem if name else "form"
    cleaned = re.sub(r"[^\w.\-]", "_", stem)
    return cleaned or "form"


def _similar(a: str, b: str) -> bool:
    """Whether two words differ by at most two edits (catches 'stettings', 'relevent')."""
    if a == b or abs(len(a) - len(b)) > 2 or min(len(a), len(b)) < 4:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1] <= 2


def import_workbook(workbook: RawWorkbook, *, filename: str = "") -> SheetImport:
    """Build a form from raw sheets; structural problems are listed, expressions are checked later."""
    return _Importer(workbook, filename).run()
