"""A small simulated municipality: a registry, a household sample and a response pattern with lower response
among the young and in one district (the seed's worry)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest


def simulate(n_households: int = 3000, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)
    size = rng.choice([1, 2, 3, 4, 5], n_households, p=[0.35, 0.3, 0.17, 0.13, 0.05])
    hid = np.repeat(np.arange(n_households), size)
    n = hid.size
    district = np.array(["北", "南", "東", "西"])[rng.integers(0, 4, n_households)][hid]
    age = np.clip(rng.normal(48, 22, n), 0, 99).astype(int)
    agegroup = np.where(age < 40, "0-39", np.where(age < 65, "40-64", "65+"))
    sex = rng.choice(["F", "M"], n)
    registry = pl.DataFrame(
        {
            "hid": hid,
            "district": district,
            "age": age,
            "age_sex": [f"{a}_{s}" for a, s in zip(agegroup, sex, strict=True)],
            "hh_size": np.where(size[hid] >= 4, "4+", size[hid].astype(str)),
            "income": rng.gamma(2, 150, n) + 2 * age,
            "employed": (rng.random(n) < np.where(age < 65, 0.7, 0.2)).astype(int),
        }
    )
    # Sample one household in five, stratified by district; response lower for the young and in 西.
    chosen = rng.random(n_households) < 0.2
    sample = registry.filter(pl.Series(chosen[hid])).with_columns(pl.lit(0.2).alias("prob"))
    p_resp = 0.75 - 0.3 * (sample["age"].to_numpy() < 40) - 0.2 * (sample["district"].to_numpy() == "西")
    responded = rng.random(sample.height) < p_resp
    return registry, sample.with_columns(pl.Series("responded", responded))


@pytest.fixture(scope="session")
def municipality() -> tuple[pl.DataFrame, pl.DataFrame]:
    return simulate()
