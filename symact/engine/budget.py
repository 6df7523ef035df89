"""Budgets: every SymPy step runs under one, so that no declaration can hang a derivation.

A step's budget counts work, not time: SymPy's cached calls (every expression built, every ``doit``,
``subs``, ``simplify`` of a subexpression goes through one), so that what a step achieves, and so a sheet,
does not depend on how busy or how fast the machine is. A limit on the CPU time, ``BACKSTOP`` times the
step's nominal seconds, stops a step that works without building expressions. A field's or a whole
derivation's budget is CPU time alone, and so are the vector engine's steps (mostly mpmath's work).
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


#: Seconds of CPU time for one field of a property sheet, all its steps together: whatever the
#: declaration and its parameters, no field can hang a derivation; one that runs out is "unknown".
FIELD = 180.0

#: SymPy's cached calls in one nominal second of a step's budget. Deriving the catalog's sheets, SymPy
#: makes 20,000 to 120,000 of them a second of CPU time; at this rate, no step there comes within a
#: factor 1.3 of its limit, either way (the closest: 138,000 and 240,000 calls a nominal second).
CALLS_PER_SECOND = 180_000

#: A step is also stopped after this many times its nominal seconds of CPU time (the catalog's steps
#: take at most 1.8 times).
BACKSTOP = 8.0

#: Seconds of CPU time between two looks at the budgets.
TICK = 0.01


class OutOfTime(BaseException):
    """A derivation step used up its budget. A BaseException, like KeyboardInterrupt, so that the
    ``except Exception`` blocks inside SymPy cannot swallow it."""


def _quiet_unraisable(unraisable) -> None:
    """A budget's signal that lands in a finaliser or a weakref callback is lost there (the budget fires
    again at the next tick): say nothing about it, and pass every other unraisable exception on."""
    if isinstance(unraisable.exc_type, type) and issubclass(unraisable.exc_type, OutOfTime):
        return
    _default_unraisable(unraisable)


_default_unraisable = sys.unraisablehook
sys.unraisablehook = _quiet_unraisable


class _Calls:
    """SymPy's cached calls so far in this process: the sum of its caches' hits and misses, which
    ``clear_cache`` sets back to 0 (what was counted before stays counted)."""

    def __init__(self) -> None:
        self.seen = 0
        self.before = 0

    def __call__(self) -> int:
        from sympy.core.cache import CACHE

        total = 0
        for f in CACHE:
            info = getattr(f, "cache_info", None)
            if info is not None:
                hits, misses, _, _ = info()
                total += hits + misses
        if total < self.seen:
            self.before += self.seen
        self.seen = total
        return self.before + total


calls = _Calls()
#: This process's CPU time, in seconds.
cpu = time.process_time

#: The budgets running, outermost first: [CPU-time limit, limit on the calls or None].
_running: list[list] = []


def _spent() -> bool:
    now = cpu()
    counted = None
    for cpu_limit, calls_limit in _running:
        if now >= cpu_limit:
            return True
        if calls_limit is not None:
            counted = calls() if counted is None else counted
            if counted >= calls_limit:
                return True
    return False


def _alarm(signum, frame) -> None:  # noqa: ARG001
    if _running and _spent():
        raise OutOfTime("step exceeded its budget")


@contextmanager
def _limited(cpu_seconds: float, work: int | None) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() or cpu_seconds <= 0:
        yield
        return
    # The outermost budget owns the signal: it starts the ticks (every TICK of CPU time; one that lands
    # where it is ignored is followed by the next) and, at its end, drops every budget (one left behind
    # by a signal inside an inner budget's cleanup included) before it stops them.
    owner = not _running
    previous = signal.getsignal(signal.SIGPROF) if owner else None
    entry = [cpu() + cpu_seconds, None if work is None else calls() + work]
    try:
        _running.append(entry)
        if owner:
            signal.signal(signal.SIGPROF, _alarm)
            signal.setitimer(signal.ITIMER_PROF, TICK, TICK)
        yield
    finally:
        if owner:
            _running.clear()  # first: a signal still pending from here on finds nothing to stop
            signal.setitimer(signal.ITIMER_PROF, 0)
            # never the default action (terminate) while a last signal may still be pending
            signal.signal(signal.SIGPROF, previous if callable(previous) else signal.SIG_IGN)
        else:
            for i in range(len(_running) - 1, -1, -1):
                if _running[i] is entry:
                    del _running[i]
                    break


@contextmanager
def budget(seconds: float) -> Iterator[None]:
    """Raise `OutOfTime` inside the block after ``seconds`` of this process's CPU time. Main thread only;
    elsewhere (or for ``seconds <= 0``) the block runs unbounded."""
    with _limited(seconds, None):
        yield


@contextmanager
def step_budget(seconds: float) -> Iterator[None]:
    """Raise `OutOfTime` inside the block after ``seconds * CALLS_PER_SECOND`` of SymPy's cached calls, or
    ``BACKSTOP * seconds`` of CPU time, whichever comes first."""
    with _limited(BACKSTOP * seconds, round(seconds * CALLS_PER_SECOND)):
        yield


def attempt(seconds: float, step: Callable[[], T], default: T) -> T:
    """``step()`` under a step budget, or ``default`` when it runs out or SymPy gives up."""
    try:
        with step_budget(seconds):
            return step()
    except (OutOfTime, NotImplementedError, ValueError, TypeError, AttributeError,
            RecursionError, ZeroDivisionError):
        return default
