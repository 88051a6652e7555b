"""WSGI entry point for gunicorn (`chiiki serve`)."""

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

from chiiki.core.frame_room import call_with_frame_room

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiiki.settings")
django_application = get_wsgi_application()


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django's WSGI application, each request run with room for its frames (chiiki.core.frame_room)."""
    return call_with_frame_room(django_application, environ, start_response)
