"""The analysts write a local advisory on a page: it is stored as a CSAF 2.0 document checked against the CSAF
schema, matched like any other advisory but only against the bodies it is sent to, and mailed as TLP allows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Role, User
from chiiki.cyber import actions, engine, queries
from chiiki.cyber.models import Advisory, Alert, Asset, Body

from .conftest import HOSPITAL_SBOM, PREFECTURE, TOWN_CSV, Service

NEW = f"/staff/m/{PREFECTURE}/cyber/advisories/new/"
LOG4J = "pkg:maven/org.apache.logging.log4j/log4j-core vers:maven/>=2.0.0|<2.17.1"
FORTIOS = r"cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:* >=7.0.0|<7.0.15"


@pytest.fixture
def members(service: Service, make_staff: Callable[..., User]) -> dict[str, Any]:
    """A town and a hospital that both run log4j-core 2.14.1; the hospital has a second contact."""
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町役場", by=by)
    hospital = actions.register_body(service.prefecture, kind=Body.Kind.HOSPITAL, name="県立中央病院", by=by)
    nurse_it = make_staff("hospital-it-2", service.prefecture, Role.CYBER_CONTACT)
    for user, address in ((service.town_contact, "it@town.example.jp"), (service.hospital_contact, "it@hosp.example.jp"),
                          (nurse_it, "it2@hosp.example.jp")):  # fmt: skip
        user.email = address
        user.save()
    actions.add_contact(town, service.town_contact, by=by)
    actions.add_contact(hospital, service.hospital_contact, by=by)
    actions.add_contact(hospital, nurse_it, by=by)
    town_list = (
        TOWN_CSV
        + ",log4j-core,2.14.1,会議室予約,いいえ,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1,\n"
    )
    actions.import_inventory(town, engine.read_inventory_csv(town_list.encode(), document="t.csv"),
                             source=Asset.Source.CSV, document="t.csv", by=by)  # fmt: skip
    actions.import_inventory(hospital, engine.read_cyclonedx(HOSPITAL_SBOM, document="h.json"),
                             source=Asset.Source.CYCLONEDX, document="h.json", by=by)  # fmt: skip
    return {"town": town, "hospital": hospital, "nurse_it": nurse_it}


def _form(chosen: list[Body], **changes: Any) -> dict[str, Any]:
    data = {
        "title": "電子カルテの log4j に注意", "description": "県内の病院で使われている log4j-core に弱点があります。",
        "products": f"{LOG4J}\n{FORTIOS}\n", "cve": "CVE-2021-44228",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "tlp": "AMBER",
        "remedy_category": "vendor_fix", "remediation": "2.17.1 以降へ更新してください。",
        "bodies": [b.pk for b in chosen], "usernames": "",
    }  # fmt: skip
    return data | changes


def test_a_local_advisory_is_csaf_and_reaches_only_the_chosen_bodies(
    service: Service, members: dict[str, Any], login: Callable[[User], Client]
) -> None:
    analyst = login(service.analyst)
    assert analyst.get(NEW).status_code == 200
    mail.outbox.clear()
    response = analyst.post(NEW, _form([members["hospital"]]))
    assert response.status_code == 302, response.content.decode()[:3000]

    advisory = Advisory.objects.get(local=True)
    assert advisory.identifier.startswith(f"CHIIKI-{PREFECTURE}-")
    assert (advisory.source_format, advisory.tlp, advisory.cvss_score) == ("csaf", "AMBER", 10.0)
    assert advisory.aliases == ["CVE-2021-44228"]
    # The stored document is CSAF 2.0 and passes the official schema when read again.
    document = advisory.document
    assert document["document"]["csaf_version"] == "2.0"
    assert document["document"]["distribution"]["tlp"]["label"] == "AMBER"
    again = engine.read_csaf(document, document="stored", validate=True)
    assert {p.label for p in again.affected} == {
        "pkg:maven/org.apache.logging.log4j/log4j-core",
        "o:fortinet:fortios",
    }

    # Matched like any advisory, but only against the hospital: the town runs log4j-core 2.14.1 too.
    local_alerts = Alert.objects.filter(advisory=advisory)
    assert [(a.body.name, a.asset.name, a.matched_range) for a in local_alerts] == [
        ("県立中央病院", "log4j-core", "vers:maven/>=2.0.0|<2.17.1")
    ]
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "it2@hosp.example.jp",
        "it@hosp.example.jp",
    ]
    assert "電子カルテの log4j に注意" in mail.outbox[0].body

    # A later load of the town's inventory still does not reach it.
    by = Actor.system("test")
    town_list = (
        TOWN_CSV
        + ",log4j-core,2.14.1,別の端末,いいえ,pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1,\n"
    )
    actions.import_inventory(members["town"], engine.read_inventory_csv(town_list.encode(), document="t2.csv"),
                             source=Asset.Source.CSV, document="t2.csv", by=by)  # fmt: skip
    assert not Alert.objects.filter(advisory=advisory, body=members["town"]).exists()
    event = AuditEvent.objects.get(action="cyber.local_advisory_published")
    assert event.detail["bodies"] == [members["hospital"].pk]


def test_tlp_red_reaches_only_the_named_persons(
    service: Service, members: dict[str, Any], login: Callable[[User], Client]
) -> None:
    analyst = login(service.analyst)
    hospital, nurse_it = members["hospital"], members["nurse_it"]
    # Naming nobody of the chosen body is refused: it would reach no one there.
    refused = analyst.post(NEW, _form([hospital], tlp="RED", usernames=service.town_contact.username))
    assert refused.status_code == 400
    assert "県立中央病院" in refused.content.decode()
    assert not Advisory.objects.filter(local=True).exists()

    mail.outbox.clear()
    response = analyst.post(NEW, _form([hospital], tlp="RED", usernames=service.hospital_contact.username))
    assert response.status_code == 302, response.content.decode()[:3000]
    advisory = Advisory.objects.get(local=True)
    assert advisory.tlp == "RED"
    assert advisory.document["document"]["distribution"]["tlp"]["label"] == "RED"
    assert set(advisory.recipient_users.values_list("username", flat=True)) == {
        service.hospital_contact.username,
        service.analyst.username,
    }
    alert = Alert.objects.get(advisory=advisory)
    assert [m.to for m in mail.outbox] == [["it@hosp.example.jp"]]  # not the second contact
    assert "log4j" not in mail.outbox[0].body  # a RED advisory is never described by e-mail
    assert queries.alert_for(service.hospital_contact, service.prefecture, alert.pk) == alert
    assert queries.alert_for(nurse_it, service.prefecture, alert.pk) is None


def test_amber_strict_is_written_as_amber_and_keeps_its_label(
    service: Service, members: dict[str, Any], login: Callable[[User], Client]
) -> None:
    analyst = login(service.analyst)
    response = analyst.post(NEW, _form([members["hospital"]], tlp="AMBER+STRICT"))
    assert response.status_code == 302
    advisory = Advisory.objects.get(local=True)
    assert advisory.tlp == "AMBER+STRICT"
    assert advisory.document["document"]["distribution"] == {
        "tlp": {"label": "AMBER", "url": "https://www.first.org/tlp/"},
        "text": "TLP:AMBER+STRICT (FIRST TLP 2.0)",
    }
    alert = Alert.objects.get(advisory=advisory)
    assert queries.alert_for(service.hospital_contact, service.prefecture, alert.pk) == alert


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"products": f"{LOG4J}\ncpe:2.3:o:fortinet:fortios:7.0\n"}, "2 行目"),
        ({"products": "pkg:nosuchtype/x/y\n"}, "1 行目"),
        ({"products": "log4j 2.14\n"}, "1 行目"),
        ({"products": "cpe:2.3:o:cisco:ios:12.2(55)se:*:*:*:*:*:*:*\n"}, "1 行目の製品"),
        ({"products": "pkg:maven/a/b vers:maven/~~2.0|<2.0\n"}, "1 行目の製品"),
        (
            {"cvss_vector": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
            "CVSS 3.0 か 3.1",
        ),
        ({"cvss_vector": "CVSS:3.1/AV:X"}, "CVSS ベクトル"),
        ({"bodies": []}, "送り先の団体"),
        ({"cve": "44228"}, "CVE-2021-44228 のように"),
    ],
)
def test_bad_input_names_the_line_and_stores_nothing(
    service: Service, members: dict[str, Any], login: Callable[[User], Client], changes: dict[str, Any],
    message: str,
) -> None:  # fmt: skip
    analyst = login(service.analyst)
    response = analyst.post(NEW, _form([members["hospital"]], **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Advisory.objects.filter(local=True).exists()
    assert not AuditEvent.objects.filter(action="cyber.local_advisory_published").exists()


def test_contacts_cannot_write_advisories(service: Service, login: Callable[[User], Client]) -> None:
    assert login(service.town_contact).get(NEW).status_code == 403
