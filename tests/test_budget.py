"""The CPU-time budgets that bound every SymPy step."""

from __future__ import annotations

import subprocess
import sys
import time
import types

import pytest

from symact.engine.budget import OutOfTime, attempt, budget


def _spin(seconds: float) -> None:
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass


def test_a_step_past_its_budget_is_stopped() -> None:
    start = time.process_time()
    assert attempt(0.05, lambda: _spin(5.0), "stopped") == "stopped"
    assert time.process_time() - start < 1.0
    with pytest.raises(OutOfTime), budget(0.05):
        _spin(5.0)


SCRIPT = """
import time
from symact.engine.budget import attempt

def spin(seconds):
    start = time.process_time()
    while time.process_time() - start < seconds:
        pass

class Slow:
    def __del__(self):
        spin(0.3)

def step():
    Slow()  # dropped at once: its finaliser runs, and the budget runs out inside it
    spin(5.0)
    return "finished"

print(attempt(0.05, step, "stopped"))
"""


def test_a_budget_lost_in_a_finaliser_is_silent() -> None:
    """The signal may land in a finaliser, where Python can only report it ("Exception ignored in ...");
    the budget fires again and stops the step, and nothing is printed."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60,
                          check=True)
    assert done.stdout.strip() == "stopped"
    assert done.stderr == ""


def test_other_unraisable_exceptions_are_passed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    from symact.engine import budget as module

    seen = []
    monkeypatch.setattr(module, "_default_unraisable", seen.append)
    report = types.SimpleNamespace(exc_type=RuntimeError, exc_value=RuntimeError("x"), object=None)
    module._quiet_unraisable(report)
    module._quiet_unraisable(types.SimpleNamespace(exc_type=OutOfTime, exc_value=OutOfTime(), object=None))
    assert seen == [report]
