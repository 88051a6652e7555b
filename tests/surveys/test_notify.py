"""The notifier: outbox rows queued in the caller's transaction, delivered on commit by pluggable backends."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.surveys import actions
from chiiki.surveys.actions import queue_notifications
from chiiki.surveys.contact import notifier as notify
from chiiki.surveys.contact.notifier import (
    ConsoleBackend,
    InboxBackend,
    Message,
    NotifierError,
    Recipient,
    SmsBackend,
    backend_for,
    normalize_phone,
)
from chiiki.surveys.models import NotificationOutbox, Survey, SurveyCase
from chiiki.surveys.tasks import deliver_notification

from .answering_setup import sampled_census

TEST = Actor.system("test")

MESSAGE = Message(
    "sms", "090-1234-5678", "件名", "本文", link="https://x.example/answer/?id=1", reference="r1"
)


class StubGateway:
    """A local HTTP gateway on 127.0.0.1 that records each request and answers with a set status."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                gateway.requests.append((self.path, dict(self.headers), body))
                answer = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[StubGateway]:
    stub = StubGateway()
    yield stub
    stub.close()


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def survey(town_a: Municipality) -> Survey:
    return sampled_census(town_a)


# ---------------------------------------------------------------------------------------------- adapters


def test_the_sms_adapter_posts_json_with_token_idempotency_key_and_e164_number(gateway: StubGateway) -> None:
    delivery = SmsBackend(url=f"{gateway.url}/sms", token="secret-token").send(MESSAGE)
    assert delivery.provider_reference == "gw-1"
    path, headers, body = gateway.requests[0]
    assert path == "/sms"
    assert headers["Authorization"] == "Bearer secret-token"
    assert headers["Idempotency-Key"] == "r1"
    assert body["to"] == "+819012345678"
    assert body["text"] == "本文\nhttps://x.example/answer/?id=1"


def test_the_inbox_adapter_posts_the_title_body_and_link(gateway: StubGateway) -> None:
    message = Message("inbox", "MNP-0001", "調査のお願い", "本文", link="https://x/", sender="府中町役所")
    InboxBackend(url=f"{gateway.url}/inbox", token="t").send(message)
    _, _, body = gateway.requests[0]
    assert body == {
        "recipient": "MNP-0001",
        "title": "調査のお願い",
        "body": "本文",
        "link": "https://x/",
        "sender": "府中町役所",
        "reference": "",
    }


def test_a_gateway_error_is_reported_not_raised_raw(gateway: StubGateway) -> None:
    gateway.status = 503
    with pytest.raises(NotifierError, match="HTTP 503"):
        SmsBackend(url=gateway.url, token="t").send(MESSAGE)


def test_an_unreachable_or_unset_gateway_is_a_notifier_error(gateway: StubGateway) -> None:
    url = gateway.url
    gateway.close()
    with pytest.raises(NotifierError):
        SmsBackend(url=url, token="t").send(MESSAGE)
    with pytest.raises(NotifierError, match="CHIIKI_SMS_API_URL"):
        SmsBackend(url="", token="t").send(MESSAGE)
    with pytest.raises(NotifierError, match="http"):
        SmsBackend(url="file:///etc/passwd", token="t").send(MESSAGE)


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("090-1234-5678", "+819012345678"),
        ("０３（１２３４）５６７８", "+81312345678"),
        ("+81 90 1", "+81901"),
    ],
)
def test_japanese_phone_numbers_become_e164(typed: str, e164: str) -> None:
    assert normalize_phone(typed) == e164


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True),
    st.lists(st.sampled_from(["-", " ", "(", ")", "－"]), max_size=3),
    st.booleans(),
)
def test_any_way_of_typing_a_japanese_number_gives_the_same_e164(
    digits: str, separators: list[str], full_width: bool
) -> None:
    typed = digits
    for position, separator in enumerate(separators, start=1):
        cut = min(len(typed), position * 3)
        typed = typed[:cut] + separator + typed[cut:]
    if full_width:
        typed = typed.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert normalize_phone(typed) == f"+81{digits[1:]}"


def test_a_phone_number_that_is_not_japanese_is_refused() -> None:
    with pytest.raises(NotifierError, match="電話番号"):
        normalize_phone("12345")


def test_the_console_backend_prints_every_channel() -> None:
    stream = io.StringIO()
    ConsoleBackend(stream).send(MESSAGE)
    assert "090-1234-5678" in stream.getvalue()
    assert ConsoleBackend().handles("inbox")


def test_the_backends_come_from_settings_first_match_per_channel(settings: Any) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = [
        "chiiki.surveys.contact.notifier.EmailBackend",
        "chiiki.surveys.contact.notifier.SmsBackend",
    ]
    assert isinstance(backend_for("email"), notify.EmailBackend)
    assert isinstance(backend_for("sms"), SmsBackend)
    assert backend_for("inbox") is None


# ---------------------------------------------------------------------------------------------- outbox + task


def recipients(survey: Survey, channel: str, to: str, count: int = 2) -> list[Recipient]:
    return [Recipient(case, channel, to) for case in survey.cases.order_by("id")[:count]]


def test_queued_messages_are_delivered_only_after_commit(
    survey: Survey,
    immediate_tasks: None,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.EmailBackend"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = queue_notifications(survey, recipients(survey, "email", "taro@example.jp"), by=TEST)
    assert len(rows) == 2
    assert mail.outbox == []  # nothing leaves before the commit
    assert set(NotificationOutbox.objects.values_list("status", flat=True)) == {"queued"}
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 2
    assert set(NotificationOutbox.objects.values_list("status", flat=True)) == {"sent"}
    assert AuditEvent.objects.filter(action="surveys.notifications_queue").count() == 1


def test_a_rolled_back_transaction_sends_nothing(
    survey: Survey,
    immediate_tasks: None,
    settings: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.EmailBackend"]
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):  # noqa: PT012
        with transaction.atomic():
            queue_notifications(survey, recipients(survey, "email", "a@example.jp"), by=TEST)
            raise RuntimeError("the caller failed")
    assert mail.outbox == []
    assert not NotificationOutbox.objects.exists()


def test_messages_carry_the_login_id_and_url_but_never_an_access_key(
    survey: Survey, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    issued = actions.issue_access_keys(survey, by=Actor.system("test"))
    keys = {key.case_id: key.access_key for key in issued}
    with django_capture_on_commit_callbacks(execute=False):
        rows = queue_notifications(survey, recipients(survey, "sms", "09012345678"), kind="reminder", by=TEST)
    for row in rows:
        assert row.case is not None
        assert row.case.login_id[:4] in row.body
        assert f"id={row.case.login_id}" in row.link
        key = keys[row.case.pk]
        assert key not in row.body
        assert f"{key[:4]}-{key[4:]}" not in row.body
        assert "(再送)" in row.subject
        assert "2025年10月20日" in row.body


def test_the_sms_backend_delivers_through_the_task_and_records_the_gateway_reference(
    survey: Survey,
    immediate_tasks: None,
    settings: Any,
    gateway: StubGateway,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.SmsBackend"]
    settings.CHIIKI_SMS_API_URL = f"{gateway.url}/v1/sms"
    settings.CHIIKI_SMS_API_TOKEN = "tok"
    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue_notifications(survey, recipients(survey, "sms", "080-0000-1111", count=1), by=TEST)
    row.refresh_from_db()
    assert row.status == "sent"
    assert row.provider_reference == "gw-1"
    assert row.backend == "chiiki.surveys.contact.notifier.SmsBackend"
    assert gateway.requests[0][1]["Idempotency-Key"] == f"chiiki-outbox-{row.pk}"


def test_a_failed_delivery_is_recorded_and_not_retried_blindly(
    survey: Survey,
    settings: Any,
    gateway: StubGateway,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.SmsBackend"]
    settings.CHIIKI_SMS_API_URL = gateway.url
    gateway.status = 500
    with django_capture_on_commit_callbacks(execute=False):
        [row] = queue_notifications(survey, recipients(survey, "sms", "080-0000-1111", count=1), by=TEST)
    assert deliver_notification.call(row.pk) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "HTTP 500" in row.last_error
    assert deliver_notification.call(row.pk) == "failed"  # only queued rows are sent
    assert len(gateway.requests) == 1


def test_a_channel_without_a_backend_is_marked_so(
    survey: Survey, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.EmailBackend"]
    with django_capture_on_commit_callbacks(execute=False):
        [row] = queue_notifications(survey, recipients(survey, "inbox", "MNP-1", count=1), by=TEST)
    assert deliver_notification.call(row.pk) == "no_backend"


def test_the_console_backend_is_the_default_and_sends_any_channel(
    survey: Survey, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        [row] = queue_notifications(survey, recipients(survey, "inbox", "MNP-1", count=1), by=TEST)
    assert deliver_notification.call(row.pk) == "sent"
    assert "MNP-1" in capsys.readouterr().out


def test_a_case_of_another_survey_or_an_unknown_channel_is_refused(survey: Survey) -> None:
    case = survey.cases.first()
    assert isinstance(case, SurveyCase)
    with pytest.raises(ValueError, match="channel"):
        queue_notifications(survey, [Recipient(case, "fax", "x")], by=TEST)
    other = Survey(pk=survey.pk + 1000)
    with pytest.raises(ValueError, match="another survey"):
        queue_notifications(other, [Recipient(case, "sms", "x")], by=TEST)


# ---------------------------------------------------------------------------------------------- the command


def test_the_notify_command_queues_one_message_per_contact_row(
    survey: Survey, tmp_path: Path, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    from django.core.management import call_command

    first, second = survey.cases.order_by("id")[:2]
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(
        "\ufefflogin_id,channel,address\n"
        f"{first.login_id},email,taro@example.jp\n"
        f"{second.login_id[:4]}-{second.login_id[4:]},sms,090-1111-2222\n",
        encoding="utf-8",
    )
    stdout = io.StringIO()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        call_command(
            "survey_notify", survey=str(survey.pk), contacts=contacts, kind="reminder", stdout=stdout
        )
    assert "2 件" in stdout.getvalue()
    assert len(callbacks) == 2
    rows = NotificationOutbox.objects.order_by("id")
    assert [(row.case_id, row.channel, row.kind) for row in rows] == [
        (first.pk, "email", "reminder"),
        (second.pk, "sms", "reminder"),
    ]


def test_the_notify_command_lists_every_bad_row_and_queues_nothing(survey: Survey, tmp_path: Path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    case = survey.cases.first()
    assert case is not None
    contacts = tmp_path / "contacts.csv"
    contacts.write_text(f"login_id,channel,address\n{case.login_id},fax,1\n{case.login_id},sms,\n")
    with pytest.raises(CommandError) as raised:
        call_command("survey_notify", survey=str(survey.pk), contacts=contacts)
    assert "2行目" in str(raised.value)
    assert "3行目" in str(raised.value)
    contacts.write_text("login_id,channel,address\n100000000000,sms,09011112222\n")
    with pytest.raises(CommandError, match="無い調査対象者ID"):
        call_command("survey_notify", survey=str(survey.pk), contacts=contacts)
    with pytest.raises(CommandError, match="見つかりません"):
        call_command("survey_notify", survey=str(survey.pk), contacts=tmp_path / "missing.csv")
    assert not NotificationOutbox.objects.exists()
