"""Who acts, and from where: the one value every action takes as `by`.

An action is called from a page, the API, a command or a task. Instead of passing the user, a label for
non-staff actors and the request side by side, callers build one `Actor`: `Actor.from_request(request)` in
views and API endpoints, `Actor.system("chiiki survey letters")` in commands and tasks, `Actor.for_user(user)`
when a command acts for a named staff account. The audit log reads everything it records from it.

The client address is taken in one place, `client_address`: behind a reverse proxy listed in
`CHIIKI_TRUSTED_PROXIES` the address comes from `X-Forwarded-For` (or RFC 7239 `Forwarded`); otherwise the
header is ignored, so a client cannot choose the address that throttling and the audit log see.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    from chiiki.core.models import User

__all__ = ["Actor", "client_address"]

_USER_AGENT_MAX = 300

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Actor:
    """A signed-in user or a named non-staff actor (a command, a task, a respondent's case), and their client."""

    user: User | None = None
    label: str = ""
    address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, label: str = "") -> Actor:
        """The request's signed-in user (if any) with its client address and browser.

        `label` names an actor who is not a staff user, such as a respondent ("case 123456789012").
        """
        return cls(
            user=_authenticated(getattr(request, "user", None)),
            label=label,
            address=client_address(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:_USER_AGENT_MAX],
        )

    @classmethod
    def system(cls, label: str) -> Actor:
        """A command or background task, named as the audit log should show it."""
        return cls(label=label)

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser | None, *, label: str = "") -> Actor:
        """A staff account acting without a request (a command run with --by, a job queued by that user)."""
        return cls(user=_authenticated(user), label=label)

    @property
    def name(self) -> str:
        """What the audit log shows as the actor: the label, else the user name, else "anonymous"."""
        if self.label:
            return self.label
        return self.user.get_username() if self.user is not None else "anonymous"

    @property
    def is_staff_user(self) -> bool:
        """True when a signed-in account acts (not a command, a task or an anonymous visitor)."""
        return self.user is not None


def _authenticated(user: AbstractBaseUser | AnonymousUser | None) -> User | None:
    if user is None or not user.is_authenticated:
        return None
    return user  # type: ignore[return-value]  # AUTH_USER_MODEL is core.User


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, believing forwarding headers only from `CHIIKI_TRUSTED_PROXIES`.

    The forwarding chain is read from the right: each hop that is a trusted proxy is skipped, and the first
    address that is not one is the client. A malformed entry ends the walk at the last trusted hop, which
    never lets a client name an arbitrary address.
    """
    peer = _parse_address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies = _trusted_proxies(tuple(getattr(settings, "CHIIKI_TRUSTED_PROXIES", ())))
    if not proxies or not _is_trusted(peer, proxies):
        return str(peer)
    client = peer
    for hop in reversed(_forwarded_chain(request)):
        address = _parse_address(hop)
        if address is None:
            break
        client = address
        if not _is_trusted(address, proxies):
            break
    return str(client)


def _forwarded_chain(request: HttpRequest) -> list[str]:
    """Addresses of the forwarding chain, leftmost first, from `Forwarded` or else `X-Forwarded-For`."""
    forwarded = request.META.get("HTTP_FORWARDED", "")
    if forwarded:
        chain = []
        for element in forwarded.split(","):
            for pair in element.split(";"):
                key, _, value = pair.strip().partition("=")
                if key.lower() == "for":
                    chain.append(_strip_forwarded_node(value))
        return chain
    return [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]


def _strip_forwarded_node(value: str) -> str:
    """RFC 7239 node → bare address: quotes, [IPv6] brackets and :port removed."""
    node = value.strip().strip('"')
    if node.startswith("["):
        return node[1 : node.find("]")] if "]" in node else node
    if node.count(":") == 1:  # IPv4 with a port
        return node.split(":", 1)[0]
    return node


def _parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address, proxies: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


@lru_cache(maxsize=8)
def _trusted_proxies(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
