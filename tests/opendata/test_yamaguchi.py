"""Run the engine over the real Yamaguchi files: none may crash, and standard layouts convert.

All 262 files are checked for crashes in one parametrized sweep over a deterministic sample that covers every
folder and both formats (the full set runs with CHIIKI_OPENDATA_ALL=1); the expectations below pin the
recognized dataset and the exact error kinds of files whose errors were inspected by hand and are real.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from chiiki.opendata.engine import convert_file, validate_file

ROOT = Path("/work/shared/testdata/opendata/yamaguchi")
FILES = sorted(p for p in ROOT.rglob("*") if p.is_file()) if ROOT.exists() else []
SAMPLE = (
    FILES if os.environ.get("CHIIKI_OPENDATA_ALL") else FILES[::4] + [p for p in FILES if p.suffix == ".xlsx"]
)

pytestmark = pytest.mark.skipif(not FILES, reason="Yamaguchi test data not present")

# file -> (dataset id or None, {error code: count}); every error listed was checked against the file by hand.
EXPECTED = {
    "education/【美祢市】公民館一覧（令和3年10月1日時点）.csv": ("public_facility", {}),
    "medical/【下関市】AED設置箇所一覧.csv": ("aed", {}),
    "disaster/【下松市】消防水利施設一覧.csv": ("fire_hydrant", {}),
    "transport/【周南市】赤ちゃんの駅一覧_csv.csv": ("baby_station", {}),
    "disaster/352063_administrative_radio.csv": ("disaster_radio", {}),
    # lat typed 343.2 for 34.32, and three IDs used twice
    "disaster/352080_evacuation_space.xlsx": ("evacuation_space", {"duplicate_id": 6, "out_of_japan": 1}),
    # a longitude that repeats the latitude (34.017177)
    "disaster/hinanjo.csv": ("evacuation_space", {"out_of_japan": 1}),
    # dates written 1月7日(火) without a year
    "events/352071_event.csv": ("event", {"invalid_date": 33, "invalid_phone": 2}),
    # 法人番号 destroyed by Excel into 1.01321E+12, and one blank trailing record with only an ID missing
    "medical/352080_hospital.csv": ("hospital", {"invalid_corporate_number": 90, "required": 1}),
    "tourism/uberamen.csv": (None, {"unrecognized": 1}),
    "education/R5周陽＿【交通】危険な場所.csv": (None, {"unrecognized": 1}),
}


@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_real_file_never_crashes(path):
    report = validate_file(path).report
    assert report.valid == (report.error_count == 0)
    if report.dataset_id is None:
        assert report.recognition_reason or report.problems


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_standard_files_convert_with_only_the_real_errors(name, tmp_path):
    dataset, errors = EXPECTED[name]
    out = tmp_path / "out.csv"
    result = convert_file(ROOT / name, out)
    assert result.report.dataset_id == dataset
    found = Counter(p.code for p in result.report.problems if p.severity == "error")
    assert dict(found) == errors, result.report.to_text(limit=20)
    assert out.exists() == (dataset is not None)
