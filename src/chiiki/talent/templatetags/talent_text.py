"""Template filters of the talent pages."""

from __future__ import annotations

from django import template

from chiiki.talent.hours import LimitWarning
from chiiki.talent.hours_text import warning_text

register = template.Library()


@register.filter
def hours_warning(warning: LimitWarning) -> str:
    """A working-hours warning worded in the page language."""
    return warning_text(warning)
