"""A local advisory written by the operator's analysts, as a CSAF 2.0 document (no Django here).

The analysts fill a page (title, description, affected products by Package URL or CPE with a version range,
a CVSS 3.x vector, a TLP label, the remedy); this module writes the CSAF 2.0 document, which the app then checks
against the official schema and reads with the same reader as any other CSAF advisory (`engine.read_csaf`), so it
is matched like every other one.

CSAF 2.0 carries TLP 1.0 labels (WHITE, GREEN, AMBER, RED): TLP 2.0's CLEAR is written WHITE, and AMBER+STRICT
is written AMBER (the TLP 1.0 label whose meaning it keeps) with the TLP 2.0 label spelled out in
`document.distribution.text`; the app keeps the label chosen on the page. CVSS 4.0 has no place in CSAF 2.0
(only `cvss_v2` and `cvss_v3`), so a local advisory is scored with a CVSS 3.x vector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cvss import CVSS3
from cvss.exceptions import CVSSError
from packageurl import PackageURL

from chiiki.cyber import engine

TLP_IN_CSAF_2_0 = {
    engine.CLEAR: "WHITE",
    engine.GREEN: "GREEN",
    engine.AMBER: "AMBER",
    engine.AMBER_STRICT: "AMBER",
    engine.RED: "RED",
}
REMEDY_CATEGORIES = ("vendor_fix", "mitigation", "workaround")


class DraftError(ValueError):
    """A line or field of the page that cannot become a CSAF document; the message names it."""


@dataclass(frozen=True, slots=True)
class LocalProduct:
    """One affected product as written on the page: a Package URL or CPE 2.3 name, and a version range
    (`vers:maven/>=2.0.0|<2.17.1`, or bare `>=7.0.0|<7.0.15` read in the product's own scheme); no range
    means the version the identifier names, or every version when it names none."""

    identifier: str
    versions: str = ""


def read_product_lines(text: str) -> list[LocalProduct]:
    """The page's product list, one per line: `IDENTIFIER [RANGE]`. Raises DraftError naming the line."""
    products = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split(None, 1)
        if not parts:
            continue
        identifier, versions = parts[0], (parts[1].strip() if len(parts) > 1 else "")
        try:
            if identifier.startswith("pkg:"):
                engine.purl_key(identifier)
            elif identifier.startswith("cpe:2.3:"):
                engine.parse_cpe(identifier)
            else:
                raise DraftError(f"{number} 行目: PURL(pkg:…)か CPE 2.3(cpe:2.3:…)で書いてください")
        except engine.IdentifierError as error:
            raise DraftError(f"{number} 行目: {error}") from error
        if " " in versions.strip():
            raise DraftError(f"{number} 行目: バージョンの範囲に空白は入れられません(「{versions}」)")
        products.append(LocalProduct(identifier, versions))
    if not products:
        raise DraftError("影響を受ける製品を 1 行に 1 つ書いてください")
    return products


def _names(identifier: str) -> tuple[str, str]:
    """Vendor and product names of a Package URL or CPE, for the product tree's branches."""
    if identifier.startswith("pkg:"):
        purl = PackageURL.from_string(identifier)
        return (purl.namespace or purl.type), purl.name
    cpe = engine.parse_cpe(identifier)
    return cpe.vendor, cpe.product


def cvss_v3(vector: str) -> dict[str, Any]:
    """The CSAF `cvss_v3` object of a CVSS 3.0/3.1 vector, scored with the `cvss` library."""
    if not vector.startswith(("CVSS:3.0/", "CVSS:3.1/")):
        raise DraftError(
            f"CVSS ベクトル「{vector}」: CSAF 2.0 には CVSS 3.0 か 3.1 のベクトル(CVSS:3.1/AV:…)で書いてください"
        )
    try:
        scored = CVSS3(vector)
    except CVSSError as error:
        raise DraftError(f"CVSS ベクトル「{vector}」を読めません: {error}") from error
    return {
        "version": vector[5:8],
        "vectorString": scored.clean_vector(),
        "baseScore": float(scored.scores()[0]),
        "baseSeverity": str(scored.severities()[0]).upper(),
    }


def local_csaf(
    *,
    identifier: str,
    title: str,
    description: str,
    products: list[LocalProduct],
    tlp: str,
    publisher_name: str,
    namespace: str,
    now: datetime,
    cvss_vector: str = "",
    cve: str = "",
    remediation: str = "",
    remedy_category: str = "mitigation",
) -> dict[str, Any]:
    """The CSAF 2.0 security advisory (`csaf_security_advisory` profile) for a local advisory."""
    when = now.isoformat(timespec="seconds")
    branches: list[dict[str, Any]] = []
    ids = []
    for index, product in enumerate(products, start=1):
        vendor, name = _names(product.identifier)
        product_id = f"CHIIKI-PRODUCT-{index}"
        ids.append(product_id)
        helper = {"purl" if product.identifier.startswith("pkg:") else "cpe": product.identifier}
        leaf = {
            "name": f"{vendor} {name} {product.versions}".strip(),
            "product_id": product_id,
            "product_identification_helper": helper,
        }
        if product.versions:
            inner: dict[str, Any] = {
                "category": "product_name",
                "name": name,
                "branches": [
                    {"category": "product_version_range", "name": product.versions, "product": leaf}
                ],
            }
        else:
            inner = {"category": "product_name", "name": name, "product": leaf}
        branches.append({"category": "vendor", "name": vendor, "branches": [inner]})
    distribution: dict[str, Any] = {
        "tlp": {"label": TLP_IN_CSAF_2_0[tlp], "url": "https://www.first.org/tlp/"},
        "text": f"TLP:{tlp} (FIRST TLP 2.0)",
    }
    vulnerability: dict[str, Any] = {
        "notes": [{"category": "description", "text": description, "title": "概要"}],
        "product_status": {"known_affected": ids},
    }
    if cve:
        vulnerability["cve"] = cve
    if remediation:
        vulnerability["remediations"] = [
            {"category": remedy_category, "details": remediation, "product_ids": ids}
        ]
    if cvss_vector:
        vulnerability["scores"] = [{"products": ids, "cvss_v3": cvss_v3(cvss_vector)}]
    return {
        "document": {
            "category": "csaf_security_advisory",
            "csaf_version": "2.0",
            "lang": "ja",
            "title": title,
            "publisher": {"category": "coordinator", "name": publisher_name, "namespace": namespace},
            "distribution": distribution,
            "notes": [{"category": "summary", "text": description, "title": "概要"}],
            "tracking": {
                "id": identifier,
                "status": "final",
                "version": "1",
                "initial_release_date": when,
                "current_release_date": when,
                "revision_history": [{"date": when, "number": "1", "summary": "初版"}],
                "generator": {"engine": {"name": "Chiiki"}, "date": when},
            },
        },
        "product_tree": {"branches": branches},
        "vulnerabilities": [vulnerability],
    }


def product_line(field_path: str) -> int | None:
    """The page's line (1-based) a reader's field path such as `product_tree.branches[2]…` points at."""
    prefix = "product_tree.branches["
    if not field_path.startswith(prefix):
        return None
    number = field_path[len(prefix) :].split("]", 1)[0]
    return int(number) + 1 if number.isdigit() else None
