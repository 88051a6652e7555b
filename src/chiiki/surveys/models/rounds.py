"""Survey rounds: a survey drawn from the registry on its reference date, and one case per sampled household."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User
from chiiki.registry.models import Household
from chiiki.surveys.models.questionnaires import QuestionnaireVersion


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
    # Counts sign-outs: it is part of the HMAC a respondent's session carries, so signing out ends every
    # session of the case, a copied cookie included (chiiki.surveys.answering.sessions).
    sign_outs = models.PositiveIntegerField(_("ログアウト回数"), default=0)
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
