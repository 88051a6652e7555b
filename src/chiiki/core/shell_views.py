"""Views of the page shell (the header's controls): the larger-text switch."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

TEXT_COOKIE = "chiiki_text"  # read by base.html: "large" puts class="large-text" on <html>


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Switch the larger-text mode on or off for this browser and go back to the page (never off-site)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.POST.get("size") == "large":
        response.set_cookie(
            TEXT_COOKIE, "large", max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure()
        )
    else:
        response.delete_cookie(TEXT_COOKIE, samesite="Lax")
    return response
