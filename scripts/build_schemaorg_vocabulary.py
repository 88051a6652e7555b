"""Derive the schema.org vocabulary subset the ClaimReview tests check against (tests/infosafety/data/schemaorg).

Run once per schema.org release, never at run time:

    python scripts/build_schemaorg_vocabulary.py <schemaorg-current-https.jsonld> <release> > vocabulary.json

The input is the release file of the schemaorg/schemaorg repository (data/releases/<release>/); schema.org's
vocabulary is licensed CC BY-SA 3.0. Only what a check needs is kept: each class with its direct superclasses
(and whether it is a data type), each property with its domainIncludes and rangeIncludes. Terms schema.org has
retired (schema:supersededBy, or in the attic) are left out, so using one fails the tests.
"""

from __future__ import annotations

import json
import sys
from typing import Any

PREFIX = "schema:"


def _ids(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return sorted(i["@id"].removeprefix(PREFIX) for i in items if i["@id"].startswith(PREFIX))


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type", [])
    return set(kind if isinstance(kind, list) else [kind])


def build(graph: list[dict[str, Any]], release: str) -> dict[str, Any]:
    """The compact vocabulary: classes, data types and properties of one release."""
    classes: dict[str, list[str]] = {}
    datatypes: list[str] = []
    properties: dict[str, dict[str, list[str]]] = {}
    for node in graph:
        name = node["@id"].removeprefix(PREFIX)
        if not node["@id"].startswith(PREFIX) or "schema:supersededBy" in node:
            continue
        if "https://attic.schema.org" in json.dumps(node.get("schema:isPartOf", "")):
            continue
        kinds = _types(node)
        if "rdfs:Class" in kinds or "schema:DataType" in kinds:
            classes[name] = _ids(node.get("rdfs:subClassOf"))
            if "schema:DataType" in kinds or "DataType" in classes[name]:
                datatypes.append(name)
        elif "rdf:Property" in kinds:
            properties[name] = {
                "domain": _ids(node.get("schema:domainIncludes")),
                "range": _ids(node.get("schema:rangeIncludes")),
            }
    return {
        "source": f"schema.org release {release}, data/releases/{release}/schemaorg-current-https.jsonld "
        "of github.com/schemaorg/schemaorg",
        "licence": "CC BY-SA 3.0 (https://creativecommons.org/licenses/by-sa/3.0/), schema.org",
        "release": release,
        "datatypes": sorted(datatypes),
        "classes": dict(sorted(classes.items())),
        "properties": dict(sorted(properties.items())),
    }


def main() -> None:
    """Read the release file named on the command line, print the vocabulary."""
    with open(sys.argv[1], encoding="utf-8") as handle:
        graph = json.load(handle)["@graph"]
    vocabulary = build(graph, sys.argv[2])
    text = json.dumps(vocabulary, ensure_ascii=False, indent=0, separators=(",", ":"))
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
