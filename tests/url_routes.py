"""Every route of the URL configuration, as its pattern text, for the tests that walk them all."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import URLPattern, URLResolver, get_resolver


def routes_where(keep: Callable[[str], bool]) -> list[str]:
    """Route patterns (e.g. ``/staff/m/<str:code>/surveys/<str:survey_id>/``) for which `keep` is true."""
    routes: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif keep(route):
                routes.append(route)

    walk(get_resolver().url_patterns, "/")
    return routes
