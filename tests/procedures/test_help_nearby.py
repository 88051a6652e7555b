"""Help nearby (seed §5): the directory with its map, booking a slot without an account, cancelling it, the
staff pages (audited) and the database's refusal to overbook."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from defusedxml import ElementTree as ET
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import Client
from django.utils import timezone

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality, Role, User
from chiiki.procedures import actions, helpmap
from chiiki.procedures.models import HelpBooking, HelpPoint, HelpSlot

SYSTEM = Actor.system("test")
LIBRARY = actions.HelpPointInput(
    name="府中町立図書館",
    kind=HelpPoint.Kind.LIBRARY,
    address="広島県安芸郡府中町大通三丁目5番1号",
    opening_hours="火〜日 10:00〜18:00",
    latitude=34.3953,
    longitude=132.5040,
    wheelchair=True,
    hearing_loop=True,
)
CENTRE = actions.HelpPointInput(
    name="デジタル推進委員のスマホ相談会(府中公民館のとても長い名前の会議室で開く回)",
    kind=HelpPoint.Kind.DIGITAL,
    address="広島県安芸郡府中町本町二丁目1番",
    opening_hours="毎月第1水曜 13:30〜16:00",
    latitude=34.3990,
    longitude=132.5100,
    parking=True,
)


@pytest.fixture
def slot(town_a: Municipality) -> HelpSlot:
    actions.save_help_point(town_a, LIBRARY, by=SYSTEM)
    point = actions.save_help_point(town_a, CENTRE, by=SYSTEM)
    starts = timezone.now() + timedelta(days=3)
    return actions.add_help_slot(
        point,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        capacity=2,
        topic="スマホ教室",
        by=SYSTEM,
    )


def _book(client: Client, town: str, slot: HelpSlot, **data: str) -> tuple[int, str]:
    response = client.post(f"/procedures/{town}/help/slots/{slot.pk}/book/", data)
    return response.status_code, response.content.decode()


def test_the_directory_shows_a_map_drawn_from_coordinates_and_the_same_points_as_a_table(
    slot: HelpSlot, town_a: Municipality
) -> None:
    page = Client().get(f"/procedures/{town_a.code}/help/").content.decode()
    svg = page[page.index("<svg") : page.index("</svg>") + 6]
    root = ET.fromstring(svg)  # well-formed SVG, no tile, no script
    ns = "{http://www.w3.org/2000/svg}"
    assert not root.findall(f".//{ns}image")
    assert "<script" not in page
    circles = root.findall(f".//{ns}circle")
    assert len(circles) == 2
    # North is up: the centre (further north) is drawn higher than the library.
    ys = sorted(float(c.get("cy", "0")) for c in circles)
    assert ys[0] < ys[1]
    assert "府中町立図書館" in page
    assert "図書館" in page
    assert "ヒアリングループ(磁気ループ)あり" in page
    assert re.search(r"<caption[^>]*>\s*相談できる場所の一覧\s*</caption>", page)
    english = (
        Client(headers={"accept-language": "en"}).get(f"/procedures/{town_a.code}/help/").content.decode()
    )
    assert "Library" in english
    assert "Hearing loop" in english


def test_map_labels_stay_inside_the_picture() -> None:
    markers = [
        helpmap.Marker(1, 34.40, 132.40, "とても長い名前の公民館の会議室で開かれるデジタル推進委員の相談会"),
        helpmap.Marker(2, 34.40, 132.60, "東の端の図書館の分館の二階の学習室で開かれる相談会"),
        helpmap.Marker(3, 34.40, 132.41, "すぐ隣の窓口"),
    ]
    root = ET.fromstring(helpmap.render(markers, title="map"))
    ns = "{http://www.w3.org/2000/svg}"
    labels = [t for t in root.findall(f"{ns}text") if t.text and t.text in {m.name for m in markers}]
    placed = []
    for label in labels:
        start = float(label.get("x", "0"))
        width = float(label.get("textLength") or helpmap._text_width(label.text or ""))
        assert start >= 0, label.text
        assert start + width <= helpmap.WIDTH, label.text
        assert 0 < float(label.get("y", "0")) <= helpmap.HEIGHT
        placed.append((float(label.get("y", "0")), start, start + width))
    for i, (y, a0, a1) in enumerate(placed):  # no name drawn over another
        for y2, b0, b1 in placed[i + 1 :]:
            assert abs(y - y2) >= helpmap.FONT or a1 <= b0 or b1 <= a0
    assert helpmap.render([], title="x") == ""


def test_a_resident_books_without_an_account_and_sees_the_number_after_commit(
    slot: HelpSlot, town_a: Municipality
) -> None:
    point_page = Client().get(f"/procedures/{town_a.code}/help/{slot.help_point_id}/").content.decode()
    assert f"/procedures/{town_a.code}/help/slots/{slot.pk}/book/" in point_page
    status, page = _book(Client(), town_a.code, slot, name="山田 太郎", contact="０８２－１２３－４５６７")
    booking = HelpBooking.objects.get()
    assert status == 200
    assert booking.number in page
    assert booking.contact == "0821234567"
    assert booking.status == HelpBooking.Status.BOOKED
    slot.refresh_from_db()
    assert slot.booked == 1
    event = AuditEvent.objects.get(action="procedures.help_booked")
    assert event.object_id == str(booking.pk)
    assert event.municipality_id == town_a.code


@pytest.mark.parametrize("language", ["ja", "en"])
def test_booking_errors_are_shown_by_the_field_and_in_a_summary_and_nothing_is_written(
    slot: HelpSlot, town_a: Municipality, language: str
) -> None:
    client = Client(headers={"accept-language": language})
    status, page = _book(client, town_a.code, slot, name="", contact="not a phone")
    assert status == 400
    assert 'class="error-summary' in page or "error-summary" in page
    assert 'aria-invalid="true"' in page
    expected = (
        "電話番号(0から始まる10桁か11桁)かメールアドレスを入力してください。"
        if language == "ja"
        else "Enter a phone number (10 or 11 digits starting with 0) or an e-mail address."
    )
    assert page.count(expected) >= 1
    assert re.search(r'href="#id_contact"', page)
    assert not HelpBooking.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0


def test_a_full_slot_refuses_the_next_booking(slot: HelpSlot, town_a: Municipality) -> None:
    for n in range(2):
        status, _ = _book(Client(), town_a.code, slot, name=f"住民 {n}", contact=f"person{n}@example.jp")
        assert status == 200
    status, page = _book(Client(), town_a.code, slot, name="三人目", contact="third@example.jp")
    assert status == 400
    assert "この回は満席です。" in page
    assert HelpBooking.objects.count() == 2
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 2
    with pytest.raises(actions.BookingRefused):
        actions.book_help_slot(slot.pk, name="四人目", contact="fourth@example.jp", by=SYSTEM)


def test_the_database_refuses_an_overbooked_slot(slot: HelpSlot) -> None:
    """Even a write that skips the action cannot put more bookings on a slot than its capacity."""
    HelpSlot.objects.filter(pk=slot.pk).update(booked=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        HelpSlot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    slot.refresh_from_db()
    assert slot.booked == 2


def test_cancelling_needs_the_number_and_the_contact_and_frees_the_place(
    slot: HelpSlot, town_a: Municipality
) -> None:
    booking = actions.book_help_slot(slot.pk, name="山田 花子", contact="hanako@example.jp", by=SYSTEM)
    url = f"/procedures/{town_a.code}/help/cancel/"
    wrong = Client().post(url, {"number": booking.number, "contact": "other@example.jp"})
    assert wrong.status_code == 400
    assert "予約番号か連絡先が違います" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="procedures.help_cancel_refused").count() == 1
    booking.refresh_from_db()
    assert booking.status == HelpBooking.Status.BOOKED
    done = Client().post(url, {"number": booking.number, "contact": "Hanako@Example.jp"})
    assert done.status_code == 200
    assert booking.number in done.content.decode()
    booking.refresh_from_db()
    slot.refresh_from_db()
    assert booking.status == HelpBooking.Status.CANCELLED
    assert slot.booked == 0
    assert AuditEvent.objects.filter(
        action="procedures.help_booking_cancelled", object_id=str(booking.pk)
    ).exists()


def test_a_slot_that_has_begun_takes_no_booking(town_a: Municipality) -> None:
    point = actions.save_help_point(town_a, LIBRARY, by=SYSTEM)
    past = HelpSlot.objects.create(
        help_point=point,
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=1),
        capacity=3,
    )
    with pytest.raises(actions.BookingRefused):
        actions.book_help_slot(past.pk, name="x", contact="x@example.jp", by=SYSTEM)
    assert not HelpBooking.objects.exists()


def test_staff_keep_the_directory_add_slots_and_read_bookings_audited(
    town_a: Municipality,
    town_b: Municipality,
    make_staff: Callable[..., User],
    login: Callable[[User], Client],
) -> None:
    desk = make_staff("desk", town_a, Role.HELPDESK)
    client = login(desk)
    base = f"/staff/m/{town_a.code}/procedures/help/"
    bad = client.post(
        base + "new/",
        {
            "step": "point",
            "point-name": "",
            "point-kind": "library",
            "point-latitude": "91",
            "point-longitude": "x",
        },
    )
    assert bad.status_code == 400
    assert "error-summary" in bad.content.decode()
    assert not HelpPoint.objects.exists()
    created = client.post(
        base + "new/",
        {
            "step": "point",
            "point-name": "府中町役場 窓口",
            "point-kind": "counter",
            "point-address": "広島県安芸郡府中町大通三丁目5番1号",
            "point-opening_hours": "平日 8:30〜17:15",
            "point-latitude": "34.3937",
            "point-longitude": "132.5040",
            "point-wheelchair": "on",
        },
    )
    assert created.status_code == 302
    point = HelpPoint.objects.get()
    assert point.wheelchair
    assert not point.parking
    assert AuditEvent.objects.get(action="procedures.help_point_added").actor_id == desk.pk
    starts = (timezone.localtime() + timedelta(days=2)).replace(second=0, microsecond=0)
    fields = {
        "step": "slot",
        "slot-starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "slot-ends_at": (starts - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "slot-capacity": "4",
    }
    refused = client.post(f"{base}{point.pk}/", fields)
    assert refused.status_code == 400
    assert "終了日時は開始日時より後にしてください。" in refused.content.decode()
    fields["slot-ends_at"] = (starts + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"{base}{point.pk}/", fields).status_code == 302
    slot = HelpSlot.objects.get()
    assert slot.capacity == 4
    assert AuditEvent.objects.filter(action="procedures.help_slot_added").exists()
    actions.book_help_slot(slot.pk, name="予約 太郎", contact="09011112222", by=SYSTEM)
    bookings = client.get(f"{base}{point.pk}/bookings/")
    assert "予約 太郎" in bookings.content.decode()
    assert "09011112222" in bookings.content.decode()
    read = AuditEvent.objects.get(action="procedures.help_bookings_viewed")
    assert read.actor_id == desk.pk
    assert read.detail["bookings"] == [HelpBooking.objects.get().pk]
    # Another municipality's staff see neither the point nor its bookings.
    outsider = login(make_staff("desk-b", town_b, Role.HELPDESK))
    assert outsider.get(f"{base}{point.pk}/bookings/").status_code in (403, 404)
    assert outsider.get(f"/staff/m/{town_b.code}/procedures/help/{point.pk}/bookings/").status_code == 404
