"""Sharing out: an operator's advisories and their aggregated exposure as a STIX 2.1 bundle (built and checked
with OASIS's `stix2` library) and as a MISP event (JSON in MISP's own format).

TLP decides what leaves: TLP:RED and TLP:AMBER+STRICT never (they may reach only named recipients), CLEAR, GREEN
and AMBER up to the ceiling the caller gives, each object keeping its label. Inventories are never exported:
exposure is counts of member bodies per advisory (how many run an affected version, how many have acted), with
no body, asset or version named; the exposure takes the advisory's label, and at least TLP:GREEN (it is about
the operator's own members, not public).

Identifiers are stable (UUID 5 of the operator and the advisory), so exporting again gives the same objects and
the receiving platform updates them instead of duplicating.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chiiki.cyber.engine._tlp import AMBER, AMBER_STRICT, CLEAR, GREEN, RED, TlpError

# Labels in order of restriction; RED and AMBER+STRICT never leave (no ceiling lets them through).
_ORDER = (CLEAR, GREEN, AMBER, AMBER_STRICT, RED)
NEVER_EXPORTED = frozenset({AMBER_STRICT, RED})
_NAMESPACE = uuid.UUID("8f8b2a4e-3f7c-5d1e-9b0a-6c2d4e5f7a81")  # this app's namespace for UUID 5


@dataclass(frozen=True, slots=True)
class Exposure:
    """How many member bodies an advisory concerns, and how many have acted (no body is named)."""

    bodies_affected: int = 0
    bodies_acknowledged: int = 0
    bodies_closed: int = 0
    kinds: dict[str, int] = field(default_factory=dict)  # e.g. {"municipality": 2, "hospital": 1}


@dataclass(frozen=True, slots=True)
class SharedAdvisory:
    """What an export says about one advisory."""

    identifier: str
    title: str
    tlp: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    cvss_score: float | None = None
    cvss_vector: str = ""
    published: str = ""
    modified: str = ""
    exploited: bool = False
    exposure: Exposure = field(default_factory=Exposure)


def exportable(advisories: list[SharedAdvisory], *, ceiling: str = AMBER) -> list[SharedAdvisory]:
    """The advisories whose label may leave, at or below `ceiling` (RED and AMBER+STRICT never)."""
    if ceiling in NEVER_EXPORTED or ceiling not in _ORDER:
        raise TlpError(f"TLP:{ceiling} の情報は外部に出しません(出せるのは CLEAR, GREEN, AMBER)")
    limit = _ORDER.index(ceiling)
    return [a for a in advisories if a.tlp not in NEVER_EXPORTED and _ORDER.index(a.tlp) <= limit]


def _exposure_tlp(tlp: str) -> str:
    return tlp if _ORDER.index(tlp) > _ORDER.index(GREEN) else GREEN


def _uuid(operator: str, *parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "/".join((operator, *parts))))


def _cves(advisory: SharedAdvisory) -> list[str]:
    ids = [advisory.identifier, *advisory.aliases]
    return list(dict.fromkeys(i for i in ids if i.startswith("CVE-")))


# ---------------------------------------------------------------------------------------------- STIX 2.1


def stix_bundle(
    advisories: list[SharedAdvisory], *, operator_code: str, operator_name: str, created: datetime
) -> str:
    """A STIX 2.1 bundle: the operator as an Identity, one Vulnerability per advisory (CVE numbers as external
    references, CVSS and KEV as custom `x_chiiki_` properties) and one Note with its exposure. Objects carry the
    TLP marking definitions STIX 2.1 predefines (§7.2.1.4; TLP 2.0's CLEAR is its WHITE). The caller passes
    only `exportable` advisories; a RED or AMBER+STRICT one is refused here too."""
    import stix2

    markings = {CLEAR: stix2.TLP_WHITE, GREEN: stix2.TLP_GREEN, AMBER: stix2.TLP_AMBER}
    identity = stix2.Identity(
        id=f"identity--{_uuid(operator_code, 'identity')}",
        name=operator_name,
        identity_class="organization",
        sectors=["government-regional"],
        created=created,
        modified=created,
    )
    objects: list[Any] = [identity]
    for advisory in advisories:
        if advisory.tlp not in markings:
            raise TlpError(f"{advisory.identifier}: TLP:{advisory.tlp} の情報は外部に出しません")
        references = [{"source_name": "cve", "external_id": cve} for cve in _cves(advisory)]
        if advisory.identifier not in _cves(advisory):
            references.append({"source_name": "chiiki", "external_id": advisory.identifier})
        custom: dict[str, Any] = {"x_chiiki_known_exploited": advisory.exploited}
        if advisory.cvss_score is not None:
            custom |= {
                "x_chiiki_cvss_score": advisory.cvss_score,
                "x_chiiki_cvss_vector": advisory.cvss_vector,
            }
        vulnerability = stix2.Vulnerability(
            id=f"vulnerability--{_uuid(operator_code, 'vulnerability', advisory.identifier)}",
            name=advisory.identifier,
            description=f"{advisory.title}\n\n{advisory.summary}".strip(),
            external_references=references,
            created_by_ref=identity.id,
            created=created,
            modified=created,
            object_marking_refs=[markings[advisory.tlp]],
            custom_properties=custom,
        )
        exposure = advisory.exposure
        note = stix2.Note(
            id=f"note--{_uuid(operator_code, 'exposure', advisory.identifier)}",
            abstract=f"{operator_name}: exposure of member bodies to {advisory.identifier}",
            content=(
                f"{exposure.bodies_affected} member bodies run an affected version; "
                f"{exposure.bodies_acknowledged} acknowledged, {exposure.bodies_closed} closed "
                f"(patched, mitigated or not applicable)."
            ),
            object_refs=[vulnerability.id],
            created_by_ref=identity.id,
            created=created,
            modified=created,
            object_marking_refs=[markings[_exposure_tlp(advisory.tlp)]],
            custom_properties={
                "x_chiiki_bodies_affected": exposure.bodies_affected,
                "x_chiiki_bodies_acknowledged": exposure.bodies_acknowledged,
                "x_chiiki_bodies_closed": exposure.bodies_closed,
                "x_chiiki_bodies_by_kind": dict(sorted(exposure.kinds.items())),
            },
        )
        objects += [vulnerability, note]
    used = {m.id for o in objects for m in markings.values() if m.id in (o.get("object_marking_refs") or [])}
    objects += [m for m in markings.values() if m.id in used]
    bundle = stix2.Bundle(objects=objects, id=f"bundle--{uuid.uuid4()}", allow_custom=True)
    return str(bundle.serialize(pretty=True, ensure_ascii=False))


# --------------------------------------------------------------------------------------------------- MISP


def misp_event(
    advisories: list[SharedAdvisory], *, operator_code: str, operator_name: str, created: datetime
) -> str:
    """A MISP event (the JSON MISP's "Add event from JSON" / REST API takes): one `vulnerability` object per
    advisory (id, summary, cvss-score, published, modified, and the exposure counts as `text` attributes),
    each object and the event tagged with its TLP (`tlp:clear`, `tlp:green`, `tlp:amber`; the event with the
    most restrictive one). Distribution is "your organisation only" (0): the receiving analyst decides."""
    objects = []
    most = CLEAR
    for advisory in advisories:
        if advisory.tlp in NEVER_EXPORTED or advisory.tlp not in _ORDER:
            raise TlpError(f"{advisory.identifier}: TLP:{advisory.tlp} の情報は外部に出しません")
        label = _exposure_tlp(advisory.tlp)
        most = max(most, label, key=_ORDER.index)
        exposure = advisory.exposure
        values: list[tuple[str, str, str]] = [
            ("id", "vulnerability", cve) for cve in _cves(advisory) or [advisory.identifier]
        ]
        values += [("summary", "text", f"{advisory.title}\n\n{advisory.summary}".strip())]
        if advisory.cvss_score is not None:
            values += [
                ("cvss-score", "float", f"{advisory.cvss_score}"),
                ("cvss-string", "text", advisory.cvss_vector),
            ]
        values += [(name, "datetime", value) for name, value in (("published", advisory.published),
                                                                  ("modified", advisory.modified)) if value]  # fmt: skip
        values += [
            ("state", "text", "Published"),
            ("references", "text", f"exposure: {exposure.bodies_affected} member bodies affected, "
                                   f"{exposure.bodies_acknowledged} acknowledged, {exposure.bodies_closed} closed"),
        ]  # fmt: skip
        objects.append(
            {
                "name": "vulnerability",
                "meta-category": "vulnerability",
                "uuid": _uuid(operator_code, "misp-object", advisory.identifier),
                "comment": f"{advisory.identifier} (TLP:{advisory.tlp})"
                + (" — in CISA KEV" if advisory.exploited else ""),
                "distribution": "5",
                "Attribute": [
                    {
                        "object_relation": relation,
                        "type": kind,
                        "category": "External analysis" if kind == "vulnerability" else "Other",
                        "value": value,
                        "to_ids": False,
                        "uuid": _uuid(operator_code, "misp-attribute", advisory.identifier, relation, value),
                        "Tag": [{"name": f"tlp:{label.lower()}"}],
                    }
                    for relation, kind, value in values
                ],
            }
        )
    event = {
        "Event": {
            "uuid": _uuid(operator_code, "misp-event", created.date().isoformat()),
            "info": f"{operator_name}: advisories and member exposure ({created.date().isoformat()})",
            "date": created.date().isoformat(),
            "timestamp": str(int(created.timestamp())),
            "threat_level_id": "2",
            "analysis": "2",
            "distribution": "0",
            "published": False,
            "Orgc": {"name": operator_name, "uuid": _uuid(operator_code, "identity")},
            "Tag": [{"name": f"tlp:{most.lower()}"}],
            "Object": objects,
        }
    }
    return json.dumps(event, ensure_ascii=False, indent=1)
