"""One row per export of a survey's answers asked for from the staff pages: a background job and its ZIP.

The row is created when staff ask (in the same transaction as the audit record), the export task
(`chiiki.surveys.tasks.export_answers`) writes the file and records its name, and the staff page lists the rows
and serves the file to survey managers only. Status, retries and failure messages are the core `Job`'s.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job

__all__ = ["SurveyExport"]


class SurveyExport(Job):
    """An export of one survey's submitted answers in one format (or all), as asked for by a staff member."""

    job_task: ClassVar[str] = "chiiki.surveys.tasks.export_answers"

    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="exports")
    fmt = models.CharField(_("形式"), max_length=10)
    file_name = models.CharField(_("ファイル"), max_length=255, blank=True)
    households = models.PositiveIntegerField(_("世帯数"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at", "-pk"]
        verbose_name = _("回答データの書き出し")

    def __str__(self) -> str:
        return f"export {self.pk} of survey {self.survey_id} ({self.fmt}, {self.status})"
