"""A small OpenID Connect provider for the tests: real HTTP on localhost, real RS256-signed ID tokens.

It plays the Digital Agency's デジタル認証アプリ after the resident has held the card to the phone: /authorize
approves at once and redirects back with a code; /token checks the client secret, the redirect URI and the
PKCE verifier (S256, with authlib's helper) and returns an ID token signed with its key (joserfc), whose public
half it publishes at /jwks. `person` holds the card holder's claims (a test may put a registry resident there). `mode` makes it misbehave on purpose: "forged_state", "wrong_nonce", "expired", "tampered".
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "chiiki-test"
CLIENT_SECRET = "test-secret-" + "x" * 20
PERSON = {
    "sub": "card-0001",
    "name": "山田 花子",
    "address": "広島県府中町本町1番地",
    "birthdate": "1960-04-01",
    "gender": "female",
}


class Provider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
        self.codes: dict[str, dict[str, str]] = {}
        self.mode = ""
        self.person: dict[str, Any] = dict(PERSON)  # whose card is held to the phone; a test may change it
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.provider = self
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, grant: dict[str, str]) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant["nonce"], **self.person,
        }  # fmt: skip
        if self.mode == "wrong_nonce":
            claims["nonce"] = "not-the-one-sent"
        if self.mode == "expired":
            claims["iat"], claims["exp"] = now - 7200, now - 3600
        token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        if self.mode == "tampered":
            header, payload, signature = token.split(".")
            body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            body["sub"] = "someone-else"
            forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
            token = f"{header}.{forged}.{signature}"
        return token


class _Server(ThreadingHTTPServer):
    provider: Provider


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    @property
    def provider(self) -> Provider:
        return self.server.provider

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _json(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path == "/.well-known/openid-configuration":
            self._json(200, {
                "issuer": self.provider.issuer,
                "authorization_endpoint": f"{self.provider.issuer}/authorize",
                "token_endpoint": f"{self.provider.issuer}/token",
                "jwks_uri": f"{self.provider.issuer}/jwks",
                "scopes_supported": ["openid", "name", "address", "birthdate", "gender"],
                "code_challenge_methods_supported": ["S256"],
            })  # fmt: skip
        elif url.path == "/jwks":
            self._json(
                200, {"keys": [{**self.provider.key.as_dict(private=False), "kid": self.provider.key.kid}]}
            )
        elif url.path == "/authorize":
            self._authorize({k: v[0] for k, v in parse_qs(url.query).items()})
        else:
            self._json(404, {"error": "not_found"})

    def _authorize(self, q: dict[str, str]) -> None:
        scopes = set(q.get("scope", "").split())
        ok = q.get("client_id") == CLIENT_ID and q.get("code_challenge_method") == "S256"
        if not ok or not {"openid", "name", "address", "birthdate", "gender"} <= scopes:
            self._json(400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(24)
        self.provider.codes[code] = q
        self.send_response(302)
        # "forged_state": the browser comes back with a state its sign-in never sent (as an attacker's link would).
        state = "forged-" + q["state"][::-1] if self.provider.mode == "forged_state" else q["state"]
        self.send_header("Location", f"{q['redirect_uri']}?{urlencode({'code': code, 'state': state})}")
        self.end_headers()

    def do_POST(self) -> None:
        form = {
            k: v[0]
            for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()
        }
        auth = self.headers.get("Authorization", "")
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        secret_ok = auth == f"Basic {basic}" or form.get("client_secret") == CLIENT_SECRET
        grant = self.provider.codes.pop(form.get("code", ""), None)
        if not secret_ok or grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            self._json(400, {"error": "invalid_grant"})
            return
        if create_s256_code_challenge(form.get("code_verifier", "")) != grant["code_challenge"]:
            self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
            return
        self._json(200, {
            "access_token": secrets.token_urlsafe(24), "token_type": "Bearer", "expires_in": 300,
            "id_token": self.provider.id_token(grant),
        })  # fmt: skip
