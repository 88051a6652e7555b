"""Read-side queries of coverage. Callers write the audit record for each read of personal data (a report's
exact place); the cell and area figures are aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from chiiki.core.models import Municipality
from chiiki.coverage.grid import (
    NATIONAL,
    aggregate_measurements,
    assess,
    cell_status,
    in_japan,
    measurement_verdicts,
    pick_target,
    population_coverage,
    report_counts,
    to_meshcode,
)
from chiiki.coverage.grid import TargetRow as EngineTarget
from chiiki.coverage.models import (
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
)
from chiiki.opendata import queries as opendata_queries
from chiiki.registry.models import District, Person

if TYPE_CHECKING:
    from chiiki.opendata.models import Dataset

# Reports that count as evidence: checked by staff and not yet resolved.
EVIDENCE_STATUSES = (DeadZoneReport.Status.ACCEPTED,)
# Published cells with fewer reporters than this show no count (small-count suppression).
SUPPRESS_BELOW = 3
COVERAGE_LEVEL = 4  # population and coverage on 500 m cells (the census mesh)
# The open-data catalog's standard datasets whose places count in the priorities (kind -> the word shown).
FACILITY_KINDS: dict[str, str] = {
    "evacuation_space": "避難場所",
    "hospital": "医療機関",
    "educational_institution": "学校",
    "preschool": "子育て施設",
    "care_service": "介護事業所",
    "aed": "AED",
    "public_facility": "公共施設",
}


def reports(municipality: Municipality, *, status: str = "") -> QuerySet[DeadZoneReport]:
    """The municipality's reports, newest first, optionally of one status."""
    result = DeadZoneReport.objects.filter(municipality=municipality).select_related("district")
    return result.filter(status=status) if status else result


def report(municipality: Municipality, report_id: int) -> DeadZoneReport | None:
    """One report of this municipality (never of another one)."""
    return reports(municipality).filter(pk=report_id).first()


def report_by_reference(municipality: Municipality, reference: str) -> DeadZoneReport | None:
    """A report by its 受付番号, for the resident following it."""
    return DeadZoneReport.objects.filter(
        municipality=municipality, reference=reference.strip().upper()
    ).first()


def status_counts(municipality: Municipality) -> list[tuple[str, str, int]]:
    """How many reports are in each status, in the statuses' order: (value, label in words, count)."""
    rows = DeadZoneReport.objects.filter(municipality=municipality).values("status").annotate(n=Count("id"))
    found = {row["status"]: row["n"] for row in rows}
    return [
        (value, str(label), found[value]) for value, label in DeadZoneReport.Status.choices if value in found
    ]


def districts(municipality: Municipality) -> QuerySet[District]:
    """The registry's districts, for the resident's choice of place."""
    return District.objects.filter(municipality=municipality).order_by("code")


def recent_imports(municipality: Municipality, *, limit: int = 20) -> QuerySet[MeasurementImport]:
    """The municipality's latest measurement uploads with their job state."""
    return MeasurementImport.objects.filter(municipality=municipality).order_by("-queued_at")[:limit]


def current_target_table() -> TargetTable | None:
    """The target table version now in force (the last loaded)."""
    return TargetTable.objects.first()


def current_targets() -> list[CoverageTarget]:
    """The rows of the target table in force."""
    table = current_target_table()
    return list(table.targets.order_by("area_code", "technology", "fiscal_year")) if table else []


def measurement_frame(municipality: Municipality) -> pl.DataFrame:
    """The municipality's stored samples as a frame for the grid engine."""
    columns = ["latitude", "longitude", "carrier", "technology", "rsrp", "download_mbps"]
    rows = list(Measurement.objects.filter(municipality=municipality).values_list(*columns))
    schema = {
        "latitude": pl.Float64,
        "longitude": pl.Float64,
        "carrier": pl.String,
        "technology": pl.String,
        "rsrp": pl.Float64,
        "download_mbps": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def report_frame(municipality: Municipality) -> pl.DataFrame:
    """Reports accepted as evidence, one row per technology they speak for (no signal fails 5G too)."""
    rows: list[tuple[str, str, str, str]] = []
    found = DeadZoneReport.objects.filter(municipality=municipality, status__in=EVIDENCE_STATUSES).exclude(
        mesh_code=""
    )
    for mesh, carrier, technology, problem, key in found.values_list(
        "mesh_code", "carrier", "technology", "problem", "reporter_key"
    ):
        rows.append((mesh, carrier, "5G" if problem == "no_5g" else technology, key))
        if problem == "no_signal" and technology == "4G":
            rows.append((mesh, carrier, "5G", key))
    return pl.DataFrame(
        rows,
        schema={"mesh": pl.String, "carrier": pl.String, "technology": pl.String, "reporter": pl.String},
        orient="row",
    )


def cell_statuses(municipality: Municipality, *, level: int) -> pl.DataFrame:
    """Status of every cell with evidence at `level` (4: 500 m, 5: 250 m), per carrier and technology."""
    samples = measurement_frame(municipality)
    verdicts = (
        measurement_verdicts(aggregate_measurements(samples, level)) if samples.height else pl.DataFrame()
    )
    counted = report_counts(report_frame(municipality), level)
    return cell_status(verdicts, counted).sort("mesh", "carrier", "technology")


@dataclass(frozen=True, slots=True)
class PopulationGrid:
    """Residents per 500 m cell, from the registry placed at district representative points."""

    frame: pl.DataFrame  # area, mesh, population
    placed: int
    unplaced: int
    method: str


def population_grid(municipality: Municipality) -> PopulationGrid:
    """Population per 500 m cell: the census mesh when loaded, else the registry's residents of each district
    at its representative point (the page states which)."""
    census = list(
        CellPopulation.objects.filter(municipality=municipality).values_list(
            "mesh_code", "population", "source"
        )
    )
    if census:
        frame = pl.DataFrame(
            {
                "area": [municipality.code] * len(census),
                "mesh": [c[0] for c in census],
                "population": [c[1] for c in census],
            },
            schema={"area": pl.String, "mesh": pl.String, "population": pl.Int64},
        )
        total = int(frame["population"].sum())
        return PopulationGrid(
            frame, total, 0, f"国勢調査の500mメッシュ人口({census[0][2]})。中心が市区町村の範囲にある区画"
        )
    places = {p.district_id: p for p in DistrictPlace.objects.filter(municipality=municipality)}
    counts = (
        Person.objects.filter(municipality=municipality, removed_on__isnull=True)
        .values("household__district_id")
        .annotate(n=Count("id"))
    )
    cells: dict[str, int] = {}
    unplaced = 0
    for row in counts:
        place = places.get(row["household__district_id"])
        if place is None:
            unplaced += row["n"]
            continue
        mesh = to_meshcode(place.latitude, place.longitude, COVERAGE_LEVEL)
        cells[mesh] = cells.get(mesh, 0) + row["n"]
    frame = pl.DataFrame(
        {"area": [municipality.code] * len(cells), "mesh": list(cells), "population": list(cells.values())},
        schema={"area": pl.String, "mesh": pl.String, "population": pl.Int64},
    )
    return PopulationGrid(
        frame,
        sum(cells.values()),
        unplaced,
        "住民基本台帳の地区ごとの人数を地区の代表点に置いたもの(世帯の位置ではありません)",
    )


def district_population(municipality: Municipality) -> pl.DataFrame:
    """Residents per 500 m cell with each district as its own area (registry at representative points)."""
    places = {
        p.district_id: p
        for p in DistrictPlace.objects.filter(municipality=municipality).select_related("district")
    }
    counts = (
        Person.objects.filter(municipality=municipality, removed_on__isnull=True)
        .values("household__district_id")
        .annotate(n=Count("id"))
    )
    rows = [
        (
            places[r["household__district_id"]].district.name,
            to_meshcode(
                places[r["household__district_id"]].latitude,
                places[r["household__district_id"]].longitude,
                COVERAGE_LEVEL,
            ),
            r["n"],
        )
        for r in counts
        if r["household__district_id"] in places
    ]
    return pl.DataFrame(
        rows, schema={"area": pl.String, "mesh": pl.String, "population": pl.Int64}, orient="row"
    )


def district_coverage(municipality: Municipality, carrier: str, technology: str) -> list[dict[str, object]]:
    """Population coverage per district for one carrier and technology, assessed against the municipality's
    target (districts have no targets of their own)."""
    frame = population_coverage(
        district_population(municipality),
        cell_statuses(municipality, level=COVERAGE_LEVEL),
        carriers=[carrier],
        technologies=(technology,),
    )
    target = pick_target(
        _engine_targets(), [municipality.code, municipality.code[:2], NATIONAL], technology, _fiscal_year()
    )
    rows = []
    for row in frame.sort("lower_percent", nulls_last=True).iter_rows(named=True):
        verdict = (
            assess(row["lower_percent"], row["upper_percent"], target.target_percent)
            if target
            else "no_target"
        )
        rows.append({**row, "verdict": verdict})
    return rows


@dataclass(frozen=True, slots=True)
class AreaCoverage:
    """One carrier and technology in one area: population coverage bounds against the target in force."""

    carrier: str
    carrier_label: str
    technology: str
    population: int
    covered: int
    dead: int
    unknown: int
    lower_percent: float | None
    upper_percent: float | None
    target: EngineTarget | None
    verdict: str


def _engine_targets() -> list[EngineTarget]:
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
        for t in current_targets()
    ]


def area_coverage(municipality: Municipality) -> tuple[list[AreaCoverage], PopulationGrid]:
    """Population coverage of the municipality per carrier and technology, each against its own target
    (the municipality's, else its prefecture's, else the national one)."""
    grid = population_grid(municipality)
    carriers = [c.value for c in Carrier]
    table = population_coverage(
        grid.frame, cell_statuses(municipality, level=COVERAGE_LEVEL), carriers=carriers
    )
    targets = _engine_targets()
    areas = [municipality.code, municipality.code[:2], NATIONAL]
    year = _fiscal_year()
    labels = dict(Carrier.choices)
    result = []
    for row in table.iter_rows(named=True):
        target = pick_target(targets, areas, row["technology"], year)
        verdict = (
            assess(row["lower_percent"], row["upper_percent"], target.target_percent)
            if target
            else "no_target"
        )
        result.append(
            AreaCoverage(
                row["carrier"],
                str(labels[row["carrier"]]),
                row["technology"],
                row["population"],
                row["covered"],
                row["dead"],
                row["unknown"],
                row["lower_percent"],
                row["upper_percent"],
                target,
                verdict,
            )
        )
    return result, grid


def _fiscal_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


def published_cells(municipality: Municipality, *, level: int = 5) -> pl.DataFrame:
    """Cells for export and maps: status per carrier and technology; reporter counts below SUPPRESS_BELOW
    are withheld (null) so no report can be traced to a household."""
    cells = cell_statuses(municipality, level=level)
    return cells.with_columns(
        pl.when(pl.col("reporters") >= SUPPRESS_BELOW)
        .then(pl.col("reporters"))
        .otherwise(None)
        .alias("reporters"),
        pl.when(pl.col("reports") >= SUPPRESS_BELOW).then(pl.col("reports")).otherwise(None).alias("reports"),
    ).select("mesh", "carrier", "technology", "status", "evidence", "samples", "reporters", "reports")


def map_dataset(municipality: Municipality) -> Dataset | None:
    """The open-data catalog's dataset of this municipality's coverage map, if published once."""
    return opendata_queries.dataset_by_name_or_id(f"coverage-{municipality.code}")


def district_places(municipality: Municipality) -> QuerySet[DistrictPlace]:
    """The districts' representative points (for the map)."""
    return (
        DistrictPlace.objects.filter(municipality=municipality)
        .select_related("district")
        .order_by("district__code")
    )


@dataclass(frozen=True, slots=True)
class CellFacilities:
    """The places of the catalog's standard datasets in one 500 m cell, per kind (the word shown)."""

    by_kind: dict[str, list[str]]

    @property
    def count(self) -> int:
        return sum(len(names) for names in self.by_kind.values())

    def reasons(self) -> list[str]:
        out = []
        for kind, names in self.by_kind.items():
            every = [n for n in names if n]
            named = every[:3]
            more = "…" if len(every) > len(named) else ""
            out.append(f"{kind} {len(names)} か所" + (f"({'、'.join(named)}{more})" if named else ""))
        return out


def facilities_by_cell(municipality: Municipality) -> dict[str, CellFacilities]:
    """Schools, clinics, evacuation sites, AEDs… of the municipality's open-data catalog per 500 m cell
    (standard datasets with 緯度/経度; points outside Japan are left out)."""
    cells: dict[str, dict[str, list[str]]] = {}
    order = list(FACILITY_KINDS)
    points = opendata_queries.facility_points(municipality, tuple(FACILITY_KINDS))
    for point in sorted(points, key=lambda p: (order.index(p.kind), p.name)):
        if not in_japan(point.latitude, point.longitude):
            continue
        mesh = to_meshcode(point.latitude, point.longitude, COVERAGE_LEVEL)
        cells.setdefault(mesh, {}).setdefault(FACILITY_KINDS[point.kind], []).append(point.name)
    return {mesh: CellFacilities(kinds) for mesh, kinds in cells.items()}


def road_layer(municipality: Municipality) -> RoadLayer | None:
    """The roads in force (the latest loaded), if any."""
    return RoadLayer.objects.filter(municipality=municipality).order_by("-loaded_at", "-id").first()


@dataclass(frozen=True, slots=True)
class CensusSummary:
    cells: int
    population: int
    suppressed: int
    sources: list[str]


def census_summary(municipality: Municipality) -> CensusSummary:
    """What the loaded census population holds (no cell is listed)."""
    rows = CellPopulation.objects.filter(municipality=municipality)
    totals = rows.aggregate(n=Count("id"), people=Sum("population"))
    return CensusSummary(
        int(totals["n"] or 0),
        int(totals["people"] or 0),
        rows.filter(suppressed=True).count(),
        sorted(set(rows.values_list("source", flat=True))),
    )


def boundary_sets(municipality: Municipality) -> dict[str, BoundarySet]:
    """The boundaries in force (the latest version of each kind), by kind."""
    found: dict[str, BoundarySet] = {}
    for row in BoundarySet.objects.filter(municipality=municipality).order_by("-version"):
        found.setdefault(row.kind, row)
    return found


def boundary_history(municipality: Municipality) -> QuerySet[BoundarySet]:
    """Every imported version, newest first (without the geometry, which can be large)."""
    return (
        BoundarySet.objects.filter(municipality=municipality).defer("features").order_by("kind", "-version")
    )


def road_metres_by_cell(municipality: Municipality) -> dict[str, int]:
    """Metres of road per 500 m cell from the roads in force (empty when none are loaded)."""
    layer = road_layer(municipality)
    return {str(mesh): int(metres) for mesh, metres in layer.cells.items()} if layer else {}


@dataclass(frozen=True, slots=True)
class Priority:
    """A 500 m cell that is a dead zone for at least one carrier, with the people and places it affects and
    why."""

    mesh: str
    population: int
    carriers: list[str]
    technologies: list[str]
    reasons: list[str]
    facilities: int = 0
    road_metres: int = 0


def priorities(municipality: Municipality, *, limit: int = 50) -> list[Priority]:
    """Dead-zone cells ranked by the residents living in them, then by the catalog's facilities in them
    (evacuation sites, clinics, schools…), then by the length of imported roads, then by how many carriers
    fail there."""
    population = population_grid(municipality).frame.select("mesh", "population")
    dead = cell_statuses(municipality, level=COVERAGE_LEVEL).filter(pl.col("status") == "dead")
    if dead.is_empty():
        return []
    facilities = facilities_by_cell(municipality)
    roads = road_metres_by_cell(municipality)
    labels = dict(Carrier.choices)
    grouped = (
        dead.group_by("mesh")
        .agg(
            pl.col("carrier").unique().sort().alias("carriers"),
            pl.col("technology").unique().sort().alias("technologies"),
            pl.col("evidence").unique().sort().alias("evidence"),
            pl.col("reporters").max().alias("reporters"),
            pl.col("samples").max().alias("samples"),
        )
        .join(population, on="mesh", how="left")
        .with_columns(pl.col("population").fill_null(0))
        .with_columns(
            pl.col("carriers").list.len().alias("_n"),
            pl.col("mesh")
            .map_elements(lambda m: facilities[m].count if m in facilities else 0, return_dtype=pl.Int64)
            .alias("_facilities"),
            pl.col("mesh").map_elements(lambda m: roads.get(m, 0), return_dtype=pl.Int64).alias("_roads"),
        )
        .sort(
            ["population", "_facilities", "_roads", "_n", "mesh"], descending=[True, True, True, True, False]
        )
        .head(limit)
    )
    result = []
    for row in grouped.iter_rows(named=True):
        reasons = [f"住民 {row['population']} 人"]
        if row["mesh"] in facilities:
            reasons += facilities[row["mesh"]].reasons()
        if row["_roads"]:
            reasons.append(f"道路 約 {row['_roads']:,} m")
        if row["reporters"] >= SUPPRESS_BELOW:
            reasons.append(f"報告した世帯 {row['reporters']}")
        elif row["reporters"]:
            reasons.append(f"報告した世帯 {SUPPRESS_BELOW} 未満")
        if row["samples"]:
            reasons.append(f"測定 {row['samples']} 件")
        result.append(
            Priority(
                row["mesh"],
                row["population"],
                [str(labels.get(c, c)) for c in row["carriers"]],
                row["technologies"],
                reasons,
                row["_facilities"],
                row["_roads"],
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class LayerCoverage:
    """The population a carrier's or the Ministry's layer claims to cover: the municipality and each district,
    against the target in force (claimed figures, not evidence)."""

    layer: CoverageLayer
    population: int
    covered: int
    percent: float | None
    target: EngineTarget | None
    verdict: str  # met / not_met / no_target / no_population
    districts: list[dict[str, object]]


def latest_layers(municipality: Municipality) -> dict[tuple[str, str], CoverageLayer]:
    """The layer in force (the latest) per carrier and technology."""
    latest: dict[tuple[str, str], CoverageLayer] = {}
    for layer in CoverageLayer.objects.filter(municipality=municipality).order_by("-loaded_at", "-id"):
        latest.setdefault((layer.carrier, layer.technology), layer)
    return latest


def layer_in_force(municipality: Municipality, carrier: str, technology: str) -> CoverageLayer | None:
    """The latest layer of one carrier and technology, if any."""
    return (
        CoverageLayer.objects.filter(municipality=municipality, carrier=carrier, technology=technology)
        .order_by("-loaded_at", "-id")
        .first()
    )


@dataclass(frozen=True, slots=True)
class ClaimedDead:
    """A 500 m cell that a carrier's (or the Ministry's) layer claims covered while the confirmed evidence says
    it is dead for that carrier and technology."""

    mesh: str
    carrier: str
    carrier_label: str
    technology: str
    layer: CoverageLayer
    evidence: str
    samples: int
    reporters: int
    population: int


def claimed_but_dead(municipality: Municipality) -> list[ClaimedDead]:
    """Cells the layer in force claims covered but the evidence confirms dead, most residents first."""
    latest = latest_layers(municipality)
    if not latest:
        return []
    dead = cell_statuses(municipality, level=COVERAGE_LEVEL).filter(pl.col("status") == "dead")
    population = dict(population_grid(municipality).frame.select("mesh", "population").iter_rows())
    labels = dict(Carrier.choices)
    claimed = {key: set(layer.cells) for key, layer in latest.items()}
    found = [
        ClaimedDead(
            r["mesh"],
            r["carrier"],
            str(labels.get(r["carrier"], r["carrier"])),
            r["technology"],
            latest[(r["carrier"], r["technology"])],
            r["evidence"],
            int(r["samples"] or 0),
            int(r["reporters"] or 0),
            int(population.get(r["mesh"], 0)),
        )
        for r in dead.iter_rows(named=True)
        if r["mesh"] in claimed.get((r["carrier"], r["technology"]), set())
    ]
    return sorted(found, key=lambda c: (-c.population, c.mesh, c.carrier, c.technology))


def layer_coverage(municipality: Municipality) -> list[LayerCoverage]:
    """For the latest layer of each carrier and technology: population covered by it, in the municipality
    (the population grid of the overview) and per district (registry at representative points)."""
    latest = latest_layers(municipality)
    if not latest:
        return []
    grid, districts = population_grid(municipality).frame, district_population(municipality)
    targets, year = _engine_targets(), _fiscal_year()
    areas = [municipality.code, municipality.code[:2], NATIONAL]
    out = []
    for (carrier, technology), layer in sorted(latest.items()):
        status = pl.DataFrame(
            {"mesh": layer.cells, "carrier": carrier, "technology": technology, "status": "covered"},
            schema={"mesh": pl.String, "carrier": pl.String, "technology": pl.String, "status": pl.String},
        )
        town = population_coverage(grid, status, carriers=[carrier], technologies=(technology,))
        population = int(town["population"].sum()) if town.height else 0
        covered = int(town["covered"].sum()) if town.height else 0
        percent = covered / population * 100 if population else None
        target = pick_target(targets, areas, technology, year)
        if percent is None:
            verdict = "no_population"
        elif target is None:
            verdict = "no_target"
        else:
            verdict = "met" if percent >= target.target_percent else "not_met"
        per_district = population_coverage(districts, status, carriers=[carrier], technologies=(technology,))
        out.append(
            LayerCoverage(
                layer,
                population,
                covered,
                percent,
                target,
                verdict,
                list(per_district.sort("lower_percent", nulls_last=True).iter_rows(named=True)),
            )
        )
    return out


def challenges(municipality: Municipality) -> QuerySet[Challenge]:
    """The municipality's challenges, newest first, with their cells."""
    return Challenge.objects.filter(municipality=municipality).prefetch_related("cells")


def challenge(municipality: Municipality, challenge_id: int) -> Challenge | None:
    """One challenge of the municipality (None for another's)."""
    return Challenge.objects.filter(municipality=municipality, pk=challenge_id).first()


def challenge_cell(challenge: Challenge, cell_id: int) -> ChallengeCell | None:
    return ChallengeCell.objects.filter(challenge=challenge, pk=cell_id).select_related("challenge").first()


@dataclass(frozen=True, slots=True)
class DeadCell:
    """A confirmed dead-zone 500 m cell for one carrier and technology, offered for a challenge."""

    mesh: str
    carrier: str
    carrier_label: str
    technology: str
    evidence: str
    population: int


def dead_cells(municipality: Municipality) -> list[DeadCell]:
    """Every confirmed dead 500 m cell per carrier and technology, most people first."""
    population = dict(population_grid(municipality).frame.select("mesh", "population").iter_rows())
    labels = dict(Carrier.choices)
    dead = cell_statuses(municipality, level=COVERAGE_LEVEL).filter(pl.col("status") == "dead")
    cells = [
        DeadCell(
            r["mesh"],
            r["carrier"],
            str(labels.get(r["carrier"], r["carrier"])),
            r["technology"],
            r["evidence"],
            population.get(r["mesh"], 0),
        )
        for r in dead.iter_rows(named=True)
    ]
    return sorted(cells, key=lambda c: (-c.population, c.mesh, c.carrier, c.technology))


def report_challenges(report: DeadZoneReport) -> list[ChallengeCell]:
    """The challenge cells a resident's report speaks for: the report's 500 m cell put to its carrier (a
    report of no signal on 4G speaks for 5G too, as in the evidence)."""
    if not report.mesh_code:
        return []
    technologies = {"5G" if report.problem == "no_5g" else report.technology}
    if report.problem == "no_signal" and report.technology == "4G":
        technologies.add("5G")
    return list(
        ChallengeCell.objects.filter(
            challenge__municipality=report.municipality,
            challenge__carrier=report.carrier,
            challenge__technology__in=technologies,
            mesh_code=report.mesh_code[:9],
        )
        .select_related("challenge")
        .order_by("challenge__created_at", "pk")
    )


@dataclass(frozen=True, slots=True)
class PrefectureLayerCoverage:
    """The population the latest layers claim to cover in a prefecture: the sum over its municipalities that
    have a layer of that carrier and technology (and a population grid), against the prefecture's target."""

    carrier: str
    carrier_label: str
    technology: str
    municipalities: int  # with a layer and people on the grid
    of_municipalities: int  # in the prefecture, all
    population: int
    covered: int
    percent: float | None
    target: EngineTarget | None
    verdict: str  # met / not_met / no_target / no_population


def prefecture_layer_coverage(prefecture_code: str) -> list[PrefectureLayerCoverage]:
    """Per carrier and technology: population covered by each municipality's latest layer, summed over the
    prefecture's municipalities (each municipality's population grid, as on its own page). Municipalities
    without a layer are counted in `of_municipalities` only, so a partial figure is visible as such."""
    towns = list(
        Municipality.objects.filter(prefecture_code=prefecture_code).exclude(
            kind=Municipality.Kind.PREFECTURE
        )
    )
    latest: dict[tuple[str, str], dict[str, CoverageLayer]] = {}
    for layer in CoverageLayer.objects.filter(municipality__in=towns).order_by("-loaded_at", "-id"):
        latest.setdefault((layer.carrier, layer.technology), {}).setdefault(layer.municipality_id, layer)
    grids: dict[str, pl.DataFrame] = {}
    targets, year = _engine_targets(), _fiscal_year()
    labels = dict(Carrier.choices)
    out = []
    for (carrier, technology), layers in sorted(latest.items()):
        population = covered = counted = 0
        for town in towns:
            town_layer = layers.get(town.pk)
            if town_layer is None:
                continue
            if town.pk not in grids:
                grids[town.pk] = population_grid(town).frame
            grid = grids[town.pk]
            if not grid.height:
                continue
            inside = grid.filter(pl.col("mesh").is_in(town_layer.cells))
            population += int(grid["population"].sum())
            covered += int(inside["population"].sum()) if inside.height else 0
            counted += 1
        percent = covered / population * 100 if population else None
        target = pick_target(targets, [prefecture_code, NATIONAL], technology, year)
        if percent is None:
            verdict = "no_population"
        elif target is None:
            verdict = "no_target"
        else:
            verdict = "met" if percent >= target.target_percent else "not_met"
        out.append(
            PrefectureLayerCoverage(
                carrier,
                str(labels.get(carrier, carrier)),
                technology,
                counted,
                len(towns),
                population,
                covered,
                percent,
                target,
                verdict,
            )
        )
    return out


def municipalities_with_old_places(before: date) -> QuerySet[Municipality]:
    """Municipalities with reports made before `before` that still hold an exact place."""
    old = (
        DeadZoneReport.objects.filter(created_at__date__lt=before)
        .exclude(latitude__isnull=True, address_detail="")
        .values("municipality")
    )
    return Municipality.objects.filter(pk__in=old).order_by("code")
