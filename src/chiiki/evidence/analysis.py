"""The analysis of one survey run: weights, estimates, representativeness, field-work evidence. Django-free.

Input frames come from `chiiki.evidence.queries` (or a test): `cases` has one row per eligible case with its
registry classes, response, path (letter / reminder / visit), paradata counts and answer variables;
`registry` one row per household on the reference date. Output is plain JSON-ready dicts.

Weighting is household-level and integrated: one weight per responding household, calibrated by raking to
registry households by district and by size class, and to registry persons by age group × sex (the member
counts of each household are numeric calibration variables). The registry variables that are *not*
calibration margins (head's age class, children under 15, elderly living alone) show whether weighting
removed bias on variables with known truth.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from chiiki.estimation import (
    CalibrationResult,
    Design,
    EstimationError,
    adjust_nonresponse_by_class,
    adjust_nonresponse_by_propensity,
    bias_report,
    calibrate,
    design_weights,
    estimate,
    mean_absolute_bias,
    r_indicator,
    response_propensities,
    response_rates,
    weight_diagnostics,
)
from chiiki.evidence import tables as table_defs

AGE_GROUPS = ("0-14", "15-39", "40-64", "65-74", "75+")
WORK_AGE_GROUPS = AGE_GROUPS[1:]
SEXES = ("1", "2")
SEX_LABELS = {"1": "男", "2": "女"}
MARGINS = ("district", "hh_size_class")  # household calibration margins
CHECK_VARIABLES = ("head_age_class", "has_child", "elderly_alone")  # known truth, not calibrated
REGISTRY_VARIABLES = (*MARGINS, *CHECK_VARIABLES)
PROPENSITY_COVARIATES = ("district", "head_age_class", "hh_size_class")
GROUP_LABELS = {
    "district": "地区",
    "hh_size_class": "世帯人員",
    "head_age_class": "世帯主の年齢",
    "has_child": "15歳未満の子ども",
    "elderly_alone": "65歳以上の単身世帯",
}
PATHS = ("letter", "reminder", "visit")
PATH_LABELS = {"letter": "訪問・督促なし", "reminder": "督促の後", "visit": "調査員の訪問の後"}
MODE_LABELS = {"web": "インターネット", "assisted": "支援付き", "enumerator": "調査員"}
MIN_RESPONDENTS_PER_LEVEL = 3  # calibration levels with fewer respondents are merged
OTHER = "その他"


def _person(group: str, sex: str) -> str:
    return f"p_{group}_{sex}"


def _f(value: Any) -> float | None:
    """A JSON-safe float (None for NaN or infinity)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


@dataclass
class Weighting:
    """Respondents with their design (d), non-response adjusted (nr) and calibrated (w) weights."""

    respondents: pl.DataFrame
    calibration: CalibrationResult
    design: Design
    nonresponse_method: str
    calibration_method: str
    merged_levels: dict[str, list[str]] = field(default_factory=dict)
    dropped_person_margins: list[str] = field(default_factory=list)


def _merge_small(
    respondents: pl.DataFrame, registry: pl.DataFrame, column: str
) -> tuple[dict[str, str], list[str]]:
    """Map levels with too few respondents to one merged level (or into the largest level)."""
    counts = dict(respondents.group_by(column).len().iter_rows())
    levels = registry[column].unique().to_list()
    small = sorted(str(lv) for lv in levels if counts.get(lv, 0) < MIN_RESPONDENTS_PER_LEVEL)
    if len(levels) - len(small) == 0:
        return {str(lv): "all" for lv in levels}, small
    mapping = {str(lv): str(lv) for lv in levels}
    if small:
        merged_count = sum(counts.get(lv, 0) for lv in small)
        target = (
            OTHER
            if merged_count >= MIN_RESPONDENTS_PER_LEVEL
            else max((lv for lv in levels if str(lv) not in small), key=lambda lv: counts.get(lv, 0))
        )
        for lv in small:
            mapping[lv] = str(target)
    return mapping, small


def weigh(cases: pl.DataFrame, registry: pl.DataFrame, person_totals: Mapping[str, float]) -> Weighting:
    """Design weights → non-response adjustment (propensity classes) → raking to registry totals, bounded."""
    frame = cases.with_columns(pl.Series("d", design_weights(cases, "prob")))
    if not frame["responded"].any():
        raise EstimationError("回答者がいません / no respondents")
    nr, nr_method = _nonresponse_weights(frame)
    respondents = frame.with_columns(pl.Series("nr", nr)).filter(pl.col("responded"))
    respondents, controls, merged = _household_controls(respondents, registry)
    numeric, dropped = _person_controls(respondents, person_totals)
    calibration, method, dropped = _calibrate(respondents, controls, numeric, dropped)
    respondents = respondents.with_columns(pl.Series("w", calibration.weights))
    design = Design(weight="w", strata="stratum")
    return Weighting(respondents, calibration, design, nr_method, method, merged, dropped)


def _nonresponse_weights(frame: pl.DataFrame) -> tuple[npt.NDArray[np.float64], str]:
    """Weights adjusted for non-response: by propensity classes, else head's age classes, else overall."""
    base = Design(weight="d")
    try:
        nr = adjust_nonresponse_by_propensity(
            frame, base, "responded", list(PROPENSITY_COVARIATES), categorical=list(PROPENSITY_COVARIATES)
        )
    except Exception:  # the propensity model can fail in many ways on a small town; simpler classes follow
        return _nonresponse_by_classes(frame, base)
    return nr, "propensity_classes"


def _nonresponse_by_classes(frame: pl.DataFrame, base: Design) -> tuple[npt.NDArray[np.float64], str]:
    try:
        return adjust_nonresponse_by_class(frame, base, "responded", "head_age_class"), "classes_head_age"
    except EstimationError:
        overall = frame.with_columns(pl.lit(1).alias("_all"))
        return adjust_nonresponse_by_class(overall, base, "responded", "_all"), "overall"


def _household_controls(
    respondents: pl.DataFrame, registry: pl.DataFrame
) -> tuple[pl.DataFrame, dict[str, dict[object, float]], dict[str, list[str]]]:
    """Registry household counts per calibration margin, small levels merged; respondents get the merged codes."""
    controls: dict[str, dict[object, float]] = {}
    merged: dict[str, list[str]] = {}
    for column in MARGINS:
        mapping, small = _merge_small(respondents, registry, column)
        if small:
            merged[column] = small
        cal_col = f"cal_{column}"
        respondents = respondents.with_columns(
            pl.col(column).cast(pl.String).replace_strict(mapping).alias(cal_col)
        )
        counts = registry.with_columns(pl.col(column).cast(pl.String).replace_strict(mapping).alias(cal_col))
        controls[cal_col] = {k: float(v) for k, v in counts.group_by(cal_col).len().iter_rows()}
    return respondents, controls, merged


def _person_controls(
    respondents: pl.DataFrame, person_totals: Mapping[str, float]
) -> tuple[dict[str, float], list[str]]:
    """Registry person totals respondents can reach; a total no respondent contributes to is dropped."""
    numeric: dict[str, float] = {}
    dropped: list[str] = []
    for column, total in person_totals.items():
        if total <= 0:
            continue
        if float(respondents[column].sum()) <= 0:
            dropped.append(column)
            continue
        numeric[column] = float(total)
    return numeric, dropped


def _calibrate(
    respondents: pl.DataFrame,
    controls: dict[str, dict[object, float]],
    numeric: dict[str, float],
    dropped: list[str],
) -> tuple[CalibrationResult, str, list[str]]:
    """Raking with bounded weights, else unbounded, else on household margins only (persons out of reach)."""
    for bounds, name in (((0.2, 5.0), "raking_bounded"), (None, "raking")):
        try:
            calibration = calibrate(
                respondents, "nr", controls, method="raking", bounds=bounds, numeric=numeric
            )
        except EstimationError:
            continue
        return calibration, name, dropped
    calibration = calibrate(respondents, "nr", controls, method="raking")
    return calibration, "raking_households_only", sorted(numeric)


def _estimate(weighting: Weighting, variables: Sequence[str], **options: Any) -> pl.DataFrame:
    return estimate(
        weighting.respondents,
        weighting.design,
        list(variables),
        calibration=weighting.calibration,
        lonely_psu="skip",
        **options,
    )


def _rows(
    frame: pl.DataFrame, scale: float = 1.0, extra: Mapping[str, Any] | None = None
) -> list[dict[str, Any]]:
    out = []
    for row in frame.iter_rows(named=True):
        item = {
            k: v
            for k, v in row.items()
            if k not in ("estimate", "se", "ci_low", "ci_high", "cv", "df", "method")
        }
        item.update(
            estimate=_f(row["estimate"] * scale) if row["estimate"] is not None else None,
            se=_f(row["se"] * scale),
            ci_low=_f(row["ci_low"] * scale),
            ci_high=_f(row["ci_high"] * scale),
            cv=_f(row["cv"]),
        )
        item.update(extra or {})
        out.append(item)
    return out


ESTIMATE_LABELS = {
    "answered_size": ("世帯人員の平均(人)", 1.0),
    "owned": ("持ち家の世帯の割合(%)", 100.0),
    "detached": ("一戸建に住む世帯の割合(%)", 100.0),
    "floor_area": ("住宅の延べ床面積の平均(m²)", 1.0),
    "employment": ("15歳以上で主に仕事をした人の割合(%)", 100.0),
}


def estimates(weighting: Weighting) -> dict[str, Any]:
    """Means and proportions with SE and 95 % CI, for the municipality, by district and by age group."""
    means = ["answered_size", "owned", "detached", "floor_area"]
    out: dict[str, Any] = {"overall": [], "by_district": [], "by_age_group": []}
    for name in means:
        label, scale = ESTIMATE_LABELS[name]
        out["overall"] += _rows(_estimate(weighting, [name]), scale, {"variable": name, "label": label})
        out["by_district"] += _rows(
            _estimate(weighting, [name], by="district"), scale, {"variable": name, "label": label}
        )
    label, scale = ESTIMATE_LABELS["employment"]
    out["overall"] += _rows(
        _estimate(weighting, ["n_workers"], denominator="n15"),
        scale,
        {"variable": "employment", "label": label},
    )
    out["by_district"] += _rows(
        _estimate(weighting, ["n_workers"], denominator="n15", by="district"),
        scale,
        {"variable": "employment", "label": label},
    )
    for group in WORK_AGE_GROUPS:
        resp = weighting.respondents
        if float(resp[f"a_{group}"].sum()) <= 0:
            continue
        out["by_age_group"] += _rows(
            _estimate(weighting, [f"w_{group}"], denominator=f"a_{group}"),
            scale,
            {"variable": "employment", "label": label, "age_group": group},
        )
    persons = _estimate(weighting, [f"a_{g}" for g in AGE_GROUPS], statistic="total")
    out["persons_by_age_group"] = _rows(persons, 1.0, {"label": "人口(推計)"})
    return out


def representativeness(
    cases: pl.DataFrame, registry: pl.DataFrame, weighting: Weighting, person_totals: Mapping[str, float]
) -> dict[str, Any]:
    """Response rates by group, the R-indicator, and bias of unweighted / adjusted / calibrated shares."""
    frame = cases.with_columns(pl.Series("d", design_weights(cases, "prob")))
    rates = response_rates(frame, "responded", list(REGISTRY_VARIABLES), weight="d")
    r_value: float | None
    try:
        prop = response_propensities(
            frame, Design("d"), "responded", list(PROPENSITY_COVARIATES), list(PROPENSITY_COVARIATES)
        )
        r_value = _f(r_indicator(prop, frame["d"].to_numpy()))
    except Exception:
        r_value = None
    resp = weighting.respondents
    weights = {
        "unweighted": np.ones(resp.height),
        "adjusted": resp["nr"].to_numpy(),
        "calibrated": resp["w"].to_numpy(),
    }
    bias = bias_report(resp, registry, list(REGISTRY_VARIABLES), weights)
    bias_rows = []
    for row in bias.iter_rows(named=True):
        bias_rows.append(
            {
                "variable": row["variable"],
                "label": GROUP_LABELS[row["variable"]],
                "level": row["level"],
                "calibrated_on": row["variable"] in MARGINS,
                **{k: _f(100 * v) for k, v in row.items() if k not in ("variable", "level")},
            }
        )
    checks = bias.filter(pl.col("variable").is_in(list(CHECK_VARIABLES)))
    persons = []
    total = sum(person_totals.values()) or 1.0
    for group in AGE_GROUPS:
        for sex in SEXES:
            column = _person(group, sex)
            truth = person_totals.get(column, 0.0) / total
            item: dict[str, Any] = {"age_group": group, "sex": SEX_LABELS[sex], "registry_share": 100 * truth}
            for name, w in weights.items():
                share = float(w @ resp[column].to_numpy()) / max(1e-12, float(w @ resp["hh_size"].to_numpy()))
                item[f"{name}_share"] = 100 * share
                item[f"{name}_bias"] = 100 * (share - truth)
            persons.append(item)
    return {
        "response_rates": [
            {
                **r,
                "label": GROUP_LABELS[r["group"]],
                "rate": 100 * r["rate"],
                "weighted_rate": 100 * r["weighted_rate"],
            }
            for r in rates.iter_rows(named=True)
        ],
        "r_indicator": r_value,
        "bias": bias_rows,
        "persons": persons,
        "mean_abs_bias_checks": {name: 100 * mean_absolute_bias(checks, name) for name in weights},
        "mean_abs_bias_all": {name: 100 * mean_absolute_bias(bias, name) for name in weights},
    }


def weights_summary(cases: pl.DataFrame, weighting: Weighting) -> dict[str, Any]:
    """Diagnostics of the final weights and of how they were made."""
    diag = weight_diagnostics(weighting.calibration.weights, weighting.calibration).as_dict()
    return {
        "eligible": cases.height,
        "respondents": weighting.respondents.height,
        "response_rate": 100.0 * weighting.respondents.height / max(1, cases.height),
        "nonresponse_method": weighting.nonresponse_method,
        "calibration_method": weighting.calibration_method,
        "merged_levels": weighting.merged_levels,
        "dropped_person_margins": weighting.dropped_person_margins,
        "diagnostics": {k: (_f(v) if isinstance(v, float) else v) for k, v in diag.items()},
    }


def response_over_time(
    cases: pl.DataFrame, reminder_days: Sequence[int], follow_up_day: int | None
) -> dict[str, Any]:
    """Cumulative response rate by day since opening, split by path (letter, reminder, visit)."""
    eligible = max(1, cases.height)
    resp = cases.filter(pl.col("responded") & pl.col("submit_day").is_not_null())
    latest: Any = resp["submit_day"].max() if resp.height else 0.0
    last = math.floor(float(latest or 0.0)) + 1
    days = []
    day_index = (
        np.floor(resp["submit_day"].to_numpy()).astype(int) if resp.height else np.array([], dtype=int)
    )
    paths = resp["path"].to_numpy() if resp.height else np.array([])
    for day in range(last + 1):
        row: dict[str, Any] = {"day": day}
        total = 0
        for path in PATHS:
            n = int(np.sum((day_index <= day) & (paths == path)))
            row[path] = 100.0 * n / eligible
            total += n
        row["new"] = int(np.sum(day_index == day))
        row["total"] = 100.0 * total / eligible
        days.append(row)
    return {"days": days, "reminder_days": list(reminder_days), "follow_up_day": follow_up_day}


def _cost_of(frame: pl.DataFrame, costs: Mapping[str, float]) -> float:
    """Letters, reminders and visits spent on the households of `frame`, plus processing of their answers."""
    contact = frame.height * costs["letter"] + float(frame["reminders"].sum()) * costs["reminder"]
    contact += float(frame["visits"].sum()) * costs["visit"]
    processing = sum(
        costs.get(mode, 0.0) * n
        for mode, n in frame.filter(pl.col("responded")).group_by("mode").len().iter_rows()
    )
    return float(contact + processing)


def fieldwork_evidence(cases: pl.DataFrame, costs: Mapping[str, float]) -> dict[str, Any]:
    """Responses by path and mode; visits and their outcomes; cost per response by mode and by phase."""
    resp = cases.filter(pl.col("responded"))
    eligible = max(1, cases.height)
    table = []
    for path in PATHS:
        row: dict[str, Any] = {"path": path, "label": PATH_LABELS[path]}
        sub = resp.filter(pl.col("path") == path)
        for mode in MODE_LABELS:
            row[mode] = sub.filter(pl.col("mode") == mode).height
        row["total"] = sub.height
        row["share_of_responses"] = 100.0 * sub.height / max(1, resp.height)
        row["share_of_households"] = 100.0 * sub.height / eligible
        table.append(row)
    outcomes = (
        dict(cases.filter(pl.col("last_outcome") != "").group_by("last_outcome").len().iter_rows())
        if cases.height
        else {}
    )
    by_mode = []
    for mode, label in MODE_LABELS.items():
        sub = resp.filter(pl.col("mode") == mode)
        if not sub.height:
            continue
        cost = _cost_of(sub, costs)
        by_mode.append(
            {
                "mode": mode,
                "label": label,
                "responses": sub.height,
                "cost": cost,
                "per_response": cost / sub.height,
            }
        )
    non = cases.filter(~pl.col("responded"))
    total_cost = _cost_of(cases, costs)
    # Phases: what each step of the field work cost and how many answers it brought (marginal cost).
    letters = cases.height * costs["letter"]
    reminders = float(cases["reminders"].sum()) * costs["reminder"] if cases.height else 0.0
    visits = float(cases["visits"].sum()) * costs["visit"] if cases.height else 0.0
    phases = []
    for path, contact in (("letter", letters), ("reminder", reminders), ("visit", visits)):
        sub = resp.filter(pl.col("path") == path)
        processing = (
            sum(costs.get(m, 0.0) * n for m, n in sub.group_by("mode").len().iter_rows())
            if sub.height
            else 0.0
        )
        cost = contact + processing
        phases.append(
            {
                "path": path,
                "label": PATH_LABELS[path],
                "responses": sub.height,
                "cost": cost,
                "per_response": cost / sub.height if sub.height else None,
            }
        )
    return {
        "by_path": table,
        "visits": int(cases["visits"].sum()) if cases.height else 0,
        "visited_households": int((cases["visits"] > 0).sum()) if cases.height else 0,
        "visit_outcomes": {str(k): int(v) for k, v in sorted(outcomes.items())},
        "cost_by_mode": by_mode,
        "cost_by_phase": phases,
        "cost_on_nonrespondents": _cost_of(non, costs) if non.height else 0.0,
        "total_cost": total_cost,
        "cost_per_response": total_cost / resp.height if resp.height else None,
        "costs": dict(costs),
    }


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    keeps_visit: Callable[[pl.DataFrame], pl.Series]  # which visited households are still visited


def _low_districts(cases: pl.DataFrame) -> list[str]:
    """Districts whose response before any visit is in the lowest third."""
    rates = (
        cases.group_by("district")
        .agg(((pl.col("path") == "letter") | (pl.col("path") == "reminder")).mean().alias("r"))
        .sort("r", "district")
    )
    k = max(1, rates.height // 3)
    return rates["district"].head(k).to_list()


def scenarios(cases: pl.DataFrame, enumerator_cuts: Sequence[int] = (25, 50)) -> list[Scenario]:
    """The field-work reductions to simulate: none, no visits, visits to one kind of household, fewer enumerators."""
    low = _low_districts(cases)
    out = [
        Scenario("current", "現状(実際の訪問)", lambda f: pl.Series([True] * f.height)),
        Scenario("no_visits", "訪問をしない", lambda f: pl.Series([False] * f.height)),
        Scenario("only_young", "世帯主が39歳以下の世帯だけ訪問", lambda f: f["head_age_class"] == "-39"),
        Scenario("only_single", "単身世帯だけ訪問", lambda f: f["hh_size_class"] == "1"),
        Scenario(
            "only_low_districts",
            "回答率の低い地区だけ訪問(" + "・".join(low) + ")",
            lambda f: f["district"].is_in(low),
        ),
    ]
    for cut in enumerator_cuts:
        out.append(Scenario(f"fewer_{cut}", f"調査員を {cut}% 減らす", _fewer(cut)))
    return out


def _fewer(cut: int) -> Callable[[pl.DataFrame], pl.Series]:
    def keep(frame: pl.DataFrame) -> pl.Series:
        # Each enumerator works down the list in visiting order: with cut % fewer enumerators, the last cut %
        # of each area's visited households are not reached.
        ranked = frame.with_row_index("_i").with_columns(
            pl.col("position").rank("ordinal").over("area").alias("_rank"),
            pl.len().over("area").alias("_n"),
        )
        kept = ranked["_rank"].cast(pl.Float64) <= ranked["_n"].cast(pl.Float64) * (1 - cut / 100.0)
        return kept.alias("keep")

    return keep


def _project(cases: pl.DataFrame, scenario: Scenario) -> pl.DataFrame:
    """The cases as they would have been: unreached households lose their visits and visit-made answers."""
    visited = cases.filter(pl.col("visits") > 0)
    keep_ids = (
        set(visited.filter(scenario.keeps_visit(visited))["case_id"].to_list()) if visited.height else set()
    )
    kept = pl.col("case_id").is_in(list(keep_ids))
    lost = (pl.col("visits") > 0) & ~kept
    return cases.with_columns(
        pl.when(lost & (pl.col("path") == "visit"))
        .then(False)
        .otherwise(pl.col("responded"))
        .alias("responded"),
        pl.when(lost).then(0).otherwise(pl.col("visits")).alias("visits"),
        pl.when(lost & (pl.col("path") == "visit")).then(pl.lit("")).otherwise(pl.col("mode")).alias("mode"),
    )


def simulate_fieldwork(
    cases: pl.DataFrame,
    registry: pl.DataFrame,
    person_totals: Mapping[str, float],
    costs: Mapping[str, float],
    enumerator_cuts: Sequence[int] = (25, 50),
) -> list[dict[str, Any]]:
    """Projected response rate, bias on registry-known variables, margin of error and cost per scenario."""
    out = []
    for scenario in scenarios(cases, enumerator_cuts):
        projected = _project(cases, scenario)
        resp = projected.filter(pl.col("responded"))
        row: dict[str, Any] = {
            "key": scenario.key,
            "label": scenario.label,
            "responses": resp.height,
            "response_rate": 100.0 * resp.height / max(1, cases.height),
            "visits": int(projected["visits"].sum()),
            "cost": _cost_of(projected, costs),
        }
        row["cost_per_response"] = row["cost"] / resp.height if resp.height else None
        try:
            weighting = weigh(projected, registry, person_totals)
            weights = {
                "unweighted": np.ones(resp.height),
                "calibrated": weighting.respondents["w"].to_numpy(),
            }
            bias = bias_report(weighting.respondents, registry, list(CHECK_VARIABLES), weights)
            row["bias_unweighted"] = 100 * mean_absolute_bias(bias, "unweighted")
            row["bias_calibrated"] = 100 * mean_absolute_bias(bias, "calibrated")
            employment = _estimate(weighting, ["n_workers"], denominator="n15").row(0, named=True)
            owned = _estimate(weighting, ["owned"]).row(0, named=True)
            row["employment"] = _f(100 * employment["estimate"])
            row["moe_employment"] = _f(100 * (employment["ci_high"] - employment["ci_low"]) / 2)
            row["owned"] = _f(100 * owned["estimate"])
            row["moe_owned"] = _f(100 * (owned["ci_high"] - owned["ci_low"]) / 2)
            row["deff"] = _f(weight_diagnostics(weighting.calibration.weights).kish_deff)
        except EstimationError as error:
            row["error"] = str(error)
        out.append(row)
    return out


def analyse(
    cases: pl.DataFrame,
    registry: pl.DataFrame,
    person_totals: Mapping[str, float],
    *,
    costs: Mapping[str, float],
    reminder_days: Sequence[int] = (),
    follow_up_day: int | None = None,
    threshold: int = 3,
    enumerator_cuts: Sequence[int] = (25, 50),
) -> dict[str, Any]:
    """The whole run: weights, estimates, representativeness, response over time, evidence, scenarios, tables."""
    if cases.height == 0:
        raise EstimationError("対象世帯がありません / no eligible cases")
    weighting = weigh(cases, registry, person_totals)
    return {
        "weights": weights_summary(cases, weighting),
        "estimates": estimates(weighting),
        "representativeness": representativeness(cases, registry, weighting, person_totals),
        "response_over_time": response_over_time(cases, reminder_days, follow_up_day),
        "fieldwork": fieldwork_evidence(cases, costs),
        "scenarios": simulate_fieldwork(cases, registry, person_totals, costs, enumerator_cuts),
        "tables": table_defs.build_tables(
            weighting.respondents, weighting.design, weighting.calibration, threshold
        ),
    }
