"""Benchmark: calibrate to registry margins and estimate 50 variables (means with Taylor SEs, overall and by
district) for 1,000,000 persons in 400,000 households, against svy called naively (one call per variable).

Each side runs in its own spawned process (Polars must not be forked) that regenerates the same seeded data;
its time and peak resident memory above the input frame are reported (ru_maxrss minus RSS after generation). If the naive side would take too long it runs on the
first few variables only and its time is extrapolated linearly in the number of variables (the output says
so). Usage: .venv/bin/python bench/estimation.py [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os

# One BLAS thread for both sides: on a shared 2-core machine threaded BLAS only thrashes (same for svy).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import resource
import time
from typing import Any

import numpy as np
import polars as pl

from chiiki.estimation import Design, calibrate, controls_from_registry, estimate

MARGINS = ["age_sex", "district", "hh_size"]


def generate(n_households: int, n_persons: int, n_vars: int, seed: int = 1) -> tuple[pl.DataFrame, dict]:
    rng = np.random.default_rng(seed)
    # Household sizes 1..6 with mean n_persons / n_households, then trimmed to exactly n_persons.
    extra = rng.multinomial(n_persons - n_households, np.full(n_households, 1 / n_households))
    size = 1 + np.minimum(extra, 5)
    deficit = n_persons - int(size.sum())
    room = np.nonzero(size < 6)[0]
    size[rng.choice(room, deficit, replace=False)] += 1
    hid = np.repeat(np.arange(n_households), size)
    n = hid.size
    district_h = rng.integers(0, 20, n_households)
    district = district_h[hid]
    age = rng.integers(0, 10, n)
    sex = rng.integers(0, 2, n)
    base = np.array([40.0 + 3 * k for k in range(20)])[district]
    cols: dict[str, Any] = {
        "hid": hid,
        "district": district,
        "age_sex": age * 2 + sex,
        "hh_size": np.minimum(size[hid], 5),
        "w": base * rng.uniform(0.8, 1.25, n_households)[hid],
    }
    signal = rng.normal(size=n)
    for k in range(n_vars):
        if k % 2:
            cols[f"y{k:02d}"] = (rng.random(n) < 0.2 + 0.05 * (age / 10) + 0.02 * (k % 5)).astype(np.float64)
        else:
            cols[f"y{k:02d}"] = 100 + 10 * age + 5 * signal + rng.normal(0, 20, n)
    frame = pl.DataFrame(cols)
    # Registry totals: the weights' own margins shifted so that calibration has work to do.
    controls = controls_from_registry(frame, MARGINS)
    total = frame["w"].sum() * 1.03
    for margin, levels in controls.items():
        raw = {k: v * (1 + 0.1 * np.sin(i + len(margin))) for i, (k, v) in enumerate(levels.items())}
        s = sum(raw.values())
        controls[margin] = {k: v * total / s for k, v in raw.items()}
    return frame, controls


def _rss_kib() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() // 1024


def ours(frame: pl.DataFrame, controls: dict, variables: list[str]) -> dict[str, Any]:
    design = Design(weight="w", strata="district", psu="hid")
    cal = calibrate(frame, "w", controls, method="raking")
    overall = estimate(frame, design, variables, calibration=cal)
    by_district = estimate(frame, design, variables, by="district", calibration=cal)
    return {
        "rows": overall.height + by_district.height,
        "se_y00": overall.filter(pl.col("variable") == variables[0])["se"][0],
        "est_y00": overall.filter(pl.col("variable") == variables[0])["estimate"][0],
    }


def naive_svy(frame: pl.DataFrame, controls: dict, variables: list[str]) -> dict[str, Any]:
    import svy

    sample = svy.Sample(frame, svy.Design(stratum="district", psu="hid", wgt="w"))
    sample = sample.weighting.rake(controls=controls, tol=1e-10, max_iter=200)
    rows = 0
    first: Any = None
    for v in variables:
        res = sample.estimation.mean(v).to_polars()
        dom = sample.estimation.mean(v, by="district").to_polars()
        rows += res.height + dom.height
        if first is None:
            first = res
    return {"rows": rows, "se_y00": first["se"][0], "est_y00": first["est"][0]}


def _child(target: Any, sizes: tuple[int, int, int], n_used: int, queue: Any) -> None:
    frame, controls = generate(*sizes)
    variables = [c for c in frame.columns if c.startswith("y")][:n_used]
    args = (frame, controls, variables)
    start_rss = _rss_kib()
    t0 = time.perf_counter()
    out = target(*args)
    out["seconds"] = time.perf_counter() - t0
    out["peak_mib"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start_rss) / 1024
    queue.put(out)


def run(target: Any, sizes: tuple[int, int, int], n_used: int) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(target, sizes, n_used, queue))
    proc.start()
    out: dict[str, Any] = queue.get()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20,000 persons in 8,000 households")
    parser.add_argument(
        "--naive-vars", type=int, default=None, help="variables to run naively (extrapolated)"
    )
    args = parser.parse_args()
    n_hh, n_p, n_vars = (8_000, 20_000, 50) if args.quick else (400_000, 1_000_000, 50)
    naive_vars = args.naive_vars or (n_vars if args.quick else 5)
    t0 = time.perf_counter()
    frame, _ = generate(n_hh, n_p, n_vars)
    variables = [c for c in frame.columns if c.startswith("y")]
    print(
        f"data: {frame.height:,} persons, {frame['hid'].n_unique():,} households, {len(variables)} variables, "
        f"20 districts (strata); generated in {time.perf_counter() - t0:.1f} s"
    )
    print(
        "task: raking to age×sex (20), district (20), household size (5); mean + Taylor SE of every variable,"
        " overall and by district"
    )
    sizes = (n_hh, n_p, n_vars)
    del frame
    a = run(ours, sizes, n_vars)
    print(
        f"chiiki.estimation : {a['seconds']:8.2f} s   peak +{a['peak_mib']:7.0f} MiB   ({a['rows']} estimates)"
    )
    b = run(naive_svy, sizes, naive_vars)
    scale = n_vars / naive_vars
    naive_time = b["seconds"] if scale == 1 else b["seconds"] * scale
    note = "" if scale == 1 else f"  (ran {naive_vars} of {n_vars} variables, time extrapolated ×{scale:g})"
    print(f"svy, naive        : {naive_time:8.2f} s   peak +{b['peak_mib']:7.0f} MiB{note}")
    print(
        f"check y00: ours mean {a['est_y00']:.6f} se {a['se_y00']:.6f} | svy mean {b['est_y00']:.6f} "
        f"se {b['se_y00']:.6f}"
    )
    print(f"BLAS threads: {os.environ['OPENBLAS_NUM_THREADS']} (both sides)")
    print(f"ratio (svy naive / ours), time: {naive_time / a['seconds']:.1f}×")


if __name__ == "__main__":
    main()
