"""DCAT (DCAT-AP 3.0.1) of the catalog with rdflib: /catalog(.ttl|.jsonld|.rdf|.xml) and one graph per dataset.

Checked in the tests with the official DCAT-AP 3.0.1 SHACL shapes and range shapes (SEMICeu), 0 violations:
every referenced object is typed (foaf:Document, dct:LicenseDocument, dct:Standard, dct:LinguisticSystem,
dct:MediaTypeOrExtent, dct:MediaType, spdx:ChecksumAlgorithm, vcard:Kind, skos:Concept, dct:Location),
dct:format is an IRI of the EU file-type authority and dcat:mediaType one of IANA's media types (as
ckanext-dcat writes them); a format neither knows is a typed blank node with its label. The catalog has one
IRI (`<base>/catalog`) whatever the serialization, and the recommended properties: issued/modified (the oldest
and newest published dataset), license, themeTaxonomy (the EU data themes); datasets get a theme from their
standard kind, dct:spatial as the municipality's code in e-Stat's statistical LOD (標準地域コード) and, when the
period the data covers is known, dct:temporal as a dct:PeriodOfTime with dcat:startDate/dcat:endDate.
dct:conformsTo is the standard's Table Schema, served at /opendata/standard/<kind>.json.
Large catalogs are paged like ckanext-dcat: a hydra:PagedCollection node with first/next/previous/last pages;
`modified_since` keeps the datasets changed since then.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from chiiki.opendata import queries
from chiiki.opendata.models import Dataset, Organization, Resource

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
IANA = "https://www.iana.org/assignments/media-types/"
DATA_THEME = "http://publications.europa.eu/resource/authority/data-theme"
ESTAT_AREA = "http://data.e-stat.go.jp/lod/sac/C"  # + 標準地域コード (5 digits)
PAGE_SIZE = 100

FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
    "xml": ("xml", "application/rdf+xml; charset=utf-8"),
}
# A resource's format -> (EU file-type authority code, IANA media type or "")
FILE_TYPES: dict[str, tuple[str, str]] = {
    "CSV": ("CSV", "text/csv"),
    "TSV": ("TSV", "text/tab-separated-values"),
    "JSON": ("JSON", "application/json"),
    "GEOJSON": ("GEOJSON", "application/geo+json"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "XLS": ("XLS", "application/vnd.ms-excel"),
    "ODS": ("ODS", "application/vnd.oasis.opendocument.spreadsheet"),
    "PDF": ("PDF", "application/pdf"),
    "ZIP": ("ZIP", "application/zip"),
    "XML": ("XML", "application/xml"),
    "HTML": ("HTML", "text/html"),
    "TXT": ("TXT", "text/plain"),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "KMZ": ("KMZ", "application/vnd.google-earth.kmz"),
    "SHP": ("SHP", ""),
    "DOCX": ("DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "DOC": ("DOC", "application/msword"),
    "JPEG": ("JPEG", "image/jpeg"),
    "JPG": ("JPEG", "image/jpeg"),
    "PNG": ("PNG", "image/png"),
    "RDF": ("RDF_XML", "application/rdf+xml"),
    "TTL": ("RDF_TURTLE", "text/turtle"),
    "JSONLD": ("JSON_LD", "application/ld+json"),
    "GTFS": ("GTFS", ""),
}
# EU data themes (code, English label) per standard kind.
THEMES: dict[str, tuple[str, str]] = {
    "GOVE": ("GOVE", "Government and public sector"),
    "SOCI": ("SOCI", "Population and society"),
    "HEAL": ("HEAL", "Health"),
    "JUST": ("JUST", "Justice, legal system and public safety"),
    "EDUC": ("EDUC", "Education, culture and sport"),
    "ECON": ("ECON", "Economy and finance"),
    "TRAN": ("TRAN", "Transport"),
    "TECH": ("TECH", "Science and technology"),
    "ENVI": ("ENVI", "Environment"),
    "REGI": ("REGI", "Regions and cities"),
}
KIND_THEMES: dict[str, str] = {
    "public_facility": "GOVE",
    "opendata_list": "GOVE",
    "procurement": "GOVE",
    "polling_place": "GOVE",
    "population": "SOCI",
    "baby_station": "SOCI",
    "support_system": "SOCI",
    "public_toilet": "REGI",
    "urban_planning_survey": "REGI",
    "evacuation_space": "JUST",
    "fire_hydrant": "JUST",
    "disaster_radio": "JUST",
    "aed": "HEAL",
    "hospital": "HEAL",
    "care_service": "HEAL",
    "food_business_license": "HEAL",
    "event": "EDUC",
    "cultural_property": "EDUC",
    "preschool": "EDUC",
    "educational_institution": "EDUC",
    "school_district": "EDUC",
    "school_lunch": "EDUC",
    "tourism": "ECON",
    "tourist_spot": "ECON",
    "bus": "TRAN",
    "public_parking": "TRAN",
    "public_bicycle_parking": "TRAN",
    "public_wireless_lan": "TECH",
    "garbage_collection_point": "ENVI",
    "garbage_sorting": "ENVI",
    "borehole": "ENVI",
}
JSONLD_CONTEXT: dict[str, Any] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "hydra": str(HYDRA),
    "rdfs": str(RDFS),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "vcard": str(VCARD),
    "xsd": str(XSD),
}


def _graph() -> Graph:
    graph = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("hydra", HYDRA),
        ("skos", SKOS),
        ("spdx", SPDX),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, ns)
    return graph


def serialize(graph: Graph, fmt: str) -> str:
    """The graph as text; JSON-LD compacted with the prefixes as its @context."""
    if FORMATS[fmt][0] == "json-ld":
        return graph.serialize(format="json-ld", context=JSONLD_CONTEXT, auto_compact=True)
    return graph.serialize(format=FORMATS[fmt][0])


def catalog_uri(base: str) -> URIRef:
    """The catalog's one IRI, whatever the serialization (`/catalog` answers each by content negotiation)."""
    return URIRef(base + "/catalog")


def dataset_uri(dataset: Dataset, base: str) -> URIRef:
    """The dataset's identifier: its public page."""
    return URIRef(base + reverse("opendata:dataset", args=[dataset.name]))


def standard_uri(kind: str, base: str) -> URIRef:
    """The standard a dataset conforms to: its Table Schema as served by the catalog."""
    return URIRef(base + reverse("opendata:standard_schema", args=[kind]))


def _typed(graph: Graph, node: URIRef | BNode, *types: URIRef) -> URIRef | BNode:
    for kind in types:
        graph.add((node, RDF.type, kind))
    return node


def _document(graph: Graph, iri: str) -> URIRef | BNode:
    return _typed(graph, URIRef(iri), FOAF.Document)


def _license(graph: Graph, iri: str) -> URIRef | BNode:
    return _typed(graph, URIRef(iri), DCTERMS.LicenseDocument)


def _publisher(graph: Graph, org: Organization, base: str) -> URIRef:
    node = URIRef(f"{base}/opendata/?organization={org.name}")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(org.title, lang="ja")))
    if org.municipality_id:
        graph.add((node, DCTERMS.identifier, Literal(org.municipality_id)))
    return node


def _theme(graph: Graph, kind: str) -> URIRef | None:
    code = KIND_THEMES.get(kind)
    if code is None:
        return None
    node = URIRef(f"{DATA_THEME}/{code}")
    _typed(graph, node, SKOS.Concept)
    graph.add((node, SKOS.prefLabel, Literal(THEMES[code][1], lang="en")))
    graph.add((node, SKOS.inScheme, URIRef(DATA_THEME)))
    return node


def _spatial(graph: Graph, org: Organization) -> URIRef | None:
    """The municipality as e-Stat's statistical LOD names it (標準地域コード, the code without check digit)."""
    code = org.municipality_id or ""
    if len(code) != 6 or not code.isdigit():
        return None
    return URIRef(_typed(graph, URIRef(ESTAT_AREA + code[:5]), DCTERMS.Location))


def _temporal(graph: Graph, dataset: Dataset) -> BNode | None:
    """The period the data covers as a dct:PeriodOfTime with dcat:startDate/endDate, when it is known."""
    if dataset.temporal_start is None and dataset.temporal_end is None:
        return None
    period = BNode()
    _typed(graph, period, DCTERMS.PeriodOfTime)
    if dataset.temporal_start is not None:
        graph.add((period, DCAT.startDate, Literal(dataset.temporal_start.isoformat(), datatype=XSD.date)))
    if dataset.temporal_end is not None:
        graph.add((period, DCAT.endDate, Literal(dataset.temporal_end.isoformat(), datatype=XSD.date)))
    return period


def add_dataset(graph: Graph, dataset: Dataset, base: str) -> URIRef:
    """Add one dataset, its publisher and its distributions to the graph."""
    node = dataset_uri(dataset, base)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="ja")))
    graph.add((node, DCTERMS.description, Literal(dataset.notes or dataset.title, lang="ja")))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.pk))))
    graph.add((node, DCTERMS.issued, Literal(dataset.metadata_created.isoformat(), datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(dataset.metadata_modified.isoformat(), datatype=XSD.dateTime)))
    graph.add((node, DCAT.landingPage, _document(graph, str(node))))
    graph.add((node, DCTERMS.publisher, _publisher(graph, dataset.organization, base)))
    contact = BNode()
    graph.add((node, DCAT.contactPoint, _typed(graph, contact, VCARD.Kind, VCARD.Organization)))
    graph.add((contact, VCARD.fn, Literal(dataset.organization.title, lang="ja")))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, Literal(tag.name, lang="ja")))
    graph.add((node, DCTERMS.language, _language(graph)))
    spatial = _spatial(graph, dataset.organization)
    if spatial is not None:
        graph.add((node, DCTERMS.spatial, spatial))
    temporal = _temporal(graph, dataset)
    if temporal is not None:
        graph.add((node, DCTERMS.temporal, temporal))
    if dataset.kind:
        graph.add(
            (node, DCTERMS.conformsTo, _typed(graph, standard_uri(dataset.kind, base), DCTERMS.Standard))
        )
        theme = _theme(graph, dataset.kind)
        if theme is not None:
            graph.add((node, DCAT.theme, theme))
    for resource in dataset.resources.all():
        graph.add((node, DCAT.distribution, _distribution(graph, resource, dataset, base)))
    return node


def _language(graph: Graph) -> URIRef | BNode:
    return _typed(
        graph,
        URIRef("http://publications.europa.eu/resource/authority/language/JPN"),
        DCTERMS.LinguisticSystem,
    )


def _format(graph: Graph, node: URIRef, resource: Resource) -> None:
    """dct:format (EU file type) and dcat:mediaType (IANA) of a distribution, both as typed IRIs."""
    label = resource.format.strip()
    known = FILE_TYPES.get(label.upper().lstrip("."))
    if known is None:
        unknown = BNode()
        _typed(graph, unknown, DCTERMS.MediaTypeOrExtent)
        graph.add((unknown, RDFS.label, Literal(label)))
        graph.add((node, DCTERMS["format"], unknown))
        return
    code, media = known
    graph.add((node, DCTERMS["format"], _typed(graph, URIRef(FILE_TYPE + code), DCTERMS.MediaTypeOrExtent)))
    if media:
        graph.add((node, DCAT.mediaType, _typed(graph, URIRef(IANA + media), DCTERMS.MediaType)))


def _distribution(graph: Graph, resource: Resource, dataset: Dataset, base: str) -> URIRef:
    node = URIRef(f"{base}/opendata/resource/{resource.pk}")
    # An unsafe stored link (javascript:, data:, …) is not published: the dataset page stands as accessURL.
    url = URIRef(queries.resource_url(resource, base) or dataset_uri(dataset, base))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, url))
    if resource.file:
        graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCTERMS.title, Literal(resource.name, lang="ja")))
    if resource.description:
        graph.add((node, DCTERMS.description, Literal(resource.description, lang="ja")))
    if resource.format:
        _format(graph, node, resource)
    if dataset.license_url:
        graph.add((node, DCTERMS.license, _license(graph, dataset.license_url)))
    if resource.size is not None:
        graph.add((node, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger)))
    if resource.hash.startswith("sha256:"):
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add(
            (checksum, SPDX.algorithm, _typed(graph, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm))
        )
        graph.add((checksum, SPDX.checksumValue, Literal(resource.hash[7:].lower(), datatype=XSD.hexBinary)))
    graph.add((node, DCTERMS.modified, Literal(resource.last_modified.isoformat(), datatype=XSD.dateTime)))
    return node


def _page_url(base: str, fmt: str, page: int, modified_since: datetime | None) -> URIRef:
    since = f"&modified_since={modified_since.isoformat()}" if modified_since else ""
    return URIRef(f"{base}/catalog.{fmt}?page={page}{since}".replace("+", "%2B"))


def catalog_graph(
    base: str,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
    fmt: str = "ttl",
    modified_since: datetime | None = None,
) -> Graph:
    """One page of the catalog: the dcat:Catalog node, its datasets on this page, and the paging node.

    `modified_since` keeps the datasets whose metadata changed at or after that moment (as ckanext-dcat).
    """
    graph = _graph()
    catalog = catalog_uri(base)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Chiiki オープンデータ カタログ", lang="ja")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal("自治体標準オープンデータセットを中心とした地方公共団体のオープンデータ", lang="ja"),
        )
    )
    graph.add((catalog, DCTERMS.language, _language(graph)))
    graph.add((catalog, FOAF.homepage, _document(graph, base + "/opendata/")))
    # The catalog's own metadata is open under CC BY 4.0 (each dataset states its own license).
    graph.add((catalog, DCTERMS.license, _license(graph, "https://creativecommons.org/licenses/by/4.0/")))
    scheme = _typed(graph, URIRef(DATA_THEME), SKOS.ConceptScheme)
    graph.add((scheme, DCTERMS.title, Literal("Data theme", lang="en")))
    graph.add((catalog, DCAT.themeTaxonomy, scheme))
    publisher = URIRef(base + "/opendata/#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("Chiiki オープンデータ", lang="ja")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    published = queries.published()
    first, last_change = queries.catalog_span()
    if first is not None and last_change is not None:
        graph.add((catalog, DCTERMS.issued, Literal(first.isoformat(), datatype=XSD.dateTime)))
        graph.add((catalog, DCTERMS.modified, Literal(last_change.isoformat(), datatype=XSD.dateTime)))
    if modified_since is not None:
        published = published.filter(metadata_modified__gte=modified_since)
    datasets = published.select_related("organization").order_by("metadata_created", "id")
    total = datasets.count()
    last = max(math.ceil(total / page_size), 1)
    for dataset in datasets[(page - 1) * page_size : page * page_size].prefetch_related("tags", "resources"):
        graph.add((catalog, DCAT.dataset, add_dataset(graph, dataset, base)))
    if total > page_size:
        here = _page_url(base, fmt, page, modified_since)
        graph.add((here, RDF.type, HYDRA.PagedCollection))
        graph.add((here, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
        graph.add((here, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.integer)))
        graph.add((here, HYDRA.firstPage, _page_url(base, fmt, 1, modified_since)))
        graph.add((here, HYDRA.lastPage, _page_url(base, fmt, last, modified_since)))
        if page < last:
            graph.add((here, HYDRA.nextPage, _page_url(base, fmt, page + 1, modified_since)))
        if page > 1:
            graph.add((here, HYDRA.previousPage, _page_url(base, fmt, page - 1, modified_since)))
    return graph


def dataset_graph(dataset: Dataset, base: str) -> Graph:
    """One dataset on its own."""
    graph = _graph()
    add_dataset(graph, dataset, base)
    return graph
