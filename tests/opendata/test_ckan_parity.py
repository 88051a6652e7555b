"""Issue 19 §3: CKAN API parity, checked with the real `ckanapi` client and ckanext-harvest's request shapes.

ckanext-harvest's CKAN harvester joins its filters with spaces: the organizations it harvests as one OR'ed term
and, on an incremental run, `metadata_modified:[<last run>Z TO *]`. Solr (q.op=AND) reads that as "the range is
required, the organizations only rank", so the tests expect CKAN's answer, not boolean precedence.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import ckanapi
import pytest
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata import actions, queries
from chiiki.opendata.models import Dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(town_a: Municipality, town_b: Municipality) -> dict[str, Dataset]:
    """Two organizations' public datasets (a CSV resource on one of them)."""
    out = {}
    for town, name, tags, kind in (
        (town_a, "a-parks", ["公園", "防災"], "public_facility"),
        (town_a, "a-shelters", ["防災"], ""),
        (town_b, "b-toilets", ["トイレ"], ""),
    ):
        org = actions.organization_for(town, by=Actor.system("test"))
        out[name] = actions.create_dataset(
            org, name=name, title=name, tags=tags, kind=kind, private=False, by=Actor.system("test")
        )
    actions.add_resource(
        out["a-parks"], by=Actor.system("test"), name="一覧", fmt="CSV", url="https://example.jp/p.csv"
    )
    return out


def _harvest_fq(organizations: list[str], since: dt.datetime | None) -> str:
    """The fq ckanext-harvest's CKANHarvester builds (organizations_filter_include + incremental)."""
    terms = [" OR ".join(f"organization:{o}" for o in organizations)]
    if since is not None:
        terms.append(f"metadata_modified:[{since.strftime('%Y-%m-%dT%H:%M:%S.%f')}Z TO *]")
    return " ".join(terms)


@pytest.fixture
def portal(shared_live_server: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(shared_live_server, user_agent="chiiki-tests")


@pytest.fixture
def get_portal(shared_live_server: str) -> ckanapi.RemoteCKAN:
    """ckanapi in GET mode: lists go out as repeated query parameters."""
    return ckanapi.RemoteCKAN(shared_live_server, user_agent="chiiki-tests", get_only=True)


def test_the_harvesters_incremental_fq_follows_solr_precedence(
    portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]
) -> None:
    orgs = ["lg-343021", "lg-352021"]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    nothing_new = portal.action.package_search(fq=_harvest_fq(orgs, later), rows=100, start=0, sort="id asc")
    assert nothing_new["count"] == 0
    earlier = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    everything = portal.action.package_search(fq=_harvest_fq(orgs, earlier), rows=100, sort="id asc")
    assert everything["count"] == 3
    only_a = portal.action.package_search(fq=_harvest_fq(["lg-343021"], earlier), rows=100)
    assert {r["name"] for r in only_a["results"]} == {"a-parks", "a-shelters"}


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("organization:lg-343021 OR organization:lg-352021", {"a-parks", "a-shelters", "b-toilets"}),
        ("tags:防災 AND tags:公園 OR tags:トイレ", {"a-parks", "a-shelters"}),  # AND's left side stays MUST
        ("tags:防災 OR tags:トイレ -tags:公園", {"a-shelters", "b-toilets"}),
        ("tags:トイレ OR -tags:防災", {"b-toilets"}),
        ("+tags:防災 tags:公園", {"a-parks"}),
        ("-tags:防災", {"b-toilets"}),
    ],
)
def test_boolean_clauses_are_read_as_lucene_reads_them(
    catalog: dict[str, Dataset], fq: str, expected: set[str]
) -> None:
    assert {d.name for d in queries.search_datasets(fq=fq, rows=100).datasets} == expected


def test_repeated_get_parameters_fq_list_and_mincount(
    get_portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]
) -> None:
    found = get_portal.action.package_search(
        **{
            "facet.field": ["tags", "organization"],
            "fq_list": ["tags:防災", "organization:lg-343021"],
            "facet.mincount": 2,
        }
    )
    assert found["count"] == 2
    assert found["facets"]["tags"] == {"防災": 2}  # 公園 (1) is under facet.mincount
    assert set(found["search_facets"]) == {"tags", "organization"}


def test_search_facets_are_sorted_as_ckan_sorts_them(
    portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]
) -> None:
    found = portal.action.package_search(**{"facet.field": json.dumps(["tags"])})
    names = [item["display_name"] for item in found["search_facets"]["tags"]["items"]]
    assert names == sorted(names, reverse=True)


def test_fl_keeps_the_named_keys(portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]) -> None:
    found = portal.action.package_search(fl="name,title", sort="name asc")
    assert found["results"][0] == {"name": "a-parks", "title": "a-parks"}


def test_views_recent_sort_is_accepted(portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]) -> None:
    assert portal.action.package_search(sort="views_recent desc")["count"] == 3


def test_tag_list_all_fields_gives_dictionaries_with_uuid_ids(
    portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]
) -> None:
    tags = portal.action.tag_list(all_fields=True)
    assert {t["name"] for t in tags} == {"公園", "防災", "トイレ"}
    for tag in tags:
        assert tag["vocabulary_id"] is None
        uuid.UUID(tag["id"])
    package = portal.action.package_show(id="a-parks")
    assert {t["id"] for t in package["tags"]} <= {t["id"] for t in tags}


def test_organization_and_group_list_read_their_filters(
    portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]
) -> None:
    assert portal.action.organization_list(organizations=["lg-352021"]) == ["lg-352021"]
    assert portal.action.organization_list(sort="package_count desc") == ["lg-343021", "lg-352021"]
    assert portal.action.organization_list(sort="name desc") == ["lg-352021", "lg-343021"]
    town_b_title = Municipality.objects.get(code="352021").display_name
    assert portal.action.organization_list(q=town_b_title[-2:]) == ["lg-352021"]
    assert portal.action.group_list(groups=["nothing-here"]) == []


def test_search_query_error_is_400_and_help_show_answers(client: Client, catalog: dict[str, Dataset]) -> None:
    bad = client.get("/api/3/action/package_search", {"q": "(防災 OR"})
    assert bad.status_code == 400
    assert bad.json()["error"]["__type"] == "Search Query Error"
    help_url = bad.json()["help"]
    answer = client.get(help_url.removeprefix("http://testserver"))
    assert answer.status_code == 200
    assert "Search" in answer.json()["result"]
    assert client.get("/api/3/action/help_show", {"name": "no_such_action"}).status_code == 404


def test_jsonp_callback(client: Client, catalog: dict[str, Dataset]) -> None:
    response = client.get("/api/3/action/package_list", {"callback": "jQuery123_456"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    body = response.content.decode()
    assert body.startswith("/**/jQuery123_456(")
    assert body.endswith(");")
    inner: dict[str, Any] = json.loads(body[len("/**/jQuery123_456(") : -2])
    assert set(inner["result"]) == set(catalog)
    assert client.get("/api/3/action/package_list", {"callback": "alert(1)//"}).status_code == 400


def test_the_keys_of_ckans_full_dataset_fixture_are_there(
    portal: ckanapi.RemoteCKAN, catalog: dict[str, Dataset]
) -> None:
    package = portal.action.package_show(id="a-parks")
    for key in ("creator_user_id", "isopen", "relationships_as_object", "relationships_as_subject"):
        assert key in package, key
    assert package["isopen"] is True
    resource = package["resources"][0]
    for key in ("cache_last_updated", "cache_url", "mimetype_inner"):
        assert key in resource, key
    group = portal.action.group_list(all_fields=True)[0]
    assert "image_display_url" in group
    assert all("vocabulary_id" in tag for tag in package["tags"])
