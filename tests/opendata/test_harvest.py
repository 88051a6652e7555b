"""`chiiki opendata harvest URL` against our own CKAN API served by a live test server.

The server listens on 127.0.0.1, which a harvest refuses unless allow-listed: every test here allow-lists it
(tests/security/test_harvest_limits.py proves the refusal without it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, Role, User
from chiiki.opendata import actions
from chiiki.opendata.actions import CatalogError
from chiiki.opendata.harvest import HarvestError
from chiiki.opendata.models import Dataset


@pytest.fixture(autouse=True)
def _local_portals_allowed(settings: Any) -> None:
    settings.CHIIKI_HARVEST_ALLOWED_NETWORKS = ["127.0.0.1/32"]


def _harvest(url: str, town: Municipality, fq: str = "organization:lg-352021") -> Any:
    return actions.harvest_portal(url, municipality=town, fq=fq, by=Actor.system("test"))


def test_harvest_creates_linked_copies_in_a_separate_organization(
    shared_live_server: str, aed_a: Dataset, aed_b: Dataset, town_a: Municipality
) -> None:
    summary = _harvest(shared_live_server, town_a)
    assert (summary.fetched, summary.created) == (1, 1)
    copy = Dataset.objects.get(harvest_remote_id=str(aed_b.pk))
    assert copy.name == "352021-aed-harvested"
    assert copy.organization.name == "lg-352021-harvested"
    assert copy.organization.municipality is None
    assert copy.organization.harvest_source is not None
    assert (
        copy.organization.title == "127.0.0.1 から収集した組織"
    )  # 山口県宇部市 is a municipality: neutralized
    assert copy.title == aed_b.title
    assert copy.kind == "aed"
    assert not copy.is_published  # until an editor of town_a accepts it
    assert copy.awaiting_review
    urls = sorted(r.url for r in copy.resources.all())
    assert all(u.startswith(shared_live_server + "/opendata/resource/") for u in urls)
    assert len(urls) == 3


def test_second_run_is_incremental_and_picks_up_changes_for_review_again(
    shared_live_server: str, aed_a: Dataset, aed_b: Dataset, town_a: Municipality
) -> None:
    _harvest(shared_live_server, town_a)
    copy = Dataset.objects.get(harvest_remote_id=str(aed_b.pk))
    actions.accept_harvested(copy, municipality=town_a, by=Actor.system("test"))
    again = _harvest(shared_live_server, town_a)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Dataset.objects.get(pk=copy.pk).is_published  # unchanged: stays published
    actions.update_dataset(aed_b, by=Actor.system("test"), notes="更新しました")
    third = _harvest(shared_live_server, town_a)
    assert third.updated == 1
    copy.refresh_from_db()
    assert copy.notes == "更新しました"
    assert not copy.is_published  # a changed remote copy is reviewed again
    assert copy.awaiting_review


def test_an_editor_accepts_harvested_data_on_the_staff_page(
    shared_live_server: str,
    aed_a: Dataset,
    aed_b: Dataset,
    town_a: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    _harvest(shared_live_server, town_a)
    copy = Dataset.objects.get(harvest_remote_id=str(aed_b.pk))
    assert copy.name not in Client().get("/api/3/action/package_list").json()["result"]
    assert Client().get(f"/opendata/dataset/{copy.name}/").status_code == 404
    with pytest.raises(CatalogError):
        actions.publish(copy, by=Actor.system("test"))  # only through the review
    outsider = login(make_staff("b-editor", aed_b.organization.municipality, Role.OPENDATA_EDITOR))
    refused = outsider.post(f"/staff/m/352021/opendata/harvested/{copy.name}/accept/")
    assert refused.status_code == 404  # town_b's editors do not review what town_a harvested
    editor = login(make_staff("a-editor", town_a, Role.OPENDATA_EDITOR))
    page = editor.get(f"/staff/m/{town_a.code}/opendata/").content.decode()
    assert "確認して公開" in page
    assert copy.title in page
    assert editor.get(f"/opendata/dataset/{copy.name}/").status_code == 200  # the reviewer can preview it
    response = editor.post(f"/staff/m/{town_a.code}/opendata/harvested/{copy.name}/accept/")
    assert response.status_code == 302
    copy.refresh_from_db()
    assert copy.is_published
    assert not copy.awaiting_review
    assert copy.name in Client().get("/api/3/action/package_list").json()["result"]
    assert copy.versions.filter(action="harvest_accepted").exists()


def test_harvest_command_prints_counts(
    shared_live_server: str, aed_a: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command(
        "opendata_harvest",
        shared_live_server + "/api/3/action",
        "--fq",
        "organization:lg-343021",
        "--municipality",
        "343021",
    )
    assert "取得 1 件: 新規 1" in capsys.readouterr().out


def test_unreachable_portal_is_a_clear_error(town_a: Municipality) -> None:
    with pytest.raises(HarvestError, match="接続できません"):
        _harvest("http://127.0.0.1:9", town_a)
    with pytest.raises(CommandError, match="http:// か https://"):
        call_command("opendata_harvest", "ftp://example.jp", "--municipality", "343021")
