"""Skill standards as versioned data: DSS-P (DX推進スキル標準), DSS-L (DXリテラシー標準), and the
evidence catalog that maps ITSS levels and certifications to DSS-P skill levels. Django-free."""

from chiiki.talent.standard._assessment import (
    CertificationHeld,
    Endorsement,
    Evidence,
    ItssAssessment,
    ProjectEvidence,
    SkillAssessment,
    SkillAssessmentItem,
    assess,
)
from chiiki.talent.standard._loader import (
    StandardDataError,
    available_versions,
    load_evidence_catalog,
    load_literacy_standard,
    load_skill_standard,
)
from chiiki.talent.standard._model import (
    Certification,
    EvidenceCatalog,
    EvidenceTier,
    LiteracyItem,
    LiteracyStandard,
    PersonType,
    Role,
    SkillItem,
    SkillLevel,
    SkillStandard,
)

__all__ = [
    "Certification",
    "CertificationHeld",
    "Endorsement",
    "Evidence",
    "EvidenceCatalog",
    "EvidenceTier",
    "ItssAssessment",
    "LiteracyItem",
    "LiteracyStandard",
    "PersonType",
    "ProjectEvidence",
    "Role",
    "SkillAssessment",
    "SkillAssessmentItem",
    "SkillItem",
    "SkillLevel",
    "SkillStandard",
    "StandardDataError",
    "assess",
    "available_versions",
    "load_evidence_catalog",
    "load_literacy_standard",
    "load_skill_standard",
]
