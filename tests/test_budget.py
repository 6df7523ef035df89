"""The budgets that bound every SymPy step: SymPy's calls, with CPU time as a backstop."""

from __future__ import annotations

import subprocess
import sys
import time
import types

import pytest

from symact.engine import budget as module
from symact.engine.budget import OutOfTime, attempt, budget, step_budget


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
        spin(1.0)  # longer than the step's backstop (8 x 0.05 s)

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
    seen = []
    monkeypatch.setattr(module, "_default_unraisable", seen.append)
    report = types.SimpleNamespace(exc_type=RuntimeError, exc_value=RuntimeError("x"), object=None)
    module._quiet_unraisable(report)
    module._quiet_unraisable(types.SimpleNamespace(exc_type=OutOfTime, exc_value=OutOfTime(), object=None))
    assert seen == [report]


class _Meter:
    """Stands in for SymPy's call counter and the CPU clock: each tick of a simulated step adds to both."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls, self.seconds = 0, 0.0
        monkeypatch.setattr(module, "calls", lambda: self.calls)
        monkeypatch.setattr(module, "cpu", lambda: self.seconds)

    def step(self, calls: int, seconds: float, ticks: int = 400) -> int:
        """Up to ``ticks`` pieces of 1 ms of real CPU time, each ``calls`` SymPy calls and ``seconds`` of
        CPU time on the simulated machine; the pieces done."""
        done = 0
        with step_budget(1.0):
            for _ in range(ticks):
                _spin(0.001)
                self.calls += calls
                self.seconds += seconds
                done += 1
        return done


def test_a_step_is_limited_by_sympy_calls_not_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A slow machine (20 ms of CPU time for 1 ms of work here, so 8 s where the step's nominal second
    is 1) makes the same calls: it finishes the step as a fast one does. The same step making more calls
    than its budget is stopped once it has made them, whatever its CPU time."""
    meter = _Meter(monkeypatch)
    per_tick = module.CALLS_PER_SECOND // 500  # 400 ticks: 0.8 of the budget
    assert meter.step(per_tick, 0.015) == 400
    for seconds in (0.0, 0.015):
        meter = _Meter(monkeypatch)
        with pytest.raises(OutOfTime):
            meter.step(4 * per_tick, seconds)
        assert module.CALLS_PER_SECOND <= meter.calls <= 1.2 * module.CALLS_PER_SECOND


def test_a_step_without_sympy_calls_is_stopped_by_cpu_time(monkeypatch: pytest.MonkeyPatch) -> None:
    meter = _Meter(monkeypatch)
    with pytest.raises(OutOfTime):
        meter.step(0, 0.05)
    assert module.BACKSTOP <= meter.seconds <= module.BACKSTOP + 1.0


def test_sympy_calls_are_counted() -> None:
    """The counter SymPy's steps are charged by moves with SymPy's work, and goes on through a
    ``clear_cache``."""
    import sympy as sp
    from sympy.core.cache import clear_cache

    x = sp.Symbol("x")
    before = module.calls()
    sp.expand((x + 1) ** 12)
    middle = module.calls()
    assert middle - before > 100
    clear_cache()
    sp.expand((x + 2) ** 12)
    assert module.calls() - middle > 0 and module.calls() >= middle


def test_budgets_nest() -> None:
    """An inner budget's end leaves the outer one running; an outer budget spent stops an inner step."""
    with pytest.raises(OutOfTime), budget(0.2):
        assert attempt(0.01, lambda: _spin(5.0), "stopped") == "stopped"
        _spin(5.0)
    start = time.process_time()
    with pytest.raises(OutOfTime), budget(0.1):
        with step_budget(10.0):
            _spin(5.0)
    assert time.process_time() - start < 1.0
    assert module._running == []
    assert attempt(0.05, lambda: "done", None) == "done"


def test_the_outermost_budget_drops_what_an_inner_one_left() -> None:
    """A signal inside an inner budget's cleanup can leave its limit behind; the outermost budget's end
    drops it, so that it cannot stop the steps that come after."""
    with budget(10.0):
        module._running.append([time.process_time() + 3600.0, None])  # left behind
    assert module._running == []
    assert attempt(0.05, lambda: "done", None) == "done"


SHEET = """
import json, sys
if sys.argv[1] == "slow":
    sys.settrace(lambda frame, event, arg: None)  # Python about twice as slow
import symact
from symact.engine import derive
print(json.dumps(derive(symact.get("gelu_tanh")).to_dict(), sort_keys=True, default=str))
"""


@pytest.mark.slow
def test_a_slower_machine_derives_the_same_sheet() -> None:
    """GELU-tanh's derivation has steps that take up to 1.8 times their nominal seconds of CPU time here;
    with budgets in CPU time, its limits of f' at +-oo came out numeric when derived while a test suite
    ran, symbolic on an idle machine. Two processes derive its sheet, side by side: one of them runs with a
    trace function, which makes Python about twice as slow. The sheets are the same (with CPU-time
    budgets, they were not)."""
    runs = {speed: subprocess.Popen([sys.executable, "-c", SHEET, speed], stdout=subprocess.PIPE, text=True)
            for speed in ("fast", "slow")}
    sheets = {speed: run.communicate(timeout=600)[0] for speed, run in runs.items()}
    assert all(run.returncode == 0 for run in runs.values())
    assert sheets["fast"] and sheets["fast"] == sheets["slow"]


# -- steps that work without the calls a step's budget counts -------------------------------------------


@pytest.mark.parametrize("value", [
    # CELU's moments at alpha = 1e-3, a threshold's at 1000, hard tanh's at min_val = -1e-3
    "1/2 + exp(500000)*erfc(500*sqrt(2))/2",
    "-(-1 + erfc(500*sqrt(2))/2 + sqrt(2)*exp(-500000)/(2*sqrt(pi)))**2 + 500*sqrt(2)*exp(-500000)/sqrt(pi)",
    "erf(sqrt(2)/2000)/2000 + sqrt(2)*exp(-1/2000000)/(2*sqrt(pi)) - erf(sqrt(2)/2)/2 + 999/2000",
])
def test_simplifying_holds_large_exponentials(value: str) -> None:
    """simplify and factor read exp(500000) as E**500000 and exp(-1/2000000) as a polynomial in
    E**(1/2000000), of that degree, for as long as the backstop lets them; held as symbols, they finish."""
    import sympy as sp

    from symact.engine.extrema import nice

    v = sp.sympify(value)
    with budget(5.0):
        simpler = nice(v)
    assert simpler.has(sp.exp) and sp.expand(simpler - v) == 0
    assert nice(sp.exp(2) + 2 * sp.exp(1) + 1) == (1 + sp.E) ** 2  # small ones as before


@pytest.mark.parametrize(("expr", "large"), [
    ("exp(-1000*x)", True), ("sin(1000*x)**2/1000", True), ("exp(-x/2000)", True),
    ("exp(-x) + sin(2*x)", False), ("exp(-x**2/2)", False), ("exp(-500000)", False)])
def test_large_rates(expr: str, large: bool) -> None:
    """Where an exact solve is not tried: SymPy would build a polynomial of degree 1000 or 2000."""
    import sympy as sp

    from symact.declaration import x
    from symact.engine.extrema import large_rates

    assert large_rates(sp.sympify(expr, locals={"x": x})) is large


def test_a_root_is_identified_only_where_f_prime_vanishes() -> None:
    """A numeric root of Mish's f' (not a simple closed form) is not tried as the 25-digit rational
    nsimplify turns it into, whose simplify ran to the end of its budget; pi/2 is still found."""
    import mpmath
    import sympy as sp

    from symact.declaration import x
    from symact.engine.extrema import _identify

    mish = x * sp.tanh(sp.log(1 + sp.exp(x)))
    slope = sp.lambdify(x, sp.diff(mish, x), "mpmath")
    with mpmath.workdps(40):
        root = mpmath.findroot(slope, -1.19)
        with budget(2.0):
            assert _identify(sp.diff(mish, x), root) is None
        assert _identify(sp.cos(x), mpmath.pi / 2) == sp.pi / 2
