"""Record linkage to the resident registry (住民基本台帳), Django-free: Splink on DuckDB or on Spark.

`link()` (DuckDB, or Spark when given a session from `spark_session`), `link_sharded()` (DuckDB,
one municipality or prefecture at a time) and `link_sharded_files()` (the same from files, memory bounded by
the largest shard) score every record against the registry and decides `linked`, `review` or `unmatched` with a
rule that never links on name + birth date + sex alone; `audit_links()` checks links made elsewhere.
`read_registry`, `read_records`, `read_links` (files) and `parse_records` (an upload's bytes) read tables
through `chiiki.tables` and refuse bad values naming the row and column.

Everything public is imported from here; the modules behind it (`_inputs`, `_dates`, `_features`, `_model`, `_scoring`,
`_decision`, `_pipeline`, `_audit`, `_shards`, `_shard_files`, `_spark`) are private to the package.
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
from chiiki.linkage.engine._model import BLOCKING_RULES, COMPARISONS, FieldComparison, level_labels
from chiiki.linkage.engine._pipeline import (
    STAGES,
    LinkageResult,
    ProgressCallback,
    link,
    link_sharded,
    link_sharded_files,
    write_outputs,
)
from chiiki.linkage.engine._scoring import ScoringOptions
from chiiki.linkage.engine._shards import BATCH_ROWS, MOVED_REASON, SHARD_KINDS, cross_shard_rules
from chiiki.linkage.engine._spark import SparkUnavailable, spark_available, spark_session

__all__ = [
    "BATCH_ROWS",
    "BLOCKING_RULES",
    "COMPARISONS",
    "FEATURE_COLUMNS",
    "LINKED",
    "LINK_COLUMNS",
    "MOVED_REASON",
    "REASONS",
    "RECORD_COLUMNS",
    "REGISTRY_COLUMNS",
    "REVIEW",
    "SHARD_KINDS",
    "STAGES",
    "UNMATCHED",
    "AuditResult",
    "DecisionRule",
    "FieldComparison",
    "InputError",
    "LinkageResult",
    "ProgressCallback",
    "ScoringOptions",
    "SparkUnavailable",
    "audit_links",
    "build_features",
    "cross_shard_rules",
    "decide",
    "level_labels",
    "link",
    "link_sharded",
    "link_sharded_files",
    "parse_records",
    "read_links",
    "read_records",
    "read_registry",
    "spark_available",
    "spark_session",
    "write_audit",
    "write_outputs",
]
