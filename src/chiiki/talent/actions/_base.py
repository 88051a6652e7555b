"""What every talent action shares: the error users read, model validation worded for them, and who acts for
an organization."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from chiiki.core.acting import Actor
from chiiki.talent.access import can_act_for
from chiiki.talent.models import Organization


class TalentActionError(ValueError):
    """A change that cannot be made; the message is for the user (Japanese first)."""


def full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    """Run the model's checks, turning a refusal into a TalentActionError naming each field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise TalentActionError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        ) from error


def acts_for(by: Actor, organization: Organization) -> bool:
    """True when a signed-in user acts and may act for `organization` (a command or task never does)."""
    return by.user is not None and can_act_for(by.user, organization)
