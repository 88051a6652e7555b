"""Benchmark of registry linkage on synthetic data with known truth, against two baselines in the same run.

    .venv/bin/python bench/linkage.py            # 100,000 persons x 100,000 records
    .venv/bin/python bench/linkage.py --quick    # 5,000 x 5,000
    .venv/bin/python bench/linkage.py --size 1000000 --only ours

Methods, each run end to end from the CSV files in its own process (so time and peak memory are its own):
- ours: chiiki.linkage.engine.link (normalization, Splink with fixed m priors, strict decision rule);
- exact: the rule behind the 2023 wrong links: kana name + birth date + sex equal (read with our
  normalizers, its best case), linked when exactly one registry person matches;
- splink_plain: Splink with its stock comparisons on the raw columns, u by random sampling and m by EM,
  best candidate linked at probability >= 0.95 (no normalization, no review step).

Reported: wrong links, precision and recall of `linked`, share sent to review, time, peak memory (VmHWM).
Targets (issue 4): zero wrong links at 100k x 100k, recall >= 0.95 with <= 5 % review, 1M x 1M < 10 min
and < 8 GB.
"""

from __future__ import annotations

import argparse
import csv
import logging
import multiprocessing as mp
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl


def _peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run_ours(folder: Path) -> pl.DataFrame:
    from chiiki.linkage.engine import link, read_records, read_registry

    result = link(read_registry(folder / "registry.csv"), read_records(folder / "records.csv"))
    return result.links.select("record_id", "person_id", "decision")


def _run_exact(folder: Path) -> pl.DataFrame:
    from chiiki.linkage.engine import build_features, read_records, read_registry

    registry = build_features(read_registry(folder / "registry.csv"), "person_id")
    records = build_features(read_records(folder / "records.csv"), "record_id")
    keys = ["kana_full", "dob", "sex"]
    candidates = (
        records.select(pl.col("unique_id").alias("record_id"), *keys)
        .drop_nulls(keys)
        .join(registry.select(pl.col("unique_id").alias("person_id"), *keys).drop_nulls(keys), on=keys)
    )
    unique = candidates.filter(pl.len().over("record_id") == 1).select("record_id", "person_id")
    return (
        records.select(pl.col("unique_id").alias("record_id"))
        .join(unique, on="record_id", how="left")
        .with_columns(
            pl.when(pl.col("person_id").is_not_null())
            .then(pl.lit("linked"))
            .otherwise(pl.lit("unmatched"))
            .alias("decision")
        )
    )


def _run_splink_plain(folder: Path) -> pl.DataFrame:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    from chiiki.linkage.engine import read_records, read_registry

    registry = read_registry(folder / "registry.csv").rename({"person_id": "unique_id"})
    records = read_records(folder / "records.csv").rename({"record_id": "unique_id"})
    db_api = DuckDBAPI()
    left = db_api.register(records.to_arrow(), dataset_display_name="records")
    right = db_api.register(registry.to_arrow(), dataset_display_name="registry")
    settings = SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name_kanji", [0.9]),
            cl.JaroWinklerAtThresholds("name_kana", [0.9]),
            cl.LevenshteinAtThresholds("birth_date", [1, 2]),
            cl.ExactMatch("sex"),
            cl.LevenshteinAtThresholds("address", [2, 5]),
            cl.ExactMatch("postal_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            block_on("name_kana"),
            block_on("name_kanji"),
        ],
        probability_two_random_records_match=1 / max(registry.height, 2),
    )
    linker = Linker([left, right], settings, log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_kana"))
    predictions = linker.inference.predict(threshold_match_probability=0.95, warning_mode="never")
    pairs = pl.from_arrow(
        db_api._con.sql(
            f"SELECT CASE WHEN source_dataset_l = 'registry' THEN unique_id_r ELSE unique_id_l END AS record_id, "  # noqa: S608
            f"CASE WHEN source_dataset_l = 'registry' THEN unique_id_l ELSE unique_id_r END AS person_id, "
            f"match_probability FROM {predictions.physical_name}"
        ).to_arrow_table()
    )
    assert isinstance(pairs, pl.DataFrame)
    best = pairs.sort("match_probability", descending=True).group_by("record_id", maintain_order=True).first()
    return (
        records.select(pl.col("unique_id").alias("record_id"))
        .join(best.select("record_id", "person_id"), on="record_id", how="left")
        .with_columns(
            pl.when(pl.col("person_id").is_not_null())
            .then(pl.lit("linked"))
            .otherwise(pl.lit("unmatched"))
            .alias("decision")
        )
    )


METHODS = {"ours": _run_ours, "exact": _run_exact, "splink_plain": _run_splink_plain}


def _child(method: str, folder: str, queue: Any) -> None:
    start = time.perf_counter()
    links = METHODS[method](Path(folder))
    elapsed = time.perf_counter() - start
    links.write_parquet(Path(folder) / f"links_{method}.parquet")
    queue.put((elapsed, _peak_memory_mb()))


def _measure(method: str, folder: Path) -> tuple[pl.DataFrame, float, float]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(method, str(folder), queue))
    process.start()
    elapsed, peak = queue.get()
    process.join()
    return pl.read_parquet(folder / f"links_{method}.parquet"), elapsed, peak


def _score(links: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    joined = links.join(truth.rename({"person_id": "true_id"}), on="record_id", how="left")
    linked = joined.filter(pl.col("decision") == "linked")
    right = linked.filter(pl.col("person_id") == pl.col("true_id")).height
    registered = joined.filter(pl.col("true_id").is_not_null()).height
    return {
        "wrong": linked.height - right,
        "precision": right / linked.height if linked.height else 1.0,
        "recall": right / registered if registered else 0.0,
        "review": joined.filter(pl.col("decision") == "review").height / max(joined.height, 1),
    }


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5,000 x 5,000")
    parser.add_argument("--size", type=int, default=100_000, help="persons and records (default 100,000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--only", choices=sorted(METHODS), action="append", help="run only these methods")
    args = parser.parse_args()
    size = 5_000 if args.quick else args.size

    from chiiki.demo.linkage import RECORD_COLUMNS, REGISTRY_COLUMNS, generate

    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        data = generate(size, size, seed=args.seed)
        _write(folder / "registry.csv", REGISTRY_COLUMNS, data.registry)
        _write(folder / "records.csv", RECORD_COLUMNS, data.records)
        truth = pl.DataFrame(data.truth).select(
            "record_id", pl.col("person_id").replace("", None).alias("person_id")
        )
        outside = truth["person_id"].null_count()
        del data
        print(f"data: {size:,} persons x {size:,} records ({outside:,} outside the registry), "
              f"generated in {time.perf_counter() - start:.1f} s")  # fmt: skip

        rows = []
        for method in args.only or ["ours", "exact", "splink_plain"]:
            links, elapsed, peak = _measure(method, folder)
            rows.append({"method": method, **_score(links, truth), "time_s": elapsed, "peak_mb": peak})
            print(f"  {method} done in {elapsed:.1f} s")

    print(
        f"\n{'method':<13}{'wrong':>7}{'precision':>11}{'recall':>9}{'review':>9}{'time s':>9}{'peak MB':>9}"
    )
    for row in rows:
        print(
            f"{row['method']:<13}{row['wrong']:>7}{row['precision']:>11.5f}{row['recall']:>9.4f}"
            f"{row['review']:>9.2%}{row['time_s']:>9.1f}{row['peak_mb']:>9.0f}"
        )
    by_name = {row["method"]: row for row in rows}
    if "ours" in by_name:
        ours = by_name["ours"]
        for name in ("exact", "splink_plain"):
            if name in by_name:
                base = by_name[name]
                print(
                    f"ours vs {name}: wrong links {ours['wrong']} vs {base['wrong']}, "
                    f"recall ratio {ours['recall'] / max(base['recall'], 1e-9):.2f}, "
                    f"time ratio {ours['time_s'] / max(base['time_s'], 1e-9):.2f}"
                )
        verdict = ours["wrong"] == 0 and ours["recall"] >= 0.95 and ours["review"] <= 0.05
        print(f"targets (0 wrong, recall >= 0.95, review <= 5%): {'met' if verdict else 'NOT met'}")


if __name__ == "__main__":
    main()
