"""SPDX 3.0 JSON-LD inventories: software_Package elements become components (name, software_packageVersion,
Package URL and CPE from software_packageUrl / externalIdentifier, vendor from suppliedBy), matched like any other
inventory; a malformed document changes nothing and names the element and the property.

Test data: `spdx-examples-example11-sbom.spdx3.json` is software/example11/spdx3.0/sbom.spdx3.json of the SPDX
project's spdx-examples repository (commit 692c708f2644b3e439143f42462033f469f93303; SPDX documents there are
CC0-1.0), unchanged."""

from __future__ import annotations

import copy
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

EXAMPLE = Path(__file__).parent / "data" / "spdx-examples-example11-sbom.spdx3.json"
BASE = "https://spdx.org/spdxdocs/k8s-releng-bom-7c6a33ab-bd76-4b06-b291-a850e0815b07-specv3/"


def _document() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_bytes())


def _element(document: dict[str, Any], name: str) -> dict[str, Any]:
    return next(e for e in document["@graph"] if e.get("name") == name)


def _karte() -> bytes:
    """The real example with a log4j-core package added as an SBOM tool would write it: PURL and CPE as external
    identifiers, supplied by an Organization, and the chiiki annotations for exposure and place."""
    document = _document()
    graph = document["@graph"]
    graph += [
        {"spdxId": BASE + "log4j", "type": "software_Package", "creationInfo": "_:creationInfo_0",
         "name": "log4j-core", "software_packageVersion": "2.14.1", "suppliedBy": BASE + "apache",
         "externalIdentifier": [
             {"type": "ExternalIdentifier", "externalIdentifierType": "packageUrl",
              "identifier": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"},
             {"type": "ExternalIdentifier", "externalIdentifierType": "cpe23",
              "identifier": "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*"}]},
        {"spdxId": BASE + "apache", "type": "Organization", "creationInfo": "_:creationInfo_0",
         "name": "Apache Software Foundation"},
        {"spdxId": BASE + "note1", "type": "Annotation", "creationInfo": "_:creationInfo_0",
         "annotationType": "other", "subject": BASE + "log4j", "statement": "chiiki:internet-facing"},
        {"spdxId": BASE + "note2", "type": "Annotation", "creationInfo": "_:creationInfo_0",
         "annotationType": "other", "subject": BASE + "log4j", "statement": "chiiki:location=電子カルテ サーバ"},
    ]  # fmt: skip
    return json.dumps(document).encode()


def test_the_spdx_examples_document_reads_its_packages_with_their_package_urls() -> None:
    assert engine.is_spdx_json(EXAMPLE.read_bytes())
    components = engine.read_spdx(EXAMPLE.read_bytes(), document=EXAMPLE.name)
    assert [(c.name, c.version, c.purl) for c in components] == [
        ("hello-server-src", "0.1.0", "pkg:deb/debian/libselinux1-dev@3.1-3?arch=s390x"),
        ("hyper", "0.14", "pkg:cargo/hyper@0.14"),
        ("tokio", "1.19.2", "pkg:cargo/tokio@1.19.2"),
        ("pretty_env_logger", "0.4.0", "pkg:cargo/pretty_env_logger@0.4.0"),
    ]
    assert components[1].key == BASE + "SPDXRef-gnrtd7"


def test_external_identifiers_supplier_and_annotations_are_read() -> None:
    log4j = engine.read_spdx(_karte(), document="karte.spdx3.json")[-1]
    assert (log4j.purl, log4j.cpe) == (
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
    )
    assert (log4j.vendor, log4j.internet_facing, log4j.location) == (
        "Apache Software Foundation", True, "電子カルテ サーバ"
    )  # fmt: skip


def _drop_name(d: dict[str, Any]) -> None:
    _element(d, "tokio").pop("name")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.update({"@context": "https://example.org/context.jsonld"}), "@context"),
        (lambda d: d["@graph"][0].update(specVersion="2.3"), "CreationInfo.specVersion"),
        (lambda d: d["@graph"].append("tokio"), "@graph[34]"),
        (_drop_name, f"software_Package {BASE}SPDXRef-gnrtd13: name"),
        (lambda d: _element(d, "hyper").update(software_packageUrl="pkg:nosuchtype/hyper@0.14"),
         f"software_Package {BASE}SPDXRef-gnrtd7: software_packageUrl"),
        (lambda d: _element(d, "tokio").update(externalIdentifier=[
            {"type": "ExternalIdentifier", "externalIdentifierType": "cpe23", "identifier": "cpe:2.3:a:tokio"}]),
         f"software_Package {BASE}SPDXRef-gnrtd13: externalIdentifier(cpe23)"),
        (lambda d: _element(d, "tokio").update(software_packageVersion=1.19),
         f"software_Package {BASE}SPDXRef-gnrtd13: software_packageVersion"),
        (lambda d: _element(d, "tokio").update(externalIdentifier="pkg:cargo/tokio"),
         f"software_Package {BASE}SPDXRef-gnrtd13: externalIdentifier"),
    ],
)  # fmt: skip
def test_a_malformed_spdx3_document_is_refused_naming_the_element_and_property(
    change: Any, named: str
) -> None:
    document = copy.deepcopy(_document())
    change(document)
    with pytest.raises(engine.InventoryError) as caught:
        engine.read_spdx(json.dumps(document).encode(), document="bad.spdx3.json")
    assert any(named in problem for problem in caught.value.problems), caught.value.problems
    assert str(caught.value).startswith("bad.spdx3.json: ")


def test_the_inventory_page_takes_an_spdx3_file_and_it_is_matched(
    service: Service, login: Callable[[User], Client]
) -> None:
    by = Actor.system("test")
    hospital = actions.register_body(service.prefecture, kind=Body.Kind.HOSPITAL, name="市立病院", by=by)
    actions.add_contact(hospital, service.hospital_contact, by=by)
    client = login(service.hospital_contact)
    url = f"/staff/m/{PREFECTURE}/cyber/bodies/{hospital.pk}/inventory/"
    bad = _document()
    _element(bad, "hyper")["software_packageUrl"] = "pkg:nosuchtype/hyper@0.14"
    page = client.post(url, {"file": SimpleUploadedFile("bad.spdx3.json", json.dumps(bad).encode())})
    assert page.status_code == 200
    assert "SPDXRef-gnrtd7" in page.content.decode()
    assert not Asset.objects.filter(body=hospital).exists()
    response = client.post(url, {"file": SimpleUploadedFile("karte.spdx3.json", _karte())})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Asset.objects.filter(body=hospital, source="spdx").count() == 5
    actions.load_advisories(
        service.prefecture,
        engine.read_advisories((ADVISORIES / "GHSA-jfh8-c2jp-5v3q.osv.json").read_bytes(), "osv"),
        default_tlp="CLEAR", provenance="ghsa", by=by,
    )  # fmt: skip
    alert = Alert.objects.get(body=hospital)
    assert (alert.asset.name, alert.asset.internet_facing, alert.priority) == (
        "log4j-core",
        True,
        engine.URGENT,
    )
