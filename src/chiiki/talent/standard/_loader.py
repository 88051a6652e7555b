"""Read and validate the versioned skill-standard data files shipped in ``data/``.

File names carry the version (``dss_p-1.1.json``), so a revision of the standard is a new file beside
the old one and profiles assessed against the old version stay interpretable.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from chiiki.talent.standard._definition import read_definition_csv
from chiiki.talent.standard._model import (
    Certification,
    EvidenceCatalog,
    LevelDefinition,
    LiteracyItem,
    LiteracyStandard,
    PersonType,
    Role,
    SkillItem,
    SkillLevel,
    SkillStandard,
)

_DATA_PACKAGE = "chiiki.talent.standard"
_FILE_RE = re.compile(r"^(?P<stem>dss_p|dss_l|evidence)-(?P<version>[0-9][0-9.]*)\.(?P<format>json|csv)$")

# DSS-P ver.1.x's published shape (5 person types, 15 roles, 49 skill items): its data file declares it in
# "expected_shape", and a file that does not have the shape it declares is a transcription error.
DSS_P_PERSON_TYPES = 5
DSS_P_ROLES = 15
DSS_P_SKILLS = 49

# The DSS-P version a site assesses against until an operator installs another (`chiiki talent standard load`).
DEFAULT_SKILL_STANDARD_VERSION = "1.1"


class StandardDataError(ValueError):
    """A data file is missing or inconsistent."""


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def available_versions(stem: str) -> list[str]:
    """Versions present for ``stem`` (``"dss_p"``, ``"dss_l"`` or ``"evidence"``), oldest first."""
    found: list[str] = []
    for entry in resources.files(_DATA_PACKAGE).joinpath("data").iterdir():
        match = _FILE_RE.match(entry.name)
        if match and match["stem"] == stem:
            found.append(match["version"])
    return sorted(found, key=_version_key)


def _data_file(stem: str, version: str) -> Any:
    folder = resources.files(_DATA_PACKAGE).joinpath("data")
    for entry in folder.iterdir():
        match = _FILE_RE.match(entry.name)
        if match and match["stem"] == stem and match["version"] == version:
            return entry
    raise StandardDataError(f"{stem} のバージョン {version} はありません (version not available)")


def _read(stem: str, version: str | None) -> dict[str, Any]:
    versions = available_versions(stem)
    if not versions:
        raise StandardDataError(f"データファイルがありません: {stem} (no data file)")
    chosen = versions[-1] if version is None else version
    if chosen not in versions:
        raise StandardDataError(
            f"{stem} のバージョン {chosen} はありません。利用可能: {', '.join(versions)} "
            f"(version not available)"
        )
    entry = _data_file(stem, chosen)
    if entry.name.endswith(".csv"):
        return read_definition_csv(entry.read_bytes())
    data: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"))
    return data


def shipped_definition(version: str) -> dict[str, Any]:
    """The definition of a DSS-P version shipped with Chiiki (the structure of the data files)."""
    return _read("dss_p", version)


def _role(raw: dict[str, Any], required: dict[str, SkillLevel]) -> Role:
    """One role; a row marked verified must name the source it was checked against."""
    verified = bool(raw.get("matrix_verified", False))
    source = str(raw.get("matrix_source", "")).strip()
    if verified and not source:
        raise StandardDataError(f"role {raw['id']}: matrix_verified is true but matrix_source is empty")
    return Role(raw["id"], raw["person_type"], raw["name_ja"], raw["name_en"], required, verified, source)


@lru_cache(maxsize=8)
def load_skill_standard(version: str | None = None) -> SkillStandard:
    """Load a shipped DSS-P (DX推進スキル標準) version; the default version when ``version`` is None."""
    return build_skill_standard(_read("dss_p", version or DEFAULT_SKILL_STANDARD_VERSION))


def build_skill_standard(raw: dict[str, Any]) -> SkillStandard:
    """Check a definition (a data file, or one an operator loaded) and build the standard from it."""
    skills = _skill_items(raw)
    skill_by_id = {s.id: s for s in skills}
    if len(skill_by_id) != len(skills):
        raise StandardDataError("duplicate skill ids in DSS-P data")
    person_types = tuple(PersonType(p["id"], p["name_ja"], p["name_en"]) for p in raw["person_types"])
    type_ids = {p.id for p in person_types}
    roles: list[Role] = []
    for r in raw["roles"]:
        if r["person_type"] not in type_ids:
            raise StandardDataError(f"role {r['id']}: unknown person type {r['person_type']}")
        roles.append(_role(r, _required_levels(r, skill_by_id)))
    standard = SkillStandard(
        standard=raw["standard"],
        version=raw["version"],
        published=dt.date.fromisoformat(raw["published"]),
        title_ja=raw["title_ja"],
        title_en=raw.get("title_en", ""),
        publisher=raw.get("publisher", ""),
        source_document=raw["source_document"],
        source_url=raw.get("source_url", ""),
        levels=_level_definitions(raw),
        person_types=person_types,
        skills=tuple(skills),
        roles=tuple(roles),
        _skill_by_id=skill_by_id,
        _role_by_id={r.id: r for r in roles},
    )
    shape = (len(standard.person_types), len(standard.roles), len(standard.skills))
    expected = tuple(raw.get("expected_shape") or shape)
    if shape != expected:
        raise StandardDataError(
            f"DSS-P {standard.version}: expected {expected} (types, roles, skills), found {shape}"
        )
    return standard


def _skill_items(raw: dict[str, Any]) -> list[SkillItem]:
    """The skill items in file order, each with its category and subcategory names."""
    subcats: dict[str, tuple[str, str, str]] = {}
    for cat in raw["categories"]:
        for sub in cat["subcategories"]:
            subcats[sub["id"]] = (cat["id"], cat["name_ja"], sub["name_ja"])
    skills: list[SkillItem] = []
    for index, s in enumerate(raw["skills"]):
        if s["subcategory"] not in subcats:
            raise StandardDataError(f"skill {s['id']}: unknown subcategory {s['subcategory']}")
        cat_id, cat_ja, sub_ja = subcats[s["subcategory"]]
        skills.append(
            SkillItem(s["id"], index, cat_id, cat_ja, s["subcategory"], sub_ja, s["name_ja"], s["name_en"])
        )
    return skills


def _required_levels(raw_role: dict[str, Any], skill_by_id: dict[str, SkillItem]) -> dict[str, SkillLevel]:
    """A role's level per skill item (items not listed are z); each item listed at most once."""
    required = dict.fromkeys(skill_by_id, SkillLevel.Z)
    seen: set[str] = set()
    for code, ids in raw_role["required"].items():
        level = SkillLevel.from_code(code)
        for skill_id in ids:
            if skill_id not in skill_by_id:
                raise StandardDataError(f"role {raw_role['id']}: unknown skill {skill_id}")
            if skill_id in seen:
                raise StandardDataError(f"role {raw_role['id']}: skill {skill_id} listed twice")
            seen.add(skill_id)
            required[skill_id] = level
    return required


def _level_definitions(raw: dict[str, Any]) -> tuple[LevelDefinition, ...]:
    return tuple(
        LevelDefinition(
            SkillLevel.from_code(x["code"]),
            x["label_ja"],
            x["label_en"],
            bool(x.get("label_verified", False)),
        )
        for x in raw["levels"]
    )


@lru_cache(maxsize=8)
def load_literacy_standard(version: str | None = None) -> LiteracyStandard:
    """Load DSS-L (DXリテラシー標準); the newest shipped version when ``version`` is None."""
    raw = _read("dss_l", version)
    items = tuple(
        LiteracyItem(i["id"], area["id"], area["name_ja"], i.get("group_ja"), i["name_ja"], i["name_en"])
        for area in raw["areas"]
        for i in area["items"]
    )
    if len({i.id for i in items}) != len(items):
        raise StandardDataError("duplicate literacy item ids in DSS-L data")
    return LiteracyStandard(
        standard=raw["standard"],
        version=raw["version"],
        published=dt.date.fromisoformat(raw["published"]),
        title_ja=raw["title_ja"],
        source_document=raw["source_document"],
        source_url=raw["source_url"],
        items=items,
    )


@lru_cache(maxsize=8)
def load_evidence_catalog(version: str | None = None) -> EvidenceCatalog:
    """Load the ITSS/certification evidence catalog, checked against the DSS-P and DSS-L it names."""
    raw = _read("evidence", version)
    standard_versions = tuple(raw["applies_to"]["versions"])
    skill_ids: set[str] = set()
    for v in standard_versions:
        skill_ids |= {s.id for s in load_skill_standard(v).skills}
    literacy_ids = {i.id for i in load_literacy_standard().items}
    certs: dict[str, Certification] = {}
    for c in raw["certifications"]:
        if c["id"] in certs:
            raise StandardDataError(f"duplicate certification {c['id']}")
        certs[c["id"]] = _certification(c, skill_ids, literacy_ids)
    itss = {int(x["level"]): SkillLevel.from_code(x["dss_level"]) for x in raw["itss_levels"]}
    if sorted(itss) != list(range(1, 8)):
        raise StandardDataError("ITSS levels must be exactly 1..7")
    return EvidenceCatalog(
        version=raw["version"],
        date=dt.date.fromisoformat(raw["date"]),
        standard_versions=standard_versions,
        itss_levels=itss,
        certifications=certs,
    )


def _certification(raw: dict[str, Any], skill_ids: set[str], literacy_ids: set[str]) -> Certification:
    """One certification with the skill levels it evidences (never a) and the DSS-L items it covers."""
    evidence: dict[str, SkillLevel] = {}
    for code, ids in raw["evidence"].items():
        level = SkillLevel.from_code(code)
        if level == SkillLevel.A:
            raise StandardDataError(f"{raw['id']}: an exam alone cannot evidence level a")
        for skill_id in ids:
            if skill_id not in skill_ids:
                raise StandardDataError(f"{raw['id']}: unknown skill {skill_id}")
            if skill_id in evidence:
                raise StandardDataError(f"{raw['id']}: skill {skill_id} listed twice")
            evidence[skill_id] = level
    literacy = tuple(raw.get("literacy", ()))
    unknown = set(literacy) - literacy_ids
    if unknown:
        raise StandardDataError(f"{raw['id']}: unknown literacy items {sorted(unknown)}")
    return Certification(
        raw["id"],
        raw["issuer"],
        raw["name_ja"],
        raw.get("itss_level"),
        raw.get("valid_years"),
        evidence,
        literacy,
    )
