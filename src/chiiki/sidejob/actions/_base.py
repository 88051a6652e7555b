"""What the side-job actions share: the error users read and who acts for whom."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from chiiki.core.acting import Actor
from chiiki.sidejob.access import can_record_hours
from chiiki.sidejob.models import SideJobContract
from chiiki.talent.models import TalentProfile


class SideJobActionError(ValueError):
    """A change that cannot be made; the message is for the user (Japanese first)."""


def full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    """Run the model's checks, turning a refusal into a SideJobActionError naming each field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise SideJobActionError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        ) from error


def records_hours(by: Actor, contract: SideJobContract) -> bool:
    """True when a signed-in user acts who records this contract's hours (its employer, or the worker)."""
    return by.user is not None and can_record_hours(by.user, contract)


def is_worker(by: Actor, worker: TalentProfile) -> bool:
    """True when the worker themself acts."""
    return by.user is not None and worker.user_id == by.user.pk
