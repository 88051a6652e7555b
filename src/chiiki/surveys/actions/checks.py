"""What every survey action checks first: who acts, and whether they may."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from chiiki.core.acting import Actor
from chiiki.core.models import Municipality
from chiiki.core.permissions import has_permission
from chiiki.surveys import queries
from chiiki.surveys.models import Survey

__all__ = ["SurveyError", "is_command", "require_files_attached", "require_permission"]

_REFUSALS = {"surveys.manage": "この操作には調査担当者の権限が必要です (surveys.manage required)"}


class SurveyError(ValueError):
    """A survey action that cannot be done as asked (message in Japanese, then English)."""


def is_command(by: Actor) -> bool:
    """True for a command or task run by the operator (`Actor.system`): no user, no request behind it."""
    return by.user is None and by.address is None and not by.user_agent


def require_permission(
    by: Actor, municipality: Municipality | str, permission: str = "surveys.manage"
) -> None:
    """Staff must hold `permission` in `municipality`; a command or task acts for the operator.

    A request without a signed-in user (an anonymous visitor) never passes.
    """
    if is_command(by):
        return
    if by.user is None or not has_permission(by.user, municipality, permission):
        raise PermissionDenied(
            _REFUSALS.get(permission, f"この操作の権限がありません ({permission} required)")
        )


def require_files_attached(survey: Survey) -> None:
    """Refuse to let a survey be answered (keys, letters) while its questionnaire lacks a file it reads."""
    missing = queries.missing_files(survey)
    if missing:
        names = ", ".join(missing)
        raise SurveyError(
            f"調査票が読むファイルがまだ添付されていません: {names}。調査のページ(または chiiki survey attach)で"
            f"添付するまで、回答を始められません (the questionnaire reads files not attached yet: {names}; "
            "attach them on the survey's page or with chiiki survey attach before answering can start)"
        )
