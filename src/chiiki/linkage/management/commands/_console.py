"""Shared pieces of the linkage commands: the stage progress bar on stderr."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from chiiki.linkage.engine import STAGES, ProgressCallback


@contextmanager
def stage_progress() -> Iterator[ProgressCallback]:
    """Yield a callback that drives a progress bar over the engine's stages (silent when not a terminal)."""
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    with progress:
        task = progress.add_task(STAGES[0], total=len(STAGES))

        def advance(stage: str, step: int, total: int) -> None:
            progress.update(task, description=stage, completed=step, total=total)

        yield advance
