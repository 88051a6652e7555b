"""Issue 19 §2: the DCAT feed checked with the official DCAT-AP 3.0.1 SHACL shapes (SEMICeu), 0 violations.

The shapes are shipped unchanged in tests/opendata/data/dcat-ap-3.0.1 (CC BY 4.0, see its SOURCES.md). Both the
constraint shapes and the range shapes are run, on every serialization of the catalog and on one dataset.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.test import Client
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata import actions
from chiiki.opendata.models import Dataset

SHAPES = Path(__file__).parent / "data" / "dcat-ap-3.0.1"
PARSERS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "xml": "xml"}


@cache
def _shapes(name: str) -> Graph:
    """The constraint shapes, or with "ranges.ttl" the range shapes on top of them (ranges.ttl reuses the
    property shapes of dcat-ap-SHACL.ttl by IRI, so it is only complete beside them)."""
    graph = Graph().parse(SHAPES / "dcat-ap-SHACL.ttl", format="turtle")
    if name == "ranges.ttl":
        graph.parse(SHAPES / name, format="turtle")
    # The published files name a few property shapes (5 in the union) that they never define; pyshacl stops
    # on such a reference, so the reference alone is dropped. No defined constraint is removed.
    for shape, prop in list(graph.subject_objects(SH.property)):
        if graph.value(prop, SH.path) is None:
            graph.remove((shape, SH.property, prop))
    return graph


def _violations(data: Graph, shapes: str) -> str:
    conforms, _report, text = validate(data, shacl_graph=_shapes(shapes), allow_warnings=True)
    return "" if conforms else str(text)


def _get(client: Client, url: str, fmt: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return Graph().parse(data=response.content.decode(), format=PARSERS[fmt])


@pytest.fixture
def catalog(aed_a: Dataset, aed_b: Dataset, town_a: Municipality) -> list[Dataset]:
    """Two imported datasets (standard CSV, report, original file) and a harvest-like dataset of links."""
    org = actions.organization_for(town_a, by=Actor.system("test"))
    linked = actions.create_dataset(
        org,
        name="park-list",
        title="公園一覧",
        notes="",
        tags=["公園"],
        private=False,
        links=[
            actions.Link(url="https://example.org/parks.csv", name="公園 CSV", fmt="CSV"),
            actions.Link(url="https://example.org/parks.pdf", name="公園 PDF", fmt="PDF"),
            actions.Link(url="https://example.org/parks", name="公園の地図", fmt="地図"),
        ],
        by=Actor.system("test"),
    )
    return [aed_a, aed_b, linked]


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf", "xml"])
def test_the_catalog_has_no_violations_of_the_dcat_ap_3_0_1_shapes(
    client: Client, catalog: list[Dataset], fmt: str
) -> None:
    graph = _get(client, f"/catalog.{fmt}", fmt)
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 3
    assert _violations(graph, "dcat-ap-SHACL.ttl") == ""
    assert _violations(graph, "ranges.ttl") == ""


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_one_dataset_has_no_violations_either(client: Client, catalog: list[Dataset], fmt: str) -> None:
    graph = _get(client, f"/opendata/dataset/{catalog[0].name}.{fmt}", fmt)
    assert _violations(graph, "dcat-ap-SHACL.ttl") == ""
    assert _violations(graph, "ranges.ttl") == ""


def test_formats_and_media_types_are_iris_of_the_authorities(client: Client, catalog: list[Dataset]) -> None:
    graph = _get(client, "/catalog.ttl", "ttl")
    formats = {str(o) for o in graph.objects(None, DCTERMS["format"])}
    assert "http://publications.europa.eu/resource/authority/file-type/CSV" in formats
    assert "http://publications.europa.eu/resource/authority/file-type/PDF" in formats
    unknown = [o for o in graph.objects(None, DCTERMS["format"]) if not isinstance(o, URIRef)]
    assert [str(graph.value(o, RDFS.label)) for o in unknown] == ["地図"]  # a format no authority names
    assert all(
        (o, RDF.type, DCTERMS.MediaTypeOrExtent) in graph for o in graph.objects(None, DCTERMS["format"])
    )
    media = {str(o) for o in graph.objects(None, DCAT.mediaType)}
    assert "https://www.iana.org/assignments/media-types/text/csv" in media


def test_one_catalog_iri_whatever_the_serialization(client: Client, catalog: list[Dataset]) -> None:
    iris = set()
    for fmt in PARSERS:
        graph = _get(client, f"/catalog.{fmt}", fmt)
        iris |= set(graph.subjects(RDF.type, DCAT.Catalog))
    assert iris == {URIRef("http://testserver/catalog")}
    assert client.get("/catalog", HTTP_ACCEPT="application/ld+json")["Content-Type"].startswith(
        "application/ld+json"
    )
    assert client.get("/catalog")["Content-Type"].startswith("text/turtle")


def test_conforms_to_points_at_a_page_that_exists(client: Client, catalog: list[Dataset]) -> None:
    graph = _get(client, "/catalog.ttl", "ttl")
    standards = {str(o) for o in graph.objects(None, DCTERMS.conformsTo)}
    assert standards
    for iri in standards:
        response = client.get(iri.removeprefix("http://testserver"))
        assert response.status_code == 200, iri
        assert json.loads(response.content)["name"] == "aed"


def test_json_ld_is_compacted_with_a_context(client: Client, catalog: list[Dataset]) -> None:
    body = json.loads(client.get("/catalog.jsonld").content)
    assert "@context" in body
    assert "@graph" in body
    assert not any(key.startswith("http://www.w3.org/ns/dcat#") for node in body["@graph"] for key in node)


def test_recommended_properties_are_there(client: Client, catalog: list[Dataset]) -> None:
    graph = _get(client, "/catalog.ttl", "ttl")
    cat = URIRef("http://testserver/catalog")
    for prop in (DCTERMS.issued, DCTERMS.modified, DCTERMS.license, DCAT.themeTaxonomy):
        assert graph.value(cat, prop) is not None, prop
    aed = URIRef(f"http://testserver/opendata/dataset/{catalog[0].name}/")
    assert graph.value(aed, DCAT.theme) is not None
    assert str(graph.value(aed, DCTERMS.spatial)) == "http://data.e-stat.go.jp/lod/sac/C34302"


def test_modified_since_keeps_the_datasets_changed_since(client: Client, catalog: list[Dataset]) -> None:
    newest = max(d.metadata_modified for d in catalog)
    graph = _get(client, "/catalog.ttl?" + urlencode({"modified_since": newest.isoformat()}), "ttl")
    assert len(list(graph.subjects(RDF.type, DCAT.Dataset))) == 1
    response = client.get("/catalog.ttl?modified_since=yesterday")
    assert response.status_code == 400
    assert "modified_since" in response.content.decode()


@pytest.mark.parametrize("page", ["x", "0", "-1", "1.5"])
def test_a_bad_page_is_a_clear_error(client: Client, catalog: list[Dataset], page: str) -> None:
    response = client.get(f"/catalog.ttl?page={page}")
    assert response.status_code == 400
    assert "page" in response.content.decode()
