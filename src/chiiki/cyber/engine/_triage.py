"""Which alert first: severity (CVSS), exploitation (CISA KEV) and exposure (internet-facing), and by when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from chiiki.cyber.engine._advisories import AdvisoryError

URGENT, HIGH, MEDIUM, LOW = 1, 2, 3, 4

# Days a body has to act, from the alert, by priority: the operator's default policy (docs/apps/cyber.md).
DAYS_TO_ACT: dict[int, int] = {URGENT: 3, HIGH: 14, MEDIUM: 30, LOW: 90}


@dataclass(frozen=True, slots=True)
class KevEntry:
    """One entry of CISA's Known Exploited Vulnerabilities catalog."""

    cve: str
    vendor: str
    product: str
    name: str
    date_added: date
    due_date: date | None
    ransomware: bool
    required_action: str


def read_kev(data: bytes, *, document: str = "KEV") -> tuple[str, list[KevEntry]]:
    """CISA's KEV catalog JSON (catalogVersion, vulnerabilities[].cveID/dateAdded/dueDate/…) → (version, entries).
    A malformed entry refuses the whole file, naming its position and field."""
    try:
        catalog = json.loads(data)
        version = str(catalog["catalogVersion"])
        items = catalog["vulnerabilities"]
    except (ValueError, KeyError, TypeError) as error:
        raise AdvisoryError(
            document, "catalogVersion / vulnerabilities", f"KEV カタログとして読めません: {error}"
        ) from error
    entries = []
    for index, item in enumerate(items):
        field = "cveID"
        try:
            cve = str(item["cveID"])
            field = "dateAdded"
            added = date.fromisoformat(item["dateAdded"])
            field = "dueDate"
            due = date.fromisoformat(item["dueDate"]) if item.get("dueDate") else None
        except (KeyError, ValueError, TypeError) as error:
            raise AdvisoryError(
                document, f"vulnerabilities[{index}].{field}", f"読めません: {error}"
            ) from error
        entries.append(
            KevEntry(
                cve=cve, vendor=str(item.get("vendorProject", "")), product=str(item.get("product", "")),
                name=str(item.get("vulnerabilityName", "")), date_added=added, due_date=due,
                ransomware=str(item.get("knownRansomwareCampaignUse", "")).lower() == "known",
                required_action=str(item.get("requiredAction", "")),
            )
        )  # fmt: skip
    return version, entries


def triage(
    cvss_score: float | None, *, exploited: bool, internet_facing: bool, epss: float | None = None
) -> int:
    """The alert's priority, 1 (urgent) to 4 (low).

    Urgent: exploited in the wild (KEV) or critical (CVSS ≥ 9.0) on an internet-facing asset. High: exploited,
    critical or high (CVSS ≥ 7.0) anywhere else. Medium: CVSS ≥ 4.0, or no score given (an advisory without a
    score is not assumed harmless). Low: below 4.0. An EPSS probability at or above `EPSS_LIKELY` counts as
    exploited (likely to be, within 30 days).
    """
    from chiiki.cyber.engine._epss import EPSS_LIKELY

    exploited = exploited or (epss is not None and epss >= EPSS_LIKELY)
    critical = cvss_score is not None and cvss_score >= 9.0
    if internet_facing and (exploited or critical):
        return URGENT
    if exploited or critical or (cvss_score is not None and cvss_score >= 7.0):
        return HIGH
    if cvss_score is None or cvss_score >= 4.0:
        return MEDIUM
    return LOW
