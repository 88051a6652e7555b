"""Benchmark: aggregate N measurement samples to 250 m cells and compute population coverage for 1,741
municipalities on a synthetic national 500 m mesh of populated cells, with the coverage grid engine (Polars),
against a row-by-row Python baseline (one `to_meshcode` and dictionary update per sample) in the same run.

Each side runs in its own spawned process that regenerates the same seeded data; its time and its peak resident
memory (ru_maxrss) are reported. The baseline runs on the first --baseline-rows samples and its time is
extrapolated linearly in the number of samples (the output says so); its population step runs in full.
Usage: .venv/bin/python bench/coverage.py [--rows 10000000] [--cells 500000] [--quick]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time

import numpy as np
import polars as pl

from chiiki.coverage.grid import (
    RSRP_USABLE,
    aggregate_levels,
    cell_status,
    keys_to_codes,
    measurement_verdicts,
    population_coverage,
    report_counts,
    to_meshcode,
)

MUNICIPALITIES = 1741
CARRIERS = ["docomo", "au", "softbank", "rakuten"]
TECHNOLOGIES = ["5G", "4G", "none"]


def populated_cells(n_cells: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Centres of `n_cells` distinct 500 m cells scattered over the main islands' latitudes and longitudes."""
    rng = np.random.default_rng(seed)
    y = rng.integers(31 * 240, 43 * 240, n_cells * 2)  # 500 m cell rows: 240 per degree of latitude
    x = rng.integers(30 * 160, 42 * 160, n_cells * 2)  # 160 per degree of longitude from 100°E
    keys = np.unique(y.astype(np.int64) * 100_000 + x)[:n_cells]
    rng.shuffle(keys)
    lat = (keys // 100_000 + 0.5) / 240
    lon = 100 + (keys % 100_000 + 0.5) / 160
    return lat, lon


def generate(n_rows: int, n_cells: int, seed: int = 1) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Samples around populated cells, and the population frame (area, 500 m mesh, population)."""
    rng = np.random.default_rng(seed)
    lat, lon = populated_cells(n_cells, seed)
    which = rng.integers(0, n_cells, n_rows)
    samples = pl.DataFrame(
        {
            "latitude": lat[which] + rng.uniform(-0.002, 0.002, n_rows),
            "longitude": lon[which] + rng.uniform(-0.003, 0.003, n_rows),
            "carrier": pl.Series(np.array(CARRIERS)[rng.integers(0, 4, n_rows)], dtype=pl.Enum(CARRIERS)),
            "technology": pl.Series(
                np.array(TECHNOLOGIES)[rng.choice(3, n_rows, p=[0.3, 0.62, 0.08])],
                dtype=pl.Enum(TECHNOLOGIES),
            ),
            "rsrp": rng.normal(-100, 12, n_rows),
            "download_mbps": rng.gamma(2.0, 20.0, n_rows),
        }
    )
    keys = pl.Series(((lat * 240).astype(np.int64)) * 100_000 + ((lon - 100) * 160).astype(np.int64))
    population = pl.DataFrame(
        {
            "area": (np.arange(n_cells) % MUNICIPALITIES).astype(str),
            "mesh": keys_to_codes(keys, 4),
            "population": rng.integers(1, 400, n_cells),
        }
    )
    return samples, population


def run_engine(n_rows: int, n_cells: int, queue: mp.Queue) -> None:
    samples, population = generate(n_rows, n_cells)
    start = time.perf_counter()
    levels = aggregate_levels(samples, (5, 4))
    fine, coarse = levels[5], measurement_verdicts(levels[4])
    no_reports = report_counts(
        pl.DataFrame(
            schema={"mesh": pl.String, "carrier": pl.String, "technology": pl.String, "reporter": pl.String}
        ),
        4,
    )
    status = cell_status(coarse, no_reports)
    coverage = population_coverage(population, status, carriers=CARRIERS)
    elapsed = time.perf_counter() - start
    queue.put(
        {
            "seconds": elapsed,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cells_250m": fine.height,
            "areas": coverage["area"].n_unique(),
            "covered_total": int(coverage["covered"].sum()),
            "population_total": int(coverage["population"].sum()),
        }
    )


def run_baseline(n_rows: int, n_cells: int, baseline_rows: int, queue: mp.Queue) -> None:
    samples, population = generate(n_rows, n_cells)
    head = samples.head(baseline_rows)
    start = time.perf_counter()
    fine: dict[tuple[str, str], list[float]] = {}
    coarse: dict[tuple[str, str], list[float]] = {}
    for lat, lon, carrier, technology, rsrp, download in zip(
        head["latitude"].to_list(),
        head["longitude"].to_list(),
        head["carrier"].to_list(),
        head["technology"].to_list(),
        head["rsrp"].to_list(),
        head["download_mbps"].to_list(),
        strict=True,
    ):
        for level, table in ((5, fine), (4, coarse)):
            counts = table.setdefault((to_meshcode(lat, lon, level), carrier), [0, 0, 0, 0, 0, 0, 0, 0.0])
            counts[0] += 1
            counts[1] += technology == "5G"
            counts[2] += technology in ("4G", "5G")
            counts[3] += technology == "none"
            if rsrp is not None:
                counts[4] += 1
                counts[5] += rsrp >= RSRP_USABLE
            if download is not None:
                counts[6] += 1
                counts[7] += download
    per_row = (time.perf_counter() - start) / max(head.height, 1)
    start = time.perf_counter()
    status = {}
    for (mesh, carrier), (n, n5, service, none, readings, usable, _, _) in coarse.items():
        if n >= 3:
            usable_rsrp = readings == 0 or usable >= readings * 0.5
            status[(mesh, carrier, "4G")] = (
                "dead" if none / n >= 0.5 else "covered" if service / n >= 0.8 and usable_rsrp else "unknown"
            )
            status[(mesh, carrier, "5G")] = "dead" if n5 == 0 else "covered" if n5 / n >= 0.5 else "unknown"
    totals: dict[tuple[str, str, str], list[int]] = {}
    for area, mesh, people in zip(
        population["area"].to_list(),
        population["mesh"].to_list(),
        population["population"].to_list(),
        strict=True,
    ):
        for carrier in CARRIERS:
            for technology in ("4G", "5G"):
                entry = totals.setdefault((area, carrier, technology), [0, 0])
                entry[0] += people
                entry[1] += people if status.get((mesh, carrier, technology)) == "covered" else 0
    population_seconds = time.perf_counter() - start
    queue.put(
        {
            "seconds": per_row * n_rows + population_seconds,
            "measured_rows": head.height,
            "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def _spawned(target: object, *args: object) -> dict:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    while True:  # a child that dies (out of memory) must not leave us waiting for ever
        try:
            result = queue.get(timeout=5)
            break
        except Exception:  # queue.Empty
            if not process.is_alive():
                raise SystemExit(
                    f"{getattr(target, '__name__', target)} stopped with exit code {process.exitcode}"
                ) from None
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--cells", type=int, default=500_000)
    parser.add_argument("--baseline-rows", type=int, default=300_000)
    parser.add_argument(
        "--quick", action="store_true", help="1,000,000 samples, 100,000 cells, baseline on 100,000"
    )
    args = parser.parse_args()
    if args.quick:
        args.rows, args.cells, args.baseline_rows = 1_000_000, 100_000, 100_000
    engine = _spawned(run_engine, args.rows, args.cells)
    baseline = _spawned(run_baseline, args.rows, args.cells, min(args.baseline_rows, args.rows))
    print(
        f"coverage: {args.rows:,} samples -> {engine['cells_250m']:,} (250 m cell, carrier) rows; population coverage for {engine['areas']:,} municipalities on {args.cells:,} populated 500 m cells"
    )
    print(
        f"  engine (Polars):       {engine['seconds']:8.2f} s   peak RSS {engine['rss_mb']:,.0f} MB (process, including the generated input)"
    )
    print(
        f"  baseline (row by row): {baseline['seconds']:8.2f} s   measured on {baseline['measured_rows']:,} samples, extrapolated to {args.rows:,}; peak RSS {baseline['rss_mb']:,.0f} MB"
    )
    print(f"  ratio: {baseline['seconds'] / engine['seconds']:.1f}x faster (target >= 30x, under 4 GB)")


if __name__ == "__main__":
    main()
