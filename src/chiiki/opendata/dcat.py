"""DCAT (DCAT-AP 3) of the catalog with rdflib: /catalog.ttl, /catalog.jsonld and one graph per dataset.

Mandatory DCAT-AP 3 properties written: Catalog dct:title, dct:description, dct:publisher, dcat:dataset;
Dataset dct:title, dct:description; Distribution dcat:accessURL; Agent foaf:name. Recommended ones where we
have them (identifier, issued/modified, keyword, theme-free publisher, license, format, byteSize, checksum).
Large catalogs are paged like ckanext-dcat: a hydra:PagedCollection node with first/next/previous/last pages.
"""

from __future__ import annotations

import math

from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from chiiki.opendata import queries
from chiiki.opendata.models import Dataset, Organization, Resource

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
PAGE_SIZE = 100

FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json; charset=utf-8"),
    "rdf": ("xml", "application/rdf+xml; charset=utf-8"),
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _graph() -> Graph:
    graph = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("hydra", HYDRA),
        ("spdx", SPDX),
        ("vcard", VCARD),
    ):
        graph.bind(prefix, ns)
    return graph


def dataset_uri(dataset: Dataset, base: str) -> URIRef:
    """The dataset's identifier: its public page."""
    return URIRef(base + reverse("opendata:dataset", args=[dataset.name]))


def _publisher(graph: Graph, org: Organization, base: str) -> URIRef:
    node = URIRef(f"{base}/opendata/?organization={org.name}")
    graph.add((node, RDF.type, FOAF.Agent))
    graph.add((node, FOAF.name, Literal(org.title, lang="ja")))
    if org.municipality_id:
        graph.add((node, DCTERMS.identifier, Literal(org.municipality_id)))
    return node


def add_dataset(graph: Graph, dataset: Dataset, base: str) -> URIRef:
    """Add one dataset, its publisher and its distributions to the graph."""
    node = dataset_uri(dataset, base)
    graph.add((node, RDF.type, DCAT.Dataset))
    graph.add((node, DCTERMS.title, Literal(dataset.title, lang="ja")))
    graph.add((node, DCTERMS.description, Literal(dataset.notes or dataset.title, lang="ja")))
    graph.add((node, DCTERMS.identifier, Literal(str(dataset.pk))))
    graph.add((node, DCTERMS.issued, Literal(dataset.metadata_created.isoformat(), datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(dataset.metadata_modified.isoformat(), datatype=XSD.dateTime)))
    graph.add((node, DCAT.landingPage, node))
    graph.add((node, DCTERMS.publisher, _publisher(graph, dataset.organization, base)))
    contact = BNode()
    graph.add((node, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(dataset.organization.title, lang="ja")))
    for tag in dataset.tags.all():
        graph.add((node, DCAT.keyword, Literal(tag.name, lang="ja")))
    if dataset.kind:
        graph.add((node, DCTERMS.conformsTo, URIRef(f"{base}/opendata/standard/{dataset.kind}")))
    for resource in dataset.resources.all():
        graph.add((node, DCAT.distribution, _distribution(graph, resource, dataset, base)))
    return node


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
        graph.add((node, DCTERMS["format"], Literal(resource.format)))
        if resource.format.upper() in MEDIA_TYPES:
            graph.add(
                (
                    node,
                    DCAT.mediaType,
                    URIRef(
                        "https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[resource.format.upper()]
                    ),
                )
            )
    if dataset.license_url:
        graph.add((node, DCTERMS.license, URIRef(dataset.license_url)))
    if resource.size is not None:
        graph.add((node, DCAT.byteSize, Literal(resource.size, datatype=XSD.nonNegativeInteger)))
    if resource.hash.startswith("sha256:"):
        checksum = BNode()
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(resource.hash[7:], datatype=XSD.hexBinary)))
    graph.add((node, DCTERMS.modified, Literal(resource.last_modified.isoformat(), datatype=XSD.dateTime)))
    return node


def catalog_graph(base: str, *, page: int = 1, page_size: int = PAGE_SIZE, fmt: str = "ttl") -> Graph:
    """One page of the catalog: the dcat:Catalog node, its datasets on this page, and the paging node."""
    graph = _graph()
    catalog = URIRef(base + "/catalog." + fmt)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal("Chiiki オープンデータ カタログ", lang="ja")))
    graph.add(
        (
            catalog,
            DCTERMS.description,
            Literal("自治体標準オープンデータセットを中心とした地方公共団体のオープンデータ", lang="ja"),
        )
    )
    graph.add(
        (catalog, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/JPN"))
    )
    graph.add((catalog, FOAF.homepage, URIRef(base + "/opendata/")))
    publisher = URIRef(base + "/opendata/")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal("Chiiki オープンデータ", lang="ja")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    datasets = queries.published().select_related("organization").order_by("metadata_created", "id")
    total = datasets.count()
    last = max(math.ceil(total / page_size), 1)
    for dataset in datasets[(page - 1) * page_size : page * page_size].prefetch_related("tags", "resources"):
        graph.add((catalog, DCAT.dataset, add_dataset(graph, dataset, base)))
    if total > page_size:
        here = URIRef(f"{base}/catalog.{fmt}?page={page}")
        graph.add((here, RDF.type, HYDRA.PagedCollection))
        graph.add((here, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
        graph.add((here, HYDRA.itemsPerPage, Literal(page_size, datatype=XSD.integer)))
        graph.add((here, HYDRA.firstPage, URIRef(f"{base}/catalog.{fmt}?page=1")))
        graph.add((here, HYDRA.lastPage, URIRef(f"{base}/catalog.{fmt}?page={last}")))
        if page < last:
            graph.add((here, HYDRA.nextPage, URIRef(f"{base}/catalog.{fmt}?page={page + 1}")))
        if page > 1:
            graph.add((here, HYDRA.previousPage, URIRef(f"{base}/catalog.{fmt}?page={page - 1}")))
    return graph


def dataset_graph(dataset: Dataset, base: str) -> Graph:
    """One dataset on its own."""
    graph = _graph()
    add_dataset(graph, dataset, base)
    return graph
