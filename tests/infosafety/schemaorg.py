"""Check JSON-LD against schema.org's vocabulary, offline: pyld expands it, each type and property is looked up.

The context and vocabulary are a local copy of schema.org release 30.0 (CC BY-SA 3.0; data/schemaorg/README.md).
`problems(document)` lists, in words, every type that is not a schema.org class, every property that is not a
schema.org property or is used on a type outside its domain, and every value outside its range.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

DATA = Path(__file__).parent / "data" / "schemaorg"
SCHEMA_CONTEXTS = {
    "https://schema.org",
    "https://schema.org/",
    "http://schema.org",
    "http://schema.org/",
    "https://schema.org/docs/jsonldcontext.jsonld",
    "http://schema.org/docs/jsonldcontext.jsonld",
}
_NAMESPACES = ("http://schema.org/", "https://schema.org/")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")


@cache
def vocabulary() -> dict[str, Any]:
    """The shipped vocabulary subset (classes, data types, properties)."""
    return json.loads((DATA / "vocabulary.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def _context() -> dict[str, Any]:
    return json.loads((DATA / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld's loader: schema.org's context from the shipped copy; anything else is refused (no network)."""
    if url in SCHEMA_CONTEXTS:
        return {
            "contentType": "application/ld+json",
            "contextUrl": None,
            "documentUrl": url,
            "document": _context(),
        }
    raise jsonld.JsonLdError(
        f"no network in tests: {url} is not schema.org's context",
        "jsonld.LoadDocumentError",
        code="loading document failed",
    )


def ancestors(name: str) -> set[str]:
    """A class and every class above it."""
    classes = vocabulary()["classes"]
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(classes.get(current, []))
    return seen


def _term(iri: str) -> str | None:
    for namespace in _NAMESPACES:
        if iri.startswith(namespace):
            return iri.removeprefix(namespace)
    return None


def _literal_fits(value: Any, range_: list[str]) -> bool:
    """A plain JSON value fits a range that holds a data type of its kind."""
    kinds = set().union(*(ancestors(r) for r in range_)) if range_ else set()
    if isinstance(value, bool):
        return "Boolean" in kinds
    if isinstance(value, int | float):
        return "Number" in kinds
    if not isinstance(value, str):
        return False
    if "Text" in kinds:
        return True
    if "Date" in kinds and _DATE.fullmatch(value):
        return True
    return "DateTime" in kinds and bool(_DATETIME.fullmatch(value))


def _node_problems(node: dict[str, Any], where: str, out: list[str]) -> None:
    vocab = vocabulary()
    types = [_term(t) for t in node.get("@type", [])]
    if not types:
        out.append(f"{where}: a node without @type")
    for iri, name in zip(node.get("@type", []), types, strict=True):
        if name is None or name not in vocab["classes"] or name in vocab["datatypes"]:
            out.append(f"{where}: @type {iri} is not a schema.org class")
    known = {a for t in types if t for a in ancestors(t)}
    for key, values in node.items():
        if key.startswith("@"):
            continue
        name = _term(key)
        definition = vocab["properties"].get(name or "")
        if definition is None:
            out.append(f"{where}: {key} is not a schema.org property")
            continue
        if known and not known & set(definition["domain"]):
            out.append(f"{where}: {name} is not a property of {'/'.join(t or '?' for t in types)}")
        for index, value in enumerate(values):
            _value_problems(value, definition["range"], f"{where}.{name}[{index}]", out)


def _value_problems(value: dict[str, Any], range_: list[str], where: str, out: list[str]) -> None:
    if "@value" in value:
        if not _literal_fits(value["@value"], range_):
            out.append(f"{where}: {value['@value']!r} is not a {'/'.join(range_)}")
    elif "@list" in value:
        for index, item in enumerate(value["@list"]):
            _value_problems(item, range_, f"{where}[{index}]", out)
    elif set(value) == {"@id"}:
        if not {"URL", *vocabulary()["classes"]} & set(range_):
            out.append(f"{where}: a link where {'/'.join(range_)} is expected")
    else:
        types = {a for t in value.get("@type", []) if (n := _term(t)) for a in ancestors(n)}
        if types and not types & set(range_):
            out.append(f"{where}: a {'/'.join(value.get('@type', []))} where {'/'.join(range_)} is expected")
        _node_problems(value, where, out)


def expand(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The document expanded by pyld with schema.org's context from the shipped copy."""
    return jsonld.expand(document, {"documentLoader": document_loader})  # type: ignore[no-any-return]


def problems(document: dict[str, Any]) -> list[str]:
    """What in the document schema.org does not define, in words; empty when every term checks out."""
    expanded = expand(document)
    out: list[str] = []
    if not expanded:
        out.append("nothing left after expansion")
    for index, node in enumerate(expanded):
        _node_problems(node, f"[{index}]", out)
    return out
