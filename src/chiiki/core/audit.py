"""Writing to the append-only audit log. Every read or export of personal data and every change calls `record`."""

from __future__ import annotations

from typing import Any

from chiiki.core.acting import Actor, client_address
from chiiki.core.models import AuditEvent, Municipality

__all__ = ["client_address", "record"]


def record(
    action: str,
    *,
    by: Actor,
    municipality: Municipality | str | None = None,
    object_type: str = "",
    object_id: str | int = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit record of `action` done by `by` (who, and from which address and browser)."""
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
