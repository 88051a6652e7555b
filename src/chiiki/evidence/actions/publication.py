"""Publishing a disclosure-checked table of an evidence run as an open-data dataset (CSV and metadata)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db import transaction

from chiiki.core import audit
from chiiki.evidence import queries
from chiiki.evidence import tables as table_defs
from chiiki.evidence.actions._common import EvidenceError, require
from chiiki.evidence.models import EvidenceRun, PublishedTable
from chiiki.opendata import actions as opendata_actions

if TYPE_CHECKING:
    from chiiki.core.acting import Actor
    from chiiki.opendata.models import Dataset
    from chiiki.surveys.models import Survey


def _metadata(survey: Survey, run: EvidenceRun, table: dict[str, Any]) -> dict[str, Any]:
    result = run.result or {}
    weights = result.get("weights", {})
    return {
        "survey": {
            "id": survey.pk,
            "title": survey.title,
            "reference_date": survey.reference_date.isoformat(),
        },
        "table": {"name": table["name"], "title": table["title"], "unit": table["unit"]},
        "run": {"id": run.pk, "computed_at": run.finished_at.isoformat() if run.finished_at else None},
        "method": {
            "weights": "design weights 1/π → non-response adjustment ("
            + str(weights.get("nonresponse_method", ""))
            + ") → calibration to the resident registry on the reference date by district, household size "
            "and persons by age group × sex (" + str(weights.get("calibration_method", "")) + ")",
            "estimates": "weighted totals (Horvitz–Thompson with calibrated weights)",
            "standard_errors": "Taylor linearisation with the calibration's GREG residuals; "
            "95% interval = estimate ± 1.96 × standard error",
            "respondents": weights.get("respondents"),
            "eligible_households": weights.get("eligible"),
            "response_rate_percent": weights.get("response_rate"),
        },
        "disclosure_control": {
            "rule": f"cells with fewer than {table['threshold']} responding households are hidden (primary); "
            "complementary cells are hidden so that no hidden cell can be recovered from the totals "
            "(checked by linear programming)",
            "threshold_households": table["threshold"],
            "hidden_cells": table["suppressed"],
            "mark": table_defs.SUPPRESSED,
        },
    }


@transaction.atomic
def publish_table(
    survey: Survey, table_name: str, *, by: Actor, run: EvidenceRun | None = None
) -> PublishedTable:
    """Publish one disclosure-checked table of the latest run as an open-data dataset (CSV + metadata JSON).

    Refused (EvidenceError, message in Japanese first) when there is no finished run, the table is unknown,
    the disclosure check failed, or the table of this run is already published.
    """
    require(by, survey.municipality_id)
    run = run or queries.latest_run(survey)
    table = _publishable_table(survey, table_name, run)
    assert run is not None  # noqa: S101 - _publishable_table refuses a missing run
    dataset = _dataset(survey, run, table_name, table, by=by)
    published = PublishedTable.objects.create(
        municipality=survey.municipality,
        survey=survey,
        run=run,
        table=table_name,
        dataset=dataset,
        suppressed_cells=int(table["suppressed"]),
        published_by=by.user,
    )
    audit.record(
        "evidence.table_publish",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"run": run.pk, "table": table_name, "dataset": dataset.name, "hidden": table["suppressed"]},
    )
    return published


def _publishable_table(survey: Survey, table_name: str, run: EvidenceRun | None) -> dict[str, Any]:
    """The table of a finished run that passed the disclosure check and is not yet published, else refused."""
    if run is None or run.status != EvidenceRun.Status.DONE or not run.result:
        raise EvidenceError(
            f"調査 {survey.pk} の集計結果がありません。先に集計してください (no finished evidence run)"
        )
    tables = run.result.get("tables", {})
    table = tables.get(table_name)
    if table is None:
        raise EvidenceError(
            f"表「{table_name}」はありません。使える表: {', '.join(sorted(tables))} (unknown table)"
        )
    if not table.get("passed"):
        raise EvidenceError(
            f"表「{table['title']}」は秘匿の検査に通らなかったため公開しません: {table.get('message', '')} "
            "(the disclosure check failed; nothing was published)"
        )
    existing = PublishedTable.objects.filter(run=run, table=table_name).select_related("dataset").first()
    if existing is not None:
        raise EvidenceError(
            f"この集計の表「{table['title']}」は公開済みです(データセット {existing.dataset.name})"
            " (already published)"
        )
    return dict(table)


def _dataset(
    survey: Survey, run: EvidenceRun, table_name: str, table: dict[str, Any], *, by: Actor
) -> Dataset:
    """The open-data dataset of one table: the CSV, the metadata JSON, published."""
    notes = (
        f"{survey.title}(調査期日 {survey.reference_date.isoformat()})の集計表です。"
        "住民基本台帳の地区・世帯人員・男女別年齢階級の人数に合わせて重みを較正した推計値で、標準誤差と"
        f"95% 信頼区間を付けています。回答世帯が {table['threshold']} 世帯未満のセルと、それを合計から"
        f"逆算できないようにするためのセルを「{table_defs.SUPPRESSED}」で秘匿しています。"
    )
    metadata = json.dumps(_metadata(survey, run, table), ensure_ascii=False, indent=2).encode("utf-8")
    dataset = opendata_actions.create_dataset(
        opendata_actions.organization_for(survey.municipality, by=by),
        name=f"survey-{survey.pk}-{table_name.replace('_', '-')}-r{run.pk}",
        title=f"{survey.title} {table['title']}",
        by=by,
        notes=notes,
        tags=["統計調査", "推計"],
        extras={
            "survey_id": survey.pk,
            "reference_date": survey.reference_date.isoformat(),
            "table": table_name,
        },
        temporal=(survey.reference_date, survey.reference_date),  # the census counts one reference day
    )
    opendata_actions.add_resource(
        dataset, by=by, name=f"{table['title']}.csv", fmt="CSV", content=table_defs.table_csv(table),
        filename=f"{table_name}.csv", description="推計値・標準誤差・95%信頼区間(秘匿セルは X)",
    )  # fmt: skip
    opendata_actions.add_resource(
        dataset, by=by, name="metadata.json", fmt="JSON", content=metadata,
        filename=f"{table_name}-metadata.json", description="調査・調査期日・推計方法・標準誤差・秘匿の方法",
    )  # fmt: skip
    opendata_actions.publish(dataset, by=by)
    return dataset
