"""Template filters of the side-job pages."""

from __future__ import annotations

from django import template

from chiiki.sidejob.hours import LimitWarning
from chiiki.sidejob.hours_text import warning_text

register = template.Library()


@register.filter
def hours_warning(warning: LimitWarning) -> str:
    """A working-hours warning worded in the page language."""
    return warning_text(warning)
