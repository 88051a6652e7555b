"""`chiiki opendata harvest URL` against our own CKAN API served by a live test server."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from chiiki.core.acting import Actor
from chiiki.opendata import actions
from chiiki.opendata.harvest import HarvestError
from chiiki.opendata.models import Dataset


def test_harvest_creates_linked_copies_in_a_separate_organization(
    shared_live_server: str, aed_a: Dataset, aed_b: Dataset
) -> None:
    summary = actions.harvest_portal(shared_live_server, fq="organization:lg-352021", by=Actor.system("test"))
    assert (summary.fetched, summary.created) == (1, 1)
    copy = Dataset.objects.get(harvest_remote_id=str(aed_b.pk))
    assert copy.name == "352021-aed-harvested"
    assert copy.organization.name == "lg-352021-harvested"
    assert copy.organization.municipality is None
    assert copy.title == aed_b.title
    assert copy.kind == "aed"
    assert copy.is_published
    urls = sorted(r.url for r in copy.resources.all())
    assert all(u.startswith(shared_live_server + "/opendata/resource/") for u in urls)
    assert len(urls) == 3


def test_second_run_is_incremental_and_picks_up_changes(
    shared_live_server: str, aed_a: Dataset, aed_b: Dataset
) -> None:
    actions.harvest_portal(shared_live_server, fq="organization:lg-352021", by=Actor.system("test"))
    again = actions.harvest_portal(shared_live_server, fq="organization:lg-352021", by=Actor.system("test"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    actions.update_dataset(aed_b, by=Actor.system("test"), notes="更新しました")
    third = actions.harvest_portal(shared_live_server, fq="organization:lg-352021", by=Actor.system("test"))
    assert third.updated == 1
    assert Dataset.objects.get(harvest_remote_id=str(aed_b.pk)).notes == "更新しました"


def test_harvest_command_prints_counts(
    shared_live_server: str, aed_a: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("opendata_harvest", shared_live_server + "/api/3/action", "--fq", "organization:lg-343021")
    assert "取得 1 件: 新規 1" in capsys.readouterr().out


def test_unreachable_portal_is_a_clear_error(db: None) -> None:
    with pytest.raises(HarvestError, match="接続できません"):
        actions.harvest_portal("http://127.0.0.1:9", by=Actor.system("test"))
    with pytest.raises(CommandError, match="http:// か https://"):
        call_command("opendata_harvest", "ftp://example.jp")
