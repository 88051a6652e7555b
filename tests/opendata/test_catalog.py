"""Catalog actions: import, versions, publish/unpublish with audit, Japanese search and facets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.opendata import actions, queries, search
from chiiki.opendata.models import Dataset, Resource

from .conftest import aed_csv


def test_import_stores_standard_csv_report_and_original(aed_a: Dataset) -> None:
    roles = {r.role: r for r in aed_a.resources.all()}
    assert set(roles) == {Resource.Role.DATA, Resource.Role.REPORT, Resource.Role.SOURCE}
    data = roles[Resource.Role.DATA]
    text = data.file.read().decode("utf-8")
    assert text.startswith("全国地方公共団体コード,ID,地方公共団体名,名称")
    assert "府中町役場" in text
    assert data.hash.startswith("sha256:")
    assert data.size == len(text.encode())
    assert data.rows == 2
    assert aed_a.kind == "aed"
    assert aed_a.is_published
    assert aed_a.name == "343021-aed"
    assert aed_a.groups.get().name == "aed"


def test_reimport_makes_a_new_version_and_keeps_history(
    aed_a: Dataset, town_a: Municipality, write_file: Callable[..., Path]
) -> None:
    before = aed_a.versions.count()
    # The same file, updated (a file of another name with other IDs would be another dataset: issue 19 §4).
    path = write_file(
        "fuchu_aed.csv", aed_csv("343021", "広島県府中町", [("9", "府中町体育館", "34.39", "132.50")])
    )
    outcome = actions.import_file(town_a, path, "aed", by=Actor.system("test"))
    assert not outcome.created
    assert outcome.dataset.pk == aed_a.pk
    assert outcome.dataset.versions.count() == before + 1
    assert "府中町体育館" in outcome.dataset.resources.get(role="data").file.read().decode()
    assert outcome.dataset.resources.filter(role="data").count() == 1


def test_import_of_unreadable_file_is_refused_with_a_message(
    town_a: Municipality, write_file: Callable[..., Path]
) -> None:
    path = write_file("x.csv", "a,b\n1,2\n")
    with pytest.raises(actions.CatalogError, match="変換できませんでした"):
        actions.import_file(town_a, path, None, by=Actor.system("test"))
    assert not Dataset.objects.exists()


def test_publish_and_unpublish_are_audited_and_versioned(aed_a: Dataset) -> None:
    actions.unpublish(aed_a, by=Actor.system("test"))
    aed_a.refresh_from_db()
    assert not aed_a.is_published
    assert not queries.published().filter(pk=aed_a.pk).exists()
    actions.publish(aed_a, by=Actor.system("test"))
    actions_logged = list(AuditEvent.objects.filter(object_id=str(aed_a.pk)).values_list("action", flat=True))
    assert "opendata.dataset_unpublished" in actions_logged
    assert "opendata.dataset_published" in actions_logged
    assert [v.action for v in aed_a.versions.all()[:2]] == ["dataset_published", "dataset_unpublished"]


def test_two_character_japanese_query_finds_the_dataset(aed_a: Dataset, aed_b: Dataset) -> None:
    assert {d.name for d in queries.search_datasets(q="宇部").datasets} == {aed_b.name}
    assert {d.name for d in queries.search_datasets(q="ＡＥＤ").datasets} == {aed_a.name, aed_b.name}
    assert queries.search_datasets(q="府中 宇部").count == 0


def test_one_character_query_uses_the_index_too(aed_a: Dataset, aed_b: Dataset) -> None:
    assert {d.name for d in queries.search_datasets(q="宇").datasets} == {aed_b.name}


def test_facets_count_organizations_kinds_tags_and_formats(aed_a: Dataset, aed_b: Dataset) -> None:
    found = queries.search_datasets(facet_fields=("organization", "kind", "tags", "res_format"))
    assert found.count == 2
    assert {(n, c) for n, _, c in found.facets["organization"]} == {("lg-343021", 1), ("lg-352021", 1)}
    assert found.facets["kind"] == [("aed", "AED設置箇所一覧", 2)]
    assert ("CSV", "CSV", 2) in found.facets["res_format"]
    assert ("山口県", "山口県", 1) in found.facets["tags"]


def test_fq_filters_by_organization_and_modified_range(aed_a: Dataset, aed_b: Dataset) -> None:
    found = queries.search_datasets(fq='organization:"lg-352021"')
    assert [d.name for d in found.datasets] == [aed_b.name]
    stamp = queries.ckan_time(aed_b.metadata_modified)
    found = queries.search_datasets(fq=f"metadata_modified:[{stamp}Z TO *]")
    assert aed_b.name in {d.name for d in found.datasets}
    with pytest.raises(queries.SearchQueryError):
        queries.search_datasets(fq="nonsense_field:1")


def test_private_datasets_are_not_found_by_search(aed_a: Dataset) -> None:
    actions.unpublish(aed_a, by=Actor.system("test"))
    assert queries.search_datasets(q="府中").count == 0


@given(st.text(min_size=0, max_size=40))
def test_every_bigram_of_a_text_is_a_substring_of_its_normal_form(text: str) -> None:
    normal = search.normalize(text)
    assert all(term in normal for term in search.bigrams(text))


@given(st.text(alphabet="あいうえお公園避難所ＡＥＤ 123", min_size=1, max_size=30))
def test_normalize_is_idempotent(text: str) -> None:
    assert search.normalize(search.normalize(text)) == search.normalize(text)


def test_import_command_creates_and_publishes(
    town_a: Municipality, write_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_file("a.csv", aed_csv("343021", "広島県府中町", [("1", "府中町役場", "34.39", "132.50")]))
    call_command("opendata_import", str(path), "--dataset", "aed", "--municipality", "343021", "--publish")
    out = capsys.readouterr().out
    assert "作成: 343021-aed（版 2、1 行）を公開しました" in out
    assert "AED設置箇所一覧" in out


def test_import_command_refuses_unknown_municipality_and_missing_file(
    town_a: Municipality, write_file: Callable[..., Path]
) -> None:
    path = write_file("a.csv", aed_csv("343021", "広島県府中町", [("1", "府中町役場", "34.39", "132.50")]))
    with pytest.raises(CommandError, match="登録されていません"):
        call_command("opendata_import", str(path), "--municipality", "999999")
    with pytest.raises(CommandError, match="ファイルがありません"):
        call_command("opendata_import", "/nonexistent.csv", "--municipality", "343021")


def test_fq_on_a_format_held_by_several_resources_counts_each_dataset_once(
    aed_a: Dataset, aed_b: Dataset
) -> None:
    assert aed_a.resources.filter(format="CSV").count() == 2  # standard CSV and the original file
    found = queries.search_datasets(fq="res_format:csv tags:山口県", facet_fields=("res_format",))
    assert [d.name for d in found.datasets] == [aed_b.name]
    assert found.count == 1
    assert found.facets["res_format"] == [("CSV", "CSV", 1), ("JSON", "JSON", 1)]
