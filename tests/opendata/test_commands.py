"""CLI contract of `chiiki opendata validate` and `chiiki opendata convert` (no database)."""

from __future__ import annotations

import json
import subprocess
import sys

GOOD = "全国地方公共団体コード,ID,地方公共団体名,名称,設置位置\n352012,1,山口県下関市,市役所,1階\n"
BAD = "全国地方公共団体コード,ID,地方公共団体名,名称,設置位置\n352013,1,山口県下関市,,1階\n"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chiiki", "opendata", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_validate_exits_zero_on_valid_file_and_names_the_dataset(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text(GOOD, encoding="utf-8")
    done = run("validate", str(f), "--dataset", "AED設置箇所一覧")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AED設置箇所一覧" in done.stdout


def test_validate_exits_one_with_json_listing_each_problem(tmp_path):
    f = tmp_path / "b.csv"
    f.write_text(BAD, encoding="utf-8")
    done = run("validate", str(f), "--dataset", "aed", "--json")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    cells = {(p["row"], p["column"]) for p in report["problems"] if p["severity"] == "error"}
    assert cells == {(2, "全国地方公共団体コード"), (2, "名称")}


def test_validate_of_missing_or_junk_file_exits_one_without_traceback(tmp_path):
    junk = tmp_path / "j.xlsx"
    junk.write_bytes(b"PK\x03\x04garbage")
    for target in (str(tmp_path / "none.csv"), str(junk)):
        done = run("validate", target)
        assert done.returncode == 1
        assert "Traceback" not in done.stderr + done.stdout


def test_convert_writes_output_and_report(tmp_path):
    f = tmp_path / "c.csv"
    f.write_bytes(GOOD.encode("cp932"))
    out, rep = tmp_path / "out.csv", tmp_path / "r.json"
    done = run("convert", str(f), "--dataset", "aed", "--out", str(out), "--report", str(rep))
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text(encoding="utf-8").startswith("全国地方公共団体コード,ID,")
    assert json.loads(rep.read_text(encoding="utf-8"))["valid"] is True


def test_convert_of_unrecognizable_file_writes_nothing(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    done = run("convert", str(f), "--out", str(out))
    assert done.returncode == 1
    assert not out.exists()
    assert "Traceback" not in done.stderr
