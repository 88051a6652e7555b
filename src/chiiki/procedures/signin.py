"""Pages of the My Number card sign-in (OpenID Connect): start, the provider's redirect back, sign out."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from chiiki.core import audit
from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.procedures import oidc, prefill


@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Send the resident to the provider (state, nonce and PKCE kept in the session)."""
    if not oidc.configured():
        # Not an error of the site: this municipality has no provider configured, so say what else works.
        return render(request, "procedures/signin_unavailable.html")
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    redirect_uri = request.build_absolute_uri(reverse("procedures:signin_callback"))
    return redirect(oidc.start(request.session, redirect_uri, next_url))


@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's redirect: check state, exchange the code, check the ID token; refuse clearly otherwise."""
    next_url = (request.session.get(oidc.SESSION_FLOW) or {}).get("next", "/")
    try:
        claims = oidc.finish(request.session, {k: request.GET.get(k, "") for k in ("state", "code", "error")})
    except oidc.SignInRefused as refused:
        audit.record(
            "procedures.card_sign_in_refused",
            by=Actor.from_request(request),
            detail={"reason": refused.reason},
        )
        return render(request, "procedures/signin_failed.html", {"reason": refused.reason}, status=400)
    request.session.cycle_key()
    request.session[oidc.SESSION_CLAIMS] = claims
    by = Actor.from_request(request, label=f"oidc:{claims['sub']}"[:150])
    audit.record("procedures.card_signed_in", by=by, object_type="resident", object_id=claims["sub"][:64])
    _match_to_registry(request, claims, next_url, by)
    return redirect(next_url)


def _match_to_registry(request: HttpRequest, claims: dict[str, str], next_url: str, by: Actor) -> None:
    """Match the card's four facts to the registry of the municipality whose procedure the resident opens."""
    town = next_url.removeprefix("/procedures/").split("/", 1)[0]
    municipality = (
        Municipality.objects.filter(code=town).first() if next_url.startswith("/procedures/") else None
    )
    if municipality is None:
        return
    match = prefill.match_claims(municipality, claims)
    request.session[prefill.SESSION_PREFILL] = {
        "municipality": municipality.code,
        "decision": match.decision,
        "person_code": match.person_code,
    }
    audit.record(
        "procedures.card_matched",
        by=by,
        municipality=municipality,
        object_type="resident",
        object_id=claims["sub"][:64],
        detail={"decision": match.decision, "person_code": match.person_code},
    )


def signed_in_claims(request: HttpRequest) -> dict[str, str] | None:
    """The resident's checked claims when signed in with the card in this session."""
    claims = request.session.get(oidc.SESSION_CLAIMS)
    return claims if isinstance(claims, dict) else None
