"""A prefecture running the cyber service for a town hall and a hospital, with real staff and real HTTP."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import re
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

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


def totp_code(key_hex: str, *, at: float | None = None) -> str:
    """The six-digit RFC 6238 code of `key_hex` at `at` (now by default), computed here with the standard
    algorithm (HMAC-SHA1 over the 30-second step, dynamic truncation), not with the app's code."""
    moment = time.time() if at is None else at
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", int(moment // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def secret_on_page(html: str) -> str:
    """The hex key behind the base32 secret the enrolment page shows as text."""
    match = re.search(r'id="totp-secret"[^>]*>([A-Z2-7 ]+)<', html)
    assert match, "the enrolment page shows no secret"
    text = match.group(1).replace(" ", "")
    return base64.b32decode(text + "=" * (-len(text) % 8)).hex()


def recovery_codes_on_page(html: str) -> list[str]:
    """The recovery codes a page shows (in groups of four), as typed in."""
    listing = re.search(r'<ol id="recovery-codes"[^>]*>(.*?)</ol>', html, re.S)
    if listing is None:
        return []
    return [code.replace(" ", "") for code in re.findall(r"<code>([a-z2-7 ]+)</code>", listing.group(1))]


def pass_second_factor(client: Client, user: User) -> str | None:
    """Enrol `user`'s authenticator (or verify with it) through the real pages; returns the hex key."""
    membership = user.memberships.filter(role__in=[Role.CYBER_ANALYST, Role.CYBER_CONTACT]).first()
    if membership is None:
        return None
    code = membership.municipality.code
    key = KEYS.get(user.username)
    if key is None:
        page = client.get(f"/staff/m/{code}/cyber/two-factor/")
        assert page.status_code == 200, page.status_code
        key = KEYS[user.username] = secret_on_page(page.content.decode())
        response = client.post(f"/staff/m/{code}/cyber/two-factor/", {"token": totp_code(key)})
    else:
        # A code is accepted once: a second sign-in within the same 30 seconds uses the next step's code (the
        # app allows one step of clock drift); a third waits for the clock.
        last = TOTPDevice.objects.get(user=user).last_t
        while last + 1 > int(time.time() // 30) + 1:
            time.sleep(1)
        at = max(time.time(), (last + 1) * 30)
        response = client.post(f"/staff/m/{code}/cyber/two-factor/verify/", {"token": totp_code(key, at=at)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return key


KEYS: dict[str, str] = {}


@pytest.fixture(autouse=True)
def _forget_keys() -> Iterator[None]:
    yield
    KEYS.clear()


@pytest.fixture
def login(login: Callable[[User], Client]) -> Callable[[User], Client]:
    """The root fixture's password sign-in, then the app's second factor with a real TOTP code."""

    def make(user: User) -> Client:
        client = login(user)
        pass_second_factor(client, user)
        return client

    return make
