"""Advisories checked against the official JSON schemas, shipped in `schemas/` (no network): CSAF 2.0, CSAF 2.1
(with the FIRST CVSS and CERT/CC SSVC schemas they reference), the CSAF provider metadata of both, and OSV
(ossf/osv-schema). See schemas/README.md."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

_CVSS = {
    "https://www.first.org/cvss/cvss-v2.0.json": "cvss-v2.0.json",
    "https://www.first.org/cvss/cvss-v3.0.json": "cvss-v3.0.json",
    "https://www.first.org/cvss/cvss-v3.1.json": "cvss-v3.1.json",
}
_CSAF_21 = "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/"
_CSAF_21_REFERENCED = {
    **_CVSS,
    "https://www.first.org/cvss/cvss-v4.0.json": "cvss-v4.0.json",
    "https://www.first.org/cvss/meta.json": "cvss-meta.json",
    "https://certcc.github.io/SSVC/data/schema/v2/SelectionList_2_0_0.schema.json": (
        "ssvc-SelectionList_2_0_0.schema.json"
    ),
    _CSAF_21 + "meta.json": "csaf-2.1-meta.json",
    _CSAF_21 + "extension-content.json": "csaf-2.1-extension-content.json",
    _CSAF_21 + "extension-metaschema.json": "csaf-2.1-extension-metaschema.json",
}


def _load(name: str) -> Any:
    return json.loads(
        resources.files("chiiki.cyber.engine").joinpath("schemas", name).read_text(encoding="utf-8")
    )


def _validator(schema: str, referenced: dict[str, str]) -> Draft202012Validator:
    # Every referenced schema is read as JSON Schema 2020-12 (the CVSS ones declare FIRST's own meta-schema).
    registry: Registry[Any] = Registry().with_resources(
        (url, DRAFT202012.create_resource(_load(name))) for url, name in referenced.items()
    )
    return Draft202012Validator(_load(schema), registry=registry)


@cache
def _csaf_validator(version: str) -> Draft202012Validator:
    if version == "2.1":
        return _validator("csaf-2.1-csaf.json", _CSAF_21_REFERENCED)
    return _validator("csaf_json_schema.json", _CVSS)


@cache
def _provider_validator(version: str) -> Draft202012Validator:
    # The provider schema takes the publisher (and in 2.1 the TLP label) from the CSAF schema of its version.
    if version == "2.1":
        return _validator(
            "csaf-2.1-provider.json", {**_CSAF_21_REFERENCED, _CSAF_21 + "csaf.json": "csaf-2.1-csaf.json"}
        )
    return _validator(
        "provider_json_schema.json",
        {
            **_CVSS,
            "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json": "csaf_json_schema.json",
        },
    )


@cache
def _osv_validator() -> Draft202012Validator:
    return _validator("osv-schema.json", {})


def _problem(validator: Draft202012Validator, document: Any) -> tuple[str, str] | None:
    error = best_match(validator.iter_errors(document))
    if error is None:
        return None
    parts = [str(p) if not isinstance(p, int) else f"[{p}]" for p in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        # name the missing field itself, not the object that lacks it
        parts += [str(name) for name in error.validator_value if name not in error.instance][:1]
    path = ".".join(parts).replace(".[", "[")
    return path or "(document)", error.message[:500]


def csaf_schema_problem(document: Any, version: str = "2.0") -> tuple[str, str] | None:
    """(field path, reason) of the most relevant violation of the CSAF `version` ("2.0" or "2.1") schema, or
    None for a valid document."""
    return _problem(_csaf_validator(version), document)


def provider_schema_problem(document: Any, version: str = "2.0") -> tuple[str, str] | None:
    """(field path, reason) of the most relevant violation of the CSAF `version` provider-metadata schema."""
    return _problem(_provider_validator(version), document)


def osv_schema_problem(document: Any) -> tuple[str, str] | None:
    """(field path, reason) of the most relevant OSV schema violation, or None for a valid record."""
    return _problem(_osv_validator(), document)
