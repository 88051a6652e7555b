"""Harvesting another CKAN portal into the catalog (`chiiki opendata harvest URL`).

The reading (paging, mapping a remote package onto our fields) is `chiiki.opendata.harvest`; this module
writes: one dataset per remote package, created or updated through the catalog actions, resources kept as
links. A harvest runs only from the command line, synchronously, so it is not a job (see the app README).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.opendata import harvest
from chiiki.opendata.actions._search_index import index_dataset
from chiiki.opendata.actions.catalog import create_dataset, update_dataset
from chiiki.opendata.harvest import HarvestSummary, RemotePackage, RemoteResource
from chiiki.opendata.models import Dataset, HarvestSource, Organization, Resource


def harvest_portal(
    url: str, *, by: Actor, fq: str = "", full: bool = False, fetch: harvest.Fetch = harvest.http_fetch
) -> HarvestSummary:
    """Pull datasets from the CKAN portal at `url` (its site root); incremental unless `full`.

    Raises HarvestError (nothing written) when the portal cannot be reached or read.
    """
    base = harvest.site_root(url)
    fetch(harvest.action_url(base, "status_show"), {})
    source, _ = HarvestSource.objects.get_or_create(url=base)
    packages = harvest.fetch_all(base, since="" if full else source.last_modified_seen, fq=fq, fetch=fetch)
    summary = HarvestSummary(fetched=len(packages))
    for raw in packages:
        package = harvest.read_package(raw)
        if package is None:
            summary.skipped += 1
        else:
            _upsert(source, package, summary, by=by)
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
def _upsert(source: HarvestSource, package: RemotePackage, summary: HarvestSummary, *, by: Actor) -> None:
    """Create or update the local copy of one remote package (one transaction per package)."""
    dataset = Dataset.objects.filter(harvest_source=source, harvest_remote_id=package.remote_id).first()
    extras = {
        "harvest_source": source.url,
        "harvest_modified": package.modified,
        "harvest_name": package.name,
    }
    if dataset is None:
        dataset = create_dataset(
            _local_organization(package.organization),
            name=harvest.free_name(package.name),
            title=package.title,
            notes=package.notes,
            license_id=package.license_id,
            kind=package.kind,
            tags=package.tags,
            private=False,
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
            extras=extras,
        )
        Resource.objects.filter(dataset=dataset).delete()
        summary.updated += 1
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


def _local_organization(remote: dict[str, Any]) -> Organization:
    name = harvest.local_organization_name(remote)
    organization, _ = Organization.objects.get_or_create(
        name=name,
        defaults={
            "title": str(remote.get("title") or name),
            "description": str(remote.get("description") or ""),
        },
    )
    return organization
