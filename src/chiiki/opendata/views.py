"""Public catalog pages (no login for published data) and the staff pages of the open-data app."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import polars as pl
from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality, User
from chiiki.core.permissions import has_permission
from chiiki.core.uploads import within_upload_limit
from chiiki.opendata import actions, dcat, pointmap, queries
from chiiki.opendata.engine import load_schemas
from chiiki.opendata.models import Dataset, Resource

PAGE_SIZE = 20
# Page numbers above this are refused (DCAT) or shown as the last page (the catalog): beyond it the offset
# overflows the database's integer (OverflowError on SQLite, DataError on PostgreSQL) instead of finding rows.
MAX_PAGE = 1_000_000
FILTERS = ("organization", "kind", "tags", "res_format")


def _can_edit(request: HttpRequest, dataset: Dataset) -> bool:
    """Editors of the dataset's municipality, or (for a harvested one) of the municipality that reviews it."""
    municipality = dataset.organization.municipality_id
    if municipality is None and dataset.harvest_source is not None:
        municipality = dataset.harvest_source.municipality_id
    return municipality is not None and has_permission(request.user, municipality, "opendata.edit")


def _visible(request: HttpRequest, name: str) -> Dataset:
    dataset = Dataset.objects.select_related("organization", "harvest_source").filter(name=name).first()
    if dataset is None or (not dataset.is_published and not _can_edit(request, dataset)):
        raise Http404
    return dataset


# Characters a facet value cannot carry inside fq's quotes (quote, backslash, NUL); dropped from page filters.
_UNQUOTABLE = str.maketrans("", "", '"\\\x00')


def catalog(request: HttpRequest) -> HttpResponse:
    """Browse and search published datasets, with facets by organization, kind, tag and format."""
    q = request.GET.get("q", "").strip()
    fq_parts = []
    active: list[tuple[str, str]] = []
    for name in FILTERS:
        for value in request.GET.getlist(name):
            if value:
                fq_parts.append(f'{name}:"{value.translate(_UNQUOTABLE)}"')
                active.append((name, value))
    try:
        page_number = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page_number = 1
    search_args: dict[str, Any] = {
        "q": q,
        "fq": " ".join(fq_parts),
        "sort": "metadata_modified desc",
        "rows": PAGE_SIZE,
        "start": (page_number - 1) * PAGE_SIZE,
        "facet_fields": FILTERS,
        "facet_limit": 15,
    }
    try:
        # The search box understands CKAN's syntax (tags:防災, 避難 OR 防災); what it cannot read is searched
        # as plain words instead of showing an error to a visitor.
        found = queries.search_datasets(**search_args)
    except queries.SearchQueryError:
        found = queries.search_datasets(**search_args, plain_q=True)
    paginator = Paginator(range(found.count), PAGE_SIZE)
    page = paginator.get_page(page_number)
    labels = {
        "organization": _("組織"),
        "kind": _("標準データセット"),
        "tags": _("タグ"),
        "res_format": _("形式"),
    }
    facets = [(name, labels[name], found.facets.get(name, [])) for name in FILTERS]
    return render(
        request,
        "opendata/catalog.html",
        {
            "q": q,
            "count": found.count,
            "datasets": found.datasets,
            "facets": facets,
            "active": active,
            "page": page,
            "schemas": load_schemas(),
        },
    )


def _data_resource(dataset: Dataset) -> Resource | None:
    return dataset.resources.filter(role=Resource.Role.DATA, format="CSV").exclude(file="").first()


def _read_csv(resource: Resource, n_rows: int | None = None) -> pl.DataFrame | None:
    try:
        with resource.file.open("rb") as handle:
            return pl.read_csv(io.BytesIO(handle.read()), infer_schema=False, n_rows=n_rows)
    except (OSError, pl.exceptions.PolarsError, ValueError):
        return None


def _points(frame: pl.DataFrame) -> list[pointmap.Point]:
    lat = next((c for c in frame.columns if c.endswith("緯度")), None)
    lon = next((c for c in frame.columns if c.endswith("経度")), None)
    if lat is None or lon is None:
        return []
    name = next((c for c in frame.columns if c == "名称" or c.endswith("_名称")), None)
    cols = [
        pl.col(lat).cast(pl.Float64, strict=False).alias("lat"),
        pl.col(lon).cast(pl.Float64, strict=False).alias("lon"),
        (pl.col(name) if name else pl.lit("")).fill_null("").alias("label"),
    ]
    rows = frame.select(cols).drop_nulls(["lat", "lon"])
    return [pointmap.Point(r["lat"], r["lon"], r["label"]) for r in rows.iter_rows(named=True)]


def dataset_detail(request: HttpRequest, name: str) -> HttpResponse:
    """A dataset: metadata, downloads, a preview table, the report summary and a map of its points."""
    dataset = _visible(request, name)
    resource = _data_resource(dataset)
    preview_columns: list[str] = []
    preview_rows: list[tuple[Any, ...]] = []
    svg = ""
    points: list[pointmap.Point] = []
    if resource is not None:
        frame = _read_csv(resource)
        if frame is not None:
            preview_columns = frame.columns
            preview_rows = frame.head(20).rows()
            points = _points(frame)
            svg = pointmap.render(points, title=dataset.title)
    report = _report(dataset)
    return render(
        request,
        "opendata/dataset.html",
        {
            "dataset": dataset,
            "resources": list(dataset.resources.all()),
            "schema": load_schemas().get(dataset.kind),
            "preview_columns": preview_columns,
            "preview_rows": preview_rows,
            "map_svg": svg,
            "map_points": len(points),
            "report": report,
            "can_edit": _can_edit(request, dataset),
            "tags": list(dataset.tags.all()),
        },
    )


def _report(dataset: Dataset) -> dict[str, Any] | None:
    resource = dataset.resources.filter(role=Resource.Role.REPORT).exclude(file="").first()
    if resource is None:
        return None
    try:
        with resource.file.open("rb") as handle:
            data: dict[str, Any] = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    return data


def dataset_report(request: HttpRequest, name: str) -> HttpResponse:
    """The full validation report of the dataset's last import."""
    dataset = _visible(request, name)
    report = _report(dataset)
    if report is None:
        raise Http404
    problems = sorted(report.get("problems", []), key=lambda p: (p["severity"] != "error", p.get("row") or 0))
    return render(
        request,
        "opendata/report.html",
        {
            "dataset": dataset,
            "report": report,
            "problems": problems[:2000],
            "more": max(len(problems) - 2000, 0),
        },
    )


def dataset_history(request: HttpRequest, name: str) -> HttpResponse:
    """The versions of a dataset."""
    dataset = _visible(request, name)
    return render(
        request, "opendata/history.html", {"dataset": dataset, "versions": dataset.versions.all()[:200]}
    )


def download(request: HttpRequest, resource_id: str) -> FileResponse:
    """Serve a stored resource file."""
    resource = get_object_or_404(Resource.objects.select_related("dataset__organization"), pk=resource_id)
    if not resource.file:
        raise Http404
    if not resource.dataset.is_published and not _can_edit(request, resource.dataset):
        raise Http404
    filename = Path(resource.file.name).name
    response = FileResponse(resource.file.open("rb"), as_attachment=True, filename=filename)
    if resource.mimetype:
        response["Content-Type"] = resource.mimetype + (
            "; charset=utf-8" if resource.mimetype.startswith("text/") else ""
        )
    return response


# --- DCAT -----------------------------------------------------------------------------------------------


def _page_arg(request: HttpRequest) -> int:
    """The requested DCAT page (1 when absent); ValueError naming `page` when it is not 1 to MAX_PAGE."""
    raw = request.GET.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 7 and 1 <= int(raw) <= MAX_PAGE):
        raise ValueError(
            f"page は 1〜{MAX_PAGE:,} の整数にしてください（「{raw[:40]}」） / "
            f"page must be a whole number from 1 to {MAX_PAGE}"
        )
    return int(raw)


def _modified_since_arg(request: HttpRequest) -> dt.datetime | None:
    """`modified_since` (ISO 8601; without an offset it is UTC), or ValueError naming it."""
    raw = request.GET.get("modified_since", "").strip()
    if not raw:
        return None
    # A "+01:00" offset sent unencoded arrives as " 01:00".
    text = raw.replace(" ", "+") if "T" in raw else raw
    try:
        stamp = dt.datetime.fromisoformat(text.removesuffix("Z"))
    except ValueError:
        raise ValueError(
            f"modified_since は ISO 8601 の日時にしてください（例 2026-04-01T00:00:00Z、「{raw[:40]}」） / "
            "modified_since must be an ISO 8601 date-time"
        ) from None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


# Media types a client may ask /catalog for, in the order tried; Turtle when nothing matches.
_NEGOTIATED = (("application/ld+json", "jsonld"), ("application/rdf+xml", "rdf"), ("text/turtle", "ttl"))


def catalog_negotiated(request: HttpRequest) -> HttpResponse:
    """`/catalog`, the catalog's IRI: the serialization the Accept header asks for (Turtle by default)."""
    accept = request.headers.get("Accept", "")
    fmt = next((f for media, f in _NEGOTIATED if media in accept), "ttl")
    response = catalog_rdf(request, fmt)
    response["Vary"] = "Accept"
    return response


def catalog_rdf(request: HttpRequest, fmt: str) -> HttpResponse:
    """The DCAT catalog, paged (hydra:PagedCollection), as Turtle, JSON-LD or RDF/XML."""
    try:
        page = _page_arg(request)
        since = _modified_since_arg(request)
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    base = request.build_absolute_uri("/").rstrip("/")
    text = dcat.serialize(dcat.catalog_graph(base, page=page, fmt=fmt, modified_since=since), fmt)
    return HttpResponse(text, content_type=dcat.FORMATS[fmt][1])


def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    """One dataset in DCAT."""
    dataset = _visible(request, name)
    base = request.build_absolute_uri("/").rstrip("/")
    text = dcat.serialize(dcat.dataset_graph(dataset, base), fmt)
    return HttpResponse(text, content_type=dcat.FORMATS[fmt][1])


def standard_schema(request: HttpRequest, kind: str) -> HttpResponse:
    """The Table Schema of one standard dataset: what a dataset's dct:conformsTo points at."""
    schema = load_schemas().get(kind)
    if schema is None:
        raise Http404
    return HttpResponse(
        json.dumps(schema.raw, ensure_ascii=False, indent=2) + "\n",
        content_type="application/json; charset=utf-8",
    )


# --- staff ----------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("ファイル（CSV または XLSX。UTF-8 でも Shift_JIS でも読めます）")
    )
    kind = forms.ChoiceField(label=gettext_lazy("標準データセットの種類"), required=False)
    dataset_name = forms.RegexField(
        label=gettext_lazy("データセットの名前（URL用、省略すると「コード-種類」）"),
        regex=r"^[a-z0-9_-]{2,100}$",
        required=False,
        error_messages={
            "invalid": gettext_lazy("半角英小文字・数字・「-」「_」で 2〜100 文字にしてください。")
        },
    )

    standard_version = forms.IntegerField(
        label=gettext_lazy("定義書の版(省略すると使用中の版)"),
        help_text=gettext_lazy(
            "以前の定義書に合わせて作ったファイルは、その版の番号で検査できます。0 は同梱の定義です。"
            "版を選ぶときは種類も選んでください。"
        ),
        min_value=0,
        max_value=100_000,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("見出しから判定する"))]
        choices += [(s.id, f"{s.number} {s.title}") for s in load_schemas().values() if s.validatable]
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        version, kind = cleaned.get("standard_version"), cleaned.get("kind")
        if version is None or "standard_version" in self.errors:
            return cleaned
        if not kind:
            self.add_error("kind", _("定義書の版を選ぶときは、データセットの種類も選んでください。"))
        elif version not in queries.standard_version_numbers(kind):
            known = "、".join(str(v) for v in queries.standard_version_numbers(kind))
            self.add_error(
                "standard_version",
                _("この種類の定義書に版 %(version)s はありません(ある版: %(known)s)。")
                % {"version": version, "known": known},
            )
        return cleaned

    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx", ".txt", ".tsv"):
            raise forms.ValidationError(_("CSV か XLSX のファイルを選んでください。"))
        return upload


class PeriodForm(forms.Form):
    """The period a dataset's data covers (DCAT dct:temporal), as staff know it."""

    temporal_start = forms.DateField(
        label=gettext_lazy("対象期間の開始日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    temporal_end = forms.DateField(
        label=gettext_lazy("対象期間の終了日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("temporal_start"), cleaned.get("temporal_end")
        if start and end and end < start:
            self.add_error("temporal_end", _("終了日は開始日と同じ日か、それより後にしてください。"))
        return cleaned


@municipality_permission("opendata.edit")
def staff_home(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The municipality's datasets (all states), the upload form and the recent uploads."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        actions.request_import(
            municipality,
            form.cleaned_data["file"],
            kind=form.cleaned_data["kind"] or "",
            dataset_name=form.cleaned_data["dataset_name"] or "",
            by=Actor.from_request(request),
            standard_version=form.cleaned_data["standard_version"],
        )
        messages.success(request, _("受け付けました。変換が終わると下の一覧に結果が出ます。"))
        return redirect("opendata:staff", code=municipality.code)
    return render(
        request,
        "opendata/staff.html",
        {
            "municipality": municipality,
            "form": form,
            "datasets": queries.municipality_datasets(municipality),
            "uploads": queries.recent_uploads(municipality),
            "confirmed_files": queries.confirmed_upload_files(municipality),
            "awaiting_review": queries.awaiting_review(municipality),
            "standard_versions": queries.standard_versions(),
        },
    )


@municipality_permission("opendata.edit")
@require_POST
def set_period(request: HttpRequest, municipality: Municipality, name: str) -> HttpResponse:
    """Record the period a dataset covers (audited); a bad date or a period that ends first is named."""
    dataset = _own_dataset(municipality, name)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{dataset.title}: {label} {' '.join(str(e) for e in errors)}".strip())
        return redirect("opendata:staff", code=municipality.code)
    actions.set_period(
        dataset,
        form.cleaned_data["temporal_start"],
        form.cleaned_data["temporal_end"],
        by=Actor.from_request(request),
    )
    messages.success(request, _("対象期間を記録しました。"))
    return redirect("opendata:staff", code=municipality.code)


@municipality_permission("opendata.edit")
@require_POST
def confirm_upload(request: HttpRequest, municipality: Municipality, upload_id: int) -> HttpResponse:
    """Import again a file refused for other municipalities' 全国地方公共団体コード, once staff confirm it."""
    upload = queries.municipality_upload(municipality, upload_id)
    if upload is None:
        raise Http404
    if request.POST.get("confirmed") != "yes":
        messages.error(
            request,
            _("「別の団体のデータとして取り込んでよいことを確かめました」にチェックを入れてください。"),
        )
        return redirect("opendata:staff", code=municipality.code)
    try:
        actions.confirm_other_codes(upload, by=Actor.from_request(request))
    except actions.CatalogError as error:
        messages.error(request, str(error))
        return redirect("opendata:staff", code=municipality.code)
    messages.success(request, _("確認済みとして取り込み直します。変換が終わると下の一覧に結果が出ます。"))
    return redirect("opendata:staff", code=municipality.code)


def _own_dataset(municipality: Municipality, name: str) -> Dataset:
    dataset = (
        Dataset.objects.select_related("organization")
        .filter(name=name, organization__municipality=municipality)
        .first()
    )
    if dataset is None:
        raise Http404
    return dataset


@municipality_permission("opendata.edit")
@require_POST
def publish(request: HttpRequest, municipality: Municipality, name: str) -> HttpResponse:
    """Publish a dataset (audited)."""
    actions.publish(_own_dataset(municipality, name), by=Actor.from_request(request))
    messages.success(request, _("公開しました。"))
    return redirect("opendata:staff", code=municipality.code)


@municipality_permission("opendata.edit")
@require_POST
def unpublish(request: HttpRequest, municipality: Municipality, name: str) -> HttpResponse:
    """Make a dataset private again (audited)."""
    actions.unpublish(_own_dataset(municipality, name), by=Actor.from_request(request))
    messages.success(request, _("非公開にしました。"))
    return redirect("opendata:staff", code=municipality.code)


@municipality_permission("opendata.edit")
@require_POST
def accept_harvested(request: HttpRequest, municipality: Municipality, name: str) -> HttpResponse:
    """Publish a harvested dataset after review (audited)."""
    dataset = queries.awaiting_review(municipality).filter(name=name).first()
    if dataset is None:
        raise Http404
    actions.accept_harvested(dataset, municipality=municipality, by=Actor.from_request(request))
    messages.success(request, _("確認して公開しました。"))
    return redirect("opendata:staff", code=municipality.code)


@municipality_permission("opendata.edit")
def tokens(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The user's API tokens for the CKAN API: issue (shown once) and revoke."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    plaintext = ""
    if request.method == "POST":
        by = Actor.from_request(request)
        if "revoke" in request.POST:
            token = queries.user_token(user, _int_or_zero(request.POST.get("revoke", "")))
            if token is not None:
                actions.revoke_token(token, by=by)
                messages.success(request, _("API トークンを無効にしました。"))
            return redirect("opendata:tokens", code=municipality.code)
        plaintext = actions.create_token(user, request.POST.get("name", "")[:100], by=by)[1]
    return render(
        request,
        "opendata/tokens.html",
        {"municipality": municipality, "plaintext": plaintext, "tokens": queries.user_tokens(user)},
    )


def _int_or_zero(text: str) -> int:
    return int(text) if text.isdigit() else 0
