"""Writing to the append-only audit log. Every read or export of personal data and every change calls `record`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chiiki.core.acting import Actor, client_address
from chiiki.core.models import AuditEvent, Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

__all__ = ["client_address", "record"]


def record(
    action: str,
    *,
    by: Actor | None = None,
    municipality: Municipality | str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
    # Legacy spelling, kept while the apps move to `by`: the user, a label and the request separately.
    actor: AbstractBaseUser | AnonymousUser | Actor | None = None,
    actor_label: str = "",
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one audit record of `action` done by `by` (who, and from which address and browser)."""
    if by is None:
        by = _legacy_actor(actor, actor_label, request)
    code = municipality.code if isinstance(municipality, Municipality) else municipality
    return AuditEvent.objects.create(
        actor_id=by.user.pk if by.user is not None else None,
        actor_label=by.name[:150],
        municipality_id=code,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip_address=by.address,
        user_agent=by.user_agent,
        detail=detail or {},
    )


def _legacy_actor(
    user: AbstractBaseUser | AnonymousUser | Actor | None, label: str, request: HttpRequest | None
) -> Actor:
    if isinstance(user, Actor):  # an action already converted hands its `by` through
        return user if user.label or not label else Actor(user.user, label, user.address, user.user_agent)
    if request is not None:
        base = Actor.from_request(request, label=label)
        return Actor(Actor.for_user(user).user, label, base.address, base.user_agent)
    return Actor.for_user(user, label=label)
