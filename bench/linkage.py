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

- spark: the same engine with pairs scored on Splink's Spark backend, `local[2]` (issue 21);
- sharded: the same engine on DuckDB one prefecture at a time, read from the files in batches with memory
  bounded by the largest shard (`link_sharded_files`, issue 21).

Reported: wrong links, precision and recall of `linked`, share sent to review, time, peak memory (VmHWM; for
spark the Python driver plus the JVM), and whether spark/sharded decide every record as ours does.
Targets (issue 4): zero wrong links at 100k x 100k, recall >= 0.95 with <= 5 % review, 1M x 1M < 10 min
and < 8 GB.

    .venv/bin/python bench/linkage.py --size 100000 --only ours --only spark --only sharded \
        --blocking-sizes 100000,1000000

Above a million, the synthetic data is made and written a million people at a time (`PART`), so 10M fits in
memory (one generator holding ten million Python objects was killed for lack of memory at 22 GB).

``--blocking-sizes`` also reports the pairs each blocking rule generates per record at those sizes (key
counts only, no scoring) and extrapolates the cost of 125M x 82M from them and the measured throughput.
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
    _TIMINGS.update(result.timings)
    return result.links.select("record_id", "person_id", "decision")


def _run_spark(folder: Path) -> pl.DataFrame:
    from chiiki.linkage.engine import link, read_records, read_registry, spark_session

    session = spark_session("local[2]", config={"spark.driver.memory": "6g"})
    result = link(
        read_registry(folder / "registry.csv"),
        read_records(folder / "records.csv"),
        spark=session,
        work_dir=folder / "spark-work",
    )
    # The JVM, still running, is read from /proc; the key-building workers have ended and been waited for, and
    # the JVM is not yet among the ended children, so RUSAGE_CHILDREN counts the workers alone.
    _CHILDREN_PEAK.extend([_children_peak_mb(), _ended_workers_peak_mb()])
    session.stop()
    _TIMINGS.update(result.timings)
    return result.links.select("record_id", "person_id", "decision")


def _run_sharded(folder: Path) -> pl.DataFrame:
    from chiiki.linkage.engine import MOVED_REASON, link_sharded_files

    # From the files, one batch of shards in memory at a time; rows and pairs wait in Parquet in the temp folder.
    result = link_sharded_files(
        folder / "registry.csv", folder / "records.csv", "prefecture", work_dir=folder / "sharded-work"
    )
    _TIMINGS.update(result.timings)
    # Records one run links whose person is in another shard: sent to review on purpose (movers).
    _TIMINGS["held_movers"] = float(result.links.filter(pl.col("reason") == MOVED_REASON).height)
    return result.links.select("record_id", "person_id", "decision")


# Spark's children (JVM and key workers), measured before the JVM ends; the other methods' workers are
# measured in `_child`, once they have ended.
_CHILDREN_PEAK: list[float] = []
_TIMINGS: dict[str, float] = {}


def _children_peak_mb() -> float:
    """Peak resident memory of this process's children (the Spark JVM), from /proc."""
    import os

    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent != os.getpid():
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
        except (OSError, ValueError, IndexError):
            continue
    return total


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


METHODS = {
    "ours": _run_ours,
    "exact": _run_exact,
    "splink_plain": _run_splink_plain,
    "spark": _run_spark,
    "sharded": _run_sharded,
}


def _child(method: str, folder: str, queue: Any) -> None:
    start = time.perf_counter()
    links = METHODS[method](Path(folder))
    elapsed = time.perf_counter() - start
    links.write_parquet(Path(folder) / f"links_{method}.parquet")
    children = sum(_CHILDREN_PEAK) if _CHILDREN_PEAK else _ended_workers_peak_mb()
    queue.put((elapsed, _peak_memory_mb() + children, dict(_TIMINGS)))


def _ended_workers_peak_mb() -> float:
    """Upper bound of the key-building worker processes' memory: their count times the largest one's peak.

    They run side by side, so their peaks add up; they have ended (and been waited for) by now, which is
    when the kernel reports them.
    """
    import resource

    from chiiki.linkage.engine._features import default_workers

    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return default_workers() * largest if largest else 0.0


def _measure(method: str, folder: Path) -> tuple[pl.DataFrame, float, float, dict[str, float]]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(method, str(folder), queue))
    process.start()
    elapsed, peak, timings = queue.get()
    process.join()
    return pl.read_parquet(folder / f"links_{method}.parquet"), elapsed, peak, timings


def _same_decisions(links: pl.DataFrame, reference: pl.DataFrame) -> int:
    """Records decided differently (decision or person) from the reference run."""
    joined = reference.select("record_id", pl.col("person_id").fill_null(""), "decision").join(
        links.select("record_id", pl.col("person_id").fill_null(""), "decision"), on="record_id", suffix="_b"
    )
    return joined.filter(
        (pl.col("decision") != pl.col("decision_b")) | (pl.col("person_id") != pl.col("person_id_b"))
    ).height


def _count_keys(
    size: int,
    seed: int,
    pool: Any,
    lefts: dict[str, list[pl.DataFrame]],
    rights: dict[str, list[pl.DataFrame]],
) -> None:
    from chiiki.linkage.engine import BLOCKING_RULES, build_features

    for registry_rows, record_rows, _truth in _parts(size, seed):
        registry = build_features(pl.DataFrame(registry_rows), "person_id", pool=pool)
        records = build_features(pl.DataFrame(record_rows), "record_id", pool=pool)
        del registry_rows, record_rows
        for rule in BLOCKING_RULES:
            columns = list(rule)
            lefts["+".join(rule)].append(records.drop_nulls(columns).group_by(columns).len("n_left"))
            rights["+".join(rule)].append(registry.drop_nulls(columns).group_by(columns).len("n_right"))


def _blocking_report(size: int, seed: int) -> dict[str, float]:
    """Pairs each blocking rule generates per record at ``size`` x ``size`` (from key counts, no scoring)."""
    from chiiki.linkage.engine import BLOCKING_RULES
    from chiiki.linkage.engine._features import normalizing_pool

    start = time.perf_counter()
    # Key counts add up across parts: count each part's keys, then sum the counts (memory of one part).
    lefts: dict[str, list[pl.DataFrame]] = {"+".join(rule): [] for rule in BLOCKING_RULES}
    rights: dict[str, list[pl.DataFrame]] = {"+".join(rule): [] for rule in BLOCKING_RULES}
    with normalizing_pool() as pool:
        _count_keys(size, seed, pool, lefts, rights)
    report: dict[str, float] = {}
    for rule in BLOCKING_RULES:
        columns, name = list(rule), "+".join(rule)
        left = pl.concat(lefts.pop(name)).group_by(columns).agg(pl.col("n_left").sum())
        right = pl.concat(rights.pop(name)).group_by(columns).agg(pl.col("n_right").sum())
        pairs = left.join(right, on=columns).select((pl.col("n_left") * pl.col("n_right")).sum()).item()
        report[name] = float(pairs or 0) / size
    report["all rules (sum, upper bound)"] = sum(report.values())
    print(f"  blocking at {size:,}: {time.perf_counter() - start:.0f} s")
    return report


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


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]], *, append: bool = False) -> None:
    with path.open("a" if append else "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        if not append:
            writer.writeheader()
        writer.writerows(rows)


# The synthetic generator holds its people as Python objects (about 2 GB a million): above a million, the data
# is made a million at a time (each part with its own seed, its ids prefixed with the part's number) and written
# to the files part by part, so memory stays that of one part. Within a part, records describe that part's
# people; addresses are drawn across the country in every part, so people who moved exist at any size.
PART = 1_000_000


def _parts(size: int, seed: int) -> Any:
    """Yield (registry rows, record rows, truth rows) a million at a time, with ids unique across parts."""
    from chiiki.demo.linkage import generate

    for number, start in enumerate(range(0, size, PART)):
        count = min(PART, size - start)
        data = generate(count, count, seed=seed if number == 0 else seed * 1_000 + number)
        if number:
            tag = f"{number:02d}"
            for row in data.registry:
                row["person_id"] = f"P{tag}{row['person_id'][1:]}"
            for row in data.records:
                row["record_id"] = f"R{tag}{row['record_id'][1:]}"
            for row in data.truth:
                row["record_id"] = f"R{tag}{row['record_id'][1:]}"
                row["person_id"] = f"P{tag}{row['person_id'][1:]}" if row["person_id"] else ""
        yield data.registry, data.records, data.truth
        del data


def _generate_files(folder: Path, size: int, seed: int) -> pl.DataFrame:
    """Write registry.csv and records.csv (size x size) into `folder`; return the truth (record -> person)."""
    from chiiki.demo.linkage import RECORD_COLUMNS, REGISTRY_COLUMNS

    truths = []
    for number, (registry, records, truth) in enumerate(_parts(size, seed)):
        _write(folder / "registry.csv", REGISTRY_COLUMNS, registry, append=number > 0)
        _write(folder / "records.csv", RECORD_COLUMNS, records, append=number > 0)
        truths.append(
            pl.DataFrame(truth).select("record_id", pl.col("person_id").replace("", None).alias("person_id"))
        )
    return pl.concat(truths)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="5,000 x 5,000")
    parser.add_argument("--size", type=int, default=100_000, help="persons and records (default 100,000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--only", choices=sorted(METHODS), action="append", help="run only these methods")
    parser.add_argument("--blocking-sizes", default="", help="comma-separated sizes for the blocking report")
    parser.add_argument(
        "--blocking-only",
        action="store_true",
        help="only the blocking report (no data files, no linkage runs)",
    )
    args = parser.parse_args()
    size = 5_000 if args.quick else args.size
    blocking_sizes = [int(value) for value in args.blocking_sizes.split(",") if value.strip()]

    rows: list[dict[str, Any]] = []
    timings: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as tmp:
        folder = Path(tmp)
        if not args.blocking_only:
            rows, timings = _run_methods(
                folder, size, args.seed, args.only or ["ours", "exact", "splink_plain"]
            )

    _print_results(rows)
    by_name = {row["method"]: row for row in rows}
    reports = {n: _blocking_report(n, args.seed) for n in blocking_sizes}
    if reports:
        rules = list(next(iter(reports.values())))
        print(
            f"\npairs generated per record by each blocking rule\n{'rule':<34}"
            + "".join(f"{n:>14,}" for n in reports)
        )
        for rule in rules:
            print(f"{rule:<34}" + "".join(f"{reports[n][rule]:>14.2f}" for n in reports))
        _extrapolate(reports, size, by_name, timings)


def _run_methods(
    folder: Path, size: int, seed: int, methods: list[str]
) -> tuple[list[dict[str, Any]], dict[str, dict[str, float]]]:
    """Generate the data set, run each method in its own process, and score it against the truth."""
    start = time.perf_counter()
    truth = _generate_files(folder, size, seed)
    outside = truth["person_id"].null_count()
    print(f"data: {size:,} persons x {size:,} records ({outside:,} outside the registry), "
          f"generated in {time.perf_counter() - start:.1f} s")  # fmt: skip

    rows: list[dict[str, Any]] = []
    reference: pl.DataFrame | None = None
    timings: dict[str, dict[str, float]] = {}
    for method in methods:
        links, elapsed, peak, timings[method] = _measure(method, folder)
        differ = _same_decisions(links, reference) if reference is not None else 0
        if method == "ours":
            reference = links
        rows.append(
            {
                "method": method,
                **_score(links, truth),
                "time_s": elapsed,
                "peak_mb": peak,
                "differ": differ,
            }
        )
        print(f"  {method} done in {elapsed:.1f} s {timings[method]}")
        _show_wrong_links(folder, links, truth, method)
    return rows, timings


def _show_wrong_links(
    folder: Path, links: pl.DataFrame, truth: pl.DataFrame, method: str, most: int = 20
) -> None:
    """Print the wrong links with the record's, the linked person's and the true person's values: the data
    files are deleted when the run ends, and a wrong link must be explainable afterwards."""
    wrong = (
        links.join(truth.rename({"person_id": "true_id"}), on="record_id", how="left")
        .filter((pl.col("decision") == "linked") & (pl.col("person_id") != pl.col("true_id").fill_null("")))
        .head(most)
    )
    if wrong.is_empty():
        return
    fields = ["name_kanji", "name_kana", "birth_date", "sex", "address", "postal_code"]
    records = pl.scan_csv(folder / "records.csv", infer_schema=False)
    registry = pl.scan_csv(folder / "registry.csv", infer_schema=False)
    ids = set(wrong["person_id"].to_list()) | set(wrong["true_id"].drop_nulls().to_list())
    people = {
        r["person_id"]: r
        for r in registry.filter(pl.col("person_id").is_in(ids)).collect().iter_rows(named=True)
    }
    record_rows = records.filter(pl.col("record_id").is_in(wrong["record_id"].to_list())).collect()
    said = {r["record_id"]: r for r in record_rows.iter_rows(named=True)}
    print(f"  {method}: wrong links (first {most}), record / linked person / true person:")
    for row in wrong.iter_rows(named=True):
        for label, values in (
            (row["record_id"], said.get(row["record_id"], {})),
            (row["person_id"], people.get(row["person_id"], {})),
            (row["true_id"] or "(not in the registry)", people.get(row["true_id"] or "", {})),
        ):
            print(f"    {label:<14} " + " | ".join(str(values.get(f, "")) for f in fields))
        print()


def _print_results(rows: list[dict[str, Any]]) -> None:
    """The table of methods, and ours against the baselines and the other backends."""
    if not rows:
        return
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
        _compare_backends(ours, by_name)


def _compare_backends(ours: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> None:
    for name in ("spark", "sharded"):
        if name in by_name:
            other = by_name[name]
            print(
                f"{name} vs ours (duckdb): records decided differently {other['differ']}, "
                f"time ratio {other['time_s'] / max(ours['time_s'], 1e-9):.2f}, "
                f"memory ratio {other['peak_mb'] / max(ours['peak_mb'], 1e-9):.2f}"
            )


def _pairs_per_core_second(timing: dict[str, float], pairs: float | None) -> float | None:
    """Scoring throughput per core (2 cores): from the predict step, or for a sharded run from its
    cross-shard pass (scored pairs it counted itself, read from and written to Parquet)."""
    if "predict" in timing and pairs:
        return pairs / max(timing["predict"], 1e-9) / 2
    if timing.get("cross_pairs") and timing.get("cross_shard"):
        return timing["cross_pairs"] / timing["cross_shard"] / 2
    return None


def _extrapolate(
    reports: dict[int, dict[str, float]],
    size: int,
    by_name: dict[str, dict[str, Any]],
    timings: dict[str, dict[str, float]],
) -> None:
    """Estimate of 125M records x 82M registry on a cluster, from pairs per record and measured throughput."""
    import math

    key = "all rules (sum, upper bound)"
    sizes = sorted(reports)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = math.log(reports[large][key] / max(reports[small][key], 1e-9)) / math.log(large / small)
    else:
        large, growth = sizes[0], 1.0
    per_record = reports[large][key] * (82e6 / large) ** growth
    pairs = per_record * 125e6
    print(f"\nESTIMATE (not a measurement): pairs per record grow as size^{growth:.2f}; at an 82M registry "
          f"{per_record:,.0f} pairs per record, {pairs:.2e} pairs for 125M records")  # fmt: skip
    base = reports.get(size)
    for name in ("spark", "ours", "sharded"):
        rate = _pairs_per_core_second(timings.get(name, {}), base[key] * size if base else None)
        if rate:
            hours = pairs / rate / 3600
            print(f"  {name}: measured {rate:,.0f} pairs/s per core at {size:,}; 125M x 82M would take about "
                  f"{hours:,.0f} core-hours, {hours / 256:,.1f} h on a 256-core cluster (estimate)")  # fmt: skip


if __name__ == "__main__":
    main()
