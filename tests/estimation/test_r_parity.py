"""Our calibration and variances against R's survey package (expected values committed in r/).

r/parity.R produced r/parity_expected_*.csv from r/parity_sample.csv and r/parity_totals.csv; this test only
reads those files, so it runs without R. Agreement is required to 6 significant digits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.estimation import (
    CalibrationResult,
    Design,
    calibrate,
    estimate,
    estimate_ratio,
    jackknife_weights,
)

HERE = Path(__file__).parent / "r"
DESIGN = Design(weight="w", strata="district", psu="hid")
RTOL = 5e-7  # 6 significant digits


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return pl.read_csv(HERE / "parity_sample.csv")


@pytest.fixture(scope="module")
def controls() -> dict[str, dict[object, float]]:
    totals = pl.read_csv(HERE / "parity_totals.csv")
    out: dict[str, dict[object, float]] = {}
    for row in totals.iter_rows(named=True):
        out.setdefault(row["margin"], {})[row["level"]] = float(row["total"])
    return out


@pytest.fixture(scope="module")
def expected() -> pl.DataFrame:
    return pl.read_csv(HERE / "parity_expected_estimates.csv").with_columns(pl.col("domain").fill_null(""))


@pytest.fixture(scope="module")
def calibrations(
    sample: pl.DataFrame, controls: dict[str, dict[object, float]]
) -> dict[str, CalibrationResult]:
    return {
        "raking": calibrate(sample, "w", controls, method="raking"),
        "linear": calibrate(sample, "w", controls, method="linear"),
        "linear_bounded": calibrate(sample, "w", controls, method="linear", bounds=(0.3, 3.0)),
    }


def _expected(expected: pl.DataFrame, design: str, statistic: str, variable: str, domain: str = "") -> tuple:
    row = expected.filter(
        (pl.col("design") == design)
        & (pl.col("statistic") == statistic)
        & (pl.col("variable") == variable)
        & (pl.col("domain") == domain)
    )
    assert row.height == 1, (design, statistic, variable, domain)
    return float(row["estimate"][0]), float(row["se"][0])


@pytest.mark.parametrize("method", ["raking", "linear", "linear_bounded"])
def test_calibrated_weights_match_r(method: str, calibrations: dict[str, CalibrationResult]) -> None:
    r_weights = pl.read_csv(HERE / "parity_expected_weights.csv")[method].to_numpy()
    np.testing.assert_allclose(calibrations[method].weights, r_weights, rtol=RTOL)


@pytest.mark.parametrize("design_name", ["base", "raking", "linear", "linear_bounded"])
@pytest.mark.parametrize("statistic", ["mean", "total"])
def test_taylor_estimates_and_standard_errors_match_r(
    design_name: str,
    statistic: str,
    sample: pl.DataFrame,
    calibrations: dict[str, CalibrationResult],
    expected: pl.DataFrame,
) -> None:
    cal = calibrations.get(design_name)
    got = estimate(sample, DESIGN, ["income", "employed", "hours"], statistic=statistic, calibration=cal)  # type: ignore[arg-type]
    for row in got.iter_rows(named=True):
        est, se = _expected(expected, design_name, statistic, row["variable"])
        assert row["estimate"] == pytest.approx(est, rel=RTOL)
        assert row["se"] == pytest.approx(se, rel=RTOL)


@pytest.mark.parametrize("design_name", ["base", "raking", "linear", "linear_bounded"])
def test_domain_means_and_ratio_match_r(
    design_name: str,
    sample: pl.DataFrame,
    calibrations: dict[str, CalibrationResult],
    expected: pl.DataFrame,
) -> None:
    cal = calibrations.get(design_name)
    got = estimate(sample, DESIGN, ["income", "employed"], by="district", calibration=cal)
    assert got.height == 8
    for row in got.iter_rows(named=True):
        est, se = _expected(expected, design_name, "mean", row["variable"], row["district"])
        assert row["estimate"] == pytest.approx(est, rel=RTOL)
        assert row["se"] == pytest.approx(se, rel=RTOL)
    ratio = estimate_ratio(sample, DESIGN, "income", "hours", calibration=cal).row(0, named=True)
    est, se = _expected(expected, design_name, "ratio", "income/hours")
    assert ratio["estimate"] == pytest.approx(est, rel=RTOL)
    assert ratio["se"] == pytest.approx(se, rel=RTOL)


def test_jackknife_standard_errors_match_r(
    sample: pl.DataFrame, calibrations: dict[str, CalibrationResult], expected: pl.DataFrame
) -> None:
    reps = jackknife_weights(sample, DESIGN)
    got = estimate(sample, DESIGN, ["income", "employed"], method="replicate", replicates=reps)
    for row in got.iter_rows(named=True):
        est, se = _expected(expected, "jkn", "mean", row["variable"])
        assert row["estimate"] == pytest.approx(est, rel=RTOL)
        assert row["se"] == pytest.approx(se, rel=RTOL)


def test_recalibrated_jackknife_standard_errors_match_r(
    sample: pl.DataFrame, calibrations: dict[str, CalibrationResult], expected: pl.DataFrame
) -> None:
    cal = calibrations["raking"]
    reps = jackknife_weights(sample, DESIGN).calibrated(cal)
    means = estimate(
        sample, DESIGN, ["income", "employed"], calibration=cal, method="replicate", replicates=reps
    )
    totals = estimate(
        sample, DESIGN, ["income"], statistic="total", calibration=cal, method="replicate", replicates=reps
    )
    labelled = [("mean", r) for r in means.iter_rows(named=True)]
    labelled += [("total", r) for r in totals.iter_rows(named=True)]
    for statistic, row in labelled:
        est, se = _expected(expected, "jkn_raking", statistic, row["variable"])
        assert row["estimate"] == pytest.approx(est, rel=RTOL)
        assert row["se"] == pytest.approx(se, rel=RTOL)
