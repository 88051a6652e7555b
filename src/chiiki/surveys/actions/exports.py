"""Exports of submitted answers: asking for one (a background job), writing one, recording its file.

Exports are reads of personal data and are audited. Staff callers must hold "surveys.manage".
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.actions.jobs import enqueue_job
from chiiki.surveys import export as engine
from chiiki.surveys.actions.checks import require_permission
from chiiki.surveys.exports.records import answer_records, plan_for
from chiiki.surveys.models import Survey, SurveyExport

__all__ = ["EXPORT_FORMATS", "export_survey", "record_export_file", "request_export"]

EXPORT_FORMATS = (*engine.FORMATS, "all")


def export_survey(
    survey: Survey, formats: list[engine.Format], out_dir: Path, *, by: Actor
) -> engine.ExportResult:
    """Write the survey's submitted answers into ``out_dir`` in each format; audited as a read."""
    require_permission(by, survey.municipality)
    result = engine.export_answers(plan_for(survey), answer_records(survey), out_dir, formats)
    audit.record(
        "surveys.answers_export",
        by=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"formats": list(formats), "households": result.households, "rows": result.rows},
    )
    return result


@transaction.atomic
def request_export(survey: Survey, fmt: str, *, by: Actor) -> SurveyExport:
    """Record and queue an export of ``survey`` in ``fmt`` ("csv", "parquet", "stata", "spss" or "all").

    The job row, its task and the audit record are written in one transaction (`core.jobs.enqueue_job`).
    """
    require_permission(by, survey.municipality)
    if fmt not in EXPORT_FORMATS:
        raise engine.ExportError(
            f"形式は {', '.join(engine.FORMATS)} から選んでください (unknown format {fmt!r})"
        )
    export = SurveyExport.objects.create(survey=survey, fmt=fmt, requested_by=by.user)
    audit.record(
        "surveys.export_requested",
        by=by,
        municipality=survey.municipality,
        object_type="survey_export",
        object_id=export.pk,
        detail={"survey": survey.pk, "format": fmt},
    )
    enqueue_job(export)
    return export


def record_export_file(export: SurveyExport, *, file_name: str, households: int) -> None:
    """The export's ZIP is in storage: remember its name and how many households it holds."""
    export.file_name, export.households = file_name, households
    export.save(update_fields=["file_name", "households"])
