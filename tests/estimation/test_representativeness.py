from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from chiiki.estimation import (
    Design,
    EstimationError,
    bias_report,
    calibrate,
    controls_from_registry,
    mean_absolute_bias,
    r_indicator,
    response_propensities,
    response_rates,
)


def test_r_indicator_is_one_when_everyone_is_equally_likely_to_respond() -> None:
    assert r_indicator(np.full(10, 0.4)) == pytest.approx(1.0)


def test_r_indicator_matches_the_formula_with_design_weights() -> None:
    rho = np.array([0.2, 0.4, 0.6, 0.8])
    d = np.array([1.0, 2.0, 3.0, 4.0])
    mean = (d @ rho) / d.sum()
    s = np.sqrt(d @ (rho - mean) ** 2 / (d.sum() - 1))
    assert r_indicator(rho, d) == pytest.approx(1 - 2 * s)
    with pytest.raises(EstimationError):
        r_indicator(rho, d[:2])


def test_response_rates_show_the_young_respond_less(municipality: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    _, sample = municipality
    sample = sample.with_columns(
        pl.when(pl.col("age") < 40).then(pl.lit("young")).otherwise(pl.lit("old")).alias("ag")
    )
    rates = response_rates(sample, "responded", ["ag", "district"], weight="prob")
    by = {(r["group"], r["level"]): r["rate"] for r in rates.iter_rows(named=True)}
    assert by[("ag", "young")] < by[("ag", "old")] - 0.15
    assert by[("district", "西")] < by[("district", "北")]
    assert rates.filter(pl.col("group") == "ag")["sampled"].sum() == sample.height


def test_calibration_removes_the_bias_that_non_response_created(
    municipality: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    registry, sample = municipality
    resp = sample.filter(pl.col("responded")).with_columns((1 / pl.col("prob")).alias("w"))
    controls = controls_from_registry(registry, ["age_sex", "district", "hh_size"])
    cal = calibrate(resp, "w", controls)
    report = bias_report(
        resp,
        registry,
        ["age_sex", "district"],
        {"unweighted": np.ones(resp.height), "calibrated": cal.weights},
    )
    assert mean_absolute_bias(report, "calibrated") < 1e-9
    assert mean_absolute_bias(report, "unweighted") > 0.005
    assert set(report.columns) >= {
        "variable",
        "level",
        "registry_share",
        "unweighted_bias",
        "calibrated_bias",
    }


def test_propensities_from_svy_logistic_regression_give_an_r_indicator_below_one(
    municipality: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    _, sample = municipality
    sample = sample.with_columns(
        (1 / pl.col("prob")).alias("d"), (pl.col("age") < 40).cast(pl.Int8).alias("young")
    )
    design = Design(weight="d", strata="district", psu="hid")
    rho = response_propensities(sample, design, "responded", ["young", "district"], categorical=["district"])
    young = sample["young"].to_numpy() == 1
    assert rho[young].mean() < rho[~young].mean() - 0.2
    r = r_indicator(rho, sample["d"].to_numpy())
    assert 0.5 < r < 0.95
