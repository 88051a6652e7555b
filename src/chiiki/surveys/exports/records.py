"""Submitted answers as the export engine reads them: the plan of a survey's tables and its household records.

Answers are read from the database in chunks (``iterator``), so a 100,000-household survey is never held in
memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from chiiki.surveys import export as engine
from chiiki.surveys.models import Answer, Survey
from chiiki.surveys.xlsform import Form

__all__ = ["META_COLUMNS", "answer_records", "plan_for"]

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
