"""Survey estimation (Django-free): weights, calibration to the registry, estimates with standard errors,
representativeness and disclosure control.

Typical flow: `design_weights` → `adjust_nonresponse_by_class` / `adjust_nonresponse_by_propensity` →
`calibrate` (raking or linear, with bounds) → `trim_weights` → `estimate` / `estimate_proportions` /
`estimate_ratio` (Taylor or replicate SEs) → `representativeness_report` → `protect_table`.
"""

from chiiki.estimation.calibration import (
    AuxiliaryMatrix,
    CalibrationResult,
    auxiliary_matrix,
    calibrate,
    calibrate_matrix,
    controls_from_registry,
)
from chiiki.estimation.design import Design, EstimationError
from chiiki.estimation.estimates import ReplicateWeights, estimate, estimate_proportions, estimate_ratio
from chiiki.estimation.replicates import bootstrap_weights, jackknife_weights
from chiiki.estimation.weights import (
    WeightDiagnostics,
    adjust_nonresponse_by_class,
    adjust_nonresponse_by_propensity,
    design_weights,
    response_propensities,
    trim_weights,
    weight_diagnostics,
)

__all__ = [
    "AuxiliaryMatrix",
    "CalibrationResult",
    "Design",
    "EstimationError",
    "ReplicateWeights",
    "WeightDiagnostics",
    "adjust_nonresponse_by_class",
    "adjust_nonresponse_by_propensity",
    "auxiliary_matrix",
    "bootstrap_weights",
    "calibrate",
    "calibrate_matrix",
    "controls_from_registry",
    "design_weights",
    "estimate",
    "estimate_proportions",
    "estimate_ratio",
    "jackknife_weights",
    "response_propensities",
    "trim_weights",
    "weight_diagnostics",
]
