"""The resident's dead-zone report through real HTTP: no account, no JavaScript, acknowledged after commit."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.coverage.grid import parse_meshcode
from chiiki.coverage.models import DeadZoneReport, DistrictPlace
from chiiki.registry.models import District

pytestmark = pytest.mark.django_db


def _answers(**overrides: str) -> dict[str, str]:
    answers = {
        "carrier": "docomo",
        "technology": "4G",
        "problem": "no_signal",
        "place_kind": "indoor",
        "frequency": "always",
        "observed_on": "令和8年11月3日",
        "time_band": "evening",
        "district": "",
        "address_detail": "",
        "latitude": "",
        "longitude": "",
        "download_mbps": "",
    }
    answers.update(overrides)
    return answers


def _reference(response_html: str) -> str:
    match = re.search(r'id="reference">([A-Z0-9]{8})<', response_html)
    assert match, response_html
    return match.group(1)


def test_a_resident_reports_by_district_and_follows_the_status(placed_town: Municipality) -> None:
    client = Client()
    page = client.get(f"/coverage/{placed_town.code}/report/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    district = District.objects.filter(municipality=placed_town).order_by("code").first()
    assert district is not None
    assert f'value="{district.code}"' in html

    response = client.post(
        f"/coverage/{placed_town.code}/report/",
        _answers(district=district.code, address_detail="12番地の裏山"),
        follow=True,
    )
    assert response.status_code == 200
    reference = _reference(response.content.decode())
    report = DeadZoneReport.objects.get(reference=reference)
    assert report.municipality == placed_town
    assert report.location_source == "district"
    place = DistrictPlace.objects.get(district=district)
    cell = parse_meshcode(report.mesh_code)
    assert cell.level == 5
    assert cell.south <= place.latitude < cell.north
    assert cell.west <= place.longitude < cell.east
    assert report.observed_on.isoformat() == "2026-11-03"
    assert AuditEvent.objects.filter(action="coverage.report_received", object_id=str(report.pk)).exists()

    # A new visitor follows the report with the reference only.
    status_page = Client().get(
        f"/coverage/{placed_town.code}/status/?reference={reference.lower()}", follow=True
    )
    assert status_page.status_code == 200
    text = status_page.content.decode()
    assert "受け付けました" in text
    assert "12番地" not in text  # the status page shows no place


def test_coordinates_place_the_report_in_their_250m_cell(placed_town: Municipality) -> None:
    response = Client().post(
        f"/coverage/{placed_town.code}/report/", _answers(latitude="３４.４１２３", longitude="132.5234")
    )
    assert response.status_code == 302
    report = DeadZoneReport.objects.get()
    assert report.location_source == "coordinates"
    assert len(report.mesh_code) == 10
    cell = parse_meshcode(report.mesh_code)
    assert cell.south <= 34.4123 < cell.north
    assert cell.west <= 132.5234 < cell.east


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"latitude": "132.5234", "longitude": "34.4123"}, "緯度と経度が逆"),
        ({"latitude": "51.5", "longitude": "-0.12"}, "日本の範囲外"),
        ({"latitude": "35.0", "longitude": "135.0"}, "府中町の範囲外"),
        ({"latitude": "34.41"}, "緯度と経度は両方入れてください"),
        ({"latitude": "北緯34度"}, "数ではありません"),
        ({}, "場所(地区)を選んでください"),
        ({"district": "001", "carrier": "ymobile"}, "正しく選択してください"),
        ({"district": "001", "observed_on": "2026-13-40"}, "日付を読めません"),
    ],
)
def test_mistakes_get_a_clear_japanese_message_and_nothing_is_written(
    placed_town: Municipality, overrides: dict[str, str], message: str
) -> None:
    response = Client().post(f"/coverage/{placed_town.code}/report/", _answers(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html, html
    assert 'role="alert"' in html
    assert not DeadZoneReport.objects.exists()


def test_a_future_date_is_refused(placed_town: Municipality) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=2)).isoformat()
    district = District.objects.filter(municipality=placed_town).first()
    assert district is not None
    response = Client().post(
        f"/coverage/{placed_town.code}/report/", _answers(district=district.code, observed_on=tomorrow)
    )
    assert response.status_code == 400
    assert "未来の日付" in response.content.decode()
    assert not DeadZoneReport.objects.exists()


def test_a_report_is_acknowledged_only_after_commit(
    placed_town: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the audit write (inside the same transaction) fails, the resident sees no reference and no row stays."""
    from chiiki.coverage import actions

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(actions.audit, "record", broken)
    district = District.objects.filter(municipality=placed_town).first()
    assert district is not None
    client = Client(raise_request_exception=False)
    response = client.post(f"/coverage/{placed_town.code}/report/", _answers(district=district.code))
    assert response.status_code == 500
    assert 'id="reference"' not in response.content.decode()
    assert not DeadZoneReport.objects.exists()


def test_staff_triage_a_report_and_the_resident_sees_the_outcome(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    district = District.objects.filter(municipality=placed_town).first()
    assert district is not None
    Client().post(f"/coverage/{placed_town.code}/report/", _answers(district=district.code))
    report = DeadZoneReport.objects.get()
    staff = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))

    listing = staff.get(f"/staff/m/{placed_town.code}/coverage/reports/?status=received")
    assert report.reference in listing.content.decode()
    assert AuditEvent.objects.filter(action="coverage.reports_listed", detail__ids=[report.pk]).exists()
    detail = staff.get(f"/staff/m/{placed_town.code}/coverage/reports/{report.pk}/")
    assert detail.status_code == 200
    assert AuditEvent.objects.filter(action="coverage.report_viewed", object_id=str(report.pk)).exists()

    response = staff.post(
        f"/staff/m/{placed_town.code}/coverage/reports/{report.pk}/",
        {
            "status": "accepted",
            "public_note": "12月に携帯電話会社へ改善を求めます。",
            "staff_note": "現地確認済み",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted"
    assert AuditEvent.objects.filter(action="coverage.report_triaged", detail__to="accepted").exists()
    public = Client().get(f"/coverage/{placed_town.code}/status/{report.reference}/").content.decode()
    assert "証拠として採用" in public
    assert "12月に携帯電話会社へ改善を求めます。" in public
    assert "現地確認済み" not in public


def test_staff_enter_a_report_taken_on_the_phone(
    placed_town: Municipality, make_staff: Callable[..., User], login: Callable[[User], Client]
) -> None:
    staff = login(make_staff("coverage", placed_town, Role.COVERAGE_OFFICER))
    district = District.objects.filter(municipality=placed_town).first()
    assert district is not None
    response = staff.post(
        f"/staff/m/{placed_town.code}/coverage/reports/new/",
        {**_answers(district=district.code), "channel": "phone"},
        follow=True,
    )
    assert response.status_code == 200
    report = DeadZoneReport.objects.get()
    assert report.channel == "phone"
    assert report.reference in response.content.decode()


def test_other_roles_and_other_towns_cannot_triage(
    placed_town: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    surveyor = login(make_staff("survey", placed_town, Role.SURVEY_MANAGER))
    assert surveyor.get(f"/staff/m/{placed_town.code}/coverage/reports/").status_code == 403
    officer_b = login(make_staff("coverage-b", town_b, Role.COVERAGE_OFFICER))
    assert officer_b.get(f"/staff/m/{placed_town.code}/coverage/reports/").status_code == 403
