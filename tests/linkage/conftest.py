"""Shared synthetic data for the linkage tests: generated once, linked once, per test session."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from chiiki.demo.linkage import RECORD_COLUMNS, REGISTRY_COLUMNS, TRUTH_COLUMNS, SyntheticData, generate
from chiiki.linkage.engine import LinkageResult, link


@pytest.fixture(scope="session")
def synthetic() -> SyntheticData:
    return generate(1500, 1500, seed=11)


@pytest.fixture(scope="session")
def linked(synthetic: SyntheticData) -> tuple[LinkageResult, pl.DataFrame]:
    registry = pl.DataFrame(synthetic.registry)
    records = pl.DataFrame(synthetic.records)
    truth = pl.DataFrame(synthetic.truth).rename({"person_id": "true_person_id"})
    return link(registry, records), truth


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def synthetic_files(tmp_path_factory: pytest.TempPathFactory, synthetic: SyntheticData) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("linkage-data")
    small_registry = synthetic.registry[:400]
    kept = {row["person_id"] for row in small_registry}
    pairs = [
        (r, t) for r, t in zip(synthetic.records, synthetic.truth, strict=True) if t["person_id"] in kept
    ]
    return {
        "registry": write_csv(folder / "registry.csv", REGISTRY_COLUMNS, small_registry),
        "records": write_csv(folder / "records.csv", RECORD_COLUMNS, [r for r, _ in pairs]),
        "truth": write_csv(folder / "truth.csv", TRUTH_COLUMNS, [t for _, t in pairs]),
    }
