"""`chiiki serve` hands gunicorn the hooks in chiiki/core/gunicorn_config.py; the hook loads every view."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from gunicorn.app.base import Application

from chiiki.core import gunicorn_config
from chiiki.core.management.commands import serve

HOOKS = "python:chiiki.core.gunicorn_config"


class _Probe(Application):
    """A gunicorn application that only loads settings (never serves)."""

    def init(self, parser: Any, opts: Any, args: Any) -> None:
        return None

    def load(self) -> None:
        return None


def test_serve_passes_the_hooks_to_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[list[str]] = []
    monkeypatch.setattr(serve.subprocess, "run", lambda command, **_: commands.append(command))
    call_command("serve", stdout=io.StringIO())
    (command,) = commands
    assert command[command.index("--config") + 1] == HOOKS


def test_gunicorn_reads_the_worker_hook_from_the_module() -> None:
    probe = _Probe.__new__(_Probe)  # without __init__, which would parse this process's command line
    probe.usage, probe.prog, probe.callable = None, None, None
    probe.load_default_config()
    probe.load_config_from_module_name_or_filename(HOOKS)
    assert probe.cfg.post_worker_init is gunicorn_config.post_worker_init


def test_the_worker_hook_imports_the_urlconf_and_the_views() -> None:
    # A fresh interpreter: this test process imported the views long ago.
    script = (
        "import sys, django; django.setup();"
        "before = 'chiiki.evidence.views' in sys.modules;"
        "from chiiki.core.gunicorn_config import post_worker_init; post_worker_init(None);"
        "print(before, 'chiiki.urls' in sys.modules, 'chiiki.evidence.views' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "chiiki.settings"},
    )
    assert result.stdout.split() == ["False", "True", "True"]
