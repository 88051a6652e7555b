"""Issue 19 §5: the demo town publishes its own standard datasets, so catalog, API and DCAT feed are not empty."""

from __future__ import annotations

import csv
import io
import json

import ckanapi
import pytest
from django.test import Client
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.demo import residents as synthetic
from chiiki.demo.city import DEMO_CODE
from chiiki.demo.opendata import KINDS, POPULATION_DATE, load_opendata_demo
from chiiki.opendata.models import Dataset, Resource
from chiiki.registry.actions import import_registry
from chiiki.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_town(db: None) -> Municipality:
    town = Municipality.objects.create(
        code=DEMO_CODE, prefecture_code="34", prefecture="広島県", name="緑川市", kind="city", is_demo=True
    )
    import_registry(town, synthetic.generate(persons=400, seed=3), by=Actor.system("test"))
    return town


def _standard_csv(dataset: Dataset) -> list[dict[str, str]]:
    resource = dataset.resources.get(role=Resource.Role.DATA)
    with resource.file.open("rb") as stored:
        return list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))


def _report(dataset: Dataset) -> dict[str, object]:
    resource = dataset.resources.get(role=Resource.Role.REPORT)
    with resource.file.open("rb") as stored:
        loaded: dict[str, object] = json.loads(stored.read())
    return loaded


def test_the_demo_town_publishes_five_valid_standard_datasets_once(demo_town: Municipality) -> None:
    made = load_opendata_demo(demo_town)
    assert sorted(d.kind for d in made) == sorted(KINDS)
    for dataset in made:
        assert dataset.state == Dataset.State.ACTIVE
        assert not dataset.private
        report = _report(dataset)
        assert report["valid"] is True, (dataset.kind, report)
    assert load_opendata_demo(demo_town) == []
    assert Dataset.objects.filter(organization__municipality=demo_town).count() == len(KINDS)


def test_the_population_table_counts_the_registry(demo_town: Municipality) -> None:
    load_opendata_demo(demo_town)
    rows = _standard_csv(Dataset.objects.get(kind="population"))
    registered = (
        Person.objects.filter(municipality=demo_town, birth_date__lte=POPULATION_DATE)
        .exclude(registered_on__gt=POPULATION_DATE)
        .exclude(removed_on__lte=POPULATION_DATE)
        .count()
    )
    assert sum(int(row["総人口"]) for row in rows) == registered
    for row in rows:
        assert int(row["男性"]) + int(row["女性"]) == int(row["総人口"])
        bands = [value for key, value in row.items() if key.endswith(("の男性", "の女性")) and value]
        assert sum(int(v) for v in bands) == int(row["総人口"]), row["地域名"]
        assert row["調査年月日"] == POPULATION_DATE.isoformat()


def test_the_api_and_the_dcat_feed_list_the_demo_datasets(
    demo_town: Municipality, shared_live_server: str, client: Client
) -> None:
    load_opendata_demo(demo_town)
    portal = ckanapi.RemoteCKAN(shared_live_server, user_agent="chiiki-tests")
    found = portal.action.package_search(fq=f"organization:lg-{DEMO_CODE}", rows=20)
    assert found["count"] == len(KINDS)
    response = client.get("/catalog.ttl")
    graph = Graph().parse(data=response.content.decode(), format="turtle")
    catalog = next(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(list(graph.objects(catalog, DCAT.dataset))) == len(KINDS)


def test_make_demo_publishes_the_disclosure_checked_census_tables(db: None, client: Client) -> None:
    """`chiiki demo load` (what `make demo` runs) publishes the census's tables that passed the disclosure check,
    once: the catalog page, the CKAN API and the DCAT feed show them with their CSV and metadata."""
    from django.core.management import call_command

    from chiiki.evidence.models import PublishedTable
    from chiiki.evidence.queries import latest_run

    out = io.StringIO()
    call_command("demo_load", persons=300, stdout=out)
    town = Municipality.objects.get(code=DEMO_CODE)
    tables = PublishedTable.objects.filter(municipality=town).select_related("dataset", "survey")
    run = latest_run(tables[0].survey)
    assert run is not None
    assert run.result
    passed = sorted(name for name, table in run.result["tables"].items() if table["passed"])
    assert passed, "the demo census should have at least one table that passes the disclosure check"
    assert sorted(t.table for t in tables) == passed
    assert all(t.run_id == run.pk for t in tables)
    names = {t.dataset.name for t in tables}
    for published in tables:
        dataset = published.dataset
        assert dataset.state == Dataset.State.ACTIVE
        assert not dataset.private
        formats = sorted(r.format for r in dataset.resources.all())
        assert formats == ["CSV", "JSON"]
        body = dataset.resources.get(format="CSV").file.open("rb").read().decode("utf-8-sig")
        assert body.splitlines()[0].endswith(
            "推計値,標準誤差,95%信頼区間下限,95%信頼区間上限,回答世帯数,秘匿"
        )
    assert f"うち調査の集計表 {len(passed)} 件" in out.getvalue()

    page = client.get("/opendata/?q=推計")
    assert page.status_code == 200
    assert all(name in page.content.decode() for name in names)
    # The CKAN API as ckanapi's GET mode asks it (the demo load ends this test's connection on PostgreSQL, so
    # the API is asked through the test client rather than a server thread sharing that connection).
    answer = client.get(
        "/api/action/package_search", {"fq": f"organization:lg-{DEMO_CODE} tags:推計", "rows": 50}
    ).json()
    assert answer["success"]
    assert {d["name"] for d in answer["result"]["results"]} == names
    graph = Graph().parse(data=client.get("/catalog.ttl").content.decode(), format="turtle")
    listed = {str(d) for d in graph.subjects(RDF.type, DCAT.Dataset)}
    assert all(any(iri.endswith(f"/dataset/{name}/") for iri in listed) for name in names)
    census = URIRef(f"{next(iter(listed)).split('/opendata/')[0]}/opendata/dataset/{tables[0].dataset.name}/")
    period = graph.value(census, DCTERMS.temporal)  # the census's reference day
    assert str(graph.value(period, DCAT.startDate)) == tables[0].survey.reference_date.isoformat()

    call_command("demo_load", persons=300, stdout=io.StringIO())
    assert PublishedTable.objects.filter(municipality=town).count() == len(passed)
