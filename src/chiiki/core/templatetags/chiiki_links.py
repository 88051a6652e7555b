"""`{% load chiiki_links %}` … `<a href="{{ url|safe_link }}">`: a typed link, or nothing when its scheme is not
http(s) (see chiiki.core.links)."""

from __future__ import annotations

from django import template

from chiiki.core.links import safe_link as _safe_link

register = template.Library()


@register.filter(name="safe_link")
def safe_link(value: object) -> str:
    """The link when it is http(s) or relative, else "" (a stored `javascript:` link never reaches an href)."""
    return _safe_link(value)
