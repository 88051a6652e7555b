"""Coverage demo for 緑川市: district points, the shipped targets, residents' reports and a drive test.

The town is fictional; its districts are placed in the hills of northern Hiroshima (a box around 34.8°N,
132.85°E) so the grid looks like a real rural town. Signal comes from a few fictional base stations per
carrier: the old villages in the north-east (大字君田, 大字横田, 大字作木) are a dead zone for some carriers,
which the reports and the drive test agree on. Deterministic from a seed; a second load changes nothing.
"""

from __future__ import annotations

import json
import math
import random
from datetime import date, datetime, timedelta
from pathlib import Path

from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.coverage.actions import (
    PlaceInput,
    ReportInput,
    import_boundaries,
    import_coverage_layer,
    import_measurement_file,
    import_road_layer,
    load_targets,
    open_challenge,
    record_challenge_answer,
    set_places,
    submit_report,
    triage_report,
)
from chiiki.coverage.grid import Extent
from chiiki.coverage.models import DeadZoneReport, TargetTable
from chiiki.coverage.queries import dead_cells
from chiiki.demo.residents import DISTRICTS
from chiiki.registry.models import District

ACTOR = Actor.system("chiiki demo load")
CENTRE = (34.800, 132.850)
EXTENT = Extent(34.740, 132.770, 34.880, 132.960)
SOURCE = "デモ用の架空の代表点(緑川市は架空の市です)"
# (district code -> offset in km north, east of the centre)
OFFSETS: dict[str, tuple[float, float]] = {
    "001": (0.0, 0.0),
    "002": (0.4, 0.3),
    "003": (-0.3, 0.4),
    "004": (-0.5, -0.4),
    "005": (-0.8, -0.2),
    "006": (0.8, -0.6),
    "007": (1.1, -0.3),
    "010": (-2.5, -3.0),
    "011": (-3.5, -1.5),
    "012": (1.0, -3.5),
    "013": (1.5, 2.5),
    "014": (-2.0, 2.8),
    "015": (3.0, 0.5),
    "016": (-4.5, 1.5),
    "017": (4.5, -2.5),
    "018": (5.5, 3.0),
    "019": (6.0, 5.0),
    "020": (5.0, 6.5),
    "021": (6.5, 7.0),
    "022": (7.2, 8.0),
}
# Fictional base stations: carrier -> (north km, east km, range km, has 5G)
STATIONS: dict[str, list[tuple[float, float, float, bool]]] = {
    "docomo": [(0.0, 0.0, 4.0, True), (-3.0, -2.0, 3.5, False), (4.0, -2.0, 3.0, False)],
    "au": [(0.2, 0.2, 4.5, True), (-3.0, 2.0, 3.5, False), (5.5, 4.0, 3.0, False)],
    "softbank": [(0.0, 0.3, 4.0, True), (3.0, 0.0, 3.5, False)],
    "rakuten": [(0.0, 0.0, 2.5, True)],
}
DEAD_ZONE_DISTRICTS = ("022", "021", "020")


def _point(north_km: float, east_km: float) -> tuple[float, float]:
    lat = CENTRE[0] + north_km / 111.0
    lon = CENTRE[1] + east_km / (111.0 * math.cos(math.radians(CENTRE[0])))
    return round(lat, 6), round(lon, 6)


def _signal(carrier: str, north: float, east: float) -> tuple[str, float | None]:
    """Technology and RSRP at a point from the nearest station of the carrier."""
    best: tuple[str, float | None] = ("none", None)
    for s_north, s_east, reach, has_5g in STATIONS[carrier]:
        distance = math.hypot(north - s_north, east - s_east)
        if distance > reach:
            continue
        rsrp = round(-70 - 12 * distance, 1)
        tech = "5G" if has_5g and distance < reach / 2 else "4G"
        if best[1] is None or rsrp > best[1]:
            best = (tech, rsrp)
    return best


def _drive_log(rng: random.Random) -> bytes:
    """A drive test along the valley road from the centre to 大字君田 (a stop there), then south; every 15 s,
    four phones."""
    lines = ["measured_at,latitude,longitude,carrier,technology,rsrp,rsrq,sinr,download_mbps,upload_mbps"]
    start = datetime(2026, 10, 20, 9, 0, 0)  # written as the phones write it: local time, no zone  # noqa: DTZ001
    out = [(7.2 * i / 60, 8.0 * i / 60, 0.05) for i in range(61)]
    parked = [(7.2, 8.0, 0.0)] * 6  # a stationary test at 大字君田's meeting hall
    back = [(-4.5 * i / 30, 1.5 * i / 30, 0.05) for i in range(31)]
    for step, (north, east, jitter) in enumerate(out + parked + back):
        lat, lon = _point(north + rng.uniform(-jitter, jitter), east + rng.uniform(-jitter, jitter))
        drive_back = (
            30 * 60 if step >= len(out) + len(parked) else 0
        )  # half an hour to drive back to the centre
        stamp = (start + timedelta(seconds=15 * step + drive_back)).strftime("%Y-%m-%d %H:%M:%S")
        for carrier in STATIONS:
            tech, rsrp = _signal(carrier, north, east)
            speed = "" if rsrp is None else f"{max(0.5, (rsrp + 125) * 1.5):.1f}"
            lines.append(
                f"{stamp},{lat},{lon},{carrier},{tech},{'' if rsrp is None else rsrp},-11,8,{speed},{speed and '5.0'}"
            )
    lines.append(lines[-1])  # a duplicate sample, as logs have
    return ("\n".join(lines) + "\n").encode()


def _reports(municipality: Municipality, rng: random.Random, present: set[str]) -> int:
    """Residents' reports: three households of 大字君田 agree (a confirmed dead zone), others are scattered."""
    count = 0
    plan = [("022", "docomo", "4G", "no_signal", f"{n}番地", "accepted") for n in (3, 15, 27)]
    plan += [
        ("021", "rakuten", "4G", "no_signal", "8番地", "accepted"),
        ("020", "au", "5G", "no_5g", "", "received"),
    ]
    codes = sorted(present)
    for i in range(15):
        plan.append(
            (
                rng.choice(codes),
                rng.choice(["docomo", "au", "softbank", "rakuten"]),
                "4G",
                rng.choice(["calls_drop", "data_unusable"]),
                f"{rng.randint(1, 300)}番地",
                rng.choice(["received", "received", "rejected", "duplicate"]),
            )
        )
        del i
    for district, carrier, tech, problem, address, status in plan:
        if district not in present:
            continue
        report = submit_report(
            municipality,
            ReportInput(
                carrier=carrier,
                technology=tech,
                problem=problem,
                place_kind=rng.choice(["indoor", "outdoor", "road"]),
                frequency="always" if problem == "no_signal" else "often",
                observed_on=date(2026, 11, 1) - timedelta(days=rng.randint(0, 60)),
                time_band=rng.choice(["morning", "daytime", "evening", "night"]),
                district_code=district,
                address_detail=address,
                channel=rng.choice(
                    [DeadZoneReport.Channel.WEB, DeadZoneReport.Channel.WEB, DeadZoneReport.Channel.PHONE]
                ),
            ),
            by=ACTOR,
        )
        if status != "received":
            note = "携帯電話会社に改善を求める証拠として使います。" if status == "accepted" else ""
            triage_report(report, status=status, staff_note="デモ", public_note=note, by=ACTOR)
        count += 1
    return count


def load_coverage_demo(municipality: Municipality, *, seed: int = 2025) -> int:
    """Fill the coverage app for the demo town once; returns the number of reports made (0 when already there)."""
    if TargetTable.objects.first() is None:
        shipped = Path(__file__).resolve().parents[1] / "coverage" / "data" / "targets.csv"
        load_targets(shipped.read_bytes(), version="2026-12-shipped", by=ACTOR)
    if DeadZoneReport.objects.filter(municipality=municipality).exists():
        return 0
    present = set(District.objects.filter(municipality=municipality).values_list("code", flat=True))
    places = [PlaceInput(code, *_point(*OFFSETS[code])) for code, *_ in DISTRICTS if code in present]
    set_places(municipality, places, EXTENT, source=SOURCE, by=ACTOR)
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by design, not a secret
    made = _reports(municipality, rng, present)
    import_measurement_file(municipality, "drive-test-2026-10-20.csv", _drive_log(rng), by=ACTOR)
    import_coverage_layer(
        municipality,
        _claimed_layer(),
        carrier="docomo",
        technology="4G",
        source="デモ: 事業者の公表エリアを模した架空のデータ",
        original_name="docomo-4g-demo.geojson",
        by=ACTOR,
    )
    import_boundaries(
        municipality,
        _boundary_file(None),
        kind="municipality",
        source=BOUNDARY_SOURCE,
        original_name="outline-demo.geojson",
        by=ACTOR,
    )
    import_boundaries(
        municipality,
        _boundary_file(present),
        kind="districts",
        source=BOUNDARY_SOURCE,
        original_name="districts-demo.geojson",
        by=ACTOR,
    )
    import_road_layer(
        municipality,
        _roads(),
        source="デモ: 町道を模した架空の線",
        original_name="roads-demo.geojson",
        by=ACTOR,
    )
    _challenge(municipality)
    return made


BOUNDARY_SOURCE = "デモ: 架空の市区町村・地区の境界(緑川市は架空の市です)"
# The made-up town outline, an irregular octagon in km (north, east) around the centre, inside EXTENT.
OUTLINE_KM = [
    (-6.0, -6.5),
    (-6.4, 0.5),
    (-5.0, 6.0),
    (1.0, 9.5),
    (8.5, 9.5),
    (8.6, 3.0),
    (5.0, -6.8),
    (-1.0, -7.0),
]


def _clip(
    polygon: list[tuple[float, float]], a: tuple[float, float], b: tuple[float, float]
) -> list[tuple[float, float]]:
    """The part of a convex polygon nearer to point a than to point b (one Sutherland-Hodgman step)."""
    nx, ny = b[0] - a[0], b[1] - a[1]
    limit = (b[0] ** 2 + b[1] ** 2 - a[0] ** 2 - a[1] ** 2) / 2

    def side(p: tuple[float, float]) -> float:
        return p[0] * nx + p[1] * ny - limit  # negative: nearer to a

    out: list[tuple[float, float]] = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        sp, sq = side(p), side(q)
        if sp <= 0:
            out.append(p)
        if (sp < 0 < sq) or (sq < 0 < sp):
            t = sp / (sp - sq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def _ring(points_km: list[tuple[float, float]]) -> list[list[float]]:
    ring = [[lon, lat] for lat, lon in (_point(n, e) for n, e in points_km)]
    return [*ring, ring[0]]


def _boundary_file(present: set[str] | None) -> bytes:
    """The town's outline (present None), or its districts as the Voronoi cells of their representative points
    cut by the outline, named as in the registry (e-Stat 小地域 properties: KEY_CODE, S_NAME)."""
    if present is None:
        features = [
            {
                "type": "Feature",
                "properties": {"N03_004": "緑川市", "N03_007": "349992"},
                "geometry": {"type": "Polygon", "coordinates": [_ring(OUTLINE_KM)]},
            }
        ]
    else:
        names = {code: name for code, name, *_ in DISTRICTS}
        codes = [code for code in OFFSETS if code in present]
        features = []
        for code in codes:
            polygon = list(OUTLINE_KM)
            for other in codes:
                if other != code and polygon:
                    polygon = _clip(polygon, OFFSETS[code], OFFSETS[other])
            if len(polygon) >= 3:
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"KEY_CODE": f"34999200{code}", "S_NAME": names[code]},
                        "geometry": {"type": "Polygon", "coordinates": [_ring(polygon)]},
                    }
                )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()


def _roads() -> bytes:
    """A made-up road from the town centre up the valley to the northern hills (大字君田), and a branch east."""
    main = [_point(north, 0.3 * north) for north in (0.0, 2.0, 4.0, 5.5, 6.5, 7.2)]
    branch = [_point(5.5, 1.6), _point(5.5, 4.0), _point(6.0, 6.5)]
    features = [
        {
            "type": "Feature",
            "properties": {"name": name},
            "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in line]},
        }
        for name, line in (("町道1号(架空)", main), ("町道2号(架空)", branch))
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _challenge(municipality: Municipality) -> None:
    """One challenge to docomo over the confirmed 4G dead zone of 大字君田, answered, one cell still pending."""
    dead = [c for c in dead_cells(municipality) if (c.carrier, c.technology) == ("docomo", "4G")]
    if not dead:
        return
    challenge = open_challenge(
        municipality,
        carrier="docomo",
        technology="4G",
        meshes=[c.mesh for c in dead[:3]],
        answer_due=timezone.localdate() + timedelta(days=60),
        note="住民の報告と走行測定で確認した不感区画です。対策の予定をお知らせください。",
        by=ACTOR,
    )
    record_challenge_answer(
        challenge,
        answer="デモ: 基地局の設置を検討します。一部の区画は当社の測定では圏内です。",
        answered_on=timezone.localdate(),
        by=ACTOR,
    )


def _claimed_layer() -> bytes:
    """A made-up carrier area for the demo: a polygon over the extent's southern two thirds (the hills in the
    north are left out, as a carrier's map might)."""
    north = EXTENT.south + (EXTENT.north - EXTENT.south) * 2 / 3
    ring = [
        [EXTENT.west, EXTENT.south],
        [EXTENT.east, EXTENT.south],
        [EXTENT.east, north],
        [EXTENT.west, north],
        [EXTENT.west, EXTENT.south],
    ]
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
