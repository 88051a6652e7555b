"""Survey rounds: versioned XLSForm questionnaires, surveys drawn from the registry, and one case per household."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User
from chiiki.registry.models import Household


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


class Survey(models.Model):
    """A survey round of one municipality: its frame date, answering period, questionnaire and design."""

    class Design(models.TextChoices):
        CENSUS = "census", _("全数調査")
        STRATIFIED = "stratified", _("層化無作為抽出")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("調査名"), max_length=200)
    reference_date = models.DateField(_("調査期日"))
    opens_at = models.DateTimeField(_("回答受付開始"))
    closes_at = models.DateTimeField(_("回答受付終了"))
    follow_up_on = models.DateField(_("未回答世帯への訪問開始日"), null=True, blank=True)
    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="surveys"
    )
    design = models.CharField(_("調査方法"), max_length=20, choices=Design.choices, default=Design.CENSUS)
    sample_size = models.PositiveIntegerField(_("標本の大きさ"), null=True, blank=True)
    minimum_per_stratum = models.PositiveIntegerField(_("層ごとの最低数"), default=2)
    strata_variables = models.CharField(
        _("層化の変数"), max_length=40, default="district,size,age", help_text="district, size, age"
    )
    seed = models.BigIntegerField(_("乱数の種"), default=0)
    sampled_at = models.DateTimeField(_("抽出日時"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar[list[str]] = ["municipality", "-reference_date", "id"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="survey_period_order"
            ),
            models.CheckConstraint(
                condition=models.Q(design__in=["census", "stratified"]), name="survey_design_known"
            ),
            models.CheckConstraint(
                condition=(models.Q(design="census") & models.Q(sample_size__isnull=True))
                | (models.Q(design="stratified") & models.Q(sample_size__gte=1)),
                name="survey_sample_size_matches_design",
            ),
            models.CheckConstraint(
                condition=models.Q(follow_up_on__isnull=True)
                | models.Q(follow_up_on__gte=models.F("reference_date")),
                name="survey_follow_up_after_reference_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyCase(models.Model):
    """One sampled household of a survey, with its login ID, hashed access key and (later) password."""

    class Status(models.TextChoices):
        SAMPLED = "sampled", _("抽出済み")
        ISSUED = "issued", _("依頼状発行済み")
        STARTED = "started", _("回答中")
        SUBMITTED = "submitted", _("回答済み")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="survey_cases")
    stratum = models.CharField(_("層"), max_length=100)
    selection_probability = models.FloatField(_("抽出確率"))
    login_id = models.CharField(_("調査対象者ID"), max_length=12, unique=True)
    access_key_hash = models.CharField(_("アクセスキー(ハッシュ)"), max_length=200, blank=True)
    keys_issued_at = models.DateTimeField(_("アクセスキー発行日時"), null=True, blank=True)
    password_hash = models.CharField(_("パスワード(ハッシュ)"), max_length=200, blank=True)
    status = models.CharField(_("状況"), max_length=12, choices=Status.choices, default=Status.SAMPLED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["survey", "id"]
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["survey", "status"])]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["survey", "household"], name="survey_case_unique_household"),
            models.CheckConstraint(
                condition=Exact(Length("login_id"), 12), name="survey_case_login_id_length"
            ),
            models.CheckConstraint(
                condition=models.Q(selection_probability__gt=0) & models.Q(selection_probability__lte=1),
                name="survey_case_probability_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["sampled", "issued", "started", "submitted"]),
                name="survey_case_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(status="sampled") | ~models.Q(access_key_hash=""),
                name="survey_case_issued_has_key",
            ),
        ]

    def __str__(self) -> str:
        return self.login_id


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


from chiiki.surveys.models_exports import *  # noqa: E402, F403 - exports live in their own module
from chiiki.surveys.models_outbox import *  # noqa: E402, F403 - the outbox lives in its own module
