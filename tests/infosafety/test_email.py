"""Residents who left an e-mail address with a web report are told when its claim is rated (Django's e-mail)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.infosafety import actions
from chiiki.infosafety.models import Claim

LION = "地震で動物園からライオンが逃げた！近所を歩いてるって"


def test_reporters_with_an_email_address_are_told_the_verdict_and_its_correction(
    town_a: Municipality,
    make_staff: Callable[..., User],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    drafter = make_staff("ed1", town_a, Role.INFOSAFETY_EDITOR)
    approver = make_staff("ed2", town_a, Role.INFOSAFETY_EDITOR)
    form = f"/factcheck/{town_a.code}/report/"
    Client().post(form, {"text": LION, "contact": "hanako@example.jp"})
    Client().post(form, {"text": "【拡散希望】" + LION, "contact": "Hanako@Example.jp"})  # the same person
    Client().post(form, {"text": LION + "らしい", "contact": "090-1234-5678"})  # a phone: not mailed
    Client().post(form, {"text": LION + "です", "contact": "taro@example.org"})
    claim = Claim.objects.get()
    assert claim.reports.count() == 4
    actions.add_source(
        claim, title="市動物園の発表", url="https://zoo.example.jp/1", published_on=None, note="",
        by=Actor.for_user(drafter),
    )  # fmt: skip
    actions.draft_verdict(
        claim, scale="jfc", rating="false", explanation="無事です。", by=Actor.for_user(drafter)
    )
    assert mail.outbox == []  # a draft tells nobody

    with django_capture_on_commit_callbacks(execute=True):
        actions.publish_verdict(claim, by=Actor.for_user(approver))
    assert sorted(m.to[0].lower() for m in mail.outbox) == ["hanako@example.jp", "taro@example.org"]
    message = mail.outbox[0]
    assert len(message.to) == 1  # one message each: reporters never see each other's addresses
    assert "判定: 誤り" in message.body
    assert "ライオン" in message.body
    published = AuditEvent.objects.get(action="infosafety.verdict_published")
    assert published.detail["emailed"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        actions.correct_verdict(
            claim, rating="inaccurate", explanation="一部は移送中でした。", note="判定を変えました",
            by=Actor.for_user(approver),
        )  # fmt: skip
    assert len(mail.outbox) == 4
    assert all("判定: 不正確" in m.body for m in mail.outbox[2:])
