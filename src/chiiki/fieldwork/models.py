"""Paradata of survey cases, reminder schedules, and the non-response follow-up by enumerators."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User
from chiiki.registry.models import District
from chiiki.surveys.models import Survey, SurveyCase


class DeviceClass(models.TextChoices):
    """Mirrors chiiki.fieldwork.device.DeviceClass (the classifier stays Django-free)."""

    MOBILE = "mobile", _("スマートフォン")
    TABLET = "tablet", _("タブレット")
    DESKTOP = "desktop", _("パソコン")
    UNKNOWN = "unknown", _("不明")


class VisitOutcome(models.TextChoices):
    ABSENT = "absent", _("不在")
    REFUSED = "refused", _("拒否")
    VACANT = "vacant", _("空き家・居住なし")
    ANSWERED_ON_SPOT = "answered_on_spot", _("その場で回答")
    HELPED_ONLINE = "helped_online", _("インターネット回答を手伝った")


# After these a household needs no further visit; "absent" and "helped online" stay on the list until it answers.
FINAL_OUTCOMES = frozenset({VisitOutcome.REFUSED, VisitOutcome.VACANT, VisitOutcome.ANSWERED_ON_SPOT})


class CaseEvent(models.Model):
    """One paradata event of a case: a letter, a reminder, a login, a page view, a submission, a visit."""

    class Kind(models.TextChoices):
        LETTER_SENT = "letter_sent", _("依頼状送付")
        REMINDER_SENT = "reminder_sent", _("督促送付")
        LOGIN = "login", _("ログイン")
        LOGIN_FAILED = "login_failed", _("ログイン失敗")
        PAGE_VIEW = "page_view", _("ページ表示")
        SAVED = "saved", _("一時保存")
        SUBMITTED = "submitted", _("回答送信")
        ASSISTED_OPENED = "assisted_opened", _("支援回答の開始")
        VISIT = "visit", _("調査員訪問")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="case_events")
    case = models.ForeignKey(SurveyCase, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("日時"), default=timezone.now)
    device_class = models.CharField(
        _("端末"), max_length=10, choices=DeviceClass.choices, default=DeviceClass.UNKNOWN
    )
    session = models.CharField(
        _("セッション"), max_length=16, blank=True, help_text="hash prefix, never the key"
    )
    page = models.CharField(_("ページ"), max_length=100, blank=True)
    seconds = models.PositiveIntegerField(_("ページの滞在秒数"), null=True, blank=True)
    mode = models.CharField(_("回答方法"), max_length=12, blank=True)
    channel = models.CharField(_("経路"), max_length=20, blank=True)
    outcome = models.CharField(_("訪問結果"), max_length=20, choices=VisitOutcome.choices, blank=True)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    detail = models.JSONField(_("詳細"), default=dict, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["survey", "kind", "at"]),
            models.Index(fields=["case", "kind"]),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(kind="visit") | ~models.Q(outcome=""), name="case_event_visit_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ReminderSchedule(models.Model):
    """When reminders go to households that have not answered: days after the survey opens."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="reminder_schedule")
    days_after_opening = models.JSONField(_("督促の日(回答受付開始からの日数)"), default=list)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.days_after_opening}"


class FollowUpArea(models.Model):
    """An enumerator district of one survey: registry districts (or parts of them) given to one enumerator."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="follow_up_areas")
    number = models.PositiveIntegerField(_("調査区番号"))
    enumerator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="follow_up_areas")
    districts = models.ManyToManyField(District, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["survey", "number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["survey", "number"], name="follow_up_area_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}-{self.number}"


class FollowUpAssignment(models.Model):
    """One non-responding household on an enumerator's list, with the outcome of the last visit."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey(FollowUpArea, on_delete=models.CASCADE, related_name="assignments")
    case = models.OneToOneField(SurveyCase, on_delete=models.PROTECT, related_name="follow_up")
    position = models.PositiveIntegerField(_("訪問順"), default=0)
    outcome = models.CharField(_("最後の訪問結果"), max_length=20, choices=VisitOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("最後の訪問日時"), null=True, blank=True)
    visits = models.PositiveIntegerField(_("訪問回数"), default=0)

    class Meta:
        ordering: ClassVar[list[str]] = ["area", "position", "id"]

    def __str__(self) -> str:
        return f"{self.area} / {self.case_id}"

    @property
    def is_settled(self) -> bool:
        """True when the last visit ended the follow-up (refused, vacant, answered on the spot)."""
        return self.outcome in FINAL_OUTCOMES
