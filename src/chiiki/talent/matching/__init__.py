"""Talent matching engine (Django-free): rank candidates for a need and needs for a person, with an
explanation per match, hard constraints as filters, soft ones as score, mentor matching by field and
stage, and fair exposure (rotation among equal scores; exposure-aware re-ranking).

This module is the engine's public API; the modules named ``_*.py`` are its internals.
"""

from chiiki.talent.matching._codes import (
    BUSINESS_FIELDS,
    LANGUAGES,
    PREFECTURES,
    REGION_NAMES,
    REGION_OF_PREFECTURE,
    SERVED_BY,
    STARTUP_STAGE_JA,
    NeedKind,
    ProfileKind,
    StartupStage,
    WorkMode,
    kinds_mask,
    language_mask,
    prefecture_mask,
    prefecture_name,
)
from chiiki.talent.matching._engine import (
    ExposureLedger,
    FairnessPolicy,
    Match,
    MatchingEngine,
    RankingMode,
    top_k_rows,
)
from chiiki.talent.matching._explain import LocationFit, MatchExplanation, SkillFit, explain_pair
from chiiki.talent.matching._reference import (
    brute_force_candidates,
    brute_force_needs,
    python_candidates,
    python_needs,
)
from chiiki.talent.matching._scoring import (
    FULL,
    MAX_SCORE,
    PairScore,
    pair_feasible,
    pair_score,
    tie_key,
    tie_keys,
)
from chiiki.talent.matching._tables import (
    EPOCH,
    NO_BUDGET_LIMIT,
    NO_CODE,
    MatchingInputError,
    Need,
    NeedTable,
    Profile,
    ProfileTable,
    day_number,
)

__all__ = [
    "BUSINESS_FIELDS",
    "EPOCH",
    "FULL",
    "LANGUAGES",
    "MAX_SCORE",
    "NO_BUDGET_LIMIT",
    "NO_CODE",
    "PREFECTURES",
    "REGION_NAMES",
    "REGION_OF_PREFECTURE",
    "SERVED_BY",
    "STARTUP_STAGE_JA",
    "ExposureLedger",
    "FairnessPolicy",
    "LocationFit",
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
    "day_number",
    "explain_pair",
    "kinds_mask",
    "language_mask",
    "pair_feasible",
    "pair_score",
    "prefecture_mask",
    "prefecture_name",
    "python_candidates",
    "python_needs",
    "tie_key",
    "tie_keys",
    "top_k_rows",
]
