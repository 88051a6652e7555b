"""Cross-municipality merge: one deduplicated file per kind and region, rebuilt when a source changes."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import CommandError, call_command

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata import actions, merge
from chiiki.opendata.models import Dataset

from .conftest import aed_csv


def merged_rows(target: Any) -> pl.DataFrame:
    data = target.dataset.resources.get(role="data")
    return pl.read_csv(io.BytesIO(data.file.read()), infer_schema=False)


def test_region_merge_has_every_row_with_its_source(aed_a: Dataset, aed_b: Dataset) -> None:
    target = actions.define_merge("aed", "chugoku", by=Actor.system("test"))
    frame = merged_rows(target)
    assert frame.height == 4
    assert frame.columns[-1] == "出典"
    assert set(frame["出典"]) == {"広島県府中町／343021-aed", "山口県宇部市／352021-aed"}
    assert target.dataset.is_published
    assert target.dataset.organization.name == "chiiki-merged"
    assert target.dataset.name == "merged-aed-chugoku"


def test_prefecture_scope_keeps_only_that_prefecture(aed_a: Dataset, aed_b: Dataset) -> None:
    frame = merged_rows(actions.define_merge("aed", "35", by=Actor.system("test")))
    assert set(frame["名称"]) == {"宇部市役所", "宇部新川駅"}


def test_the_same_facility_from_two_publishers_is_kept_once(
    aed_b: Dataset, town_b: Municipality, write_file: Callable[..., Path]
) -> None:
    path = write_file(
        "pref.csv",
        aed_csv(
            "352021",
            "山口県宇部市",
            [("P1", "宇部市役所", "33.95171", "131.24668"), ("P2", "宇部中央病院", "33.96", "131.25")],
        ),
    )
    actions.import_file(town_b, path, "aed", by=Actor.system("test"), name="ube-aed-extra", publish_now=True)
    frame = merged_rows(actions.define_merge("aed", "35", by=Actor.system("test")))
    assert sorted(frame["名称"]) == ["宇部中央病院", "宇部市役所", "宇部新川駅"]
    assert frame.filter(pl.col("名称") == "宇部市役所")["出典"].item() == "山口県宇部市／352021-aed"


def test_deduplicate_drops_repeated_code_and_id_and_keeps_order() -> None:
    frame = pl.DataFrame(
        {
            "全国地方公共団体コード": ["352021", "352021", "343021"],
            "ID": ["1", "1", "1"],
            "名称": ["A", "B", "C"],
            "緯度": ["33.9", "34.0", "34.1"],
            "経度": ["131.2", "131.3", "132.5"],
        }
    )
    assert merge.deduplicate(frame)["名称"].to_list() == ["A", "C"]


def test_merge_is_rebuilt_when_a_source_is_updated(
    aed_a: Dataset,
    aed_b: Dataset,
    town_a: Municipality,
    write_file: Callable[..., Path],
    immediate_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    target = actions.define_merge("aed", "chugoku", by=Actor.system("test"))
    path = write_file(
        "fuchu_aed.csv", aed_csv("343021", "広島県府中町", [("7", "府中町図書館", "34.39", "132.50")])
    )  # the same file, updated
    with django_capture_on_commit_callbacks(execute=True):
        actions.import_file(town_a, path, "aed", by=Actor.system("test"))
    target.refresh_from_db()
    frame = merged_rows(target)
    assert "府中町図書館" in set(frame["名称"])
    assert "府中町役場" not in set(frame["名称"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.unpublish(aed_b, by=Actor.system("test"))
    assert set(merged_rows(target)["名称"]) == {"府中町図書館"}


def test_merge_command_reports_and_refuses_unknown_scope(
    aed_b: Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("opendata_merge", "AED設置箇所一覧", "35")
    assert "統合しました: merged-aed-35" in capsys.readouterr().out
    with pytest.raises(CommandError, match="範囲「atlantis」"):
        call_command("opendata_merge", "aed", "atlantis")
