"""Sharing out: the operator's advisories and aggregated exposure as a STIX 2.1 bundle (parsed back with the
stix2 library) and a MISP event, with TLP respected (RED and AMBER+STRICT never leave; nothing of an inventory
is in the files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import stix2
from django.core.management import call_command

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, Alert, Asset, Body

from .conftest import ADVISORIES, PREFECTURE, TOWN_CSV, Service


@pytest.fixture
def loaded(service: Service) -> Service:
    by = Actor.system("test")
    town = actions.register_body(service.prefecture, kind=Body.Kind.MUNICIPALITY, name="府中町役場", by=by)
    clinic = actions.register_body(service.prefecture, kind=Body.Kind.CLINIC, name="海田クリニック", by=by)
    for body in (town, clinic):
        components = engine.read_inventory_csv(TOWN_CSV.encode(), document="town.csv")
        actions.import_inventory(body, components, source=Asset.Source.CSV, document="town.csv", by=by)
    for name, fmt, tlp in (
        ("cisco-sa-20180328-smi2.csaf.json", "csaf", "CLEAR"),
        ("jvn-vuldef-sample.xml", "jvn", "AMBER"),
        ("GHSA-jfh8-c2jp-5v3q.osv.json", "osv", "RED"),
    ):
        advisories = engine.read_advisories((ADVISORIES / name).read_bytes(), fmt, document=name)
        actions.load_advisories(service.prefecture, advisories, default_tlp=tlp, provenance=name, by=by)
    Advisory.objects.filter(identifier="JVNDB-2021-900002").update(tlp="AMBER+STRICT")
    cisco = Alert.objects.get(body=town, advisory__identifier="cisco-sa-20180328-smi2")
    actions.close_alert(cisco, resolution="patched", note="15.2(7)E に更新", by=by)
    return service


def _export(fmt: str, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / f"export.{fmt}.json"
    call_command("cyber_export", "--municipality", PREFECTURE, "--format", fmt, "--out", str(out), *extra)
    return out.read_text(encoding="utf-8")


def test_the_stix_bundle_holds_shareable_advisories_and_counts_only(loaded: Service, tmp_path: Path) -> None:
    text = _export("stix", tmp_path)
    bundle = stix2.parse(text, allow_custom=True)
    vulnerabilities = {o.name: o for o in bundle.objects if o.type == "vulnerability"}
    assert set(vulnerabilities) == {"cisco-sa-20180328-smi2", "JVNDB-2024-900001"}  # no RED, no AMBER+STRICT
    cisco = vulnerabilities["cisco-sa-20180328-smi2"]
    assert cisco.object_marking_refs == [stix2.TLP_WHITE.id]
    assert {"source_name": "cve", "external_id": "CVE-2018-0171"} in [
        dict(r) for r in cisco.external_references
    ]
    assert vulnerabilities["JVNDB-2024-900001"].object_marking_refs == [stix2.TLP_AMBER.id]
    notes = {o.object_refs[0]: o for o in bundle.objects if o.type == "note"}
    exposure = notes[cisco.id]
    assert (exposure.x_chiiki_bodies_affected, exposure.x_chiiki_bodies_closed) == (2, 1)
    assert exposure.x_chiiki_bodies_by_kind == {"clinic": 1, "municipality": 1}
    assert exposure.object_marking_refs == [stix2.TLP_GREEN.id]  # exposure is never public
    # Nothing of an inventory: no body name, place, or asset version.
    for secret in ("府中町役場", "海田クリニック", "本庁舎", "12.2(55)SE", "7.0.9", "Log4j"):
        assert secret not in text
    assert AuditEvent.objects.get(action="cyber.exported").detail["withheld"] == 2


def test_a_lower_ceiling_keeps_amber_in(loaded: Service, tmp_path: Path) -> None:
    bundle = stix2.parse(_export("stix", tmp_path, "--tlp", "GREEN"), allow_custom=True)
    assert [o.name for o in bundle.objects if o.type == "vulnerability"] == ["cisco-sa-20180328-smi2"]


def test_the_misp_event_tags_each_object_with_its_tlp(loaded: Service, tmp_path: Path) -> None:
    event = json.loads(_export("misp", tmp_path))["Event"]
    assert event["Tag"] == [{"name": "tlp:amber"}]
    objects = {o["comment"].split()[0]: o for o in event["Object"]}
    assert set(objects) == {"cisco-sa-20180328-smi2", "JVNDB-2024-900001"}
    cisco = {a["object_relation"]: a for a in objects["cisco-sa-20180328-smi2"]["Attribute"]}
    assert cisco["id"]["value"] == "CVE-2018-0171"
    assert cisco["id"]["Tag"] == [{"name": "tlp:green"}]
    assert "2 member bodies affected" in cisco["references"]["value"]
    assert "府中町役場" not in json.dumps(event, ensure_ascii=False)
    again = json.loads(_export("misp", tmp_path))["Event"]
    assert [o["uuid"] for o in again["Object"]] == [o["uuid"] for o in event["Object"]]  # stable identifiers


def test_red_and_amber_strict_are_refused_at_every_step() -> None:
    red = engine.SharedAdvisory(identifier="X-1", title="x", tlp="RED")
    strict = engine.SharedAdvisory(identifier="X-2", title="x", tlp="AMBER+STRICT")
    assert engine.exportable([red, strict]) == []
    with pytest.raises(engine.TlpError):
        engine.exportable([red], ceiling="RED")
    from django.utils import timezone

    for write in (engine.stix_bundle, engine.misp_event):
        with pytest.raises(engine.TlpError):
            write([red], operator_code="340006", operator_name="広島県", created=timezone.now())


def test_the_export_page_downloads_the_same_files_tlp_filtered_and_audited(
    loaded: Service, login: Any
) -> None:
    analyst = login(loaded.analyst)
    page = f"/staff/m/{PREFECTURE}/cyber/export/"
    shown = analyst.get(page)
    assert shown.status_code == 200
    assert "TLP:AMBER+STRICT と TLP:RED は書き出しません" in shown.content.decode()
    response = analyst.post(page, {"fmt": "stix", "ceiling": "GREEN"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="chiiki-{PREFECTURE}-')
    bundle = stix2.parse(response.content.decode(), allow_custom=True)
    names = {o.name for o in bundle.objects if o.type == "vulnerability"}
    assert names == {"cisco-sa-20180328-smi2"}  # the AMBER one is above the ceiling, RED and STRICT never
    event = AuditEvent.objects.get(action="cyber.exported")
    assert (event.actor, event.detail["ceiling"], event.detail["advisories"]) == (loaded.analyst, "GREEN", 1)

    misp = json.loads(analyst.post(page, {"fmt": "misp", "ceiling": "AMBER"}).content)
    assert "府中町役場" not in json.dumps(misp, ensure_ascii=False)
    assert AuditEvent.objects.filter(action="cyber.exported").count() == 2
    assert analyst.post(page, {"fmt": "stix", "ceiling": "RED"}).status_code == 400


def test_contacts_cannot_export(loaded: Service, login: Any) -> None:
    assert login(loaded.town_contact).get(f"/staff/m/{PREFECTURE}/cyber/export/").status_code == 403
