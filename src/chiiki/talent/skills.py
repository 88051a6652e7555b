"""The bridge from stored skills and evidence to the skill-standard engine (chiiki.talent.standard)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from chiiki.talent.models import Evidence, Organization, SkillStandardVersion
from chiiki.talent.standard import (
    CertificationHeld,
    Endorsement,
    EvidenceCatalog,
    ItssAssessment,
    ProjectEvidence,
    SkillAssessment,
    SkillLevel,
    SkillStandard,
    assess,
    available_versions,
    build_skill_standard,
    load_evidence_catalog,
    load_skill_standard,
)
from chiiki.talent.standard import Evidence as EngineEvidence

# Form choices only, so lazy: the English pages showed these in Japanese.
LEVEL_CHOICES: tuple[tuple[int, str | Promise], ...] = (
    (0, gettext_lazy("z: 不要・なし")),
    (1, gettext_lazy("d: 理解しておくことが望ましい")),
    (2, gettext_lazy("c: 説明できるレベルで理解している")),
    (3, gettext_lazy("b: 一定の実践力と専門性")),
    (4, gettext_lazy("a: 高い実践力と専門性")),
)
TIER_JA = {0: "自己申告", 1: "根拠あり", 2: "推薦あり"}


def current_standard() -> SkillStandard:
    """The DSS-P version new profiles and needs are assessed against: the one an operator installed
    (`chiiki talent standard load`), else the default version shipped with Chiiki."""
    row = (
        SkillStandardVersion.objects.filter(is_current=True)
        .values_list("tag", "revision", "installed_at")
        .first()
    )
    return load_skill_standard() if row is None else _installed(*row)


def installed_standard(tag: str) -> SkillStandard | None:
    """A version an operator installed, or None."""
    row = SkillStandardVersion.objects.filter(tag=tag).values_list("tag", "revision", "installed_at").first()
    return None if row is None else _installed(*row)


def standard_for(tag: str) -> SkillStandard:
    """The version a profile or need was assessed under (installed, else shipped); KeyError when unknown."""
    installed = installed_standard(tag)
    if installed is not None:
        return installed
    standard, _, version = tag.rpartition(" ")
    if standard == "DSS-P" and version in available_versions("dss_p"):
        return load_skill_standard(version)
    raise KeyError(f"スキル標準 {tag} は導入されていません (not installed)")


@lru_cache(maxsize=16)
def _installed(tag: str, revision: int, installed_at: dt.datetime) -> SkillStandard:
    """An installed version, built once per revision (the cache key changes when it is reinstalled)."""
    definition = SkillStandardVersion.objects.values_list("definition", flat=True).get(tag=tag)
    return build_skill_standard(definition)


@cache
def _shipped_catalog() -> EvidenceCatalog:
    return load_evidence_catalog()


def evidence_catalog(standard: SkillStandard | None = None) -> EvidenceCatalog:
    """The evidence catalog (ITSS levels and certifications → DSS-P levels) for a version. The shipped catalog
    covers ver.1.1; for a version it does not cover, certifications and ITSS assessments support nothing (the
    catalog names 1.1's skills) while project evidence and endorsements still count."""
    catalog = _shipped_catalog()
    version = (standard or current_standard()).version
    if version in catalog.standard_versions:
        return catalog
    return EvidenceCatalog(f"{catalog.version}/none", catalog.date, (version,), catalog.itss_levels, {})


def localized(name_ja: str, name_en: str) -> str:
    """The standard's own English name on English pages, the Japanese name otherwise."""
    language = translation.get_language() or ""
    return name_en if language.startswith("en") and name_en else name_ja


def role_choices() -> list[tuple[str, str]]:
    """DSS-P roles for a select box, named in the page language."""
    return [(r.id, localized(r.name_ja, r.name_en)) for r in current_standard().roles]


def skill_choices() -> list[tuple[str, str]]:
    """DSS-P skill items for a select box, named in the page language."""
    return [(s.id, localized(s.name_ja, s.name_en)) for s in current_standard().skills]


def skill_name(skill_id: str) -> str:
    """The name of a skill item in the page language (the id itself when the standard has no such item)."""
    try:
        item = current_standard().skill(skill_id)
    except KeyError:
        return skill_id
    return localized(item.name_ja, item.name_en)


def role_name(role_id: str) -> str:
    """The name of a role in the page language (empty for no role)."""
    if not role_id:
        return ""
    try:
        role = current_standard().role(role_id)
    except KeyError:
        return role_id
    return localized(role.name_ja, role.name_en)


def required_for_role(role_id: str, cap: SkillLevel, *, minimum: SkillLevel = SkillLevel.B) -> dict[str, str]:
    """A need's required skills drawn from a role: the role's items at `minimum` or above, capped at `cap`."""
    role = current_standard().role(role_id)
    return {skill_id: min(level, cap).code for skill_id, level in role.required.items() if level >= minimum}


def engine_evidence(
    rows: Iterable[Evidence], organizations: Mapping[int, Organization]
) -> list[EngineEvidence]:
    """Stored evidence rows as the engine's evidence records (endorsements count only from verified orgs)."""
    out: list[EngineEvidence] = []
    for row in rows:
        if row.kind == Evidence.Kind.CERTIFICATION and row.obtained_on is not None:
            out.append(CertificationHeld(row.certification_id, row.obtained_on))
        elif row.kind == Evidence.Kind.ITSS and row.itss_level and row.obtained_on is not None:
            out.append(ItssAssessment(row.itss_level, row.role_id, row.obtained_on))
        elif row.kind == Evidence.Kind.PROJECT and row.level:
            out.append(ProjectEvidence(row.skill_id, SkillLevel(row.level), row.description))
        elif row.kind == Evidence.Kind.ENDORSEMENT and row.level and row.organization_id is not None:
            org = organizations[row.organization_id]
            out.append(Endorsement(row.skill_id, SkillLevel(row.level), org.name, org.verified))
    return out


def assess_declared(
    declared: Mapping[str, int], evidence: Iterable[EngineEvidence], *, as_of: dt.date
) -> SkillAssessment:
    """Assess declared levels (skill id → 1–4) against evidence with the current standard and its catalog;
    evidence that names what this version does not have (a certification its catalog does not list, a role or
    skill of another version) supports nothing."""
    standard = current_standard()
    catalog = evidence_catalog(standard)
    return assess(
        standard,
        catalog,
        {skill_id: SkillLevel(level) for skill_id, level in declared.items() if level > 0},
        [item for item in evidence if _applies(item, standard, catalog)],
        as_of=as_of,
    )


def _applies(item: EngineEvidence, standard: SkillStandard, catalog: EvidenceCatalog) -> bool:
    skills = {s.id for s in standard.skills}
    if isinstance(item, CertificationHeld):
        return item.certification_id in catalog.certifications
    if isinstance(item, ItssAssessment):
        return bool(catalog.certifications) and item.role_id in {r.id for r in standard.roles}
    return item.skill_id in skills
