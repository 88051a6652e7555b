"""The `chiiki` console script maps `domain verb` onto management commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from chiiki.cli import resolve_command

KNOWN = {"survey_check_form", "migrate", "registry_import", "serve"}


def test_domain_and_verb_become_one_command() -> None:
    assert resolve_command(["survey", "check-form", "f.xlsx"], KNOWN) == ["survey_check_form", "f.xlsx"]


def test_single_word_commands_pass_through() -> None:
    assert resolve_command(["migrate", "--no-input"], KNOWN) == ["migrate", "--no-input"]
    assert resolve_command(["serve", "--bind", "x"], KNOWN) == ["serve", "--bind", "x"]


def test_unknown_words_are_left_for_django_to_report() -> None:
    assert resolve_command(["nonsense", "verb"], KNOWN) == ["nonsense", "verb"]


def test_console_script_on_an_unprepared_database_says_so_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "CHIIKI_VAR_DIR": str(tmp_path)}
    env.pop("CHIIKI_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "chiiki",
            "registry",
            "import",
            "/nonexistent.csv",
            "--municipality",
            "352021",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "chiiki migrate" in done.stderr
