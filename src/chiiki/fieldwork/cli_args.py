"""Argument parsing shared by the fieldwork commands: survey IDs and dates, with plain error messages."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.db import DatabaseError

from chiiki.surveys.models import Survey


def survey_from(text: str) -> Survey:
    """The survey with ID `text`, or a CommandError saying what is wrong."""
    try:
        survey_id = int(text)
    except ValueError as error:
        raise CommandError(
            f"調査IDは数字で指定してください: {text!r} (survey ID must be a number)"
        ) from error
    try:
        survey = Survey.objects.select_related("municipality").filter(pk=survey_id).first()
    except DatabaseError as error:
        raise CommandError(
            f"データベースを読めません。chiiki migrate は実行済みですか? (database error: {error})"
        ) from error
    if survey is None:
        raise CommandError(f"調査ID {survey_id} が見つかりません (survey not found)")
    return survey


def date_from(text: str | None) -> date | None:
    """A YYYY-MM-DD date, None when not given, or a CommandError."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            f"日付は YYYY-MM-DD で指定してください: {text!r} (date must be YYYY-MM-DD)"
        ) from error
