"""End to end through real HTTP: bodies register inventories, feeds load in a job, alerts reach only those
TLP allows, contacts acknowledge and close, and the audit log proves who did what."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.models import AuditEvent, Job, Role, User
from chiiki.cyber.models import Advisory, AdvisoryRevision, Alert, Asset, Body, FeedImport
from chiiki.cyber.tasks import import_feed

from .conftest import ADVISORIES, HOSPITAL_SBOM, PREFECTURE, TOWN_CSV, Service

BASE = f"/staff/m/{PREFECTURE}/cyber"


def _register(analyst: Client, kind: str, name: str, contact: User) -> Body:
    response = analyst.post(f"{BASE}/bodies/new/", {"kind": kind, "name": name})
    assert response.status_code == 302, response.content.decode()
    body = Body.objects.get(name=name)
    response = analyst.post(f"{BASE}/bodies/{body.pk}/contacts/", {"username": contact.username})
    assert response.status_code == 302, response.content.decode()
    return body


def _load_feed(
    analyst: Client, fmt: str, *, name: str = "", content: bytes = b"", url: str = "", tlp: str = "CLEAR"
) -> FeedImport:
    data: dict[str, Any] = {"source_format": fmt, "tlp": tlp, "url": url}
    if content:
        data["file"] = SimpleUploadedFile(name, content)
    response = analyst.post(f"{BASE}/feeds/", data)
    assert response.status_code == 302, response.content.decode()
    feed = FeedImport.objects.latest("pk")
    assert feed.status == Job.Status.QUEUED  # nothing loaded inside the request
    import_feed.call(feed.pk)
    feed.refresh_from_db()
    return feed


@pytest.fixture
def world(
    service: Service, login: Callable[[User], Client], feed_server: Callable[[str, bytes], str], settings: Any
) -> dict[str, Any]:
    analyst = login(service.analyst)
    town = _register(analyst, "municipality", "府中町役場", service.town_contact)
    hospital = _register(analyst, "hospital", "県立中央病院", service.hospital_contact)
    town_client, hospital_client = login(service.town_contact), login(service.hospital_contact)
    response = town_client.post(
        f"{BASE}/bodies/{town.pk}/inventory/",
        {"file": SimpleUploadedFile("町の一覧.csv", TOWN_CSV.encode("cp932"))},
    )
    assert response.status_code == 302, response.content.decode()
    response = hospital_client.post(
        f"{BASE}/bodies/{hospital.pk}/inventory/",
        {"file": SimpleUploadedFile("karte.cdx.json", HOSPITAL_SBOM)},
    )
    assert response.status_code == 302, response.content.decode()
    cisco = _load_feed(
        analyst,
        "csaf",
        name="cisco.json",
        content=(ADVISORIES / "cisco-sa-20180328-smi2.csaf.json").read_bytes(),
    )
    url = feed_server("ghsa.json", (ADVISORIES / "GHSA-jfh8-c2jp-5v3q.osv.json").read_bytes())
    settings.CHIIKI_CYBER_FEED_URLS = [url]
    ghsa = _load_feed(analyst, "osv", url=url, tlp="GREEN")
    return {"analyst": analyst, "town": town, "hospital": hospital, "town_client": town_client,
            "hospital_client": hospital_client, "cisco": cisco, "ghsa": ghsa, "url": url}  # fmt: skip


def test_inventories_and_feeds_make_alerts_for_the_right_body_only(world: dict[str, Any]) -> None:
    assert world["cisco"].status == Job.Status.DONE, world["cisco"].message
    assert world["ghsa"].status == Job.Status.DONE, world["ghsa"].message
    assert "新しい通知を 1 件" in world["ghsa"].message
    assert Asset.objects.filter(body=world["town"]).count() == 3
    town_alerts = Alert.objects.filter(body=world["town"])
    assert [(a.advisory.identifier, a.asset.name, a.matched_via) for a in town_alerts] == [
        ("cisco-sa-20180328-smi2", "IOS", "Cisco IOS")
    ]
    hospital_alert = Alert.objects.get(body=world["hospital"])
    assert hospital_alert.advisory.identifier == "GHSA-jfh8-c2jp-5v3q"
    assert hospital_alert.matched_range == "vers:maven/>=2.13.0|<2.15.0"
    assert hospital_alert.advisory.tlp == "GREEN"
    assert hospital_alert.advisory.provenance == world["url"]

    town_page = world["town_client"].get(f"{BASE}/").content.decode()
    assert "Cisco IOS and IOS XE Software Smart Install" in town_page
    assert "Remote code injection in Log4j" not in town_page  # the hospital's alert
    hospital_page = world["hospital_client"].get(f"{BASE}/").content.decode()
    assert "Remote code injection in Log4j" in hospital_page
    assert "Smart Install" not in hospital_page
    # a contact cannot open the other body's page or alert
    assert world["town_client"].get(f"{BASE}/bodies/{world['hospital'].pk}/").status_code == 404
    assert world["town_client"].get(f"{BASE}/alerts/{hospital_alert.pk}/").status_code == 404
    # the analysts see both, with the numbers
    overview = world["analyst"].get(f"{BASE}/").content.decode()
    assert "府中町役場" in overview
    assert "県立中央病院" in overview


def test_the_contact_acknowledges_and_closes_and_the_audit_log_proves_who(
    world: dict[str, Any], service: Service
) -> None:
    alert = Alert.objects.get(body=world["hospital"])
    page = world["hospital_client"].get(f"{BASE}/alerts/{alert.pk}/")
    assert page.status_code == 200
    assert "TLP:GREEN" in page.content.decode()
    # the analyst reads but does not act for the body
    assert world["analyst"].post(f"{BASE}/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert world["hospital_client"].post(f"{BASE}/alerts/{alert.pk}/acknowledge/").status_code == 302
    refused = world["hospital_client"].post(
        f"{BASE}/alerts/{alert.pk}/close/", {"resolution": "patched", "note": " "}
    )
    assert refused.status_code == 400
    note = "12月5日に保守業者が log4j-core を 2.17.1 に更新し、起動を確認した"
    closed = world["hospital_client"].post(
        f"{BASE}/alerts/{alert.pk}/close/", {"resolution": "patched", "note": note}
    )
    assert closed.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.resolution, alert.note) == ("closed", "patched", note)
    assert alert.acknowledged_by == service.hospital_contact
    assert alert.closed_by == service.hospital_contact
    assert alert.acknowledged_at is not None
    assert alert.closed_at is not None
    assert alert.acknowledged_at <= alert.closed_at
    events = AuditEvent.objects.filter(object_type="cyber_alert", object_id=str(alert.pk)).order_by("pk")
    acted = [(e.action, e.actor_label) for e in events if e.action != "cyber.alert_viewed"]
    assert acted == [("cyber.alert_acknowledged", "hospital-it"), ("cyber.alert_closed", "hospital-it")]
    assert events.filter(action="cyber.alert_viewed", actor_label="hospital-it").exists()
    assert AuditEvent.objects.filter(action="cyber.inventory_imported", actor_label="hospital-it").exists()
    assert AuditEvent.objects.filter(action="cyber.advisories_loaded", actor_label="analyst").count() == 2


def test_the_same_feed_twice_is_one_record_and_an_update_is_a_new_revision(
    world: dict[str, Any], feed_server: Callable[[str, bytes], str]
) -> None:
    again = _load_feed(world["analyst"], "osv", url=world["url"])
    assert again.status == Job.Status.DONE
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    document = json.loads((ADVISORIES / "GHSA-jfh8-c2jp-5v3q.osv.json").read_bytes())
    document["modified"] = "2026-12-01T00:00:00Z"
    feed_server("ghsa.json", json.dumps(document).encode())
    updated = _load_feed(world["analyst"], "osv", url=world["url"])
    assert (updated.added, updated.updated) == (0, 1)
    advisory = Advisory.objects.get(identifier="GHSA-jfh8-c2jp-5v3q")
    assert advisory.revision == 2
    assert advisory.modified == "2026-12-01T00:00:00Z"
    assert AdvisoryRevision.objects.get(advisory=advisory).document["modified"] == "2022-03-25T20:56:18Z"
    assert Alert.objects.filter(advisory=advisory).count() == 1


def _local_csaf(
    tlp: str, status: dict[str, list[str]], *, extra: dict[str, Any] | None = None, version: str = "1"
) -> bytes:
    strict = tlp == "AMBER+STRICT"  # TLP 2.0's AMBER+STRICT exists from CSAF 2.1 on (2.0 uses TLP 1.0 labels)
    return json.dumps({
        **({"$schema": "https://docs.oasis-open.org/csaf/csaf/v2.1/schema/csaf.json"} if strict else {}),
        "document": {"category": "csaf_security_advisory", "csaf_version": "2.1" if tlp == "AMBER+STRICT" else "2.0",
                     "title": f"県からの注意喚起 ({tlp})",
                     "publisher": {"category": "coordinator", "name": "広島県 CSIRT", "namespace": "https://example.jp"},
                     "tracking": {"id": f"HIROSHIMA-{tlp}", "current_release_date": "2026-12-04T00:00:00Z",
                                  "initial_release_date": "2026-12-01T00:00:00Z", "status": "final", "version": version,
                                  "revision_history": [{"date": "2026-12-04T00:00:00Z", "number": version, "summary": "更新"}]},
                     "distribution": {"tlp": {"label": tlp}}},
        "product_tree": {"branches": [{"category": "vendor", "name": "Fortinet", "branches": [
            {"category": "product_name", "name": "FortiOS", "branches": [
                {"category": "product_version_range", "name": "vers:generic/>=7.0.0|<=7.0.12",
                 "product": {"name": "FortiOS 7.0.0-7.0.12", "product_id": "P1",
                             "product_identification_helper": {"cpe": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"}}}]}]}]},
        "vulnerabilities": [{"cve": "CVE-2024-21762", "product_status": status, **(extra or {})}],
    }).encode()  # fmt: skip


@pytest.mark.parametrize(
    ("tlp", "name_body", "town_sees", "analyst_sees"),
    [("AMBER", False, True, True), ("AMBER+STRICT", False, False, True), ("AMBER+STRICT", True, True, True),
     ("RED", False, False, True)]  # RED: the analyst who loaded it is named,
)  # fmt: skip
def test_tlp_decides_who_sees_an_alert(
    world: dict[str, Any], tlp: str, name_body: bool, town_sees: bool, analyst_sees: bool
) -> None:
    feed = _load_feed(
        world["analyst"], "csaf", name="local.json", content=_local_csaf(tlp, {"known_affected": ["P1"]})
    )
    assert feed.status == Job.Status.DONE, feed.message
    alert = Alert.objects.get(advisory__identifier=f"HIROSHIMA-{tlp}")
    assert alert.body == world["town"]
    assert alert.asset.name == "FortiOS"
    if name_body:
        named = world["analyst"].post(
            f"{BASE}/advisories/{alert.advisory.pk}/recipients/",
            {"bodies": [world["town"].pk], "usernames": ""},
        )
        assert named.status_code == 302, named.content.decode()
    expect = {True: 200, False: 404}
    assert world["town_client"].get(f"{BASE}/alerts/{alert.pk}/").status_code == expect[town_sees]
    assert world["analyst"].get(f"{BASE}/alerts/{alert.pk}/").status_code == expect[analyst_sees]
    assert world["hospital_client"].get(f"{BASE}/alerts/{alert.pk}/").status_code == 404
    listed = [
        a["id"] for a in world["town_client"].get(f"/api/v1/cyber/municipalities/{PREFECTURE}/alerts").json()
    ]
    assert (alert.pk in listed) is town_sees


def test_a_red_alert_reaches_only_the_persons_named(
    world: dict[str, Any], service: Service, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    _load_feed(
        world["analyst"], "csaf", name="red.json", content=_local_csaf("RED", {"known_affected": ["P1"]})
    )
    alert = Alert.objects.get(advisory__identifier="HIROSHIMA-RED")
    assert list(alert.advisory.recipient_users.all()) == [service.analyst]  # who loaded it received it
    assert world["town_client"].get(f"{BASE}/alerts/{alert.pk}/").status_code == 404
    other_analyst = login(make_staff("analyst-2", service.prefecture, Role.CYBER_ANALYST))
    recipients = f"{BASE}/advisories/{alert.advisory.pk}/recipients/"
    assert other_analyst.get(recipients).status_code == 404  # not named: cannot even see it
    named = world["analyst"].post(recipients, {"usernames": f"analyst\n{service.town_contact.username}"})
    assert named.status_code == 302
    assert world["town_client"].get(f"{BASE}/alerts/{alert.pk}/").status_code == 200
    assert world["hospital_client"].get(f"{BASE}/alerts/{alert.pk}/").status_code == 404
    assert other_analyst.get(f"{BASE}/alerts/{alert.pk}/").status_code == 404
    event = AuditEvent.objects.get(action="cyber.recipients_set")
    assert event.actor_label == "analyst"
    assert event.detail["users"] == ["analyst", "town-it"]
    unknown = world["analyst"].post(recipients, {"usernames": "nobody"})
    assert "nobody" in unknown.content.decode()


def test_a_vex_update_closes_the_open_alert_with_its_justification(world: dict[str, Any]) -> None:
    _load_feed(
        world["analyst"], "csaf", name="v1.json", content=_local_csaf("GREEN", {"known_affected": ["P1"]})
    )
    alert = Alert.objects.get(advisory__identifier="HIROSHIMA-GREEN")
    assert alert.status == "open"
    vex = _local_csaf(
        "GREEN", {"known_not_affected": ["P1"]}, version="2",
        extra={"flags": [{"label": "vulnerable_code_not_in_execute_path", "product_ids": ["P1"]}]},
    )  # fmt: skip
    feed = _load_feed(world["analyst"], "csaf", name="v2.json", content=vex)
    assert feed.updated == 1
    alert.refresh_from_db()
    assert (alert.status, alert.resolution) == ("closed", "not_applicable")
    assert alert.note == "VEX(known_not_affected): vulnerable_code_not_in_execute_path"
    assert AuditEvent.objects.filter(action="cyber.alert_closed_by_vex", object_id=str(alert.pk)).exists()


def test_a_malformed_feed_fails_naming_the_field_and_loads_nothing(world: dict[str, Any]) -> None:
    before = Advisory.objects.count()
    bad = [json.loads((ADVISORIES / "GHSA-jfh8-c2jp-5v3q.osv.json").read_bytes()) | {"id": "OSV-GOOD-1"},
           {"id": "OSV-BAD-1", "modified": "2026-01-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "x"},
                          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "3.0"}, {"fixed": "2.0"}]}]}]}]  # fmt: skip
    feed = _load_feed(world["analyst"], "osv", name="mixed.json", content=json.dumps(bad).encode())
    assert feed.status == Job.Status.FAILED
    assert "mixed.json[1] OSV-BAD-1" in feed.message
    assert "affected[0].ranges[0].events" in feed.message
    assert "Traceback" not in feed.message
    assert Advisory.objects.count() == before


def test_a_feed_that_does_not_answer_fails_with_a_reason(world: dict[str, Any], settings: Any) -> None:
    url = "http://127.0.0.1:9/never.json"  # the discard port: nothing listens
    settings.CHIIKI_CYBER_FEED_URLS = [url]
    feed = _load_feed(world["analyst"], "osv", url=url)
    assert feed.status == Job.Status.FAILED
    assert "取得できませんでした" in feed.message


def test_a_bad_inventory_changes_nothing_and_names_the_row(world: dict[str, Any]) -> None:
    bad = TOWN_CSV + "NEC,住基ネット端末,1.0,窓口,たぶん,,\n"
    response = world["town_client"].post(
        f"{BASE}/bodies/{world['town'].pk}/inventory/", {"file": SimpleUploadedFile("一覧.csv", bad.encode())}
    )
    assert response.status_code == 200
    assert "5行目" in response.content.decode()
    assert Asset.objects.filter(body=world["town"], retired_at__isnull=True).count() == 3


def test_a_smaller_inventory_retires_assets_but_keeps_their_alerts(world: dict[str, Any]) -> None:
    alert = Alert.objects.get(body=world["town"])
    fewer = TOWN_CSV.splitlines()[0] + "\n" + TOWN_CSV.splitlines()[3] + "\n"
    world["town_client"].post(
        f"{BASE}/bodies/{world['town'].pk}/inventory/",
        {"file": SimpleUploadedFile("一覧.csv", fewer.encode())},
    )
    assert list(
        Asset.objects.filter(body=world["town"], retired_at__isnull=True).values_list("name", flat=True)
    ) == ["FortiOS"]
    assert Alert.objects.filter(pk=alert.pk).exists()


def test_a_contact_needs_the_role_first(world: dict[str, Any], make_staff: Callable[..., User]) -> None:
    stranger = make_staff("no-role")
    response = world["analyst"].post(
        f"{BASE}/bodies/{world['town'].pk}/contacts/", {"username": stranger.username}
    )
    assert response.status_code == 200
    assert "役割がありません" in response.content.decode()


def test_the_kev_catalog_raises_priority_and_sets_the_deadline(world: dict[str, Any]) -> None:
    hospital_alert = Alert.objects.get(body=world["hospital"])
    town_alert = Alert.objects.get(body=world["town"])
    # before KEV: log4j 10.0 on an internet-facing server is urgent already; the Cisco switch (9.8, inside) high
    assert (hospital_alert.priority, town_alert.priority) == (1, 2)
    assert not town_alert.exploited
    feed = _load_feed(
        world["analyst"], "kev", name="kev.json", content=(ADVISORIES / "kev-excerpt.json").read_bytes()
    )
    assert feed.status == Job.Status.DONE, feed.message
    assert "悪用が確認された未完了の通知は 2 件" in feed.message
    town_alert.refresh_from_db()
    assert town_alert.exploited
    assert town_alert.due_on == (town_alert.created_at + timedelta(days=14)).date()
    page = world["town_client"].get(f"{BASE}/alerts/{town_alert.pk}/").content.decode()
    assert "KEV" in page


def test_overdue_alerts_are_listed_for_the_analysts_only(world: dict[str, Any]) -> None:
    town_alert = Alert.objects.get(body=world["town"])
    Alert.objects.filter(pk=town_alert.pk).update(due_on=date(2026, 1, 5))  # a deadline long past
    analyst_page = world["analyst"].get(f"{BASE}/").content.decode()
    assert "期限を過ぎた通知" in analyst_page
    assert "2026-01-05" in analyst_page
    assert "期限を過ぎた通知" not in world["town_client"].get(f"{BASE}/").content.decode()
    world["town_client"].post(
        f"{BASE}/alerts/{town_alert.pk}/close/",
        {"resolution": "mitigated", "note": "Smart Install を無効にした"},
    )
    assert "期限を過ぎた通知" not in world["analyst"].get(f"{BASE}/").content.decode()
