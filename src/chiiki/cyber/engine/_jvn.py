"""JVN advisories: MyJVN API's VULDEF 3.x documents (getVulnDetailInfo) and JVNRSS overviews (getVulnOverviewList).

XML is parsed with defusedxml (no entity expansion, no external DTDs). Each `Vulinfo` (VULDEF) or RSS `item`
(JVNRSS) is one advisory, kept as its own XML text so the same advisory loaded twice is one record.

Products come from `Affected/AffectedItem/Cpe` (CPE 2.2 URIs, as JVN writes them); JVN gives the versions in
words (`VersionNumber`, e.g. 「2.14.1 およびそれ以前」). The common Japanese forms are read as ranges in univers'
generic scheme; any other wording (and a JVNRSS item, which names no version) gives an *uncertain* match that
says to check the version by hand, never a silent miss.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.etree.ElementTree import Element, ParseError, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from chiiki.cyber.engine._advisories import Advisory, AdvisoryError, Product
from chiiki.cyber.engine._identity import IdentifierError, parse_cpe
from chiiki.cyber.engine._ranges import RangeError, Versions, from_vers, parse_version
from chiiki.cyber.engine._severity import SeverityError, score_vector

JVN_ID = re.compile(r"^JVN(DB-\d{4}-\d{6}|#?(VU|TA|JP)?\d+)$")
CVE_ID = re.compile(r"^CVE-\d{4}-\d{4,}$")

# JVN's VersionNumber wordings read as a range (the version is the first token that univers' generic scheme
# reads; a leading "Version"/「バージョン」 is dropped).
_VERSION = r"(?:version|ver\.?|バージョン)?\s*([0-9][\w.\-()]*)"
_WORDINGS = (
    (re.compile(rf"^{_VERSION}\s*から\s*{_VERSION}\s*まで", re.I), ">={0}|<={1}"),
    (re.compile(rf"^{_VERSION}\s*から\s*{_VERSION}\s*より前", re.I), ">={0}|<{1}"),
    (re.compile(rf"^{_VERSION}\s*(?:およびそれ以前|及びそれ以前|以前)", re.I), "<={0}"),
    (re.compile(rf"^{_VERSION}\s*(?:より前|未満)", re.I), "<{0}"),
    (re.compile(rf"^{_VERSION}\s*$", re.I), "={0}"),
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: Element, name: str) -> Element | None:
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if _local(c.tag) == name]


def _text(element: Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _required(element: Element, path: str, document: str, where: str) -> Element:
    """The element at `path` (names separated by /) under `element`, with text; refused naming it if absent."""
    current: Element | None = element
    for name in path.split("/"):
        current = _child(current, name) if current is not None else None
    if current is None or not _text(current):
        raise AdvisoryError(document, f"{where}/{path}", "必須の要素がないか空です")
    return current


def parse_xml(data: bytes, document: str) -> Element:
    """The root element, parsed with defusedxml; a malformed or unsafe document is refused with the reason."""
    try:
        root: Element = fromstring(data)
    except ParseError as error:
        raise AdvisoryError(document, "(file)", f"XML として読めません: {error}") from error
    except DefusedXmlException as error:
        raise AdvisoryError(
            document, "(file)", f"安全でない XML(DTD・実体の宣言)は読みません: {type(error).__name__}"
        ) from error
    return root


def read_jvn(data: bytes, *, document: str = "JVN") -> list[Advisory]:
    """A MyJVN response: a VULDEF document (`VULDEF-Document/Vulinfo`) or a JVNRSS one (`rdf:RDF/item`). Every
    advisory is checked before any is returned (all or nothing)."""
    root = parse_xml(data, document)
    kind = _local(root.tag)
    _check_status(root, document)
    if kind == "VULDEF-Document":
        items = _children(root, "Vulinfo")
        return [read_vulinfo(item, document=document, where=f"Vulinfo[{i}]") for i, item in enumerate(items)]
    if kind == "RDF":
        items = _children(root, "item")
        return [read_jvnrss_item(item, document=document, where=f"item[{i}]") for i, item in enumerate(items)]
    raise AdvisoryError(document, kind, "VULDEF-Document でも JVNRSS(rdf:RDF)でもありません")


def _check_status(root: Element, document: str) -> None:
    status = _child(root, "Status")
    if status is not None and status.get("retCd", "0") not in ("0", ""):
        raise AdvisoryError(
            document,
            "Status",
            f"MyJVN API がエラーを返しました: {status.get('errCd', '')} {status.get('errMsg', '')}",
        )


def read_document(stored: dict[str, Any], *, document: str) -> Advisory:
    """An advisory stored by the app (`{"jvn": "vuldef"|"jvnrss", "xml": …}`) read back."""
    element = parse_xml(str(stored.get("xml", "")).encode(), document)
    if stored.get("jvn") == "jvnrss":
        return read_jvnrss_item(element, document=document, where="item")
    return read_vulinfo(element, document=document, where="Vulinfo")


def _stored(kind: str, element: Element) -> dict[str, Any]:
    return {"jvn": kind, "xml": tostring(element, encoding="unicode")}


# ------------------------------------------------------------------------------------------------- VULDEF


def read_vulinfo(item: Element, *, document: str, where: str) -> Advisory:
    """One VULDEF `Vulinfo`: VulinfoID, VulinfoData/Title, Overview, Affected, Impact/Cvss, Solution, Related,
    DateFirstPublished/DateLastUpdated. A missing required element refuses it, naming the element."""
    identifier = _text(_required(item, "VulinfoID", document, where))
    if not JVN_ID.match(identifier):
        raise AdvisoryError(
            document,
            f"{where}/VulinfoID",
            f"JVN の番号(JVNDB-2021-005429 の形)ではありません: {identifier!r}",
        )
    where = f"{where}({identifier})"
    data = _required(item, "VulinfoData", document, where)
    title = _text(_required(data, "Title", document, f"{where}/VulinfoData"))
    description = _child(data, "VulinfoDescription")
    overview = _text(_child(description, "Overview")) if description is not None else ""
    modified = _text(_child(data, "DateLastUpdated")) or _text(_child(data, "DateFirstPublished"))
    if not modified:
        raise AdvisoryError(document, f"{where}/VulinfoData/DateLastUpdated", "必須の要素がないか空です")
    products = []
    affected = _child(data, "Affected")
    for i, entry in enumerate(_children(affected, "AffectedItem") if affected is not None else []):
        products.extend(_vuldef_products(entry, document, f"{where}/VulinfoData/Affected/AffectedItem[{i}]"))
    vector, score = _vuldef_severity(data, document, f"{where}/VulinfoData/Impact")
    solution = _child(data, "Solution")
    remediation = "\n".join(
        _text(_child(s, "Description"))
        for s in (_children(solution, "SolutionItem") if solution is not None else [])
    ).strip()
    related = _child(data, "Related")
    aliases: list[str] = []
    references: list[str] = []
    for entry in _children(related, "RelatedItem") if related is not None else []:
        number = _text(_child(entry, "VulinfoID"))
        if CVE_ID.match(number) and number not in aliases:
            aliases.append(number)
        url = _text(_child(entry, "URL"))
        if url:
            references.append(url)
    return Advisory(
        identifier=identifier,
        source_format="jvn",
        title=title,
        summary=overview[:4000],
        aliases=tuple(aliases),
        published=_text(_child(data, "DateFirstPublished")),
        modified=modified,
        cvss_vector=vector,
        cvss_score=score,
        remediation=remediation[:4000],
        references=tuple(references[:50]),
        affected=tuple(products),
        document=_stored("vuldef", item),
    )


def _vuldef_products(entry: Element, document: str, where: str) -> list[Product]:
    cpes = _children(entry, "Cpe")
    wordings = [_text(v) for v in _children(entry, "VersionNumber") if _text(v)]
    versions = jvn_versions(wordings, where=f"{where}/VersionNumber")
    products = []
    for i, cpe_element in enumerate(cpes):
        text = _text(cpe_element)
        try:
            cpe = parse_cpe(text)
        except IdentifierError as error:
            raise AdvisoryError(document, f"{where}/Cpe[{i}]", str(error)) from error
        label = f"{_text(_child(entry, 'ProductName')) or cpe.product} ({':'.join(cpe.attributes[:3])})"
        if cpe.version:  # a CPE naming its version is that version
            products.append(
                Product(cpe.key(), label, Versions("generic", exact=frozenset({cpe.version})), cpe)
            )
        else:
            products.append(Product(cpe.key(), label, versions, cpe))
    return products


def jvn_versions(wordings: list[str], *, where: str) -> Versions:
    """JVN's VersionNumber texts → ranges in the generic scheme when every one reads as a known wording;
    otherwise the texts themselves (an uncertain match: check by hand)."""
    if not wordings:
        return Versions("generic", described="バージョンの記載なし(手で確認してください)")
    ranges = []
    exact: set[str] = set()
    for text in wordings:
        read = _wording(text, where)
        if read is None:
            return Versions("generic", described=" / ".join(wordings)[:900])
        if read.startswith("="):
            exact.add(read[1:])
        else:
            ranges.append(from_vers(read, scheme="generic", where=where))
    return Versions("generic", ranges=tuple(ranges), exact=frozenset(exact))


def _wording(text: str, where: str) -> str | None:
    for pattern, template in _WORDINGS:
        found = pattern.match(text.strip())
        if found is None:
            continue
        bounds = found.groups()
        if any(parse_version("generic", b) is None for b in bounds):
            return None
        read = template.format(*bounds)
        if not read.startswith("="):
            try:
                from_vers(read, scheme="generic", where=where)
            except RangeError:
                return None
        return read
    return None


def _vuldef_severity(data: Element, document: str, where: str) -> tuple[str, float | None]:
    impact = _child(data, "Impact")
    entries = _children(impact, "Cvss") if impact is not None else []
    # CVSS v3 (or v4) first; JVN's v2 vectors are not scored (the cvss library's v2 is not used by the app).
    entries.sort(key=lambda e: e.get("version", ""), reverse=True)
    for entry in entries:
        vector = _text(_child(entry, "Vector"))
        if not vector.startswith("CVSS:"):
            continue
        try:
            return vector, score_vector(vector, document=document, where=where)
        except SeverityError as error:
            raise AdvisoryError(
                document, f"{where}/Cvss[@version={entry.get('version')}]/Vector", str(error)
            ) from error
    return "", None


# ------------------------------------------------------------------------------------------------- JVNRSS


def read_jvnrss_item(item: Element, *, document: str, where: str) -> Advisory:
    """One JVNRSS `item`: sec:identifier, title, description, sec:cvss, sec:cpe, sec:references, dcterms:modified.
    JVNRSS names products without versions, so each match is uncertain (check the version by hand)."""
    identifier = _text(_required(item, "identifier", document, where))
    where = f"{where}({identifier})"
    title = _text(_required(item, "title", document, where))
    modified = _text(_child(item, "modified")) or _text(_child(item, "date"))
    if not modified:
        raise AdvisoryError(document, f"{where}/dcterms:modified", "必須の要素がないか空です")
    products = []
    for i, entry in enumerate(_children(item, "cpe")):
        try:
            cpe = parse_cpe(_text(entry))
        except IdentifierError as error:
            raise AdvisoryError(document, f"{where}/sec:cpe[{i}]", str(error)) from error
        label = f"{entry.get('product') or cpe.product} ({':'.join(cpe.attributes[:3])})"
        versions = Versions(
            "generic", described="JVNRSS にはバージョンの記載がありません(手で確認してください)"
        )
        products.append(Product(cpe.key(), label, versions, cpe))
    vector, score = "", None
    for entry in sorted(_children(item, "cvss"), key=lambda e: e.get("version", ""), reverse=True):
        text = entry.get("vector", "")
        if text.startswith("CVSS:"):
            try:
                vector, score = text, score_vector(text, document=document, where=where)
            except SeverityError as error:
                raise AdvisoryError(document, f"{where}/sec:cvss/@vector", str(error)) from error
            break
    aliases = tuple(
        dict.fromkeys(r.get("id", "") for r in _children(item, "references") if CVE_ID.match(r.get("id", "")))
    )
    return Advisory(
        identifier=identifier,
        source_format="jvn",
        title=title,
        summary=_text(_child(item, "description"))[:4000],
        aliases=aliases,
        published=_text(_child(item, "issued")),
        modified=modified,
        cvss_vector=vector,
        cvss_score=score,
        references=tuple(u for u in [_text(_child(item, "link"))] if u),
        affected=tuple(products),
        document=_stored("jvnrss", item),
    )


# ------------------------------------------------------------------------------------------------ paging

# MyJVN returns at most this many overview items per call (maxCountItem; getVulnDetailInfo: 10 per call).
MYJVN_MAX_ITEMS = 50


def jvn_next_page(data: bytes, url: str, *, document: str = "JVN") -> str | None:
    """The URL of the next page of a MyJVN API answer, or None when this one is the last.

    The answer's `Status` element says where it starts (`firstRes`, from 1), how many it holds (`totalResRet`)
    and how many there are (`totalRes`); the next page asks `startItem` = firstRes + totalResRet, other query
    parameters kept. An answer without those attributes (a file, a VULDEF detail) is a single page."""
    status = _child(parse_xml(data, document), "Status")
    if status is None:
        return None
    try:
        total = int(status.get("totalRes", "") or 0)
        returned = int(status.get("totalResRet", "") or 0)
        first = int(status.get("firstRes", "") or 1)
    except ValueError as error:
        raise AdvisoryError(
            document, "Status", f"totalRes・totalResRet・firstRes が数ではありません: {error}"
        ) from error
    following = first + returned
    if returned <= 0 or following > total:
        return None
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "startItem"]
    query.append(("startItem", str(following)))
    return urlunsplit(parts._replace(query=urlencode(query)))
