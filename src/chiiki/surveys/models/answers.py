"""A household's answers to its case: the working draft and the submitted record."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import User
from chiiki.surveys.models.rounds import SurveyCase


class Answer(models.Model):
    """A household's answers to its case: the working draft and, once sent, the submitted record.

    `data` is the draft the answering pages save page by page (raw values, nested like the form). On
    submission the canonical record (only relevant answers, typed, calculations included) is copied to
    `submitted_data`, which exports read; a later correction edits `data` and must be submitted again, so an
    acknowledged submission is never changed by an abandoned correction. `version` grows with every save and
    is the optimistic lock: a save or submission that read an older version is refused or merged explicitly.
    """

    class Mode(models.TextChoices):
        WEB = "web", _("インターネット回答")
        ASSISTED = "assisted", _("支援付き回答")
        ENUMERATOR = "enumerator", _("調査員による回答")

    case = models.OneToOneField(SurveyCase, on_delete=models.PROTECT, related_name="answer")
    data = models.JSONField(_("回答(下書き)"), default=dict)
    version = models.PositiveIntegerField(_("版"), default=1)
    mode = models.CharField(_("回答方法"), max_length=12, choices=Mode.choices, default=Mode.WEB)
    assisted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("支援者")
    )
    last_page = models.CharField(_("最後に開いたページ"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("回答開始"), default=timezone.now)
    updated_at = models.DateTimeField(_("最終保存"), default=timezone.now)
    submitted_at = models.DateTimeField(_("送信日時"), null=True, blank=True)
    submitted_version = models.PositiveIntegerField(_("送信した版"), null=True, blank=True)
    submitted_data = models.JSONField(_("送信された回答"), null=True, blank=True)
    receipt_number = models.CharField(_("受付番号"), max_length=12, unique=True, null=True, blank=True)
    submissions = models.PositiveIntegerField(_("送信回数"), default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(mode__in=["web", "assisted", "enumerator"]), name="answer_mode_known"
            ),
            models.CheckConstraint(
                condition=~models.Q(mode="assisted") | models.Q(assisted_by__isnull=False),
                name="answer_assisted_names_supporter",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(submitted_at__isnull=True)
                    & models.Q(receipt_number__isnull=True)
                    & models.Q(submitted_version__isnull=True)
                    & models.Q(submitted_data__isnull=True)
                    & models.Q(submissions=0)
                )
                | (
                    models.Q(submitted_at__isnull=False)
                    & models.Q(receipt_number__isnull=False)
                    & models.Q(submitted_version__isnull=False)
                    & models.Q(submitted_data__isnull=False)
                    & models.Q(submissions__gte=1)
                ),
                name="answer_submission_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_version__isnull=True)
                | models.Q(submitted_version__lte=models.F("version")),
                name="answer_submitted_version_not_ahead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} v{self.version}"

    @property
    def has_unsent_changes(self) -> bool:
        """True when the draft changed after the last submission (a correction not yet sent)."""
        return self.submitted_version is not None and self.submitted_version != self.version
