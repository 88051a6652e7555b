"""Talent matching engine (Django-free): rank candidates for a need and needs for a person, with an
explanation per match, hard constraints as filters, soft ones as score, mentor matching by field and
stage, and fair exposure (rotation among equal scores; exposure-aware re-ranking)."""

from chiiki.talent.matching.codes import (
    BUSINESS_FIELDS,
    PREFECTURES,
    NeedKind,
    ProfileKind,
    StartupStage,
    WorkMode,
)
from chiiki.talent.matching.engine import (
    ExposureLedger,
    FairnessPolicy,
    Match,
    MatchingEngine,
    RankingMode,
    top_k_rows,
)
from chiiki.talent.matching.explain import MatchExplanation, SkillFit, explain_pair
from chiiki.talent.matching.reference import (
    brute_force_candidates,
    brute_force_needs,
    python_candidates,
    python_needs,
)
from chiiki.talent.matching.scoring import MAX_SCORE, PairScore, pair_feasible, pair_score, tie_key
from chiiki.talent.matching.synthetic import generate_needs, generate_profiles
from chiiki.talent.matching.tables import MatchingInputError, Need, NeedTable, Profile, ProfileTable

__all__ = [
    "BUSINESS_FIELDS",
    "MAX_SCORE",
    "PREFECTURES",
    "ExposureLedger",
    "FairnessPolicy",
    "Match",
    "MatchExplanation",
    "MatchingEngine",
    "MatchingInputError",
    "Need",
    "NeedKind",
    "NeedTable",
    "PairScore",
    "Profile",
    "ProfileKind",
    "ProfileTable",
    "RankingMode",
    "SkillFit",
    "StartupStage",
    "WorkMode",
    "brute_force_candidates",
    "brute_force_needs",
    "explain_pair",
    "generate_needs",
    "generate_profiles",
    "pair_feasible",
    "pair_score",
    "python_candidates",
    "python_needs",
    "tie_key",
    "top_k_rows",
]
