"""Problems found in a questionnaire, each located by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FormRejected", "Problem"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a form (``severity="error"``) or worth a look (``"warning"``).

    ``row`` is the spreadsheet row number (1 = header row) and ``column`` the column letter, or
    ``None`` when the problem concerns a whole sheet or file. ``subject`` is the offending name,
    type or expression.
    """

    sheet: str | None
    row: int | None
    column: str | None
    subject: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def location(self) -> str:
        """``survey!C12``-style location text for display."""
        if self.sheet is None:
            return "(file)"
        text = self.sheet
        if self.row is not None or self.column is not None:
            text += f"!{self.column or ''}{self.row if self.row is not None else ''}"
        return text

    def describe(self) -> str:
        """One line: location, subject and what is wrong."""
        subject = f" [{self.subject}]" if self.subject else ""
        return f"{self.location()}{subject}: {self.message}"


class FormRejected(ValueError):
    """Raised by :func:`load_form` when a form has errors; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s): " + "; ".join(p.describe() for p in errors[:5]))
