"""Writing to the append-only audit log. Every read or export of personal data and every change calls `record`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chiiki.core.models import AuditEvent, Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address. Behind a reverse proxy, gunicorn's --forwarded-allow-ips sets REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    municipality: Municipality | str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEvent:
    """Append one audit record. `actor_label` names a non-staff actor (a command, a respondent's case)."""
    user = actor if actor is not None and actor.is_authenticated else None
    code = municipality.code if isinstance(municipality, Municipality) else municipality
    return AuditEvent.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_label=actor_label or (user.get_username() if user is not None else "anonymous"),
        municipality_id=code,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=client_address(request) if request is not None else None,
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        detail=detail or {},
    )
