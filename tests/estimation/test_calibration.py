from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import svy
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.estimation import (
    AuxiliaryMatrix,
    EstimationError,
    calibrate,
    calibrate_matrix,
    controls_from_registry,
)

MARGINS = ["age_sex", "district", "hh_size"]
Controls = dict[str, dict[object, float]]


@pytest.fixture(scope="module")
def respondents(municipality: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    _, sample = municipality
    return sample.filter(pl.col("responded")).with_columns((1 / pl.col("prob")).alias("w"))


@pytest.fixture(scope="module")
def controls(municipality: tuple[pl.DataFrame, pl.DataFrame]) -> dict[str, dict[object, float]]:
    return controls_from_registry(municipality[0], MARGINS)


@pytest.mark.parametrize("method", ["raking", "linear"])
def test_calibrated_weights_reproduce_every_registry_margin(
    method: str, respondents: pl.DataFrame, controls: Controls
) -> None:
    res = calibrate(respondents, "w", controls, method=method)  # type: ignore[arg-type]
    assert res.converged
    frame = respondents.with_columns(pl.Series("cw", res.weights))
    for margin, levels in controls.items():
        got = dict(frame.group_by(margin).agg(pl.col("cw").sum()).iter_rows())
        for level, total in levels.items():
            assert got[level] == pytest.approx(total, rel=1e-9)


def test_raking_agrees_with_svy_rake(respondents: pl.DataFrame, controls: Controls) -> None:
    ours = calibrate(respondents, "w", controls, method="raking").weights
    sample = svy.Sample(respondents.select(["w", *MARGINS]), svy.Design(wgt="w"))
    theirs = sample.weighting.rake(controls=controls, tol=1e-12, max_iter=1000).data["rk_wgt"].to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-8)


def test_linear_calibration_agrees_with_svy_calibrate(respondents: pl.DataFrame, controls: Controls) -> None:
    ours = calibrate(respondents, "w", controls, method="linear").weights
    sample = svy.Sample(respondents.select(["w", *MARGINS]), svy.Design(wgt="w"))
    svy_controls = {svy.Cat(m): levels for m, levels in controls.items()}
    theirs = sample.weighting.calibrate(controls=svy_controls).data["calib_wgt"].to_numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-8)


def test_bounds_hold_and_margins_still_match(respondents: pl.DataFrame, controls: Controls) -> None:
    res = calibrate(respondents, "w", controls, method="linear", bounds=(0.75, 2.8))
    assert res.g.min() >= 0.75 - 1e-12
    assert res.g.max() <= 2.8 + 1e-12
    assert np.isclose(res.g, 2.8).sum() > 0  # the bound binds
    assert res.max_relative_misfit < 1e-9


def test_unreachable_bounds_are_reported_not_hidden(respondents: pl.DataFrame, controls: Controls) -> None:
    with pytest.raises(EstimationError, match="収束"):
        calibrate(respondents, "w", controls, method="linear", bounds=(0.99, 1.01))
    res = calibrate(
        respondents,
        "w",
        controls,
        method="raking",
        bounds=(0.99, 1.01),
        require_convergence=False,
        max_iter=20,
    )
    assert not res.converged
    assert res.max_relative_misfit > 1e-3


def test_a_level_without_registry_total_is_refused(respondents: pl.DataFrame) -> None:
    with pytest.raises(EstimationError, match="母集団"):
        calibrate(respondents, "w", {"district": {"北": 10.0, "南": 10.0}})


def test_inconsistent_margin_totals_are_refused(respondents: pl.DataFrame, controls: dict) -> None:
    bad = {**controls, "district": {k: v * 1.1 for k, v in controls["district"].items()}}
    with pytest.raises(EstimationError, match="合計"):
        calibrate(respondents, "w", bad)


@settings(max_examples=40, deadline=None)
@given(
    weights=st.lists(st.floats(0.5, 20.0), min_size=8, max_size=30),
    factor=st.floats(0.6, 1.6),
    method=st.sampled_from(["raking", "linear"]),
)
def test_one_margin_calibration_is_poststratification(
    weights: list[float], factor: float, method: str
) -> None:
    w = np.asarray(weights)
    group = np.arange(w.size) % 2
    x = np.column_stack([group == 0, group == 1]).astype(float)
    totals = np.array([w[group == 0].sum() * factor, w[group == 1].sum() / factor])
    res = calibrate_matrix(w, AuxiliaryMatrix(x, totals, ["a", "b"]), method=method)  # type: ignore[arg-type]
    assert res.converged
    expected = np.where(group == 0, w * factor, w / factor)
    np.testing.assert_allclose(res.weights, expected, rtol=1e-9)
