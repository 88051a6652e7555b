"""Coverage pages: the resident's report and its status (no account), staff triage, evidence, exports."""

from __future__ import annotations

import json

import polars as pl
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage import queries
from chiiki.coverage.actions import (
    ChallengeError,
    ReportError,
    decide_challenge_cell,
    extent_of,
    import_boundaries,
    import_census_population,
    import_coverage_layer,
    import_road_layer,
    open_challenge,
    publish_coverage_map,
    record_challenge_answer,
    request_measurement_import,
    set_area_target,
    submit_report,
    triage_report,
)
from chiiki.coverage.forms import (
    AreaTargetForm,
    BoundaryUploadForm,
    CensusUploadForm,
    ChallengeAnswerForm,
    ChallengeCellForm,
    ChallengeForm,
    LayerUploadForm,
    MeasurementUploadForm,
    ReportForm,
    RoadUploadForm,
    StaffReportForm,
    StatusLookupForm,
    TriageForm,
)
from chiiki.coverage.grid import (
    BoundaryFeature,
    BoundaryFileError,
    CensusFileError,
    Extent,
    LayerFileError,
    RoadFileError,
    bounds_of,
    districts_at,
    parse_meshcode,
)
from chiiki.coverage.mapping import build_map, cells_geojson
from chiiki.coverage.models import BoundarySet, Carrier, Challenge, ChallengeCell, DeadZoneReport, Technology
from chiiki.coverage.pack import PackCell, PackInput, evidence_pack
from chiiki.tables import excel_safe_frame


def _district_choices(municipality: Municipality) -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in queries.districts(municipality)]


def _submit(
    request: HttpRequest, municipality: Municipality, form: ReportForm, channel: str
) -> DeadZoneReport | None:
    """Run the action; a ReportError goes back onto the form's field (nothing was written)."""
    try:
        return submit_report(municipality, form.to_input(channel=channel), by=Actor.from_request(request))
    except ReportError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return None


def report_form(request: HttpRequest, town: str) -> HttpResponse:
    """A resident reports where 4G/5G fails; the 受付番号 is shown only after the report is committed."""
    municipality = get_object_or_404(Municipality, code=town)
    form = ReportForm(request.POST or None, districts=_district_choices(municipality))
    if request.method == "POST" and form.is_valid():
        report = _submit(request, municipality, form, DeadZoneReport.Channel.WEB)
        if report is not None:
            return redirect("coverage:report_status", town=municipality.code, reference=report.reference)
    return render(
        request,
        "coverage/report_form.html",
        {"municipality": municipality, "form": form},
        status=400 if form.errors else 200,
    )


def report_status(request: HttpRequest, town: str, reference: str) -> HttpResponse:
    """What happened to a report, by its 受付番号 (no place or personal detail is shown)."""
    municipality = get_object_or_404(Municipality, code=town)
    report = queries.report_by_reference(municipality, reference)
    if report is None:
        raise Http404
    context = {
        "municipality": municipality,
        "report": report,
        "challenges": queries.report_challenges(report),
    }
    return render(request, "coverage/report_status.html", context)


def status_lookup(request: HttpRequest, town: str) -> HttpResponse:
    """Type a 受付番号 to see its report's status."""
    municipality = get_object_or_404(Municipality, code=town)
    form = StatusLookupForm(request.GET or None)
    if form.is_valid():
        report = queries.report_by_reference(municipality, form.cleaned_data["reference"])
        if report is not None:
            return redirect("coverage:report_status", town=municipality.code, reference=report.reference)
        form.add_error(
            "reference", _("この受付番号の報告は見つかりません。8 文字をもう一度確かめてください。")
        )
    return render(request, "coverage/status_lookup.html", {"municipality": municipality, "form": form})


@municipality_permission("coverage.manage")
def overview(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Population coverage against targets, the map with its table, and the reports waiting for triage; a POST
    publishes the aggregated map in the open-data catalog."""
    if request.method == "POST":
        dataset = publish_coverage_map(municipality, by=Actor.from_request(request))
        messages.success(
            request,
            _("オープンデータのカタログに公開しました(データセット %(name)s)。") % {"name": dataset.name},
        )
        return redirect("coverage:overview", code=municipality.code)
    rows, grid = queries.area_coverage(municipality)
    carrier, technology = _carrier_and_technology(request)
    cells = queries.published_cells(municipality, level=5).filter(
        (pl.col("carrier") == carrier) & (pl.col("technology") == technology)
    )
    outlines = _boundaries(municipality)
    cell_rows = list(cells.iter_rows(named=True))
    names = districts_at(
        outlines.get(BoundarySet.Kind.DISTRICTS, []), [parse_meshcode(c["mesh"]).center for c in cell_rows]
    )
    for row, name in zip(cell_rows, names, strict=True):
        row["district"] = name
    context = {
        "municipality": municipality,
        "rows": rows,
        "grid": grid,
        "counts": queries.status_counts(municipality),
        "priorities": queries.priorities(municipality),
        "cells": cell_rows,
        "has_districts": bool(outlines.get(BoundarySet.Kind.DISTRICTS)),
        "map": _map(municipality, cells, outlines),
        "carrier": carrier,
        "technology": technology,
        "carriers": Carrier.choices,
        "technologies": Technology.choices,
        "table": queries.current_target_table(),
        "map_dataset": queries.map_dataset(municipality),
    }
    return render(request, "coverage/overview.html", context)


def _boundaries(municipality: Municipality) -> dict[str, list[BoundaryFeature]]:
    """The features of the boundaries in force, by kind."""
    return {
        kind: [BoundaryFeature.from_json(f) for f in row.features]
        for kind, row in queries.boundary_sets(municipality).items()
    }


def _map(
    municipality: Municipality, cells: pl.DataFrame, outlines: dict[str, list[BoundaryFeature]]
) -> object:
    extent = extent_of(municipality)
    drawn = outlines.get(BoundarySet.Kind.MUNICIPALITY) or outlines.get(BoundarySet.Kind.DISTRICTS)
    if extent is None and drawn:
        extent = Extent(*bounds_of(drawn))
    if extent is None and cells.height:
        bounds = [parse_meshcode(code) for code in cells["mesh"].to_list()]
        extent = Extent(
            min(b.south for b in bounds),
            min(b.west for b in bounds),
            max(b.north for b in bounds),
            max(b.east for b in bounds),
        )
    if extent is None:
        return None
    points = [(p.latitude, p.longitude, p.district.name) for p in queries.district_places(municipality)]
    return build_map(
        [(row["mesh"], row["status"]) for row in cells.iter_rows(named=True)],
        extent,
        points,
        outline=outlines.get(BoundarySet.Kind.MUNICIPALITY),
        districts=outlines.get(BoundarySet.Kind.DISTRICTS),
    )


def _carrier_and_technology(request: HttpRequest) -> tuple[str, str]:
    """The map's and table's choice; plain strings (a TextChoices member would reach Polars as an object)."""
    carrier = request.GET.get("carrier", "")
    technology = request.GET.get("technology", "")
    if carrier not in Carrier.values or technology not in Technology.values:
        return Carrier.DOCOMO.value, Technology.G4.value
    return carrier, technology


@municipality_permission("coverage.manage")
def districts(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Population coverage per district for one carrier and technology, weakest first."""
    carrier, technology = _carrier_and_technology(request)
    context = {
        "municipality": municipality,
        "rows": queries.district_coverage(municipality, carrier, technology),
        "carrier": carrier,
        "technology": technology,
        "carriers": Carrier.choices,
        "technologies": Technology.choices,
    }
    return render(request, "coverage/districts.html", context)


@municipality_permission("coverage.manage")
def report_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Reports page by page, optionally of one status (the list shows no exact place)."""
    status = request.GET.get("status", "")
    if status not in DeadZoneReport.Status.values:
        status = ""
    page = Paginator(queries.reports(municipality, status=status), 50).get_page(request.GET.get("page"))
    audit.record(
        "coverage.reports_listed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="coverage_report",
        detail={"page": page.number, "ids": [r.pk for r in page.object_list]},
    )
    return render(
        request,
        "coverage/report_list.html",
        {
            "municipality": municipality,
            "page": page,
            "status": status,
            "statuses": DeadZoneReport.Status.choices,
        },
    )


@municipality_permission("coverage.manage")
def report_detail(request: HttpRequest, municipality: Municipality, report_id: int) -> HttpResponse:
    """One report with its exact place (an audited read) and the triage form."""
    report = queries.report(municipality, report_id)
    if report is None:
        raise Http404
    form = TriageForm(
        request.POST or None,
        initial={"status": report.status, "staff_note": report.staff_note, "public_note": report.public_note},
    )
    if request.method == "POST" and form.is_valid():
        triage_report(report, by=Actor.from_request(request), **form.cleaned_data)
        messages.success(request, _("報告 %(ref)s の状態を記録しました。") % {"ref": report.reference})
        return redirect("coverage:reports", code=municipality.code)
    audit.record(
        "coverage.report_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="coverage_report",
        object_id=report.pk,
    )
    return render(
        request, "coverage/report_detail.html", {"municipality": municipality, "report": report, "form": form}
    )


@municipality_permission("coverage.manage")
def staff_report_new(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Staff enter a report taken on the phone or at the desk."""
    form = StaffReportForm(request.POST or None, districts=_district_choices(municipality))
    if request.method == "POST" and form.is_valid():
        report = _submit(request, municipality, form, form.cleaned_data["channel"])
        if report is not None:
            messages.success(
                request,
                _("受け付けました。受付番号は %(ref)s です。報告者に伝えてください。")
                % {"ref": report.reference},
            )
            return redirect("coverage:reports", code=municipality.code)
    return render(
        request,
        "coverage/staff_report_new.html",
        {"municipality": municipality, "form": form},
        status=400 if form.errors else 200,
    )


@municipality_permission("coverage.manage")
def measurements(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Upload a measurement log; the worker checks, cleans and stores it, and the page shows the outcome."""
    form = MeasurementUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        request_measurement_import(municipality, form.cleaned_data["file"], by=Actor.from_request(request))
        return redirect("coverage:measurements", code=municipality.code)
    return render(
        request,
        "coverage/measurements.html",
        {"municipality": municipality, "form": form, "uploads": queries.recent_imports(municipality)},
    )


@municipality_permission("coverage.manage")
def targets(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The target table in force (version, changes, provenance) and the form where staff set their own
    municipality's target per technology and fiscal year (a new version of the table)."""
    form = AreaTargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = set_area_target(
                municipality,
                technology=data["technology"],
                fiscal_year=data["fiscal_year"],
                target_percent=float(data["target_percent"]),
                note=data["note"],
                by=Actor.from_request(request),
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            if outcome.created:
                messages.success(
                    request, _("目標を設定しました。目標の表の版 %(v)s です。") % {"v": outcome.table.version}
                )
            else:
                messages.info(request, _("同じ目標がすでに設定されています。表は変わりません。"))
            return redirect("coverage:targets", code=municipality.code)
    return render(
        request,
        "coverage/targets.html",
        {
            "municipality": municipality,
            "table": queries.current_target_table(),
            "targets": queries.current_targets(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


def _import_roads(request: HttpRequest, municipality: Municipality, form: RoadUploadForm) -> bool:
    """Import the roads of a valid form; False (errors on the form) when the file is refused."""
    data = form.cleaned_data
    try:
        layer = import_road_layer(
            municipality,
            data["file"].read(),
            source=data["source"],
            original_name=data["file"].name,
            by=Actor.from_request(request),
        )
    except RoadFileError as error:
        for problem in error.problems[:20]:
            form.add_error("file", problem)
        return False
    messages.success(request, _("道路を読み込みました(500mメッシュ %(n)s 区画)。") % {"n": len(layer.cells)})
    return True


def _import_layer(request: HttpRequest, municipality: Municipality, form: LayerUploadForm) -> bool:
    """Import the coverage layer of a valid form; False (errors on the form) when the file is refused."""
    data = form.cleaned_data
    try:
        layer = import_coverage_layer(
            municipality,
            data["file"].read(),
            carrier=data["carrier"],
            technology=data["technology"],
            source=data["source"],
            original_name=data["file"].name,
            by=Actor.from_request(request),
        )
    except LayerFileError as error:
        for problem in error.problems[:20]:
            form.add_error("file", problem)
        return False
    messages.success(
        request, _("エリアを読み込みました(500mメッシュ %(n)s 区画)。") % {"n": len(layer.cells)}
    )
    return True


@municipality_permission("coverage.manage")
def layers(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Import a carrier's or the Ministry's coverage (GeoJSON, Shapefile) or the roads (GeoJSON lines); see the
    population a layer claims to cover and the cells it claims covered that the evidence confirms dead."""
    roads_step = request.method == "POST" and request.POST.get("step") == "roads"
    layer_post = request.method == "POST" and not roads_step
    form = LayerUploadForm(request.POST if layer_post else None, request.FILES if layer_post else None)
    road_form = RoadUploadForm(
        request.POST if roads_step else None, request.FILES if roads_step else None, prefix="roads"
    )
    if layer_post and form.is_valid() and _import_layer(request, municipality, form):
        return redirect("coverage:layers", code=municipality.code)
    if roads_step and road_form.is_valid() and _import_roads(request, municipality, road_form):
        return redirect("coverage:layers", code=municipality.code)
    return render(
        request,
        "coverage/layers.html",
        {
            "municipality": municipality,
            "form": form,
            "road_form": road_form,
            "roads": queries.road_layer(municipality),
            "rows": queries.layer_coverage(municipality),
            "claimed_dead": queries.claimed_but_dead(municipality),
            "prefecture_rows": queries.prefecture_layer_coverage(municipality.prefecture_code),
        },
        status=400 if form.errors or road_form.errors else 200,
    )


@municipality_permission("coverage.manage")
def census(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Upload the census 500 m mesh population (the same action as `chiiki coverage census`); every bad row is
    named on the form and nothing is changed."""
    form = CensusUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = import_census_population(
                municipality,
                form.cleaned_data["file"].read(),
                source=form.cleaned_data["source"],
                by=Actor.from_request(request),
            )
        except (CensusFileError, ValueError) as error:
            for line in str(error).splitlines()[:20]:
                form.add_error("file", line)
        else:
            messages.success(
                request,
                _("%(cells)s 区画、%(people)s 人を読み込みました(秘匿・合算 %(suppressed)s 区画)。")
                % {"cells": done.cells, "people": done.population, "suppressed": done.suppressed},
            )
            return redirect("coverage:census", code=municipality.code)
    context = {
        "municipality": municipality,
        "form": form,
        "summary": queries.census_summary(municipality),
        "has_extent": extent_of(municipality) is not None,
    }
    return render(request, "coverage/census.html", context, status=400 if form.errors else 200)


@municipality_permission("coverage.manage")
def boundaries(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Import the municipality's outline or its districts (GeoJSON polygons) as a new version; list the
    versions with what each changed."""
    form = BoundaryUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            stored = import_boundaries(
                municipality,
                data["file"].read(),
                kind=data["kind"],
                source=data["source"],
                original_name=data["file"].name,
                name_property=data["name_property"],
                code_property=data["code_property"],
                by=Actor.from_request(request),
            )
        except BoundaryFileError as error:
            for problem in error.problems[:20]:
                form.add_error("file", problem)
        else:
            messages.success(
                request,
                _("%(kind)sを読み込みました(第 %(version)s 版、%(n)s 件)。")
                % {"kind": stored.get_kind_display(), "version": stored.version, "n": len(stored.features)},
            )
            return redirect("coverage:boundaries", code=municipality.code)
    in_force = queries.boundary_sets(municipality)
    context = {
        "municipality": municipality,
        "form": form,
        "in_force": [
            (row, [f.get("name") or f.get("code") for f in row.features]) for row in in_force.values()
        ],
        "history": queries.boundary_history(municipality),
    }
    return render(request, "coverage/boundaries.html", context, status=400 if form.errors else 200)


@municipality_permission("coverage.manage")
def export_cells_csv(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Cells with their status per carrier and technology as CSV for Excel (small counts withheld)."""
    level = 4 if request.GET.get("level") == "4" else 5
    frame = queries.published_cells(municipality, level=level)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="coverage-cells-{municipality.code}.csv"'
    response.write("\ufeff" + excel_safe_frame(frame).write_csv())
    return response


@municipality_permission("coverage.manage")
def export_cells_geojson(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The same cells as a GeoJSON FeatureCollection of mesh squares (JGD2011 ≈ WGS 84 degrees)."""
    frame = queries.published_cells(municipality, level=5)
    response = HttpResponse(
        json.dumps(cells_geojson(frame), ensure_ascii=False), content_type="application/geo+json"
    )
    response["Content-Disposition"] = f'attachment; filename="coverage-cells-{municipality.code}.geojson"'
    return response


@municipality_permission("coverage.manage")
def challenges(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The challenges made so far, and the form that bundles confirmed dead-zone cells into a new one."""
    dead = queries.dead_cells(municipality)
    meshes = sorted({c.mesh for c in dead})
    form = ChallengeForm(request.POST or None, cells=[(m, m) for m in meshes])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            challenge = open_challenge(
                municipality,
                carrier=data["carrier"],
                technology=data["technology"],
                meshes=data["meshes"],
                answer_due=data["answer_due"],
                note=data["note"],
                by=Actor.from_request(request),
            )
        except ChallengeError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(
                request, _("事業者への申し入れを作りました。証拠の一式をダウンロードして送ってください。")
            )
            return redirect("coverage:challenge", code=municipality.code, challenge_id=challenge.pk)
    return render(
        request,
        "coverage/challenges.html",
        {
            "municipality": municipality,
            "form": form,
            "dead": dead,
            "challenges": queries.challenges(municipality),
        },
        status=400 if form.errors else 200,
    )


@municipality_permission("coverage.manage")
def challenge_detail(request: HttpRequest, municipality: Municipality, challenge_id: int) -> HttpResponse:
    """One challenge: the carrier's answer and deadline, and each cell's outcome (resolved or disputed)."""
    challenge = queries.challenge(municipality, challenge_id)
    if challenge is None:
        raise Http404
    step = request.POST.get("step", "") if request.method == "POST" else ""
    answer_form = ChallengeAnswerForm(
        request.POST if step == "answer" else None,
        initial={
            "answer": challenge.answer,
            "answered_on": challenge.answered_on.isoformat() if challenge.answered_on else "",
        },
    )
    cell_form = ChallengeCellForm(request.POST if step == "cell" else None)
    by = Actor.from_request(request)
    if step == "answer" and answer_form.is_valid():
        try:
            record_challenge_answer(challenge, by=by, **answer_form.cleaned_data)
        except ChallengeError as error:
            answer_form.add_error(error.field if error.field in answer_form.fields else None, str(error))
        else:
            messages.success(request, _("事業者の回答を記録しました。"))
            return redirect("coverage:challenge", code=municipality.code, challenge_id=challenge.pk)
    if step == "cell" and cell_form.is_valid():
        cell = queries.challenge_cell(challenge, cell_form.cleaned_data["cell"])
        if cell is None:
            raise Http404
        decide_challenge_cell(
            cell, outcome=cell_form.cleaned_data["outcome"], note=cell_form.cleaned_data["note"], by=by
        )
        messages.success(request, _("区画 %(mesh)s の結果を記録しました。") % {"mesh": cell.mesh_code})
        return redirect("coverage:challenge", code=municipality.code, challenge_id=challenge.pk)
    errors = bool(answer_form.errors or cell_form.errors)
    return render(
        request,
        "coverage/challenge_detail.html",
        {
            "municipality": municipality,
            "challenge": challenge,
            "cells": list(challenge.cells.all()),
            "outcomes": ChallengeCell.Outcome.choices,
            "answer_form": answer_form,
            "cell_form": cell_form,
            "late": challenge.answered_on is None and challenge.answer_due < timezone.localdate(),
        },
        status=400 if errors else 200,
    )


def pack_input(challenge: Challenge) -> PackInput:
    """The aggregates of a challenge for its evidence pack (no report, no household), each cell marked
    inside or outside the carrier's layer in force for that technology (claimed covered but dead)."""
    layer = queries.layer_in_force(challenge.municipality, challenge.carrier, challenge.technology)
    claimed = set(layer.cells) if layer else None
    return PackInput(
        municipality=challenge.municipality.name,
        municipality_code=challenge.municipality.code,
        carrier=challenge.get_carrier_display(),
        technology=challenge.technology,
        challenge_id=challenge.pk,
        opened=timezone.localtime(challenge.created_at).date(),
        answer_due=challenge.answer_due,
        note=challenge.note,
        answer=challenge.answer,
        answered_on=challenge.answered_on,
        cells=[
            PackCell(
                c.mesh_code,
                c.evidence,
                c.samples,
                c.reporters,
                c.population,
                c.get_outcome_display(),
                None if claimed is None else c.mesh_code in claimed,
            )
            for c in challenge.cells.all()
        ],
        layer_source=f"{layer.source} {timezone.localtime(layer.loaded_at):%Y-%m-%d}" if layer else "",
    )


@municipality_permission("coverage.manage")
def challenge_pack(request: HttpRequest, municipality: Municipality, challenge_id: int) -> HttpResponse:
    """The evidence pack as a ZIP: cells.geojson, cells.csv and summary.pdf with a map."""
    challenge = queries.challenge(municipality, challenge_id)
    if challenge is None:
        raise Http404
    response = HttpResponse(evidence_pack(pack_input(challenge)), content_type="application/zip")
    name = f"coverage-challenge-{municipality.code}-{challenge.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
