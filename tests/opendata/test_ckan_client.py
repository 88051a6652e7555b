"""The real `ckanapi` client against the CKAN-compatible API served by a live test server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import ckanapi
import pytest

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata import actions, queries
from chiiki.opendata.models import Dataset


@pytest.fixture
def portal(shared_live_server: str) -> ckanapi.RemoteCKAN:
    return ckanapi.RemoteCKAN(shared_live_server, user_agent="chiiki-tests")


@pytest.fixture
def editor_token(town_a: Municipality, make_staff: Callable[..., User]) -> str:
    user = make_staff("od-editor", town_a, Role.OPENDATA_EDITOR)
    return actions.create_token(user, "ckanapi", by=Actor.for_user(user))[1]


def make_published(town: Municipality, n: int) -> list[Dataset]:
    org = actions.organization_for(town, by=Actor.system("test"))
    return [
        actions.create_dataset(
            org,
            name=f"ds-{i:03d}",
            title=f"公園一覧 {i}",
            tags=["公園"],
            private=False,
            by=Actor.system("test"),
        )
        for i in range(n)
    ]


def test_ckanapi_reads_status_list_show_and_search(
    portal: ckanapi.RemoteCKAN, aed_a: Dataset, aed_b: Dataset
) -> None:
    assert portal.action.status_show()["ckan_version"]
    assert set(portal.action.package_list()) == {aed_a.name, aed_b.name}
    shown = portal.action.package_show(id=aed_b.name)
    assert shown["title"].startswith("山口県宇部市")
    found = portal.action.package_search(q="府中", facet_field=None)
    assert [r["name"] for r in found["results"]] == [aed_a.name]
    faceted = portal.call_action("package_search", {"facet.field": ["organization", "tags"], "rows": 0})
    assert faceted["count"] == 2
    assert faceted["results"] == []
    assert faceted["facets"]["organization"] == {"lg-343021": 1, "lg-352021": 1}
    assert portal.action.organization_show(id="lg-352021")["package_count"] == 1


def test_ckanapi_raises_its_own_exceptions_for_ckan_errors(
    portal: ckanapi.RemoteCKAN, aed_a: Dataset
) -> None:
    with pytest.raises(ckanapi.NotFound):
        portal.action.package_show(id="nothing-here")
    with pytest.raises(ckanapi.SearchQueryError):
        portal.action.package_search(fq="color:red")
    with pytest.raises(ckanapi.NotAuthorized):
        portal.action.package_create(name="nope", owner_org="lg-343021")


def test_ckanapi_creates_updates_and_uploads_with_a_token(
    shared_live_server: str, town_a: Municipality, town_b: Municipality, editor_token: str, tmp_path: Path
) -> None:
    actions.organization_for(town_a, by=Actor.system("test"))
    actions.organization_for(town_b, by=Actor.system("test"))
    portal = ckanapi.RemoteCKAN(shared_live_server, apikey=editor_token)
    created = portal.action.package_create(
        name="fuchu-parks",
        title="府中町の公園",
        owner_org="lg-343021",
        license_id="pdl-1.0",
        tags=[{"name": "公園"}],
        resources=[{"url": "https://example.jp/parks.csv", "format": "CSV", "name": "公園 CSV"}],
    )
    assert created["license_title"].startswith("公共データ利用規約")
    assert created["resources"][0]["url"] == "https://example.jp/parks.csv"
    updated = portal.action.package_update(id="fuchu-parks", notes="町内の都市公園", tags=[{"name": "緑地"}])
    assert updated["notes"] == "町内の都市公園"
    assert [t["name"] for t in updated["tags"]] == ["緑地"]
    assert int(updated["version"]) > int(created["version"])
    csv = tmp_path / "parks.csv"
    csv.write_text("名称\n中央公園\n", encoding="utf-8")
    with csv.open("rb") as handle:
        res = portal.action.resource_create(package_id="fuchu-parks", name="公園 (upload)", upload=handle)
    assert res["size"] == csv.stat().st_size
    assert res["hash"].startswith("sha256:")
    with pytest.raises(ckanapi.ValidationError):
        portal.action.package_create(name="fuchu-parks", owner_org="lg-343021")
    with pytest.raises(ckanapi.NotAuthorized):
        portal.action.package_create(name="ube-parks", owner_org="lg-352021")


def test_harvest_style_paging_returns_every_dataset_once(
    portal: ckanapi.RemoteCKAN, town_a: Municipality
) -> None:
    made = make_published(town_a, 23)
    since = queries.ckan_time(min(d.metadata_modified for d in made))
    seen: list[str] = []
    start = 0
    while True:
        page = portal.call_action(
            "package_search",
            {"rows": 10, "start": start, "sort": "id asc", "fq": f"metadata_modified:[{since}Z TO *]"},
        )
        assert page["count"] == 23
        if not page["results"]:
            break
        seen += [r["id"] for r in page["results"]]
        start += 10
    assert seen == sorted(seen)
    assert sorted(seen) == sorted(str(d.pk) for d in made)


def test_ckanapi_dump_datasets_all_writes_every_published_dataset(
    shared_live_server: str, aed_a: Dataset, aed_b: Dataset, tmp_path: Path
) -> None:
    out = tmp_path / "dump.jsonl"
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "ckanapi"),
            "dump",
            "datasets",
            "--all",
            "-q",
            "-r",
            shared_live_server,
            "-O",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        # ckanapi starts its worker processes as "ckanapi" from PATH.
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    assert {d["name"] for d in lines} == {aed_a.name, aed_b.name}
    assert all(d["resources"] for d in lines)
