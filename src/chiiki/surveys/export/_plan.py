"""The shape of an export: one table per repeat level, its columns, and how to read them from an answer.

Answers are nested like the form: a group is a dict under its name, a repeat is a list of dicts under its name.
The household table holds every field outside repeats; each repeat gets its own table with the household key,
the 1-based position of the row in its repeat, and the positions of the enclosing repeat rows, so that the
files join on (household_key, <parent>_index, …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from chiiki.surveys.xlsform import ChoiceList, Field, Form, Node, Section

__all__ = ["HOUSEHOLD_KEY", "HOUSEHOLD_TABLE", "Column", "ColumnKind", "ExportPlan", "MetaColumn", "Table"]

HOUSEHOLD_KEY = "household_key"
HOUSEHOLD_TABLE = "households"
MAX_NAME = 32  # Stata's limit on variable names, the tightest of the target formats

ColumnKind = Literal["key", "index", "string", "integer", "decimal", "date", "datetime", "dummy", "coded"]
"""``coded``: a select_one whose choice names are all integers, exported as a number with value labels."""


@dataclass(frozen=True, slots=True)
class MetaColumn:
    """A household-level column that does not come from the form (mode, submission time, weight, …)."""

    name: str
    kind: Literal["string", "integer", "decimal", "datetime"]
    label_ja: str
    label_en: str = ""


@dataclass(slots=True)
class Column:
    """One variable of one table."""

    name: str
    kind: ColumnKind
    label: dict[str, str] = field(default_factory=dict)
    source: str = ""  # the form field it comes from ("" for keys and metadata)
    source_type: str = ""  # the XLSForm type of that field
    path: tuple[str, ...] = ()  # groups to descend into from the row's context, then the field name
    choice: str | None = None  # the choice a 0/1 column stands for
    choices: list[tuple[str, dict[str, str]]] = field(default_factory=list)


@dataclass(slots=True)
class Table:
    """One output file: the household level or one repeat level."""

    name: str
    repeat_path: tuple[tuple[str, ...], ...]  # for each repeat level: groups then the repeat name
    columns: list[Column]

    @property
    def key_columns(self) -> list[Column]:
        """The columns that join this table to its parents."""
        return [column for column in self.columns if column.kind in ("key", "index")]


def _safe_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not cleaned or not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = f"v_{cleaned}"
    return cleaned[:MAX_NAME]


class _Names:
    """Unique, format-safe variable names within one table."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        base = _safe_name(wanted)
        name, number = base, 1
        while name.lower() in self.used:
            number += 1
            suffix = f"_{number}"
            name = base[: MAX_NAME - len(suffix)] + suffix
        self.used.add(name.lower())
        return name


def _is_coded(choice_list: ChoiceList | None) -> bool:
    if choice_list is None or not choice_list.choices:
        return False
    return all(re.fullmatch(r"-?\d{1,9}", choice.name) for choice in choice_list.choices)


@dataclass(slots=True)
class ExportPlan:
    """Every table of an export, built from the form (and the household-level metadata columns)."""

    form: Form
    tables: list[Table]
    meta: list[MetaColumn]

    @classmethod
    def from_form(cls, form: Form, meta: list[MetaColumn] | None = None) -> ExportPlan:
        """Lay out the tables of ``form``: households first, then each repeat in document order."""
        meta = list(meta or [])
        tables: list[Table] = []

        def new_table(name: str, repeat_path: tuple[tuple[str, ...], ...], parents: list[str]) -> Table:
            names = _Names()
            columns = [Column(names.take(HOUSEHOLD_KEY), "key", {"ja": "世帯キー", "en": "Household key"})]
            for parent in parents:
                columns.append(
                    Column(names.take(f"{parent}_index"), "index", {"ja": f"{parent} の行番号", "en": "Row"})
                )
            table = Table(name, repeat_path, columns)
            table_names[name] = names
            tables.append(table)
            return table

        table_names: dict[str, _Names] = {}
        household = new_table(HOUSEHOLD_TABLE, (), [])
        for column in meta:
            household.columns.append(
                Column(
                    table_names[HOUSEHOLD_TABLE].take(column.name),
                    column.kind,
                    {"ja": column.label_ja, "en": column.label_en},
                )
            )

        def visit(
            nodes: list[Node],
            table: Table,
            groups: tuple[str, ...],
            repeat_path: tuple[tuple[str, ...], ...],
            parents: list[str],
        ) -> None:
            for node in nodes:
                if isinstance(node, Section):
                    if node.kind == "group":
                        visit(node.children, table, (*groups, node.name), repeat_path, parents)
                    else:
                        child_path = (*repeat_path, (*groups, node.name))
                        child_parents = [*parents, node.name]
                        child = new_table(node.name, child_path, child_parents)
                        visit(node.children, child, (), child_path, child_parents)
                elif node.kind != "note":
                    _add_field(form, node, table, table_names[table.name], (*groups, node.name))

        visit(form.children, household, (), (), [])
        return cls(form, tables, meta)

    def table(self, name: str) -> Table:
        """The table called ``name``."""
        return next(table for table in self.tables if table.name == name)


def _add_field(form: Form, node: Field, table: Table, names: _Names, path: tuple[str, ...]) -> None:
    choice_list = form.choice_lists.get(node.choice_list or "")
    choices = [(choice.name, dict(choice.label)) for choice in choice_list.choices] if choice_list else []

    def column(name: str, kind: ColumnKind, label: dict[str, str], choice: str | None = None) -> Column:
        return Column(names.take(name), kind, label, node.name, node.kind, path, choice, choices)

    if node.kind == "select_multiple":
        table.columns.append(column(node.name, "string", dict(node.label)))
        for name, label in choices:
            dummy_label = {
                lang: f"{node.label.get(lang) or node.name}: {text}" for lang, text in label.items() if text
            }
            table.columns.append(column(f"{node.name}_{name}", "dummy", dummy_label, name))
        return
    kind: ColumnKind = "string"  # text, and calculate (XLSForm does not declare a calculation's type)
    if node.kind == "select_one" and _is_coded(choice_list):
        kind = "coded"
    elif node.kind == "integer":
        kind = "integer"
    elif node.kind == "decimal":
        kind = "decimal"
    elif node.kind == "date":
        kind = "date"
    table.columns.append(column(node.name, kind, dict(node.label)))
