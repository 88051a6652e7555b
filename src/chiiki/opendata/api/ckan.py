"""CKAN Action API compatibility: /api/3/action/<name> and /api/action/<name>, GET and POST JSON.

Answers use CKAN's envelope ({"help", "success", "result"} or {"help", "success": false, "error"}) and its
error `__type` strings and status codes, so CKAN clients (ckanapi, ckanext-harvest, the national portal's
harvester) work unchanged. Write actions take an API token in the Authorization header (raw, as CKAN sends
it, or "Bearer <token>"), or CKAN's older X-CKAN-API-Key header.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Collection
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from chiiki.core.acting import Actor
from chiiki.core.models import User
from chiiki.core.permissions import has_permission
from chiiki.opendata import actions, queries, solr
from chiiki.opendata.engine import resolve_kind
from chiiki.opendata.models import Dataset, Group, Organization, Resource, Tag

CKAN_VERSION = "2.10.4"  # the API generation we follow
MAX_ROWS = 1000
# The largest offset, limit or start taken: beyond it a number only overflows the database's integer
# (OverflowError on SQLite, DataError on PostgreSQL), never finds rows.
MAX_INTEGER = 2**31 - 1


class ActionError(Exception):
    """An error answered in CKAN's shape."""

    status = 400
    type_name = "Bad request"

    def __init__(self, message: str, fields: dict[str, list[Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(ActionError):
    status, type_name = 404, "Not Found Error"


class ValidationFailed(ActionError):
    status, type_name = 409, "Validation Error"


class NotAuthorized(ActionError):
    status, type_name = 403, "Authorization Error"


class SearchQueryFailed(ActionError):
    status, type_name = 400, "Search Query Error"  # CKAN answers its search errors with 400


Handler = Callable[[HttpRequest, dict[str, Any], Actor], Any]
ACTIONS: dict[str, Handler] = {}


def action(func: Handler) -> Handler:
    """Register a handler under its function name."""
    ACTIONS[func.__name__] = func
    return func


@csrf_exempt
def dispatch(request: HttpRequest, name: str) -> HttpResponse:
    """Run one action and wrap its result or error in CKAN's envelope."""
    help_url = request.build_absolute_uri(f"/api/3/action/help_show?name={name}")
    try:
        handler = ACTIONS.get(name)
        if handler is None:
            return _error(
                help_url, 400, {"__type": "Bad request", "message": f"Action name not known: {name}"}
            )
        if request.method not in ("GET", "POST"):
            return _error(help_url, 400, {"__type": "Bad request", "message": "GET か POST で呼んでください"})
        data = _data_dict(request)
        result = handler(request, data, _caller(request))
    except ActionError as exc:
        body: dict[str, Any] = {"__type": exc.type_name, "message": f"{exc.type_name}: {exc.message}"}
        if isinstance(exc, ValidationFailed):
            body.update(exc.fields or {"message": [exc.message]})
        if isinstance(exc, SearchQueryFailed):
            body["message"] = f"Search Query Error: {exc.message}"
        return _jsonp(request, _error(help_url, exc.status, body))
    return _jsonp(
        request,
        JsonResponse(
            {"help": help_url, "success": True, "result": result}, json_dumps_params={"ensure_ascii": False}
        ),
    )


_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")


def _jsonp(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """CKAN's JSONP: a GET with `callback=name` gets `name({...});` as JavaScript, always with status 200."""
    callback = request.GET.get("callback", "") if request.method == "GET" else ""
    if not callback:
        return response
    if len(callback) > 100 or not _CALLBACK.fullmatch(callback):
        return _error("", 400, {"__type": "Bad request", "message": "callback の名前が正しくありません"})
    body = f"/**/{callback}({response.content.decode()});"
    return HttpResponse(body, content_type="application/javascript; charset=utf-8")


def _error(help_url: str, status: int, error: dict[str, Any]) -> JsonResponse:
    return JsonResponse(
        {"help": help_url, "success": False, "error": error},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _multi(query: Any) -> dict[str, Any]:
    """A QueryDict as CKAN reads one: a key given once is its value, a repeated key a list of its values."""
    out: dict[str, Any] = {}
    for key in query:
        values = query.getlist(key)
        out[key] = values[0] if len(values) == 1 else values
    return out


def _data_dict(request: HttpRequest) -> dict[str, Any]:
    if request.method == "POST":
        # The content type first: a form body may already have been parsed (core.unstorable_text reads it),
        # after which Django refuses to hand out the raw body.
        if request.content_type == "application/json" or (
            request.content_type not in ("multipart/form-data", "application/x-www-form-urlencoded")
            and request.body
        ):
            if not request.body:
                return {}
            try:
                data = json.loads(request.body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise ActionError("JSON を読めません / bad JSON") from exc
            except RecursionError as exc:  # a body nested thousands deep
                raise ActionError("JSON の入れ子が深すぎます / JSON nested too deeply") from exc
            if not isinstance(data, dict):
                raise ActionError("JSON のオブジェクトを送ってください / send a JSON object")
            return data
        return _multi(request.POST)
    data = _multi(request.GET)
    data.pop("callback", None)  # JSONP's, not the action's
    data.pop("_", None)  # the cache-buster jQuery adds to JSONP calls
    return data


def _caller(request: HttpRequest) -> Actor:
    """Who calls: the API token's user (a browser session does not count here), with the client's address."""
    return dataclasses.replace(Actor.from_request(request), user=_token_user(request))


def _token_user(request: HttpRequest) -> User | None:
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    if raw.lower().startswith("bearer "):
        raw = raw[7:].strip()
    if not raw:
        return None
    user = actions.user_for_token(raw)
    if user is None:
        raise NotAuthorized("API トークンが正しくないか、無効になっています / invalid or revoked token")
    return user


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _int(data: dict[str, Any], key: str, default: int, *, low: int = 0, high: int = MAX_INTEGER) -> int:
    value = data.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(str(value))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(
            f"{key} は整数にしてください", {key: ["整数にしてください / must be an integer"]}
        ) from exc
    if number < low or number > high:
        raise ValidationFailed(f"{key} が範囲外です", {key: [f"{low} 以上、{high} 以下にしてください"]})
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "1", "yes", "on")


def _require(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value in (None, ""):
        raise ValidationFailed(f"{key} がありません", {key: ["Missing value"]})
    return str(value)


def can_edit(user: User | None, organization: Organization) -> bool:
    """True when the user holds opendata.edit in the organization's municipality."""
    if user is None or organization.municipality_id is None:
        return False
    return has_permission(user, organization.municipality_id, "opendata.edit")


def _visible_dataset(data: dict[str, Any], user: User | None, key: str = "id") -> Dataset:
    name_or_id = str(data.get(key) or data.get("name_or_id") or data.get("name") or "")
    if not name_or_id:
        raise ValidationFailed(f"{key} がありません", {key: ["Missing value"]})
    dataset = queries.dataset_by_name_or_id(name_or_id)
    if dataset is None or (
        dataset.state == Dataset.State.DELETED and not can_edit(user, dataset.organization)
    ):
        raise NotFound("データセットが見つかりません / dataset not found")
    if dataset.private and not can_edit(user, dataset.organization):
        raise NotAuthorized(f"データセット {name_or_id} を読む権限がありません / not authorized to read")
    return dataset


# --- read actions -------------------------------------------------------------------------------------


@action
def status_show(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """Site information."""
    return {
        "site_title": "Chiiki オープンデータ",
        "site_description": "自治体標準オープンデータセットのカタログ",
        "site_url": _base(request),
        "ckan_version": CKAN_VERSION,
        "error_emails_to": None,
        "locale_default": "ja",
        "extensions": ["chiiki-standard-datasets", "dcat"],
    }


@action
def package_list(request: HttpRequest, data: dict[str, Any], by: Actor) -> list[str]:
    """Names of the published datasets."""
    limit = _int(data, "limit", 0)
    offset = _int(data, "offset", 0)
    names = queries.published().order_by("name").values_list("name", flat=True)
    names = names[offset : offset + limit] if limit else names[offset:]
    return list(names)


@action
def package_show(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """One dataset with its resources."""
    return queries.package_dict(_visible_dataset(data, by.user), _base(request))


def _facet_fields(data: dict[str, Any]) -> tuple[str, ...]:
    raw = data.get("facet.field")
    if raw in (None, ""):
        return ()
    if isinstance(raw, str) and not raw.lstrip().startswith("["):
        raw = [raw]  # one field by name, as a repeated GET parameter given once
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ValidationFailed(
                "facet.field は JSON の配列にしてください", {"facet.field": ["JSON list"]}
            ) from exc
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValidationFailed(
            "facet.field は文字列の配列にしてください", {"facet.field": ["list of strings"]}
        )
    unknown = [f for f in raw if f not in queries.FACET_FIELDS]
    if unknown:
        raise SearchQueryFailed(f"この項目では集計できません: {', '.join(unknown)}")
    return tuple(raw)


@action
def package_search(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """Search published datasets: q, fq, rows, start, sort, facet.field (syntax in chiiki.opendata.solr).

    With include_private=true, also the private datasets of the organizations whose municipality the API
    token's user may edit (CKAN: the organizations the user is a member of); anonymous callers get none.
    """
    rows = min(_int(data, "rows", 10), MAX_ROWS)  # CKAN caps rows silently at its configured maximum
    start = _int(data, "start", 0)
    sort = str(data.get("sort") or "score desc, metadata_modified desc")
    facets = _facet_fields(data)
    facet_limit = _int(data, "facet.limit", 50, low=-1)
    mincount = _int(data, "facet.mincount", 1)
    scope = queries.readable(by.user) if _bool(data.get("include_private", False)) else None
    try:
        found = queries.search_datasets(
            base=scope,
            q=_text(data, "q"),
            fq=_filters(data),
            sort=sort,
            rows=rows,
            start=start,
            facet_fields=facets,
            facet_limit=facet_limit if facet_limit >= 0 else 10_000,
        )
    except queries.SearchQueryError as exc:
        raise SearchQueryFailed(str(exc)) from exc
    base = _base(request)
    counted = {name: [i for i in items if i[2] >= mincount] for name, items in found.facets.items()}
    results = [queries.package_dict(d, base) for d in found.datasets]
    fields = _field_list(data)
    if fields:
        results = [{key: package.get(key) for key in fields} for package in results]
    return {
        "count": found.count,
        "sort": sort,
        "results": results,
        "facets": {name: {item[0]: item[2] for item in items} for name, items in counted.items()},
        # CKAN orders each facet's items by display name, descending.
        "search_facets": {
            name: {
                "title": name,
                "items": sorted(
                    ({"name": n, "display_name": t, "count": c} for n, t, c in items),
                    key=lambda item: item["display_name"],
                    reverse=True,
                ),
            }
            for name, items in counted.items()
        },
    }


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, list):  # given twice: Solr would see two q parameters; CKAN takes one
        raise ValidationFailed(f"{key} は一つだけ指定してください", {key: ["give it once"]})
    return str(value)


def _filters(data: dict[str, Any]) -> str:
    """fq and every entry of fq_list, each a filter of its own (Solr ANDs separate fq parameters)."""
    raw_list = data.get("fq_list")
    if isinstance(raw_list, str):
        try:
            raw_list = json.loads(raw_list) if raw_list.lstrip().startswith("[") else [raw_list]
        except ValueError as exc:
            raise ValidationFailed(
                "fq_list は JSON の配列にしてください", {"fq_list": ["JSON list"]}
            ) from exc
    if raw_list is not None and (
        not isinstance(raw_list, list) or not all(isinstance(x, str) for x in raw_list)
    ):
        raise ValidationFailed("fq_list は文字列の配列にしてください", {"fq_list": ["list of strings"]})
    parts = [_text(data, "fq"), *(raw_list or [])]
    parts = [p for p in parts if p.strip()]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return " AND ".join(f"({p})" for p in parts)


def _field_list(data: dict[str, Any]) -> list[str]:
    """`fl`: the package keys each result keeps (comma- or space-separated); [] for whole packages."""
    raw = data.get("fl")
    if not raw:
        return []
    names = [n for n in re.split(r"[,\s]+", " ".join(raw) if isinstance(raw, list) else str(raw)) if n]
    return [] if names in (["*"], ["data_dict"], ["validated_data_dict"]) else names


def _with_counts(model: type[Organization] | type[Group]) -> dict[str, int]:
    counts: dict[str, int] = {}
    key = "organization__name" if model is Organization else "groups__name"
    for row in queries.published().values(key).order_by():
        if row[key]:
            counts[row[key]] = counts.get(row[key], 0) + 1
    return counts


_LIST_SORTS = {"name": "name", "title": "title", "package_count": "package_count"}


def _list_of(
    model: type[Organization] | type[Group], data: dict[str, Any], to_dict: Callable[..., dict[str, Any]]
) -> list[Any]:
    """organization_list / group_list: `organizations`/`groups` (names to keep), `q` (in name, title or
    description), `sort` ("title asc" by default, as CKAN; name, title or package_count), paging, all_fields."""
    limit = _int(data, "limit", 1000, high=1000)
    offset = _int(data, "offset", 0)
    wanted = data.get("organizations" if model is Organization else "groups")
    if isinstance(wanted, str):
        wanted = json.loads(wanted) if wanted.lstrip().startswith("[") else [wanted]
    items: list[Organization | Group] = list(model.objects.all())
    if wanted:
        keep = {str(w) for w in wanted}
        items = [o for o in items if o.name in keep]
    query = _text(data, "q").strip().lower()
    if query:
        items = [o for o in items if query in f"{o.name} {o.title} {o.description}".lower()]
    counts = _with_counts(model)
    sort = _text(data, "sort").strip() or "title asc"
    bits = sort.split()
    key, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
    if key not in _LIST_SORTS or direction not in ("asc", "desc") or len(bits) > 2:
        raise ValidationFailed(
            f"並べ替えを解釈できません: {sort}", {"sort": ["name, title or package_count"]}
        )
    if key == "package_count":
        items.sort(key=lambda o: (counts.get(o.name, 0), o.name), reverse=direction == "desc")
    else:
        items.sort(key=lambda o: (getattr(o, key), o.name), reverse=direction == "desc")
    items = items[offset : offset + limit]
    if _bool(data.get("all_fields", False)):
        return [to_dict(o, package_count=counts.get(o.name, 0)) for o in items]
    return [o.name for o in items]


@action
def organization_list(request: HttpRequest, data: dict[str, Any], by: Actor) -> list[Any]:
    """Organization names (or dictionaries with all_fields)."""
    return _list_of(Organization, data, queries.organization_dict)


@action
def group_list(request: HttpRequest, data: dict[str, Any], by: Actor) -> list[Any]:
    """Group names (one group per standard dataset kind)."""
    return _list_of(Group, data, queries.group_dict)


def _show_with_packages(
    request: HttpRequest,
    data: dict[str, Any],
    obj: Organization | Group,
    to_dict: Callable[..., dict[str, Any]],
) -> dict[str, Any]:
    published = queries.published()
    datasets = (
        published.filter(organization=obj) if isinstance(obj, Organization) else published.filter(groups=obj)
    )
    out = to_dict(obj, package_count=datasets.count())
    if _bool(data.get("include_datasets", False)):
        base = _base(request)
        out["packages"] = [queries.package_dict(d, base) for d in datasets.order_by("name")[:1000]]
    return out


@action
def organization_show(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """One organization."""
    org = queries.organization_by_name_or_id(_require(data, "id"))
    if org is None:
        raise NotFound("組織が見つかりません / organization not found")
    return _show_with_packages(request, data, org, queries.organization_dict)


@action
def group_show(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """One group."""
    group = queries.group_by_name_or_id(_require(data, "id"))
    if group is None:
        raise NotFound("グループが見つかりません / group not found")
    return _show_with_packages(request, data, group, queries.group_dict)


@action
def tag_list(request: HttpRequest, data: dict[str, Any], by: Actor) -> list[Any]:
    """Tags used by published datasets (optionally containing `query`); dictionaries with all_fields."""
    tags = Tag.objects.filter(datasets__in=queries.published()).distinct().order_by("name")
    if data.get("query"):
        tags = tags.filter(name__icontains=_text(data, "query"))
    names = list(tags.values_list("name", flat=True))
    if _bool(data.get("all_fields", False)):
        return [queries.tag_dict(name) for name in names]
    return names


@action
def help_show(request: HttpRequest, data: dict[str, Any], by: Actor) -> str:
    """The help text of an action (what every answer's `help` points at)."""
    name = _require(data, "name")
    handler = ACTIONS.get(name)
    if handler is None:
        raise NotFound(f"Action name not known: {name}")
    return (handler.__doc__ or "").strip()


@action
def resource_show(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """One resource."""
    rid = _require(data, "id")
    resource = None
    if solr.is_uuid(rid):
        resource = Resource.objects.select_related("dataset__organization").filter(pk=rid).first()
    if resource is None:
        raise NotFound("リソースが見つかりません / resource not found")
    _visible_dataset({"id": str(resource.dataset_id)}, by.user)
    return queries.resource_dict(resource, _base(request))


# --- write actions ------------------------------------------------------------------------------------


def _require_editor(by: Actor, organization: Organization) -> None:
    if by.user is None:
        raise NotAuthorized("API トークンが必要です / an API token is required")
    if not can_edit(by.user, organization):
        raise NotAuthorized(f"組織 {organization.name} を編集する権限がありません / not authorized")


def _tags(data: dict[str, Any]) -> list[str] | None:
    raw = data.get("tags")
    if raw is None:
        return None
    if isinstance(raw, str):
        return [t for t in (s.strip() for s in raw.split(",")) if t]
    if not isinstance(raw, list):
        raise ValidationFailed("tags は配列にしてください", {"tags": ["list"]})
    return [str(t.get("name", "")) if isinstance(t, dict) else str(t) for t in raw]


def _extras(data: dict[str, Any]) -> dict[str, Any] | None:
    raw = data.get("extras")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise ValidationFailed("extras は配列にしてください", {"extras": ["list of {key, value}"]})
    return {str(e["key"]): e.get("value") for e in raw if isinstance(e, dict) and "key" in e}


def _kind(data: dict[str, Any], extras: dict[str, Any] | None) -> str:
    kind = str(data.get("standard_dataset") or (extras or {}).pop("standard_dataset", "") or "")
    if not kind:
        return ""
    try:
        return resolve_kind(kind).id
    except KeyError as exc:
        raise ValidationFailed(
            "標準データセットの種類が不明です", {"standard_dataset": [str(exc.args[0])]}
        ) from exc


def _links(items: Any, *, known: Collection[str] = ()) -> list[actions.Link]:
    """The `resources` of a package call as links; items whose id is already a resource (`known`) are kept."""
    if not items:
        return []
    if not isinstance(items, list):
        raise ValidationFailed("resources は配列にしてください", {"resources": ["list"]})
    links = []
    for item in items:
        if not isinstance(item, dict) or str(item.get("id", "")) in known:
            continue
        url = str(item.get("url") or "")
        if not url:
            raise ValidationFailed("リソースの url がありません", {"resources": ["url: Missing value"]})
        name = str(item.get("name") or url.rsplit("/", 1)[-1] or "resource")
        fmt, description = str(item.get("format") or ""), str(item.get("description") or "")
        links.append(actions.Link(url=url, name=name, fmt=fmt, description=description))
    return links


_RESOURCE_FIELD = re.compile(r"resources\[(\d+)\]\.(\w+)")


def _refused(exc: actions.CatalogError) -> ValidationFailed:
    """A catalog refusal as CKAN's Validation Error naming the field; a resource's as CKAN nests it."""
    message = str(exc)
    nested = _RESOURCE_FIELD.fullmatch(exc.field)
    if nested:
        index, field = int(nested.group(1)), nested.group(2)
        per_resource: list[dict[str, list[str]]] = [{} for _ in range(index)] + [{field: [message]}]
        return ValidationFailed(message, {"resources": per_resource})
    return ValidationFailed(message, {exc.field or "message": [message]})


@action
def package_create(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """Create a dataset in an organization the token's user may edit."""
    owner = _require(data, "owner_org")
    org = queries.organization_by_name_or_id(owner)
    if org is None:
        raise ValidationFailed("組織が見つかりません", {"owner_org": ["Organization does not exist"]})
    _require_editor(by, org)
    name = _require(data, "name")
    extras = _extras(data)
    kind = _kind(data, extras)
    try:
        dataset = actions.create_dataset(
            org,
            name=name,
            title=str(data.get("title") or name),
            notes=str(data.get("notes") or ""),
            license_id=str(data.get("license_id") or "cc-by-4.0"),
            kind=kind,
            tags=_tags(data) or [],
            private=_bool(data.get("private", False)),
            url=str(data.get("url") or ""),
            extras=extras,
            links=_links(data.get("resources")),
            by=by,
        )
    except actions.CatalogError as exc:
        raise _refused(exc) from exc
    dataset.refresh_from_db()
    return queries.package_dict(dataset, _base(request))


@action
def package_update(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """Update a dataset's metadata (fields given replace the old ones) and add new link resources."""
    name_or_id = str(data.get("id") or data.get("name") or "")
    dataset = queries.dataset_by_name_or_id(name_or_id) if name_or_id else None
    if dataset is None:
        raise NotFound("データセットが見つかりません / dataset not found")
    _require_editor(by, dataset.organization)
    changes: dict[str, Any] = {}
    for key in ("title", "notes", "license_id", "url"):
        if key in data and data[key] is not None:
            changes[key] = str(data[key])
    if "private" in data:
        changes["private"] = _bool(data["private"])
    extras = _extras(data)
    if extras is not None:
        _kind(data, extras)
        changes["extras"] = extras
    known = {str(pk) for pk in dataset.resources.values_list("pk", flat=True)}
    links = _links(data.get("resources"), known=known)
    try:
        actions.update_dataset(dataset, by=by, tags=_tags(data), links=links, **changes)
    except actions.CatalogError as exc:
        raise _refused(exc) from exc
    dataset.refresh_from_db()
    return queries.package_dict(dataset, _base(request))


@action
def resource_create(request: HttpRequest, data: dict[str, Any], by: Actor) -> dict[str, Any]:
    """Add a resource: a link (url) or an uploaded file (multipart field "upload")."""
    package_id = _require(data, "package_id")
    dataset = queries.dataset_by_name_or_id(package_id)
    if dataset is None:
        raise NotFound("データセットが見つかりません / dataset not found")
    _require_editor(by, dataset.organization)
    upload = request.FILES.get("upload")
    url = str(data.get("url") or "")
    if upload is None and not url:
        raise ValidationFailed("url か upload が必要です", {"url": ["Missing value"]})
    if upload is not None and upload.size is not None and upload.size > settings.CHIIKI_MAX_UPLOAD_BYTES:
        # The same cap as the upload page; without it the whole file was read into memory whatever its size.
        limit = f"ファイルが大きすぎます(上限 {settings.CHIIKI_MAX_UPLOAD_BYTES // 1024 // 1024} MB) / file too large"
        raise ValidationFailed(limit, {"upload": [limit]})
    try:
        resource = actions.add_resource(
            dataset,
            by=by,
            name=str(data.get("name") or (upload.name if upload else url.rsplit("/", 1)[-1]) or "resource"),
            fmt=str(data.get("format") or ""),
            content=upload.read() if upload is not None else None,
            url="" if upload is not None else url,
            filename=upload.name or "" if upload is not None else "",
            description=str(data.get("description") or ""),
        )
    except actions.CatalogError as exc:
        raise _refused(exc) from exc
    return queries.resource_dict(resource, _base(request))
