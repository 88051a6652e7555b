"""Paradata of survey cases: one row per thing that happened to a case (letter, login, page, submission, visit).

The table was created by the fieldwork app (its name, ``fieldwork_caseevent``, is kept: the model moved to
surveys in migration ``surveys/0007`` without moving any data), so that fieldwork depends on surveys and never
the other way round. Paradata never hold answers or keys: the session only as a short hash, the browser only as
its class of device.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality, User
from chiiki.surveys.models.rounds import Survey, SurveyCase

__all__ = ["CaseEvent", "DeviceClass", "VisitOutcome"]


class DeviceClass(models.TextChoices):
    """Mirrors chiiki.surveys.device.DeviceClass (the classifier stays Django-free)."""

    MOBILE = "mobile", _("スマートフォン")
    TABLET = "tablet", _("タブレット")
    DESKTOP = "desktop", _("パソコン")
    UNKNOWN = "unknown", _("不明")


class VisitOutcome(models.TextChoices):
    """What an enumerator found at a household (recorded on a `visit` event and on the follow-up list)."""

    ABSENT = "absent", _("不在")
    REFUSED = "refused", _("拒否")
    VACANT = "vacant", _("空き家・居住なし")
    ANSWERED_ON_SPOT = "answered_on_spot", _("その場で回答")
    HELPED_ONLINE = "helped_online", _("インターネット回答を手伝った")


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
        db_table = "fieldwork_caseevent"  # created by the fieldwork app; the model moved, the table stayed
        ordering: ClassVar[list[str]] = ["at", "id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["survey", "kind", "at"], name="fieldwork_c_survey__54d2b7_idx"),
            models.Index(fields=["case", "kind"], name="fieldwork_c_case_id_2abf6b_idx"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=~models.Q(kind="visit") | ~models.Q(outcome=""), name="case_event_visit_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
