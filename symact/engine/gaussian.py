"""Behaviour under Gaussian inputs X ~ N(0, 1): E f(X), E f(X)^2, Var f(X), the gain 1/sqrt(E f(X)^2),
E f'(X) and E f'(X)^2. Each integral is taken piece by piece: exactly by SymPy where the integrand is in a
class it integrates (polynomials, exponentials, erf), else by mpmath quadrature at 30+ digits, certified by
agreement of two quadrature rules."""

from __future__ import annotations

import mpmath
import sympy as sp

from symact.declaration import x
from symact.engine.budget import attempt
from symact.engine.extrema import nice
from symact.engine.pieces import Pieces, mp_function
from symact.engine.quantity import DIGITS, Q

_PHI = sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi)
_EASY = (sp.exp, sp.erf, sp.erfc)


def _integrable(e: sp.Expr) -> bool:
    """Whether SymPy is worth trying: polynomials times exponentials and erf of linear arguments."""
    funcs = {type(a) for a in e.atoms(sp.Function)}
    if not funcs <= set(_EASY):
        return False
    for p in e.atoms(sp.Pow):
        if p.base.has(x) and not (p.exp.is_Integer and p.exp > 0):
            return False
        if p.base.has(sp.erf, sp.erfc):
            return False  # integrals of erf^2 against the Gaussian are beyond SymPy
    return sp.count_ops(e) < 40


def expectation(pieces: list[tuple[sp.Expr, sp.Expr, sp.Expr]]) -> Q:
    """E h(X) for h given as (lower, upper, expression) pieces."""
    exact_total: sp.Expr | None = sp.Integer(0)
    for lo, hi, e in pieces:
        if e == 0:
            continue
        part = None
        if _integrable(e):
            part = attempt(3.0, lambda e=e, lo=lo, hi=hi: sp.integrate(e * _PHI, (x, lo, hi)), None)
            if part is not None and (part.has(sp.Integral) or not part.is_finite):
                part = None
        if part is None:
            exact_total = None
            break
        exact_total += part
    if exact_total is not None:
        return Q.of(nice(exact_total))
    return _numeric(pieces)


def _numeric(pieces: list[tuple[sp.Expr, sp.Expr, sp.Expr]]) -> Q:
    total = mpmath.mpf(0)
    tol = mpmath.mpf(10) ** (-DIGITS)
    with mpmath.workdps(DIGITS + 10):
        for lo, hi, e in pieces:
            if e == 0:
                continue
            h = mp_function(e * _PHI)
            a = -mpmath.inf if lo is sp.S.NegativeInfinity else mpmath.mpf(str(sp.N(lo, DIGITS + 15)))
            b = mpmath.inf if hi is sp.S.Infinity else mpmath.mpf(str(sp.N(hi, DIGITS + 15)))
            inner = [t for t in (-4, 0, 4) if a < t < b]
            v1, err = mpmath.quad(h, [a, *inner, b], error=True)
            # certified by the rule's own error estimate and by a second, differently split integral
            v2 = mpmath.quad(h, [a, *[t for t in (-2, 1, 6) if a < t < b], b])
            if err > tol * (1 + abs(v1)) or abs(v1 - v2) > tol * (1 + abs(v1)):
                return Q.unknown()
            total += v1
    return Q.numeric(total)


def moments(f: Pieces, df: Pieces, centre_value: sp.Expr | None = None) -> dict[str, Q]:
    """The Gaussian moments. ``centre_value`` is b when f is point-symmetric about (0, b): then
    E f(X) = b exactly, since X and -X have the same law."""
    fp = f.intervals()
    dp = df.intervals()
    mean = Q.of(centre_value) if centre_value is not None else expectation(fp)
    second = expectation([(lo, hi, e**2) for lo, hi, e in fp])
    grad_mean = expectation(dp)
    grad_second = expectation([(lo, hi, e**2) for lo, hi, e in dp])
    return {
        "mean": mean,
        "second_moment": second,
        "variance": _variance(mean, second),
        "gain": _gain(second),
        "grad_mean": grad_mean,
        "grad_second_moment": grad_second,
    }


def _variance(mean: Q, second: Q) -> Q:
    if not (mean.exists and second.exists):
        return Q.unknown()
    if mean.exact is not None and second.exact is not None:
        return Q.of(nice(second.exact - mean.exact**2))
    with mpmath.workdps(DIGITS + 10):
        return Q.numeric(second.mp() - mean.mp() ** 2)


def _gain(second: Q) -> Q:
    if not second.exists or second.value == 0:
        return Q.unknown() if not second.exists else Q.of(sp.oo)
    if second.value == "inf":
        return Q.of(sp.Integer(0))
    if second.exact is not None:
        return Q.of(nice(1 / sp.sqrt(second.exact)))
    with mpmath.workdps(DIGITS + 10):
        return Q.numeric(1 / mpmath.sqrt(second.mp()))
