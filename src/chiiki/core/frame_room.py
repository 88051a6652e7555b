"""Run a call with room for a deep Python stack, so CPython 3.11 does not map and unmap memory for its frames.

CPython 3.11 keeps each thread's frames in chunks of 16 KiB, mapped with ``mmap`` when the stack grows past one
and unmapped as soon as it shrinks back (``_PyThreadState_PopFrame``). A Django request (middleware, views,
templates that include templates) goes up and down across those boundaries hundreds of times: the answering
flow made about 7,000 ``mmap``/``munmap`` pairs per second in one gunicorn worker, and with several threads each
``munmap`` also interrupts the other cores to flush their address caches. That was a quarter of the server's CPU
time in ``bench/survey_intake.py`` (system time, 50 ms per household with four threads against 12 ms with one).

The cure here: the call runs inside a frame that declares many local variables. Entering it makes CPython map one
chunk of 256 KiB for that frame; the call's own frames then fit in what is left of it, so the stack no longer
crosses chunk boundaries. It costs one mapping per request and clearing the frame's slots (128 KiB).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["call_with_frame_room"]

_T = TypeVar("_T")

# Local variables (8 bytes each) in the roomy frame: 16,000 make a frame of 125 KiB, which CPython puts in a chunk
# of 256 KiB, leaving about 130 KiB for the call's frames (a request uses well under half of that).
_SLOTS = 16_000


def _roomy_function() -> Callable[..., Any]:
    """A function whose frame holds `_SLOTS` local variables (never assigned: they only reserve the room)."""
    names = " = ".join(f"_slot{i}" for i in range(_SLOTS))
    source = (
        "def roomy(call, args, kwargs, never=None):\n"
        "    if never is not None:  # never true: the assignment only declares the locals\n"
        f"        {names} = never\n"
        "    return call(*args, **kwargs)\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<chiiki.core.frame_room>", "exec"), namespace)  # noqa: S102 - fixed text made here
    return namespace["roomy"]  # type: ignore[no-any-return]


_roomy = _roomy_function()


def call_with_frame_room(call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """``call(*args, **kwargs)``, run with room for its frames (see the module's docstring)."""
    return _roomy(call, args, kwargs)  # type: ignore[no-any-return]
