"""Datasets, their resources and their visibility: create, update, add a file or a link, publish, unpublish.

Each action runs in one transaction and ends with a new version, a fresh search index, its audit record and
(after commit) the rebuild of the merged datasets it feeds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.links import validate_link
from chiiki.opendata.actions._changes import record_change, set_tags, store_resource
from chiiki.opendata.engine import load_schemas, resolve_kind
from chiiki.opendata.models import LICENSES, Dataset, Group, Organization, Resource

if TYPE_CHECKING:
    from chiiki.core.models import Municipality
    from chiiki.opendata.models import HarvestSource


class CatalogError(ValueError):
    """A change the catalog refuses, with a plain-Japanese message and the field at fault ("" for none).

    `field` is the API's name for it: "title", "url", or "resources[1].url" for a resource of a package call.
    """

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def check_length(model: type[models.Model], field: str, value: str, *, name: str = "") -> str:
    """Return `value` if it fits the column's max_length, else raise CatalogError naming the field.

    Checked here so SQLite (which stores any length) and PostgreSQL (which raises DataError) agree.
    """
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        label = name or field
        raise CatalogError(
            f"「{label}」が長すぎます（{len(value):,} 文字、上限 {limit} 文字） / {label} is longer than {limit}",
            field=label,
        )
    return value


def check_link(value: str, *, name: str = "url") -> str:
    """Return `value` if it is an http(s) or relative link (`chiiki.core.links`), else raise CatalogError."""
    try:
        validate_link(value)
    except ValidationError as exc:
        raise CatalogError(f"「{name}」: {exc.messages[0]}", field=name) from exc
    return value


def _check_dataset_fields(values: dict[str, Any]) -> None:
    for key in ("title", "url"):
        if isinstance(values.get(key), str):
            check_length(Dataset, key, values[key])
    if isinstance(values.get("url"), str):
        check_link(values["url"])


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
            f"名前「{name[:120]}」は使えません。半角英小文字・数字・「-」「_」で 2〜100 文字にしてください",
            field="name",
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
        raise CatalogError(
            f"ライセンス「{license_id[:60]}」は使えません。使えるのは: {', '.join(LICENSES)}",
            field="license_id",
        )


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
    temporal: tuple[date | None, date | None] = (None, None),
) -> Dataset:
    """Create a dataset (private until published), with `links` as its first resources.

    `harvest` is (source, remote id) for a harvested dataset; `temporal` the (first, last) day the data covers.
    """
    check_name(name)
    check_period(*temporal)
    if Dataset.objects.filter(name=name).exists():
        raise CatalogError(f"名前「{name}」のデータセットはすでにあります", field="name")
    _check_license(license_id)
    _check_dataset_fields({"title": title, "url": url})
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
        temporal_start=temporal[0],
        temporal_end=temporal[1],
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
    _check_dataset_fields(changes)
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


def check_period(start: date | None, end: date | None) -> None:
    """A period runs forwards: CatalogError naming temporal_end when it ends before it starts."""
    if start is not None and end is not None and end < start:
        raise CatalogError(
            f"対象期間の終了日（{end.isoformat()}）が開始日（{start.isoformat()}）より前です",
            field="temporal_end",
        )


@transaction.atomic
def set_period(dataset: Dataset, start: date | None, end: date | None, *, by: Actor) -> Dataset:
    """Record the period the dataset's data covers (DCAT dct:temporal), as staff entered it; None clears."""
    check_period(start, end)
    dataset.temporal_start, dataset.temporal_end = start, end
    dataset.save(update_fields=["temporal_start", "temporal_end"])
    record_change(
        dataset,
        "dataset_updated",
        by=by,
        detail={
            "fields": ["temporal_end", "temporal_start"],
            "temporal": [start.isoformat() if start else None, end.isoformat() if end else None],
        },
    )
    return dataset


def _add_links(dataset: Dataset, links: Sequence[Link], *, by: Actor) -> None:
    for index, link in enumerate(links):
        try:
            add_resource(
                dataset, by=by, name=link.name, fmt=link.fmt, url=link.url, description=link.description
            )
        except CatalogError as exc:
            raise CatalogError(str(exc), field=f"resources[{index}].{exc.field or 'url'}") from exc


@transaction.atomic
def publish(dataset: Dataset, *, by: Actor) -> None:
    """Make the dataset public (active, not private); a harvested one awaiting review goes through
    `accept_harvested` instead."""
    if dataset.awaiting_review:
        raise CatalogError(
            "収集したデータは「確認して公開」から公開してください / accept harvested data first"
        )
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
    replace: bool = False,
) -> Resource:
    """Add a stored file (content) or a link (url) to a dataset; the format defaults to the file's suffix.

    `replace` first removes the dataset's resources of the same name (and their files): a dataset that another
    app refreshes keeps one current file instead of piling up old ones (its history is in the versions).
    """
    if content is None and not url:
        raise CatalogError("ファイルか URL のどちらかが必要です", field="url")
    check_link(url)
    check_length(Resource, "url", url)
    if not fmt:
        fmt = Path(filename or url).suffix.lstrip(".").upper()[:40]
    check_length(Resource, "name", name)
    check_length(Resource, "format", fmt)
    if replace:
        for old in Resource.objects.filter(dataset=dataset, name=name):
            if old.file:
                old.file.delete(save=False)
            old.delete()
    resource = store_resource(
        dataset, name=name, fmt=fmt, content=content, url=url, description=description, filename=filename
    )
    record_change(dataset, "resource_created", by=by, detail={"resource": str(resource.pk)})
    return resource
