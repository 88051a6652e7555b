"""Run the real `chiiki` console script as a subprocess, the way the outside checks do.

Every case runs in its own process. The processes of one command are started together on a small thread
pool the first time one of them is needed, so the whole directory stays quick on two cores.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

CHIIKI = Path(sys.executable).with_name("chiiki")
TIMEOUT = 120  # seconds; a hang (FIFO, endless device) fails the case instead of the whole run


@dataclass(frozen=True)
class Outcome:
    """What a run printed and how it ended (returncode None: killed after TIMEOUT)."""

    args: tuple[str, ...]
    returncode: int | None
    output: str

    def describe(self) -> str:
        """The command and the first part of its output, for assertion messages."""
        return f"chiiki {' '.join(self.args)[:300]} -> {self.returncode}\n{self.output[:2000]}"


def run_chiiki(
    args: Sequence[str], env: dict[str, str] | None = None, *, timeout: float = TIMEOUT
) -> Outcome:
    """Run `chiiki ARGS` with stdin closed; never raises for a hang or a crash."""
    try:
        proc = subprocess.run(
            [str(CHIIKI), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        text = (expired.stdout or b"").decode(errors="replace") + (expired.stderr or b"").decode(
            errors="replace"
        )
        return Outcome(tuple(args), None, f"TIMEOUT after {timeout}s\n{text}")
    output = proc.stdout.decode(errors="replace") + proc.stderr.decode(errors="replace")
    return Outcome(tuple(args), proc.returncode, output)


class Pool:
    """Futures of subprocess runs keyed by case id; each is started once."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2))
        self.futures: dict[str, Future[Outcome]] = {}

    def start(
        self, key: str, make_args: Callable[[], Sequence[str]], env: dict[str, str] | None = None
    ) -> None:
        """Start a run unless it already started."""
        if key not in self.futures:
            args = list(make_args())
            self.futures[key] = self.executor.submit(run_chiiki, args, env)

    def result(self, key: str) -> Outcome:
        """Wait for a run's outcome."""
        return self.futures[key].result()


@pytest.fixture(scope="session")
def pool() -> Iterator[Pool]:
    """One pool of runs for the whole session."""
    runs = Pool()
    yield runs
    runs.executor.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="session")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the hostile files are written, once per session."""
    return tmp_path_factory.mktemp("hostile")


def assert_contract(outcome: Outcome, reason: str | None = None, codes: tuple[int, ...] = (0, 1)) -> None:
    """The shared contract: a known exit code, no traceback, and (when given) the reason named."""
    import re

    assert outcome.returncode in codes, outcome.describe()
    assert "Traceback" not in outcome.output, outcome.describe()
    assert outcome.output.strip(), outcome.describe()
    if reason is not None:
        assert re.search(reason, outcome.output), f"expected /{reason}/ in:\n{outcome.describe()}"
