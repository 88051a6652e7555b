"""gunicorn hooks for `chiiki serve` (bench/survey_intake.py loads the same file, so it measures this server).

Loaded with ``gunicorn --config python:chiiki.core.gunicorn_config``; the command line still sets the bind
address, workers and threads.
"""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Import the URLconf, and with it every view module, before the worker takes its first request.

    Django imports it lazily on the first request, which takes seconds here (the estimation views import
    the statistics libraries); all the worker's threads would wait on that import while the first
    respondents' requests queue behind it. The hook runs in each worker after the fork (the libraries
    start thread pools, which must not be created before a fork).
    """
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the attribute loads the URLconf module
