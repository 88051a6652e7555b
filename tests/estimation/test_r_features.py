"""Issue 20's features against R's survey package, on datasets that package bundles (see r/datasets/README.md).

r/features.R computed r/features_expected_*.csv with R 4.2 / survey 4.1-1; these tests only read the committed
files, so they run without R. Agreement is required to 1e-6 relative.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from chiiki.estimation import (
    Design,
    EstimationError,
    ReplicateWeights,
    bootstrap_weights,
    brr_weights,
    calibrate,
    estimate,
    estimate_ratio,
    jackknife_weights,
    trim_weights,
)

HERE = Path(__file__).parent / "r"
RTOL = 1e-6


def _data(name: str) -> pl.DataFrame:
    return pl.read_csv(HERE / "datasets" / f"{name}.csv", null_values="NA")


@pytest.fixture(scope="module")
def expected() -> pl.DataFrame:
    return pl.read_csv(HERE / "features_expected_estimates.csv").with_columns(pl.col("domain").fill_null(""))


@pytest.fixture(scope="module")
def population() -> dict[str, dict[object, float]]:
    counts = _data("apipop_counts")
    out: dict[str, dict[object, float]] = {}
    for margin in ("stype", "sch.wide"):
        per = counts.group_by(margin).agg(pl.col("Freq").sum()).sort(margin)
        out[margin] = {k: float(v) for k, v in per.iter_rows()}
    return out


def _check(
    expected: pl.DataFrame,
    case: str,
    frame: pl.DataFrame,
    design: Design,
    variables: list[str],
    *,
    by: str | None = None,
    ratio: tuple[str, str] | None = None,
    **options: object,
) -> int:
    """Compare means, totals, domain means and a ratio with R's; returns the number of comparisons."""
    rows = expected.filter(pl.col("case") == case)
    assert rows.height, case
    checked = 0
    got: list[tuple[str, str, str, dict[str, object]]] = []
    for statistic in ("mean", "total"):
        res = estimate(frame, design, variables, statistic=statistic, **options)  # type: ignore[arg-type]
        got += [(statistic, r["variable"], "", r) for r in res.iter_rows(named=True)]
    if by is not None:
        res = estimate(frame, design, variables, by=by, **options)  # type: ignore[arg-type]
        got += [("mean", r["variable"], str(r[by]), r) for r in res.iter_rows(named=True)]
    if ratio is not None:
        r = estimate_ratio(frame, design, ratio[0], ratio[1], **options).row(0, named=True)
        got.append(("ratio", "/".join(ratio), "", r))
    for statistic, variable, domain, row in got:
        want = rows.filter(
            (pl.col("statistic") == statistic)
            & (pl.col("variable") == variable)
            & (pl.col("domain") == domain)
        )
        assert want.height == 1, (case, statistic, variable, domain)
        assert row["estimate"] == pytest.approx(float(want["estimate"][0]), rel=RTOL), (
            case,
            statistic,
            variable,
        )
        assert row["se"] == pytest.approx(float(want["se"][0]), rel=RTOL), (case, statistic, variable, domain)
        checked += 1
    assert checked == rows.height, f"{case}: {rows.height - checked} of R's values were not compared"
    return checked


# 1. Finite-population correction per stratum (R's fpc=), as population sizes or sampling fractions.


def test_fpc_per_stratum_as_population_size_matches_r(expected: pl.DataFrame) -> None:
    design = Design(weight="pw", strata="stype", fpc="fpc")
    _check(
        expected,
        "strat_fpc",
        _data("apistrat"),
        design,
        ["api00", "enroll"],
        by="sch.wide",
        ratio=("api00", "api99"),
    )


def test_fpc_as_sampling_fraction_matches_r(expected: pl.DataFrame) -> None:
    _check(
        expected,
        "strat_frac",
        _data("apistrat"),
        Design(weight="pw", strata="stype", fpc="frac"),
        ["api00", "enroll"],
    )


def test_fpc_on_a_cluster_sample_matches_r(expected: pl.DataFrame) -> None:
    _check(
        expected,
        "clus1_fpc",
        _data("apiclus1"),
        Design(weight="pw", psu="dnum", fpc="fpc"),
        ["api00", "enroll"],
        by="stype",
    )


def test_fpc_shrinks_the_standard_error_and_vanishes_for_a_census() -> None:
    frame = _data("apistrat")
    with_fpc = estimate(frame, Design(weight="pw", strata="stype", fpc="fpc"), ["api00"])["se"][0]
    without = estimate(frame, Design(weight="pw", strata="stype"), ["api00"])["se"][0]
    assert with_fpc < without
    census = frame.with_columns(pl.lit(1.0).alias("all"))
    assert estimate(census, Design(weight="pw", strata="stype", fpc="all"), ["api00"])["se"][0] == 0.0


def test_fpc_below_the_sample_size_or_varying_within_a_stratum_is_refused() -> None:
    frame = _data("apistrat").with_columns(pl.lit(10.0).alias("small"))
    with pytest.raises(EstimationError, match="母集団の大きさ"):
        estimate(frame, Design(weight="pw", strata="stype", fpc="small"), ["api00"])
    varying = frame.with_columns((pl.col("fpc") + pl.col("snum") % 2).alias("vary"))
    with pytest.raises(EstimationError, match="一定"):
        estimate(varying, Design(weight="pw", strata="stype", fpc="vary"), ["api00"])


# 2. Two stages, each with its correction (R's id=~dnum+snum, fpc=~fpc1+fpc2).

CLUS2 = Design(weight="pw", psu="dnum", fpc="fpc1", ssu="snum", fpc2="fpc2")


def test_two_stage_design_with_fpc_at_each_stage_matches_r(expected: pl.DataFrame) -> None:
    _check(
        expected,
        "clus2_twostage",
        _data("apiclus2"),
        CLUS2,
        ["api00", "meals"],
        by="stype",
        ratio=("api00", "api99"),
    )


def test_two_stage_design_without_fpc_uses_the_first_stage_only_as_r(expected: pl.DataFrame) -> None:
    _check(
        expected,
        "clus2_no_fpc",
        _data("apiclus2"),
        Design(weight="pw", psu="dnum", ssu="snum"),
        ["api00", "meals"],
    )
    with pytest.raises(EstimationError, match="fpc2"):
        estimate(_data("apiclus2"), Design(weight="pw", psu="dnum", fpc="fpc1", ssu="snum"), ["api00"])


def test_raked_two_stage_design_matches_r(expected: pl.DataFrame, population: dict) -> None:
    frame = _data("apiclus2")
    cal = calibrate(frame, "pw", {"stype": population["stype"]}, method="raking", epsilon=1e-13)
    r_weights = pl.read_csv(HERE / "features_expected_clus2_weights.csv")["clus2_raked"].to_numpy()
    np.testing.assert_allclose(cal.weights, r_weights, rtol=RTOL)
    _check(expected, "clus2_twostage_raked", frame, CLUS2, ["api00", "meals"], calibration=cal)


# 3. PPS without replacement (R's pps="brewer", "overton", HR()).


@pytest.mark.parametrize("method", ["brewer", "overton", "hartley_rao"])
def test_pps_without_replacement_matches_r(method: str, expected: pl.DataFrame) -> None:
    design = Design(weight="wt", fpc="p", pps=method)  # type: ignore[arg-type]
    _check(
        expected, f"pps_{method}", _data("election_pps"), design, ["Bush", "Kerry"], ratio=("Bush", "votes")
    )


def test_pps_needs_inclusion_probabilities() -> None:
    with pytest.raises(EstimationError, match="fpc"):
        estimate(_data("election_pps"), Design(weight="wt", pps="overton"), ["Bush"])


# 4. BRR and Fay replicate weights generated from paired PSUs (R's as.svrepdesign(type="BRR"/"Fay")).

SCD = Design(weight="w", strata="ESA", psu="ambulance")


def _scd() -> pl.DataFrame:
    return _data("scd").with_columns(pl.lit(1.0).alias("w"))


def _replicate_check(
    expected: pl.DataFrame,
    case: str,
    frame: pl.DataFrame,
    design: Design,
    reps: ReplicateWeights,
    variables: list[str],
    ratio: tuple[str, str] | None = None,
) -> None:
    _check(expected, case, frame, design, variables, ratio=ratio, method="replicate", replicates=reps)


def test_brr_weights_match_r(expected: pl.DataFrame) -> None:
    reps = brr_weights(_scd(), SCD)
    assert reps.n_replicates == 4
    _replicate_check(expected, "scd_brr", _scd(), SCD, reps, ["alive", "arrests"], ratio=("alive", "arrests"))


def test_fay_weights_match_r_weight_for_weight(expected: pl.DataFrame) -> None:
    reps = brr_weights(_scd(), SCD, fay_rho=0.3)
    r_matrix = pl.read_csv(HERE / "features_expected_scd_fay_weights.csv").to_numpy()
    np.testing.assert_allclose(reps.matrix, r_matrix, rtol=RTOL)
    _replicate_check(expected, "scd_fay", _scd(), SCD, reps, ["alive", "arrests"], ratio=("alive", "arrests"))


def test_brr_splits_large_strata_into_pairs_with_a_paley_matrix_as_r(expected: pl.DataFrame) -> None:
    design = Design(weight="pw", strata="stype")
    reps = brr_weights(_data("apistrat"), design)
    assert reps.n_replicates == 104  # 100 pairs: Paley's construction of order 104, as R's hadamard(100)
    _replicate_check(expected, "strat_brr", _data("apistrat"), design, reps, ["api00", "enroll"])


def test_brr_and_fay_on_r_stored_hadamard_orders_match_r(expected: pl.DataFrame) -> None:
    strat = _data("apistrat")
    design = Design(weight="pw", strata="stype")
    high = strat.filter(pl.col("stype") == "H")
    reps = brr_weights(high, design)
    assert reps.n_replicates == 28  # 25 pairs: R's stored matrix of order 28
    _replicate_check(expected, "high_brr", high, design, reps, ["api00", "enroll"], ratio=("api00", "api99"))
    high_and_middle = strat.filter(pl.col("stype") != "E")
    reps = brr_weights(high_and_middle, design, fay_rho=0.5)
    assert reps.n_replicates == 56  # 50 pairs: the order-28 matrix doubled
    _replicate_check(expected, "hm_fay", high_and_middle, design, reps, ["api00", "enroll"])


def test_hadamard_matrices_are_the_ones_r_uses() -> None:
    from chiiki.estimation._replicates import hadamard

    table = pl.read_csv(HERE / "features_expected_hadamard.csv")
    for (n,), part in table.group_by(["n"], maintain_order=True):
        size = int(part["row"].max())  # type: ignore[arg-type]
        r_matrix = np.zeros((size, size), dtype=np.int64)
        r_matrix[part["row"].to_numpy() - 1, part["col"].to_numpy() - 1] = part["value"].to_numpy()
        ours = hadamard(int(n))  # type: ignore[call-overload]
        np.testing.assert_array_equal(ours, r_matrix, err_msg=f"hadamard({n})")
    # R's stored orders 28 and 36 and their doublings are among them, and each is a Hadamard matrix.
    assert {24, 27, 35, 53, 70} <= set(table["n"].to_list())
    for n in (24, 35, 70):
        h = 2 * hadamard(n) - 1
        np.testing.assert_array_equal(h @ h.T, h.shape[0] * np.eye(h.shape[0], dtype=np.int64))


def test_brr_refuses_a_stratum_without_a_pair() -> None:
    odd = _scd().filter(~((pl.col("ESA") == 3) & (pl.col("ambulance") == 2)))
    with pytest.raises(EstimationError, match="対"):
        brr_weights(odd, SCD)
    with pytest.raises(EstimationError, match="層"):
        brr_weights(_scd(), Design(weight="w", psu="ambulance"))


# 5. Bounded raking converges where R does, and says why when no solution exists.


def test_bounded_raking_converges_as_r(expected: pl.DataFrame, population: dict) -> None:
    frame = _data("apiclus1")
    cal = calibrate(frame, "pw", population, method="raking", bounds=(0.6, 1.6), epsilon=1e-13)
    assert cal.converged
    assert cal.g.min() == pytest.approx(0.876925696268551, rel=RTOL)
    assert cal.g.max() == pytest.approx(1.6, rel=RTOL)
    r_weights = pl.read_csv(HERE / "features_expected_clus1_raked.csv")["clus1_raked_bounded"].to_numpy()
    np.testing.assert_allclose(cal.weights, r_weights, rtol=RTOL)
    _check(
        expected,
        "clus1_raked_bounded",
        frame,
        Design(weight="pw", psu="dnum", fpc="fpc"),
        ["api00", "enroll"],
        calibration=cal,
    )


def test_bounded_raking_without_a_solution_says_so(population: dict) -> None:
    frame = _data("apiclus1")
    with pytest.raises(EstimationError, match="存在しません"):
        calibrate(frame, "pw", population, method="raking", bounds=(0.95, 1.05))
    result = calibrate(frame, "pw", population, bounds=(0.95, 1.05), require_convergence=False)
    assert not result.converged
    assert result.reason is not None
    assert "bounds" in result.reason


# 6. Replicates with each row its own cluster.


def test_jackknife_with_rows_as_clusters_matches_r(expected: pl.DataFrame) -> None:
    frame = _data("apistrat")
    design = Design(weight="pw", strata="stype")
    reps = jackknife_weights(frame, design)
    assert reps.n_replicates == frame.height
    _replicate_check(expected, "strat_jkn_rows", frame, design, reps, ["api00", "enroll"])


def test_bootstrap_with_rows_as_clusters_works_and_bad_input_raises_our_error() -> None:
    frame = _data("apistrat")
    reps = bootstrap_weights(frame, Design(weight="pw", strata="stype"), n_replicates=50, seed=2)
    assert reps.matrix.shape == (frame.height, 50)
    # Each row is resampled on its own: replicate weights differ within a stratum.
    assert len(np.unique(reps.matrix[frame["stype"].to_numpy() == "E", 0])) > 2
    lonely = frame.head(1)
    for make in (jackknife_weights, bootstrap_weights):
        with pytest.raises(EstimationError):
            make(lonely, Design(weight="pw", strata="stype"))
        with pytest.raises(EstimationError):
            make(frame.head(0), Design(weight="pw"))


# 7. Trimming by R's trimWeights rule, beside the proportional rule.


def test_equal_share_trimming_matches_r_trimweights() -> None:
    frame = _data("apiclus2")
    r = pl.read_csv(HERE / "features_expected_clus2_weights.csv")
    design = Design(weight="pw", psu="dnum")
    once = trim_weights(frame, design, upper=60, lower=20, rule="equal")
    np.testing.assert_allclose(once, r["trim"].to_numpy(), rtol=RTOL)
    strict = trim_weights(frame, design, upper=60, lower=20, rule="equal", strict=True)
    np.testing.assert_allclose(strict, r["trim_strict"].to_numpy(), rtol=RTOL)
    assert strict.max() <= 60 + 1e-9
    assert once.sum() == pytest.approx(frame["pw"].sum(), rel=1e-12)


def test_the_two_trimming_rules_differ_and_keep_the_total() -> None:
    frame = _data("apiclus2")
    design = Design(weight="pw", psu="dnum")
    equal = trim_weights(frame, design, upper=60, rule="equal", strict=True)
    proportional = trim_weights(frame, design, upper=60, rule="proportional")
    assert equal.sum() == pytest.approx(proportional.sum(), rel=1e-9)
    assert not np.allclose(equal, proportional)
    with pytest.raises(EstimationError):
        trim_weights(frame, design, upper=60, rule="median")  # type: ignore[arg-type]
