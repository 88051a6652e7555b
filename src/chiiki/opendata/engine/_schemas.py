"""Load the standard Table Schemas and the legacy 推奨データセット layouts from chiiki.opendata.standard."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

_PACKAGE = "chiiki.opendata.standard"


@dataclass(frozen=True)
class FieldSpec:
    """One column of a standard dataset."""

    name: str
    type: str
    level: str  # "required" (value must be present), "recommended" or "optional"
    check: str | None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    synonyms: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class StandardSchema:
    """One dataset of the 自治体標準オープンデータセット."""

    id: str
    title: str
    number: str
    book: str
    fields: tuple[FieldSpec, ...]
    aliases: tuple[str, ...]
    validatable: bool
    raw: dict[str, Any] = field(repr=False, compare=False, hash=False)

    @property
    def field_names(self) -> list[str]:
        """Column names in standard order."""
        return [f.name for f in self.fields]

    def get(self, name: str) -> FieldSpec | None:
        """The field called `name`, or None."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        return None

    @property
    def prefixes(self) -> list[str]:
        """Data-model prefixes (定義書C style `<対象>_名称`) used by this schema's fields."""
        first = self.fields[0].name
        if first.endswith("_全国地方公共団体コード") and first != "全国地方公共団体コード":
            return [first.removesuffix("_全国地方公共団体コード")]
        if self.id == "educational_institution":
            return ["教育機関"]
        return []


@dataclass(frozen=True)
class LegacyLayout:
    """A header layout of the older 推奨データセット and how it maps onto a current dataset."""

    id: str
    current: str
    title: str
    columns: tuple[str, ...]
    mapping: dict[str, str | None]


def _field(raw: dict[str, Any]) -> FieldSpec:
    cons = raw.get("constraints", {})
    extra = raw.get("x-chiiki", {})
    enum = cons.get("enum")
    return FieldSpec(
        name=raw["name"],
        type=raw["type"],
        level=extra.get("level", "optional"),
        check=extra.get("check"),
        pattern=cons.get("pattern"),
        enum=tuple(enum) if enum else None,
        minimum=cons.get("minimum"),
        maximum=cons.get("maximum"),
        synonyms=tuple(extra.get("synonyms", {}).items()),
    )


def schema_from_raw(raw: dict[str, Any]) -> StandardSchema:
    """A StandardSchema from its Table Schema JSON (a shipped file or an installed book version)."""
    extra = raw.get("x-chiiki", {})
    return StandardSchema(
        id=raw["name"],
        title=raw["title"],
        number=extra.get("number", ""),
        book=extra.get("book", ""),
        fields=tuple(_field(f) for f in raw["fields"]),
        aliases=tuple(extra.get("aliases", [])),
        validatable=bool(extra.get("validatable", True)),
        raw=raw,
    )


@cache
def load_schemas() -> dict[str, StandardSchema]:
    """All shipped standard schemas keyed by id, in the definition books' order."""
    out: list[StandardSchema] = []
    for entry in resources.files(_PACKAGE).iterdir():
        if not entry.name.endswith(".json") or entry.name == "legacy.json":
            continue
        out.append(schema_from_raw(json.loads(entry.read_text(encoding="utf-8"))))
    out.sort(key=lambda s: s.number)
    return {s.id: s for s in out}


@cache
def _legacy_doc() -> dict[str, Any]:
    text = resources.files(_PACKAGE).joinpath("legacy.json").read_text(encoding="utf-8")
    doc: dict[str, Any] = json.loads(text)
    return doc


def load_legacy_layouts() -> list[LegacyLayout]:
    """The legacy 推奨データセット layouts."""
    return [
        LegacyLayout(
            id=item["id"],
            current=item["current"],
            title=item["title"],
            columns=tuple(item["columns"]),
            mapping=dict(item["map"]),
        )
        for item in _legacy_doc()["layouts"]
    ]


def legacy_common_map() -> dict[str, str | None]:
    """Column renames shared by every legacy layout (e.g. NO -> ID, 住所 -> 所在地_連結表記)."""
    common: dict[str, str | None] = _legacy_doc()["common_map"]
    return common


def resolve_kind(kind: str) -> StandardSchema:
    """Find a dataset by id (`public_facility`), number (`01`) or Japanese name (`公共施設一覧`, `公共施設`).

    Raises KeyError with a plain-Japanese message listing the accepted names.
    """
    schemas = load_schemas()
    wanted = unicodedata.normalize("NFKC", kind).strip().lower().replace("-", "_")
    for schema in schemas.values():
        names = {schema.id, schema.number, schema.title, *schema.aliases}
        if wanted in {unicodedata.normalize("NFKC", n).lower() for n in names}:
            return schema
    for schema in schemas.values():
        if wanted and (wanted in schema.title or schema.title.removesuffix("一覧") == wanted):
            return schema
    choices = "、".join(f"{s.id}（{s.title}）" for s in schemas.values())
    raise KeyError(f"データセットの種類「{kind}」が見つかりません。使えるのは: {choices}")
