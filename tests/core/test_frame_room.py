"""chiiki.core.frame_room: a call runs inside a frame with room for its own frames (CPython 3.11 maps and unmaps
a 16 KiB chunk each time a thread's stack crosses a chunk boundary; see the module)."""

from __future__ import annotations

import resource
import sys
import threading

import pytest

import chiiki.wsgi
from chiiki.core.frame_room import call_with_frame_room


def _depth(n: int) -> int:
    return 0 if n == 0 else _depth(n - 1) + 1


def _up_and_down(times: int) -> None:
    """A stack that goes deep and comes back, like a request through middleware, views and templates."""
    for _ in range(times):
        _depth(400)  # past several 16 KiB chunks
        _depth(5)


def _minor_faults(call: object) -> int:
    """Page faults while `call` runs in a new thread (a fresh stack, as a server thread has)."""
    faults: list[int] = []

    def run() -> None:
        before = resource.getrusage(resource.RUSAGE_THREAD).ru_minflt
        call()  # type: ignore[operator]
        faults.append(resource.getrusage(resource.RUSAGE_THREAD).ru_minflt - before)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return faults[0]


def test_the_call_gets_its_arguments_and_gives_its_result() -> None:
    assert call_with_frame_room(lambda a, b=0: a + b, 2, b=3) == 5


def test_an_exception_in_the_call_comes_through() -> None:
    def fail() -> None:
        raise ValueError("named reason")

    with pytest.raises(ValueError, match="named reason"):
        call_with_frame_room(fail)


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the chunk behaviour is CPython 3.11's")
def test_a_deep_stack_going_up_and_down_no_longer_maps_memory_each_time() -> None:
    plain = _minor_faults(lambda: _up_and_down(2_000))
    roomy = _minor_faults(lambda: call_with_frame_room(_up_and_down, 2_000))
    # Plainly, each descent past the first chunk maps a new one (at least one fault per descent).
    assert plain >= 2_000
    assert roomy < plain / 10


def test_the_wsgi_application_runs_django_inside_the_roomy_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    callers: list[int] = []

    def django_stand_in(environ: dict[str, object], start_response: object) -> list[bytes]:
        callers.append(sys._getframe(1).f_code.co_nlocals)  # the frame that called Django
        return [b"ok"]

    monkeypatch.setattr(chiiki.wsgi, "django_application", django_stand_in)
    assert chiiki.wsgi.application({}, lambda *args: None) == [b"ok"]
    assert callers[0] >= 16_000
