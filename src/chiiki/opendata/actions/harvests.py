"""Harvesting another CKAN portal into the catalog (`chiiki opendata harvest URL --municipality CODE`).

The reading (paging within HarvestLimits, mapping a remote package onto our fields) is
`chiiki.opendata.harvest`; this module writes: one dataset per remote package, created or updated through the
catalog actions, resources kept as links. Nothing harvested is published by the harvest: each new or changed
dataset waits, private, until an open-data editor of the source's municipality accepts it
(`accept_harvested`). A harvest runs only from the command line, synchronously, so it is not a job.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.opendata import harvest
from chiiki.opendata.actions._changes import record_change
from chiiki.opendata.actions._search_index import index_dataset
from chiiki.opendata.actions.catalog import CatalogError, create_dataset, update_dataset
from chiiki.opendata.harvest import HarvestSummary, RemotePackage, RemoteResource
from chiiki.opendata.models import Dataset, HarvestSource, Organization, Resource


def harvest_portal(
    url: str,
    *,
    municipality: Municipality,
    by: Actor,
    fq: str = "",
    full: bool = False,
    fetch: harvest.Fetch | None = None,
    limits: harvest.HarvestLimits | None = None,
) -> HarvestSummary:
    """Pull datasets from the CKAN portal at `url` (its site root) for `municipality`'s editors to review;
    incremental unless `full`. Within `limits` (default: the site's CHIIKI_HARVEST_* settings).

    Raises HarvestError (nothing written) when the portal cannot be reached or read, or a limit is reached.
    """
    limits = limits or harvest.HarvestLimits.from_settings()
    fetch = fetch or harvest.SafeFetcher(limits)
    base = harvest.site_root(url)
    fetch(harvest.action_url(base, "status_show"), {})
    source = HarvestSource.objects.filter(url=base).first()
    since = "" if full or source is None else source.last_modified_seen
    packages = harvest.fetch_all(base, since=since, fq=fq, fetch=fetch, max_pages=limits.max_pages)
    source, _ = HarvestSource.objects.update_or_create(url=base, defaults={"municipality": municipality})
    summary = HarvestSummary(fetched=len(packages))
    reserved = harvest.municipality_names(Municipality.objects.values_list("prefecture", "name"))
    for raw in packages:
        package = harvest.read_package(raw)
        if package is None:
            summary.skipped += 1
        else:
            _upsert(source, package, summary, reserved, by=by)
    seen = [str(p.get("metadata_modified") or "") for p in packages]
    if seen:
        source.last_modified_seen = max([*seen, source.last_modified_seen])
    source.last_run = timezone.now()
    source.save(update_fields=["last_modified_seen", "last_run"])
    audit.record(
        "opendata.harvested", by=by, object_type="harvest_source", object_id=source.pk, detail=asdict(summary)
    )
    return summary


@transaction.atomic
def _upsert(
    source: HarvestSource,
    package: RemotePackage,
    summary: HarvestSummary,
    reserved: frozenset[str],
    *,
    by: Actor,
) -> None:
    """Create or update the local copy of one remote package (one transaction per package), to be reviewed."""
    dataset = Dataset.objects.filter(harvest_source=source, harvest_remote_id=package.remote_id).first()
    extras = {
        "harvest_source": source.url,
        "harvest_modified": package.modified,
        "harvest_name": package.name,
    }
    if dataset is None:
        dataset = create_dataset(
            _local_organization(package.organization, source, reserved),
            name=harvest.free_name(package.name),
            title=package.title,
            notes=package.notes,
            license_id=package.license_id,
            kind=package.kind,
            tags=package.tags,
            private=True,
            url=package.url,
            extras=extras,
            by=by,
            harvest=(source, package.remote_id),
        )
        summary.created += 1
    elif dataset.extras.get("harvest_modified") == package.modified:
        summary.unchanged += 1
        return
    else:
        update_dataset(
            dataset,
            by=by,
            tags=package.tags,
            title=package.title,
            notes=package.notes,
            license_id=package.license_id,
            url=package.url,
            private=True,
            extras=extras,
        )
        Resource.objects.filter(dataset=dataset).delete()
        summary.updated += 1
    dataset.awaiting_review = True
    dataset.save(update_fields=["awaiting_review"])
    _add_links(dataset, package.resources)
    index_dataset(dataset)


def _add_links(dataset: Dataset, resources: list[RemoteResource]) -> None:
    Resource.objects.bulk_create(
        Resource(
            dataset=dataset,
            name=remote.name,
            description=remote.description,
            format=remote.format,
            url=remote.url,
            size=remote.size,
            hash=remote.hash,
            position=position,
        )
        for position, remote in enumerate(resources)
    )


def _local_organization(
    remote: dict[str, Any], source: HarvestSource, reserved: frozenset[str]
) -> Organization:
    name = harvest.local_organization_name(remote, source.pk)
    host = urlsplit(source.url).hostname or source.url
    organization, _ = Organization.objects.get_or_create(
        name=name,
        defaults={
            "title": harvest.publisher_title(str(remote.get("title") or name), host, reserved),
            "description": str(remote.get("description") or ""),
            "harvest_source": source,
        },
    )
    return organization


@transaction.atomic
def accept_harvested(dataset: Dataset, *, municipality: Municipality, by: Actor) -> None:
    """Publish a harvested dataset awaiting review; only for the municipality its source was harvested for."""
    source = dataset.harvest_source
    if source is None or source.municipality_id != municipality.pk or not dataset.awaiting_review:
        raise CatalogError("確認待ちの収集データではありません / not a harvested dataset awaiting review")
    dataset.awaiting_review = False
    dataset.state, dataset.private = Dataset.State.ACTIVE, False
    dataset.save(update_fields=["awaiting_review", "state", "private"])
    record_change(dataset, "harvest_accepted", by=by, detail={"source": source.url})
