"""A contact's inbox: the alerts of their own bodies, unread marked until opened, TLP labels shown with what they
allow, acknowledge and close from there; and the alert e-mail links to the alert's page."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, User
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, Alert, Asset, Body

from .conftest import ADVISORIES, HOSPITAL_SBOM, PREFECTURE, TOWN_CSV, Service

INBOX = f"/staff/m/{PREFECTURE}/cyber/inbox/"


@pytest.fixture
def alerts(service: Service) -> dict[str, Any]:
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町役場", by=by)
    hospital = actions.register_body(service.prefecture, kind=Body.Kind.HOSPITAL, name="県立中央病院", by=by)
    actions.add_contact(town, service.town_contact, by=by)
    actions.add_contact(hospital, service.hospital_contact, by=by)
    service.town_contact.email = "it@town.example.jp"
    service.town_contact.save()
    actions.import_inventory(town, engine.read_inventory_csv(TOWN_CSV.encode(), document="t.csv"),
                             source=Asset.Source.CSV, document="t.csv", by=by)  # fmt: skip
    actions.import_inventory(hospital, engine.read_cyclonedx(HOSPITAL_SBOM, document="h.json"),
                             source=Asset.Source.CYCLONEDX, document="h.json", by=by)  # fmt: skip
    for name, fmt, tlp in (("cisco-sa-20180328-smi2.csaf.json", "csaf", "CLEAR"),
                           ("jvn-vuldef-sample.xml", "jvn", "AMBER"),
                           ("GHSA-jfh8-c2jp-5v3q.osv.json", "osv", "GREEN")):  # fmt: skip
        advisories = engine.read_advisories((ADVISORIES / name).read_bytes(), fmt, document=name)
        actions.load_advisories(service.prefecture, advisories, default_tlp=tlp, provenance=name, by=by)
    return {"town": town, "hospital": hospital,
            "cisco": Alert.objects.get(body=town, advisory__identifier="cisco-sa-20180328-smi2"),
            "jvn": Alert.objects.filter(body=town, advisory__source_format="jvn").first()}  # fmt: skip


def _ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="card" aria-labelledby="alert-(\d+)"', html)]


def _unread(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'id="alert-(\d+)"><span class="tag">未読</span>', html)]


def test_the_inbox_shows_own_alerts_unread_until_opened_and_acts_from_there(
    service: Service, alerts: dict[str, Any], login: Callable[[User], Client]
) -> None:
    town = login(service.town_contact)
    cisco, jvn = alerts["cisco"], alerts["jvn"]
    assert jvn is not None
    page = town.get(INBOX)
    html = page.content.decode()
    assert page.status_code == 200
    own = set(Alert.objects.filter(body=alerts["town"]).values_list("pk", flat=True))
    assert set(_ids(html)) == own  # none of the hospital's
    assert set(_unread(html)) == own
    assert "TLP:AMBER</strong> — この団体の中で、対応に必要な人にだけ" in html
    assert "TLP:CLEAR</strong> — 公開情報です" in html
    event = AuditEvent.objects.filter(action="cyber.alerts_viewed", actor=service.town_contact).latest("pk")
    assert sorted(event.detail["ids"]) == sorted(own)

    assert town.get(f"/staff/m/{PREFECTURE}/cyber/alerts/{cisco.pk}/").status_code == 200  # opened: read
    assert cisco.pk not in _unread(town.get(INBOX).content.decode())
    assert set(_ids(town.get(INBOX, {"show": "unread"}).content.decode())) == own - {cisco.pk}

    # Acknowledge and close from the inbox: back to the inbox each time.
    ack = town.post(f"/staff/m/{PREFECTURE}/cyber/alerts/{jvn.pk}/acknowledge/", {"from": "inbox"})
    assert (ack.status_code, ack["Location"]) == (302, INBOX)
    jvn.refresh_from_db()
    assert jvn.status == Alert.Status.ACKNOWLEDGED
    assert jvn.pk not in _unread(town.get(INBOX).content.decode())  # acting on it counts as read
    close = town.post(
        f"/staff/m/{PREFECTURE}/cyber/alerts/{jvn.pk}/close/",
        {"from": "inbox", "resolution": "mitigated", "note": "SSL-VPN を止めた"},
    )
    assert (close.status_code, close["Location"]) == (302, INBOX)
    jvn.refresh_from_db()
    assert (jvn.status, jvn.note) == (Alert.Status.CLOSED, "SSL-VPN を止めた")
    assert jvn.pk not in _ids(town.get(INBOX).content.decode())
    assert jvn.pk in _ids(town.get(INBOX, {"show": "closed"}).content.decode())
    # A close without a note is refused on the alert's page, nothing changes.
    refused = town.post(
        f"/staff/m/{PREFECTURE}/cyber/alerts/{cisco.pk}/close/",
        {"from": "inbox", "resolution": "patched", "note": ""},
    )
    assert refused.status_code == 400
    cisco.refresh_from_db()
    assert cisco.status == Alert.Status.OPEN


def test_another_bodys_contact_cannot_act_from_their_inbox(
    service: Service, alerts: dict[str, Any], login: Callable[[User], Client]
) -> None:
    hospital = login(service.hospital_contact)
    assert alerts["cisco"].pk not in _ids(hospital.get(INBOX).content.decode())
    response = hospital.post(
        f"/staff/m/{PREFECTURE}/cyber/alerts/{alerts['cisco'].pk}/acknowledge/", {"from": "inbox"}
    )
    assert response.status_code == 404
    alerts["cisco"].refresh_from_db()
    assert alerts["cisco"].status == Alert.Status.OPEN


def test_a_red_alert_is_in_the_inbox_only_of_a_named_person(
    service: Service, alerts: dict[str, Any], login: Callable[[User], Client]
) -> None:
    Advisory.objects.filter(identifier="cisco-sa-20180328-smi2").update(tlp="RED")
    town = login(service.town_contact)
    assert alerts["cisco"].pk not in _ids(town.get(INBOX).content.decode())
    Advisory.objects.get(identifier="cisco-sa-20180328-smi2").recipient_users.add(service.town_contact)
    html = town.get(INBOX).content.decode()
    assert alerts["cisco"].pk in _ids(html)
    assert "TLP:RED</strong> — 名前を挙げられた人だけが扱えます" in html


def test_the_alert_email_links_to_the_alert(service: Service, alerts: dict[str, Any], settings: Any) -> None:
    settings.CHIIKI_SITE_URL = "https://chiiki.example.lg.jp"
    mail.outbox.clear()
    actions.mail_new_alerts(service.prefecture, by=Actor.system("t"))
    bodies = {m.subject: m.body for m in mail.outbox}
    cisco = alerts["cisco"]
    link = f"https://chiiki.example.lg.jp/staff/m/{PREFECTURE}/cyber/alerts/{cisco.pk}/"
    assert any(link in body and "Cisco" in body for body in bodies.values()), bodies


def test_without_a_site_address_the_email_gives_the_path(service: Service, alerts: dict[str, Any]) -> None:
    mail.outbox.clear()
    actions.mail_new_alerts(service.prefecture, by=Actor.system("t"))
    assert any(f"\n/staff/m/{PREFECTURE}/cyber/alerts/{alerts['cisco'].pk}/\n" in m.body for m in mail.outbox)
