"""Help nearby (seed §5): the public directory of help points with its map, booking a slot without an account,
cancelling it; and the staff pages that keep the directory, add slots and read the bookings (audited).

The booking number is shown only once the booking has committed (the action returns after its transaction).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from chiiki.core import audit, throttle
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import actions, helpmap, queries
from chiiki.procedures.forms import BookingForm, CancelBookingForm, HelpPointForm, HelpSlotForm
from chiiki.procedures.models import HelpPoint


def _map(municipality: Municipality, points: list[HelpPoint]) -> str:
    markers = [helpmap.Marker(n, p.latitude, p.longitude, p.name) for n, p in enumerate(points, start=1)]
    return helpmap.render(markers, title=_("相談できる場所の地図(番号は表と同じ)"))


def directory(request: HttpRequest, town: str) -> HttpResponse:
    """Every help point of the town: a map drawn from their coordinates and the same points as a table."""
    municipality = get_object_or_404(Municipality, code=town)
    points = list(queries.help_points(municipality))
    return render(
        request,
        "procedures/help_directory.html",
        {"municipality": municipality, "points": points, "map": _map(municipality, points)},
    )


def _point(town: str, help_point_id: int) -> HelpPoint:
    municipality = get_object_or_404(Municipality, code=town)
    point = queries.help_point(municipality, help_point_id)
    if point is None:
        raise Http404
    return point


def point_page(request: HttpRequest, town: str, help_point_id: int) -> HttpResponse:
    """A help point: where, when, accessibility, and its slots still open for booking."""
    point = _point(town, help_point_id)
    return render(
        request,
        "procedures/help_point.html",
        {"municipality": point.municipality, "point": point, "slots": queries.upcoming_slots(point)},
    )


@never_cache
def book(request: HttpRequest, town: str, slot_id: int) -> HttpResponse:
    """Book a place: name and phone or e-mail; the number is shown after the booking has committed."""
    municipality = get_object_or_404(Municipality, code=town)
    slot = queries.help_slot(municipality, slot_id)
    if slot is None:
        raise Http404
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            booking = actions.book_help_slot(
                slot.pk,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                need=form.cleaned_data["need"],
                by=Actor.from_request(request, label="resident"),
            )
        except actions.BookingRefused as refused:
            form.add_error(None, str(refused))
        else:
            return render(request, "procedures/help_booked.html", {"booking": booking, "slot": slot})
    context = {"municipality": municipality, "point": slot.help_point, "slot": slot, "form": form}
    return render(request, "procedures/help_book.html", context, status=400 if form.errors else 200)


@never_cache
def cancel(request: HttpRequest, town: str) -> HttpResponse:
    """Cancel with the booking number and the contact given when booking (failures throttled, audited)."""
    municipality = get_object_or_404(Municipality, code=town)
    # The link in the confirmation and the reminder fills in the booking number; the contact is typed.
    number = request.GET.get("number", "")[:20]
    form = CancelBookingForm(request.POST or None, initial={"number": number} if number.isdigit() else None)
    if request.method == "POST" and form.is_valid():
        by = Actor.from_request(request, label=f"help-booking:{form.cleaned_data['number'][:20]}")
        if throttle.is_locked(by.label, by.address):
            form.add_error(None, _("入力の誤りが続いたため、しばらく待ってからもう一度入力してください。"))
        else:
            try:
                booking = actions.cancel_help_booking(
                    municipality, form.cleaned_data["number"], form.cleaned_data["contact"], by=by
                )
            except actions.BookingRefused as refused:
                form.add_error(None, str(refused))
            else:
                return render(
                    request,
                    "procedures/help_cancelled.html",
                    {"municipality": municipality, "booking": booking},
                )
    context = {"municipality": municipality, "form": form}
    return render(request, "procedures/help_cancel.html", context, status=400 if form.errors else 200)


# Staff pages.


@municipality_permission("procedures.assist")
def staff_points(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """The directory as staff keep it: each help point with a link to edit it, its slots and bookings."""
    return render(
        request,
        "procedures/help_staff.html",
        {"municipality": municipality, "points": queries.help_points(municipality)},
    )


def _point_input(data: dict[str, Any]) -> actions.HelpPointInput:
    return actions.HelpPointInput(**data)


@municipality_permission("procedures.assist")
def staff_point(
    request: HttpRequest, municipality: Municipality, help_point_id: int | None = None
) -> HttpResponse:
    """Add or edit a help point; on an existing one, add slots (sessions with a capacity)."""
    point = None
    if help_point_id is not None:
        point = queries.help_point(municipality, help_point_id)
        if point is None:
            raise Http404
    initial = (
        {name: getattr(point, name) for name in HelpPointForm.base_fields} if point is not None else None
    )
    step = request.POST.get("step", "point") if request.method == "POST" else ""
    form = HelpPointForm(request.POST if step == "point" else None, initial=initial, prefix="point")
    slot_form = HelpSlotForm(request.POST if step == "slot" else None, prefix="slot")
    by = Actor.from_request(request)
    if step == "point" and form.is_valid():
        taken = queries.help_points(municipality).filter(name=form.cleaned_data["name"].strip())
        if point is not None:
            taken = taken.exclude(pk=point.pk)
        if taken.exists():
            form.add_error("name", _("同じ名称の場所がすでにあります。"))
        else:
            saved = actions.save_help_point(
                municipality,
                _point_input(form.cleaned_data),
                help_point_id=point.pk if point else None,
                by=by,
            )
            return redirect("procedures:help_staff_point", code=municipality.code, help_point_id=saved.pk)
    if step == "slot" and point is not None and slot_form.is_valid():
        actions.add_help_slot(point, **slot_form.cleaned_data, by=by)
        return redirect("procedures:help_staff_point", code=municipality.code, help_point_id=point.pk)
    context = {
        "municipality": municipality,
        "point": point,
        "form": form,
        "slot_form": slot_form,
        "slots": queries.help_slots(point)[:50] if point is not None else [],
    }
    return render(request, "procedures/help_staff_point.html", context, status=400 if step else 200)


@municipality_permission("procedures.assist")
def staff_bookings(request: HttpRequest, municipality: Municipality, help_point_id: int) -> HttpResponse:
    """Who booked the help point's slots, with their contacts: a read of personal data, audited."""
    point = queries.help_point(municipality, help_point_id)
    if point is None:
        raise Http404
    bookings = list(queries.help_bookings(point)[:500])
    audit.record(
        "procedures.help_bookings_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="help_point",
        object_id=point.pk,
        detail={"bookings": [b.pk for b in bookings]},
    )
    return render(
        request,
        "procedures/help_bookings.html",
        {"municipality": municipality, "point": point, "bookings": bookings},
    )
