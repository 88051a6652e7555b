"""Demo content of the cyber app: 広島県 runs the service for the demo city's hall and its public hospital.

Inventories are realistic and small (a city hall's network and terminals as a CSV list, an electronic
medical-record system as a CycloneDX SBOM); the advisories are real public documents stored with their
provenance in `cyber_advisories/` (see SOURCES.md there). Loading twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from chiiki.core.acting import Actor
from chiiki.core.actions import grant_role
from chiiki.core.models import Municipality, Role, User
from chiiki.cyber import actions, engine
from chiiki.cyber.models import Advisory, Alert, Asset, Body, KnownExploited
from chiiki.jp import check_digit

ADVISORIES = Path(__file__).with_name("cyber_advisories")
PREFECTURE_CODE = "34000" + str(check_digit("34000"))  # 広島県
ACTOR = "chiiki demo load"

# (file, format, TLP when the document names none): real advisories, see cyber_advisories/SOURCES.md
REAL_ADVISORIES = (
    ("cisco-sa-20180328-smi2.csaf.json", "csaf", "CLEAR"),
    ("GHSA-jfh8-c2jp-5v3q.osv.json", "osv", "CLEAR"),
    ("rhsa-2021_5217.csaf.json", "csaf", "CLEAR"),
)

CITY_HALL_CSV = """ベンダー,製品,バージョン,設置場所,インターネット公開,PURL,CPE
Cisco,IOS,12.2(55)SE,本庁舎2階 フロアスイッチ(Catalyst 2960),いいえ,,
Fortinet,FortiOS,7.0.15,本庁舎 インターネット接続系 VPN装置,はい,,cpe:2.3:o:fortinet:fortios:7.0.15:*:*:*:*:*:*:*
Microsoft,Windows Server 2019,10.0.17763,庁内ファイルサーバ,いいえ,,cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*
NEC,住民記録システム 端末,R5.1,市民課窓口(住基系),いいえ,,
富士通,LGWAN接続端末,2024.04,情報政策課(LGWAN系),いいえ,,
"""

HOSPITAL_SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "version": 1,
    "metadata": {"component": {"type": "application", "name": "電子カルテシステム(デモ)", "version": "4.2"}},
    "components": [
        {"type": "library", "bom-ref": "log4j-core", "group": "org.apache.logging.log4j", "name": "log4j-core",
         "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
         "properties": [{"name": "chiiki:location", "value": "電子カルテ アプリケーションサーバ"},
                        {"name": "chiiki:internet-facing", "value": "false"}]},
        {"type": "library", "bom-ref": "log4j-api", "group": "org.apache.logging.log4j", "name": "log4j-api",
         "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1"},
        {"type": "library", "bom-ref": "tomcat", "group": "org.apache.tomcat.embed", "name": "tomcat-embed-core",
         "version": "9.0.85", "purl": "pkg:maven/org.apache.tomcat.embed/tomcat-embed-core@9.0.85"},
        {"type": "operating-system", "bom-ref": "rhel", "name": "Red Hat Enterprise Linux", "version": "8.9",
         "cpe": "cpe:2.3:o:redhat:enterprise_linux:8.9:*:*:*:*:*:*:*"},
    ],
}  # fmt: skip

ACCOUNTS: tuple[tuple[str, str, Role], ...] = (
    ("demo-cyber-analyst", "県 分析担当 デモ", Role.CYBER_ANALYST),
    ("demo-cyber-city", "市役所 情報担当 デモ", Role.CYBER_CONTACT),
    ("demo-cyber-hospital", "市立病院 情報担当 デモ", Role.CYBER_CONTACT),
)


@dataclass(frozen=True, slots=True)
class CyberDemoSummary:
    prefecture: Municipality
    bodies: int
    assets: int
    advisories: int
    alerts: int
    accounts: list[tuple[str, str, str]]


@transaction.atomic
def load_cyber_demo(city: Municipality, *, password_of: Callable[[str], str]) -> CyberDemoSummary:
    """Create the prefecture, the city hall and the hospital with inventories, and load the real advisories."""
    by = Actor.system(ACTOR)
    prefecture, _ = Municipality.objects.update_or_create(
        code=PREFECTURE_CODE,
        defaults={"prefecture_code": "34", "prefecture": "広島県", "county": "", "name": "広島県",
                  "name_kana": "ヒロシマケン", "kind": Municipality.Kind.PREFECTURE, "is_demo": True},
    )  # fmt: skip
    users = _accounts(prefecture, password_of, by)
    hall = _body(prefecture, Body.Kind.MUNICIPALITY, f"{city.name}役所", by, local_gov_code=city.code)
    hospital = _body(prefecture, Body.Kind.HOSPITAL, f"{city.name}立病院", by)
    actions.add_contact(hall, users["demo-cyber-city"], is_manager=True, by=by)
    actions.add_contact(hospital, users["demo-cyber-hospital"], is_manager=True, by=by)
    if not hall.assets.exists():
        components = engine.read_inventory_csv(CITY_HALL_CSV.encode(), document="市役所の一覧(デモ)")
        actions.import_inventory(
            hall, components, source=Asset.Source.CSV, document="市役所の一覧(デモ)", by=by
        )
    if not hospital.assets.exists():
        components = engine.read_cyclonedx(
            json.dumps(HOSPITAL_SBOM).encode(), document="電子カルテ SBOM(デモ)"
        )
        actions.import_inventory(
            hospital, components, source=Asset.Source.CYCLONEDX, document="電子カルテ SBOM(デモ)", by=by
        )
    for name, fmt, tlp in REAL_ADVISORIES:
        advisories = engine.read_advisories((ADVISORIES / name).read_bytes(), fmt, document=name)
        known = Advisory.objects.filter(
            municipality=prefecture, identifier__in=[a.identifier for a in advisories]
        )
        if not known.exists():
            actions.load_advisories(prefecture, advisories, default_tlp=tlp, provenance=f"demo/{name}", by=by)
    if not KnownExploited.objects.exists():
        version, entries = engine.read_kev(
            (ADVISORIES / "kev-excerpt.json").read_bytes(), document="kev-excerpt.json"
        )
        actions.load_kev(prefecture, version, entries, by=by)
    return CyberDemoSummary(
        prefecture=prefecture,
        bodies=Body.objects.filter(municipality=prefecture).count(),
        assets=Asset.objects.filter(municipality=prefecture, retired_at__isnull=True).count(),
        advisories=Advisory.objects.filter(municipality=prefecture).count(),
        alerts=Alert.objects.filter(municipality=prefecture).count(),
        accounts=[(u, password_of(u), str(r.label)) for u, _, r in ACCOUNTS],
    )


def _accounts(prefecture: Municipality, password_of: Callable[[str], str], by: Actor) -> dict[str, User]:
    users = {}
    for username, display_name, role in ACCOUNTS:
        user, created = User.objects.get_or_create(username=username, defaults={"display_name": display_name})
        if created:
            user.set_password(password_of(username))
            user.save()
        grant_role(user, prefecture, role, by=by)
        users[username] = user
    return users


def _body(prefecture: Municipality, kind: str, name: str, by: Actor, **codes: str) -> Body:
    existing = Body.objects.filter(municipality=prefecture, name=name).first()
    return existing or actions.register_body(prefecture, kind=kind, name=name, by=by, **codes)
