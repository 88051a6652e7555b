"""NVD CVE JSON 2.0 records (the NVD CVE API 2.0 `cve` object) read as advisories.

Affected products come from `configurations[].nodes[].cpeMatch[]` with `vulnerable: true`: the CPE 2.3
`criteria` is the pattern (wildcards kept), and versionStart/End Including/Excluding become one `vers` range in
the generic scheme; a criteria naming a version is that exact version. A configuration that joins an operating
system or firmware with the hardware it runs on (operator AND, a `vulnerable: false` platform) is read by its
vulnerable part only: the hardware is not in most inventories, and a missed alert costs more than a spare one.
"""

from __future__ import annotations

import re
from typing import Any

from chiiki.cyber.engine._advisories import Advisory, AdvisoryError, Product
from chiiki.cyber.engine._identity import IdentifierError, parse_cpe
from chiiki.cyber.engine._ranges import RangeError, Versions, from_vers
from chiiki.cyber.engine._severity import SeverityError, score_vector

CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")
_BOUNDS = (
    ("versionStartIncluding", ">="),
    ("versionStartExcluding", ">"),
    ("versionEndIncluding", "<="),
    ("versionEndExcluding", "<"),
)
# Newest CVSS version first; within one, NVD's own (Primary) score before a CNA's (Secondary).
_METRICS = ("cvssMetricV40", "cvssMetricV31", "cvssMetricV30")


def nvd_items(parsed: Any) -> list[Any]:
    """The `cve` objects of an NVD API 2.0 response (`vulnerabilities[].cve`), or of a bare record or list."""
    if isinstance(parsed, dict) and "vulnerabilities" in parsed:
        entries = parsed["vulnerabilities"]
        if not isinstance(entries, list):
            raise AdvisoryError("NVD", "vulnerabilities", "一覧(配列)であるべきです")
        return [e.get("cve") if isinstance(e, dict) else e for e in entries]
    return parsed if isinstance(parsed, list) else [parsed]


def read_nvd(item: Any, *, document: str = "NVD") -> Advisory:
    """One NVD CVE JSON 2.0 record; a missing or malformed field refuses it, naming the field."""
    if not isinstance(item, dict):
        raise AdvisoryError(document, "cve", "オブジェクトであるべきです")
    identifier = item.get("id")
    if not isinstance(identifier, str) or not CVE_ID.match(identifier):
        raise AdvisoryError(document, "id", f"CVE 番号(CVE-2021-44228 の形)ではありません: {identifier!r}")
    document = f"{document} {identifier}"
    for name in ("published", "lastModified"):
        if not isinstance(item.get(name), str):
            raise AdvisoryError(document, name, "必須の項目がありません")
    descriptions = item.get("descriptions")
    if not isinstance(descriptions, list) or not descriptions:
        raise AdvisoryError(document, "descriptions", "必須の項目がありません")
    english = next(
        (d.get("value", "") for d in descriptions if isinstance(d, dict) and d.get("lang") == "en"), ""
    )
    products = _products(item.get("configurations") or [], document)
    vector, score = _severity(item.get("metrics") or {}, document)
    references = tuple(
        str(r["url"]) for r in item.get("references") or [] if isinstance(r, dict) and r.get("url")
    )[:50]
    return Advisory(
        identifier=identifier,
        source_format="nvd",
        title=str(item.get("cisaVulnerabilityName") or identifier),
        summary=str(english)[:4000],
        published=str(item["published"]),
        modified=str(item["lastModified"]),
        cvss_vector=vector,
        cvss_score=score,
        remediation=str(item.get("cisaRequiredAction") or ""),
        references=references,
        affected=tuple(products),
        document=item,
    )


def _products(configurations: Any, document: str) -> list[Product]:
    if not isinstance(configurations, list):
        raise AdvisoryError(document, "configurations", "一覧(配列)であるべきです")
    products: dict[tuple[Any, ...], Product] = {}
    for c, configuration in enumerate(configurations):
        for n, node in enumerate((configuration or {}).get("nodes") or []):
            for m, entry in enumerate((node or {}).get("cpeMatch") or []):
                path = f"configurations[{c}].nodes[{n}].cpeMatch[{m}]"
                if not isinstance(entry, dict) or not entry.get("vulnerable"):
                    continue
                product = _product(entry, document, path)
                products.setdefault((product.key, product.versions.text, product.cpe), product)
    return list(products.values())


def _product(entry: dict[str, Any], document: str, path: str) -> Product:
    criteria = entry.get("criteria")
    if not isinstance(criteria, str):
        raise AdvisoryError(document, f"{path}.criteria", "必須の項目がありません")
    try:
        cpe = parse_cpe(criteria)
    except IdentifierError as error:
        raise AdvisoryError(document, f"{path}.criteria", str(error)) from error
    label = ":".join(cpe.attributes[:3])
    bounds = [f"{op}{entry[name]}" for name, op in _BOUNDS if entry.get(name)]
    if bounds:
        try:
            ranges = (from_vers("|".join(bounds), scheme="generic", where=path),)
        except RangeError as error:
            raise AdvisoryError(document, f"{path} (versionStart/End)", str(error)) from error
        return Product(cpe.key(), label, Versions("generic", ranges=ranges), cpe)
    if cpe.version:
        return Product(cpe.key(), label, Versions("generic", exact=frozenset({cpe.version})), cpe)
    return Product(cpe.key(), label, Versions("generic", every_version=True), cpe)


def _severity(metrics: Any, document: str) -> tuple[str, float | None]:
    if not isinstance(metrics, dict):
        raise AdvisoryError(document, "metrics", "オブジェクトであるべきです")
    for name in _METRICS:
        entries = [e for e in metrics.get(name) or [] if isinstance(e, dict)]
        entries.sort(key=lambda e: e.get("type") != "Primary")
        for index, entry in enumerate(entries):
            vector = (entry.get("cvssData") or {}).get("vectorString")
            if isinstance(vector, str) and vector:
                try:
                    return vector, score_vector(vector, document=document, where=f"metrics.{name}[{index}]")
                except SeverityError as error:
                    raise AdvisoryError(
                        document, f"metrics.{name}[{index}].cvssData.vectorString", str(error)
                    ) from error
    return "", None
