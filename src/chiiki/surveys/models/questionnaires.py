"""Questionnaires: one per XLSForm form_id and municipality, with immutable imported versions."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User


class QuestionnaireInUseError(RuntimeError):
    """A questionnaire version used by a survey cannot change under its respondents."""


class Questionnaire(models.Model):
    """A questionnaire of one municipality, identified by the XLSForm form_id; its content lives in versions."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="questionnaires")
    form_id = models.CharField(_("フォームID"), max_length=100)
    title = models.CharField(_("調査票名"), max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "form_id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["municipality", "form_id"], name="questionnaire_unique_form_id"),
        ]

    def __str__(self) -> str:
        return self.title


class QuestionnaireVersionQuerySet(models.QuerySet["QuestionnaireVersion"]):
    def update(self, **kwargs: Any) -> int:
        if self.filter(surveys__isnull=False).exists():
            raise QuestionnaireInUseError("a questionnaire version used by a survey cannot change")
        return super().update(**kwargs)


class QuestionnaireVersion(models.Model):
    """One imported XLSForm, stored as the engine's JSON (Form.to_json()). Immutable once a survey uses it."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版番号"))
    form_version = models.CharField(_("フォームの版"), max_length=100, blank=True)
    definition = models.JSONField(_("調査票の定義"))
    source_name = models.CharField(_("元のファイル名"), max_length=255, blank=True)
    source_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = QuestionnaireVersionQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["questionnaire", "number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaire_version_unique_number"
            ),
            models.UniqueConstraint(
                fields=["questionnaire", "source_sha256"], name="questionnaire_version_unique_source"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="questionnaire_version_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.in_use:
            raise QuestionnaireInUseError("a questionnaire version used by a survey cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.in_use:
            raise QuestionnaireInUseError("a questionnaire version used by a survey cannot be deleted")
        return super().delete(*args, **kwargs)

    @property
    def in_use(self) -> bool:
        """True when a survey uses this version (it can no longer change)."""
        return self.pk is not None and self.surveys.exists()
