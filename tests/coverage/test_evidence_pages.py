"""Measurements imported as a background job, coverage against targets, exports, the target command."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.actions import ReportInput, submit_report, triage_report
from chiiki.coverage.grid import parse_meshcode, to_meshcode
from chiiki.coverage.models import DeadZoneReport, Measurement, MeasurementImport, TargetTable
from chiiki.coverage.tasks import import_uploaded_measurements
from chiiki.registry.models import District

pytestmark = pytest.mark.django_db

HEADER = "measured_at,latitude,longitude,carrier,technology,rsrp,rsrq,sinr,download_mbps,upload_mbps\n"


def _upload(
    client: Client, town: Municipality, content: bytes, capture: Callable[..., Any]
) -> MeasurementImport:
    from django_tasks_db.models import DBTaskResult

    with capture(execute=True):
        response = client.post(
            f"/staff/m/{town.code}/coverage/measurements/", {"file": SimpleUploadedFile("drive.csv", content)}
        )
    assert response.status_code == 302
    upload = MeasurementImport.objects.latest("queued_at")
    assert upload.status == MeasurementImport.Status.QUEUED
    queued = DBTaskResult.objects.filter(task_path__endswith="import_uploaded_measurements").latest(
        "enqueued_at"
    )
    import_uploaded_measurements.call(*queued.args_kwargs["args"])  # as the worker would
    upload.refresh_from_db()
    return upload


def _district_point(town: Municipality, index: int) -> tuple[str, float, float]:
    district = District.objects.filter(municipality=town).order_by("code")[index]
    place = district.coverage_place
    return district.code, place.latitude, place.longitude


def test_a_measurement_log_is_imported_by_the_worker_and_noise_is_reported(
    placed_town: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    _, lat, lon = _district_point(placed_town, 0)
    rows = [f"2026-11-03 10:00:{i:02d},{lat},{lon},au,圏外,,,,," for i in range(4)]
    rows.append(f"2026-11-03 10:00:10,{lat},{lon},au,4G,-200,,,,")  # impossible RSRP
    upload = _upload(
        client,
        placed_town,
        (HEADER + "\n".join(rows) + "\n").encode("cp932"),
        django_capture_on_commit_callbacks,
    )
    assert upload.status == MeasurementImport.Status.DONE, upload.message
    assert "4 件を取り込みました" in upload.message
    assert "ありえない測定値 1 件" in upload.message
    assert Measurement.objects.filter(municipality=placed_town).count() == 4
    assert Measurement.objects.first().mesh_code == to_meshcode(lat, lon, 5)  # type: ignore[union-attr]
    page = client.get(f"/staff/m/{placed_town.code}/coverage/measurements/").content.decode()
    assert "ありえない測定値 1 件" in page


def test_a_bad_log_fails_the_job_with_row_and_column_and_stores_nothing(
    placed_town: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    content = (
        HEADER
        + "2026-11-03 10:00:00,34.41,132.52,au,4G,-90,,,,\n2026-11-03 10:00:05,34.41,132.52,mvno,4G,-90,,,,\n"
    ).encode()
    upload = _upload(client, placed_town, content, django_capture_on_commit_callbacks)
    assert upload.status == MeasurementImport.Status.FAILED
    assert "3 行目の carrier 列: 「mvno」を読めません" in upload.message
    assert not Measurement.objects.exists()


def _accepted_report(town: Municipality, district_code: str, address: str) -> DeadZoneReport:
    from datetime import date

    report = submit_report(
        town,
        ReportInput(
            carrier="docomo",
            technology="4G",
            problem="no_signal",
            place_kind="indoor",
            frequency="always",
            observed_on=date(2026, 11, 1),
            time_band="evening",
            district_code=district_code,
            address_detail=address,
        ),
        by=Actor.system("test"),
    )
    return triage_report(report, status="accepted", staff_note="", public_note="", by=Actor.system("test"))


def test_coverage_against_target_map_table_and_exports(
    placed_town: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    code, _, _ = _district_point(placed_town, 0)
    _accepted_report(placed_town, code, "1番地")
    _accepted_report(placed_town, code, "2番地")  # a second household: a confirmed dead zone
    page = client.get(f"/staff/m/{placed_town.code}/coverage/?carrier=docomo&technology=4G")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script" not in html
    assert "広島県 2030年度 99.0%" in html  # 5G: the prefecture's (unverified) target applies
    assert "全国 2023年度 100.0%" in html  # 4G: the national goal
    assert "未達" in html  # a dead zone with residents in it: 4G below 100 %
    dead_cell = to_meshcode(*_place(placed_town, 0), 5)
    assert f"<td>{dead_cell}</td><td>つながらない</td><td>住民の報告</td>" in html
    assert 'fill="url(#dead-hatch)"' in html
    priority = to_meshcode(*_place(placed_town, 0), 4)
    assert re.search(
        rf'<td class="number">1</td><td>{priority}</td><td class="number">[1-9][0-9]*</td><td>NTTドコモ</td><td>4G、5G</td><td>住民 [0-9]+ 人、報告した世帯 3 未満</td>',
        html,
    ), html
    assert "<caption" in html
    # report states in words, each linking to its list (never the code as the word)
    assert re.search(r'\?status=accepted">確認し、証拠として採用しました</a>: 2 件', html), html
    assert ">accepted<" not in html

    csv = client.get(f"/staff/m/{placed_town.code}/coverage/cells.csv").content.decode("utf-8-sig")
    header, *lines = csv.strip().splitlines()
    assert header == "mesh,carrier,technology,status,evidence,samples,reporters,reports"
    assert any(
        line.startswith(f"{dead_cell},docomo,4G,dead,住民の報告,0,,") for line in lines
    )  # 2 < 3: withheld

    geo = json.loads(client.get(f"/staff/m/{placed_town.code}/coverage/cells.geojson").content)
    feature = next(
        f
        for f in geo["features"]
        if f["properties"]["mesh"] == dead_cell and f["properties"]["technology"] == "4G"
    )
    cell = parse_meshcode(dead_cell)
    assert feature["geometry"]["coordinates"][0][0] == [cell.west, cell.south]
    assert feature["properties"]["reporters"] is None
    assert "1番地" not in json.dumps(geo, ensure_ascii=False)


def _place(town: Municipality, index: int) -> tuple[float, float]:
    _, lat, lon = _district_point(town, index)
    return lat, lon


def test_the_target_table_reloads_with_a_diff_and_unchanged_content_keeps_the_version(tmp_path: Any) -> None:
    out = StringIO()
    call_command("coverage_targets", stdout=out)
    assert "版 2026-12-shipped を読み込みました" in out.getvalue()
    out = StringIO()
    call_command("coverage_targets", stdout=out)
    assert "変更はありません" in out.getvalue()
    assert TargetTable.objects.count() == 1

    from chiiki.coverage.management.commands.coverage_targets import SHIPPED

    changed = SHIPPED.read_text(encoding="utf-8").replace("34,広島県,5G,2030,99,", "34,広島県,5G,2030,98.5,")
    path = tmp_path / "targets.csv"
    path.write_text(changed, encoding="utf-8")
    out = StringIO()
    call_command("coverage_targets", str(path), "--table-version", "2027-04", stdout=out)
    assert "~ 広島県 5G 2030年度: target_percent: 99.0 → 98.5" in out.getvalue()
    assert TargetTable.objects.first().changes == ["~ 広島県 5G 2030年度: target_percent: 99.0 → 98.5"]  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="coverage.targets_loaded").count() == 2

    path.write_text(changed.replace("98.5", "150"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"target_percent 列: 150\.0 は 0〜100 の範囲外"):
        call_command("coverage_targets", str(path), "--table-version", "2027-05", stdout=StringIO())
    assert TargetTable.objects.count() == 2


def test_targets_page_shows_version_diff_and_unverified_rows(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    html = (
        login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
        .get(f"/staff/m/{placed_town.code}/coverage/targets/")
        .content.decode()
    )
    assert "2026-12-shipped" in html
    assert "未確認" in html
    assert "確認済み" in html


def test_the_api_gives_aggregates_only_and_checks_the_role(
    placed_town: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    code, _, _ = _district_point(placed_town, 0)
    _accepted_report(placed_town, code, "1番地")
    _accepted_report(placed_town, code, "2番地")
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    cells = client.get(f"/api/v1/coverage/municipalities/{placed_town.code}/cells?level=4").json()
    assert {(c["carrier"], c["technology"], c["status"]) for c in cells} >= {("docomo", "4G", "dead")}
    assert all(len(c["mesh"]) == 9 for c in cells)
    assert all(c["reporters"] is None for c in cells)  # two households: withheld
    coverage = client.get(f"/api/v1/coverage/municipalities/{placed_town.code}/coverage").json()
    docomo_4g = next(r for r in coverage if r["carrier"] == "docomo" and r["technology"] == "4G")
    assert docomo_4g["verdict"] == "not_met"
    assert (docomo_4g["target_area"], docomo_4g["target_percent"]) == ("全国", 100.0)
    assert client.get(f"/api/v1/coverage/municipalities/{placed_town.code}/cells?level=3").status_code == 400
    assert client.get(f"/api/v1/coverage/municipalities/{town_b.code}/cells").status_code == 403
    assert Client().get(f"/api/v1/coverage/municipalities/{placed_town.code}/cells").status_code in (401, 403)


def test_districts_are_listed_weakest_first(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    call_command("coverage_targets", stdout=StringIO())
    code, _, _ = _district_point(placed_town, 0)
    _accepted_report(placed_town, code, "1番地")
    _accepted_report(placed_town, code, "2番地")
    name = District.objects.get(municipality=placed_town, code=code).name
    html = (
        login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
        .get(f"/staff/m/{placed_town.code}/coverage/districts/?carrier=docomo&technology=4G")
        .content.decode()
    )
    first_row = html.split("<tbody>")[1].split("</tr>")[0]
    assert f"<td>{name}</td>" in first_row
    assert (
        '<td class="number">0.0</td><td class="number">0.0</td>' in first_row
    )  # everyone there is in the dead cell
    assert "未達" in first_row
    # Without a choice in the address the page shows NTTドコモ 4G (a default once reached Polars as an object).
    plain = login(make_staff("coverage-2", placed_town, Role.COVERAGE_OFFICER)).get(
        f"/staff/m/{placed_town.code}/coverage/districts/"
    )
    assert plain.status_code == 200
    assert "未達" in plain.content.decode()
