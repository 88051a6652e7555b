"""SPDX 2.3 SBOMs (JSON) read with the official `spdx-tools` library: each package is a component, its Package
URL and CPE taken from `externalRefs` (PACKAGE-MANAGER `purl`, SECURITY `cpe23Type` / `cpe22Type`), its
vendor from `supplier`. The document is validated against the SPDX 2.3 rules first; any problem refuses it,
naming the SPDXID and the field.

SPDX has no field for exposure or place; a package annotation whose comment is `chiiki:internet-facing` marks
the package as reachable from the internet, one whose comment starts `chiiki:location=` gives where it runs.
"""

from __future__ import annotations

import json
from typing import Any

from chiiki.cyber.engine._identity import IdentifierError, parse_cpe, purl_key
from chiiki.cyber.engine._inventory import Component, InventoryError
from chiiki.cyber.engine._spdx3 import is_spdx3_json, read_spdx3

_CPE_TYPES = ("cpe23Type", "cpe22Type")


def is_spdx_json(data: bytes) -> bool:
    """True when `data` looks like an SPDX JSON document: SPDX 2.x (an object with `spdxVersion` near its start)
    or SPDX 3.0 JSON-LD (its `@context`)."""
    head = data.lstrip()[:4000]
    return (head.startswith(b"{") and b'"spdxVersion"' in head) or is_spdx3_json(data)


def read_spdx(data: bytes, *, document: str = "SBOM") -> list[Component]:
    """Read and validate an SPDX 2.3 (or 2.2) JSON document, or read an SPDX 3.0 JSON-LD one (`_spdx3`); every
    problem is listed, nothing half-read."""
    if is_spdx3_json(data):
        return read_spdx3(data, document=document)
    spdx = _parse(data, document)
    notes: dict[str, list[str]] = {}
    for annotation in spdx.annotations:
        notes.setdefault(annotation.spdx_id, []).append(annotation.annotation_comment.strip())
    components: list[Component] = []
    problems: list[str] = []
    for package in spdx.packages:
        try:
            components.append(_component(package, notes.get(package.spdx_id, [])))
        except IdentifierError as error:
            problems.append(f"package {package.spdx_id} ({package.name}): externalRefs: {error}")
    if problems:
        raise InventoryError(document, problems)
    return components


def _parse(data: bytes, document: str) -> Any:
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.jsonlikedict.json_like_dict_parser import JsonLikeDictParser
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise InventoryError(document, [f"JSON として読めません: {error}"]) from error
    if not isinstance(parsed, dict) or not str(parsed.get("spdxVersion", "")).startswith("SPDX-2."):
        raise InventoryError(
            document, ["spdxVersion: SPDX 2.x の文書でも SPDX 3.0 の JSON-LD でもありません"]
        )
    try:
        spdx = JsonLikeDictParser().parse(parsed)  # type: ignore[no-untyped-call]
    except SPDXParsingError as error:
        messages = error.get_messages()  # type: ignore[no-untyped-call]
        raise InventoryError(document, [str(m) for m in messages][:50]) from error
    problems = [
        f"{m.context.spdx_id or m.context.parent_id or 'document'}: {m.validation_message}"
        for m in validate_full_spdx_document(spdx)
    ]
    if problems:
        raise InventoryError(document, problems[:50])
    return spdx


def _component(package: Any, comments: list[str]) -> Component:
    from spdx_tools.spdx.model.actor import Actor
    from spdx_tools.spdx.model.package import ExternalPackageRefCategory

    purl = cpe = ""
    for ref in package.external_references:
        if ref.category == ExternalPackageRefCategory.PACKAGE_MANAGER and ref.reference_type == "purl":
            purl = purl or ref.locator
        elif ref.category == ExternalPackageRefCategory.SECURITY and ref.reference_type in _CPE_TYPES:
            cpe = cpe or ref.locator
    if purl:
        purl_key(purl)
    if cpe:
        parse_cpe(cpe)
    supplier = package.supplier
    location = next((c.split("=", 1)[1].strip() for c in comments if c.startswith("chiiki:location=")), "")
    return Component(
        key=package.spdx_id,
        name=package.name,
        version=package.version or "",
        vendor=supplier.name if isinstance(supplier, Actor) else "",
        purl=purl,
        cpe=cpe,
        location=location,
        internet_facing="chiiki:internet-facing" in comments,
    )
