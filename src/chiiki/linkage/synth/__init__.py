"""Synthetic registries and records with known truth, for tests and benchmarks of the linkage engine."""

from chiiki.linkage.synth.generator import (
    RECORD_COLUMNS,
    REGISTRY_COLUMNS,
    TRUTH_COLUMNS,
    ErrorRates,
    Person,
    SyntheticData,
    generate,
)

__all__ = [
    "RECORD_COLUMNS",
    "REGISTRY_COLUMNS",
    "TRUTH_COLUMNS",
    "ErrorRates",
    "Person",
    "SyntheticData",
    "generate",
]
