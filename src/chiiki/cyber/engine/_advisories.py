"""Advisories as the engine reads them, from OSV JSON and CSAF 2.0 documents (VEX included)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chiiki.cyber.engine._identity import (
    OSV_ECOSYSTEMS,
    Cpe,
    IdentifierError,
    Key,
    name_key,
    package_key,
    parse_cpe,
    purl_key,
    scheme_of,
)
from chiiki.cyber.engine._ranges import RangeError, Versions, from_events, from_vers
from chiiki.cyber.engine._schema import csaf_schema_problem, osv_schema_problem
from chiiki.cyber.engine._severity import SeverityError, score_vector
from chiiki.cyber.engine._tlp import TlpError, normalize_tlp


class AdvisoryError(ValueError):
    """A document that is not a readable advisory; the message names the document and the field."""

    def __init__(self, document: str, field_path: str, reason: str) -> None:
        self.document = document
        self.field_path = field_path
        self.reason = reason
        super().__init__(f"{document}: {field_path}: {reason}")


@dataclass(frozen=True, slots=True)
class Product:
    """One product an advisory names, with the versions concerned."""

    key: Key
    label: str
    versions: Versions
    cpe: Cpe | None = (
        None  # the full CPE pattern when identified by CPE (its other attributes must match too)
    )


@dataclass(frozen=True, slots=True)
class Advisory:
    """An advisory reduced to what matching and triage need; `document` keeps the original as loaded."""

    identifier: str
    source_format: str  # "osv", "csaf", "nvd" or "jvn"
    title: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    published: str = ""
    modified: str = ""
    tlp: str | None = None
    cvss_vector: str = ""
    cvss_score: float | None = None
    remediation: str = ""
    references: tuple[str, ...] = ()
    affected: tuple[Product, ...] = ()
    not_affected: tuple[tuple[Product, str], ...] = ()  # VEX known_not_affected with its justification
    document: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def read_advisories(data: bytes, fmt: str, *, document: str = "feed") -> list[Advisory]:
    """Read a file of advisories: `osv` (one OSV object or a JSON list of them), `csaf` (one CSAF 2.0
    document or a list), `nvd` (an NVD CVE API 2.0 response, or CVE records) or `jvn` (MyJVN's VULDEF or
    JVNRSS XML). Every document is checked before any is returned (all or nothing)."""
    if fmt == "jvn":
        from chiiki.cyber.engine._jvn import read_jvn

        return read_jvn(data, document=document)
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise AdvisoryError(document, "(file)", f"JSON として読めません: {error}") from error
    from chiiki.cyber.engine._nvd import nvd_items, read_nvd

    items = nvd_items(parsed) if fmt == "nvd" else parsed if isinstance(parsed, list) else [parsed]
    readers: dict[str, Callable[..., Advisory]] = {"osv": read_osv, "csaf": read_csaf, "nvd": read_nvd}
    reader = readers.get(fmt)
    if reader is None:
        raise AdvisoryError(document, "format", f"形式「{fmt}」は扱えません(osv, csaf, nvd)")
    result = []
    for index, item in enumerate(items):
        name = f"{document}[{index}]" if len(items) > 1 else document
        try:
            result.append(reader(item, document=name))
        except SeverityError as error:
            raise AdvisoryError(name, "score", str(error)) from error
    return result


def _require(mapping: Any, key: str, kind: type, document: str, path: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise AdvisoryError(document, path, "必須の項目がありません")
    value = mapping[key]
    if not isinstance(value, kind) or (isinstance(value, str) and not value.strip()):
        raise AdvisoryError(document, path, f"{kind.__name__} であるべき値が {type(value).__name__} です")
    return value


# --------------------------------------------------------------------------------------------------- OSV


def read_osv(item: Any, *, document: str = "OSV", validate: bool = True) -> Advisory:
    """One OSV record (https://ossf.github.io/osv-schema/): id, modified, affected[].package/ranges/versions.
    The record is first checked against the official OSV JSON schema (`validate=False` only for records already
    checked, such as stored ones read back, and for benchmarks)."""
    identifier = _require(item, "id", str, document, "id")
    document = f"{document} {identifier}"
    if validate:
        problem = osv_schema_problem(item)
        if problem is not None:
            raise AdvisoryError(document, problem[0], f"OSV の JSON スキーマに合いません: {problem[1]}")
    _require(item, "modified", str, document, "modified")
    products = []
    for index, affected in enumerate(item.get("affected") or []):
        products.append(_osv_product(affected, document, f"affected[{index}]"))
    vector, score = _osv_severity(item.get("severity") or [], document)
    return Advisory(
        identifier=identifier,
        source_format="osv",
        title=str(item.get("summary") or identifier),
        summary=str(item.get("details") or "")[:4000],
        aliases=tuple(str(a) for a in item.get("aliases") or ()),
        published=str(item.get("published") or ""),
        modified=str(item["modified"]),
        cvss_vector=vector,
        cvss_score=score,
        references=tuple(str(r.get("url", "")) for r in item.get("references") or () if isinstance(r, dict)),
        affected=tuple(products),
        document=item,
    )


def _osv_product(affected: Any, document: str, path: str) -> Product:
    package = _require(affected, "package", dict, document, f"{path}.package")
    if package.get("purl"):
        try:
            key, _version = purl_key(package["purl"])
        except IdentifierError as error:
            raise AdvisoryError(document, f"{path}.package.purl", str(error)) from error
    else:
        ecosystem = _require(package, "ecosystem", str, document, f"{path}.package.ecosystem")
        name = _require(package, "name", str, document, f"{path}.package.name")
        key = _ecosystem_key(ecosystem, name, document, f"{path}.package.ecosystem")
    scheme = scheme_of(key)
    ranges: list[Any] = []
    for index, version_range in enumerate(affected.get("ranges") or []):
        if version_range.get("type") == "GIT":
            continue  # commit ranges name no versions; the `versions` list carries them
        events = _require(version_range, "events", list, document, f"{path}.ranges[{index}].events")
        try:
            ranges.extend(from_events(scheme, events, where=f"{path}.ranges[{index}]"))
        except RangeError as error:
            raise AdvisoryError(document, f"{path}.ranges[{index}].events", str(error)) from error
    exact = frozenset(str(v) for v in affected.get("versions") or ())
    versions = Versions(scheme=scheme, ranges=tuple(ranges), exact=exact)
    return Product(key=key, label="/".join(p for p in key[1:] if p), versions=versions)


def _ecosystem_key(ecosystem: str, name: str, document: str, path: str) -> Key:
    base = ecosystem.split(":", 1)[0]
    purl_type = OSV_ECOSYSTEMS.get(base)
    if purl_type is None:
        raise AdvisoryError(document, path, f"エコシステム「{ecosystem}」は扱えません")
    namespace, _, plain = name.rpartition(":" if purl_type == "maven" else "/")
    return package_key(purl_type, namespace, plain)


def _osv_severity(entries: list[Any], document: str) -> tuple[str, float | None]:
    best: tuple[str, float | None] = ("", None)
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not str(entry.get("type", "")).startswith("CVSS_V"):
            continue
        vector = str(entry.get("score", ""))
        score = score_vector(vector, document=document, where=f"severity[{index}].score")
        if best[1] is None or score > best[1]:
            best = (vector, score)
    return best


# -------------------------------------------------------------------------------------------------- CSAF


def read_csaf(item: Any, *, document: str = "CSAF", validate: bool = True) -> Advisory:
    """One CSAF 2.0 document: the product tree resolved to PURL/CPE/names and versions, product_status
    known_affected/first_affected/last_affected as affected, known_not_affected (VEX) with its justification.
    A CSAF 2.0 document is first checked against the official schema (`validate=False` only for documents
    already checked, such as stored ones read back, and for benchmarks)."""
    meta = _require(item, "document", dict, document, "document")
    tracking = _require(meta, "tracking", dict, document, "document.tracking")
    identifier = _require(tracking, "id", str, document, "document.tracking.id")
    document = f"{document} {identifier}"
    version = str(meta.get("csaf_version", ""))
    if version not in ("2.0", "2.1"):
        raise AdvisoryError(
            document, "document.csaf_version", f"CSAF 2.0 でも 2.1 でもありません(「{version}」)"
        )
    if validate:
        problem = csaf_schema_problem(item, version)
        if problem is not None:
            raise AdvisoryError(
                document, problem[0], f"CSAF {version} の JSON スキーマに合いません: {problem[1]}"
            )
    _require(meta, "title", str, document, "document.title")
    _require(meta, "publisher", dict, document, "document.publisher")
    products = _product_tree(item.get("product_tree") or {}, document)
    affected, not_affected, vector, score, remediation, cves = _vulnerabilities(item, products, document)
    return Advisory(
        identifier=identifier,
        source_format="csaf",
        title=str(meta["title"]),
        summary=_csaf_summary(meta),
        aliases=tuple(cves),
        published=str(tracking.get("initial_release_date", "")),
        modified=str(tracking.get("current_release_date", "")),
        tlp=_csaf_tlp(meta, document),
        cvss_vector=vector,
        cvss_score=score,
        remediation=remediation,
        references=tuple(str(r.get("url", "")) for r in meta.get("references") or () if isinstance(r, dict)),
        affected=tuple(affected),
        not_affected=tuple(not_affected),
        document=item,
    )


def _csaf_tlp(meta: dict[str, Any], document: str) -> str | None:
    label = ((meta.get("distribution") or {}).get("tlp") or {}).get("label")
    if not label:
        return None
    try:
        return normalize_tlp(str(label))
    except TlpError as error:
        raise AdvisoryError(document, "document.distribution.tlp.label", str(error)) from error


def _csaf_summary(meta: dict[str, Any]) -> str:
    notes = [n for n in meta.get("notes") or () if isinstance(n, dict)]
    for category in ("summary", "description", "general"):
        for note in notes:
            if note.get("category") == category and note.get("text"):
                return str(note["text"])[:4000]
    return ""


def _product_tree(tree: dict[str, Any], document: str) -> dict[str, Product]:
    products: dict[str, Product] = {}
    for index, branch in enumerate(tree.get("branches") or []):
        _walk(branch, {}, products, document, f"product_tree.branches[{index}]")
    for index, full in enumerate(tree.get("full_product_names") or []):
        path = f"product_tree.full_product_names[{index}]"
        products[_require(full, "product_id", str, document, path)] = _leaf(full, {}, document, path)
    for index, relation in enumerate(tree.get("relationships") or []):
        path = f"product_tree.relationships[{index}]"
        full = _require(relation, "full_product_name", dict, document, f"{path}.full_product_name")
        reference = _require(relation, "product_reference", str, document, f"{path}.product_reference")
        if reference not in products:
            raise AdvisoryError(
                document, f"{path}.product_reference", f"product_id「{reference}」が製品ツリーにありません"
            )
        products[_require(full, "product_id", str, document, f"{path}.full_product_name.product_id")] = (
            products[reference]
        )
    return products


def _walk(
    branch: dict[str, Any], context: dict[str, str], products: dict[str, Product], document: str, path: str
) -> None:
    category = _require(branch, "category", str, document, f"{path}.category")
    name = _require(branch, "name", str, document, f"{path}.name")
    here = {**context, category: name}
    if "product" in branch:
        product = _require(branch, "product", dict, document, f"{path}.product")
        product_id = _require(product, "product_id", str, document, f"{path}.product.product_id")
        products[product_id] = _leaf(product, here, document, f"{path}.product")
    for index, child in enumerate(branch.get("branches") or []):
        _walk(child, here, products, document, f"{path}.branches[{index}]")


def _leaf(product: dict[str, Any], context: dict[str, str], document: str, path: str) -> Product:
    helper = product.get("product_identification_helper") or {}
    cpe: Cpe | None = None
    version = next((context[c] for c in _VERSION_CATEGORIES if c in context), "")
    try:
        if helper.get("purl"):
            key, purl_version = purl_key(str(helper["purl"]))
            version = version or purl_version
            label = str(helper["purl"]).split("@", 1)[0]
        elif helper.get("cpe"):
            cpe = parse_cpe(str(helper["cpe"]))
            key, version, label = cpe.key(), version or cpe.version, ":".join(cpe.attributes[:3])
        else:
            vendor, name = context.get("vendor", ""), context.get("product_name", "")
            if not name:
                name = str(product.get("name", ""))
            key, label = name_key(vendor, name), f"{vendor} {name}".strip()
    except IdentifierError as error:
        raise AdvisoryError(document, f"{path}.product_identification_helper", str(error)) from error
    scheme = scheme_of(key)
    if "product_version_range" in context:
        try:
            ranges = (from_vers(context["product_version_range"], scheme=scheme, where=path),)
        except RangeError as error:
            raise AdvisoryError(document, f"{path} (product_version_range)", str(error)) from error
        return Product(key, label, Versions(scheme, ranges=ranges), cpe)
    if version:
        return Product(key, label, Versions(scheme, exact=frozenset({version})), cpe)
    return Product(key, label, Versions(scheme, every_version=True), cpe)


# Branch categories that carry a version, most specific first (Cisco lists IOS releases as service_pack).
_VERSION_CATEGORIES = ("patch_level", "service_pack", "product_version")

_AFFECTED_STATUSES = ("known_affected", "first_affected", "last_affected")


def _vulnerabilities(
    item: dict[str, Any], products: dict[str, Product], document: str
) -> tuple[list[Product], list[tuple[Product, str]], str, float | None, str, list[str]]:
    affected_ids: dict[str, None] = {}
    not_affected_ids: dict[str, str] = {}
    best: tuple[str, float | None] = ("", None)
    remediation = ""
    cves: list[str] = []
    for index, vulnerability in enumerate(item.get("vulnerabilities") or []):
        path = f"vulnerabilities[{index}]"
        if vulnerability.get("cve"):
            cves.append(str(vulnerability["cve"]))
        status = vulnerability.get("product_status") or {}
        for name in _AFFECTED_STATUSES:
            for product_id in status.get(name) or ():
                _known(products, product_id, document, f"{path}.product_status.{name}")
                affected_ids[product_id] = None
        reasons = _justifications(vulnerability)
        for product_id in status.get("known_not_affected") or ():
            _known(products, product_id, document, f"{path}.product_status.known_not_affected")
            not_affected_ids.setdefault(product_id, reasons.get(product_id, "known_not_affected"))
        best = _best_score(vulnerability, best, document, path)
        remediation = remediation or _remediation(vulnerability)
    affected = _distinct(products[p] for p in affected_ids)
    suppressed = [(products[p], why) for p, why in not_affected_ids.items() if p not in affected_ids]
    return affected, suppressed, best[0], best[1], remediation, cves


def _known(products: dict[str, Product], product_id: Any, document: str, path: str) -> None:
    if product_id not in products:
        raise AdvisoryError(document, path, f"product_id「{product_id}」が製品ツリーにありません")


def _distinct(items: Any) -> list[Product]:
    seen: dict[tuple[Any, ...], Product] = {}
    for product in items:
        seen.setdefault((product.key, product.versions.text, product.cpe), product)
    return list(seen.values())


def _justifications(vulnerability: dict[str, Any]) -> dict[str, str]:
    reasons: dict[str, str] = {}
    for flag in vulnerability.get("flags") or ():
        for product_id in flag.get("product_ids") or ():
            reasons[product_id] = str(flag.get("label", ""))
    for threat in vulnerability.get("threats") or ():
        if threat.get("category") == "impact":
            for product_id in threat.get("product_ids") or ():
                reasons.setdefault(product_id, str(threat.get("details", ""))[:500])
    return reasons


def _best_score(
    vulnerability: dict[str, Any], best: tuple[str, float | None], document: str, path: str
) -> tuple[str, float | None]:
    for index, score in enumerate(vulnerability.get("scores") or ()):
        for kind in ("cvss_v4", "cvss_v3"):
            vector = (score.get(kind) or {}).get("vectorString")
            if vector:
                value = score_vector(str(vector), document=document, where=f"{path}.scores[{index}].{kind}")
                if best[1] is None or value > best[1]:
                    best = (str(vector), value)
    return best


def _remediation(vulnerability: dict[str, Any]) -> str:
    for remedy in vulnerability.get("remediations") or ():
        if remedy.get("details"):
            return str(remedy["details"])[:2000]
    return ""
