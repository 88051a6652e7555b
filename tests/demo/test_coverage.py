"""The coverage demo: reports, a drive test, a confirmed dead zone, targets; loading twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chiiki.core.models import Municipality, Role, User
from chiiki.coverage import queries
from chiiki.coverage.models import (
    BoundarySet,
    Challenge,
    DeadZoneReport,
    Measurement,
    MeasurementImport,
    TargetTable,
)
from chiiki.demo.coverage import DEAD_ZONE_DISTRICTS, load_coverage_demo
from chiiki.registry.models import District

pytestmark = pytest.mark.django_db


def test_the_demo_town_has_evidence_and_a_confirmed_dead_zone(
    db: None, make_staff: Callable[..., User], login: Callable[..., Any]
) -> None:
    from chiiki.core.acting import Actor
    from chiiki.demo import residents as synthetic
    from chiiki.registry.actions import import_registry

    town = Municipality.objects.create(
        code="349992", prefecture_code="34", prefecture="広島県", name="緑川市", kind="city"
    )
    import_registry(town, synthetic.generate(persons=400, seed=3), by=Actor.system("test"))
    assert load_coverage_demo(town) == 20
    assert TargetTable.objects.count() == 1
    upload = MeasurementImport.objects.get(municipality=town)
    assert upload.status == MeasurementImport.Status.DONE
    assert "重複 1 件" in upload.message
    assert Measurement.objects.filter(municipality=town).count() > 300
    dead = queries.cell_statuses(town, level=5).filter(status="dead")
    kimita = DeadZoneReport.objects.filter(municipality=town, district__code=DEAD_ZONE_DISTRICTS[0]).first()
    assert kimita is not None
    confirmed = dead.filter(mesh=kimita.mesh_code, carrier="docomo", technology="4G").row(0, named=True)
    assert confirmed["evidence"] == "測定と住民の報告"
    rows, grid = queries.area_coverage(town)
    assert grid.unplaced == 0
    docomo_4g = next(r for r in rows if r.carrier == "docomo" and r.technology == "4G")
    assert docomo_4g.dead > 0
    assert docomo_4g.verdict == "not_met"
    claimed = queries.layer_coverage(town)  # the carrier's (made-up) area leaves the northern hills out
    assert [(c.layer.carrier, c.layer.technology) for c in claimed] == [("docomo", "4G")]
    assert 0 < claimed[0].covered < claimed[0].population
    challenge = Challenge.objects.get(municipality=town)  # one challenge, answered, its cells pending
    assert (challenge.carrier, challenge.technology, challenge.status) == ("docomo", "4G", "answered")
    assert kimita.mesh_code[:9] in {c.mesh_code for c in challenge.cells.all()}
    reporters = DeadZoneReport.objects.filter(
        district__code=DEAD_ZONE_DISTRICTS[0], carrier="docomo", status="accepted"
    )
    assert reporters.count() == 3
    assert all(queries.report_challenges(r)[0].challenge == challenge for r in reporters)

    outlines = queries.boundary_sets(town)  # a made-up outline and districts named as in the registry
    assert [(f["code"], f["name"]) for f in outlines["municipality"].features] == [("349992", "緑川市")]
    district_names = {f["name"] for f in outlines["districts"].features}
    assert kimita.district is not None
    assert kimita.district.name in district_names
    assert len(district_names) == District.objects.filter(municipality=town).count()
    client = login(make_staff("coverage", town, Role.COVERAGE_OFFICER))
    html = client.get(f"/staff/m/{town.code}/coverage/?carrier=docomo&technology=4G").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="municipality-outline"') == 1
    assert svg.count('class="district-outline"') == len(district_names)
    assert f"<td>{kimita.district.name}</td>" in html[html.index("地図の区画の一覧") :]

    assert load_coverage_demo(town) == 0
    assert BoundarySet.objects.filter(municipality=town).count() == 2
    assert DeadZoneReport.objects.filter(municipality=town).count() == 20
    assert MeasurementImport.objects.filter(municipality=town).count() == 1
    assert len(queries.layer_coverage(town)) == 1
    assert Challenge.objects.count() == 1
