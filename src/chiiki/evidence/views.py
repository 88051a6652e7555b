"""Staff pages of survey evidence (permission surveys.manage): runs, the report with charts, costs, publication.

The report shows aggregates only (no names, addresses or answers of a household), so reading it is not a read
of personal data; requesting a run, changing costs and publishing are changes and are audited by the actions.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.evidence import actions, charts, queries
from chiiki.evidence.analysis import GROUP_LABELS, MODE_LABELS, PATH_LABELS
from chiiki.surveys.models import VisitOutcome

if TYPE_CHECKING:
    from chiiki.surveys.models import Survey


class CostsForm(forms.Form):
    """Unit costs in yen, one field per cost item."""

    def __init__(self, *args: Any, initial_costs: dict[str, float] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in queries.COST_LABELS.items():
            self.fields[key] = forms.DecimalField(
                label=label,
                min_value=0,
                max_digits=9,
                decimal_places=0,
                initial=int((initial_costs or {}).get(key, queries.DEFAULT_COSTS[key])),
            )
            self.fields[key].unit = gettext_lazy("円")  # type: ignore[attr-defined]  # shown beside the box


@municipality_permission("surveys.manage")
def survey_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The municipality's surveys with their latest evidence run."""
    rows = queries.surveys_with_latest_run(municipality)
    return render(request, "evidence/survey_list.html", {"municipality": municipality, "rows": rows})


def _svg(markup: str) -> str:
    return mark_safe(markup)  # noqa: S308 - built by evidence.charts, every text escaped there


def _charts(result: dict[str, Any]) -> dict[str, str]:
    svg: dict[str, str] = {}
    over = result["response_over_time"]
    days = [row["day"] for row in over["days"]]
    cumulative = []
    running = [0.0] * len(days)
    for path in ("letter", "reminder", "visit"):
        running = [r + row[path] for r, row in zip(running, over["days"], strict=True)]
        cumulative.append(
            (_("+") + str(PATH_LABELS[path]) if path != "letter" else PATH_LABELS[path], running)
        )
    markers = [(d, _("督促%(n)d") % {"n": i}) for i, d in enumerate(over["reminder_days"], start=1)]
    if over.get("follow_up_day") is not None:
        markers.append((over["follow_up_day"], _("訪問開始")))
    svg["over_time"] = _svg(
        charts.cumulative_chart(
            "over-time", _("累計の回答率(回答の経路を積み上げ)"), days, cumulative, markers
        )
    )
    rep = result["representativeness"]
    for group in GROUP_LABELS:
        rows = [r for r in rep["response_rates"] if r["group"] == group]
        svg[f"rates_{group}"] = _svg(
            charts.grouped_bars(
                f"rates-{group}",
                _("%(g)s別の回答率") % {"g": GROUP_LABELS[group]},
                [r["level"] for r in rows],
                [(_("回答率"), [r["rate"] for r in rows])],
                unit="%",
            )
        )
    bias = [r for r in rep["bias"] if not r["calibrated_on"]]
    svg["bias"] = _svg(
        charts.grouped_bars(
            "bias",
            _("台帳との差(ポイント): 重み付け前と後"),
            [f"{r['label']} {r['level']}" for r in bias],
            [
                (_("重みなし"), [r["unweighted_bias"] for r in bias]),
                (_("無回答調整"), [r["adjusted_bias"] for r in bias]),
                (_("較正後"), [r["calibrated_bias"] for r in bias]),
            ],
            unit="pt",
            digits=2,
        )
    )
    scen = result["scenarios"]
    labels = [s["label"] for s in scen]
    svg["scenario_rate"] = _svg(
        charts.grouped_bars(
            "scenario-rate",
            _("回答率の見込み(%)"),
            labels,
            [(_("回答率"), [s["response_rate"] for s in scen])],
            unit="%",
        )
    )
    svg["scenario_quality"] = _svg(
        charts.grouped_bars(
            "scenario-quality",
            _("台帳との差(平均、ポイント)と就業率の誤差の幅(±ポイント)"),
            labels,
            [
                (_("重みなしの偏り"), [s.get("bias_unweighted") for s in scen]),
                (_("較正後の偏り"), [s.get("bias_calibrated") for s in scen]),
                (_("誤差の幅"), [s.get("moe_employment") for s in scen]),
            ],
            unit="pt",
            digits=2,
        )
    )
    svg["scenario_cost"] = _svg(
        charts.grouped_bars(
            "scenario-cost",
            _("1 回答あたりの費用(円)"),
            labels,
            [(_("費用/回答"), [s.get("cost_per_response") for s in scen])],
            unit="円",
            digits=0,
        )
    )
    return svg


def age_label(level: str) -> str:
    """An age class code in words: "-39" → 39歳以下, "75+" → 75歳以上, "40-64" → 40〜64歳."""
    if m := re.fullmatch(r"-(\d+)", level):
        return _("%(n)s歳以下") % {"n": m[1]}
    if m := re.fullmatch(r"(\d+)\+", level):
        return _("%(n)s歳以上") % {"n": m[1]}
    if m := re.fullmatch(r"(\d+)-(\d+)", level):
        return _("%(a)s〜%(b)s歳") % {"a": m[1], "b": m[2]}
    return level


def district_order(codes: dict[str, str]) -> Callable[[str], tuple[int, str, str]]:
    """Sort key of district names by district code; names without a code (merged rows) come last."""
    return lambda name: (0, codes[name], name) if name in codes else (1, "", name)


def _in_order(rows: list[dict[str, Any]], group_key: str, key: Callable[[str], tuple[int, str, str]]) -> None:
    """Put the district rows of a grouped list in code order, in place, leaving the other groups as they are."""
    slots = [i for i, r in enumerate(rows) if r.get(group_key) == "district"]
    ordered = sorted((rows[i] for i in slots), key=lambda r: key(str(r["level"])))
    for i, row in zip(slots, ordered, strict=True):
        rows[i] = row


def _for_display(result: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    """A copy of a run's result for the page: age classes in words, districts in code order."""
    out = copy.deepcopy(result)
    rep = out["representativeness"]
    key = district_order(codes)
    for rows, group_key in ((rep["response_rates"], "group"), (rep["bias"], "variable")):
        for row in rows:
            if row.get(group_key) == "head_age_class":
                row["level"] = age_label(str(row["level"]))
        _in_order(rows, group_key, key)
    return out


def _table_grid(table: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows of a publishable table for the template: each cell's value or mark, and the row total."""
    grid = []
    for i, row in enumerate(table["rows"]):
        cells = []
        for j, _column in enumerate(table["columns"]):
            hidden = "1" if table["primary"][i][j] else "2" if table["secondary"][i][j] else ""
            cells.append(
                {
                    "value": table["values"][i][j],
                    "se": table["se"][i][j],
                    "n": table["contributors"][i][j],
                    "hidden": hidden,
                }
            )
        grid.append({"label": row, "cells": cells, "total": table["row_totals"][i][0]})
    return grid


def _by_district(estimates: dict[str, Any], codes: dict[str, str]) -> dict[str, Any]:
    """District × variable grid of the domain estimates: {variables: [(key, label)], rows: [(district, cells)]},
    districts in code order."""
    variables: dict[str, str] = {}
    grid: dict[str, dict[str, Any]] = {}
    for row in estimates["by_district"]:
        variables.setdefault(row["variable"], row["label"])
        grid.setdefault(str(row["district"]), {})[row["variable"]] = row
    return {
        "variables": list(variables.items()),
        "rows": [(d, [grid[d].get(v) for v in variables]) for d in sorted(grid, key=district_order(codes))],
    }


def _survey(municipality: Municipality, survey_id: int) -> Survey:
    survey = queries.find_survey(municipality, survey_id)
    if survey is None:
        raise Http404
    return survey


def _change(
    request: HttpRequest, survey: Survey, current: dict[str, float]
) -> HttpResponse | CostsForm | None:
    """A POST of the report page: request a run or save costs; a redirect when done, else the form to show."""
    what = request.POST.get("action", "")
    back = redirect("evidence:survey", code=survey.municipality.code, survey_id=survey.pk)
    try:
        if what == "run":
            actions.request_run(survey, by=Actor.from_request(request))
            messages.success(request, _("集計を依頼しました。数分後にこのページを開き直してください。"))
            return back
        if what == "costs":
            costs_form = CostsForm(request.POST, initial_costs=current)
            if not costs_form.is_valid():
                return costs_form
            costs = {k: float(v) for k, v in costs_form.cleaned_data.items()}
            actions.set_costs(survey, costs, by=Actor.from_request(request))
            messages.success(request, _("単価を保存しました。次の集計から使われます。"))
            return back
    except actions.EvidenceError as error:
        messages.error(request, str(error))
    return None


@municipality_permission("surveys.manage")
def survey_report(request: HttpRequest, municipality: Municipality, survey_id: int) -> HttpResponse:
    """One survey: request a run, set costs, read the latest report, publish checked tables."""
    survey = _survey(municipality, survey_id)
    current = queries.costs_for(survey)
    costs_form = CostsForm(initial_costs=current)
    if request.method == "POST":
        outcome = _change(request, survey, current)
        if isinstance(outcome, HttpResponse):
            return outcome
        costs_form = outcome or costs_form
    run = queries.latest_run(survey)
    pending = queries.run_pending(survey)
    runs = queries.recent_runs(survey)
    published = list(queries.published_tables(survey))
    context: dict[str, Any] = {
        "municipality": municipality,
        "survey": survey,
        "run": run,
        "runs": runs,
        "pending": pending,
        "costs_form": costs_form,
        "published": published,
        "mode_labels": MODE_LABELS,
    }
    if run is not None and run.result:
        codes = queries.district_codes(municipality)
        result = _for_display(run.result, codes)
        published_here = {p.table for p in published if p.run_id == run.pk}
        charts_svg = _charts(result)
        context.update(
            result=result,
            svg=charts_svg,
            rates=[
                (
                    GROUP_LABELS[group],
                    [r for r in result["representativeness"]["response_rates"] if r["group"] == group],
                    charts_svg[f"rates_{group}"],
                )
                for group in GROUP_LABELS
            ],
            tables=[
                {**table, "grid": _table_grid(table), "published": name in published_here}
                for name, table in result["tables"].items()
            ],
            fieldwork=_outcomes_in_words(result["fieldwork"]),
            by_district=_by_district(result["estimates"], codes),
            modes=list(MODE_LABELS.items()),
        )
    return render(request, "evidence/survey_report.html", context)


def _outcomes_in_words(fieldwork: dict[str, Any]) -> dict[str, Any]:
    """The field-work figures with each visit outcome named in the page language, never by its code."""
    labels = dict(VisitOutcome.choices)
    outcomes = fieldwork.get("visit_outcomes", {})
    return {**fieldwork, "visit_outcomes": {str(labels.get(code, code)): n for code, n in outcomes.items()}}


# The report's tables offered as CSV: name → where its rows are in a run's result.
CSV_TABLES: dict[str, tuple[str, ...]] = {
    "overall": ("estimates", "overall"),
    "by_district": ("estimates", "by_district"),
    "by_age_group": ("estimates", "by_age_group"),
    "response_rates": ("representativeness", "response_rates"),
    "bias": ("representativeness", "bias"),
    "scenarios": ("scenarios",),
}
CSV_HEADINGS = {
    "variable": "変数",
    "label": "項目",
    "district": "地区",
    "age_group": "年齢階級",
    "group": "区分",
    "level": "水準",
    "estimate": "推計値",
    "se": "標準誤差",
    "ci_low": "95%信頼区間の下限",
    "ci_high": "95%信頼区間の上限",
    "cv": "変動係数",
    "n": "回答数",
}


def report_csv_text(result: dict[str, Any], table: str, codes: dict[str, str]) -> str:
    """One table of a run's result as CSV text (districts in code order, age classes in words)."""
    rows: Any = _for_display(result, codes)
    for key in CSV_TABLES[table]:
        rows = rows[key]
    if table == "by_district":
        order = district_order(codes)
        rows = sorted(rows, key=lambda r: order(str(r["district"])))
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns and not isinstance(row[k], dict | list)]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{CSV_HEADINGS[c]} ({c})" if c in CSV_HEADINGS else c for c in columns])
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


@municipality_permission("surveys.manage")
def report_csv(request: HttpRequest, municipality: Municipality, survey_id: int, table: str) -> HttpResponse:
    """One estimate table of the survey's latest run as CSV (UTF-8 with BOM, so Excel reads the Japanese)."""
    survey = _survey(municipality, survey_id)
    run = queries.latest_run(survey)
    if table not in CSV_TABLES or run is None or not run.result:
        raise Http404
    text = report_csv_text(run.result, table, queries.district_codes(municipality))
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-run-{run.pk}-{table}.csv"'
    return response


@municipality_permission("surveys.manage")
@require_POST
def publish(request: HttpRequest, municipality: Municipality, survey_id: int) -> HttpResponse:
    """Publish one table of the latest run (a form's POST target); refused with the reason when the check fails."""
    survey = _survey(municipality, survey_id)
    try:
        published = actions.publish_table(
            survey, request.POST.get("table", ""), by=Actor.from_request(request)
        )
        messages.success(
            request,
            _("オープンデータとして公開しました(データセット %(name)s)。") % {"name": published.dataset.name},
        )
    except actions.EvidenceError as error:
        messages.error(request, str(error))
    return redirect("evidence:survey", code=municipality.code, survey_id=survey.pk)
