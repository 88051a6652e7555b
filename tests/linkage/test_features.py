"""Comparison keys built in worker processes are the keys built in this process."""

from __future__ import annotations

import os

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from chiiki.demo.linkage import SyntheticData
from chiiki.linkage.engine import _features
from chiiki.linkage.engine._features import build_features, default_workers, normalizing_pool


@pytest.mark.parametrize(("side", "id_column"), [("registry", "person_id"), ("records", "record_id")])
def test_keys_from_two_worker_processes_equal_the_keys_built_here(
    synthetic: SyntheticData, side: str, id_column: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pl.DataFrame(getattr(synthetic, side))
    here = build_features(frame, id_column)
    # Every column goes to the workers, however few its values, so the test runs the real split.
    monkeypatch.setattr(_features, "PARALLEL_MIN_VALUES", 1)
    with normalizing_pool(2) as pool:
        assert pool is not None
        there = build_features(frame, id_column, pool=pool)
        assert pool._executor is not None, "the workers were not used"
    assert_frame_equal(here, there)
    assert there["municipality"].null_count() < frame.height  # the keys are not all missing


def test_one_worker_means_no_process_and_small_columns_start_none() -> None:
    with normalizing_pool(1) as pool:
        assert pool is None
    frame = pl.DataFrame(
        {
            "person_id": ["P1"],
            "name_kanji": ["山田 太郎"],
            "name_kana": ["ヤマダ タロウ"],
            "birth_date": ["昭和25年1月2日"],
            "sex": ["男"],
            "address": ["広島県広島市中区基町10-52"],
            "postal_code": ["730-8511"],
        }
    )
    with normalizing_pool(2) as pool:
        assert pool is not None
        keys = build_features(frame, "person_id", pool=pool)
        assert pool._executor is None  # one row: no process was started for it
    assert keys.row(0, named=True)["dob"] == "1950-01-02"
    assert keys.row(0, named=True)["sex"] == "1"


def test_workers_follow_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHIIKI_LINKAGE_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("CHIIKI_LINKAGE_WORKERS", "none")
    assert default_workers() == len(os.sched_getaffinity(0))


def test_a_town_written_with_ke_ga_or_small_ke_has_one_key() -> None:
    # Seen at 1M: 2 % of true pairs had 梅ヶ丘 on one side and 梅ケ丘 on the other, so only the postal code linked them.
    frame = pl.DataFrame(
        {
            "person_id": ["P1", "P2", "P3"],
            **{
                column: ["", "", ""]
                for column in ("name_kanji", "name_kana", "birth_date", "sex", "postal_code")
            },
            "address": [
                "富山県富山市希望ケ丘一丁目20番4号",
                "富山市希望ヶ丘1丁目20番地4",
                "富山市希望が丘1-20-4",
            ],
        }
    )
    keys = build_features(frame, "person_id")
    assert keys["house"].n_unique() == 1
    assert keys["house"].null_count() == 0
