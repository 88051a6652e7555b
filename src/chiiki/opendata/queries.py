"""Reads of the catalog: visibility, search with facets, and the CKAN-shaped dictionaries of each object."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import Count, Max, Min, Q, QuerySet
from django.urls import reverse

from chiiki.core.links import safe_link
from chiiki.core.permissions import municipalities_with
from chiiki.opendata import search, solr
from chiiki.opendata.engine import StandardSchema, load_schemas, schema_from_raw
from chiiki.opendata.models import (
    LICENSES,
    ApiToken,
    Dataset,
    Group,
    Organization,
    Resource,
    StandardVersion,
    Upload,
)

# Re-exported: callers catch queries.SearchQueryError and read times with queries.parse_ckan_time.
SearchQueryError = solr.SearchQueryError
parse_ckan_time = solr.parse_ckan_time

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from chiiki.core.models import Municipality, User

FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "kind")


def ckan_time(value: dt.datetime | None) -> str | None:
    """CKAN's timestamp form: UTC, ISO 8601 without an offset (2024-05-01T03:04:05.123456)."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def published() -> QuerySet[Dataset]:
    """Datasets everyone may see."""
    return Dataset.objects.filter(state=Dataset.State.ACTIVE, private=False)


def standard_in_use(kind: str) -> tuple[StandardSchema, int]:
    """The schema new files of `kind` are checked against (the newest installed version, else the shipped
    one) and its version number (0 for the shipped schema)."""
    row = StandardVersion.objects.filter(kind=kind).order_by("-version").first()
    if row is None:
        return load_schemas()[kind], 0
    return schema_from_raw(row.schema), row.version


def standard_schema(kind: str, version: int) -> StandardSchema | None:
    """One version of a standard dataset's schema (0: as shipped), None when there is no such version."""
    if version == 0:
        return load_schemas().get(kind)
    row = StandardVersion.objects.filter(kind=kind, version=version).first()
    return schema_from_raw(row.schema) if row is not None else None


def standard_version_numbers(kind: str) -> list[int]:
    """The versions of a standard dataset's schema there are: 0 (as shipped) and each installed book."""
    installed = (
        StandardVersion.objects.filter(kind=kind).order_by("version").values_list("version", flat=True)
    )
    return [0, *installed]


def standard_versions() -> list[StandardVersion]:
    """Every installed version of every standard dataset (for the upload page's choice)."""
    return list(StandardVersion.objects.order_by("kind", "version"))


def catalog_span() -> tuple[dt.datetime | None, dt.datetime | None]:
    """When the published catalog began (oldest dataset created) and last changed (newest modification)."""
    span = published().aggregate(first=Min("metadata_created"), last=Max("metadata_modified"))
    return span["first"], span["last"]


def readable(user: AbstractBaseUser | AnonymousUser | None) -> QuerySet[Dataset]:
    """Datasets `user` may read: the published ones, and the active private ones of organizations whose
    municipality the user may edit (opendata.edit, the same right package_show asks for private datasets)."""
    if user is None:
        return published()
    codes = municipalities_with(user, "opendata.edit").values("code")
    own_orgs = list(Organization.objects.filter(municipality__in=codes).values_list("pk", flat=True))
    if not own_orgs:
        return published()
    return Dataset.objects.filter(
        Q(state=Dataset.State.ACTIVE) & (Q(private=False) | Q(organization_id__in=own_orgs))
    )


def municipality_datasets(municipality: Municipality) -> QuerySet[Dataset]:
    """Every dataset of the municipality's own organization, in any state, by name (the staff page)."""
    return Dataset.objects.filter(organization__municipality=municipality).order_by("name")


def awaiting_review(municipality: Municipality) -> QuerySet[Dataset]:
    """Harvested datasets waiting for this municipality's editors to accept them (the staff page)."""
    return (
        Dataset.objects.filter(harvest_source__municipality=municipality, awaiting_review=True)
        .select_related("organization", "harvest_source")
        .order_by("name")
    )


def recent_uploads(municipality: Municipality, limit: int = 20) -> list[Upload]:
    """The municipality's latest upload jobs, newest first, with the dataset each one made."""
    return list(Upload.objects.filter(municipality=municipality).select_related("dataset")[:limit])


def municipality_upload(municipality: Municipality, upload_id: int) -> Upload | None:
    """One of the municipality's uploads, or None (another municipality's upload is not found either)."""
    return Upload.objects.filter(municipality=municipality, pk=upload_id).first()


def confirmed_upload_files(municipality: Municipality) -> set[str]:
    """Stored files of uploads imported again after staff confirmed other municipalities' codes in them."""
    return set(
        Upload.objects.filter(municipality=municipality, other_codes_confirmed=True).values_list(
            "file", flat=True
        )
    )


def user_tokens(user: User) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first (hashes and prefixes only)."""
    return ApiToken.objects.filter(user=user)


def user_token(user: User, token_id: int) -> ApiToken | None:
    """One of the user's own API tokens, or None (another user's token is never found)."""
    return ApiToken.objects.filter(user=user, pk=token_id).first()


def dataset_by_name_or_id(name_or_id: str) -> Dataset | None:
    """Look a dataset up the way CKAN does: by name or by id."""
    query = Q(name=name_or_id)
    if solr.is_uuid(name_or_id):
        query |= Q(pk=name_or_id)
    return Dataset.objects.select_related("organization").filter(query).first()


def organization_by_name_or_id(name_or_id: str) -> Organization | None:
    """By name or id."""
    query = Q(name=name_or_id)
    if solr.is_uuid(name_or_id):
        query |= Q(pk=name_or_id)
    return Organization.objects.filter(query).first()


def group_by_name_or_id(name_or_id: str) -> Group | None:
    """By name or id."""
    query = Q(name=name_or_id)
    if solr.is_uuid(name_or_id):
        query |= Q(pk=name_or_id)
    return Group.objects.filter(query).first()


def organization_dict(org: Organization, *, package_count: int | None = None) -> dict[str, Any]:
    """CKAN organization dictionary."""
    out: dict[str, Any] = {
        "id": str(org.pk),
        "name": org.name,
        "title": org.title,
        "display_name": org.title,
        "description": org.description,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(org.created),
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def group_dict(group: Group, *, package_count: int | None = None) -> dict[str, Any]:
    """CKAN group dictionary."""
    out: dict[str, Any] = {
        "id": str(group.pk),
        "name": group.name,
        "title": group.title,
        "display_name": group.title,
        "description": group.description,
        "type": "group",
        "is_organization": False,
        "state": "active",
        "approval_status": "approved",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(group.created),
    }
    if package_count is not None:
        out["package_count"] = package_count
    return out


def resource_url(resource: Resource, base_url: str = "") -> str:
    """Where to download the resource: our download route for stored files, else its own URL.

    A link stored before links were checked that is not http(s) or relative comes out as "" (no link).
    """
    if resource.file:
        return base_url + reverse("opendata:download", args=[str(resource.pk)])
    return safe_link(resource.url)


def resource_dict(resource: Resource, base_url: str = "") -> dict[str, Any]:
    """CKAN resource dictionary."""
    return {
        "id": str(resource.pk),
        "package_id": str(resource.dataset_id),
        "name": resource.name,
        "description": resource.description,
        "format": resource.format,
        "mimetype": resource.mimetype or None,
        "mimetype_inner": None,
        "cache_url": None,
        "cache_last_updated": None,
        "url": resource_url(resource, base_url),
        "url_type": "upload" if resource.file else None,
        "size": resource.size,
        "hash": resource.hash,
        "position": resource.position,
        "state": "active",
        "created": ckan_time(resource.created),
        "last_modified": ckan_time(resource.last_modified),
        "metadata_modified": ckan_time(resource.last_modified),
        "resource_type": resource.role,
    }


_TAG_IDS = uuid.UUID("6f1c3a52-3d0e-5b8e-9a57-6f7a1c2d9e40")


def tag_dict(name: str) -> dict[str, Any]:
    """CKAN tag dictionary; the id is a UUID derived from the name, so it is stable and UUID-shaped as CKAN's."""
    return {
        "id": str(uuid.uuid5(_TAG_IDS, name)),
        "name": name,
        "display_name": name,
        "state": "active",
        "vocabulary_id": None,
    }


def package_dict(dataset: Dataset, base_url: str = "") -> dict[str, Any]:
    """CKAN package dictionary (package_show's result)."""
    org = dataset.organization
    tags = list(dataset.tags.all())
    resources = list(dataset.resources.all())
    groups = list(dataset.groups.all())
    schema = load_schemas().get(dataset.kind)
    extras = [{"key": k, "value": str(v)} for k, v in sorted(dataset.extras.items())]
    if dataset.kind:
        extras.append({"key": "standard_dataset", "value": dataset.kind})
    return {
        "id": str(dataset.pk),
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.notes,
        "type": "dataset",
        "state": dataset.state,
        "private": dataset.private,
        "license_id": dataset.license_id,
        "license_title": dataset.license_title,
        "license_url": dataset.license_url,
        "isopen": dataset.license_id in LICENSES and dataset.license_id != "other",
        "creator_user_id": None,  # datasets are made by an organization's import, not kept per user
        "relationships_as_object": [],
        "relationships_as_subject": [],
        "url": safe_link(dataset.url),
        "version": str(dataset.version),
        "author": org.title,
        "author_email": None,
        "maintainer": org.title,
        "maintainer_email": None,
        "owner_org": str(org.pk),
        "organization": organization_dict(org),
        "metadata_created": ckan_time(dataset.metadata_created),
        "metadata_modified": ckan_time(dataset.metadata_modified),
        "tags": [tag_dict(t.name) for t in tags],
        "num_tags": len(tags),
        "groups": [group_dict(g) for g in groups],
        "resources": [resource_dict(r, base_url) for r in resources],
        "num_resources": len(resources),
        "extras": extras,
        "standard_dataset": dataset.kind or None,
        "standard_dataset_title": schema.title if schema else None,
    }


@dataclass
class SearchResult:
    count: int
    datasets: list[Dataset]
    facets: dict[str, list[tuple[str, str, int]]] = field(
        default_factory=dict
    )  # field -> (name, title, count)


def apply_fq(queryset: QuerySet[Dataset], fq: str) -> QuerySet[Dataset]:
    """Apply a Solr-style filter query: field terms only, with AND/OR/NOT and parentheses (see solr.py)."""
    condition = solr.condition(fq, free_text=False)
    return queryset if condition is None else queryset.filter(condition)


def apply_q(queryset: QuerySet[Dataset], q: str, *, plain: bool = False) -> QuerySet[Dataset]:
    """Apply CKAN's q: field terms as in fq, other words through the bigram index.

    plain=True reads every word as free text (the search box of the pages, where "(" or "AND" typed by a
    visitor should just be searched for, not raise an error).
    """
    if plain:
        return search.matching(queryset, q)
    condition = solr.condition(q, free_text=True)
    return queryset if condition is None else queryset.filter(condition)


_SORT_FIELDS = {
    "id": "id",
    "name": "name",
    "title_string": "title",
    "title": "title",
    "metadata_modified": "metadata_modified",
    "metadata_created": "metadata_created",
}


def order_by(sort: str) -> list[str]:
    """Translate CKAN's sort ("score desc, metadata_modified desc", "id asc") into order_by fields."""
    fields: list[str] = []
    for part in (p.strip() for p in sort.split(",")):
        if not part:
            continue
        bits = part.split()
        name, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if name in ("score", "rank", "views_recent", "views_total"):
            continue  # no relevance score nor page-view tracking here: the remaining keys and id order
        if name not in _SORT_FIELDS or direction not in ("asc", "desc"):
            raise SearchQueryError(f"並べ替えを解釈できません: {part}")
        fields.append(("-" if direction == "desc" else "") + _SORT_FIELDS[name])
    if "id" not in fields and "-id" not in fields:
        fields.append("id")  # a total order, so paging never repeats or skips a dataset
    return fields


def search_datasets(
    *,
    q: str = "",
    fq: str = "",
    sort: str = "score desc, metadata_modified desc",
    rows: int = 10,
    start: int = 0,
    facet_fields: tuple[str, ...] = (),
    facet_limit: int = 50,
    base: QuerySet[Dataset] | None = None,
    plain_q: bool = False,
) -> SearchResult:
    """Published datasets matching q (Japanese bigram search) and fq, one page, with facet counts.

    The filter runs once: the matched rows' sort keys and facet columns come back in one query, so the count,
    the order, the page and the organization/kind/license facets need no second pass over the catalog;
    tags and formats are counted with the filter as a subquery.
    """
    queryset = published() if base is None else base
    queryset = apply_fq(apply_q(queryset, q.strip(), plain=plain_q), fq)
    keys = order_by(sort)
    count = queryset.count()
    page: list[Dataset] = []
    if rows > 0 and count > start:
        # Sort narrow rows (ids and sort keys) first, then load the page's full rows: sorting whole rows
        # (long notes and search text) of a large match set is what made broad searches slow.
        page_ids = list(queryset.order_by(*keys).values_list("pk", flat=True)[start : start + rows])
        by_id = {
            d.pk: d
            for d in Dataset.objects.filter(pk__in=page_ids)
            .select_related("organization")
            .defer("search_text")
            .prefetch_related("tags", "resources", "groups")
        }
        page = [by_id[pk] for pk in page_ids if pk in by_id]
    facets: dict[str, list[tuple[str, str, int]]] = {name: [] for name in facet_fields}
    if count and facet_fields:
        counted = _facet_source(queryset, count, filtered=bool(q.strip() or fq.strip()), base=base)
        facets = {name: facet_counts(counted, name, facet_limit) for name in facet_fields}
    return SearchResult(count=count, datasets=page, facets=facets)


def _facet_source(
    matched: QuerySet[Dataset], count: int, *, filtered: bool, base: QuerySet[Dataset] | None
) -> QuerySet[Dataset]:
    """The query the facets are counted on: `matched`, or the plain published set when they are the same.

    A filter that keeps every published dataset (res_format:CSV on a catalog of CSV files, *:*) would
    otherwise be re-run inside each facet query; the matched rows are a subset of the published ones, so
    equal counts mean equal sets and the facets come out identical without it.
    """
    if base is None and filtered and count == published().count():
        return published()
    return matched


def facet_counts(matched: QuerySet[Dataset], name: str, limit: int = 50) -> list[tuple[str, str, int]]:
    """(name, display title, count) of one facet over the matched datasets, most frequent first.

    Columns of the dataset row are grouped on the filtered query itself; tags and formats use it as a
    subquery. Either way the database does the counting, not Python.
    """
    from chiiki.opendata.models import LICENSES

    if name in ("organization", "kind", "license_id"):
        # Group on the dataset row itself (organization_id, not a join to the organization table); filters
        # never join many-valued tables (see _fq_condition), so each dataset is one row.
        column = "organization_id" if name == "organization" else name
        rows = matched.order_by().values(column).annotate(n=Count("pk")).order_by("-n", column)[: limit + 1]
        counted = [(r[column], int(r["n"])) for r in rows if r[column]][:limit]
        if name == "organization":
            orgs = {o.pk: o for o in Organization.objects.filter(pk__in=[k for k, _ in counted])}
            items = [(orgs[k].name, orgs[k].title, n) for k, n in counted if k in orgs]
            return sorted(items, key=lambda i: (-i[2], i[0]))
        schemas = load_schemas()
        if name == "kind":
            return [(k, schemas[k].title if k in schemas else k, n) for k, n in counted]
        return [(k, LICENSES.get(k, (k, ""))[0], n) for k, n in counted]
    subquery = matched.order_by().values("pk")
    if name == "groups":
        groups = (
            Group.objects.filter(datasets__in=subquery)
            .annotate(n=Count("datasets", distinct=True))
            .order_by("-n", "name")[:limit]
        )
        return [(g.name, g.title, g.n) for g in groups]
    if name == "tags":
        # (dataset, tag) is unique in the link table, so a plain COUNT is the number of datasets; without
        # DISTINCT the database can hash-aggregate instead of sorting every link (half the time at 10,000).
        tags = (
            Dataset.tags.through.objects.filter(dataset_id__in=subquery)
            .values("tag__name")
            .annotate(n=Count("dataset_id"))
            .order_by("-n", "tag__name")[:limit]
        )
        return [(t["tag__name"], t["tag__name"], t["n"]) for t in tags]
    if name == "res_format":
        formats = (
            Resource.objects.filter(dataset_id__in=subquery)
            .exclude(format="")
            .values("format")
            .annotate(n=Count("dataset_id", distinct=True))
            .order_by("-n", "format")[:limit]
        )
        return [(f["format"], f["format"], f["n"]) for f in formats]
    raise SearchQueryError(f"この項目では集計できません: {name}")


@dataclass(frozen=True, slots=True)
class FacilityPoint:
    """One row with a point of a municipality's standard dataset (a school, a clinic, an evacuation site…)."""

    kind: str
    kind_title: str
    name: str
    latitude: float
    longitude: float
    dataset: str


def _point_columns(columns: list[str]) -> tuple[str | None, str | None, str | None]:
    lat = next((c for c in columns if c.endswith("緯度")), None)
    lon = next((c for c in columns if c.endswith("経度")), None)
    name = next((c for c in columns if c == "名称" or c.endswith("_名称") or c.endswith("学校名")), None)
    return lat, lon, name


def facility_points(municipality: Municipality, kinds: tuple[str, ...]) -> list[FacilityPoint]:
    """The points (緯度/経度) of the municipality's active standard datasets of these kinds, read from each
    dataset's CSV data file; rows without a readable point are left out."""
    schemas = load_schemas()
    found = (
        Dataset.objects.filter(
            organization__municipality=municipality, kind__in=kinds, state=Dataset.State.ACTIVE
        )
        .exclude(awaiting_review=True)
        .order_by("kind", "name")
    )
    points: list[FacilityPoint] = []
    for dataset in found:
        resource = dataset.resources.filter(role=Resource.Role.DATA, format="CSV").exclude(file="").first()
        if resource is None:
            continue
        try:
            with resource.file.open("rb") as handle:
                frame = pl.read_csv(io.BytesIO(handle.read()), infer_schema=False)
        except (OSError, pl.exceptions.PolarsError, ValueError):
            continue
        lat, lon, name = _point_columns(frame.columns)
        if lat is None or lon is None:
            continue
        rows = frame.select(
            pl.col(lat).cast(pl.Float64, strict=False).alias("lat"),
            pl.col(lon).cast(pl.Float64, strict=False).alias("lon"),
            (pl.col(name) if name else pl.lit("")).fill_null("").alias("name"),
        ).drop_nulls(["lat", "lon"])
        title = schemas[dataset.kind].title if dataset.kind in schemas else dataset.kind
        points += [
            FacilityPoint(dataset.kind, title, r["name"], r["lat"], r["lon"], dataset.name)
            for r in rows.iter_rows(named=True)
        ]
    return points
