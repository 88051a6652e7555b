"""The cyber matching engine (Django-free): inventories, advisories, version ranges, TLP.

Reads a body's inventory (CycloneDX SBOM with cyclonedx-python-lib, or the CSV template through
`chiiki.tables`), advisories (OSV JSON, CSAF 2.0 with VEX), and tells which advisories concern which
components, by Package URL (packageurl-python), CPE 2.3 (wildcards) or vendor+product name, with each
ecosystem's version order (univers), never string comparison. Each match says which identifier and which range.
"""

from chiiki.cyber.engine._advisories import (
    Advisory,
    AdvisoryError,
    Product,
    read_advisories,
    read_csaf,
    read_osv,
)
from chiiki.cyber.engine._csaf_provider import DISTRIBUTION_KINDS as CSAF_DISTRIBUTION_KINDS
from chiiki.cyber.engine._csaf_provider import (
    Distribution,
    DocumentLink,
    csaf_json_kind,
    read_directory_index,
    read_provider_metadata,
    read_rolie_feed,
    within,
)
from chiiki.cyber.engine._epss import EPSS_LIKELY, EpssScore, read_epss
from chiiki.cyber.engine._export import (
    NEVER_EXPORTED,
    Exposure,
    SharedAdvisory,
    exportable,
    misp_event,
    stix_bundle,
)
from chiiki.cyber.engine._identity import Cpe, IdentifierError, name_key, package_key, parse_cpe, purl_key
from chiiki.cyber.engine._inventory import (
    CSV_COLUMNS,
    Component,
    InventoryError,
    read_cyclonedx,
    read_inventory_csv,
)
from chiiki.cyber.engine._jvn import MYJVN_MAX_ITEMS, jvn_next_page, read_jvn
from chiiki.cyber.engine._jvn import read_document as read_jvn_document
from chiiki.cyber.engine._matching import (
    AdvisoryIndex,
    ComponentIndex,
    Match,
    MatchResult,
    Suppression,
    advisory_keys,
    component_keys,
    match,
    naive_match,
)
from chiiki.cyber.engine._nvd import read_nvd
from chiiki.cyber.engine._ranges import RangeError, Versions, parse_version
from chiiki.cyber.engine._severity import SeverityError, score_vector
from chiiki.cyber.engine._spdx import is_spdx_json, read_spdx
from chiiki.cyber.engine._tlp import (
    AMBER,
    AMBER_STRICT,
    CLEAR,
    GREEN,
    RED,
    TLP_LABELS,
    TlpError,
    Viewer,
    may_see,
    normalize_tlp,
)
from chiiki.cyber.engine._triage import DAYS_TO_ACT, HIGH, LOW, MEDIUM, URGENT, KevEntry, read_kev, triage

__all__ = [
    "AMBER",
    "AMBER_STRICT",
    "CLEAR",
    "CSAF_DISTRIBUTION_KINDS",
    "CSV_COLUMNS",
    "DAYS_TO_ACT",
    "EPSS_LIKELY",
    "GREEN",
    "HIGH",
    "LOW",
    "MEDIUM",
    "MYJVN_MAX_ITEMS",
    "NEVER_EXPORTED",
    "RED",
    "TLP_LABELS",
    "URGENT",
    "Advisory",
    "AdvisoryError",
    "AdvisoryIndex",
    "Component",
    "ComponentIndex",
    "Cpe",
    "Distribution",
    "DocumentLink",
    "EpssScore",
    "Exposure",
    "IdentifierError",
    "InventoryError",
    "KevEntry",
    "Match",
    "MatchResult",
    "Product",
    "RangeError",
    "SeverityError",
    "SharedAdvisory",
    "Suppression",
    "TlpError",
    "Versions",
    "Viewer",
    "advisory_keys",
    "component_keys",
    "csaf_json_kind",
    "exportable",
    "is_spdx_json",
    "jvn_next_page",
    "match",
    "may_see",
    "misp_event",
    "naive_match",
    "name_key",
    "normalize_tlp",
    "package_key",
    "parse_cpe",
    "parse_version",
    "purl_key",
    "read_advisories",
    "read_csaf",
    "read_cyclonedx",
    "read_directory_index",
    "read_epss",
    "read_inventory_csv",
    "read_jvn",
    "read_jvn_document",
    "read_kev",
    "read_nvd",
    "read_osv",
    "read_provider_metadata",
    "read_rolie_feed",
    "read_spdx",
    "score_vector",
    "stix_bundle",
    "triage",
    "within",
]
