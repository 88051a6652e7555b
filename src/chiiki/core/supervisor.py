"""Keeping the worker processes (and, for `chiiki serve --with-worker`, gunicorn) running, and saying why one stopped.

`chiiki worker` runs one worker process per queue (`default` for short jobs, `long` for conversions and runs)
under a `Supervisor`; `chiiki serve --with-worker` adds gunicorn to the same supervisor. When a worker stops —
killed, out of memory, a database error, a job past its time limit — the supervisor logs how it ended and
starts it again, waiting longer after each quick failure (1 s, 2 s, 4 s … 60 s) so that a worker which cannot
start (a database not migrated) does not spin. The new worker's first act is to reap the jobs its predecessor
left running (`chiiki.core.jobs.reap_stale_jobs`). gunicorn restarts its own workers; if gunicorn itself
ends, so does the supervisor (and systemd restarts the service).
"""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from dataclasses import dataclass, field
from types import FrameType

__all__ = ["Child", "Supervisor", "describe_exit"]

logger = logging.getLogger("chiiki.supervisor")

_QUICK_FAILURE_SECONDS = 30.0
_MAX_RESTART_DELAY = 60.0


def describe_exit(returncode: int) -> str:
    """How a process ended, in words for the log."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = " (the system may have run out of memory)" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    if returncode == 0:
        return "exited normally"
    return f"exited with status {returncode} (its last messages are above)"


@dataclass
class Child:
    """One supervised process: its name in the log, its command, and whether it is restarted when it ends."""

    name: str
    command: list[str]
    restart: bool = True
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    start_after: float = 0.0
    stopped: list[str] = field(default_factory=list)  # how each earlier run ended, for tests and the log


class Supervisor:
    """Starts the children, restarts those that end, and stops them all on SIGTERM or Ctrl+C."""

    def __init__(self, children: list[Child], *, stop_grace: float = 30.0, poll: float = 0.5) -> None:
        self.children = children
        self.stop_grace = stop_grace
        self.poll = poll
        self.stopping = False

    def run(self) -> int:
        """Supervise until asked to stop or a child that is not restarted ends; return the exit status."""
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            for child in self.children:
                self._start(child)
            return self._watch()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _watch(self) -> int:
        while not self.stopping:
            for child in self.children:
                status = self._check(child)
                if status is not None:
                    return status
            time.sleep(self.poll)
        return 0

    def _check(self, child: Child) -> int | None:
        """Restart `child` if it ended (or start it when its wait is over); a status to end with, else None."""
        if child.process is None:
            if time.monotonic() >= child.start_after:
                self._start(child)
            return None
        returncode = child.process.poll()
        if returncode is None:
            return None
        how = describe_exit(returncode)
        child.stopped.append(how)
        child.process = None
        if not child.restart:
            logger.error("%s stopped: %s; stopping the others", child.name, how)
            return returncode or 1
        ran = time.monotonic() - child.started_at
        child.quick_failures = child.quick_failures + 1 if ran < _QUICK_FAILURE_SECONDS else 0
        delay = min(2.0 ** max(child.quick_failures - 1, 0), _MAX_RESTART_DELAY)
        child.start_after = time.monotonic() + delay
        logger.error(
            "%s stopped after %.0f s: %s; restarting in %.0f s (its running job is retried or failed by the reaper)",
            child.name,
            ran,
            how,
            delay,
        )
        return None

    def _start(self, child: Child) -> None:
        # A session of its own: Ctrl+C in a terminal reaches the supervisor only, which stops each child once.
        # (A second SIGTERM would make a worker abandon its job half-way.)
        child.process = subprocess.Popen(child.command, start_new_session=True)  # noqa: S603 - our own command
        child.started_at = time.monotonic()
        logger.info("%s started (pid %s)", child.name, child.process.pid)

    def _stop_all(self) -> None:
        running = [c.process for c in self.children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + self.stop_grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("pid %s did not stop within %.0f s; killing it", process.pid, self.stop_grace)
                process.kill()
                process.wait()
