"""The notification outbox: every message the notifier is asked to send, queued and then delivered.

A row is created in the same transaction as whatever caused the message, and the delivery task is enqueued on
commit, so a message is never sent for work that was rolled back and never lost for work that was committed.
It is not a core `Job`: a message is sent at most once (see `chiiki.surveys.actions.notifications`).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiiki.core.models import Municipality

__all__ = ["NotificationOutbox"]


class NotificationOutbox(models.Model):
    """One message to one recipient through one channel, and what became of it."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("電子メール")
        SMS = "sms", _("SMS")
        INBOX = "inbox", _("マイナポータル等のお知らせ")

    class Kind(models.TextChoices):
        REQUEST = "request", _("回答のお願い")
        REMINDER = "reminder", _("督促")
        OTHER = "other", _("その他")

    class Status(models.TextChoices):
        QUEUED = "queued", _("送信待ち")
        SENDING = "sending", _("送信中")
        SENT = "sent", _("送信済み")
        FAILED = "failed", _("送信失敗")
        NO_BACKEND = "no_backend", _("送信手段なし")

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    case = models.ForeignKey(
        "surveys.SurveyCase", null=True, blank=True, on_delete=models.PROTECT, related_name="notifications"
    )
    channel = models.CharField(_("送信経路"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    recipient = models.CharField(_("宛先"), max_length=254)
    subject = models.CharField(_("件名"), max_length=200)
    body = models.TextField(_("本文"))
    link = models.URLField(_("リンク"), max_length=500, blank=True)
    status = models.CharField(_("状況"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    backend = models.CharField(_("送信に使った方式"), max_length=200, blank=True)
    provider_reference = models.CharField(_("送信先での受付番号"), max_length=200, blank=True)
    attempts = models.PositiveIntegerField(_("試行回数"), default=0)
    last_error = models.TextField(_("最後のエラー"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("送信日時"), null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["status", "created_at"], name="outbox_status_created"),
            models.Index(fields=["case", "kind"], name="outbox_case_kind"),
        ]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=models.Q(channel__in=["email", "sms", "inbox"]), name="outbox_channel_known"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sending", "sent", "failed", "no_backend"]),
                name="outbox_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="outbox_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient} ({self.status})"
