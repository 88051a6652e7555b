"""Staff pages of the registry: browse households (each read is audited) and upload an extract."""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy

from chiiki.core import audit
from chiiki.core.access import municipality_permission
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.uploads import within_upload_limit
from chiiki.registry import queries
from chiiki.registry.actions import request_registry_import


@municipality_permission("registry.view")
def household_list(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Households page by page; the page of personal data shown is audited."""
    page = Paginator(queries.households(municipality, district=request.GET.get("district", "")), 50)
    current = page.get_page(request.GET.get("page"))
    audit.record(
        "registry.households_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="household",
        detail={"page": current.number, "ids": [h.pk for h in current.object_list]},
    )
    return render(
        request,
        "registry/household_list.html",
        {"municipality": municipality, "page": current, "districts": municipality.districts.all()},
    )


@municipality_permission("registry.view")
def household_detail(request: HttpRequest, municipality: Municipality, household_id: int) -> HttpResponse:
    """One household and its members."""
    household = queries.household(municipality, household_id)
    if household is None:
        raise Http404
    audit.record(
        "registry.household_viewed",
        by=Actor.from_request(request),
        municipality=municipality,
        object_type="household",
        object_id=household.pk,
    )
    return render(
        request,
        "registry/household_detail.html",
        {"municipality": municipality, "household": household, "members": queries.members(household)},
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("抽出ファイル(CSV または TSV。UTF-8・Shift_JIS のどちらでも)"))
    replace = forms.BooleanField(label=gettext_lazy("今の住民基本台帳を置き換える"), required=False)

    def clean_file(self) -> object:
        upload = within_upload_limit(self.cleaned_data["file"])
        return upload


@municipality_permission("registry.import")
def upload(request: HttpRequest, municipality: Municipality) -> HttpResponse:
    """Upload an extract; the worker imports it and the page shows the outcome."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        request_registry_import(
            municipality,
            form.cleaned_data["file"],
            replace=form.cleaned_data["replace"],
            by=Actor.from_request(request),
        )
        return redirect("registry:import", code=municipality.code)
    uploads = queries.recent_uploads(municipality)
    return render(
        request, "registry/upload.html", {"municipality": municipality, "form": form, "uploads": uploads}
    )
