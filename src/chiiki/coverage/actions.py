"""Changes to coverage evidence. Each runs in one transaction and writes its audit record."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from chiiki.core import audit
from chiiki.core.actions.jobs import enqueue_job
from chiiki.core.models import Municipality
from chiiki.coverage.grid import (
    BoundaryFeature,
    BoundaryFileError,
    CleanedMeasurements,
    Extent,
    TargetDiff,
    bounds_of,
    check_point,
    diff_boundaries,
    diff_targets,
    parse_census_mesh,
    parse_meshcode,
    parse_targets,
    place_on_grid,
    read_boundary_geojson,
    read_coverage_layer,
    read_measurements,
    read_road_geojson,
    to_meshcode,
)
from chiiki.coverage.grid import TargetRow as EngineTarget
from chiiki.coverage.mapping import cells_geojson
from chiiki.coverage.models import (
    AreaExtent,
    BoundarySet,
    Carrier,
    CellPopulation,
    Challenge,
    ChallengeCell,
    CoverageLayer,
    CoverageTarget,
    DeadZoneReport,
    DistrictPlace,
    Measurement,
    MeasurementImport,
    RoadLayer,
    TargetTable,
    Technology,
)
from chiiki.jp import address_key
from chiiki.opendata import actions as opendata_actions
from chiiki.opendata import queries as opendata_queries
from chiiki.registry.models import District
from chiiki.tables import excel_safe_frame

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from chiiki.core.acting import Actor
    from chiiki.opendata.models import Dataset

_REFERENCE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B: read aloud on the phone
REPORT_LEVEL = 5  # reports are placed on 250 m cells
CENSUS_LEVEL = 4  # the census population mesh is 500 m
COVERAGE_TAGS = ["携帯電話", "通信環境", "不感地域", "地域メッシュ", "防災"]


class ReportError(ValueError):
    """A report that cannot be accepted as given; the message is for the resident, in plain Japanese."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class ReportInput:
    """What a resident (or staff on their behalf) says about a dead zone."""

    carrier: str
    technology: str
    problem: str
    place_kind: str
    frequency: str
    observed_on: date
    time_band: str
    district_code: str = ""
    address_detail: str = ""
    latitude: float | None = None
    longitude: float | None = None
    download_mbps: float | None = None
    channel: str = DeadZoneReport.Channel.WEB


def extent_of(municipality: Municipality) -> Extent | None:
    """The municipality's bounding box, when one is loaded."""
    row = AreaExtent.objects.filter(municipality=municipality).first()
    return Extent(row.south, row.west, row.north, row.east) if row else None


def _new_reference() -> str:
    while True:
        reference = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if not DeadZoneReport.objects.filter(reference=reference).exists():
            return reference


def _locate(municipality: Municipality, data: ReportInput) -> dict[str, object]:
    """Where the report is: coordinates when given (checked), else the district's representative point."""
    if data.latitude is not None and data.longitude is not None:
        from chiiki.coverage.grid import PointError

        try:
            check_point(
                data.latitude,
                data.longitude,
                extent=extent_of(municipality),
                area_name=municipality.display_name,
            )
        except PointError as error:
            raise ReportError("latitude", str(error)) from error
        return {
            "location_source": DeadZoneReport.LocationSource.COORDINATES,
            "latitude": data.latitude,
            "longitude": data.longitude,
            "mesh_code": to_meshcode(data.latitude, data.longitude, REPORT_LEVEL),
            "district": None,
        }
    district = District.objects.filter(municipality=municipality, code=data.district_code).first()
    if district is None:
        raise ReportError(
            "district", "場所(地区)を一覧から選んでください。または緯度と経度を入れてください。"
        )
    place = DistrictPlace.objects.filter(district=district).first()
    mesh = to_meshcode(place.latitude, place.longitude, REPORT_LEVEL) if place else ""
    return {
        "location_source": DeadZoneReport.LocationSource.DISTRICT,
        "district": district,
        "mesh_code": mesh,
    }


def _reporter_key(municipality: Municipality, data: ReportInput) -> str:
    if data.latitude is not None and data.longitude is not None:
        basis = f"{round(data.latitude, 4)},{round(data.longitude, 4)}"  # about 10 m: one household
    else:
        basis = f"{data.district_code}|{address_key(data.address_detail) if data.address_detail else ''}"
    return hashlib.sha256(f"{municipality.code}|{basis}".encode()).hexdigest()[:32]


@transaction.atomic
def submit_report(municipality: Municipality, data: ReportInput, *, by: Actor) -> DeadZoneReport:
    """Record a dead-zone report, placed on the 250 m grid; the caller acknowledges it only after this returns."""
    if data.observed_on > timezone.localdate():
        raise ReportError("observed_on", "起きた日が未来の日付です。今日より前の日を入れてください。")
    report = DeadZoneReport.objects.create(
        municipality=municipality,
        reference=_new_reference(),
        address_detail=data.address_detail,
        place_kind=data.place_kind,
        carrier=data.carrier,
        technology=data.technology,
        problem=data.problem,
        frequency=data.frequency,
        observed_on=data.observed_on,
        time_band=data.time_band,
        download_mbps=data.download_mbps,
        channel=data.channel,
        reporter_key=_reporter_key(municipality, data),
        **_locate(municipality, data),
    )
    audit.record(
        "coverage.report_received",
        by=by,
        municipality=municipality,
        object_type="coverage_report",
        object_id=report.pk,
        detail={"channel": report.channel, "mesh": report.mesh_code[:8]},
    )
    return report


@transaction.atomic
def triage_report(
    report: DeadZoneReport, *, status: str, staff_note: str, public_note: str, by: Actor
) -> DeadZoneReport:
    """Staff decide what a report is worth as evidence; the resident sees the status and the public note."""
    before = report.status
    report.status = status
    report.staff_note = staff_note
    report.public_note = public_note
    report.triaged_at = timezone.now()
    report.triaged_by = by.user
    report.save(update_fields=["status", "staff_note", "public_note", "triaged_at", "triaged_by"])
    audit.record(
        "coverage.report_triaged",
        by=by,
        municipality=report.municipality,
        object_type="coverage_report",
        object_id=report.pk,
        detail={"from": before, "to": status},
    )
    return report


@transaction.atomic
def request_measurement_import(
    municipality: Municipality, file: UploadedFile, *, by: Actor
) -> MeasurementImport:
    """Keep an uploaded measurement log and queue its import (`tasks.import_uploaded_measurements`)."""
    upload = MeasurementImport.objects.create(
        municipality=municipality, file=file, original_name=(file.name or "")[:200], uploaded_by=by.user
    )
    audit.record(
        "coverage.measurements_received",
        by=by,
        municipality=municipality,
        object_type="coverage_measurement_import",
        object_id=upload.pk,
    )
    enqueue_job(upload)
    return upload


@transaction.atomic
def import_measurements(upload: MeasurementImport, cleaned: CleanedMeasurements, *, by: Actor) -> int:
    """Store the cleaned samples of one upload, all or nothing; returns how many were stored."""
    frame = place_on_grid(cleaned.frame, REPORT_LEVEL)
    Measurement.objects.bulk_create(
        (
            Measurement(
                municipality_id=upload.municipality_id,
                upload=upload,
                measured_at=row["measured_at"],
                latitude=row["latitude"],
                longitude=row["longitude"],
                mesh_code=row["mesh"],
                carrier=row["carrier"],
                technology=row["technology"],
                rsrp=row["rsrp"],
                rsrq=row["rsrq"],
                sinr=row["sinr"],
                download_mbps=row["download_mbps"],
                upload_mbps=row["upload_mbps"],
            )
            for row in frame.iter_rows(named=True)
        ),
        batch_size=2000,
    )
    MeasurementImport.objects.filter(pk=upload.pk).update(rows_read=cleaned.read_rows, rows_kept=frame.height)
    audit.record(
        "coverage.measurements_imported",
        by=by,
        municipality=upload.municipality,
        object_type="coverage_measurement_import",
        object_id=upload.pk,
        detail={"read": cleaned.read_rows, "kept": frame.height, "dropped": cleaned.dropped},
    )
    return frame.height


@transaction.atomic
def import_measurement_file(
    municipality: Municipality, name: str, data: bytes, *, by: Actor
) -> MeasurementImport:
    """Read and store a measurement log at once (commands and the demo; the web queues a job instead).

    Raises MeasurementFileError, naming rows and columns, before anything is written.
    """
    cleaned = read_measurements(data, label=name)
    now = timezone.now()
    upload = MeasurementImport.objects.create(
        municipality=municipality,
        file=ContentFile(data, name=name),
        original_name=name[:200],
        uploaded_by=by.user,
        status=MeasurementImport.Status.DONE,
        attempts=1,
        started_at=now,
        finished_at=now,
        message=cleaned.summary(),
    )
    import_measurements(upload, cleaned, by=by)
    return upload


def _engine_rows(table: TargetTable | None) -> list[EngineTarget]:
    if table is None:
        return []
    return [
        EngineTarget(
            t.area_code,
            t.area_name,
            t.technology,
            t.fiscal_year,
            t.target_percent,
            t.published_percent,
            t.published_as_of,
            t.source,
            t.verified,
        )
        for t in table.targets.order_by("id")
    ]


def _store_targets(
    rows: list[EngineTarget], *, version: str, digest: str, diff: TargetDiff, by: Actor
) -> TargetTable:
    table = TargetTable.objects.create(
        version=version, loaded_by=by.name[:150], sha256=digest, changes=diff.lines()
    )
    CoverageTarget.objects.bulk_create(
        CoverageTarget(
            table=table,
            area_code=r.area_code,
            area_name=r.area_name,
            technology=r.technology,
            fiscal_year=r.fiscal_year,
            target_percent=r.target_percent,
            published_percent=r.published_percent,
            published_as_of=r.published_as_of,
            source=r.source,
            verified=r.verified,
        )
        for r in rows
    )
    return table


@dataclass(frozen=True, slots=True)
class TargetLoad:
    """The outcome of loading a target table: the version now current and what changed."""

    table: TargetTable
    diff: TargetDiff
    created: bool


@transaction.atomic
def load_targets(data: bytes, *, version: str, by: Actor) -> TargetLoad:
    """Load a version of the target table; unchanged content keeps the current version, a new one is diffed.

    Raises TargetFileError (nothing written) for a file with any problem, ValueError for a version name that
    was already used for other content.
    """
    rows = parse_targets(data)
    digest = hashlib.sha256(data).hexdigest()
    current = TargetTable.objects.first()
    diff = diff_targets(_engine_rows(current), rows)
    if current is not None and diff.is_empty:
        return TargetLoad(current, diff, created=False)
    if TargetTable.objects.filter(version=version).exists():
        raise ValueError(f"版「{version}」は別の内容で読み込み済みです。新しい版の名前を付けてください")
    table = _store_targets(rows, version=version, digest=digest, diff=diff, by=by)
    audit.record(
        "coverage.targets_loaded",
        by=by,
        object_type="coverage_target_table",
        object_id=table.pk,
        detail={"version": version, "sha256": digest, "changes": diff.lines()[:100]},
    )
    return TargetLoad(table, diff, created=True)


@transaction.atomic
def set_area_target(
    municipality: Municipality,
    *,
    technology: str,
    fiscal_year: int,
    target_percent: float,
    note: str,
    by: Actor,
) -> TargetLoad:
    """Staff set their municipality's own target for a technology and fiscal year: a new version of the table
    (every other row carried over), with its diff and an audit record. The same value again changes nothing.

    Raises ValueError (nothing written) for a technology other than 4G/5G, a year outside 2020–2050 or a
    percentage outside 0–100.
    """
    if technology not in ("4G", "5G"):
        raise ValueError(f"方式「{technology}」は 4G か 5G です")
    if not 2020 <= fiscal_year <= 2050:
        raise ValueError(f"年度 {fiscal_year} は 2020〜2050 の範囲で指定してください")
    if not 0 <= target_percent <= 100:
        raise ValueError(f"目標 {target_percent}% は 0〜100 の範囲で指定してください")
    current = TargetTable.objects.select_for_update().first()
    before = _engine_rows(current)
    today = timezone.localdate()
    source = f"{municipality.display_name}が設定({by.name}、{today:%Y-%m-%d})" + (f": {note}" if note else "")
    row = EngineTarget(
        municipality.code,
        municipality.name,
        technology,
        fiscal_year,
        float(target_percent),
        None,
        None,
        source[:300],
        True,  # the municipality's own decision: its source is this record
    )
    previous = next((r for r in before if r.key == row.key), None)
    if previous is not None and previous.target_percent == row.target_percent:
        return TargetLoad(current, diff_targets(before, before), created=False)  # type: ignore[arg-type]
    after = [r for r in before if r.key != row.key] + [row]
    diff = diff_targets(before, after)
    version = f"{today:%Y-%m-%d}-{municipality.code}-{TargetTable.objects.count() + 1}"
    digest = hashlib.sha256(repr([r.as_dict() for r in after]).encode()).hexdigest()
    table = _store_targets(after, version=version, digest=digest, diff=diff, by=by)
    audit.record(
        "coverage.target_set",
        by=by,
        municipality=municipality,
        object_type="coverage_target_table",
        object_id=table.pk,
        detail={"version": version, "changes": diff.lines()},
    )
    return TargetLoad(table, diff, created=True)


@dataclass(frozen=True, slots=True)
class PlaceInput:
    """The representative point of one district."""

    district_code: str
    latitude: float
    longitude: float


@transaction.atomic
def set_places(
    municipality: Municipality, places: list[PlaceInput], extent: Extent, *, source: str, by: Actor
) -> int:
    """Set the municipality's extent and its districts' representative points (replacing earlier ones)."""
    districts = {d.code: d for d in District.objects.filter(municipality=municipality)}
    unknown = [p.district_code for p in places if p.district_code not in districts]
    if unknown:
        raise ValueError(f"住民基本台帳にない地区コードです: {', '.join(unknown)}")
    AreaExtent.objects.update_or_create(
        municipality=municipality,
        defaults={
            "south": extent.south,
            "west": extent.west,
            "north": extent.north,
            "east": extent.east,
            "source": source,
        },
    )
    DistrictPlace.objects.filter(municipality=municipality).delete()
    DistrictPlace.objects.bulk_create(
        DistrictPlace(
            municipality=municipality,
            district=districts[p.district_code],
            latitude=p.latitude,
            longitude=p.longitude,
            source=source,
        )
        for p in places
    )
    audit.record(
        "coverage.places_set",
        by=by,
        municipality=municipality,
        object_type="coverage_places",
        detail={"districts": len(places), "source": source},
    )
    return len(places)


@dataclass(frozen=True, slots=True)
class CoarsenSummary:
    """How many reports lost their exact place, and the date before which reports were coarsened."""

    reports: int
    before: date


@transaction.atomic
def coarsen_old_reports(municipality: Municipality, *, keep_days: int, by: Actor) -> CoarsenSummary:
    """Forget the exact place of reports older than `keep_days`: coordinates and address go, the 250 m cell
    and the district stay (the retention policy of docs/apps/coverage.md)."""
    if keep_days < 1:
        raise ValueError("保存日数は 1 以上です")
    before = timezone.localdate() - timedelta(days=keep_days)
    old = DeadZoneReport.objects.filter(municipality=municipality, created_at__date__lt=before).exclude(
        latitude__isnull=True, address_detail=""
    )
    count = old.update(latitude=None, longitude=None, address_detail="")
    audit.record(
        "coverage.reports_coarsened",
        by=by,
        municipality=municipality,
        object_type="coverage_report",
        detail={"reports": count, "before": before.isoformat(), "keep_days": keep_days},
    )
    return CoarsenSummary(count, before)


@dataclass(frozen=True, slots=True)
class CensusLoad:
    """Cells kept (their centre inside the municipality's extent), their population, and suppressed cells."""

    cells: int
    population: int
    suppressed: int


@transaction.atomic
def import_census_population(
    municipality: Municipality, data: bytes, *, source: str, by: Actor
) -> CensusLoad:
    """Replace the municipality's census population per 500 m cell with the cells of an e-Stat mesh file whose
    centre lies in the municipality's extent. Raises CensusFileError (nothing written) or ValueError."""
    extent = extent_of(municipality)
    if extent is None:
        raise ValueError("市区町村の範囲(代表点)がまだ読み込まれていません")
    census = parse_census_mesh(data)
    if census.level != CENSUS_LEVEL:
        raise ValueError(f"500mメッシュ(9桁)の表を読み込んでください(この表は {census.level} 次)")
    rows = [
        row
        for row in census.frame.iter_rows(named=True)
        if extent.contains(*parse_meshcode(row["mesh"]).center)
    ]
    CellPopulation.objects.filter(municipality=municipality).delete()
    CellPopulation.objects.bulk_create(
        CellPopulation(
            municipality=municipality,
            mesh_code=r["mesh"],
            population=r["population"],
            suppressed=r["suppressed"],
            source=source[:200],
        )
        for r in rows
    )
    load = CensusLoad(len(rows), sum(r["population"] for r in rows), sum(r["suppressed"] for r in rows))
    audit.record(
        "coverage.census_loaded",
        by=by,
        municipality=municipality,
        object_type="coverage_census",
        detail={
            "cells": load.cells,
            "population": load.population,
            "suppressed": load.suppressed,
            "column": census.column,
            "source": source,
        },
    )
    return load


@transaction.atomic
def import_coverage_layer(
    municipality: Municipality,
    data: bytes,
    *,
    carrier: str,
    technology: str,
    source: str,
    original_name: str,
    by: Actor,
) -> CoverageLayer:
    """Store a carrier's or the Ministry's coverage (GeoJSON or a zipped Shapefile: cells or polygons) as the
    500 m cells it covers;
    it replaces the previous layer of that carrier and technology in the figures (older ones are kept).

    Raises LayerFileError (nothing written) for a file with any problem, ValueError for an unknown carrier or
    technology.
    """
    if carrier not in Carrier.values or technology not in Technology.values:
        raise ValueError(f"事業者「{carrier}」・方式「{technology}」は扱えません")
    cells = read_coverage_layer(data)
    layer = CoverageLayer.objects.create(
        municipality=municipality,
        carrier=carrier,
        technology=technology,
        source=source[:200],
        original_name=original_name[:200],
        cells=cells,
        loaded_by=by.name[:150],
    )
    audit.record(
        "coverage.layer_imported",
        by=by,
        municipality=municipality,
        object_type="coverage_layer",
        object_id=layer.pk,
        detail={"carrier": carrier, "technology": technology, "cells": len(cells), "source": source[:200]},
    )
    return layer


@transaction.atomic
def import_road_layer(
    municipality: Municipality, data: bytes, *, source: str, original_name: str, by: Actor
) -> RoadLayer:
    """Store the municipality's roads (GeoJSON lines) as metres per 500 m cell; the latest counts in the
    priorities. Raises RoadFileError (nothing written) for a file with any problem."""
    cells = read_road_geojson(data)
    layer = RoadLayer.objects.create(
        municipality=municipality,
        source=source[:200],
        original_name=original_name[:200],
        cells=cells,
        loaded_by=by.name[:150],
    )
    audit.record(
        "coverage.roads_imported",
        by=by,
        municipality=municipality,
        object_type="coverage_road_layer",
        object_id=layer.pk,
        detail={"cells": len(cells), "metres": sum(cells.values()), "source": source[:200]},
    )
    return layer


MAX_BOUNDARY_BYTES = 20 * 1024 * 1024  # a district file larger than this is not simplified enough for a map


@transaction.atomic
def import_boundaries(
    municipality: Municipality,
    data: bytes,
    *,
    kind: str,
    source: str,
    original_name: str,
    by: Actor,
    name_property: str = "",
    code_property: str = "",
) -> BoundarySet:
    """Store a new version of the municipality's outline or districts (GeoJSON polygons); the previous version
    is kept and the changes against it recorded. Raises BoundaryFileError (nothing written) for a file with any
    problem, or one that lies wholly outside the municipality's extent."""
    if kind not in BoundarySet.Kind.values:
        raise ValueError(f"境界の種類「{kind}」は扱えません")
    if len(data) > MAX_BOUNDARY_BYTES:
        raise BoundaryFileError([f"ファイルが大きすぎます({len(data) // 1024 // 1024} MB。20 MB まで)"])
    features = read_boundary_geojson(
        data,
        districts=kind == BoundarySet.Kind.DISTRICTS,
        name_property=name_property.strip(),
        code_property=code_property.strip(),
    )
    extent = extent_of(municipality)
    if extent is not None:
        south, west, north, east = bounds_of(features)
        if south > extent.north or north < extent.south or west > extent.east or east < extent.west:
            raise BoundaryFileError(
                [
                    f"境界(緯度 {south:.4f}〜{north:.4f}、経度 {west:.4f}〜{east:.4f})が市区町村の範囲と"
                    "重なりません。別の市区町村のファイルではありませんか"
                ]
            )
    previous = (
        BoundarySet.objects.select_for_update()
        .filter(municipality=municipality, kind=kind)
        .order_by("-version")
        .first()
    )
    old = [BoundaryFeature.from_json(f) for f in previous.features] if previous else []
    stored = BoundarySet.objects.create(
        municipality=municipality,
        kind=kind,
        version=(previous.version + 1) if previous else 1,
        source=source[:200],
        original_name=original_name[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        features=[f.as_json() for f in features],
        changes=diff_boundaries(old, features) if previous else [],
        loaded_by=by.name[:150],
    )
    audit.record(
        "coverage.boundaries_imported",
        by=by,
        municipality=municipality,
        object_type="coverage_boundary",
        object_id=stored.pk,
        detail={
            "kind": kind,
            "version": stored.version,
            "features": len(features),
            "changes": len(stored.changes),
            "source": source[:200],
        },
    )
    return stored


class ChallengeError(ValueError):
    """A challenge that cannot be made or changed as asked; the message names the cell or field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


@transaction.atomic
def open_challenge(
    municipality: Municipality,
    *,
    carrier: str,
    technology: str,
    meshes: list[str],
    answer_due: date,
    note: str,
    by: Actor,
) -> Challenge:
    """Bundle confirmed dead-zone 500 m cells into a challenge for one carrier and technology. Every cell must
    be dead for that carrier and technology now (the evidence is recorded as it stands) and not already in an
    unanswered challenge to the same carrier."""
    from chiiki.coverage.queries import COVERAGE_LEVEL, cell_statuses, population_grid

    if carrier not in Carrier.values:
        raise ChallengeError("carrier", f"携帯電話会社「{carrier}」は選べません。")
    if technology not in Technology.values:
        raise ChallengeError("technology", f"通信方式「{technology}」は選べません。")
    if not meshes:
        raise ChallengeError("meshes", "区画を 1 つ以上選んでください。")
    if answer_due <= timezone.localdate():
        raise ChallengeError("answer_due", "回答期限は明日以降の日にしてください。")
    cells = cell_statuses(municipality, level=COVERAGE_LEVEL)
    dead = {
        row["mesh"]: row
        for row in cells.iter_rows(named=True)
        if row["carrier"] == carrier and row["technology"] == technology and row["status"] == "dead"
    }
    wanted = sorted(set(meshes))
    not_dead = [m for m in wanted if m not in dead]
    if not_dead:
        raise ChallengeError(
            "meshes",
            f"確認された不感区画ではありません({carrier} {technology}): {', '.join(not_dead)}",
        )
    pending = set(
        ChallengeCell.objects.filter(
            challenge__municipality=municipality,
            challenge__carrier=carrier,
            challenge__technology=technology,
            mesh_code__in=wanted,
            outcome=ChallengeCell.Outcome.PENDING,
        ).values_list("mesh_code", flat=True)
    )
    if pending:
        raise ChallengeError(
            "meshes", f"判断待ちの申し入れにすでに含まれている区画です: {', '.join(sorted(pending))}"
        )
    population = dict(population_grid(municipality).frame.select("mesh", "population").iter_rows())
    challenge = Challenge.objects.create(
        municipality=municipality,
        carrier=carrier,
        technology=technology,
        note=note,
        answer_due=answer_due,
        created_by=by.user,
    )
    ChallengeCell.objects.bulk_create(
        ChallengeCell(
            challenge=challenge,
            mesh_code=mesh,
            evidence=dead[mesh]["evidence"],
            samples=dead[mesh]["samples"],
            reporters=dead[mesh]["reporters"],
            population=population.get(mesh, 0),
        )
        for mesh in wanted
    )
    audit.record(
        "coverage.challenge_opened",
        by=by,
        municipality=municipality,
        object_type="coverage_challenge",
        object_id=challenge.pk,
        detail={"carrier": carrier, "technology": technology, "cells": wanted, "due": answer_due.isoformat()},
    )
    return challenge


@transaction.atomic
def record_challenge_answer(challenge: Challenge, *, answer: str, answered_on: date, by: Actor) -> Challenge:
    """Record what the carrier answered and when (a late answer is kept, and shown as late)."""
    if not answer.strip():
        raise ChallengeError("answer", "事業者の回答を書いてください。")
    if answered_on > timezone.localdate():
        raise ChallengeError("answered_on", "回答日に未来の日は入れられません。")
    if answered_on < challenge.created_at.date():
        raise ChallengeError("answered_on", "回答日が申し入れの日より前です。")
    challenge.answer = answer.strip()
    challenge.answered_on = answered_on
    if challenge.status == Challenge.Status.OPEN:
        challenge.status = Challenge.Status.ANSWERED
    challenge.save(update_fields=["answer", "answered_on", "status"])
    audit.record(
        "coverage.challenge_answered",
        by=by,
        municipality=challenge.municipality,
        object_type="coverage_challenge",
        object_id=challenge.pk,
        detail={"answered_on": answered_on.isoformat(), "late": answered_on > challenge.answer_due},
    )
    return challenge


@transaction.atomic
def decide_challenge_cell(cell: ChallengeCell, *, outcome: str, note: str, by: Actor) -> ChallengeCell:
    """Mark one cell of a challenge resolved or disputed (or back to pending); the challenge is closed when
    no cell is pending. Residents who reported in the cell see the outcome on their status page."""
    if outcome not in ChallengeCell.Outcome.values:
        raise ChallengeError("outcome", f"結果「{outcome}」は選べません。")
    before = cell.outcome
    cell.outcome = outcome
    cell.outcome_note = note
    cell.decided_on = None if outcome == ChallengeCell.Outcome.PENDING else timezone.localdate()
    cell.save(update_fields=["outcome", "outcome_note", "decided_on"])
    challenge = cell.challenge
    open_cells = challenge.cells.filter(outcome=ChallengeCell.Outcome.PENDING).exists()
    if not open_cells:
        status = Challenge.Status.CLOSED
    elif challenge.answered_on:
        status = Challenge.Status.ANSWERED
    else:
        status = Challenge.Status.OPEN
    if status != challenge.status:
        challenge.status = status
        challenge.save(update_fields=["status"])
    audit.record(
        "coverage.challenge_cell_decided",
        by=by,
        municipality=challenge.municipality,
        object_type="coverage_challenge",
        object_id=challenge.pk,
        detail={"mesh": cell.mesh_code, "from": before, "to": outcome},
    )
    return cell


def map_dataset_name(municipality: Municipality) -> str:
    """The catalog name of a municipality's coverage map dataset."""
    return f"coverage-{municipality.code}"


PUBLISHED_LEVEL = 4  # the catalog gets 500 m cells, never the 250 m cells reports are placed on


@transaction.atomic
def publish_coverage_map(municipality: Municipality, *, by: Actor) -> Dataset:
    """Publish (or bring up to date) the aggregated coverage map in the municipality's open-data catalog, so it
    is listed in the CKAN API and the DCAT feeds: one dataset `coverage-<code>` with the 500 m cells' status per
    carrier and technology as CSV and GeoJSON. Counts of reporting households and reports below 3 are
    withheld, no population and no place finer than 500 m goes in, so no report can be traced to a household.
    An operator who makes the dataset private again keeps it private: later refreshes do not publish it.
    """
    from chiiki.coverage.queries import published_cells

    frame = published_cells(municipality, level=PUBLISHED_LEVEL)
    csv_bytes = ("\ufeff" + excel_safe_frame(frame).write_csv()).encode("utf-8")
    geojson = json.dumps(cells_geojson(frame), ensure_ascii=False).encode("utf-8")
    counts = {status: int((frame["status"] == status).sum()) for status in ("covered", "dead", "unknown")}
    notes = (
        f"{municipality.display_name}の携帯電話の通信環境を、JIS X 0410 の2分の1地域メッシュ(500m)ごとに、"
        "事業者・方式(4G・5G)別にまとめたものです。status は covered(測定でつながる)、dead(測定または"
        "2世帯以上の住民の報告でつながらないと確認)、unknown(証拠が足りない)。住民の報告の世帯数・件数は "
        "3 未満を空欄にしています。位置は500mの区画までで、報告した人や世帯はわかりません。"
        f"\n\n区画と事業者・方式の組: つながる {counts['covered']}、つながらない {counts['dead']}、"
        f"不明 {counts['unknown']}。"
    )
    extras = {
        "mesh_level": "500m (JIS X 0410 level 4)",
        "rows": frame.height,
        "dead": counts["dead"],
        "covered": counts["covered"],
        "suppressed_below": 3,
    }
    files = [
        (
            "区画ごとの通信環境 (CSV)",
            "CSV",
            csv_bytes,
            "cells.csv",
            "UTF-8 (BOM 付き)。列: " + ", ".join(frame.columns),
        ),
        (
            "区画ごとの通信環境 (GeoJSON)",
            "GeoJSON",
            geojson,
            "cells.geojson",
            "区画の四角形(経度, 緯度)と同じ列",
        ),
    ]
    dataset = opendata_queries.dataset_by_name_or_id(map_dataset_name(municipality))
    if dataset is None:
        dataset = opendata_actions.create_dataset(
            opendata_actions.organization_for(municipality, by=by),
            name=map_dataset_name(municipality),
            title=f"{municipality.display_name} 携帯電話の通信環境(500mメッシュ)",
            by=by,
            notes=notes,
            tags=COVERAGE_TAGS,
            extras=extras,
        )
        private_again = False
    else:
        dataset = opendata_actions.update_dataset(dataset, by=by, notes=notes, extras=extras)
        private_again = dataset.private
    for name, fmt, content, filename, description in files:
        opendata_actions.add_resource(
            dataset,
            by=by,
            name=name,
            fmt=fmt,
            content=content,
            filename=filename,
            description=description,
            replace=True,
        )
    if not private_again:
        opendata_actions.publish(dataset, by=by)
    audit.record(
        "coverage.map_published",
        by=by,
        municipality=municipality,
        object_type="opendata_dataset",
        object_id=dataset.name,
        detail={"rows": frame.height, **counts},
    )
    return dataset
