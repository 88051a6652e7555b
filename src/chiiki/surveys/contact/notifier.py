"""The pluggable notifier: the survey request (and reminders) through e-mail, SMS and a My Na Portal-style inbox.

Backends are listed in ``settings.CHIIKI_NOTIFIER_BACKENDS`` (dotted paths, first match per channel wins):

- ``chiiki.surveys.contact.notifier.ConsoleBackend``: development; prints every message (any channel) to the console.
- ``chiiki.surveys.contact.notifier.EmailBackend``: e-mail through Django's ``send_mail`` (``EMAIL_*`` settings).
- ``chiiki.surveys.contact.notifier.SmsBackend``: an SMS gateway's JSON HTTP API (``CHIIKI_SMS_API_URL``, ``…_TOKEN``,
  ``…_SENDER``).
- ``chiiki.surveys.contact.notifier.InboxBackend``: a My Na Portal-style inbox API (``CHIIKI_INBOX_API_URL``, ``…_TOKEN``).

Messages go through ``NotificationOutbox``: the action ``chiiki.surveys.actions.queue_notifications`` creates
the rows inside the caller's transaction and enqueues the task ``chiiki.surveys.tasks.deliver_notification`` on
commit. A message carries the login ID and the URL, never the access key (keys exist only on the sealed letter).
"""

from __future__ import annotations

import json
import logging
import sys
import unicodedata
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Protocol, TextIO
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from chiiki.surveys.contact.letters import answer_url, format_login_id
from chiiki.surveys.models import NotificationOutbox, Survey, SurveyCase

__all__ = [
    "DEFAULT_BACKENDS",
    "ConsoleBackend",
    "Delivery",
    "EmailBackend",
    "HttpJsonBackend",
    "InboxBackend",
    "Message",
    "NotifierBackend",
    "NotifierError",
    "Recipient",
    "SmsBackend",
    "backend_for",
    "configured_backends",
    "message_of",
    "normalize_phone",
    "request_message",
]

logger = logging.getLogger("chiiki.notify")

DEFAULT_BACKENDS = ["chiiki.surveys.contact.notifier.ConsoleBackend"]
SMS_MAX_CHARS = 660  # Japanese carriers join up to 670 UCS-2 characters into one long SMS; keep a margin


class NotifierError(RuntimeError):
    """A backend could not deliver a message (the reason, for the outbox's last_error)."""


@dataclass(frozen=True, slots=True)
class Message:
    """What a backend sends. ``reference`` is unique per outbox row: gateways use it to drop duplicates."""

    channel: str
    to: str
    subject: str
    body: str
    link: str = ""
    sender: str = ""
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Delivery:
    """A backend's receipt: the provider's own reference for the message, if it gives one."""

    provider_reference: str = ""


class NotifierBackend(ABC):
    """One way of sending. Subclasses set ``channels`` and implement :meth:`send`."""

    channels: ClassVar[frozenset[str]] = frozenset()
    """The channels this backend delivers; ``"*"`` means every channel."""

    def handles(self, channel: str) -> bool:
        """Whether this backend delivers ``channel``."""
        return "*" in self.channels or channel in self.channels

    @abstractmethod
    def send(self, message: Message) -> Delivery:
        """Deliver ``message`` or raise :class:`NotifierError`."""


class ConsoleBackend(NotifierBackend):
    """Development backend: prints each message; the outbox table keeps the record."""

    channels = frozenset({"*"})

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, message: Message) -> Delivery:
        """Print the message (stdout unless a stream was given) and log it."""
        text = (
            f"--- {message.channel} to {message.to} ({message.reference})\n"
            f"件名: {message.subject}\n{message.body}\n"
        )
        (self.stream or sys.stdout).write(text)
        logger.info("notification %s printed (console backend)", message.reference)
        return Delivery(f"console:{message.reference}")


class EmailBackend(NotifierBackend):
    """E-mail through Django's mail settings (``EMAIL_HOST`` …); sender ``CHIIKI_NOTIFIER_EMAIL_FROM``."""

    channels = frozenset({"email"})

    def send(self, message: Message) -> Delivery:
        """Send one plain-text e-mail."""
        sender = getattr(settings, "CHIIKI_NOTIFIER_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL
        try:
            sent = send_mail(message.subject, message.body, sender, [message.to], fail_silently=False)
        except (OSError, ValueError) as error:
            raise NotifierError(f"e-mail: {error}") from error
        if sent != 1:
            raise NotifierError("e-mail: the mail server accepted no message")
        return Delivery()


class HttpJsonBackend(NotifierBackend):
    """Base for gateways with a JSON HTTP API: POST one message, a 2xx answer with an optional ``id``.

    Subclasses name their settings and build the payload. The token goes in ``Authorization: Bearer`` and
    the outbox reference in ``Idempotency-Key``, so a retried request does not send twice.
    """

    url_setting: ClassVar[str] = ""
    token_setting: ClassVar[str] = ""
    timeout_seconds: ClassVar[float] = 10.0

    def __init__(self, url: str | None = None, token: str | None = None) -> None:
        self.url = url if url is not None else getattr(settings, self.url_setting, "")
        self.token = token if token is not None else getattr(settings, self.token_setting, "")

    @abstractmethod
    def payload(self, message: Message) -> dict[str, Any]:
        """The JSON body for ``message``."""

    def send(self, message: Message) -> Delivery:
        """POST the payload; any transport error or non-2xx status raises :class:`NotifierError`."""
        if not self.url:
            raise NotifierError(f"{self.url_setting} is not set")
        if urlsplit(self.url).scheme not in ("http", "https"):
            raise NotifierError(f"{self.url_setting} must be an http(s) URL")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            self.url,
            data=json.dumps(self.payload(message), ensure_ascii=False).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Idempotency-Key": message.reference,
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                raw = response.read(65_536)
        except urllib.error.HTTPError as error:
            raise NotifierError(f"{type(self).__name__}: HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise NotifierError(f"{type(self).__name__}: {error}") from error
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        reference = answer.get("id", "") if isinstance(answer, dict) else ""
        return Delivery(str(reference))


def normalize_phone(number: str) -> str:
    """A Japanese phone number as typed ("090-1234-5678", full width too) in E.164 ("+819012345678")."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", number) if ch.isdigit() or ch == "+")
    if digits.startswith("+"):
        return digits
    if digits.startswith("0") and len(digits) in (10, 11):
        return f"+81{digits[1:]}"
    raise NotifierError(f"電話番号の形が正しくありません (not a Japanese phone number): {number!r}")


class SmsBackend(HttpJsonBackend):
    """SMS through a gateway's JSON API: ``{"to", "from", "text", "client_reference"}``."""

    channels = frozenset({"sms"})
    url_setting = "CHIIKI_SMS_API_URL"
    token_setting = "CHIIKI_SMS_API_TOKEN"  # noqa: S105 - the name of a setting, not a secret

    def payload(self, message: Message) -> dict[str, Any]:
        """Phone number in E.164, text with the link, cut to one long SMS."""
        text = f"{message.body}\n{message.link}" if message.link else message.body
        return {
            "to": normalize_phone(message.to),
            "from": getattr(settings, "CHIIKI_SMS_SENDER", "") or message.sender,
            "text": text[:SMS_MAX_CHARS],
            "client_reference": message.reference,
        }


class InboxBackend(HttpJsonBackend):
    """A My Na Portal-style inbox (お知らせ) API: ``{"recipient", "title", "body", "link", "sender"}``."""

    channels = frozenset({"inbox"})
    url_setting = "CHIIKI_INBOX_API_URL"
    token_setting = "CHIIKI_INBOX_API_TOKEN"  # noqa: S105 - the name of a setting, not a secret

    def payload(self, message: Message) -> dict[str, Any]:
        """The inbox message; ``recipient`` is the inbox's own ID for the resident."""
        return {
            "recipient": message.to,
            "title": message.subject,
            "body": message.body,
            "link": message.link,
            "sender": message.sender,
            "reference": message.reference,
        }


def configured_backends() -> list[NotifierBackend]:
    """Instances of the backends in ``CHIIKI_NOTIFIER_BACKENDS``, in order."""
    paths = getattr(settings, "CHIIKI_NOTIFIER_BACKENDS", DEFAULT_BACKENDS)
    backends: list[NotifierBackend] = []
    for path in paths:
        backend_class = import_string(path)
        backend = backend_class()
        if not isinstance(backend, NotifierBackend):
            raise TypeError(f"{path} is not a NotifierBackend")
        backends.append(backend)
    return backends


def backend_for(channel: str) -> NotifierBackend | None:
    """The first configured backend that delivers ``channel``."""
    return next((backend for backend in configured_backends() if backend.handles(channel)), None)


# ---------------------------------------------------------------------------------------------- messages


class OutgoingRow(Protocol):
    """An outbox row of any app: the surveys' `NotificationOutbox`, the procedures' `ResidentMessage`."""

    pk: Any
    channel: str
    recipient: str
    subject: str
    body: str
    link: str
    municipality: Any


def message_of(row: NotificationOutbox | OutgoingRow, *, reference_prefix: str = "chiiki-outbox") -> Message:
    """What a backend sends for one outbox row (the row's id makes the gateway's idempotency reference)."""
    return Message(
        channel=row.channel,
        to=row.recipient,
        subject=row.subject,
        body=row.body,
        link=row.link,
        sender=f"{row.municipality.name}役所",
        reference=f"{reference_prefix}-{row.pk}",
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where to send one household's message."""

    case: SurveyCase
    channel: str
    to: str


def request_message(survey: Survey, case: SurveyCase, *, kind: str, url: str) -> tuple[str, str, str]:
    """Subject, body and link of a request or reminder, in plain Japanese. Never includes the access key."""
    town = survey.municipality
    deadline = timezone.localtime(survey.closes_at - timedelta(seconds=1)).date()
    link = answer_url(url, case.login_id)
    deadline_text = f"{deadline.year}年{deadline.month}月{deadline.day}日"
    if kind == NotificationOutbox.Kind.REMINDER:
        subject = f"【{town.name}】{survey.title} ご回答のお願い(再送)"
        opening = "まだ回答が届いていません。お忙しいところ恐れ入りますが、ご回答をお願いします。"
    else:
        subject = f"【{town.name}】{survey.title} ご回答のお願い"
        opening = "インターネットで回答できる調査のお願いです。"
    body = (
        f"{opening}\n"
        f"回答期限: {deadline_text}\n"
        f"調査対象者ID: {format_login_id(case.login_id)}\n"
        f"回答用ページ: {link}\n"
        "アクセスキーは郵送した依頼状に書いてあります。このメッセージには書いていません。\n"
        f"お問い合わせ: {town.name}役所 統計調査担当"
    )
    return subject, body, link
