"""A prefecture running the cyber service for a town hall and a hospital, with real staff and real HTTP."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chiiki.core.models import Municipality, Role, User

ADVISORIES = Path(__file__).resolve().parents[2] / "src" / "chiiki" / "demo" / "cyber_advisories"
PREFECTURE = "340006"  # 広島県

TOWN_CSV = (
    "ベンダー,製品,バージョン,設置場所,インターネット公開,PURL,CPE\n"
    "Cisco,IOS,12.2(55)SE,本庁舎 2階 L2スイッチ,いいえ,,\n"
    "Example Company,ABC,4.2,住基端末,いいえ,,\n"
    "Fortinet,FortiOS,7.0.9,本庁舎 VPN,はい,,cpe:2.3:o:fortinet:fortios:7.0.9:*:*:*:*:*:*:*\n"
)

HOSPITAL_SBOM = """{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
 "metadata": {"component": {"type": "application", "name": "Denshi Karte", "version": "3.1"}},
 "components": [
  {"type": "library", "bom-ref": "log4j", "group": "org.apache.logging.log4j", "name": "log4j-core",
   "version": "2.14.1", "purl": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
   "properties": [{"name": "chiiki:internet-facing", "value": "true"}, {"name": "chiiki:location", "value": "電子カルテ サーバ"}]},
  {"type": "library", "bom-ref": "jackson", "group": "com.fasterxml.jackson.core", "name": "jackson-databind",
   "version": "2.15.2", "purl": "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.15.2"}
 ]}""".encode()


@dataclass
class Service:
    prefecture: Municipality
    analyst: User
    town_contact: User
    hospital_contact: User


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def service(db: None, make_staff: Callable[..., User]) -> Service:
    prefecture = Municipality.objects.create(
        code=PREFECTURE, prefecture_code="34", prefecture="広島県", name="広島県", name_kana="ヒロシマケン",
        kind=Municipality.Kind.PREFECTURE,
    )  # fmt: skip
    return Service(
        prefecture=prefecture,
        analyst=make_staff("analyst", prefecture, Role.CYBER_ANALYST),
        town_contact=make_staff("town-it", prefecture, Role.CYBER_CONTACT),
        hospital_contact=make_staff("hospital-it", prefecture, Role.CYBER_CONTACT),
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[Callable[[str, bytes], str]]:
    """A real HTTP server on localhost serving files written into a temporary folder."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: _Quiet(*a, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(name: str, content: bytes) -> str:
        (folder / name).write_bytes(content)
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield publish
    server.shutdown()
    server.server_close()


def staff_client(login: Callable[[User], Client], user: User) -> Client:
    return login(user)
