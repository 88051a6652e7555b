"""Record linkage to the resident registry (住民基本台帳), Django-free: Splink on DuckDB.

`link()` scores every record against the registry and decides `linked`, `review` or `unmatched` with a
rule that never links on name + birth date + sex alone; `audit_links()` checks links made elsewhere.
"""

from chiiki.linkage.engine.audit import AuditResult, audit_links, write_audit
from chiiki.linkage.engine.decision import LINKED, REVIEW, UNMATCHED, DecisionRule
from chiiki.linkage.engine.inputs import (
    LINK_COLUMNS,
    RECORD_COLUMNS,
    REGISTRY_COLUMNS,
    InputError,
    read_links,
    read_records,
    read_registry,
)
from chiiki.linkage.engine.pipeline import STAGES, LinkageResult, link, write_outputs
from chiiki.linkage.engine.scoring import ScoringOptions

__all__ = [
    "LINKED",
    "LINK_COLUMNS",
    "RECORD_COLUMNS",
    "REGISTRY_COLUMNS",
    "REVIEW",
    "STAGES",
    "UNMATCHED",
    "AuditResult",
    "DecisionRule",
    "InputError",
    "LinkageResult",
    "ScoringOptions",
    "audit_links",
    "link",
    "read_links",
    "read_records",
    "read_registry",
    "write_audit",
    "write_outputs",
]
