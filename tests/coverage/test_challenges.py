"""Challenges to carriers (issue 16, point 5): confirmed dead cells bundled, the evidence pack (ZIP with GeoJSON,
CSV and a PDF with a map), the carrier's answer and deadline, each cell resolved or disputed, and the residents
who reported seeing the outcome."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.actions import ChallengeError, ReportInput, open_challenge, submit_report, triage_report
from chiiki.coverage.models import Challenge, ChallengeCell, DeadZoneReport
from chiiki.registry.models import District

pytestmark = pytest.mark.django_db


def _accepted(town: Municipality, district: str, address: str, carrier: str = "docomo") -> DeadZoneReport:
    report = submit_report(
        town,
        ReportInput(
            carrier=carrier,
            technology="4G",
            problem="no_signal",
            place_kind="indoor",
            frequency="always",
            observed_on=date(2026, 11, 1),
            time_band="evening",
            district_code=district,
            address_detail=address,
        ),
        by=Actor.system("test"),
    )
    return triage_report(report, status="accepted", staff_note="", public_note="", by=Actor.system("test"))


def _first_district(town: Municipality) -> str:
    return District.objects.filter(municipality=town).order_by("code").values_list("code", flat=True)[0]


def test_staff_bundle_dead_cells_download_the_pack_record_the_answer_and_residents_see_the_outcome(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    district = _first_district(placed_town)
    first = _accepted(placed_town, district, "1番地")
    _accepted(placed_town, district, "2番地")  # a second household: confirmed
    mesh = first.mesh_code[:9]
    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    base = f"/staff/m/{placed_town.code}/coverage/challenges/"

    page = client.get(base).content.decode()
    assert mesh in page
    assert "申し入れを作る" in page
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    response = client.post(
        base,
        {
            "carrier": "docomo",
            "technology": "4G",
            "meshes": [mesh],
            "answer_due": due,
            "note": "改善を求めます",
        },
    )
    assert response.status_code == 302, response.content.decode()
    challenge = Challenge.objects.get()
    assert response["Location"].endswith(f"{base}{challenge.pk}/")
    cell = challenge.cells.get()
    assert (cell.mesh_code, cell.reporters, cell.evidence) == (mesh, 2, "住民の報告")
    assert AuditEvent.objects.filter(action="coverage.challenge_opened", object_id=str(challenge.pk)).exists()

    # The evidence pack: aggregates only, households below 3 withheld, a PDF with the Japanese font embedded.
    pack = client.get(f"{base}{challenge.pk}/evidence.zip")
    assert pack.status_code == 200
    assert pack["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    assert sorted(archive.namelist()) == ["cells.csv", "cells.geojson", "summary.pdf"]
    geo = json.loads(archive.read("cells.geojson"))
    (feature,) = geo["features"]
    assert feature["properties"]["mesh"] == mesh
    assert feature["properties"]["households"] is None
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    assert len(ring) == 5
    assert 132 < ring[0][0] < 133
    assert 34 < ring[0][1] < 35
    text = archive.read("cells.geojson").decode() + archive.read("cells.csv").decode("utf-8-sig")
    assert "1番地" not in text
    assert first.reference not in text
    assert str(first.latitude) not in text
    rows = list(csv.DictReader(io.StringIO(archive.read("cells.csv").decode("utf-8-sig"))))
    assert rows[0]["mesh"] == mesh
    assert rows[0]["households"] == ""
    assert rows[0]["carrier"] == "NTTドコモ"
    pdf = archive.read("summary.pdf")
    assert pdf.startswith(b"%PDF")
    assert b"IPAexGothic" in pdf

    # The resident sees the challenge, pending, on the status page.
    status_url = f"/coverage/{placed_town.code}/status/{first.reference}/"
    assert "携帯電話会社への申し入れ" in Client().get(status_url).content.decode()

    # The carrier's answer, then each cell's outcome; the last decided cell closes the challenge.
    answered = (timezone.localdate()).isoformat()
    detail = f"{base}{challenge.pk}/"
    response = client.post(
        detail, {"step": "answer", "answer": "基地局を増設します", "answered_on": answered}
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.ANSWERED
    assert challenge.answer == "基地局を増設します"
    response = client.post(
        detail, {"step": "cell", "cell": cell.pk, "outcome": "resolved", "note": "12月に開局"}
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.CLOSED
    assert AuditEvent.objects.filter(action="coverage.challenge_answered").count() == 1
    decided = AuditEvent.objects.get(action="coverage.challenge_cell_decided")
    assert decided.detail == {"mesh": mesh, "from": "pending", "to": "resolved"}
    html = Client().get(status_url).content.decode()
    assert "解消(事業者が対策した): 12月に開局" in html
    assert "12月に開局" in client.get(detail).content.decode()


def test_a_challenge_refuses_cells_that_are_not_confirmed_dates_and_other_towns(
    placed_town: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    district = _first_district(placed_town)
    lone = _accepted(placed_town, district, "1番地")  # one household only: not confirmed
    due = timezone.localdate() + timedelta(days=30)
    with pytest.raises(ChallengeError, match="確認された不感区画ではありません") as error:
        open_challenge(
            placed_town,
            carrier="docomo",
            technology="4G",
            meshes=[lone.mesh_code[:9]],
            answer_due=due,
            note="",
            by=Actor.system("test"),
        )
    assert error.value.field == "meshes"
    _accepted(placed_town, district, "2番地")
    with pytest.raises(ChallengeError, match="回答期限は明日以降"):
        open_challenge(
            placed_town,
            carrier="docomo",
            technology="4G",
            meshes=[lone.mesh_code[:9]],
            answer_due=timezone.localdate(),
            note="",
            by=Actor.system("test"),
        )
    with pytest.raises(ChallengeError, match="確認された不感区画ではありません"):  # au has no evidence there
        open_challenge(
            placed_town,
            carrier="au",
            technology="4G",
            meshes=[lone.mesh_code[:9]],
            answer_due=due,
            note="",
            by=Actor.system("test"),
        )
    assert not Challenge.objects.exists()
    assert not ChallengeCell.objects.exists()
    challenge = open_challenge(
        placed_town,
        carrier="docomo",
        technology="4G",
        meshes=[lone.mesh_code[:9]],
        answer_due=due,
        note="",
        by=Actor.system("test"),
    )
    with pytest.raises(ChallengeError, match="判断待ちの申し入れにすでに含まれて"):
        open_challenge(
            placed_town,
            carrier="docomo",
            technology="4G",
            meshes=[lone.mesh_code[:9]],
            answer_due=due,
            note="",
            by=Actor.system("test"),
        )

    client = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    base = f"/staff/m/{placed_town.code}/coverage/challenges/"
    # A cell not on offer, an unreadable date: the form names them, nothing is written.
    response = client.post(
        base, {"carrier": "docomo", "technology": "5G", "meshes": ["533944999"], "answer_due": "いつか"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "日付を読めません" in html
    assert "533944999" in html
    assert Challenge.objects.count() == 1
    # An answer dated in the future is refused at its field.
    response = client.post(
        f"{base}{challenge.pk}/",
        {"step": "answer", "answer": "x", "answered_on": (due + timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "未来の日" in response.content.decode()
    # Another town's staff cannot reach the challenge or its pack.
    other = login(make_staff("coverage-b", town_b, Role.COVERAGE_OFFICER))
    assert other.get(f"/staff/m/{town_b.code}/coverage/challenges/{challenge.pk}/").status_code == 404
    assert (
        other.get(f"/staff/m/{town_b.code}/coverage/challenges/{challenge.pk}/evidence.zip").status_code
        == 404
    )
