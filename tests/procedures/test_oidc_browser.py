"""My Number card sign-in in headless Chromium: the whole redirect flow against the real OIDC provider on localhost.

The browser follows every redirect itself: the procedure's "sign in with the card" link → our /procedures/signin/
→ the provider's /authorize (tests/procedures/oidc_provider.py, real HTTP, RS256 ID tokens) → our callback, which
exchanges the code (PKCE) and checks the ID token against the provider's JWKS. A success lands on the procedure's
form, filled only when the registry match is `linked`; a forged `state`, a wrong `nonce`, an expired ID token and
a tampered signature each end on a Japanese page saying why, with no signed-in session anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.sessions.models import Session
from tests.procedures.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider
from tests.surveys.test_browser_answer import check_accessibility, loaded_html, no_horizontal_scrolling

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.demo import residents as synthetic
from chiiki.procedures import oidc
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.prefill import SESSION_PREFILL
from chiiki.registry.actions import import_registry
from chiiki.registry.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"width": 360, "height": 640}
CARD_NEEDED = "この手続はマイナンバーカードでのサインインが必要です。"


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    with Provider() as running:
        settings.CHIIKI_OIDC_ISSUER = running.issuer
        settings.CHIIKI_OIDC_CLIENT_ID = CLIENT_ID
        settings.CHIIKI_OIDC_CLIENT_SECRET = CLIENT_SECRET
        yield running


@pytest.fixture
def city(db: None) -> Municipality:
    """A city whose registry is large enough for the linkage engine's estimates (as in test_prefill)."""
    city = Municipality.objects.create(
        code="343099", prefecture_code="34", prefecture="広島県", name="緑川市", name_kana="ミドリカワシ",
        kind="city",
    )  # fmt: skip
    import_registry(city, synthetic.generate(persons=1500, seed=7), by=Actor.system("test"))
    load_starter_catalog(city, by=Actor.system("test"))
    return city


def _resident(city: Municipality) -> Person:
    return Person.objects.filter(municipality=city).select_related("household").order_by("id").first()


def _card_of(person: Person, **changes: str) -> dict[str, Any]:
    card = {
        "sub": f"card-{person.person_code}",
        "name": f"{person.family_name} {person.given_name}",
        "birthdate": person.birth_date.isoformat(),
        "gender": "female" if person.sex == "2" else "male",
        "address": {"formatted": person.household.address, "postal_code": person.household.postal_code},
    }
    return {**card, **changes}


def _signed_in_sessions() -> list[dict[str, Any]]:
    """Every stored session that holds card claims (the server shares this test's database connection)."""
    return [data for s in Session.objects.all() if oidc.SESSION_CLAIMS in (data := s.get_decoded())]


def _sign_in_from_the_procedure(page: Any, base: str, town: str, *, lands_on: str) -> str:
    """Open the card-only 転出届, follow its sign-in link and wait until the redirects end on `lands_on`."""
    apply_url = f"{base}/procedures/{town}/tenshutsu/apply/"
    page.goto(apply_url)
    assert CARD_NEEDED in loaded_html(page)
    page.get_by_role("link", name="マイナンバーカードでサインインする").click()
    page.wait_for_selector(lands_on)
    return apply_url


@pytest.mark.parametrize(("decision", "prefilled"), [("linked", True), ("review", False)])
def test_a_card_holder_signs_in_and_lands_on_the_form_prefilled_only_when_linked(
    chromium: Any,
    axe_source: str,
    answer_server: Any,
    provider: Provider,
    city: Municipality,
    decision: str,
    prefilled: bool,
) -> None:
    person = _resident(city)
    provider.person = (
        _card_of(person)
        if decision == "linked"  # name, birth date and sex alone (another address) must never link
        else _card_of(person, address={"formatted": "北海道夕張市本町99-99", "postal_code": "068-0000"})
    )
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url) if request.is_navigation_request() else None)
    apply_url = _sign_in_from_the_procedure(page, answer_server.url, city.code, lands_on="#id_applicant_name")

    # The browser went to the provider with PKCE, state and nonce, and came back to the form it started from.
    authorize = next(url for url in seen if url.startswith(provider.issuer + "/authorize"))
    sent = dict(parse_qsl(urlsplit(authorize).query))
    assert sent["code_challenge_method"] == "S256"
    assert sent["code_challenge"]
    assert sent["state"]
    assert sent["nonce"]
    assert set(sent["scope"].split()) == {"openid", "name", "address", "birthdate", "gender"}
    assert any("/procedures/signin/callback/?" in url for url in seen)
    assert page.url == apply_url
    assert CARD_NEEDED not in loaded_html(page)
    name = page.locator("#id_applicant_name").input_value()
    address = page.locator("#id_address").input_value()
    if prefilled:
        assert name == f"{person.family_name} {person.given_name}"
        assert address == person.household.address
    else:
        assert (name, address) == ("", "")
    assert no_horizontal_scrolling(page)
    check_accessibility(page, axe_source)

    (session,) = _signed_in_sessions()
    assert session[oidc.SESSION_CLAIMS]["sub"] == provider.person["sub"]
    assert session[SESSION_PREFILL]["decision"] == decision
    matched = AuditEvent.objects.get(action="procedures.card_matched")
    assert matched.detail["decision"] == decision
    assert AuditEvent.objects.filter(action="procedures.card_signed_in").count() == 1
    context.close()


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("forged_state", "サインインの手順が正しくありません。最初からやり直してください"),
        ("wrong_nonce", "IDトークンがこのサインインのものではありません"),
        ("expired", "IDトークンの有効期限が切れています。もう一度サインインしてください"),
        ("tampered", "IDトークンの署名を確認できません"),
    ],
)
def test_a_forged_or_bad_sign_in_ends_on_a_clear_japanese_page_without_a_session(
    chromium: Any,
    axe_source: str,
    answer_server: Any,
    provider: Provider,
    town_a: Municipality,
    mode: str,
    reason: str,
) -> None:
    load_starter_catalog(town_a, by=Actor.system("test"))
    context = chromium.new_context(viewport=PHONE, locale="ja-JP")
    page = context.new_page()
    provider.mode = mode  # "forged_state": the redirect back carries a state this browser never sent
    apply_url = _sign_in_from_the_procedure(page, answer_server.url, town_a.code, lands_on="[role=alert]")

    assert "/procedures/signin/callback/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "サインインできませんでした"
    assert reason in page.locator("[role=alert]").inner_text()
    assert "窓口でお手伝いします" in loaded_html(page)
    assert no_horizontal_scrolling(page)
    check_accessibility(page, axe_source)
    # No signed-in session anywhere, and the procedure still asks for the card in this browser.
    assert _signed_in_sessions() == []
    assert not AuditEvent.objects.filter(action="procedures.card_signed_in").exists()
    refused = AuditEvent.objects.get(action="procedures.card_sign_in_refused")
    assert reason in refused.detail["reason"]
    page.goto(apply_url)
    assert CARD_NEEDED in loaded_html(page)
    context.close()
