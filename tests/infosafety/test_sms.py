"""Residents who left only a phone number with a report are told by SMS when its claim is rated: through the
surveys' notifier (its outbox, its delivery task, the SMS backend), checked against a local stand-in gateway."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from tests.surveys.test_notify import StubGateway

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.actions.sms import phone_number
from chiiki.infosafety.models import Claim
from chiiki.surveys.models import NotificationOutbox

LION = "地震で動物園からライオンが逃げた！近所を歩いてるって"


@pytest.fixture
def gateway(settings: Any) -> Iterator[StubGateway]:
    stub = StubGateway()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CHIIKI_NOTIFIER_BACKENDS = ["chiiki.surveys.contact.notifier.SmsBackend"]
    settings.CHIIKI_SMS_API_URL = f"{stub.url}/sms"
    settings.CHIIKI_SMS_API_TOKEN = "sms-token"
    yield stub
    stub.close()


def test_what_counts_as_a_phone_number() -> None:
    assert phone_number("090-1234-5678") == "+819012345678"
    assert phone_number("０３（１２３４）５６７８") == "+81312345678"  # full width, as typed on a phone
    assert phone_number("hanako@example.jp") is None  # told by e-mail
    assert phone_number("山田花子") is None
    assert phone_number("2026-12-05 09:00") is None
    assert phone_number("") is None


def test_phone_numbers_get_one_sms_each_at_publication_and_correction(
    town_a: Municipality,
    make_staff: Callable[..., User],
    gateway: StubGateway,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    drafter = make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR)
    approver = make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR)
    form = f"/factcheck/{town_a.code}/report/"
    Client().post(form, {"text": LION, "contact": "090-1234-5678"})
    Client().post(
        form, {"text": "【拡散希望】" + LION, "contact": "０９０１２３４５６７８"}
    )  # the same phone
    Client().post(form, {"text": LION + "らしい", "contact": "hanako@example.jp"})  # mailed, not texted
    Client().post(form, {"text": LION + "です", "contact": "080 9999 0000"})
    Client().post(form, {"text": LION + "よ", "contact": "山田"})  # nobody to text
    claim = Claim.objects.get()
    assert claim.reports.count() == 5
    actions.add_source(
        claim, title="市動物園の発表", url="", published_on=None, note="", by=Actor.for_user(drafter)
    )
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="無事です。", by=Actor.for_user(drafter)
    )
    assert gateway.requests == []  # a draft tells nobody
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_verdict(claim, by=Actor.for_user(approver))
    sent = sorted(body["to"] for _path, _headers, body in gateway.requests)
    assert sent == ["+818099990000", "+819012345678"]
    path, headers, body = gateway.requests[0]
    assert path == "/sms"
    assert headers["Authorization"] == "Bearer sms-token"
    assert "誤り" in body["text"]
    assert "ライオン" in body["text"]
    assert "http" not in body["text"]  # no link in a text message
    rows = NotificationOutbox.objects.filter(municipality=town_a)
    assert {(r.channel, r.kind, r.status) for r in rows} == {("sms", "other", "sent")}
    assert all(r.survey_id is None and r.case_id is None for r in rows)
    published = AuditEvent.objects.get(action="infosafety.verdict_published")
    assert published.detail["texted"] == 2
    assert published.detail["emailed"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        actions.correct_verdict(
            claim,
            rating="inaccurate",
            explanation="一部は本当です。",
            note="判定を見直し",
            by=Actor.for_user(approver),
        )
    assert len(gateway.requests) == 4
    assert "不正確" in gateway.requests[-1][2]["text"]


def test_a_gateway_that_refuses_leaves_the_publication_and_a_failed_row(
    town_a: Municipality,
    make_staff: Callable[..., User],
    gateway: StubGateway,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    gateway.status = 503
    drafter = make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR)
    approver = make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR)
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": LION, "contact": "090-1234-5678"})
    claim = Claim.objects.get()
    actions.add_source(claim, title="発表", url="", published_on=None, note="", by=Actor.for_user(drafter))
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="無事です。", by=Actor.for_user(drafter)
    )
    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_verdict(claim, by=Actor.for_user(approver))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PUBLISHED
    row = NotificationOutbox.objects.get(municipality=town_a)
    assert row.status == NotificationOutbox.Status.FAILED
    assert "503" in row.last_error


def test_a_phone_merged_into_a_published_claim_is_told_at_once(
    town_a: Municipality,
    make_staff: Callable[..., User],
    gateway: StubGateway,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    drafter = make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR)
    approver = make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR)
    Client().post(f"/factcheck/{town_a.code}/report/", {"text": LION})
    claim = Claim.objects.get()
    actions.add_source(claim, title="発表", url="", published_on=None, note="", by=Actor.for_user(drafter))
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="無事です。", by=Actor.for_user(drafter)
    )
    actions.publish_verdict(claim, by=Actor.for_user(approver))
    Client().post(
        f"/factcheck/{town_a.code}/report/",
        {"text": "投票用紙は鉛筆だと書き換えられる", "contact": "090-1111-2222"},
    )
    other = Claim.objects.exclude(pk=claim.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        actions.merge_claims(claim, other, by=Actor.for_user(drafter))
    assert [body["to"] for _p, _h, body in gateway.requests] == ["+819011112222"]
