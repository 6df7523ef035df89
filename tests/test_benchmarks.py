"""The numeric benchmark's baselines and its report: every hand-written and SciPy expression it times is
the function it is compared with (a ratio against a different function would mean nothing), and the
report names the machine its timings come from."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import symact
from symact.numerics import numpy_function

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench_numeric.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_numeric", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_numeric", module)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
#: Where every baseline is well conditioned and far from overflow: the idioms are compared on values, not
#: on their tails (their tails are what the accuracy columns measure).
#: The catalog's breakpoints among them (0, +-1/2, +-1, +-3, 6), where an idiom may take the other side.
POINTS = np.concatenate([np.linspace(-8.0, 8.0, 641), [-20.0, -3.3, 0.25, 3.3, 20.0],
                         [0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 3.0, -3.0, 6.0]])


@pytest.mark.parametrize(("table", "name", "n"), [("HAND", *k) for k in BENCH.HAND]
                         + [("SCIPY", *k) for k in BENCH.SCIPY], ids=lambda v: str(v))
def test_baselines_compute_the_function_they_are_timed_against(table: str, name: str, n: int) -> None:
    baseline = getattr(BENCH, table)[name, n]
    ours = numpy_function(symact.get(name), n)(POINTS)
    with np.errstate(all="ignore"):
        theirs = np.asarray(baseline(POINTS.copy()), dtype=float)
    # absolute near zeros (x - tanh x, GELU' near its root), relative elsewhere: a slip in an idiom (a
    # wrong constant, f' for f) is off by far more than its rounding
    np.testing.assert_allclose(theirs, ours, rtol=1e-9, atol=1e-12)


def test_every_baseline_names_a_catalog_activation() -> None:
    names = set(symact.names())
    assert {name for name, _ in BENCH.HAND} <= names
    assert {name for name, _ in BENCH.SCIPY} <= names
    assert all(n in (0, 1, 2) for _, n in [*BENCH.HAND, *BENCH.SCIPY])


def test_the_report_names_the_machine() -> None:
    line = BENCH.machine()
    assert line.startswith("- machine: ")
    assert f"NumPy {np.__version__}" in line and "SIMD found:" in line
    summary = BENCH._summary([("sigmoid", 0, {"symact": 1.0, "hand": 2.0}, 1.1, 1.2, (1.0, 1.2), (1.1, 1.3))])
    assert summary[0] == line
    assert "49 of 49" not in "\n".join(summary) and "1 of 1 within 1.3x" in "\n".join(summary)


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks").glob("*.md")), ids=lambda p: p.name)
def test_every_committed_report_names_its_machine_and_is_on_the_site(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(BENCH.RESULTS_START) == 1 and text.count(BENCH.RESULTS_END) == 1
    results = text.split(BENCH.RESULTS_START + "\n", 1)[1]
    assert results.startswith("- machine: ") and "SIMD found:" in results.split("\n", 1)[0]
    page = (ROOT / "docs" / "numerics.md").read_text(encoding="utf-8")
    assert f'--8<-- "benchmarks/{path.name}:results"' in page
