"""Files attached to a form: the choice files of ``select_one_from_file`` and what ``instance('…')`` and
``pulldata('…')`` read, as ODK defines them.

- CSV: UTF-8 (with or without BOM), a header row; ``name`` and ``label`` (``label::English (en)`` …) by
  default; every column is an item's child for ``instance()``, ``pulldata()`` and ``choice_filter``.
- XML: ``<root><item><name>…</name><label>…</label>…</item>…</root>``.
- GeoJSON: a ``FeatureCollection``; each feature's properties are the item's columns, its ``id`` (the
  feature's or a property) the choice value and ``title`` the label; ``geometry`` is the ODK form of its
  coordinates (``lat lon`` points separated by ``;``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from chiiki.surveys.xlsform._expressions import (
    Call,
    ChoiceColumn,
    ExpressionError,
    InstanceQuery,
    Literal,
    instances_used,
    parse_expression,
    walk,
)
from chiiki.surveys.xlsform._model import Field, Form, is_dynamic_default, pick_text
from chiiki.surveys.xlsform._problems import Problem

__all__ = [
    "CHOICE_FILE_ENDINGS",
    "MAX_FILE_BYTES",
    "MAX_ITEMS",
    "FileError",
    "add_files",
    "attach_files",
    "declare_instances",
    "file_field_problems",
    "instance_columns",
    "read_items",
]

CHOICE_FILE_ENDINGS = (".csv", ".xml", ".geojson")
MAX_FILE_BYTES = 32 * 1024 * 1024
"""A file attached to a form may not be larger than this."""
MAX_ITEMS = 200_000
"""Nor hold more items than this (each becomes a choice the server keeps in memory)."""
_EXPRESSIONS = (
    "relevant",
    "constraint",
    "calculation",
    "default",
    "choice_filter",
    "required",
    "repeat_count",
)


class FileError(ValueError):
    """A file that cannot be read as ODK reads it; the message names where and why."""


@dataclass(slots=True)
class _Declared:
    """An instance the form reads that no ``select_one_from_file`` declares: any of the three endings."""

    names: set[str] = field(default_factory=set)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            f"{name}: UTF-8 で保存してください (not UTF-8: byte {error.start + 1}; ODK reads UTF-8 only)"
        ) from error


def _csv_items(name: str, data: bytes) -> list[dict[str, str]]:
    rows = csv.reader(io.StringIO(_decode(name, data), newline=""))
    header = [cell.strip() for cell in next(rows, [])]
    if not any(header):
        raise FileError(f"{name}: 1行目に列名がありません (no header row)")
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    if duplicated:
        raise FileError(f"{name}: 同じ列名が2つあります (duplicate column {duplicated[0]!r})")
    items: list[dict[str, str]] = []
    for number, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise FileError(
                f"{name}: {number} 行目の列が見出しより多くあります (row {number} has extra cells)"
            )
        items.append({h: cell.strip() for h, cell in zip(header, row, strict=False) if h})
        if len(items) > MAX_ITEMS:
            raise FileError(f"{name}: 項目が多すぎます (more than {MAX_ITEMS} items)")
    return items


def _xml_items(name: str, data: bytes) -> list[dict[str, str]]:
    try:
        root = SafeElementTree.fromstring(data)
    except (SafeElementTree.ParseError, DefusedXmlException, ValueError) as error:
        raise FileError(f"{name}: XML として読めません (not well-formed XML: {error})") from error
    if root.tag != "root":
        raise FileError(f"{name}: 一番外の要素は <root> にしてください (the outer element is <{root.tag}>)")
    items: list[dict[str, str]] = []
    for number, item in enumerate(root, 1):
        if item.tag != "item":
            raise FileError(
                f"{name}: <root> の中は <item> だけにしてください (element {number} is <{item.tag}>)"
            )
        items.append({child.tag: (child.text or "").strip() for child in item})
        if len(items) > MAX_ITEMS:
            raise FileError(f"{name}: 項目が多すぎます (more than {MAX_ITEMS} items)")
    return items


def _odk_point(position: Any) -> str:
    """A GeoJSON position ``[lon, lat, (alt)]`` as ODK writes a point: ``lat lon alt 0``."""
    if not isinstance(position, list) or len(position) < 2:
        raise ValueError("a position must be [longitude, latitude]")
    numbers = [float(v) for v in position[:3]]
    if not all(math.isfinite(n) for n in numbers) or not (
        -90 <= numbers[1] <= 90 and -180 <= numbers[0] <= 180
    ):
        raise ValueError(f"position out of range: {position!r}")
    altitude = _text(numbers[2]) if len(numbers) > 2 else "0"
    return f"{_text(numbers[1])} {_text(numbers[0])} {altitude} 0"


def _odk_geometry(geometry: Any) -> str:
    """Point → ``lat lon alt 0``; LineString → points separated by ``;``; Polygon → its outer ring."""
    if geometry is None:
        return ""
    if not isinstance(geometry, dict):
        raise ValueError("geometry must be an object")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Point":
        return _odk_point(coordinates)
    if kind == "LineString" and isinstance(coordinates, list):
        return "; ".join(_odk_point(p) for p in coordinates)
    if kind == "Polygon" and isinstance(coordinates, list) and coordinates:
        return "; ".join(_odk_point(p) for p in coordinates[0])
    raise ValueError(f"not supported: geometry type {kind!r} (ODK reads Point, LineString and Polygon)")


def _geojson_items(name: str, data: bytes) -> list[dict[str, str]]:
    try:
        document = json.loads(_decode(name, data))
    except json.JSONDecodeError as error:
        raise FileError(
            f"{name}: JSON として読めません (not JSON: line {error.lineno}: {error.msg})"
        ) from error
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise FileError(
            f"{name}: FeatureCollection にしてください (the file must be a GeoJSON FeatureCollection)"
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise FileError(f"{name}: features がありません (no features list)")
    if len(features) > MAX_ITEMS:
        raise FileError(f"{name}: 項目が多すぎます (more than {MAX_ITEMS} items)")
    items: list[dict[str, str]] = []
    for number, feature in enumerate(features, 1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise FileError(
                f"{name}: {number} 番目が Feature ではありません (feature {number} is not a Feature)"
            )
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise FileError(f"{name}: {number} 番目の properties が正しくありません (feature {number})")
        item = {str(key): _text(value) for key, value in properties.items() if key != "geometry"}
        if "id" not in item and feature.get("id") is not None:
            item["id"] = _text(feature["id"])
        try:
            item["geometry"] = _odk_geometry(feature.get("geometry"))
        except (TypeError, ValueError) as error:
            raise FileError(f"{name}: {number} 番目の geometry: {error} (feature {number})") from error
        items.append(item)
    return items


def read_items(name: str, data: bytes) -> list[dict[str, str]]:
    """The items of an attached file, read as ODK reads it; raise :class:`FileError` naming what is wrong."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(f"{name}: ファイルが大きすぎます (larger than {MAX_FILE_BYTES // (1024 * 1024)} MB)")
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        return _csv_items(name, data)
    if suffix == ".xml":
        return _xml_items(name, data)
    if suffix == ".geojson":
        return _geojson_items(name, data)
    raise FileError(f"{name}: 選択肢ファイルは .csv .xml .geojson にしてください (not a choice file)")


def _internal_items(form: Form, list_name: str) -> list[dict[str, str]]:
    """A choice list of the choices sheet as an instance: ``instance('list')/root/item[name=…]/label``."""
    items = []
    for choice in form.choice_lists[list_name].choices:
        item = {"name": choice.name, "label": pick_text(choice.label, None, form.default_language)}
        item.update({f"label::{lang}": text for lang, text in choice.label.items() if lang != "default"})
        item.update(choice.columns)
        items.append(item)
    return items


def _trees(form: Form) -> list[tuple[Any, str, Any]]:
    """Every parsable expression of the form: (node, attribute, tree)."""
    out = []
    for node, _ in form.walk():
        for attribute in _EXPRESSIONS:
            text = getattr(node, attribute, None)
            if not text or (attribute == "default" and not is_dynamic_default(text)):
                continue
            try:
                out.append(
                    (node, attribute, parse_expression(text, allow_bare_names=attribute == "choice_filter"))
                )
            except ExpressionError:
                continue  # the checks report it
    return out


def _file_list_columns(form: Form, columns: dict[str, dict[str, None]]) -> None:
    """The value and label columns of each file's choice lists, and the columns their choice_filter reads."""
    for key, source in form.file_choice_lists.items():
        wanted = columns.setdefault(source.instance, {})
        wanted.update({source.value: None, source.label: None})
        for node in form.fields():
            if node.choice_list != key or not node.choice_filter:
                continue
            try:
                tree = parse_expression(node.choice_filter, allow_bare_names=True)
            except ExpressionError:
                continue
            wanted.update({part.name: None for part in walk(tree) if isinstance(part, ChoiceColumn)})


def _lookup_columns(tree: Any, columns: dict[str, dict[str, None]]) -> None:
    """The columns ``instance('x')/root/item[…]/column`` and ``pulldata('x', …)`` read."""
    for part in walk(tree, into_predicates=False):
        if isinstance(part, InstanceQuery):
            wanted = columns.setdefault(part.instance, {})
            for predicate in part.predicates:
                wanted.update({p.name: None for p in walk(predicate) if isinstance(p, ChoiceColumn)})
            if part.child is not None:
                wanted[part.child] = None
        elif isinstance(part, Call) and part.name == "pulldata":
            names = [arg.value.strip() for arg in part.args[:3] if isinstance(arg, Literal)]
            if len(names) == 3:
                columns.setdefault(names[0], {}).update({names[1]: None, names[2]: None})


def instance_columns(form: Form) -> dict[str, list[str]]:
    """The columns the form reads from each file it needs, by file name: what a file must hold."""
    columns: dict[str, dict[str, None]] = {}
    _file_list_columns(form, columns)
    for _node, _attribute, tree in _trees(form):
        _lookup_columns(tree, columns)
    return {
        form.attachments[instance]: list(wanted)
        for instance, wanted in columns.items()
        if instance in form.attachments
    }


def declare_instances(form: Form) -> tuple[set[str], list[Problem]]:
    """Add to ``form.attachments`` the instances its expressions read; choice lists of the choices sheet
    are attached at once. Returns the instances no ``select_one_from_file`` declares (a file of any of the
    three endings may hold them) and a warning for each one ODK would not find."""
    undeclared: set[str] = set()
    problems: list[Problem] = []
    for node, _attribute, tree in _trees(form):
        pulled = {
            part.args[0].value.strip()
            for part in walk(tree)
            if isinstance(part, Call) and part.name == "pulldata" and isinstance(part.args[0], Literal)
        }
        for name in instances_used(tree):
            if name in form.attachments or name in form.instances:
                continue
            if name in form.choice_lists and name not in form.file_choice_lists:
                form.instances[name] = _internal_items(form, name)
                continue
            form.attachments[name] = f"{name}.csv"  # pyxform's name for a pulldata() file
            undeclared.add(name)
            if name not in pulled:
                problems.append(
                    Problem(
                        "survey",
                        node.row,
                        None,
                        node.name,
                        f"{node.name}: instance('{name}') はフォームで宣言されていません。ODK Collect では開けません。"
                        f"{name}.csv / .xml / .geojson をフォームと一緒にアップロードすれば、ウェブでは使えます "
                        f"(instance '{name}' is not declared by a select_one_from_file or a choice list: ODK "
                        f"Collect would not find it; upload {name}.csv, .xml or .geojson with the form)",
                        "warning",
                    )
                )
    return undeclared, problems


def attach_files(form: Form, files: Mapping[str, bytes], undeclared: set[str]) -> list[Problem]:
    """Attach the uploaded files the form reads; an unreadable file is an error, an unused one a warning,
    and each file still missing a warning saying it must be uploaded with the form."""
    problems: list[Problem] = []
    wanted = {file_name.lower(): key for key, file_name in form.attachments.items()}
    for name, data in files.items():
        base = PurePath(name).name
        key = wanted.get(base.lower())
        stem, suffix = PurePath(base).stem, PurePath(base).suffix.lower()
        if key is None and stem in undeclared and suffix in CHOICE_FILE_ENDINGS:
            key = stem
        if key is None:
            problems.append(
                Problem(
                    None,
                    None,
                    None,
                    base,
                    "このファイルはフォームで使われていません (file not used by the form: no "
                    "select_one_from_file, instance() or pulldata() names it)",
                    "warning",
                )
            )
            continue
        try:
            form.attach(key, read_items(base, data))
        except FileError as error:
            problems.append(Problem(None, None, None, base, str(error)))
            continue
        form.attachments[key] = base
    needed = instance_columns(form) if form.missing_files() else {}
    for missing in form.missing_files():
        columns = ", ".join(needed.get(missing, []))
        problems.append(
            Problem(
                None,
                None,
                None,
                missing,
                f"ファイル '{missing}' (列 columns: {columns or '-'}) をフォームと一緒にアップロードしてください。"
                f"添付するまで回答できません (the file '{missing}' must be uploaded with the form; the form "
                "cannot be answered until it is)",
                "warning",
            )
        )
    problems.extend(_absent_columns(form, files))
    return problems


def _absent_columns(form: Form, files: Mapping[str, bytes]) -> list[Problem]:
    """A warning for each column the form reads that an attached file lacks (ODK reads it as empty)."""
    problems: list[Problem] = []
    by_file = {name: key for key, name in form.attachments.items()}
    given = {PurePath(name).name for name in files}
    for file_name, columns in instance_columns(form).items():
        key = by_file.get(file_name)
        if file_name not in given or key is None or key not in form.instances:
            continue
        present = {column for item in form.instances[key] for column in item}
        for column in columns:
            # "label" is also read from its translations (label::English (en) …)
            if column not in present and not any(p.startswith(f"{column}::") for p in present):
                problems.append(
                    Problem(
                        None,
                        None,
                        None,
                        file_name,
                        f"{file_name}: フォームが読む列 '{column}' がありません。空欄として扱われます "
                        f"(the form reads column '{column}', which the file does not have: it reads as empty)",
                        "warning",
                    )
                )
    return problems


def add_files(form: Form, files: Mapping[str, bytes]) -> list[Problem]:
    """Attach files to a form imported earlier (the files uploaded after the form), read as at upload.

    A file the form does not read is an error here (it was given on purpose, so a wrong name is a mistake);
    files the form still lacks are not problems (``form.missing_files()`` lists them). Any error means the
    caller must store nothing: ``form`` may be half-attached."""
    from_choice_files = {source.instance for source in form.file_choice_lists.values()}
    # instance('x') and pulldata('x', …) files: .csv, .xml or .geojson, as at upload
    undeclared = {key for key in form.attachments if key not in from_choice_files}
    problems: list[Problem] = []
    for problem in attach_files(form, files, undeclared):
        if problem.severity == "warning" and problem.subject in form.missing_files():
            continue
        if problem.severity == "warning" and "not used by the form" in problem.message:
            declared = ", ".join(sorted(form.attachments.values()))
            problem = Problem(
                None,
                None,
                None,
                problem.subject,
                f"{problem.subject}: このファイルは調査票で使われていません。使われるファイル: {declared or 'なし'} "
                f"(the form does not read this file; it reads: {declared or 'none'})",
            )
        problems.append(problem)
    problems.extend(file_field_problems(form))
    return problems


def file_field_problems(form: Form) -> list[Problem]:
    """A select whose attached list turned out empty: nothing could be chosen."""
    problems = []
    for node in form.fields():
        if isinstance(node, Field) and node.choice_list in form.file_choice_lists:
            source = form.file_choice_lists[node.choice_list]
            if source.instance in form.instances and not form.choice_lists[node.choice_list].choices:
                problems.append(
                    Problem(
                        "survey",
                        node.row,
                        None,
                        node.name,
                        f"{node.name}: '{form.attachments[source.instance]}' に列 '{source.value}' の値がある項目が"
                        f"ありません (no item of the file has a '{source.value}' value: nothing to choose)",
                    )
                )
    return problems
