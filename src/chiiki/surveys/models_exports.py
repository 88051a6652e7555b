"""One row per export of a survey's answers asked for from the staff pages, with the ZIP it produced.

Imported at the bottom of ``surveys/models.py`` so that Django registers it with the surveys app. The row is
created when staff ask (in the same transaction as the audit record), the export task fills in the file or
the failure, and the staff page lists the rows and serves the file to survey managers only.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["SurveyExport"]


class SurveyExport(models.Model):
    """An export of one survey's submitted answers in one format (or all), as asked for by a staff member."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("作成待ち")
        DONE = "done", _("完了")
        FAILED = "failed", _("失敗")

    survey = models.ForeignKey("surveys.Survey", on_delete=models.PROTECT, related_name="exports")
    fmt = models.CharField(_("形式"), max_length=10)
    status = models.CharField(_("状態"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    file_name = models.CharField(_("ファイル"), max_length=255, blank=True)
    message = models.TextField(_("メッセージ"), blank=True)
    households = models.PositiveIntegerField(_("世帯数"), null=True, blank=True)
    requested_at = models.DateTimeField(_("依頼日時"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    finished_at = models.DateTimeField(_("完了日時"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-requested_at", "-pk"]
        verbose_name = _("回答データの書き出し")

    def __str__(self) -> str:
        return f"export {self.pk} of survey {self.survey_id} ({self.fmt}, {self.status})"
