"""Turn a person's self-assessment plus evidence into per-skill levels with an evidence tier.

A self-declared level counts as *evidenced* when a valid certification, an ITSS assessment or a
documented project supports at least that level, and as *endorsed* when a verified organisation
endorses it. Evidence never raises the level above what the person declared: it only says how
far the declaration is backed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chiiki.talent.standard._loader import load_literacy_standard
from chiiki.talent.standard._model import (
    EvidenceCatalog,
    EvidenceTier,
    LiteracyStandard,
    SkillLevel,
    SkillStandard,
)


@dataclass(frozen=True, slots=True)
class CertificationHeld:
    """A certification the person holds (合格・取得日)."""

    certification_id: str
    obtained_on: dt.date


@dataclass(frozen=True, slots=True)
class ItssAssessment:
    """An ITSS level (1–7) assessed by an employer or assessor for work in one DSS-P role."""

    level: int
    role_id: str
    assessed_on: dt.date


@dataclass(frozen=True, slots=True)
class ProjectEvidence:
    """A documented past project showing a skill at a level."""

    skill_id: str
    level: SkillLevel
    description: str


@dataclass(frozen=True, slots=True)
class Endorsement:
    """An endorsement of a skill level; it counts as ENDORSED only when the organisation is verified."""

    skill_id: str
    level: SkillLevel
    organization: str
    organization_verified: bool


Evidence = CertificationHeld | ItssAssessment | ProjectEvidence | Endorsement


@dataclass(frozen=True, slots=True)
class SkillAssessmentItem:
    """One skill's result: declared level, highest supported level, tier backing the declaration."""

    skill_id: str
    declared: SkillLevel
    supported: SkillLevel
    tier: EvidenceTier
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SkillAssessment:
    """A person's skills against one version of DSS-P; ``standard_tag`` records that version."""

    standard_tag: str
    as_of: dt.date
    items: Mapping[str, SkillAssessmentItem]
    literacy_attained: frozenset[str]
    literacy_tag: str = ""  # e.g. "DSS-L 1.1": the DSS-L version the literacy items belong to

    def levels_vector(self, standard: SkillStandard) -> tuple[int, ...]:
        """Declared levels as integers aligned with ``standard.skills``."""
        self._check(standard)
        return tuple(int(self.items[s.id].declared) for s in standard.skills)

    def tiers_vector(self, standard: SkillStandard) -> tuple[int, ...]:
        """Evidence tiers as integers aligned with ``standard.skills``."""
        self._check(standard)
        return tuple(int(self.items[s.id].tier) for s in standard.skills)

    def _check(self, standard: SkillStandard) -> None:
        if standard.tag != self.standard_tag:
            raise ValueError(
                f"評価に使った標準 ({self.standard_tag}) と異なります: {standard.tag} "
                "(assessment was made against another version of the standard)"
            )


def assess(
    standard: SkillStandard,
    catalog: EvidenceCatalog,
    declared: Mapping[str, SkillLevel],
    evidence: Iterable[Evidence] = (),
    *,
    as_of: dt.date,
    literacy_completed: Iterable[str] = (),
    literacy_standard: LiteracyStandard | None = None,
) -> SkillAssessment:
    """Assess declared skill levels against evidence as of a date.

    Unknown skill ids, unknown certifications and roles raise ``KeyError``/``ValueError`` with a
    message naming the offending entry, so bad input is reported rather than silently dropped.
    """
    if standard.version not in catalog.standard_versions:
        raise ValueError(
            f"証拠カタログ {catalog.version} は {standard.tag} に対応していません "
            "(evidence catalog does not cover this version)"
        )
    for skill_id in declared:
        standard.skill(skill_id)
    literacy_std = literacy_standard or load_literacy_standard()
    literacy = set(literacy_completed)
    unknown = literacy - {i.id for i in literacy_std.items}
    if unknown:
        raise ValueError(
            f"{literacy_std.tag} にない学習項目です: {', '.join(sorted(unknown))} (unknown DSS-L items)"
        )
    support = _Support(standard)
    for item in evidence:
        literacy.update(support.add_evidence(item, catalog, as_of))
    items = {
        skill.id: support.item(skill.id, declared.get(skill.id, SkillLevel.Z)) for skill in standard.skills
    }
    return SkillAssessment(standard.tag, as_of, items, frozenset(literacy), literacy_std.tag)


@dataclass(slots=True)
class _Support:
    """The best level each skill is backed at, by evidence and by endorsements, with where it came from."""

    standard: SkillStandard
    evidenced: dict[str, SkillLevel] = field(default_factory=dict)
    endorsed: dict[str, SkillLevel] = field(default_factory=dict)
    sources: dict[str, list[str]] = field(default_factory=dict)

    def add(self, skill_id: str, level: SkillLevel, source: str, *, endorsement: bool = False) -> None:
        self.standard.skill(skill_id)
        target = self.endorsed if endorsement else self.evidenced
        if level > target.get(skill_id, SkillLevel.Z):
            target[skill_id] = level
        self.sources.setdefault(skill_id, []).append(source)

    def add_evidence(self, item: Evidence, catalog: EvidenceCatalog, as_of: dt.date) -> tuple[str, ...]:
        """Count one piece of evidence; returns the DSS-L items a certification covers."""
        if isinstance(item, CertificationHeld):
            cert = catalog.certification(item.certification_id)
            if not cert.valid_on(item.obtained_on, as_of):
                return ()
            for skill_id, level in cert.evidence.items():
                self.add(skill_id, level, cert.id)
            return cert.literacy
        if isinstance(item, ItssAssessment):
            if item.level not in catalog.itss_levels:
                raise ValueError(f"ITSSレベルは1〜7です: {item.level} (ITSS level must be 1-7)")
            cap = catalog.itss_levels[item.level]
            for skill_id, required in self.standard.role(item.role_id).required.items():
                if required > SkillLevel.Z:
                    self.add(skill_id, min(cap, required), f"ITSS{item.level}:{item.role_id}")
        elif isinstance(item, ProjectEvidence):
            self.add(item.skill_id, item.level, "project")
        elif item.organization_verified:
            self.add(item.skill_id, item.level, f"endorsement:{item.organization}", endorsement=True)
        return ()

    def item(self, skill_id: str, level: SkillLevel) -> SkillAssessmentItem:
        """The assessment of one skill declared at `level`: the tier is the strongest backing that reaches it."""
        endorsed = self.endorsed.get(skill_id, SkillLevel.Z)
        best = max(self.evidenced.get(skill_id, SkillLevel.Z), endorsed)
        if level == SkillLevel.Z:
            tier = EvidenceTier.SELF_DECLARED
        elif endorsed >= level:
            tier = EvidenceTier.ENDORSED
        elif best >= level:
            tier = EvidenceTier.EVIDENCED
        else:
            tier = EvidenceTier.SELF_DECLARED
        return SkillAssessmentItem(skill_id, level, best, tier, tuple(self.sources.get(skill_id, ())))
