"""SPDX 2.3 JSON inventories read and validated with spdx-tools: packages become assets with their PURL and CPE
from externalRefs, matched like any other inventory; a malformed document changes nothing and names the
package and the field."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Alert, Asset, Body

from .conftest import ADVISORIES, PREFECTURE, Service

SPDX = Path(__file__).parent / "data" / "karte.spdx.json"


def _document() -> dict[str, Any]:
    return json.loads(SPDX.read_bytes())


def test_packages_become_components_with_purl_cpe_supplier_and_annotations() -> None:
    karte, log4j, jackson = engine.read_spdx(SPDX.read_bytes(), document=SPDX.name)
    assert (karte.key, karte.vendor, karte.cpe) == (
        "SPDXRef-Karte",
        "サンプル医療システム株式会社",
        "cpe:2.3:a:example-medical:karte_gateway:3.1:*:*:*:*:*:*:*",
    )
    assert log4j.purl == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    assert (log4j.version, log4j.internet_facing, log4j.location) == ("2.14.1", True, "電子カルテ サーバ")
    assert (jackson.vendor, jackson.internet_facing) == ("", False)


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (
            lambda d: d["packages"][0]["externalRefs"][0].update(referenceLocator="cpe:2.3:a:x"),
            "SPDXRef-Karte",
        ),
        (
            lambda d: d["packages"][1]["externalRefs"][0].update(referenceLocator="pkg:nosuchtype/a@1"),
            "package SPDXRef-log4j-core (log4j-core): externalRefs",
        ),
        (lambda d: d["packages"][2].pop("downloadLocation"), "download_location"),
        (lambda d: d.update(spdxVersion="SPDX-3.0"), "spdxVersion"),
    ],
)
def test_a_malformed_document_is_refused_naming_the_package_and_field(change: Any, named: str) -> None:
    document = _document()
    change(document)
    with pytest.raises(engine.InventoryError) as caught:
        engine.read_spdx(json.dumps(document).encode(), document="bad.spdx.json")
    assert any(named in problem for problem in caught.value.problems), caught.value.problems
    assert str(caught.value).startswith("bad.spdx.json: ")


def test_an_spdx_inventory_is_loaded_and_matched(service: Service) -> None:
    by = Actor.system("test")
    hospital = actions.register_body(service.prefecture, kind=Body.Kind.HOSPITAL, name="市立病院", by=by)
    components = engine.read_spdx(SPDX.read_bytes(), document=SPDX.name)
    summary = actions.import_inventory(hospital, components, source=Asset.Source.SPDX, document="k", by=by)
    assert summary.added == 3
    actions.load_advisories(
        service.prefecture,
        engine.read_advisories((ADVISORIES / "GHSA-jfh8-c2jp-5v3q.osv.json").read_bytes(), "osv"),
        default_tlp="CLEAR",
        provenance="ghsa",
        by=by,
    )
    alert = Alert.objects.get(body=hospital)
    assert (alert.asset.name, alert.asset.source, alert.asset.internet_facing) == ("log4j-core", "spdx", True)
    assert alert.priority == engine.URGENT  # critical, internet-facing


def test_the_inventory_page_takes_an_spdx_file_and_refuses_a_bad_one_whole(
    service: Service, login: Callable[[User], Client]
) -> None:
    by = Actor.system("test")
    hospital = actions.register_body(service.prefecture, kind=Body.Kind.HOSPITAL, name="市立病院", by=by)
    actions.add_contact(hospital, service.hospital_contact, by=by)
    client = login(service.hospital_contact)
    url = f"/staff/m/{PREFECTURE}/cyber/bodies/{hospital.pk}/inventory/"
    bad = _document()
    bad["packages"][1]["externalRefs"][0]["referenceLocator"] = "pkg:nosuchtype/a@1"
    page = client.post(url, {"file": SimpleUploadedFile("bad.spdx.json", json.dumps(bad).encode())})
    assert page.status_code == 200
    assert "SPDXRef-log4j-core" in page.content.decode()
    assert not Asset.objects.filter(body=hospital).exists()
    response = client.post(url, {"file": SimpleUploadedFile("karte.spdx.json", SPDX.read_bytes())})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Asset.objects.filter(body=hospital).values_list("source", "name")) == {
        ("spdx", "Denshi Karte"),
        ("spdx", "log4j-core"),
        ("spdx", "jackson-databind"),
    }
