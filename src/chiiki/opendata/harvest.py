"""Harvest datasets from another CKAN portal through its Action API (`chiiki opendata harvest URL`).

Pages package_search the way ckanext-harvest does (rows=100, start=N, sort="id asc", and on later runs
fq=metadata_modified:[<last seen> TO *]), reads every page before writing anything (so our own writes cannot
shift the remote's paging when a portal harvests itself), then creates or updates local datasets. Resources
are kept as links to the remote files. Remote organizations map to local ones of the same name; when that
name belongs to a municipality's own organization, "-harvested" is appended so harvested data never lands in
a municipality's catalog.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from chiiki.opendata import actions
from chiiki.opendata.models import LICENSES, Dataset, HarvestSource, Organization, Resource

PAGE_ROWS = 100
Fetch = Callable[[str, dict[str, Any]], dict[str, Any]]


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
    fetched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


def _action_url(base: str, name: str) -> str:
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
        page = fetch(_action_url(base, "package_search"), params)
        results = page.get("results", [])
        out += results
        start += PAGE_ROWS
        if not results or start >= int(page.get("count", 0)):
            return out


def _local_organization(remote: dict[str, Any] | None) -> Organization:
    remote = remote or {"name": "harvested", "title": "収集したデータ"}
    name = str(remote.get("name") or "harvested")[:80]
    existing = Organization.objects.filter(name=name).first()
    if existing is not None and existing.municipality_id is not None:
        name = f"{name}-harvested"
        existing = Organization.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return Organization.objects.create(
        name=name, title=str(remote.get("title") or name), description=str(remote.get("description") or "")
    )


def _free_name(name: str) -> str:
    candidate, n = name[:90], 1
    while Dataset.objects.filter(name=candidate).exists():
        candidate = f"{name[:80]}-harvested" + (f"-{n}" if n > 1 else "")
        n += 1
    return candidate


def _upsert(
    source: HarvestSource, package: dict[str, Any], summary: HarvestSummary, actor_label: str
) -> None:
    remote_id = str(package.get("id") or "")
    modified = str(package.get("metadata_modified") or "")
    if not remote_id or not package.get("name"):
        summary.skipped += 1
        return
    tags = [str(t.get("name")) for t in package.get("tags", []) if isinstance(t, dict) and t.get("name")]
    license_id = str(package.get("license_id") or "other")
    if license_id not in LICENSES:
        license_id = "other"
    extras = {"harvest_source": source.url, "harvest_modified": modified, "harvest_name": package["name"]}
    dataset = Dataset.objects.filter(harvest_source=source, harvest_remote_id=remote_id).first()
    with transaction.atomic():
        if dataset is None:
            dataset = actions.create_dataset(
                _local_organization(package.get("organization")),
                name=_free_name(str(package["name"])),
                title=str(package.get("title") or package["name"]),
                notes=str(package.get("notes") or ""),
                license_id=license_id,
                kind=_kind(package),
                tags=tags,
                private=False,
                url=str(package.get("url") or ""),
                extras=extras,
                by=None,
                actor_label=actor_label,
                harvest=(source, remote_id),
            )
            summary.created += 1
        elif dataset.extras.get("harvest_modified") == modified:
            summary.unchanged += 1
            return
        else:
            actions.update_dataset(
                dataset,
                by=None,
                actor_label=actor_label,
                tags=tags,
                title=str(package.get("title") or package["name"]),
                notes=str(package.get("notes") or ""),
                license_id=license_id,
                extras=extras,
            )
            Resource.objects.filter(dataset=dataset).delete()
            summary.updated += 1
        for position, res in enumerate(package.get("resources", [])):
            if isinstance(res, dict) and res.get("url"):
                Resource.objects.create(
                    dataset=dataset,
                    name=str(res.get("name") or res["url"])[:300],
                    description=str(res.get("description") or ""),
                    format=str(res.get("format") or "").upper()[:40],
                    url=str(res["url"])[:1000],
                    size=res.get("size") if isinstance(res.get("size"), int) else None,
                    hash=str(res.get("hash") or "")[:100],
                    position=position,
                )
        from chiiki.opendata import search

        search.index_dataset(dataset)


def _kind(package: dict[str, Any]) -> str:
    from chiiki.opendata.engine import load_schemas

    kind = str(package.get("standard_dataset") or "")
    for extra in package.get("extras", []) or []:
        if isinstance(extra, dict) and extra.get("key") == "standard_dataset":
            kind = str(extra.get("value") or "")
    return kind if kind in load_schemas() else ""


def harvest(
    url: str, *, fq: str = "", full: bool = False, fetch: Fetch = http_fetch, actor_label: str = "harvest"
) -> HarvestSummary:
    """Pull datasets from the CKAN portal at `url` (its site root); incremental unless `full`."""
    base = url.rstrip("/")
    for suffix in ("/api/3/action", "/api/action", "/api/3", "/api"):
        base = base.removesuffix(suffix)
    fetch(_action_url(base, "status_show"), {})
    source, _ = HarvestSource.objects.get_or_create(url=base)
    since = "" if full else source.last_modified_seen
    packages = fetch_all(base, since=since, fq=fq, fetch=fetch)
    summary = HarvestSummary(fetched=len(packages))
    for package in packages:
        _upsert(source, package, summary, actor_label)
    seen = [str(p.get("metadata_modified") or "") for p in packages]
    if seen:
        source.last_modified_seen = max([*seen, source.last_modified_seen])
    source.last_run = timezone.now()
    source.save(update_fields=["last_modified_seen", "last_run"])
    return summary
