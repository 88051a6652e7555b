"""What the catalog's actions share: storing a resource file, setting tags, and the tail of every change.

Private to `chiiki.opendata.actions`: callers outside the package use the public actions, which call these.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.opendata import queries
from chiiki.opendata.actions._search_index import index_dataset
from chiiki.opendata.models import Dataset, DatasetVersion, MergeTarget, Resource, Tag

# Named by its path: the task module imports the actions, so the actions must not import it back.
REBUILD_MERGES_TASK = "chiiki.opendata.tasks.rebuild_merges_for"

_MIMETYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def record_change(dataset: Dataset, action: str, *, by: Actor, detail: dict[str, Any] | None = None) -> None:
    """The tail of every change: new version number and snapshot, search index, audit, merge rebuilds."""
    dataset.metadata_modified = timezone.now()
    last = dataset.versions.order_by("-number").values_list("number", flat=True).first() or 0
    dataset.version = last + 1
    Dataset.objects.filter(pk=dataset.pk).update(
        metadata_modified=dataset.metadata_modified, version=dataset.version
    )
    index_dataset(dataset)
    DatasetVersion.objects.create(
        dataset=dataset,
        number=dataset.version,
        action=action,
        created_by=by.user,
        actor_label=by.label[:150],
        snapshot=queries.package_dict(dataset),
    )
    audit.record(
        f"opendata.{action}",
        by=by,
        municipality=dataset.organization.municipality_id,
        object_type="dataset",
        object_id=str(dataset.pk),
        detail={"name": dataset.name, "version": dataset.version, **(detail or {})},
    )
    _schedule_merges(dataset)


def _schedule_merges(dataset: Dataset) -> None:
    """After commit, rebuild the merged datasets this dataset feeds (never the merged dataset itself)."""
    if not dataset.kind or MergeTarget.objects.filter(dataset=dataset).exists():
        return
    if not MergeTarget.objects.filter(kind=dataset.kind).exists():
        return
    dataset_id = str(dataset.pk)
    transaction.on_commit(lambda: import_string(REBUILD_MERGES_TASK).enqueue(dataset_id))


def set_tags(dataset: Dataset, tags: list[str]) -> None:
    """Replace the dataset's tags (blank ones dropped, each created on first use)."""
    names = sorted({tag.strip() for tag in tags if tag and tag.strip()})
    dataset.tags.set([Tag.objects.get_or_create(name=name[:100])[0] for name in names])


def store_resource(
    dataset: Dataset,
    *,
    name: str,
    fmt: str,
    content: bytes | None,
    url: str = "",
    role: str = Resource.Role.DATA,
    description: str = "",
    filename: str = "",
    rows: int | None = None,
    replace_role: bool = False,
) -> Resource:
    """Add one resource: a stored file (`content`, with its size and sha256) or a link (`url`).

    `replace_role` first removes the dataset's resources of the same role (and their files): an import
    replaces its standard CSV, report and original rather than piling up old ones.
    """
    if replace_role:
        old = Resource.objects.filter(dataset=dataset, role=role)
        for resource in old:
            if resource.file:
                resource.file.delete(save=False)
        old.delete()
    resource = Resource(
        dataset=dataset,
        name=name,
        description=description,
        format=fmt.upper(),
        mimetype=_MIMETYPES.get(fmt.upper(), ""),
        role=role,
        url=url,
        rows=rows,
        position=Resource.objects.filter(dataset=dataset).count(),
    )
    if content is not None:
        resource.size = len(content)
        resource.hash = "sha256:" + hashlib.sha256(content).hexdigest()
        resource.file.save(f"{dataset.name}-{filename or name}", ContentFile(content), save=False)
    resource.save()
    return resource
