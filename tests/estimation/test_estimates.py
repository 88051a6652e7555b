from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import svy

from chiiki.estimation import (
    Design,
    EstimationError,
    bootstrap_weights,
    estimate,
    estimate_proportions,
)

DESIGN = Design(weight="d", strata="district", psu="hid")


@pytest.fixture(scope="module")
def resp(municipality: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    return municipality[1].filter(pl.col("responded")).with_columns((1 / pl.col("prob")).alias("d"))


def test_means_totals_and_domains_agree_with_svy(resp: pl.DataFrame) -> None:
    sample = svy.Sample(resp, svy.Design(stratum="district", psu="hid", wgt="d"))
    ours = estimate(resp, DESIGN, ["income", "employed"])
    for row in ours.iter_rows(named=True):
        theirs = sample.estimation.mean(row["variable"]).to_polars().row(0, named=True)
        assert row["estimate"] == pytest.approx(theirs["est"], rel=1e-9)
        assert row["se"] == pytest.approx(theirs["se"], rel=1e-7)
    tot = estimate(resp, DESIGN, ["income"], statistic="total").row(0, named=True)
    assert tot["se"] == pytest.approx(sample.estimation.total("income").to_polars()["se"][0], rel=1e-7)
    dom = estimate(resp, DESIGN, ["income"], by="district")
    theirs = sample.estimation.mean("income", by="district").to_polars().sort("district")
    np.testing.assert_allclose(dom.sort("district")["se"].to_numpy(), theirs["se"].to_numpy(), rtol=1e-7)


def test_proportions_sum_to_one_and_have_intervals_around_them(resp: pl.DataFrame) -> None:
    props = estimate_proportions(resp, DESIGN, "hh_size")
    assert props["estimate"].sum() == pytest.approx(1.0)
    assert (props["ci_low"] < props["estimate"]).all()
    assert (props["estimate"] < props["ci_high"]).all()
    assert set(props["level"].to_list()) == {"1", "2", "3", "4+"}


def test_missing_values_leave_units_out_of_the_mean(resp: pl.DataFrame) -> None:
    frame = resp.with_columns(pl.when(pl.col("age") < 30).then(None).otherwise(pl.col("income")).alias("inc"))
    got = estimate(frame, DESIGN, ["inc"]).row(0, named=True)
    older = resp.filter(pl.col("age") >= 30)
    assert got["estimate"] == pytest.approx(float((older["d"] * older["income"]).sum() / older["d"].sum()))
    assert got["n"] == older.height


def test_bootstrap_standard_error_is_close_to_taylor(resp: pl.DataFrame) -> None:
    reps = bootstrap_weights(resp, DESIGN, n_replicates=300, seed=3)
    taylor = estimate(resp, DESIGN, ["income"]).row(0, named=True)
    boot = estimate(resp, DESIGN, ["income"], method="replicate", replicates=reps).row(0, named=True)
    assert boot["estimate"] == pytest.approx(taylor["estimate"])
    assert boot["se"] == pytest.approx(taylor["se"], rel=0.2)


def test_replicate_method_without_replicates_and_unknown_columns_are_refused(resp: pl.DataFrame) -> None:
    with pytest.raises(EstimationError):
        estimate(resp, DESIGN, ["income"], method="replicate")
    with pytest.raises(EstimationError, match="変数"):
        estimate(resp, DESIGN, ["nope"])
