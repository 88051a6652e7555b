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


def _served(monkeypatch: pytest.MonkeyPatch, *args: str) -> dict[str, list[str]]:
    """The commands `chiiki serve ARGS` hands its supervisor, by child name (nothing is started)."""
    started: dict[str, list[str]] = {}

    class NoSupervisor:
        def __init__(self, children: list[Any], **_: Any) -> None:
            started.update({child.name: child.command for child in children})

        def run(self) -> int:
            return 0

    monkeypatch.setattr(serve, "Supervisor", NoSupervisor)
    with pytest.raises(SystemExit):
        call_command("serve", *args, stdout=io.StringIO())
    return started


def test_serve_passes_the_hooks_to_gunicorn(monkeypatch: pytest.MonkeyPatch) -> None:
    command = _served(monkeypatch)["gunicorn"]
    assert command[command.index("--config") + 1] == HOOKS


def test_serve_trusts_the_proxies_chiiki_trusts_and_supervises_both_workers(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CHIIKI_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    started = _served(monkeypatch, "--with-worker")
    command = started["gunicorn"]
    assert command[command.index("--forwarded-allow-ips") + 1] == "127.0.0.1,10.0.0.0/8"
    assert sorted(started) == ["gunicorn", "worker[default]", "worker[long]"]


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
