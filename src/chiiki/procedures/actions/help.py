"""Help nearby (seed §5): the directory of help points, their slots, and bookings made without an account.

A slot cannot be overbooked: a booking raises the slot's `booked` count with one conditional UPDATE
(`booked < capacity`), which the database applies atomically, and the check constraint
`helpslot_no_overbooking` refuses any row where the count exceeds the capacity. Every change is audited.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from chiiki.core import audit
from chiiki.core.actions.sign_in import note_login_failure
from chiiki.core.models import Municipality
from chiiki.procedures.actions.messages import queue_messages
from chiiki.procedures.models import HelpBooking, HelpPoint, HelpSlot, ResidentMessage
from chiiki.procedures.notify import booking_message

if TYPE_CHECKING:
    from chiiki.core.acting import Actor

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^0\d{9,10}$")


class BookingRefused(Exception):
    """A booking or cancellation that cannot be done; the message says why, in the page's language."""


@dataclass(frozen=True, slots=True)
class HelpPointInput:
    name: str
    kind: str
    address: str
    opening_hours: str
    latitude: float
    longitude: float
    wheelchair: bool = False
    hearing_loop: bool = False
    parking: bool = False
    accessibility_notes: str = ""


def normalize_contact(text: str) -> str:
    """A phone number as its digits (full-width and hyphens folded) or an e-mail address in lower case;
    raises ValueError when it is neither."""
    folded = unicodedata.normalize("NFKC", text).strip()
    if "@" in folded:
        if not _EMAIL.match(folded):
            raise ValueError(folded)
        return folded.lower()
    digits = re.sub(r"[\s\-ー−()]", "", folded)
    if not _PHONE.match(digits):
        raise ValueError(folded)
    return digits


def save_help_point(
    municipality: Municipality, data: HelpPointInput, *, help_point_id: int | None = None, by: Actor
) -> HelpPoint:
    """Add a help point or change one of this municipality's; audited with the fields written."""
    fields = {
        "name": data.name.strip(),
        "kind": data.kind,
        "address": data.address.strip(),
        "opening_hours": data.opening_hours.strip(),
        "latitude": data.latitude,
        "longitude": data.longitude,
        "wheelchair": data.wheelchair,
        "hearing_loop": data.hearing_loop,
        "parking": data.parking,
        "accessibility_notes": data.accessibility_notes.strip(),
    }
    with transaction.atomic():
        if help_point_id is None:
            point = HelpPoint.objects.create(municipality=municipality, **fields)
            event = "procedures.help_point_added"
        else:
            point = HelpPoint.objects.select_for_update().get(pk=help_point_id, municipality=municipality)
            for name, value in fields.items():
                setattr(point, name, value)
            point.save()
            event = "procedures.help_point_changed"
        audit.record(
            event,
            by=by,
            municipality=municipality,
            object_type="help_point",
            object_id=point.pk,
            detail={"name": point.name, "kind": point.kind},
        )
    return point


def add_help_slot(
    help_point: HelpPoint,
    *,
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    topic: str = "",
    by: Actor,
) -> HelpSlot:
    """A bookable session at the help point, with its capacity."""
    with transaction.atomic():
        slot = HelpSlot.objects.create(
            help_point=help_point,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            topic=topic.strip(),
        )
        audit.record(
            "procedures.help_slot_added",
            by=by,
            municipality=help_point.municipality_id,
            object_type="help_slot",
            object_id=slot.pk,
            detail={"help_point": help_point.pk, "starts_at": starts_at.isoformat(), "capacity": capacity},
        )
    return slot


def _new_number() -> str:
    while True:
        number = f"{secrets.randbelow(10**12):012d}"
        if number[0] != "0" and not HelpBooking.objects.filter(number=number).exists():
            return number


def book_help_slot(slot_id: int, *, name: str, contact: str, need: str = "", by: Actor) -> HelpBooking:
    """Book one place in the slot. Refused when the slot has begun or is full; the count is raised by one
    conditional UPDATE, so two residents taking the last place cannot both get it."""
    contact = normalize_contact(contact)
    with transaction.atomic():
        slot = HelpSlot.objects.select_related("help_point").get(pk=slot_id)
        if slot.starts_at <= timezone.now():
            raise BookingRefused(_("この回は受付を終了しました。別の日時を選んでください。"))
        taken = HelpSlot.objects.filter(pk=slot_id, booked__lt=F("capacity")).update(booked=F("booked") + 1)
        if not taken:
            raise BookingRefused(_("この回は満席です。別の日時を選んでください。"))
        booking = HelpBooking.objects.create(
            slot=slot, number=_new_number(), name=name.strip(), contact=contact, need=need.strip()
        )
        audit.record(
            "procedures.help_booked",
            by=by,
            municipality=slot.help_point.municipality_id,
            object_type="help_booking",
            object_id=booking.pk,
            detail={"slot": slot.pk, "help_point": slot.help_point_id},
        )
        # The confirmation goes to the phone or e-mail address given, after the booking has committed.
        confirmation = booking_message(booking, ResidentMessage.Kind.BOOKING_CONFIRMED)
        queue_messages([confirmation], by=by, municipality=slot.help_point.municipality)
    return booking


def cancel_help_booking(municipality: Municipality, number: str, contact: str, *, by: Actor) -> HelpBooking:
    """Cancel a booking given its number and the contact it was made with; a mismatch is counted toward the
    sign-in throttle and audited, and says nothing about which of the two was wrong."""
    number = unicodedata.normalize("NFKC", number).replace("-", "").replace(" ", "").strip()
    try:
        contact = normalize_contact(contact)
    except ValueError:
        contact = ""
    with transaction.atomic():
        booking = (
            HelpBooking.objects.select_for_update()
            .select_related("slot__help_point")
            .filter(number=number, slot__help_point__municipality=municipality)
            .first()
        )
        matches = booking is not None and bool(contact) and secrets.compare_digest(booking.contact, contact)
        if booking is not None and matches and booking.status == HelpBooking.Status.BOOKED:
            booking.status = HelpBooking.Status.CANCELLED
            booking.cancelled_at = timezone.now()
            booking.save(update_fields=["status", "cancelled_at"])
            HelpSlot.objects.filter(pk=booking.slot_id).update(booked=F("booked") - 1)
            audit.record(
                "procedures.help_booking_cancelled",
                by=by,
                municipality=municipality,
                object_type="help_booking",
                object_id=booking.pk,
                detail={"slot": booking.slot_id},
            )
    if booking is None or not matches:
        # Outside the transaction, so the refusal is recorded.
        note_login_failure(by.label, by.address)
        audit.record(
            "procedures.help_cancel_refused", by=by, municipality=municipality, object_type="help_booking"
        )
        raise BookingRefused(_("予約番号か連絡先が違います。予約したときのとおりに入力してください。"))
    return booking


__all__ = [
    "BookingRefused",
    "HelpPointInput",
    "add_help_slot",
    "book_help_slot",
    "cancel_help_booking",
    "normalize_contact",
    "save_help_point",
]
