"""Datasets, their resources and their visibility: create, update, add a file or a link, publish, unpublish.

Each action runs in one transaction and ends with a new version, a fresh search index, its audit record and
(after commit) the rebuild of the merged datasets it feeds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.opendata.actions._changes import record_change, set_tags, store_resource
from chiiki.opendata.engine import load_schemas, resolve_kind
from chiiki.opendata.models import LICENSES, Dataset, Group, Organization, Resource

if TYPE_CHECKING:
    from chiiki.core.models import Municipality
    from chiiki.opendata.models import HarvestSource


class CatalogError(ValueError):
    """A change the catalog refuses, with a plain-Japanese message."""


@dataclass(frozen=True)
class Link:
    """A resource kept as a link to a file elsewhere (what the CKAN API's package calls list)."""

    url: str
    name: str
    fmt: str = ""
    description: str = ""


_NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")


def check_name(name: str) -> str:
    """Return `name` if it is a valid CKAN name, else raise CatalogError."""
    if not _NAME_RE.fullmatch(name):
        raise CatalogError(
            f"名前「{name}」は使えません。半角英小文字・数字・「-」「_」で 2〜100 文字にしてください"
        )
    return name


@transaction.atomic
def organization_for(municipality: Municipality, *, by: Actor) -> Organization:
    """The catalog organization of a municipality, created (and audited) on first use, named lg-<code>."""
    org = Organization.objects.filter(municipality=municipality).first()
    if org is not None:
        return org
    org, created = Organization.objects.get_or_create(
        name=f"lg-{municipality.code}",
        defaults={"title": municipality.display_name, "municipality": municipality},
    )
    if created:
        audit.record(
            "opendata.organization_created",
            by=by,
            municipality=municipality,
            object_type="organization",
            object_id=str(org.pk),
            detail={"name": org.name},
        )
    return org


def _group_for_kind(kind: str) -> Group:
    """The CKAN group that collects every dataset of one standard kind."""
    schema = load_schemas()[kind]
    group, _ = Group.objects.get_or_create(
        name=kind.replace("_", "-"),
        defaults={
            "title": schema.title,
            "description": f"自治体標準オープンデータセット {schema.number} {schema.title}",
        },
    )
    return group


def _check_license(license_id: str) -> None:
    if license_id not in LICENSES:
        raise CatalogError(f"ライセンス「{license_id}」は使えません。使えるのは: {', '.join(LICENSES)}")


@transaction.atomic
def create_dataset(
    organization: Organization,
    *,
    name: str,
    title: str,
    by: Actor,
    notes: str = "",
    license_id: str = "cc-by-4.0",
    kind: str = "",
    tags: list[str] | None = None,
    private: bool = True,
    url: str = "",
    extras: dict[str, Any] | None = None,
    links: Sequence[Link] = (),
    harvest: tuple[HarvestSource, str] | None = None,
) -> Dataset:
    """Create a dataset (private until published), with `links` as its first resources.

    `harvest` is (source, remote id) for a harvested dataset.
    """
    check_name(name)
    if Dataset.objects.filter(name=name).exists():
        raise CatalogError(f"名前「{name}」のデータセットはすでにあります")
    _check_license(license_id)
    if kind:
        kind = resolve_kind(kind).id
    dataset = Dataset.objects.create(
        organization=organization,
        name=name,
        title=title or name,
        notes=notes,
        license_id=license_id,
        kind=kind,
        private=private,
        url=url,
        extras=extras or {},
        version=0,
        harvest_source=harvest[0] if harvest else None,
        harvest_remote_id=harvest[1] if harvest else "",
    )
    set_tags(dataset, tags or [])
    if kind:
        dataset.groups.add(_group_for_kind(kind))
    record_change(dataset, "dataset_created", by=by)
    _add_links(dataset, links, by=by)
    return dataset


_UPDATABLE = ("title", "notes", "license_id", "url", "extras", "private", "state")


@transaction.atomic
def update_dataset(
    dataset: Dataset, *, by: Actor, tags: list[str] | None = None, links: Sequence[Link] = (), **changes: Any
) -> Dataset:
    """Change metadata fields (title, notes, license_id, url, extras, private, state) and/or tags; add `links`."""
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise CatalogError(f"変更できない項目です: {', '.join(sorted(unknown))}")
    if "license_id" in changes:
        _check_license(changes["license_id"])
    for key, value in changes.items():
        setattr(dataset, key, value)
    if changes:
        dataset.save(update_fields=list(changes))
    if tags is not None:
        set_tags(dataset, tags)
    fields = sorted(changes) + (["tags"] if tags is not None else [])
    record_change(dataset, "dataset_updated", by=by, detail={"fields": fields})
    _add_links(dataset, links, by=by)
    return dataset


def _add_links(dataset: Dataset, links: Sequence[Link], *, by: Actor) -> None:
    for link in links:
        add_resource(dataset, by=by, name=link.name, fmt=link.fmt, url=link.url, description=link.description)


@transaction.atomic
def publish(dataset: Dataset, *, by: Actor) -> None:
    """Make the dataset public (active, not private)."""
    dataset.state, dataset.private = Dataset.State.ACTIVE, False
    dataset.save(update_fields=["state", "private"])
    record_change(dataset, "dataset_published", by=by)


@transaction.atomic
def unpublish(dataset: Dataset, *, by: Actor) -> None:
    """Hide the dataset again (private); its files and history stay."""
    dataset.private = True
    dataset.save(update_fields=["private"])
    record_change(dataset, "dataset_unpublished", by=by)


@transaction.atomic
def add_resource(
    dataset: Dataset,
    *,
    by: Actor,
    name: str,
    fmt: str = "",
    content: bytes | None = None,
    url: str = "",
    description: str = "",
    filename: str = "",
) -> Resource:
    """Add a stored file (content) or a link (url) to a dataset; the format defaults to the file's suffix."""
    if content is None and not url:
        raise CatalogError("ファイルか URL のどちらかが必要です")
    if not fmt:
        fmt = Path(filename or url).suffix.lstrip(".").upper()
    resource = store_resource(
        dataset, name=name, fmt=fmt, content=content, url=url, description=description, filename=filename
    )
    record_change(dataset, "resource_created", by=by, detail={"resource": str(resource.pk)})
    return resource
