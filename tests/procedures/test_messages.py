"""Messages to residents through the notifier's channels (issue 14 §6, §7, §5): the 確認書 by e-mail, SMS and the
signed-in resident's inbox; booking confirmations and the day-before reminder with a cancel link; e-mails when
staff return or decide an application. Queued in the action's transaction, sent by the worker's task after
commit (run here as `chiiki worker --batch` would, tests/inline_worker.py), retried on a gateway's refusal, the
failure shown to staff. E-mail is Django's locmem backend; SMS goes to a real HTTP gateway stand-in on localhost.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from tests.inline_worker import run_due_tasks

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.procedures import actions, oidc
from chiiki.procedures.extracts import ExtractRejected, parse_account_extract, parse_tax_extract
from chiiki.procedures.models import (
    Application,
    Entitlement,
    HelpBooking,
    HelpPoint,
    HelpSlot,
    ResidentMessage,
)
from chiiki.procedures.prefill import SESSION_PREFILL
from chiiki.procedures.tasks import next_reminder_run, schedule_booking_reminders, send_booking_reminders
from chiiki.registry.models import Person

SYSTEM = Actor.system("test")
TOKYO = ZoneInfo("Asia/Tokyo")
PARAMETERS = (
    "base_amount: {2024-06-03: 100000}\nper_child: {2024-06-03: 50000}\nchild_age_limit: {2024-06-03: 18}\n"
)


class Gateway:
    """An SMS gateway stand-in on 127.0.0.1: records each JSON request, answers with the status it is set to."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                body["_idempotency_key"] = self.headers.get("Idempotency-Key")
                gateway.requests.append(body)
                answer = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings: Any) -> Iterator[Gateway]:
    stub = Gateway()
    settings.CHIIKI_NOTIFIER_BACKENDS = [
        "chiiki.surveys.contact.notifier.EmailBackend",
        "chiiki.surveys.contact.notifier.SmsBackend",
    ]
    settings.CHIIKI_SMS_API_URL = stub.url
    settings.CHIIKI_SMS_API_TOKEN = "sms-token"
    settings.CHIIKI_PROCEDURES_CONFIRM_URL = "https://chiiki.example.jp/benefits/confirm/"
    yield stub
    stub.close()


@pytest.fixture
def worker(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[[str], int]:
    """Run the due tasks of a queue as the worker does, each action's after-commit work included."""

    def run(queue: str = "default") -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return run_due_tasks(queue)

    return run


def _make_due() -> None:
    """Time passes: every deferred task becomes due."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


# ---------------------------------------------------------------------------------------------- notices


def _issue_notices(
    town: Municipality, worker: Callable[[str], int], capture: Callable[..., Any]
) -> list[Person]:
    """Every household newly exempt; accounts for every head, with an e-mail address for every other head and
    a phone number for the rest; the eligibility run that issues notices, run on the worker's long queue."""
    heads = list(Person.objects.filter(municipality=town, relationship="世帯主").order_by("household_id"))
    tax = ["住民番号,年度,均等割非課税,所得"]
    for person in Person.objects.filter(municipality=town):
        tax += [f"{person.person_code},2024,1,0", f"{person.person_code},2023,0,2500000"]
    accounts = ["住民番号,金融機関コード,支店コード,預金種目,口座番号,口座名義カナ,メールアドレス,電話番号"]
    for i, head in enumerate(heads):
        email = f"Ｈｅａｄ.{head.pk}@Example.JP" if i % 2 == 0 else ""
        phone = f"０９０－１２３４－{head.pk % 10_000:04d}" if i % 2 else ""
        accounts.append(f"{head.person_code},0001,001,普通,{head.pk:07d},ﾔﾏﾀﾞ ﾀﾛｳ,{email},{phone}")
    actions.load_tax_extract(town, parse_tax_extract("\n".join(tax).encode()), by=SYSTEM)
    actions.load_account_extract(town, parse_account_extract("\n".join(accounts).encode()), by=SYSTEM)
    allowance = actions.define_allowance(
        town,
        code="bukka2024",
        name="物価高騰対策給付金",
        rule_set="newly_exempt_household",
        parameters=PARAMETERS,
        reference_date=datetime(2024, 6, 3, tzinfo=TOKYO).date(),
        fiscal_year=2024,
        by=SYSTEM,
    )
    with capture(execute=True):
        actions.request_eligibility_run(allowance, issue_notices=True, by=SYSTEM)
    assert worker("long") == 1
    notified = set(Entitlement.objects.filter(status="notified").values_list("household_id", flat=True))
    return [head for head in heads if head.household_id in notified]


def test_a_bad_contact_in_the_account_extract_is_refused_naming_row_and_column(town_a: Municipality) -> None:
    data = "住民番号,金融機関コード,支店コード,預金種目,口座番号,口座名義カナ,メールアドレス,電話番号\n"
    data += "P1,0001,001,普通,1234567,ﾔﾏﾀﾞ,not-an-address,\nP2,0001,001,普通,1234567,ﾔﾏﾀﾞ,,12-34\n"
    with pytest.raises(ExtractRejected) as refused:
        parse_account_extract(data.encode())
    text = str(refused.value)
    assert "2行目「メールアドレス」列" in text
    assert "3行目「電話番号」列" in text


def test_eligible_households_get_the_notice_by_email_sms_and_inbox_after_commit(
    town_a: Municipality,
    gateway: Gateway,
    worker: Callable[[str], int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _issue_notices(town_a, worker, django_capture_on_commit_callbacks)
    notified = Entitlement.objects.filter(status="notified")
    # Queued with the notices, not yet sent: the worker sends them.
    assert mail.outbox == []
    assert not gateway.requests
    emails = list(ResidentMessage.objects.filter(channel="email", kind="notice", status="queued"))
    texts = list(ResidentMessage.objects.filter(channel="sms", kind="notice", status="queued"))
    assert emails
    assert texts
    assert len(emails) + len(texts) == notified.count()
    email, sms = emails[0], texts[0]
    first, second = email.entitlement, sms.entitlement
    assert (
        email.recipient
        == f"head.{Person.objects.get(household=first.household, relationship='世帯主').pk}@example.jp"
    )
    assert sms.recipient.startswith("0901234")
    # The inbox needs no worker: every notified household's head has the notice there at once.
    assert ResidentMessage.objects.filter(channel="inbox", status="sent").count() == notified.count()

    assert worker("default") == len(emails) + len(texts)
    assert len(mail.outbox) == len(emails)
    sent = next(m for m in mail.outbox if m.to == [email.recipient])
    assert f"{first.amount:,}円" in sent.body
    assert "****" in sent.body  # the account on file, masked
    assert f"https://chiiki.example.jp/benefits/confirm/?notice={first.login_id}" in sent.body
    assert "確認キーは郵送した確認書に書いてあります" in sent.body
    assert len(gateway.requests) == len(texts)
    request = next(
        r for r in gateway.requests if r["_idempotency_key"] == f"chiiki-procedures-message-{sms.pk}"
    )
    assert request["to"] == "+81" + sms.recipient[1:]
    assert second.login_id in request["text"]
    email.refresh_from_db()
    sms.refresh_from_db()
    assert (email.status, sms.status) == ("sent", "sent")
    assert sms.provider_reference.startswith("gw-")
    # The link fills in the notice number; the key still comes from the letter.
    page = Client().get(f"/benefits/confirm/?notice={first.login_id}").content.decode()
    assert f'value="{first.login_id}"' in page


def test_the_signed_in_residents_inbox_shows_their_notice_only_when_linked(
    town_a: Municipality,
    worker: Callable[[str], int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    heads = _issue_notices(town_a, worker, django_capture_on_commit_callbacks)
    entitlement = Entitlement.objects.get(household=heads[2].household)
    inbox = f"/procedures/{town_a.code}/inbox/"
    # Not signed in: the page offers the card sign-in and the letter's number and key.
    anonymous = Client().get(inbox).content.decode()
    assert "/procedures/signin/?next=" in anonymous
    assert entitlement.login_id not in anonymous

    def signed_in(decision: str, person_code: str) -> Client:
        client = Client()
        session = client.session
        session[oidc.SESSION_CLAIMS] = {"sub": "card-1", "name": "x"}
        session[SESSION_PREFILL] = {
            "municipality": town_a.code,
            "decision": decision,
            "person_code": person_code,
        }
        session.save()
        return client

    review = signed_in("review", heads[2].person_code).get(inbox).content.decode()
    assert entitlement.login_id not in review
    assert "住民基本台帳で確かめられなかった" in review
    page = signed_in("linked", heads[2].person_code).get(inbox).content.decode()
    assert "新着" in page
    assert entitlement.login_id in page.replace(" ", "")
    assert f"/benefits/confirm/?notice={entitlement.login_id}" in page
    # Another household's notice is not in this inbox.
    other = Entitlement.objects.get(household=heads[3].household)
    assert other.login_id not in page.replace(" ", "")
    assert AuditEvent.objects.filter(action="procedures.inbox_viewed").count() == 1
    again = signed_in("linked", heads[2].person_code).get(inbox).content.decode()
    assert "新着" not in again  # read now


def test_a_refused_message_is_retried_then_failed_for_staff_who_send_it_again(
    town_a: Municipality,
    gateway: Gateway,
    worker: Callable[[str], int],
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _issue_notices(town_a, worker, django_capture_on_commit_callbacks)
    # Only one SMS is queued; the others were sent (so this test follows one message).
    sms, *others = ResidentMessage.objects.filter(channel="sms").order_by("pk")
    ResidentMessage.objects.filter(pk__in=[o.pk for o in others]).update(
        status="sent", sent_at=timezone.now()
    )
    gateway.status = 503
    assert worker("default") >= 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("retrying", 1)
    assert "HTTP 503" in sms.last_error
    # The next try waits on the queue: nothing runs before it is due.
    assert worker("default") == 0
    for attempt in range(2, actions.MAX_ATTEMPTS + 1):
        _make_due()
        assert worker("default") >= 1
        sms.refresh_from_db()
        assert sms.attempts == attempt
    assert sms.status == "failed"
    assert len(gateway.requests) == actions.MAX_ATTEMPTS  # one request per try, same idempotency key
    assert {r["_idempotency_key"] for r in gateway.requests} == {f"chiiki-procedures-message-{sms.pk}"}
    assert AuditEvent.objects.filter(action="procedures.message_failed", object_id=str(sms.pk)).exists()
    _make_due()
    assert worker("default") == 0  # a failed message is not tried again by itself

    clerk = login(make_staff("clerk", town_a, Role.PROCEDURE_CLERK))
    url = f"/staff/m/{town_a.code}/procedures/messages/"
    page = clerk.get(f"{url}?status=failed").content.decode()
    assert "送信失敗" in page
    assert "HTTP 503" in page
    assert sms.recipient in page
    assert AuditEvent.objects.filter(action="procedures.messages_viewed").exists()
    gateway.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        assert clerk.post(url, {"resend": str(sms.pk)}).status_code == 302
    assert worker("default") == 1
    sms.refresh_from_db()
    assert sms.status == "sent"
    assert clerk.post(url, {"resend": str(sms.pk)}).status_code == 400  # only failed ones


def test_without_a_backend_for_the_channel_the_message_fails_visibly(
    town_a: Municipality,
    settings: Any,
    worker: Callable[[str], int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.EmailBackend"]
    _issue_notices(town_a, worker, django_capture_on_commit_callbacks)
    worker("default")
    assert set(ResidentMessage.objects.filter(channel="sms").values_list("status", flat=True)) == {"failed"}
    assert "no backend" in ResidentMessage.objects.filter(channel="sms").first().last_error
    assert set(ResidentMessage.objects.filter(channel="email").values_list("status", flat=True)) == {"sent"}


# ---------------------------------------------------------------------------------------------- bookings


@pytest.fixture
def point(town_a: Municipality) -> HelpPoint:
    return actions.save_help_point(
        town_a,
        actions.HelpPointInput(
            name="府中公民館",
            kind=HelpPoint.Kind.COMMUNITY,
            address="広島県安芸郡府中町本町二丁目1番",
            opening_hours="火〜日 9:00〜17:00",
            latitude=34.399,
            longitude=132.51,
        ),
        by=SYSTEM,
    )


def _slot(point: HelpPoint, starts: datetime) -> HelpSlot:
    return actions.add_help_slot(
        point, starts_at=starts, ends_at=starts + timedelta(hours=1), capacity=5, by=SYSTEM
    )


def test_a_booking_is_confirmed_at_once_with_a_cancel_link(
    town_a: Municipality,
    point: HelpPoint,
    gateway: Gateway,
    worker: Callable[[str], int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    slot = _slot(point, timezone.now() + timedelta(days=5))
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            f"/procedures/{town_a.code}/help/slots/{slot.pk}/book/",
            {"name": "山田 花子", "contact": "hanako@example.jp"},
        )
    assert page.status_code == 200
    booking = HelpBooking.objects.get()
    assert worker("default") == 1
    [sent] = mail.outbox
    assert sent.to == ["hanako@example.jp"]
    assert "府中公民館" in sent.body
    link = f"https://chiiki.example.jp/procedures/{town_a.code}/help/cancel/?number={booking.number}"
    assert link in sent.body
    cancel = client.get(link.removeprefix("https://chiiki.example.jp")).content.decode()
    assert f'value="{booking.number}"' in cancel
    # A phone booking is confirmed by SMS.
    with django_capture_on_commit_callbacks(execute=True):
        actions.book_help_slot(slot.pk, name="鈴木 一郎", contact="080-1111-2222", by=SYSTEM)
    worker("default")
    [request] = gateway.requests
    assert request["to"] == "+818011112222"
    assert "予約番号" in request["text"]
    assert request["text"].count("/help/cancel/?number=") == 1


def test_a_booking_refused_or_rolled_back_sends_nothing(
    town_a: Municipality,
    point: HelpPoint,
    gateway: Gateway,
    worker: Callable[[str], int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    slot = _slot(point, timezone.now() + timedelta(days=5))

    def book_then_fail() -> None:
        with transaction.atomic():
            actions.book_help_slot(slot.pk, name="山田 花子", contact="hanako@example.jp", by=SYSTEM)
            raise RuntimeError("the request failed after the booking")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        book_then_fail()
    assert not ResidentMessage.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__endswith="deliver_message").exists()
    assert worker("default") == 0
    assert mail.outbox == []


def test_the_daily_job_reminds_tomorrows_bookings_once(
    settings: Any,
    town_a: Municipality,
    point: HelpPoint,
    gateway: Gateway,
    worker: Callable[[str], int],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    tomorrow = timezone.localtime() + timedelta(days=1)
    slot = _slot(point, tomorrow.replace(hour=14, minute=0, second=0, microsecond=0))
    later = _slot(point, tomorrow.replace(hour=14, minute=0, second=0, microsecond=0) + timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        kept = actions.book_help_slot(slot.pk, name="山田 花子", contact="hanako@example.jp", by=SYSTEM)
        gone = actions.book_help_slot(slot.pk, name="佐藤 次郎", contact="jiro@example.jp", by=SYSTEM)
        actions.book_help_slot(later.pk, name="高橋 三郎", contact="saburo@example.jp", by=SYSTEM)
        actions.cancel_help_booking(town_a, gone.number, "jiro@example.jp", by=SYSTEM)
    worker("default")
    mail.outbox.clear()

    # The worker books the daily run at the reminder hour when it starts; booking twice leaves one run waiting.
    assert "chiiki.procedures.tasks.schedule_booking_reminders" in settings.CHIIKI_WORKER_SCHEDULES
    now = timezone.now()
    assert schedule_booking_reminders(now) == next_reminder_run(now)
    assert schedule_booking_reminders(now) is None
    waiting = DBTaskResult.objects.get(task_path=send_booking_reminders.module_path, status="READY")
    assert timezone.localtime(waiting.run_after).hour == 10
    assert worker("default") == 0  # not due yet
    _make_due()
    assert worker("default") == 1  # the daily run: it queues the reminder and books tomorrow's run
    assert worker("default") == 1  # the reminder itself
    [reminder] = mail.outbox
    assert reminder.to == ["hanako@example.jp"]
    assert "明日" in reminder.subject
    assert f"?number={kept.number}" in reminder.body
    assert (
        DBTaskResult.objects.filter(task_path=send_booking_reminders.module_path, status="READY").count() == 1
    )
    # Running the day's job again reminds nobody twice (one reminder per booking, enforced in the database).
    assert send_booking_reminders.call() == 0
    assert ResidentMessage.objects.filter(kind="booking_reminder").count() == 1


# ---------------------------------------------------------------------------------------------- applications


@pytest.fixture
def received(town_a: Municipality) -> Application:
    actions.load_starter_catalog(town_a, by=SYSTEM)
    client = Client()
    data = {
        "applicant_name": "山田 花子",
        "address": "広島県府中町本町1番地",
        "phone": "082-123-4567",
        "items_to_collect": "たんす 1点",
        "collection_date": "2026-12-20",
    }
    checked = client.post(f"/procedures/{town_a.code}/sodai-gomi/apply/", {**data, "action": "review"})
    assert client.post(checked["Location"]).status_code == 200
    application = Application.objects.get()
    application.client = client  # type: ignore[attr-defined]  # signed in to the application
    return application


def test_the_resident_is_emailed_when_staff_return_or_decide_if_an_address_was_left(
    town_a: Municipality,
    received: Application,
    worker: Callable[[str], int],
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    gateway: Gateway,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    clerk_user = make_staff("clerk", town_a, Role.PROCEDURE_CLERK)
    by = Actor.for_user(clerk_user)
    resident: Client = received.client  # type: ignore[attr-defined]
    # No address left: a 差戻し sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        actions.return_for_correction(received.pk, "収集日を選び直してください", by=by)
    assert worker("default") == 0
    assert not ResidentMessage.objects.exists()
    # The resident leaves an address on the status page; a bad one is refused next to the field.
    bad = resident.post("/procedures/my/application/", {"contact_email": "hanako-at-example"})
    assert bad.status_code == 400
    assert "メールアドレス" in bad.content.decode()
    assert (
        resident.post("/procedures/my/application/", {"contact_email": "Hanako@Example.jp"}).status_code
        == 302
    )
    received.refresh_from_db()
    assert received.contact_email == "hanako@example.jp"
    assert actions.submit(received.pk, by=SYSTEM).status == "received"
    with django_capture_on_commit_callbacks(execute=True):
        actions.return_for_correction(received.pk, "たんすの大きさを書いてください", by=by)
    assert worker("default") == 1
    [returned] = mail.outbox
    assert returned.to == ["hanako@example.jp"]
    assert "修正のお願い" in returned.subject
    assert "たんすの大きさ" not in returned.body  # the message itself stays behind the number and key
    assert "https://chiiki.example.jp/procedures/my/" in returned.body
    actions.submit(received.pk, by=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        actions.decide(received.pk, approve=True, reason="", by=by)
    assert worker("default") == 1
    decided = mail.outbox[1]
    assert "審査の結果" in decided.subject
    assert "承認" in decided.body
    assert received.receipt_number in decided.body
