"""Record linkage to the resident registry (住民基本台帳), Django-free: Splink on DuckDB.

`link()` scores every record against the registry and decides `linked`, `review` or `unmatched` with a
rule that never links on name + birth date + sex alone; `audit_links()` checks links made elsewhere.
`read_registry`, `read_records`, `read_links` (files) and `parse_records` (an upload's bytes) read tables
through `chiiki.tables` and refuse bad values naming the row and column.

Everything public is imported from here; the modules behind it (`_inputs`, `_dates`, `_features`, `_model`, `_scoring`,
`_decision`, `_pipeline`, `_audit`) are private to the package.
"""

from chiiki.linkage.engine._audit import REASONS, AuditResult, audit_links, write_audit
from chiiki.linkage.engine._decision import LINKED, REVIEW, UNMATCHED, DecisionRule, decide
from chiiki.linkage.engine._features import FEATURE_COLUMNS, build_features
from chiiki.linkage.engine._inputs import (
    LINK_COLUMNS,
    RECORD_COLUMNS,
    REGISTRY_COLUMNS,
    InputError,
    parse_records,
    read_links,
    read_records,
    read_registry,
)
from chiiki.linkage.engine._model import COMPARISONS, FieldComparison, level_labels
from chiiki.linkage.engine._pipeline import STAGES, LinkageResult, ProgressCallback, link, write_outputs
from chiiki.linkage.engine._scoring import ScoringOptions

__all__ = [
    "COMPARISONS",
    "FEATURE_COLUMNS",
    "LINKED",
    "LINK_COLUMNS",
    "REASONS",
    "RECORD_COLUMNS",
    "REGISTRY_COLUMNS",
    "REVIEW",
    "STAGES",
    "UNMATCHED",
    "AuditResult",
    "DecisionRule",
    "FieldComparison",
    "InputError",
    "LinkageResult",
    "ProgressCallback",
    "ScoringOptions",
    "audit_links",
    "build_features",
    "decide",
    "level_labels",
    "link",
    "parse_records",
    "read_links",
    "read_records",
    "read_registry",
    "write_audit",
    "write_outputs",
]
