"""Exports of submitted answers: the database side of the Django-free engine in ``surveys/export/``.

Submitted answers are read from the database in chunks (``iterator``) and streamed through the engine, so a
100,000-household survey is never held in memory. Staff ask for an export with :func:`request_export`; the
task :func:`export_answers` writes a ZIP (tables, codebook) into the default storage. The command
``chiiki survey export`` writes the files into a folder directly. Exports are reads of personal data and are
audited.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from chiiki.core import audit
from chiiki.core.permissions import has_permission
from chiiki.surveys import export as engine
from chiiki.surveys.models import Answer, Survey, SurveyExport
from chiiki.surveys.xlsform import Form

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    Actor = AbstractBaseUser | AnonymousUser | None

__all__ = ["META_COLUMNS", "answer_records", "export_answers", "export_survey", "plan_for", "request_export"]

META_COLUMNS = [
    engine.MetaColumn("mode", "string", "回答方法", "Answer mode (web, assisted, enumerator)"),
    engine.MetaColumn("submitted_at", "datetime", "送信日時 (日本時間)", "Submitted at (Japan time)"),
    engine.MetaColumn("stratum", "string", "層", "Sampling stratum"),
    engine.MetaColumn(
        "weight", "decimal", "抽出ウェイト (抽出確率の逆数)", "Design weight (1 / probability)"
    ),
]


def plan_for(survey: Survey) -> engine.ExportPlan:
    """The tables of ``survey``'s export, from the questionnaire version its respondents answered."""
    form = Form.from_json(survey.questionnaire_version.definition)
    return engine.ExportPlan.from_form(form, META_COLUMNS)


def answer_records(survey: Survey, *, chunk_size: int = 2_000) -> Iterator[engine.HouseholdRecord]:
    """(case ID, submitted answer, metadata) of every submitted answer, read from the database in chunks."""
    rows = (
        Answer.objects.filter(case__survey=survey, submitted_at__isnull=False)
        .order_by("case_id")
        .values_list(
            "case_id",
            "submitted_data",
            "mode",
            "submitted_at",
            "case__stratum",
            "case__selection_probability",
        )
    )
    for case_id, data, mode, submitted_at, stratum, probability in rows.iterator(chunk_size=chunk_size):
        meta: dict[str, Any] = {
            "mode": mode,
            "submitted_at": timezone.localtime(submitted_at) if submitted_at else None,
            "stratum": stratum,
            "weight": 1.0 / probability if probability else None,
        }
        yield case_id, data if isinstance(data, dict) else {}, meta


def export_survey(
    survey: Survey,
    formats: list[engine.Format],
    out_dir: Path,
    *,
    by: Actor,
    actor_label: str = "",
) -> engine.ExportResult:
    """Write the survey's submitted answers into ``out_dir`` in each format; audited as a read."""
    if by is not None and not has_permission(by, survey.municipality, "surveys.manage"):
        raise PermissionDenied("この操作には調査担当者の権限が必要です (surveys.manage required)")
    result = engine.export_answers(plan_for(survey), answer_records(survey), out_dir, formats)
    audit.record(
        "surveys.answers_export",
        actor=by,
        municipality=survey.municipality,
        object_type="survey",
        object_id=survey.pk,
        detail={"formats": list(formats), "households": result.households, "rows": result.rows},
        actor_label=actor_label,
    )
    return result


@task()
def export_answers(
    survey_id: int, fmt: str, requested_by_id: int | None = None, export_id: int | None = None
) -> str:
    """Export one survey's answers in ``fmt`` (or "all") as a ZIP in the default storage; return its name.

    With ``export_id`` the :class:`SurveyExport` row asked for from the staff page records the file, or the
    failure, so the page can list it.
    """
    try:
        name, households = _write_export(survey_id, fmt, requested_by_id)
    except Exception as error:
        if export_id is not None:
            SurveyExport.objects.filter(pk=export_id).update(
                status=SurveyExport.Status.FAILED, message=str(error)[:2000], finished_at=timezone.now()
            )
        raise
    if export_id is not None:
        SurveyExport.objects.filter(pk=export_id).update(
            status=SurveyExport.Status.DONE, file_name=name, households=households, finished_at=timezone.now()
        )
    return name


def _write_export(survey_id: int, fmt: str, requested_by_id: int | None) -> tuple[str, int]:
    """Write the ZIP of one export into the default storage; return its storage name and household count."""
    formats: list[engine.Format] = list(engine.FORMATS) if fmt == "all" else [fmt]  # type: ignore[list-item]
    survey = Survey.objects.select_related("municipality", "questionnaire_version").get(pk=survey_id)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    name = f"survey-exports/{survey.municipality_id}/survey-{survey.pk}-{stamp}-{fmt}.zip"
    with tempfile.TemporaryDirectory(prefix="chiiki-export-") as folder:
        out_dir = Path(folder) / "files"
        result = export_survey(
            survey, formats, out_dir, by=None, actor_label=f"export task (user {requested_by_id})"
        )
        archive = Path(folder) / "export.zip"
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            for path in result.files:
                bundle.write(path, arcname=path.name)
        with archive.open("rb") as handle:
            return default_storage.save(name, File(handle, name=archive.name)), result.households


def request_export(
    survey: Survey, fmt: str, *, by: Actor, request: HttpRequest | None = None
) -> SurveyExport:
    """Record and queue an export of ``survey`` in ``fmt`` ("csv", "parquet", "stata", "spss" or "all").

    The row and the audit record are written in one transaction; the task is enqueued after commit.
    """
    if by is not None and not has_permission(by, survey.municipality, "surveys.manage"):
        raise PermissionDenied("この操作には調査担当者の権限が必要です (surveys.manage required)")
    if fmt != "all" and fmt not in engine.FORMATS:
        raise engine.ExportError(
            f"形式は {', '.join(engine.FORMATS)} から選んでください (unknown format {fmt!r})"
        )
    user_id = int(by.pk) if by is not None and by.is_authenticated else None
    with transaction.atomic():
        export = SurveyExport.objects.create(survey=survey, fmt=fmt, requested_by_id=user_id)
        audit.record(
            "surveys.export_requested",
            actor=by,
            municipality=survey.municipality,
            object_type="survey_export",
            object_id=export.pk,
            request=request,
            detail={"survey": survey.pk, "format": fmt},
        )
        transaction.on_commit(partial(export_answers.enqueue, survey.pk, fmt, user_id, export.pk))
    return export
