"""Benchmark: export 100,000 households of the demo census questionnaire (about 3 members each) to CSV, Parquet,
Stata and SPSS with the streaming engine, against the usual naive export (all answers loaded into a list, one
pandas DataFrame per level built with json_normalize, then written whole).

Each case runs in its own spawned process that rebuilds the same input: 1,000 made-up households reused under
fresh keys, produced lazily (the streaming side never sees a list; the naive side materializes one, as a
query's .all() would). Reported: wall time and peak resident memory above the process's memory before the
export (ru_maxrss minus RSS at start). Usage: .venv/bin/python bench/survey_export.py [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORM = Path(__file__).resolve().parents[1] / "src/chiiki/demo/forms/census_demo.xlsx"
POOL = 1_000


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def _records(form: Any, households: int) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    from chiiki.demo.survey_answers import generate_answers

    pool = [data for _, data in generate_answers(form, POOL, seed=7, max_repeat=5)]
    for number in range(households):
        yield f"H{number:07d}", pool[number % POOL], {"mode": "web"}


def _run(case: str, households: int, queue: Any) -> None:
    import pandas as pd
    import pyreadstat

    from chiiki.surveys.export import ExportPlan, MetaColumn, export_answers
    from chiiki.surveys.xlsform import load_form

    form = load_form(FORM.read_bytes(), filename=FORM.name)
    start_rss = _rss_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        if case.startswith("ours:"):
            plan = ExportPlan.from_form(form, [MetaColumn("mode", "string", "回答方法")])
            result = export_answers(plan, _records(form, households), out, [case.split(":")[1]])  # type: ignore[list-item]
            rows = sum(result.rows.values())
        else:
            answers = list(_records(form, households))  # what loading every answer at once looks like
            households_frame = pd.json_normalize(
                [
                    {"household_key": key, **meta, **data.get("household", {}), **data.get("closing", {})}
                    for key, data, meta in answers
                ]
            )
            members_frame = pd.json_normalize(
                [
                    {"household_key": key, "members_index": i, **member}
                    for key, data, _ in answers
                    for i, member in enumerate(data.get("members", []), start=1)
                ]
            )
            fmt = case.split(":")[1]
            for name, frame in (("households", households_frame), ("members", members_frame)):
                if fmt == "csv":
                    frame.to_csv(out / f"{name}.csv", index=False, encoding="utf-8-sig")
                else:
                    pyreadstat.write_dta(frame, str(out / f"{name}.dta"), version=15)
            rows = len(households_frame) + len(members_frame)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3 - start_rss
    queue.put((case, elapsed, peak, rows))


def measure(case: str, households: int) -> tuple[str, float, float, int]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(case, households, queue))
    process.start()
    outcome = queue.get()
    process.join()
    return outcome  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10,000 households instead of 100,000")
    households = 10_000 if parser.parse_args().quick else 100_000
    print(f"survey export benchmark: {households:,} households (demo census form), peak RSS above start")
    results = {}
    for case in ("ours:csv", "ours:parquet", "ours:stata", "ours:spss", "naive:csv", "naive:stata"):
        name, elapsed, peak, rows = measure(case, households)
        results[name] = (elapsed, peak)
        print(f"  {name:<13} {elapsed:7.1f} s  {peak:7.0f} MB  ({rows:,} rows)")
    for fmt in ("csv", "stata"):
        ours, naive = results[f"ours:{fmt}"], results[f"naive:{fmt}"]
        print(
            f"  {fmt}: memory ours/naive = {ours[1] / max(naive[1], 1):.2f}, "
            f"time ours/naive = {ours[0] / naive[0]:.2f}"
        )


if __name__ == "__main__":
    main()
