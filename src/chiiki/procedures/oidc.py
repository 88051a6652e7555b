"""Resident sign-in with the My Number card over OpenID Connect (authorization code flow with PKCE).

As the Digital Agency's デジタル認証アプリ offers it: scopes `openid name address birthdate gender`, `state` and
`nonce`, and the ID token's signature checked against the provider's JWKS. authlib is the relying party (the
authorization URL with PKCE S256, the code exchange); joserfc (authlib's own JOSE library, which authlib
recommends over its deprecated `authlib.jose`) checks the ID token's signature and claims. Configured by
`CHIIKI_OIDC_ISSUER`, `CHIIKI_OIDC_CLIENT_ID`, `CHIIKI_OIDC_CLIENT_SECRET`, `CHIIKI_OIDC_SCOPES`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

SESSION_FLOW = "procedures_oidc_flow"
SESSION_CLAIMS = "procedures_oidc_claims"
CLAIMS = ("sub", "name", "address", "birthdate", "gender")
TIMEOUT = 10


class SignInRefused(Exception):
    """The provider's answer cannot be trusted; `reason` says why in plain Japanese and English."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def configured() -> bool:
    """True when an OpenID Connect provider is configured."""
    return bool(getattr(settings, "CHIIKI_OIDC_ISSUER", ""))


def _provider() -> Provider:
    issuer = settings.CHIIKI_OIDC_ISSUER.rstrip("/")
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=TIMEOUT).json()
    if meta.get("issuer", "").rstrip("/") != issuer:
        raise SignInRefused("認証サーバーの設定が一致しません (issuer mismatch)")
    return Provider(issuer, meta["authorization_endpoint"], meta["token_endpoint"], meta["jwks_uri"])


def _client(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.CHIIKI_OIDC_CLIENT_ID,
        client_secret=settings.CHIIKI_OIDC_CLIENT_SECRET,
        scope=settings.CHIIKI_OIDC_SCOPES,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )


def start(session: Any, redirect_uri: str, next_url: str) -> str:
    """Begin a sign-in: keep state, nonce and the PKCE verifier in the session; return the provider's URL."""
    provider = _provider()
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    url, _ = _client(redirect_uri).create_authorization_url(
        provider.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
    )
    session[SESSION_FLOW] = {
        "state": state, "nonce": nonce, "verifier": verifier, "next": next_url, "redirect_uri": redirect_uri,
    }  # fmt: skip
    return str(url)


def finish(session: Any, params: dict[str, str]) -> dict[str, str]:
    """Complete a sign-in from the provider's redirect; return the checked claims or raise SignInRefused."""
    flow = session.pop(SESSION_FLOW, None)
    if not flow or not params.get("state") or params.get("state") != flow["state"]:
        raise SignInRefused("サインインの手順が正しくありません。最初からやり直してください (state mismatch)")
    if params.get("error") or not params.get("code"):
        raise SignInRefused("サインインが取り消されたか、失敗しました (no authorization code)")
    provider = _provider()
    try:
        token = _client(flow["redirect_uri"]).fetch_token(
            provider.token_endpoint, code=params["code"], code_verifier=flow["verifier"], timeout=TIMEOUT
        )
    except Exception as error:  # authlib raises OAuthError and requests its own: all mean the same here
        raise SignInRefused(
            "認証サーバーからトークンを受け取れませんでした (token exchange failed)"
        ) from error
    return _check_id_token(token.get("id_token", ""), provider, flow["nonce"])


def _check_id_token(id_token: str, provider: Provider, nonce: str) -> dict[str, str]:
    keys = KeySet.import_key_set(requests.get(provider.jwks_uri, timeout=TIMEOUT).json())
    try:
        decoded = jwt.decode(id_token, keys, algorithms=["RS256", "ES256"])
    except (JoseError, ValueError) as error:
        raise SignInRefused("IDトークンの署名を確認できません (bad signature)") from error
    claims = decoded.claims
    now = int(time.time())
    if claims.get("iss") != provider.issuer:
        raise SignInRefused("IDトークンの発行者が違います (wrong issuer)")
    audience = claims.get("aud")
    if settings.CHIIKI_OIDC_CLIENT_ID not in (audience if isinstance(audience, list) else [audience]):
        raise SignInRefused("IDトークンの宛先が違います (wrong audience)")
    if not isinstance(claims.get("exp"), int) or claims["exp"] < now - 30:
        raise SignInRefused(
            "IDトークンの有効期限が切れています。もう一度サインインしてください (expired token)"
        )
    if claims.get("nonce") != nonce:
        raise SignInRefused("IDトークンがこのサインインのものではありません (nonce mismatch)")
    checked = {name: str(claims.get(name, "")) for name in CLAIMS}
    address = claims.get("address")
    if isinstance(address, dict):  # the standard claim is a JSON object: `formatted`, `postal_code`, …
        checked["address"] = str(address.get("formatted", ""))
        checked["postal_code"] = str(address.get("postal_code", "")).replace("-", "")
    return checked
