"""The typed in-memory questionnaire: fields, groups, repeats, choice lists and settings.

A :class:`Form` is what the importer builds from an XLSForm and what the web answering code works from.
It round-trips through JSON (:meth:`Form.to_json` / :meth:`Form.from_json`) so that a survey can store the
exact definition its respondents answer, versioned, independent of the spreadsheet it came from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "FIELD_KINDS",
    "JSON_FORMAT_VERSION",
    "MEDIA_KINDS",
    "META_KINDS",
    "RANK_UNSURE",
    "Choice",
    "ChoiceList",
    "Field",
    "FileChoices",
    "Form",
    "Node",
    "Page",
    "Section",
    "Translations",
    "is_dynamic_default",
    "pick_text",
]

JSON_FORMAT_VERSION = 1
"""Bumped whenever the JSON layout of a stored form changes incompatibly."""

FieldKind = Literal[
    "text", "integer", "decimal", "date", "select_one", "select_multiple", "note", "calculate",
    "time", "datetime", "geopoint", "geotrace", "geoshape", "image", "audio", "video", "file", "rank",
]  # fmt: skip
FIELD_KINDS: tuple[str, ...] = (
    "text",
    "integer",
    "decimal",
    "date",
    "select_one",
    "select_multiple",
    "note",
    "calculate",
    "time",
    "datetime",
    "geopoint",
    "geotrace",
    "geoshape",
    "image",
    "audio",
    "video",
    "file",
    "rank",
)
RANK_UNSURE = "rank-unsure:"
"""Prefix of the value the answering pages keep for a ``rank`` question whose numbers were not each used once
(``rank-unsure:1:a,1:b,:c``): the runtime reports it as the question's error, the page shows the numbers again."""
MEDIA_KINDS: dict[str, tuple[tuple[str, ...], int]] = {
    "image": ((".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"), 10 * 1024 * 1024),
    "audio": ((".mp3", ".m4a", ".aac", ".wav", ".ogg", ".oga", ".amr", ".3gp"), 20 * 1024 * 1024),
    "video": ((".mp4", ".mov", ".webm", ".3gp", ".m4v"), 50 * 1024 * 1024),
    "file": (
        (".pdf", ".txt", ".csv", ".jpg", ".jpeg", ".png", ".xlsx", ".docx", ".odt", ".ods"),
        10 * 1024 * 1024,
    ),
}
"""Upload questions: the file name endings accepted and the largest size in bytes, by kind."""
META_KINDS: tuple[str, ...] = (
    "start", "end", "today", "deviceid", "username", "phonenumber", "email", "start-geopoint", "audit",
    "simserial", "subscriberid", "imei", "hidden",
)  # fmt: skip
"""What fills a ``calculate`` field whose :attr:`Field.meta` is set: the server (start, end, today, deviceid,
username, …), never the respondent; ``hidden`` holds its default."""

Translations = dict[str, str]
"""Text by language code; the key ``"default"`` holds a column without a language (plain ``label``)."""


_DYNAMIC_DEFAULT_RE = re.compile(r"\$\{|[\w-]\(")


def is_dynamic_default(default: str) -> bool:
    """Whether a ``default`` cell is an expression (``today()``, ``${x}``) rather than a literal value."""
    return _DYNAMIC_DEFAULT_RE.search(default) is not None


def pick_text(texts: Translations, language: str | None, default_language: str | None = None) -> str:
    """The text in ``language``, else the form's default language, else untranslated, else any."""
    for key in (language, default_language, "default"):
        if key is not None and texts.get(key):
            return texts[key]
    return next((text for text in texts.values() if text), "")


@dataclass(slots=True)
class Field:
    """One row of the survey sheet that holds a value or shows text (everything but groups/repeats)."""

    kind: FieldKind
    name: str
    row: int = 0
    label: Translations = field(default_factory=dict)
    hint: Translations = field(default_factory=dict)
    required: str | None = None
    required_message: Translations = field(default_factory=dict)
    relevant: str | None = None
    constraint: str | None = None
    constraint_message: Translations = field(default_factory=dict)
    calculation: str | None = None
    default: str | None = None
    choice_list: str | None = None
    choice_filter: str | None = None
    appearance: str | None = None
    meta: str | None = None
    """For a metadata question (``start``, ``username`` … , see :data:`META_KINDS`) imported as a
    ``calculate``: which value the server fills in."""

    @property
    def holds_answer(self) -> bool:
        """Whether the respondent types or picks a value (not a note, not a calculation)."""
        return self.kind not in ("note", "calculate")


@dataclass(slots=True)
class Section:
    """A ``begin group`` … ``end group`` or ``begin repeat`` … ``end repeat`` block."""

    kind: Literal["group", "repeat"]
    name: str
    row: int = 0
    label: Translations = field(default_factory=dict)
    hint: Translations = field(default_factory=dict)
    relevant: str | None = None
    appearance: str | None = None
    repeat_count: str | None = None
    children: list[Node] = field(default_factory=list)


Node = Field | Section


@dataclass(slots=True)
class Choice:
    """One option of a choice list; ``columns`` holds extra columns used by ``choice_filter``."""

    name: str
    label: Translations = field(default_factory=dict)
    row: int = 0
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ChoiceList:
    """The options sharing one ``list_name`` on the choices sheet."""

    name: str
    choices: list[Choice] = field(default_factory=list)

    def get(self, value: str) -> Choice | None:
        """The choice named ``value``, if any."""
        return next((choice for choice in self.choices if choice.name == value), None)


_LANGUAGE_RE = re.compile(r"\(([^()]+)\)\s*$")


@dataclass(frozen=True, slots=True)
class FileChoices:
    """Where a ``select_one_from_file`` list comes from: an instance and the columns holding each
    choice's value and label (``name``/``label``, or ``id``/``title`` for GeoJSON, or the question's
    ``parameters``)."""

    instance: str
    value: str
    label: str

    def choices(self, key: str, items: list[dict[str, str]]) -> ChoiceList:
        """The choice list built from a file's items; items without a value are skipped."""
        out = ChoiceList(key)
        seen: set[str] = set()
        for number, item in enumerate(items, 1):
            value = item.get(self.value, "").strip()
            if not value or value in seen:
                continue
            seen.add(value)
            label: Translations = {}
            for column, text in item.items():
                if not text:
                    continue
                if column == self.label:
                    label["default"] = text
                elif column.startswith((self.label + "::", self.label + ":")):
                    language = column.split(":")[-1].strip()
                    match = _LANGUAGE_RE.search(language)
                    label[match.group(1).strip() if match else language] = text
            columns = {k: v for k, v in item.items() if k != self.value}
            out.choices.append(Choice(value, label or {"default": value}, number, columns))
        return out


@dataclass(slots=True)
class Page:
    """One page of the web questionnaire: a top-level group or repeat, or a run of loose questions."""

    name: str
    label: Translations
    nodes: list[Node]


@dataclass(slots=True)
class Form:
    """A whole questionnaire."""

    title: str
    form_id: str
    version: str
    default_language: str | None
    languages: list[str]
    children: list[Node] = field(default_factory=list)
    choice_lists: dict[str, ChoiceList] = field(default_factory=dict)
    attachments: dict[str, str] = field(default_factory=dict)
    """Files the form reads, by instance name: ``{"buildings": "buildings.geojson"}`` (from
    ``select_one_from_file``, ``instance('…')`` and ``pulldata('…')``)."""
    file_choice_lists: dict[str, FileChoices] = field(default_factory=dict)
    """Choice lists that come from an attached file, by list key (the key a select field names)."""
    instances: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    """The items of each attached file, by instance name (columns as text)."""

    # ------------------------------------------------------------------------------------------ files

    def missing_files(self) -> list[str]:
        """The files the form needs that are not attached yet: it cannot be answered without them."""
        return [name for key, name in self.attachments.items() if key not in self.instances]

    def attach(self, instance: str, items: list[dict[str, str]]) -> None:
        """Attach the items of a file and fill the choice lists that come from it."""
        self.instances[instance] = items
        for key, source in self.file_choice_lists.items():
            if source.instance == instance:
                self.choice_lists[key] = source.choices(key, items)

    # ------------------------------------------------------------------------------------------ traversal

    def walk(self) -> Iterator[tuple[Node, tuple[Section, ...]]]:
        """Every field and section in document order, with its enclosing sections (outermost first)."""

        def visit(
            nodes: list[Node], parents: tuple[Section, ...]
        ) -> Iterator[tuple[Node, tuple[Section, ...]]]:
            for node in nodes:
                yield node, parents
                if isinstance(node, Section):
                    yield from visit(node.children, (*parents, node))

        return visit(self.children, ())

    def fields(self) -> list[Field]:
        """Every field, in document order."""
        return [node for node, _ in self.walk() if isinstance(node, Field)]

    def sections(self) -> list[Section]:
        """Every group and repeat, in document order."""
        return [node for node, _ in self.walk() if isinstance(node, Section)]

    def resolve_path(
        self, owner: Node, parents: tuple[Section, ...], steps: tuple[str, ...], absolute: bool
    ) -> Node | Form | None:
        """Where an XPath path leads from ``owner`` (the node whose expression holds it, inside
        ``parents``): a node, the form itself (the root element), or None when it leads nowhere."""
        trail: list[Node] = [] if absolute else [*parents, owner]
        for step in steps[1:] if absolute else steps:
            if step == ".":
                continue
            if step == "..":
                if not trail:
                    return None
                trail.pop()
                continue
            container = trail[-1] if trail else self
            if isinstance(container, Field):
                return None
            child = next((c for c in container.children if c.name == step), None)
            if child is None:
                return None
            trail.append(child)
        return trail[-1] if trail else self

    def find(self, name: str) -> Node | None:
        """The field or section called ``name``."""
        return next((node for node, _ in self.walk() if node.name == name), None)

    def pages(self) -> list[Page]:
        """The pages of the web questionnaire: each top-level group or repeat is a page; consecutive
        top-level questions outside any group are gathered on a page of their own."""
        pages: list[Page] = []
        loose: list[Node] = []
        for node in self.children:
            if isinstance(node, Section):
                if loose:
                    pages.append(Page(f"_page{len(pages) + 1}", {}, loose))
                    loose = []
                pages.append(Page(node.name, node.label, [node]))
            else:
                loose.append(node)
        if loose:
            pages.append(Page(f"_page{len(pages) + 1}", {}, loose))
        return pages

    def summary(self) -> dict[str, Any]:
        """Counts and metadata for display (what ``chiiki survey check-form`` prints)."""
        sections = self.sections()
        fields = self.fields()
        return {
            "title": self.title,
            "form_id": self.form_id,
            "version": self.version,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "questions": sum(1 for f in fields if f.holds_answer),
            "notes": sum(1 for f in fields if f.kind == "note"),
            "calculations": sum(1 for f in fields if f.kind == "calculate"),
            "groups": sum(1 for s in sections if s.kind == "group"),
            "repeats": sum(1 for s in sections if s.kind == "repeat"),
            "choice_lists": len(self.choice_lists),
            "pages": len(self.pages()),
        }

    # ------------------------------------------------------------------------------------------ JSON

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of the whole definition (store it with the survey's version)."""
        return {
            "format": "chiiki-xlsform",
            "format_version": JSON_FORMAT_VERSION,
            "title": self.title,
            "form_id": self.form_id,
            "version": self.version,
            "default_language": self.default_language,
            "languages": list(self.languages),
            "children": [_node_to_json(node) for node in self.children],
            "choice_lists": {
                name: [
                    {"name": c.name, "label": dict(c.label), "row": c.row, "columns": dict(c.columns)}
                    for c in choice_list.choices
                ]
                for name, choice_list in self.choice_lists.items()
                if name not in self.file_choice_lists  # rebuilt from the instances
            },
            "attachments": dict(self.attachments),
            "file_choice_lists": {
                key: {"instance": source.instance, "value": source.value, "label": source.label}
                for key, source in self.file_choice_lists.items()
            },
            "instances": {name: [dict(item) for item in items] for name, items in self.instances.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Form:
        """Rebuild a form stored with :meth:`to_json`; raise ``ValueError`` for another format."""
        if data.get("format") != "chiiki-xlsform":
            raise ValueError("not a stored chiiki XLSForm definition")
        if data.get("format_version") != JSON_FORMAT_VERSION:
            raise ValueError(f"unsupported stored form format_version {data.get('format_version')!r}")
        form = cls._from_json(data)
        form.attachments = {str(k): str(v) for k, v in data.get("attachments", {}).items()}
        form.file_choice_lists = {
            str(key): FileChoices(str(v["instance"]), str(v["value"]), str(v["label"]))
            for key, v in data.get("file_choice_lists", {}).items()
        }
        for key in form.file_choice_lists:
            form.choice_lists.setdefault(key, ChoiceList(key))
        for name, items in data.get("instances", {}).items():
            form.attach(str(name), [{str(k): str(v) for k, v in item.items()} for item in items])
        return form

    @classmethod
    def _from_json(cls, data: dict[str, Any]) -> Form:
        return cls(
            title=str(data["title"]),
            form_id=str(data["form_id"]),
            version=str(data["version"]),
            default_language=data.get("default_language"),
            languages=[str(lang) for lang in data.get("languages", [])],
            children=[_node_from_json(node) for node in data.get("children", [])],
            choice_lists={
                name: ChoiceList(
                    name,
                    [
                        Choice(
                            str(c["name"]),
                            dict(c.get("label", {})),
                            int(c.get("row", 0)),
                            dict(c.get("columns", {})),
                        )
                        for c in choices
                    ],
                )
                for name, choices in data.get("choice_lists", {}).items()
            },
        )


_FIELD_TEXT_KEYS = ("label", "hint", "required_message", "constraint_message")
_FIELD_EXPR_KEYS = (
    "required",
    "relevant",
    "constraint",
    "calculation",
    "default",
    "choice_list",
    "choice_filter",
    "appearance",
    "meta",
)


def _node_to_json(node: Node) -> dict[str, Any]:
    if isinstance(node, Section):
        out: dict[str, Any] = {"kind": node.kind, "name": node.name, "row": node.row}
        for key in ("label", "hint"):
            if getattr(node, key):
                out[key] = dict(getattr(node, key))
        for key in ("relevant", "appearance", "repeat_count"):
            if getattr(node, key) is not None:
                out[key] = getattr(node, key)
        out["children"] = [_node_to_json(child) for child in node.children]
        return out
    out = {"kind": node.kind, "name": node.name, "row": node.row}
    for key in _FIELD_TEXT_KEYS:
        if getattr(node, key):
            out[key] = dict(getattr(node, key))
    for key in _FIELD_EXPR_KEYS:
        if getattr(node, key) is not None:
            out[key] = getattr(node, key)
    return out


def _node_from_json(data: dict[str, Any]) -> Node:
    kind = data["kind"]
    if kind in ("group", "repeat"):
        return Section(
            kind=kind,
            name=str(data["name"]),
            row=int(data.get("row", 0)),
            label=dict(data.get("label", {})),
            hint=dict(data.get("hint", {})),
            relevant=data.get("relevant"),
            appearance=data.get("appearance"),
            repeat_count=data.get("repeat_count"),
            children=[_node_from_json(child) for child in data.get("children", [])],
        )
    if kind not in FIELD_KINDS:
        raise ValueError(f"unknown field kind {kind!r} in stored form")
    node = Field(kind=kind, name=str(data["name"]), row=int(data.get("row", 0)))
    for key in _FIELD_TEXT_KEYS:
        setattr(node, key, dict(data.get(key, {})))
    for key in _FIELD_EXPR_KEYS:
        setattr(node, key, data.get(key))
    return node
