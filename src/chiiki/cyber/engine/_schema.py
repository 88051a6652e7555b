"""CSAF 2.0 documents checked against the official JSON schema (shipped in `schemas/`, no network)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from referencing import Registry, Resource

_CVSS = {
    "https://www.first.org/cvss/cvss-v2.0.json": "cvss-v2.0.json",
    "https://www.first.org/cvss/cvss-v3.0.json": "cvss-v3.0.json",
    "https://www.first.org/cvss/cvss-v3.1.json": "cvss-v3.1.json",
}


def _load(name: str) -> Any:
    return json.loads(
        resources.files("chiiki.cyber.engine").joinpath("schemas", name).read_text(encoding="utf-8")
    )


@cache
def _csaf_validator() -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resources(
        (url, Resource.from_contents(_load(name))) for url, name in _CVSS.items()
    )
    return Draft202012Validator(_load("csaf_json_schema.json"), registry=registry)


def csaf_schema_problem(document: Any) -> tuple[str, str] | None:
    """(field path, reason) of the most relevant CSAF 2.0 schema violation, or None for a valid document."""
    error = best_match(_csaf_validator().iter_errors(document))
    if error is None:
        return None
    path = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in error.absolute_path).replace(
        ".[", "["
    )
    return path or "(document)", error.message[:500]
