"""Benchmark: importing a resident-registry extract, streamed chunk by chunk (ours) against the whole extract read
into memory first (the way it was done before: `parse_extract` + `import_registry`), in the same run.

    .venv/bin/python bench/registry_import.py                                # 100,000 and 1,000,000 households
    .venv/bin/python bench/registry_import.py --sizes 2000,20000 --baseline 20000   # quick

The extract is synthetic (households of 1 to 4 residents, 200 districts, Japanese headers, UTF-8), written to a
file row by row. Each import runs in its own process on its own SQLite database (migrated first, not timed), so
its time and peak resident memory (VmHWM, minus the process's size before the import) are its own. The streamed
import is run at every size, to show its memory does not grow with the extract (issue 18 §4: constant memory at
1,000,000 households); the baseline at `--baseline` households only (at a million it would need several GB).
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HEADER = (
    "世帯番号", "住民番号", "氏", "名", "氏カナ", "名カナ", "性別", "生年月日", "続柄", "地区コード", "地区名", "住所",
    "郵便番号",
)  # fmt: skip
FAMILY = (
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
)
GIVEN = (("太郎", "タロウ", "1"), ("花子", "ハナコ", "2"), ("一郎", "イチロウ", "1"), ("陽菜", "ヒナ", "2"))
RELATION = ("世帯主", "妻", "子", "子")
DISTRICTS = 200


def write_extract(path: Path, households: int) -> int:
    """Write a synthetic extract of `households` households; returns the number of residents."""
    persons = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(households):
            family, family_kana = FAMILY[number % len(FAMILY)]
            district = number % DISTRICTS
            address = f"緑川市地区{district:03d}{number % 50 + 1}番{number % 30 + 1}号"
            for member in range(1 + number % 4):
                given, given_kana, sex = GIVEN[member]
                persons += 1
                birth = f"{1940 + (number + member * 7) % 80}-{1 + number % 12:02d}-{1 + member * 5:02d}"
                writer.writerow(
                    (f"H{number:09d}", f"P{persons:010d}", family, given, family_kana, given_kana, sex, birth,
                     RELATION[member], f"{district:03d}", f"地区{district:03d}", address, "7350001")
                )  # fmt: skip
    return persons


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(method: str, extract: str, queue: Any) -> None:
    """Import `extract` into a fresh database with `method`; report (seconds, persons, MB above the start)."""
    os.environ["CHIIKI_VAR_DIR"] = tempfile.mkdtemp(prefix=f"chiiki-bench-registry-{method}-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiiki.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from chiiki.core.acting import Actor
    from chiiki.core.models import Municipality
    from chiiki.registry.actions import import_extract, import_registry
    from chiiki.registry.extract import ExtractStream, parse_extract

    town = Municipality.objects.create(
        code="343021",
        prefecture_code="34",
        prefecture="広島県",
        name="府中町",
        name_kana="フチュウチョウ",
        kind="town",
    )
    by = Actor.system("bench")
    before = _resident_mb()
    started = time.perf_counter()
    if method == "streamed":
        with open(extract, "rb") as handle:
            summary = import_extract(town, ExtractStream(handle), by=by)
    else:
        summary = import_registry(town, parse_extract(Path(extract).read_bytes()), by=by)
    queue.put((time.perf_counter() - started, summary.persons, _peak_mb() - before))


def measure(method: str, extract: Path) -> tuple[float, int, float]:
    """Run one import in its own process."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(method, str(extract), queue))
    process.start()
    process.join()
    if process.exitcode != 0 or queue.empty():
        raise SystemExit(
            f"the {method} import failed (exit code {process.exitcode}); its error is printed above"
        )
    return queue.get()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="100000,1000000", help="households, comma-separated (streamed import)"
    )
    parser.add_argument("--baseline", type=int, default=100_000, help="households for the in-memory baseline")
    args = parser.parse_args()
    sizes = [int(value) for value in args.sizes.split(",") if value.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as folder:
        for size in sorted({*sizes, args.baseline}):
            extract = Path(folder) / f"extract-{size}.csv"
            persons = write_extract(extract, size)
            print(
                f"extract of {size:,} households, {persons:,} residents: {extract.stat().st_size / 1e6:.0f} MB"
            )
            methods = (["streamed"] if size in sizes else []) + (
                ["in memory"] if size == args.baseline else []
            )
            for method in methods:
                seconds, imported, peak = measure(method, extract)
                assert imported == persons, (method, imported, persons)
                rows.append((method, size, persons, seconds, peak))
                print(f"  {method}: {seconds:.1f} s, peak +{peak:.0f} MB")
            extract.unlink()
    print(f"\n{'method':<12}{'households':>12}{'residents':>12}{'time s':>10}{'rows/s':>10}{'peak MB':>10}")
    for method, size, persons, seconds, peak in rows:
        print(
            f"{method:<12}{size:>12,}{persons:>12,}{seconds:>10.1f}{persons / seconds:>10,.0f}{peak:>10.0f}"
        )
    streamed = {size: peak for method, size, _p, _s, peak in rows if method == "streamed"}
    baseline = next((peak for method, *_rest, peak in rows if method == "in memory"), None)
    if baseline and args.baseline in streamed:
        print(
            f"peak memory streamed/in memory at {args.baseline:,}: {streamed[args.baseline] / max(baseline, 1.0):.2f}"
        )
    if len(streamed) > 1:
        small, large = min(streamed), max(streamed)
        print(
            f"peak memory streamed at {large:,} / at {small:,} households: {streamed[large] / max(streamed[small], 1.0):.2f} "
            f"({large // small}× the households)"
        )


if __name__ == "__main__":
    main()
