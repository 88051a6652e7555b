"""Alerts by e-mail (Django's e-mail backend; locmem in tests) worded for a non-specialist, TLP respected, and
escalation of overdue alerts to the body's manager and the prefecture's analysts, once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Role, User
from chiiki.cyber import actions, engine, tasks
from chiiki.cyber.models import Advisory, Alert, Asset, Body

from .conftest import ADVISORIES, TOWN_CSV, Service


@pytest.fixture
def town(service: Service, make_staff: Any) -> tuple[Body, User]:
    by = Actor.system("test")
    body = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町役場", by=by)
    service.town_contact.email = "it@town.example.jp"
    service.town_contact.save()
    service.analyst.email = "soc@pref.example.jp"
    service.analyst.save()
    manager = make_staff("town-manager", service.prefecture, Role.CYBER_CONTACT)
    manager.email = "soumu@town.example.jp"
    manager.save()
    actions.add_contact(body, service.town_contact, by=by)
    actions.add_contact(body, manager, is_manager=True, by=by)
    components = engine.read_inventory_csv(TOWN_CSV.encode(), document="town.csv")
    actions.import_inventory(body, components, source=Asset.Source.CSV, document="town.csv", by=by)
    return body, manager


def _load(service: Service, name: str, fmt: str, tlp: str = "CLEAR") -> None:
    advisories = engine.read_advisories((ADVISORIES / name).read_bytes(), fmt, document=name)
    actions.load_advisories(
        service.prefecture, advisories, default_tlp=tlp, provenance=name, by=Actor.system("t")
    )


def test_a_new_alert_is_mailed_once_in_plain_words(service: Service, town: tuple[Body, User]) -> None:
    _load(service, "jvn-vuldef-sample.xml", "jvn", tlp="GREEN")
    assert tasks.mail_alerts.call() == 1
    [message] = mail.outbox
    assert sorted(message.to) == ["it@town.example.jp", "soumu@town.example.jp"]
    assert "FortiOS バージョン 7.0.9" in message.subject
    assert "期限" in message.subject
    for words in ("何が影響を受けるか", "何をすればよいか", "SSL-VPN を無効に", "いつまでに", "優先度: 緊急",
                  "本庁舎 VPN", "TLP:GREEN", "県内の参加団体の間で共有できます"):  # fmt: skip
        assert words in message.body, words
    assert tasks.mail_alerts.call() == 0  # not twice
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="cyber.alert_mailed").count() == 1


def test_a_red_advisory_is_not_described_and_reaches_named_persons_only(
    service: Service, town: tuple[Body, User]
) -> None:
    _load(service, "jvn-vuldef-sample.xml", "jvn", tlp="RED")
    advisory = Advisory.objects.get(identifier="JVNDB-2024-900001")
    assert actions.mail_new_alerts(service.prefecture, by=Actor.system("t")) == 0  # nobody of the town named
    advisory.recipient_users.add(service.town_contact)
    assert actions.mail_new_alerts(service.prefecture, by=Actor.system("t")) == 1
    [message] = mail.outbox
    assert message.to == ["it@town.example.jp"]
    assert "FortiOS" not in message.subject + message.body
    assert "メールには書けません" in message.body


def test_an_overdue_alert_is_escalated_to_the_manager_and_the_prefecture_once(
    service: Service, town: tuple[Body, User]
) -> None:
    _load(service, "cisco-sa-20180328-smi2.csaf.json", "csaf")
    alert = Alert.objects.get()
    today = timezone.localdate()
    assert actions.escalate_overdue(service.prefecture, today=today, by=Actor.system("t")) == 0  # not yet due
    Alert.objects.filter(pk=alert.pk).update(due_on=today - timedelta(days=1))
    assert actions.escalate_overdue(service.prefecture, today=today, by=Actor.system("t")) == 1
    [message] = mail.outbox
    assert sorted(message.to) == ["soc@pref.example.jp", "soumu@town.example.jp"]  # not the contact
    assert "期限切れ" in message.subject
    assert "確認もされていません" in message.body
    assert "Cisco IOS" in message.body
    assert actions.escalate_overdue(service.prefecture, today=today, by=Actor.system("t")) == 0
    # A closed alert is never escalated.
    actions.close_alert(alert, resolution="patched", note="更新した", by=Actor.system("t"))
    Alert.objects.filter(pk=alert.pk).update(escalated_at=None)
    assert actions.escalate_overdue(service.prefecture, today=today, by=Actor.system("t")) == 0
