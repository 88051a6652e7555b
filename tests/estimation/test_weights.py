from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from chiiki.estimation import (
    Design,
    EstimationError,
    adjust_nonresponse_by_class,
    adjust_nonresponse_by_propensity,
    calibrate,
    controls_from_registry,
    design_weights,
    trim_weights,
    weight_diagnostics,
)


@pytest.fixture(scope="module")
def sample(municipality: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return municipality[1].with_columns(pl.Series("d", design_weights(municipality[1], "prob")))


DESIGN = Design(weight="d", strata="district", psu="hid")


def test_design_weights_are_inverse_probabilities_and_multiply_over_stages() -> None:
    frame = pl.DataFrame({"p1": [0.5, 0.25], "p2": [0.5, 1.0]})
    assert design_weights(frame, ["p1", "p2"]).tolist() == [4.0, 4.0]
    with pytest.raises(EstimationError):
        design_weights(pl.DataFrame({"p": [0.0]}), "p")


def test_class_adjustment_keeps_the_weighted_total_in_every_cell(sample: pl.DataFrame) -> None:
    adjusted = adjust_nonresponse_by_class(sample, DESIGN, "responded", "district")
    frame = sample.with_columns(pl.Series("a", adjusted))
    per = frame.group_by("district").agg(pl.col("d").sum(), pl.col("a").sum())
    np.testing.assert_allclose(per["a"].to_numpy(), per["d"].to_numpy(), rtol=1e-10)
    assert np.all(adjusted[~sample["responded"].to_numpy()] == 0)


def test_propensity_adjustment_gives_more_weight_to_those_unlikely_to_respond(sample: pl.DataFrame) -> None:
    frame = sample.with_columns((pl.col("age") < 40).cast(pl.Int8).alias("young"))
    adjusted = adjust_nonresponse_by_propensity(frame, DESIGN, "responded", ["young"], n_classes=2)
    resp = frame["responded"].to_numpy()
    young = frame["young"].to_numpy() == 1
    assert adjusted[resp & young].mean() > adjusted[resp & ~young].mean() * 1.3
    assert adjusted.sum() == pytest.approx(frame["d"].sum(), rel=1e-9)


def test_trimming_caps_weights_and_keeps_the_total(
    sample: pl.DataFrame, municipality: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    resp = sample.filter(pl.col("responded"))
    cal = calibrate(resp, "d", controls_from_registry(municipality[0], ["age_sex", "district"]))
    frame = resp.with_columns(pl.Series("cw", cal.weights))
    cap = float(np.quantile(cal.weights, 0.9))
    trimmed = trim_weights(frame, Design(weight="cw", strata="district", psu="hid"), upper=cap)
    assert trimmed.max() <= cap * (1 + 1e-6)
    assert trimmed.sum() == pytest.approx(cal.weights.sum(), rel=1e-9)


def test_diagnostics_report_kish_deff_and_convergence(
    sample: pl.DataFrame, municipality: tuple[pl.DataFrame, pl.DataFrame]
) -> None:
    assert weight_diagnostics(np.full(5, 3.0)).kish_deff == pytest.approx(1.0)
    w = np.array([1.0, 1.0, 2.0, 4.0])
    diag = weight_diagnostics(w)
    assert diag.kish_deff == pytest.approx(4 * 22 / 64)
    assert diag.ratio_max_min == 4.0
    resp = sample.filter(pl.col("responded"))
    cal = calibrate(resp, "d", controls_from_registry(municipality[0], ["district"]))
    diag = weight_diagnostics(cal.weights, cal)
    assert diag.converged is True
    assert diag.g_minimum is not None
    assert diag.g_minimum > 1
