"""Claims found in common lecture notes and blog posts on activation functions, checked against the
derived sheets. Some are right and the sheet must agree; some are wrong and the sheet must disagree."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sympy as sp

import symact

Sheet = dict[str, Any]
_f = sp.Symbol("f", real=True)


def _exact(q: dict) -> sp.Expr:
    return sp.sympify(q["exact"])


def _g(s: Sheet) -> sp.Expr:
    """The sheet's f' written in terms of f, in the real symbol f."""
    return sp.sympify(s["derivative_in_terms_of_f"]["sympy"], locals={"f": _f, "x": symact.x})


def _interval(r: dict) -> tuple[sp.Expr, bool, sp.Expr, bool]:
    return _exact(r["lower"]), r["lower_closed"], _exact(r["upper"]), r["upper_closed"]


# (activation, claim, check on the sheet, whether the claim is true)
CLAIMS: list[tuple[str, str, Callable[[Sheet], bool], bool]] = [
    ("sigmoid", "the output lies in (0, 1), both ends excluded",
     lambda s: _interval(s["range"]) == (0, False, 1, False), True),
    ("sigmoid", "the output range is [0, 1]",
     lambda s: _interval(s["range"]) == (0, True, 1, True), False),
    ("sigmoid", "f'(x) = f(x)(1 - f(x))",
     lambda s: sp.expand(_g(s) - _f * (1 - _f)) == 0, True),
    ("sigmoid", "sigma' takes values in [0, 0.25] (0 attained)",
     lambda s: _interval(s["derivative_range"]) == (0, True, sp.Rational(1, 4), True), False),
    ("sigmoid", "sigma' takes values in (0, 1/4]",
     lambda s: _interval(s["derivative_range"]) == (0, False, sp.Rational(1, 4), True), True),
    ("sigmoid", "the output is not zero-centred", lambda s: not s["zero_centered"], True),
    ("sigmoid", "saturates on both sides (f' -> 0 at -oo and +oo)",
     lambda s: s["saturation"] == {"left": "soft", "right": "soft"}, True),
    ("tanh", "the output range is (-1, 1)", lambda s: _interval(s["range"]) == (-1, False, 1, False), True),
    ("tanh", "tanh' = 1 - f^2",
     lambda s: sp.expand(_g(s) - (1 - _f**2)) == 0, True),
    ("tanh", "tanh' takes values in [0, 1] (0 attained)",
     lambda s: _interval(s["derivative_range"]) == (0, True, 1, True), False),
    ("tanh", "the output is zero-centred", lambda s: s["zero_centered"], True),
    ("relu", "the output range is [0, +oo)",
     lambda s: _interval(s["range"]) == (0, True, sp.oo, False), True),
    ("relu", "the derivative is 0 or 1",
     lambda s: _interval(s["derivative_range"]) == (0, True, 1, True), True),
    ("relu", "is sparse: exactly zero on a whole half-line", lambda s: s["sparse"], True),
    ("leaky_relu", "is not monotonic (its negative slope is fixed)",
     lambda s: s["monotonicity"] == "non_monotonic", False),
    ("leaky_relu", "is strictly increasing", lambda s: s["monotonicity"] == "strictly_increasing", True),
    ("leaky_relu", "does not saturate", lambda s: s["saturation"] == {"left": "none", "right": "none"}, True),
    ("elu", "f'(0) = 1 (with alpha = 1)", lambda s: _exact(s["slope_at_zero"]) == 1, True),
    ("elu", "soft saturation for negative inputs", lambda s: s["saturation"]["left"] == "soft", True),
    ("softplus", "its derivative is the logistic function",
     lambda s: sp.simplify(sp.sympify(s["derivative"]["sympy"], locals={"x": symact.x})
                           - 1 / (1 + sp.exp(-symact.x))) == 0, True),
    ("softplus", "is not sparse", lambda s: not s["sparse"], True),
    ("swish", "is not monotonic (beta = 1)", lambda s: s["monotonicity"] == "non_monotonic", True),
    ("softsign", "softsign' = 1 - f^2",
     lambda s: s["derivative_in_terms_of_f"] is not None
     and sp.expand(_g(s) - (1 - _f**2)) == 0, False),
    ("elish", "its minimum is -0.881",
     lambda s: abs(s["range"]["lower"]["value"] - (-0.881)) < 1e-3, False),
    ("elish", "its minimum is 2 sqrt(2) - 3",
     lambda s: sp.simplify(_exact(s["range"]["lower"]) - (2 * sp.sqrt(2) - 3)) == 0, True),
]

@pytest.mark.slow
@pytest.mark.parametrize(("name", "claim", "check", "true"), CLAIMS,
                         ids=[f"{n}: {c}" for n, c, _, _ in CLAIMS])
def test_claim(name: str, claim: str, check: Callable[[Sheet], bool], true: bool) -> None:
    sheet = symact.get(name).properties.to_dict()
    assert check(sheet) is true, f"{name}: the claim '{claim}' should be {'true' if true else 'false'}"
