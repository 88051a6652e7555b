"""Who acts and from where: the client address believes forwarding headers only from trusted proxies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.test import RequestFactory

from chiiki.core.acting import Actor, client_address


def _request(remote: str, **headers: str) -> HttpRequest:
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings: Any) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = []
    request = _request("203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_address(request) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_client_is_the_first_untrusted_hop(
    settings: Any,
) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    # The client sent a forged first entry; nginx (10.0.0.5) appended the real client, then forwarded.
    request = _request("127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.5")
    assert client_address(request) == "198.51.100.7"


def test_the_rfc7239_forwarded_header_is_read_too(settings: Any) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = ["127.0.0.1"]
    request = _request("127.0.0.1", HTTP_FORWARDED='for="[2001:db8::7]:4711";proto=https, for=127.0.0.1')
    assert client_address(request) == "2001:db8::7"


def test_a_malformed_hop_stops_at_the_last_trusted_address(settings: Any) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = ["127.0.0.1"]
    request = _request("127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(request) == "127.0.0.1"


def test_an_actor_from_a_request_carries_address_and_browser(settings: Any) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.4", HTTP_USER_AGENT="Mozilla/5.0 " + "x" * 400)
    actor = Actor.from_request(request, label="case 123")
    assert (actor.address, actor.name, len(actor.user_agent)) == ("192.0.2.4", "case 123", 300)
    assert Actor.system("chiiki survey letters").name == "chiiki survey letters"
    assert Actor().name == "anonymous"
