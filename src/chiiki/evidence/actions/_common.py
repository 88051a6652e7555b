"""What every evidence action shares: its error and the permission check."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

from chiiki.core.permissions import has_permission

if TYPE_CHECKING:
    from chiiki.core.acting import Actor
    from chiiki.core.models import Municipality


class EvidenceError(ValueError):
    """An evidence action that cannot be done as asked; the message says why, Japanese first."""


def require(by: Actor, municipality: Municipality | str, permission: str = "surveys.manage") -> None:
    """A staff account must hold `permission`; a command or task (no account) acts as the operator."""
    if by.user is not None and not has_permission(by.user, municipality, permission):
        raise PermissionDenied(f"この操作の権限がありません ({permission} required)")
