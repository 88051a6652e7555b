"""A malformed CHIIKI_* variable stops `chiiki` with one line naming it, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHIIKI = Path(sys.executable).with_name("chiiki")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CHIIKI_SURVEY_COSTS", "{visit: 2000"),
        ("CHIIKI_SURVEY_COSTS", "[1, 2]"),
        ("CHIIKI_TRUSTED_PROXIES", "10.0.0.300"),
    ],
)
def test_a_malformed_variable_is_named(variable: str, value: str, tmp_path: Path) -> None:
    env = {**os.environ, variable: value, "CHIIKI_VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([str(CHIIKI), "check"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert variable in done.stderr
    assert "Traceback" not in done.stderr


def test_unit_costs_are_read_from_json(tmp_path: Path) -> None:
    env = {**os.environ, "CHIIKI_SURVEY_COSTS": '{"visit": 2500}', "CHIIKI_VAR_DIR": str(tmp_path)}
    code = "from django.conf import settings; print(settings.CHIIKI_SURVEY_COSTS['visit'])"
    done = subprocess.run(
        [str(CHIIKI), "shell", "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip().splitlines()[-1] == "2500", done.stderr
