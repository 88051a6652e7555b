"""Reading another CKAN portal through its Action API, for `actions.harvest_portal` (which does the writing).

Pages package_search the way ckanext-harvest does (rows=100, start=N, sort="id asc", and on later runs
fq=metadata_modified:[<last seen> TO *]); the action reads every page before writing anything (so our own
writes cannot shift the remote's paging when a portal harvests itself), then creates or updates local
datasets. Resources are kept as links to the remote files. Remote organizations map to local ones of the same
name; when that name belongs to a municipality's own organization, "-harvested" is appended so harvested data
never lands in a municipality's catalog.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chiiki.opendata.engine import load_schemas
from chiiki.opendata.models import LICENSES, Dataset, Organization

PAGE_ROWS = 100
Fetch = Callable[[str, dict[str, Any]], dict[str, Any]]
HARVESTED_ORGANIZATION = {"name": "harvested", "title": "収集したデータ"}


class HarvestError(RuntimeError):
    """The remote portal could not be read, with a plain-Japanese message."""


def http_fetch(url: str, params: dict[str, Any]) -> dict[str, Any]:
    """GET one CKAN action and return its `result`; raise HarvestError on any failure."""
    query = urllib.parse.urlencode(params)
    full = f"{url}?{query}" if query else url
    if not full.startswith(("http://", "https://")):
        raise HarvestError(f"URL は http:// か https:// で始めてください: {url}")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        full, headers={"User-Agent": "chiiki-harvest/1", "Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - scheme checked above
            body = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise HarvestError(f"相手のポータルがエラーを返しました（HTTP {exc.code}）: {full}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise HarvestError(f"相手のポータルに接続できません: {exc} / cannot connect") from exc
    except ValueError as exc:
        raise HarvestError(f"CKAN API の応答として読めません: {full}") from exc
    if not isinstance(body, dict) or not body.get("success"):
        raise HarvestError(
            f"CKAN API が失敗を返しました: {body.get('error') if isinstance(body, dict) else body}"
        )
    result: dict[str, Any] = body["result"]
    return result


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


def fetch_all(base: str, *, since: str = "", fq: str = "", fetch: Fetch = http_fetch) -> list[dict[str, Any]]:
    """Every remote package (search page by page), modified at or after `since` when given."""
    filters = [f for f in (fq.strip(), f"metadata_modified:[{since}Z TO *]" if since else "") if f]
    out: list[dict[str, Any]] = []
    start = 0
    while True:
        params: dict[str, Any] = {"rows": PAGE_ROWS, "start": start, "sort": "id asc"}
        if filters:
            params["fq"] = " ".join(filters)
        page = fetch(action_url(base, "package_search"), params)
        results = page.get("results", [])
        out += results
        start += PAGE_ROWS
        if not results or start >= int(page.get("count", 0)):
            return out


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
        title=str(package.get("title") or name),
        notes=str(package.get("notes") or ""),
        license_id=license_id if license_id in LICENSES else "other",
        kind=_kind(package),
        tags=[str(t.get("name")) for t in package.get("tags", []) if isinstance(t, dict) and t.get("name")],
        url=str(package.get("url") or ""),
        organization=organization
        if isinstance(organization, dict) and organization
        else HARVESTED_ORGANIZATION,
        resources=[
            _resource(r) for r in package.get("resources", []) if isinstance(r, dict) and r.get("url")
        ],
    )


def _resource(raw: dict[str, Any]) -> RemoteResource:
    return RemoteResource(
        name=str(raw.get("name") or raw["url"])[:300],
        description=str(raw.get("description") or ""),
        format=str(raw.get("format") or "").upper()[:40],
        url=str(raw["url"])[:1000],
        size=raw.get("size") if isinstance(raw.get("size"), int) else None,
        hash=str(raw.get("hash") or "")[:100],
    )


def _kind(package: dict[str, Any]) -> str:
    kind = str(package.get("standard_dataset") or "")
    for extra in package.get("extras", []) or []:
        if isinstance(extra, dict) and extra.get("key") == "standard_dataset":
            kind = str(extra.get("value") or "")
    return kind if kind in load_schemas() else ""


def local_organization_name(remote: dict[str, Any]) -> str:
    """The local organization a remote one maps to: the same name, unless a municipality's own holds it."""
    name = str(remote.get("name") or "harvested")[:80]
    existing = Organization.objects.filter(name=name).first()
    if existing is not None and existing.municipality_id is not None:
        return f"{name}-harvested"
    return name


def free_name(name: str) -> str:
    """A dataset name not yet taken locally: the remote name, else with "-harvested" (and a number)."""
    candidate, n = name[:90], 1
    while Dataset.objects.filter(name=candidate).exists():
        candidate = f"{name[:80]}-harvested" + (f"-{n}" if n > 1 else "")
        n += 1
    return candidate
