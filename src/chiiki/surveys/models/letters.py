"""One row per batch of request letters asked for from the staff pages: a background job and its ZIP.

The row is created when a survey manager asks (with the audit record, in one transaction); the task
(`chiiki.surveys.tasks.write_letters`) issues the keys and writes the PDFs and the printer's CSV, all or nothing,
and records the ZIP's name. The ZIP holds plaintext access keys: it is served to survey managers only, and each
download is audited. Status, retries and failure messages are the core `Job`'s.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Job

__all__ = ["SurveyLetters"]


class SurveyLetters(Job):
    """Request letters (PDF for printing in the office, CSV for a print contractor) for one survey."""

    job_task: ClassVar[str] = "chiiki.surveys.tasks.write_letters"

    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="letter_batches")
    large_print = models.BooleanField(_("大きな文字"), default=False)
    reissue = models.BooleanField(_("未回答の全世帯に鍵を発行し直す"), default=False)
    file_name = models.CharField(_("ファイル"), max_length=255, blank=True)
    letters = models.PositiveIntegerField(_("通数"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-queued_at", "-pk"]
        verbose_name = _("依頼状の作成")

    def __str__(self) -> str:
        return f"letters {self.pk} of survey {self.survey_id} ({self.status})"
