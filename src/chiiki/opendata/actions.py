"""Changes to the catalog. Each runs in one transaction, snapshots a version, re-indexes and writes its audit."""

from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.models import Municipality, User
from chiiki.opendata import queries, search
from chiiki.opendata.engine import convert_file, load_schemas, resolve_kind
from chiiki.opendata.models import (
    LICENSES,
    ApiToken,
    Dataset,
    DatasetVersion,
    Group,
    Organization,
    Resource,
    Tag,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    Actor = AbstractBaseUser | AnonymousUser | None


class CatalogError(ValueError):
    """A change the catalog refuses, with a plain-Japanese message."""


_NAME_RE = re.compile(r"^[a-z0-9_-]{2,100}$")


def check_name(name: str) -> str:
    """Return `name` if it is a valid CKAN name, else raise CatalogError."""
    if not _NAME_RE.fullmatch(name):
        raise CatalogError(
            f"名前「{name}」は使えません。半角英小文字・数字・「-」「_」で 2〜100 文字にしてください"
        )
    return name


def organization_for(municipality: Municipality) -> Organization:
    """The catalog organization of a municipality, created on first use (name lg-<code>)."""
    org = Organization.objects.filter(municipality=municipality).first()
    if org is None:
        org, _ = Organization.objects.get_or_create(
            name=f"lg-{municipality.code}",
            defaults={"title": municipality.display_name, "municipality": municipality},
        )
    return org


def group_for_kind(kind: str) -> Group:
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


def _actor_user(by: Actor) -> User | None:
    return by if isinstance(by, User) else None


def _record_change(
    dataset: Dataset,
    action: str,
    *,
    by: Actor,
    actor_label: str = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    bump: bool = True,
) -> None:
    """Common tail of every change: timestamp, version snapshot, search index, audit, merge rebuilds."""
    if bump:
        dataset.metadata_modified = timezone.now()
        last = dataset.versions.order_by("-number").values_list("number", flat=True).first() or 0
        dataset.version = last + 1
        Dataset.objects.filter(pk=dataset.pk).update(
            metadata_modified=dataset.metadata_modified, version=dataset.version
        )
    search.index_dataset(dataset)
    DatasetVersion.objects.create(
        dataset=dataset,
        number=dataset.version,
        action=action,
        created_by=_actor_user(by),
        actor_label=actor_label,
        snapshot=queries.package_dict(dataset),
    )
    audit.record(
        f"opendata.{action}",
        actor=by,
        actor_label=actor_label,
        municipality=dataset.organization.municipality_id,
        object_type="dataset",
        object_id=str(dataset.pk),
        request=request,
        detail={"name": dataset.name, "version": dataset.version, **(detail or {})},
    )
    _schedule_merges(dataset)


def _schedule_merges(dataset: Dataset) -> None:
    """After commit, rebuild the merged datasets this dataset feeds (never the merged dataset itself)."""
    from chiiki.opendata.models import MergeTarget

    if not dataset.kind or MergeTarget.objects.filter(dataset=dataset).exists():
        return
    if not MergeTarget.objects.filter(kind=dataset.kind).exists():
        return
    from chiiki.opendata.tasks import rebuild_merges_for

    dataset_id = str(dataset.pk)
    transaction.on_commit(lambda: rebuild_merges_for.enqueue(dataset_id))


def _set_tags(dataset: Dataset, tags: list[str]) -> None:
    names = sorted({t.strip() for t in tags if t and t.strip()})
    objs = [Tag.objects.get_or_create(name=n[:100])[0] for n in names]
    dataset.tags.set(objs)


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
    actor_label: str = "",
    request: HttpRequest | None = None,
    harvest: tuple[Any, str] | None = None,
) -> Dataset:
    """Create a dataset (private until published)."""
    check_name(name)
    if Dataset.objects.filter(name=name).exists():
        raise CatalogError(f"名前「{name}」のデータセットはすでにあります")
    if license_id not in LICENSES:
        raise CatalogError(f"ライセンス「{license_id}」は使えません。使えるのは: {', '.join(LICENSES)}")
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
    _set_tags(dataset, tags or [])
    if kind:
        dataset.groups.add(group_for_kind(kind))
    _record_change(dataset, "dataset_created", by=by, actor_label=actor_label, request=request)
    return dataset


_UPDATABLE = ("title", "notes", "license_id", "url", "extras", "private", "state")


@transaction.atomic
def update_dataset(
    dataset: Dataset,
    *,
    by: Actor,
    tags: list[str] | None = None,
    actor_label: str = "",
    request: HttpRequest | None = None,
    **changes: Any,
) -> Dataset:
    """Change metadata fields (title, notes, license_id, url, extras, private, state) and/or tags."""
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise CatalogError(f"変更できない項目です: {', '.join(sorted(unknown))}")
    if "license_id" in changes and changes["license_id"] not in LICENSES:
        raise CatalogError(f"ライセンス「{changes['license_id']}」は使えません")
    for key, value in changes.items():
        setattr(dataset, key, value)
    if changes:
        dataset.save(update_fields=list(changes))
    if tags is not None:
        _set_tags(dataset, tags)
    _record_change(
        dataset,
        "dataset_updated",
        by=by,
        actor_label=actor_label,
        request=request,
        detail={"fields": sorted(changes) + (["tags"] if tags is not None else [])},
    )
    return dataset


@transaction.atomic
def publish(
    dataset: Dataset, *, by: Actor, request: HttpRequest | None = None, actor_label: str = ""
) -> None:
    """Make the dataset public (active, not private)."""
    dataset.state, dataset.private = Dataset.State.ACTIVE, False
    dataset.save(update_fields=["state", "private"])
    _record_change(dataset, "dataset_published", by=by, request=request, actor_label=actor_label)


@transaction.atomic
def unpublish(
    dataset: Dataset, *, by: Actor, request: HttpRequest | None = None, actor_label: str = ""
) -> None:
    """Hide the dataset again (private); its files and history stay."""
    dataset.private = True
    dataset.save(update_fields=["private"])
    _record_change(dataset, "dataset_unpublished", by=by, request=request, actor_label=actor_label)


def _mimetype(fmt: str) -> str:
    return {
        "CSV": "text/csv",
        "JSON": "application/json",
        "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }.get(fmt.upper(), "")


def _store_resource(
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
    if replace_role:
        old = Resource.objects.filter(dataset=dataset, role=role)
        for res in old:
            if res.file:
                res.file.delete(save=False)
        old.delete()
    position = Resource.objects.filter(dataset=dataset).count()
    resource = Resource(
        dataset=dataset,
        name=name,
        description=description,
        format=fmt.upper(),
        mimetype=_mimetype(fmt),
        role=role,
        url=url,
        rows=rows,
        position=position,
    )
    if content is not None:
        resource.size = len(content)
        resource.hash = "sha256:" + hashlib.sha256(content).hexdigest()
        resource.file.save(f"{dataset.name}-{filename or name}", ContentFile(content), save=False)
    resource.save()
    return resource


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
    actor_label: str = "",
    request: HttpRequest | None = None,
) -> Resource:
    """Add a stored file (content) or a link (url) to a dataset."""
    if content is None and not url:
        raise CatalogError("ファイルか URL のどちらかが必要です")
    if not fmt:
        fmt = Path(filename or url).suffix.lstrip(".").upper()
    resource = _store_resource(
        dataset, name=name, fmt=fmt, content=content, url=url, description=description, filename=filename
    )
    _record_change(
        dataset,
        "resource_created",
        by=by,
        actor_label=actor_label,
        request=request,
        detail={"resource": str(resource.pk)},
    )
    return resource


@dataclass(frozen=True)
class ImportOutcome:
    dataset: Dataset
    created: bool
    valid: bool
    rows: int
    errors: int
    warnings: int
    report_text: str


def import_file(
    municipality: Municipality,
    path: str | Path,
    kind: str | None,
    *,
    by: Actor,
    name: str = "",
    title: str = "",
    license_id: str = "cc-by-4.0",
    publish_now: bool = False,
    original_name: str = "",
    actor_label: str = "",
) -> ImportOutcome:
    """Convert a messy file with the engine and store it as the dataset's standard CSV + validation report.

    The dataset (default name `<code>-<kind>`) is created on first import and gets a new version afterwards.
    Raises CatalogError when the file cannot be read or matched to a standard dataset.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "standard.csv"
        result = convert_file(path, out, dataset=kind or None)
        report = result.report
        if result.frame is None:
            raise CatalogError("変換できませんでした:\n" + report.to_text(limit=20))
        csv_bytes = out.read_bytes()
    report_bytes = (report.to_json() + "\n").encode()
    source_bytes = path.read_bytes()
    schema = resolve_kind(report.dataset_id or "")
    return _store_import(
        municipality,
        schema_id=schema.id,
        schema_title=schema.title,
        csv_bytes=csv_bytes,
        report_bytes=report_bytes,
        source_bytes=source_bytes,
        source_name=original_name or path.name,
        rows=report.rows,
        valid=report.valid,
        errors=report.error_count,
        warnings=report.warning_count,
        report_text=report.to_text(limit=50),
        by=by,
        name=name,
        title=title,
        license_id=license_id,
        publish_now=publish_now,
        actor_label=actor_label,
    )


@transaction.atomic
def _store_import(
    municipality: Municipality,
    *,
    schema_id: str,
    schema_title: str,
    csv_bytes: bytes,
    report_bytes: bytes,
    source_bytes: bytes,
    source_name: str,
    rows: int,
    valid: bool,
    errors: int,
    warnings: int,
    report_text: str,
    by: Actor,
    name: str,
    title: str,
    license_id: str,
    publish_now: bool,
    actor_label: str,
) -> ImportOutcome:
    org = organization_for(municipality)
    name = check_name(name or f"{municipality.code}-{schema_id.replace('_', '-')}")
    dataset = Dataset.objects.filter(name=name).first()
    created = dataset is None
    if dataset is None:
        dataset = create_dataset(
            org,
            name=name,
            title=title or f"{municipality.display_name} {schema_title}",
            notes=f"{municipality.display_name}の{schema_title}（自治体標準オープンデータセット）。",
            license_id=license_id,
            kind=schema_id,
            tags=[schema_title.removesuffix("一覧"), municipality.prefecture],
            by=by,
            actor_label=actor_label,
        )
    elif dataset.organization_id != org.pk:
        raise CatalogError(f"データセット「{name}」は別の組織のものです")
    elif dataset.kind and dataset.kind != schema_id:
        raise CatalogError(f"データセット「{name}」の種類は {dataset.kind} です（ファイルは {schema_id}）")
    base = schema_id.replace("_", "-")
    _store_resource(
        dataset,
        name=f"{schema_title}（標準形式 CSV）",
        fmt="CSV",
        content=csv_bytes,
        filename=f"{base}.csv",
        rows=rows,
        replace_role=True,
    )
    _store_resource(
        dataset,
        name="検査報告（JSON）",
        fmt="JSON",
        content=report_bytes,
        role=Resource.Role.REPORT,
        filename=f"{base}-report.json",
        replace_role=True,
    )
    suffix = Path(source_name).suffix.lower() or ".csv"
    _store_resource(
        dataset,
        name=f"元のファイル {source_name}",
        fmt=suffix.lstrip(".").upper(),
        content=source_bytes,
        role=Resource.Role.SOURCE,
        filename=f"{base}-source{suffix}",
        replace_role=True,
    )
    if publish_now:
        dataset.state, dataset.private = Dataset.State.ACTIVE, False
        dataset.save(update_fields=["state", "private"])
    _record_change(
        dataset,
        "dataset_imported",
        by=by,
        actor_label=actor_label,
        detail={
            "file": source_name,
            "rows": rows,
            "valid": valid,
            "errors": errors,
            "published": publish_now,
        },
    )
    return ImportOutcome(dataset, created, valid, rows, errors, warnings, report_text)


def create_token(user: User, name: str, *, request: HttpRequest | None = None) -> tuple[ApiToken, str]:
    """Issue an API token; the plaintext is returned once and only its SHA-256 is stored."""
    plaintext = "chiiki_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100] or "token",
        token_hash=hashlib.sha256(plaintext.encode()).hexdigest(),
        prefix=plaintext[7:13],
    )
    audit.record(
        "opendata.token_created", actor=user, object_type="api_token", object_id=token.pk, request=request
    )
    return token, plaintext


def revoke_token(token: ApiToken, *, by: Actor, request: HttpRequest | None = None) -> None:
    """Revoke a token (kept for the record, refused from now on)."""
    token.revoked = True
    token.save(update_fields=["revoked"])
    audit.record(
        "opendata.token_revoked", actor=by, object_type="api_token", object_id=token.pk, request=request
    )


def user_for_token(plaintext: str) -> User | None:
    """The active user holding this unrevoked token, or None."""
    digest = hashlib.sha256(plaintext.strip().encode()).hexdigest()
    token = ApiToken.objects.select_related("user").filter(token_hash=digest, revoked=False).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
    return token.user
