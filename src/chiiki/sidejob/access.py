"""Who records a contract's hours and which sides of a 管理モデル a viewer may see.

The employer records hours (its people act for it as in the talent bank, `chiiki.talent.access.can_act_for`);
for an employer not on the platform, the worker does. An employer sees only its own side of a 管理モデル, never
the other employer's hours; the worker sees both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chiiki.sidejob.models import ManagementAgreement, SideJobContract
from chiiki.talent.access import can_act_for

if TYPE_CHECKING:
    from chiiki.talent.access import Viewer

SIDES = ("first", "second")


def can_record_hours(user: Viewer | None, contract: SideJobContract) -> bool:
    """The employer records hours; for an employer not on the platform, the worker does."""
    if user is None:
        return False
    if contract.organization is not None:
        return can_act_for(user, contract.organization)
    return user.is_authenticated and contract.worker.user_id == user.pk


def is_worker(user: Viewer | None, agreement: ManagementAgreement) -> bool:
    """True when `user` is the worker the agreement is about."""
    return user is not None and user.is_authenticated and agreement.worker.user_id == user.pk


def visible_model_sides(user: Viewer | None, agreement: ManagementAgreement) -> list[str]:
    """The sides `user` may see: the worker sees both; an employer only its own (not the other's hours)."""
    if is_worker(user, agreement):
        return list(SIDES)
    return [side for side in SIDES if can_record_hours(user, getattr(agreement, f"{side}_contract"))]
