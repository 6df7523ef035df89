"""Every parameter at the ends of the range symact accepts: 1e3 and 1e-3 in magnitude, each sign its domain
allows, the others at their defaults. The sheet is derived (each field within its budget), holds no NaN
or infinite float, and its value at 0 and Gaussian moments agree with the mpmath reference.

These are the values where closed forms hold terms like exp(500000) erfc(500 sqrt(2)) (CELU at alpha = 1e-3)
or erfc(500 sqrt(2)) alone (a threshold at -1000).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import mpmath
import pytest
import sympy as sp
from reference import Reference, gaussian_expectation, parameter_ends, precision
from sympy.printing.pycode import MpmathPrinter

import symact
from symact.declaration import MAGNITUDE
from symact.registry import declarations

pytestmark = pytest.mark.slow


CASES = parameter_ends()
#: The fields each case leaves unknown: where quadrature cannot certify 30 digits (a Gaussian moment
#: of softplus at beta = 1e3), or a maximum is not found (snake at a = 1e3 oscillates 1000 times per unit).
#: Every other field of every case is derived; a field that joins this list is a regression. (The
#: engine's steps are budgeted in SymPy's calls, the same on every machine; a step that makes few of them
#: is stopped by CPU time instead, so a faster machine may derive a listed field too.)
UNKNOWN = {
    ("swish", "beta", "1000"): {"gaussian"},
    ("gelu", "sigma", "1/1000"): {"gaussian"},
    ("snake", "a", "1000"): {"derivative_range", "monotonicity", "lipschitz", "gaussian"},
    ("isru", "a", "1000"): {"gaussian"},
    ("softplus", "beta", "1000"): {"gaussian"},
    ("squareplus", "b", "1/1000"): {"gaussian"},
    ("softmax", "temperature", "1000"): {"lipschitz"},
    ("softmax", "temperature", "1/1000"): {"lipschitz"},
}


@cache
def sheet(name: str, param: str, value: sp.Expr) -> dict[str, Any]:
    return symact.get(name, **{param: value}).properties.to_dict()


def q_mp(q: dict[str, Any]) -> mpmath.mpf:
    """A sheet quantity at working precision, evaluated by mpmath as written. (SymPy's N and its printers
    sort a sum's terms by value first, for hours on a term like 500 erf(500 sqrt(2)).)"""
    if q.get("exact") is None:
        return mpmath.mpf(q["digits"] if q.get("digits") is not None else q["value"])
    code = MpmathPrinter({"fully_qualified_modules": True, "order": "none"}).doprint(sp.sympify(q["exact"]))
    return mpmath.mpf(eval(code, {"mpmath": mpmath}))  # noqa: S307 - code printed by SymPy


def close(a: mpmath.mpf, b: mpmath.mpf, digits: int) -> bool:
    return abs(a - b) <= mpmath.mpf(10) ** -digits * max(1, abs(b))


def test_both_ends_and_both_signs_are_covered() -> None:
    values = {v for _, _, v in CASES}
    low, high = MAGNITUDE
    assert values == {high, -high, low, -low}
    assert {n for n, _, _ in CASES} == {d.name for d in declarations().values() if d.parameters}


@pytest.mark.parametrize(("name", "param", "value"), CASES, ids=[f"{n}.{p}={v}" for n, p, v in CASES])
def test_sheet_at_the_ends_of_the_range(name: str, param: str, value: sp.Expr) -> None:
    s = sheet(name, param, value)
    json.dumps(s, allow_nan=False)  # raises on NaN or an infinite float
    unknown = {field for field, how in s["how"].items() if how == "unknown"}
    assert unknown <= UNKNOWN.get((name, param, str(value)), set())  # a faster machine may find more
    act = symact.get(name, **{param: value})
    if act.kind != "scalar":
        assert s["parameters"][param]["exact"] == str(value)
        return
    r = Reference(act)
    with precision():
        assert close(q_mp(s["value_at_zero"]), r.f(0), 25), s["value_at_zero"]
        g = s["gaussian"]
        if "gaussian" in unknown:
            return
        mean, error = gaussian_expectation(r.f, r.kinks)
        second, error2 = gaussian_expectation(lambda t: r.f(t) ** 2, r.kinks)
        assert max(error, error2) < mpmath.mpf("1e-20"), (error, error2)
        assert close(q_mp(g["mean"]), mean, 18), (g["mean"], mean)
        assert close(q_mp(g["second_moment"]), second, 18), (g["second_moment"], second)
