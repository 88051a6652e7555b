"""Skill-standard definitions an operator loads: the documented CSV layout, the differences between two
versions, and the mapping that carries assessments from one version to the next.

The layout (docs/apps/talent.md, "Loading a skill standard") is one table, one fact per row, so that a
municipal officer can keep it in Excel and every error names its line:

    section,id,parent,name_ja,name_en,value,source

``meta`` rows carry the standard's name, version and source document; ``level``, ``person_type``,
``category``, ``subcategory``, ``skill`` and ``role`` rows the parts; ``requirement`` rows the role × skill
table (id = skill, parent = role, value = a/b/c/d/z). The reader turns it into the same structure as the
JSON files in ``data/``, so one builder checks both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chiiki.tables import TableReadError, read_delimited
from chiiki.talent.standard._model import SkillLevel, SkillStandard

COLUMNS = ("section", "id", "parent", "name_ja", "name_en", "value", "source")
META_KEYS = (
    "standard",
    "version",
    "published",
    "title_ja",
    "title_en",
    "publisher",
    "source_document",
    "source_url",
)
REQUIRED_META = ("standard", "version", "published", "title_ja", "source_document")
_YES = {"yes", "true", "1", "はい", "確認済み", "verified"}


class DefinitionError(ValueError):
    """A definition file that cannot be installed, with the line (1 = the header) it is about."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line} 行目: {message}" if line else message)
        self.line = line


@dataclass
class _Reading:
    """The parts read so far, and the line each id was first seen on (to name duplicates)."""

    raw: dict[str, Any]
    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    subcategories: set[str] = field(default_factory=set)
    skills: set[str] = field(default_factory=set)
    roles: dict[str, dict[str, Any]] = field(default_factory=dict)
    person_types: set[str] = field(default_factory=set)
    requirements: list[tuple[int, str, str, str]] = field(default_factory=list)

    def first(self, kind: str, item_id: str, line: int) -> None:
        """Refuse an id given twice in one section, naming both lines."""
        if not item_id:
            raise DefinitionError(line, f"{kind} の id が空です (empty id)")
        earlier = self.seen.setdefault((kind, item_id), line)
        if earlier != line:
            raise DefinitionError(line, f"{kind} {item_id} は {earlier} 行目にもあります (duplicate {kind})")


def read_definition_csv(data: bytes) -> dict[str, Any]:
    """Read a definition in the documented CSV layout (any encoding `chiiki.tables` reads) into the structure of
    the JSON data files; raise `DefinitionError` naming the line of the first problem."""
    try:
        table = read_delimited(data, label="スキル標準の定義")
    except TableReadError as error:
        raise DefinitionError(getattr(error, "line", 0) or 0, str(error)) from error
    header = [name.strip().lower() for name in table.header]
    missing = [name for name in COLUMNS[:6] if name not in header]
    if missing:
        raise DefinitionError(
            1, f"列がありません: {', '.join(missing)} (missing columns; expected {','.join(COLUMNS)})"
        )
    reading = _Reading(_empty_raw())
    for index, row in enumerate(table.rows):
        cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
        if any(cells.values()):
            _read_row(reading, index + 2, cells)
    return _finish(reading)


def _empty_raw() -> dict[str, Any]:
    return {
        "levels": [],
        "person_types": [],
        "categories": [],
        "skills": [],
        "roles": [],
        "verification": {"matrix_sources": []},
    }


def _read_row(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    section = cells["section"].lower()
    reader = _SECTIONS.get(section)
    if reader is None:
        known = ", ".join(_SECTIONS)
        raise DefinitionError(line, f"section {cells['section']!r} は使えません ({known} のいずれか)")
    reader(reading, line, cells)


def _meta(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    key = cells["id"]
    if key not in META_KEYS:
        raise DefinitionError(line, f"meta の id {key!r} は使えません ({', '.join(META_KEYS)} のいずれか)")
    reading.first("meta", key, line)
    value = cells["value"] or cells["name_ja"]
    if key == "published" and not _is_iso_date(value):
        raise DefinitionError(
            line, f"published {value!r} は 2026-04-01 の形の日付にしてください (not a date)"
        )
    reading.raw[key] = value


def _is_iso_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _level(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    code = _level_code(line, cells["id"])
    reading.first("level", code, line)
    reading.raw["levels"].append(
        {
            "code": code,
            "label_ja": cells["name_ja"],
            "label_en": cells["name_en"],
            "label_verified": cells["value"].lower() in _YES,
        }
    )


def _person_type(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    reading.first("person_type", cells["id"], line)
    reading.person_types.add(cells["id"])
    reading.raw["person_types"].append(
        {"id": cells["id"], "name_ja": cells["name_ja"], "name_en": cells["name_en"]}
    )


def _category(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    reading.first("category", cells["id"], line)
    category = {
        "id": cells["id"],
        "name_ja": cells["name_ja"],
        "name_en": cells["name_en"],
        "subcategories": [],
    }
    reading.categories[cells["id"]] = category
    reading.raw["categories"].append(category)


def _subcategory(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    reading.first("subcategory", cells["id"], line)
    category = reading.categories.get(cells["parent"])
    if category is None:
        raise DefinitionError(
            line, f"subcategory {cells['id']} の parent {cells['parent']!r} は上の行の category にありません"
        )
    category["subcategories"].append(
        {"id": cells["id"], "name_ja": cells["name_ja"], "name_en": cells["name_en"]}
    )
    reading.subcategories.add(cells["id"])


def _skill(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    reading.first("skill", cells["id"], line)
    if cells["parent"] not in reading.subcategories:
        raise DefinitionError(
            line, f"skill {cells['id']} の parent {cells['parent']!r} は上の行の subcategory にありません"
        )
    reading.skills.add(cells["id"])
    reading.raw["skills"].append(
        {
            "id": cells["id"],
            "subcategory": cells["parent"],
            "name_ja": cells["name_ja"],
            "name_en": cells["name_en"],
        }
    )


def _role(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    reading.first("role", cells["id"], line)
    if cells["parent"] not in reading.person_types:
        raise DefinitionError(
            line, f"role {cells['id']} の parent {cells['parent']!r} は上の行の person_type にありません"
        )
    verified = cells["value"].lower() in _YES
    source = cells.get("source", "")
    if verified and not source:
        raise DefinitionError(line, f"role {cells['id']} は確認済みですが source (確認した資料) が空です")
    role = {
        "id": cells["id"],
        "person_type": cells["parent"],
        "name_ja": cells["name_ja"],
        "name_en": cells["name_en"],
        "matrix_verified": verified,
        "matrix_source": source,
        "required": {},
    }
    reading.roles[cells["id"]] = role
    reading.raw["roles"].append(role)


def _requirement(reading: _Reading, line: int, cells: dict[str, str]) -> None:
    code = _level_code(line, cells["value"])
    reading.first("requirement", f"{cells['parent']}/{cells['id']}", line)
    reading.requirements.append((line, cells["parent"], cells["id"], code))


def _level_code(line: int, text: str) -> str:
    try:
        return SkillLevel.from_code(text).code
    except ValueError:
        raise DefinitionError(
            line, f"レベル {text!r} は a, b, c, d, z のいずれかにしてください (level outside a/b/c/d/z)"
        ) from None


_SECTIONS: dict[str, Callable[[_Reading, int, dict[str, str]], None]] = {
    "meta": _meta,
    "level": _level,
    "person_type": _person_type,
    "category": _category,
    "subcategory": _subcategory,
    "skill": _skill,
    "role": _role,
    "requirement": _requirement,
}


def _finish(reading: _Reading) -> dict[str, Any]:
    """Attach the requirements to their roles (naming the line of an unknown role or skill) and check the meta."""
    for line, role_id, skill_id, code in reading.requirements:
        role = reading.roles.get(role_id)
        if role is None:
            raise DefinitionError(
                line, f"requirement の role {role_id!r} はこの定義にありません (unknown role)"
            )
        if skill_id not in reading.skills:
            raise DefinitionError(
                line, f"role {role_id} のスキル {skill_id!r} はこの定義にありません (unknown skill)"
            )
        role["required"].setdefault(code, []).append(skill_id)
    missing = [key for key in REQUIRED_META if not reading.raw.get(key)]
    if missing:
        raise DefinitionError(0, f"meta 行がありません: {', '.join(missing)} (missing meta rows)")
    if not reading.raw["skills"]:
        raise DefinitionError(0, "skill 行が1行もありません (no skill items)")
    for key in ("title_en", "publisher", "source_url"):
        reading.raw.setdefault(key, "")
    reading.raw["verification"]["matrix_sources"] = sorted(
        {r["matrix_source"] for r in reading.raw["roles"] if r["matrix_source"]}
    )
    return reading.raw


# ------------------------------------------------------------------------------------------ differences


def diff_standards(old: SkillStandard | None, new: SkillStandard) -> list[str]:
    """The differences a person checks before installing `new` over `old`, one line each (Japanese)."""
    if old is None:
        return [f"新しく入れます: {new.tag} (スキル項目 {len(new.skills)}、ロール {len(new.roles)})"]
    lines = [f"{old.tag} → {new.tag}"]
    lines += _changes(
        "スキル項目", {s.id: s.name_ja for s in old.skills}, {s.id: s.name_ja for s in new.skills}
    )
    lines += _changes("ロール", {r.id: r.name_ja for r in old.roles}, {r.id: r.name_ja for r in new.roles})
    old_roles = {r.id: r for r in old.roles}
    for role in new.roles:
        before = old_roles.get(role.id)
        if before is None:
            continue
        for skill_id, level in role.required.items():
            was = before.required.get(skill_id, SkillLevel.Z)
            if was != level:
                lines.append(f"  重要度 {role.id} × {skill_id}: {was.code} → {level.code}")
        if before.matrix_verified != role.matrix_verified:
            lines.append(f"  {role.id}: 確認済み {before.matrix_verified} → {role.matrix_verified}")
    if len(lines) == 1:
        lines.append("  変更はありません (no differences)")
    return lines


def _changes(what: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    lines = [f"  + {what} {key} {new[key]}" for key in new if key not in old]
    lines += [f"  - {what} {key} {old[key]}" for key in old if key not in new]
    lines += [
        f"  ~ {what} {key}: {old[key]} → {new[key]}" for key in new if key in old and old[key] != new[key]
    ]
    return lines


# ------------------------------------------------------------------------------------------ mapping


@dataclass(frozen=True)
class VersionMapping:
    """How skills and roles of one version are named in the next (`kind,from,to` rows)."""

    source_tag: str
    target_tag: str
    skills: Mapping[str, str]
    roles: Mapping[str, str]

    def skill(self, skill_id: str) -> str | None:
        """The new id of a skill, or None when the mapping does not carry it."""
        return self.skills.get(skill_id)

    def role(self, role_id: str) -> str | None:
        """The new id of a role ('' stays ''), or None when the mapping does not carry it."""
        return "" if not role_id else self.roles.get(role_id)


def read_mapping_csv(data: bytes, source: SkillStandard, target: SkillStandard) -> VersionMapping:
    """Read a mapping file (columns kind, from, to; kind = skill or role), checking every id against the two
    versions and naming the line of the first unknown or repeated one."""
    try:
        table = read_delimited(data, label="対応表")
    except TableReadError as error:
        raise DefinitionError(getattr(error, "line", 0) or 0, str(error)) from error
    header = [name.strip().lower() for name in table.header]
    if header[:3] != ["kind", "from", "to"]:
        raise DefinitionError(1, "対応表の列は kind,from,to です (expected columns kind,from,to)")
    known = {
        "skill": ({s.id for s in source.skills}, {s.id for s in target.skills}),
        "role": ({r.id for r in source.roles}, {r.id for r in target.roles}),
    }
    found: dict[str, dict[str, str]] = {"skill": {}, "role": {}}
    for index, row in enumerate(table.rows):
        cells = [cell.strip() for cell in row[:3]] + [""] * (3 - len(row[:3]))
        if any(cells):
            _map_row(index + 2, cells, known, found)
    return VersionMapping(source.tag, target.tag, found["skill"], found["role"])


def _map_row(
    line: int,
    cells: list[str],
    known: Mapping[str, tuple[set[str], set[str]]],
    found: dict[str, dict[str, str]],
) -> None:
    kind, old_id, new_id = cells
    if kind not in known:
        raise DefinitionError(line, f"kind {kind!r} は skill か role にしてください")
    old_ids, new_ids = known[kind]
    if old_id not in old_ids:
        raise DefinitionError(
            line, f"{kind} {old_id!r} は移行元の版にありません (unknown in the source version)"
        )
    if new_id not in new_ids:
        raise DefinitionError(
            line, f"{kind} {new_id!r} は移行先の版にありません (unknown in the target version)"
        )
    if old_id in found[kind]:
        raise DefinitionError(line, f"{kind} {old_id} が2回あります (mapped twice)")
    found[kind][old_id] = new_id


def unmapped(ids: Iterable[str], mapping: Mapping[str, str]) -> list[str]:
    """The ids the mapping does not carry, sorted."""
    return sorted({i for i in ids if i and i not in mapping})
