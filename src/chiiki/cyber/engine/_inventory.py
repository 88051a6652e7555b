"""A body's inventory of what it runs: CycloneDX SBOMs (JSON or XML) and a hand-kept CSV list."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree  # parsed through defusedxml below

from chiiki.cyber.engine._identity import IdentifierError, parse_cpe, purl_key
from chiiki.tables import TableReadError, read_delimited


class InventoryError(ValueError):
    """An inventory that cannot be read; every problem is listed with its place (component or row) and field."""

    def __init__(self, document: str, problems: list[str]) -> None:
        self.document = document
        self.problems = problems
        super().__init__(f"{document}: " + " / ".join(problems))


@dataclass(frozen=True, slots=True)
class Component:
    """One piece of software or equipment a body runs, as the engine matches it."""

    key: str  # the caller's identifier (an asset id, a bom-ref, a row number)
    name: str
    version: str = ""
    vendor: str = ""
    purl: str = ""
    cpe: str = ""
    location: str = ""
    internet_facing: bool = False
    notes: tuple[str, ...] = field(default=())


def read_cyclonedx(data: bytes, *, document: str = "SBOM") -> list[Component]:
    """Read a CycloneDX SBOM (JSON or XML, spec 1.2–1.6) with cyclonedx-python-lib; nested components are
    flattened. A component whose PURL or CPE cannot be read is refused with its bom-ref and field."""
    from cyclonedx.model.bom import Bom

    text = data.lstrip()
    try:
        if text.startswith(b"<"):
            from defusedxml import ElementTree as SafeTree

            bom = Bom.from_xml(SafeTree.fromstring(data))  # type: ignore[attr-defined]
        else:
            parsed = json.loads(data)
            if not isinstance(parsed, dict) or parsed.get("bomFormat") != "CycloneDX":
                raise InventoryError(document, ["bomFormat が CycloneDX ではありません"])
            bom = Bom.from_json(parsed)  # type: ignore[attr-defined]
    except InventoryError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError, ElementTree.ParseError) as error:
        raise InventoryError(document, [f"CycloneDX として読めません: {error}"]) from error
    components: list[Component] = []
    problems: list[str] = []
    for index, item in enumerate(_flatten(bom.components), start=1):
        ref = str(item.bom_ref.value) if item.bom_ref and item.bom_ref.value else f"#{index}"
        try:
            components.append(_from_cyclonedx(item, ref))
        except IdentifierError as error:
            problems.append(f"component {ref} ({item.name}): {error}")
    if problems:
        raise InventoryError(document, problems)
    return components


def _flatten(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        yield item
        yield from _flatten(item.components or ())


def _from_cyclonedx(item: Any, ref: str) -> Component:
    purl = item.purl.to_string() if item.purl is not None else ""
    cpe = str(item.cpe or "")
    if purl:
        purl_key(purl)
    if cpe:
        parse_cpe(cpe)
    vendor = str(item.group or "") or (
        str(item.supplier.name) if item.supplier and item.supplier.name else ""
    )
    facing = any(
        str(p.name) == "chiiki:internet-facing" and str(p.value).lower() in ("true", "yes", "1")
        for p in item.properties
    )
    location = next((str(p.value) for p in item.properties if str(p.name) == "chiiki:location"), "")
    return Component(
        key=ref,
        name=str(item.name),
        version=str(item.version or ""),
        vendor=vendor,
        purl=purl,
        cpe=cpe,
        location=location,
        internet_facing=facing,
    )


# The CSV template's columns: Japanese header, English header, field.
CSV_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("ベンダー", "vendor", "vendor"),
    ("製品", "product", "name"),
    ("バージョン", "version", "version"),
    ("設置場所", "location", "location"),
    ("インターネット公開", "internet_facing", "internet_facing"),
    ("PURL", "purl", "purl"),
    ("CPE", "cpe", "cpe"),
)
_YES = {"はい", "有", "あり", "yes", "y", "true", "1", "○"}
_NO = {"いいえ", "無", "なし", "no", "n", "false", "0", "", "×"}


def read_inventory_csv(data: bytes, *, document: str = "CSV") -> list[Component]:
    """Read the hand-kept list (CSV or TSV, any encoding `chiiki.tables` reads). Columns by Japanese or English
    header: ベンダー/vendor, 製品/product (required), バージョン/version, 設置場所/location,
    インターネット公開/internet_facing (はい/いいえ), PURL, CPE. Rows are numbered as a spreadsheet shows them."""
    try:
        table = read_delimited(data, label=document)
    except TableReadError as error:
        raise InventoryError(document, [str(error)]) from error
    columns = _column_positions(table.header, document)
    components: list[Component] = []
    problems: list[str] = []
    for number, row in enumerate(table.rows, start=2):
        values = {name: (row[pos].strip() if pos < len(row) else "") for name, pos in columns.items()}
        if not any(values.values()):
            continue
        try:
            components.append(_from_row(values, number))
        except (IdentifierError, ValueError) as error:
            problems.append(f"{number}行目: {error}")
    if problems:
        raise InventoryError(document, problems)
    return components


def _column_positions(header: list[str], document: str) -> dict[str, int]:
    positions: dict[str, int] = {}
    cleaned = [h.strip().lower() for h in header]
    for japanese, english, name in CSV_COLUMNS:
        for label in (japanese.lower(), english):
            if label in cleaned:
                positions[name] = cleaned.index(label)
                break
    if "name" not in positions:
        raise InventoryError(
            document, ["「製品」(product) の列がありません。テンプレートの見出し行を使ってください"]
        )
    return positions


def _from_row(values: dict[str, str], number: int) -> Component:
    if not values.get("name"):
        raise ValueError("「製品」が空です")
    facing_text = values.get("internet_facing", "").lower()
    if facing_text not in _YES and facing_text not in _NO:
        raise ValueError(
            f"「インターネット公開」は はい/いいえ で書いてください(「{values['internet_facing']}」)"
        )
    if values.get("purl"):
        purl_key(values["purl"])
    if values.get("cpe"):
        parse_cpe(values["cpe"])
    return Component(
        key=str(number),
        name=values["name"],
        version=values.get("version", ""),
        vendor=values.get("vendor", ""),
        purl=values.get("purl", ""),
        cpe=values.get("cpe", ""),
        location=values.get("location", ""),
        internet_facing=facing_text in _YES,
    )
