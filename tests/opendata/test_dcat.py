"""DCAT-AP 3 output: required properties present, Turtle and JSON-LD parse, paging for large catalogs."""

from __future__ import annotations

from django.test import Client
from rdflib import Graph
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from chiiki.core.acting import Actor
from chiiki.opendata import actions, dcat
from chiiki.opendata.models import Dataset


def load(client: Client, url: str, fmt: str) -> Graph:
    response = client.get(url)
    assert response.status_code == 200
    return Graph().parse(data=response.content.decode(), format=fmt)


def test_catalog_turtle_has_the_dcat_ap_required_properties(
    client: Client, aed_a: Dataset, aed_b: Dataset
) -> None:
    graph = load(client, "/catalog.ttl", "turtle")
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher):
        assert graph.value(catalog, prop) is not None, prop
    assert graph.value(graph.value(catalog, DCTERMS.publisher), FOAF.name) is not None
    datasets = list(graph.objects(catalog, DCAT.dataset))
    assert len(datasets) == 2
    for ds in datasets:
        assert graph.value(ds, DCTERMS.title) is not None
        assert graph.value(ds, DCTERMS.description) is not None
        assert graph.value(graph.value(ds, DCTERMS.publisher), FOAF.name) is not None
        distributions = list(graph.objects(ds, DCAT.distribution))
        assert len(distributions) == 3
        assert all(graph.value(d, DCAT.accessURL) is not None for d in distributions)


def test_private_datasets_are_left_out_of_the_catalog(client: Client, aed_a: Dataset, aed_b: Dataset) -> None:
    actions.unpublish(aed_a, by=Actor.system("test"))
    graph = load(client, "/catalog.jsonld", "json-ld")
    titles = {str(t) for t in graph.objects(None, DCTERMS.title)}
    assert aed_b.title in titles
    assert aed_a.title not in titles


def test_per_dataset_dcat_in_turtle_and_json_ld(client: Client, aed_a: Dataset) -> None:
    for suffix, fmt in ((".ttl", "turtle"), (".jsonld", "json-ld")):
        graph = load(client, f"/opendata/dataset/{aed_a.name}{suffix}", fmt)
        ds = next(graph.subjects(RDF.type, DCAT.Dataset))
        assert str(graph.value(ds, DCTERMS.identifier)) == str(aed_a.pk)
        assert {str(k) for k in graph.objects(ds, DCAT.keyword)} >= {"AED設置箇所", "広島県"}


def test_large_catalogs_are_paged_with_hydra(aed_a: Dataset, aed_b: Dataset) -> None:
    first = dcat.catalog_graph("http://x", page=1, page_size=1)
    second = dcat.catalog_graph("http://x", page=2, page_size=1)
    assert len(list(first.objects(None, DCAT.dataset))) == 1
    assert len(list(second.objects(None, DCAT.dataset))) == 1
    assert set(first.objects(None, DCAT.dataset)) != set(second.objects(None, DCAT.dataset))
    assert [str(o) for o in first.objects(None, dcat.HYDRA.nextPage)] == ["http://x/catalog.ttl?page=2"]
    assert [o.toPython() for o in first.objects(None, dcat.HYDRA.totalItems)] == [2]
    assert list(second.objects(None, dcat.HYDRA.nextPage)) == []
