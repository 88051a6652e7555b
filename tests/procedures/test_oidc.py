"""My Number card sign-in over OpenID Connect against a real provider on localhost (tests/procedures/oidc_provider).

The Django client plays the browser on our side; the provider is reached over real HTTP both by the test (the
redirect to /authorize) and by the app (discovery, the code exchange with PKCE, the JWKS).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.test import Client
from tests.procedures.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider

from chiiki.core.acting import Actor
from chiiki.core.models import AuditEvent, Municipality
from chiiki.procedures.actions import load_starter_catalog
from chiiki.procedures.models import Application


@pytest.fixture
def provider(settings: Any) -> Iterator[Provider]:
    with Provider() as running:
        settings.CHIIKI_OIDC_ISSUER = running.issuer
        settings.CHIIKI_OIDC_CLIENT_ID = CLIENT_ID
        settings.CHIIKI_OIDC_CLIENT_SECRET = CLIENT_SECRET
        yield running


def _to_provider_and_back(client: Client, next_url: str = "/") -> tuple[str, dict[str, str]]:
    start = client.get("/procedures/signin/", {"next": next_url})
    assert start.status_code == 302
    authorize = urlparse(start["Location"])
    query = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert set(query["scope"].split()) == {"openid", "name", "address", "birthdate", "gender"}
    assert query["state"]
    assert query["nonce"]
    back = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302
    callback = urlparse(back.headers["Location"])
    return callback.path, {k: v[0] for k, v in parse_qs(callback.query).items()}


def test_card_sign_in_opens_a_procedure_that_needs_the_card(
    db: None, provider: Provider, town_a: Municipality
) -> None:
    load_starter_catalog(town_a, by=Actor.system("test"))
    client = Client()
    apply_url = f"/procedures/{town_a.code}/tenshutsu/apply/"
    assert client.get(apply_url).status_code == 403
    path, params = _to_provider_and_back(client, apply_url)
    done = client.get(path, params)
    assert done.status_code == 302
    assert done["Location"] == apply_url
    assert client.get(apply_url).status_code == 200
    event = AuditEvent.objects.get(action="procedures.card_signed_in")
    assert event.actor_label == "oidc:card-0001"
    posted = client.post(apply_url, {
        "applicant_name": "山田 花子", "applicant_kana": "やまだ はなこ", "birth_date": "昭和35年4月1日",
        "address": "広島県府中町本町1番地", "phone": "082-123-4567", "move_date": "2026-12-24",
        "new_address": "東京都千代田区霞が関1-1", "action": "review",
    })  # fmt: skip
    assert posted.status_code == 302, posted.content.decode()
    assert client.post("/procedures/my/application/review/").status_code == 200
    assert Application.objects.get().answers["applicant_kana"] == "ヤマダ ハナコ"


def test_a_forged_state_is_refused(db: None, provider: Provider) -> None:
    client = Client()
    path, params = _to_provider_and_back(client)
    refused = client.get(path, {**params, "state": "forged"})
    assert refused.status_code == 400
    assert "state mismatch" in refused.content.decode()
    assert "procedures_oidc_claims" not in client.session


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("wrong_nonce", "nonce mismatch"), ("expired", "expired token"), ("tampered", "bad signature")],
)
def test_a_bad_id_token_is_refused_with_a_clear_page(
    db: None, provider: Provider, mode: str, reason: str
) -> None:
    provider.mode = mode
    client = Client()
    path, params = _to_provider_and_back(client)
    refused = client.get(path, params)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert reason in html
    assert "サインインできませんでした" in html
    assert "procedures_oidc_claims" not in client.session
    assert AuditEvent.objects.filter(action="procedures.card_sign_in_refused").exists()


def test_a_code_cannot_be_used_twice(db: None, provider: Provider) -> None:
    client = Client()
    path, params = _to_provider_and_back(client)
    assert client.get(path, params).status_code == 302
    replay = Client()
    replay_path, replay_params = _to_provider_and_back(replay)
    assert replay.get(replay_path, {**replay_params, "code": params["code"]}).status_code == 400
