"""Argument parsing shared by the survey and fieldwork commands: survey IDs and dates, with plain messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.core.management.base import CommandError
from django.db import DatabaseError

from chiiki.surveys import queries
from chiiki.surveys.models import Survey
from chiiki.surveys.xlsform import FormRejected

__all__ = ["database_errors", "date_from", "rejected_message", "survey_from"]

MAX_PROBLEMS = 40
"""Problems listed by a command that refuses a form or its files; the rest are counted."""


def rejected_message(error: FormRejected, heading: str, *, more: str = "") -> str:
    """`heading`, then the problems (errors first; file, row, column, reason), at most MAX_PROBLEMS of them;
    `more` follows the count of the rest (where to see them all)."""
    errors = [p for p in error.problems if p.severity == "error"] or error.problems
    lines = "\n".join(f"  {problem.describe()}" for problem in errors[:MAX_PROBLEMS])
    if len(errors) > MAX_PROBLEMS:
        lines += f"\n  …ほか {len(errors) - MAX_PROBLEMS} 件{more}"
    return f"{heading}\n{lines}"


def survey_from(text: str) -> Survey:
    """The survey with ID `text`, or a CommandError saying what is wrong."""
    try:
        survey_id = int(text)
    except ValueError as error:
        raise CommandError(
            f"調査IDは数字で指定してください: {text!r} (survey ID must be a number)"
        ) from error
    with database_errors(writing=False):
        survey = queries.survey_by_id(survey_id)
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


@contextmanager
def database_errors(*, writing: bool = True) -> Iterator[None]:
    """Turn a database error (most often: no `chiiki migrate` yet) into a CommandError that says so."""
    try:
        yield
    except DatabaseError as error:
        verb = "書き込めません" if writing else "読めません"
        raise CommandError(
            f"データベースに{verb}。chiiki migrate は実行済みですか? (database error: {error})"
        ) from error
