"""Reading another CKAN portal through its Action API, for `actions.harvest_portal` (which does the writing).

Pages package_search the way ckanext-harvest does (rows=100, start=N, sort="id asc", and on later runs
fq=metadata_modified:[<last seen> TO *]); the action reads every page before writing anything (so our own
writes cannot shift the remote's paging when a portal harvests itself), then creates or updates local
datasets. Resources are kept as links to the remote files (http, https or relative ones only). Remote
organizations map to local ones of the same name; when that name belongs to a municipality's own organization
or to another source's, "-harvested" is appended, so harvested data never lands in a municipality's catalog.
Their titles say where they were harvested from and never repeat a municipality's name (`publisher_title`).

The remote side is not trusted (issue 13, finding 5): `SafeFetcher` connects only to public addresses (or
those allow-listed in CHIIKI_HARVEST_ALLOWED_NETWORKS), pinned after DNS resolution, follows redirects only on
the same origin, and caps each answer's size, the pages of a run and its duration (`HarvestLimits`).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import time
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from chiiki.core.links import is_safe_link
from chiiki.opendata.engine import load_schemas
from chiiki.opendata.models import LICENSES, Dataset, Organization

PAGE_ROWS = 100
MAX_REDIRECTS = 5
Fetch = Callable[[str, dict[str, Any]], dict[str, Any]]
HARVESTED_ORGANIZATION = {"name": "harvested", "title": "収集したデータ"}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class HarvestError(RuntimeError):
    """The remote portal could not be read, with a plain-Japanese message."""


@dataclass(frozen=True)
class HarvestLimits:
    """What one harvest may cost and reach (issue 13, finding 5); `from_settings` reads the CHIIKI_HARVEST_* ones.

    `allowed_networks` are the only non-public addresses a harvest may connect to (an intranet portal, the
    tests' local server); loopback, link-local (169.254.169.254, the cloud metadata address), private and
    reserved addresses are refused otherwise, after DNS resolution.
    """

    allowed_networks: tuple[Network, ...] = ()
    max_response_bytes: int = 20 * 1024 * 1024
    max_pages: int = 100
    time_budget_seconds: float = 1800.0
    timeout_seconds: float = 60.0

    @classmethod
    def from_settings(cls) -> HarvestLimits:
        """The limits configured for this site."""
        return cls(
            allowed_networks=tuple(
                ipaddress.ip_network(entry, strict=False)
                for entry in settings.CHIIKI_HARVEST_ALLOWED_NETWORKS
            ),
            max_response_bytes=settings.CHIIKI_HARVEST_MAX_RESPONSE_BYTES,
            max_pages=settings.CHIIKI_HARVEST_MAX_PAGES,
            time_budget_seconds=settings.CHIIKI_HARVEST_TIME_BUDGET_SECONDS,
        )


def address_allowed(address: str, allowed: Iterable[Network] = ()) -> bool:
    """True for a public (globally routable, unicast) address, or one inside an allow-listed network.

    IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are judged as the IPv4 address they carry.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed if network.version == ip.version):
        return True
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int, allowed: Iterable[Network] = ()) -> str:
    """The address to connect to for `host`: every address it resolves to must be allowed, else HarvestError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise HarvestError(f"相手のポータルの名前を解決できません: {host} / cannot resolve") from exc
    addresses = [str(info[4][0]) for info in infos]
    allowed = tuple(allowed)
    refused = [a for a in addresses if not address_allowed(a, allowed)]
    if refused or not addresses:
        raise HarvestError(
            f"{host} は内部向けのアドレス（{', '.join(refused)}）を指すため取りに行きません。"
            "自組織内のポータルなら CHIIKI_HARVEST_ALLOWED_NETWORKS に加えてください"
            f" / {host} resolves to a non-public address; allow-list it in CHIIKI_HARVEST_ALLOWED_NETWORKS"
        )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to the address already checked, so a second DNS answer cannot redirect it."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is still verified against the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _origin(parts: urllib.parse.SplitResult) -> tuple[str, str, int]:
    return (
        parts.scheme,
        (parts.hostname or "").lower(),
        parts.port or (443 if parts.scheme == "https" else 80),
    )


class SafeFetcher:
    """Fetch CKAN actions within HarvestLimits: public addresses only, same-origin redirects, capped sizes,
    one time budget for the whole harvest (from this object's creation)."""

    def __init__(self, limits: HarvestLimits | None = None) -> None:
        self.limits = limits or HarvestLimits.from_settings()
        self.deadline = time.monotonic() + self.limits.time_budget_seconds

    def __call__(self, url: str, params: dict[str, Any]) -> dict[str, Any]:
        """GET one CKAN action and return its `result`; raise HarvestError on any failure."""
        query = urllib.parse.urlencode(params)
        full = f"{url}?{query}" if query else url
        try:
            body = json.loads(self.get(full))
        except (ValueError, RecursionError) as exc:
            raise HarvestError(f"CKAN API の応答として読めません: {full}") from exc
        if not isinstance(body, dict) or not body.get("success") or not isinstance(body.get("result"), dict):
            error = body.get("error") if isinstance(body, dict) else body
            raise HarvestError(f"CKAN API が失敗を返しました: {str(error)[:300]}")
        result: dict[str, Any] = body["result"]
        return result

    def remaining(self) -> float:
        """Seconds left of the time budget; HarvestError when none are."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise HarvestError(
                f"収集の制限時間（{self.limits.time_budget_seconds:g} 秒、CHIIKI_HARVEST_TIME_BUDGET_SECONDS）を"
                "超えたため中止しました。何も取り込んでいません / harvest time budget exceeded, nothing written"
            )
        return left

    def get(self, url: str) -> bytes:
        """The body of a 200 answer to GET `url`, following redirects only within the same origin."""
        origin = _origin(urllib.parse.urlsplit(url))
        for _ in range(MAX_REDIRECTS + 1):
            parts = urllib.parse.urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise HarvestError(f"URL は http:// か https:// で始めてください: {url}")
            if _origin(parts) != origin:
                raise HarvestError(
                    f"別のホストへの転送（{parts.scheme}://{parts.netloc}）は追いません / cross-host redirect refused"
                )
            status, location, body = self._request(parts)
            if status in (301, 302, 303, 307, 308) and location:
                url = urllib.parse.urljoin(url, location)
                continue
            if status != 200:
                raise HarvestError(f"相手のポータルがエラーを返しました（HTTP {status}）: {url}")
            return body
        raise HarvestError(f"転送が多すぎます（{MAX_REDIRECTS} 回まで） / too many redirects: {url}")

    def _request(self, parts: urllib.parse.SplitResult) -> tuple[int, str, bytes]:
        scheme, host, port = _origin(parts)
        address = resolve_public(host, port, self.limits.allowed_networks)
        timeout = min(self.limits.timeout_seconds, self.remaining())
        kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = kind(host, port, address, timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "GET", path, headers={"User-Agent": "chiiki-harvest/1", "Accept": "application/json"}
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                return response.status, response.getheader("Location") or "", b""
            return response.status, "", self._read(response) if response.status == 200 else b""
        except (OSError, http.client.HTTPException) as exc:
            raise HarvestError(f"相手のポータルに接続できません: {exc} / cannot connect") from exc
        finally:
            connection.close()

    def _read(self, response: http.client.HTTPResponse) -> bytes:
        cap = self.limits.max_response_bytes
        declared = response.getheader("Content-Length") or ""
        if declared.isdigit() and int(declared) > cap:
            raise self._too_big()
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(65536):
            size += len(chunk)
            if size > cap:
                raise self._too_big()
            chunks.append(chunk)
            self.remaining()  # a server dribbling its answer is stopped by the budget, one read at a time
        return b"".join(chunks)

    def _too_big(self) -> HarvestError:
        mb = self.limits.max_response_bytes / 1024 / 1024
        return HarvestError(
            f"相手のポータルの応答が上限（{mb:g} MB、CHIIKI_HARVEST_MAX_RESPONSE_BYTES）を超えたため中止しました"
            f" / a response was larger than {mb:g} MB"
        )


def http_fetch(url: str, params: dict[str, Any]) -> dict[str, Any]:
    """GET one CKAN action within the site's HarvestLimits (a fresh time budget); raise HarvestError on failure."""
    return SafeFetcher()(url, params)


@dataclass
class HarvestSummary:
    """How many remote datasets one harvest fetched, and what became of them."""

    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def site_root(url: str) -> str:
    """The portal's site root, whether `url` names it or its API (…/api/3/action, …/api)."""
    base = url.rstrip("/")
    for suffix in ("/api/3/action", "/api/action", "/api/3", "/api"):
        base = base.removesuffix(suffix)
    return base


def action_url(base: str, name: str) -> str:
    """The URL of one CKAN action of the portal at `base`."""
    return base.rstrip("/") + "/api/3/action/" + name


def fetch_all(
    base: str, *, since: str = "", fq: str = "", fetch: Fetch = http_fetch, max_pages: int = 100
) -> list[dict[str, Any]]:
    """Every remote package (search page by page), modified at or after `since` when given.

    The remote `count` is never trusted to go on: paging stops at an empty or short page, or when `count`
    says the end is reached, and more than `max_pages` pages is a HarvestError (nothing is written).
    """
    filters = [f for f in (fq.strip(), f"metadata_modified:[{since}Z TO *]" if since else "") if f]
    out: list[dict[str, Any]] = []
    start = 0
    for _ in range(max_pages):
        params: dict[str, Any] = {"rows": PAGE_ROWS, "start": start, "sort": "id asc"}
        if filters:
            params["fq"] = " ".join(filters)
        page = fetch(action_url(base, "package_search"), params)
        results = page.get("results", [])
        if not isinstance(results, list):
            raise HarvestError("CKAN API の応答に results の一覧がありません / no results list")
        out += [r for r in results[:PAGE_ROWS] if isinstance(r, dict)]
        start += PAGE_ROWS
        if len(results) < PAGE_ROWS or start >= _count(page):
            return out
    raise HarvestError(
        f"相手のポータルが {max_pages} ページ（{max_pages * PAGE_ROWS:,} 件、CHIIKI_HARVEST_MAX_PAGES）を超えて"
        "続くため中止しました。何も取り込んでいません。--fq で絞り込んでください"
        f" / more than {max_pages} pages: nothing written, narrow the harvest with --fq"
    )


def _count(page: dict[str, Any]) -> int:
    count = page.get("count")
    return count if isinstance(count, int) and not isinstance(count, bool) else 0


@dataclass(frozen=True)
class RemoteResource:
    """One resource of a remote package, kept as a link."""

    name: str
    description: str
    format: str
    url: str
    size: int | None
    hash: str


@dataclass(frozen=True)
class RemotePackage:
    """The fields of a remote package that a local dataset takes, cleaned and cut to our column sizes."""

    remote_id: str
    modified: str
    name: str
    title: str
    notes: str
    license_id: str
    kind: str
    tags: list[str]
    url: str
    organization: dict[str, Any]
    resources: list[RemoteResource]


def read_package(package: dict[str, Any]) -> RemotePackage | None:
    """A remote package dictionary as a RemotePackage; None when it lacks an id or a name (skipped)."""
    remote_id = str(package.get("id") or "")
    if not remote_id or not package.get("name"):
        return None
    name = str(package["name"])
    license_id = str(package.get("license_id") or "other")
    organization = package.get("organization")
    return RemotePackage(
        remote_id=remote_id,
        modified=str(package.get("metadata_modified") or ""),
        name=name,
        title=str(package.get("title") or name)[:300],
        notes=str(package.get("notes") or ""),
        license_id=license_id if license_id in LICENSES else "other",
        kind=_kind(package),
        tags=[str(t.get("name")) for t in package.get("tags", []) if isinstance(t, dict) and t.get("name")],
        url=_safe_url(package.get("url"), 500),
        organization=organization
        if isinstance(organization, dict) and organization
        else HARVESTED_ORGANIZATION,
        resources=[
            _resource(r)
            for r in package.get("resources", []) or []
            if isinstance(r, dict) and _safe_url(r.get("url"), 1000)
        ],
    )


def _safe_url(value: object, max_length: int) -> str:
    """A remote link we keep: http(s) or relative and within the column; anything else is dropped ("")."""
    url = str(value or "")
    return url if is_safe_link(url) and len(url) <= max_length else ""


def _resource(raw: dict[str, Any]) -> RemoteResource:
    return RemoteResource(
        name=str(raw.get("name") or raw["url"])[:300],
        description=str(raw.get("description") or ""),
        format=str(raw.get("format") or "").upper()[:40],
        url=_safe_url(raw["url"], 1000),
        size=raw.get("size") if isinstance(raw.get("size"), int) else None,
        hash=str(raw.get("hash") or "")[:100],
    )


def _kind(package: dict[str, Any]) -> str:
    kind = str(package.get("standard_dataset") or "")
    for extra in package.get("extras", []) or []:
        if isinstance(extra, dict) and extra.get("key") == "standard_dataset":
            kind = str(extra.get("value") or "")
    return kind if kind in load_schemas() else ""


def local_organization_name(remote: dict[str, Any], source_id: int) -> str:
    """The local organization a remote one maps to: the same name when free or already this source's, else
    with "-harvested" (and a number): never a municipality's own organization nor another source's."""
    name = str(remote.get("name") or "harvested")[:80]
    candidate, n = name, 1
    while True:
        existing = Organization.objects.filter(name=candidate).first()
        if existing is None or existing.harvest_source_id == source_id:
            return candidate
        candidate = f"{name}-harvested" + (f"-{n}" if n > 1 else "")
        n += 1


_AUTHORITY_SUFFIXES = ("役所", "役場", "庁", "公式", "公式サイト")


def _plain(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def municipality_names(rows: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The names a publisher may not take: each municipality's name, with its prefecture, and the prefectures."""
    names: set[str] = set()
    for prefecture, name in rows:
        names |= {_plain(name), _plain(prefecture + name), _plain(prefecture)}
    return frozenset(n for n in names if n)


def publisher_title(remote_title: str, source_host: str, reserved: frozenset[str]) -> str:
    """The title a harvested organization shows: always marked with where it was harvested from, and never a
    municipality's name (山口市, 山口県山口市, 山口市役所 …), which is replaced by a neutral one."""
    title = remote_title.strip()[:150]
    bare = _plain(title)
    for suffix in _AUTHORITY_SUFFIXES:
        bare = bare.removesuffix(suffix)
    if not title or bare in reserved:
        return f"{source_host} から収集した組織"
    return f"{title}({source_host} から収集)"


def free_name(name: str) -> str:
    """A dataset name not yet taken locally: the remote name, else with "-harvested" (and a number)."""
    candidate, n = name[:90], 1
    while Dataset.objects.filter(name=candidate).exists():
        candidate = f"{name[:80]}-harvested" + (f"-{n}" if n > 1 else "")
        n += 1
    return candidate
