"""SPDX 3.0 SBOMs (JSON-LD serialization), read by this small reader: spdx-tools 0.8 models SPDX 3.0 and writes it
but has no parser for it.

What is read, from the document's `@graph` (https://spdx.github.io/spdx-spec/v3.0.1/):

- every `software_Package` element is a component: `name`, `software_packageVersion`, the Package URL from
  `software_packageUrl` or an `externalIdentifier` of type `packageUrl`, the CPE from one of type `cpe23`
  (or `cpe22`), the vendor from `suppliedBy` (the `name` of the Organization or Person it points to);
- an `Annotation` whose `subject` is the package and whose `statement` is `chiiki:internet-facing` marks it as
  reachable from the internet; one whose statement starts `chiiki:location=` gives where it runs (SPDX has no
  field for either, as in SPDX 2.3).

The document must have an SPDX 3.0 `@context` and a `CreationInfo` with `specVersion` 3.0.x; anything else, an
element that is not an object, a package without `spdxId` or `name`, a property of the wrong JSON type, or a
PURL/CPE that does not read refuses the whole document, each problem naming the element and the property.
"""

from __future__ import annotations

import json
from typing import Any

from chiiki.cyber.engine._identity import IdentifierError, parse_cpe, purl_key
from chiiki.cyber.engine._inventory import Component, InventoryError

_CONTEXT = "https://spdx.org/rdf/3.0"
_PACKAGE = "software_Package"
_CPE_TYPES = ("cpe23", "cpe22")


def is_spdx3_json(data: bytes) -> bool:
    """True when `data` looks like JSON-LD (an object with `@context` near its start), read as SPDX 3.0 (which
    then refuses a context that is not SPDX 3.0's, by name)."""
    head = data.lstrip()[:4000]
    return head.startswith(b"{") and b'"@context"' in head


def read_spdx3(data: bytes, *, document: str = "SBOM") -> list[Component]:
    """Read an SPDX 3.0 JSON-LD document's software packages; every problem is listed, nothing half-read."""
    graph = _graph(data, document)
    names = {
        str(e.get("spdxId")): str(e.get("name"))
        for e in graph
        if e.get("type") in ("Organization", "Person", "Agent", "SoftwareAgent") and e.get("name")
    }
    notes: dict[str, list[str]] = {}
    for element in graph:
        if element.get("type") == "Annotation" and isinstance(element.get("statement"), str):
            notes.setdefault(str(element.get("subject")), []).append(element["statement"].strip())
    components: list[Component] = []
    problems: list[str] = []
    for index, element in enumerate(graph):
        if element.get("type") != _PACKAGE:
            continue
        try:
            components.append(_component(element, names, notes))
        except _Problem as problem:
            where = element.get("spdxId") or f"@graph[{index}]"
            problems.append(f"{_PACKAGE} {where}: {problem.field}: {problem.reason}")
    if problems:
        raise InventoryError(document, problems[:50])
    return components


class _Problem(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _graph(data: bytes, document: str) -> list[dict[str, Any]]:
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise InventoryError(document, [f"JSON として読めません: {error}"]) from error
    if not isinstance(parsed, dict):
        raise InventoryError(document, ["(document): JSON-LD のオブジェクトではありません"])
    context = parsed.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if not any(isinstance(c, str) and c.startswith(_CONTEXT) for c in contexts):
        raise InventoryError(document, [f"@context: SPDX 3.0 の文脈({_CONTEXT}…)がありません"])
    graph = parsed.get("@graph")
    if not isinstance(graph, list) or not graph:
        raise InventoryError(document, ["@graph: 要素の一覧(空でない配列)がありません"])
    bad = [f"@graph[{i}]: オブジェクトで type があるべきです" for i, e in enumerate(graph) if not _typed(e)]
    if bad:
        raise InventoryError(document, bad[:50])
    versions = {str(e.get("specVersion", "")) for e in graph if e.get("type") == "CreationInfo"}
    if not versions or not all(v.startswith("3.0") for v in versions):
        found = ", ".join(sorted(versions)) or "なし"
        raise InventoryError(document, [f"CreationInfo.specVersion: SPDX 3.0 ではありません({found})"])
    return graph


def _typed(element: Any) -> bool:
    return isinstance(element, dict) and isinstance(element.get("type"), str)


def _text(element: dict[str, Any], field: str, *, required: bool = False) -> str:
    value = element.get(field)
    if value is None:
        if required:
            raise _Problem(field, "必須の項目がありません")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise _Problem(field, f"文字列であるべき値が {type(value).__name__} です")
    return value.strip()


def _identifiers(element: dict[str, Any]) -> tuple[str, str]:
    purl = _text(element, "software_packageUrl")
    cpe = ""
    identifiers = element.get("externalIdentifier") or []
    if not isinstance(identifiers, list):
        raise _Problem("externalIdentifier", "配列ではありません")
    for number, identifier in enumerate(identifiers):
        field = f"externalIdentifier[{number}]"
        if not isinstance(identifier, dict):
            raise _Problem(field, "オブジェクトではありません")
        kind = identifier.get("externalIdentifierType")
        value = identifier.get("identifier")
        if kind == "packageUrl" or kind in _CPE_TYPES:
            if not isinstance(value, str) or not value.strip():
                raise _Problem(f"{field}.identifier", "必須の項目がありません")
            if kind == "packageUrl":
                purl = purl or value.strip()
            else:
                cpe = cpe or value.strip()
    _check(purl, purl_key, "software_packageUrl / externalIdentifier(packageUrl)")
    _check(cpe, parse_cpe, "externalIdentifier(cpe23)")
    return purl, cpe


def _check(value: str, parse: Any, field: str) -> None:
    try:
        if value:
            parse(value)
    except IdentifierError as error:
        raise _Problem(field, str(error)) from error


def _component(element: dict[str, Any], names: dict[str, str], notes: dict[str, list[str]]) -> Component:
    spdx_id = _text(element, "spdxId", required=True)
    name = _text(element, "name", required=True)
    version = _text(element, "software_packageVersion")
    purl, cpe = _identifiers(element)
    supplier = element.get("suppliedBy")
    vendor = names.get(supplier, "") if isinstance(supplier, str) else ""
    comments = notes.get(spdx_id, [])
    location = next((c.split("=", 1)[1].strip() for c in comments if c.startswith("chiiki:location=")), "")
    return Component(
        key=spdx_id,
        name=name,
        version=version,
        vendor=vendor,
        purl=purl,
        cpe=cpe,
        location=location,
        internet_facing="chiiki:internet-facing" in comments,
    )
