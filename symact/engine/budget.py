"""Time budgets: every SymPy step runs under one, so that no declaration can hang a derivation."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


#: Seconds of CPU time for one field of a property sheet, all its steps together: whatever the
#: declaration and its parameters, no field can hang a derivation; one that runs out is "unknown".
FIELD = 180.0


class OutOfTime(BaseException):
    """A derivation step used up its budget. A BaseException, like KeyboardInterrupt, so that the
    ``except Exception`` blocks inside SymPy cannot swallow it."""


def _quiet_unraisable(unraisable) -> None:
    """A budget's signal that lands in a finaliser or a weakref callback is lost there (the budget fires
    again 50 ms later): say nothing about it, and pass every other unraisable exception on."""
    if isinstance(unraisable.exc_type, type) and issubclass(unraisable.exc_type, OutOfTime):
        return
    _default_unraisable(unraisable)


_default_unraisable = sys.unraisablehook
sys.unraisablehook = _quiet_unraisable


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise `OutOfTime` inside the block after ``seconds`` of this process's CPU time (so that a
    busy machine does not change what is derived). Main thread only; elsewhere the block runs unbounded."""
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def _alarm(signum, frame):  # noqa: ARG001
        raise OutOfTime(f"step exceeded {seconds:g} s")

    previous_handler = signal.signal(signal.SIGPROF, _alarm)
    # re-fire every 50 ms until the block exits, in case one signal lands where it is ignored
    previous_timer = signal.setitimer(signal.ITIMER_PROF, seconds, 0.05)
    try:
        yield
    finally:
        left = signal.setitimer(signal.ITIMER_PROF, 0)[0]
        # never fall back to the default action (terminate) while a last signal may still be pending
        restore = previous_handler if callable(previous_handler) else signal.SIG_IGN
        signal.signal(signal.SIGPROF, restore)
        if previous_timer[0] > 0:  # an outer budget was running: it goes on with what it had left
            used = seconds - left if left > 0 else seconds
            signal.setitimer(signal.ITIMER_PROF, max(previous_timer[0] - used, 1e-3), 0.05)


def attempt(seconds: float, step: Callable[[], T], default: T) -> T:
    """``step()`` under a budget, or ``default`` when it runs out of time or SymPy gives up."""
    try:
        with budget(seconds):
            return step()
    except (OutOfTime, NotImplementedError, ValueError, TypeError, AttributeError,
            RecursionError, ZeroDivisionError):
        return default
