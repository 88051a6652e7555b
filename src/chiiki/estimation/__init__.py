"""Survey estimation (Django-free): weights, calibration to the registry, estimates with standard errors,
representativeness and disclosure control.

Typical flow: `design_weights` → `adjust_nonresponse_by_class` / `adjust_nonresponse_by_propensity` →
`calibrate` (raking or linear, with bounds) → `trim_weights` → `estimate` / `estimate_proportions` /
`estimate_ratio` (Taylor or replicate SEs) → `response_rates` / `bias_report` / `r_indicator` → `protect_table`.

Everything public is imported from here; the modules behind it (`_design`, `_weights`, `_calibration`,
`_estimates`, `_replicates`, `_representativeness`, `_disclosure`) are private to the package.
"""

from chiiki.estimation._calibration import (
    AuxiliaryMatrix,
    CalibrationResult,
    auxiliary_matrix,
    calibrate,
    calibrate_matrix,
    controls_from_registry,
)
from chiiki.estimation._design import Design, EstimationError
from chiiki.estimation._disclosure import (
    AuditResult,
    SuppressionResult,
    audit,
    dominance_cells,
    nk_dominance_sensitive,
    p_percent_sensitive,
    protect_table,
    small_cells,
)
from chiiki.estimation._estimates import ReplicateWeights, estimate, estimate_proportions, estimate_ratio
from chiiki.estimation._replicates import bootstrap_weights, brr_weights, jackknife_weights
from chiiki.estimation._representativeness import bias_report, mean_absolute_bias, r_indicator, response_rates
from chiiki.estimation._weights import (
    WeightDiagnostics,
    adjust_nonresponse_by_class,
    adjust_nonresponse_by_propensity,
    design_weights,
    response_propensities,
    trim_weights,
    weight_diagnostics,
)

__all__ = [
    "AuditResult",
    "AuxiliaryMatrix",
    "CalibrationResult",
    "Design",
    "EstimationError",
    "ReplicateWeights",
    "SuppressionResult",
    "WeightDiagnostics",
    "adjust_nonresponse_by_class",
    "adjust_nonresponse_by_propensity",
    "audit",
    "auxiliary_matrix",
    "bias_report",
    "bootstrap_weights",
    "brr_weights",
    "calibrate",
    "calibrate_matrix",
    "controls_from_registry",
    "design_weights",
    "dominance_cells",
    "estimate",
    "estimate_proportions",
    "estimate_ratio",
    "jackknife_weights",
    "mean_absolute_bias",
    "nk_dominance_sensitive",
    "p_percent_sensitive",
    "protect_table",
    "r_indicator",
    "response_propensities",
    "response_rates",
    "small_cells",
    "trim_weights",
    "weight_diagnostics",
]
