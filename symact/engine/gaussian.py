"""Behaviour under Gaussian inputs X ~ N(0, 1): E f(X), E f(X)^2, Var f(X), the gain 1/sqrt(E f(X)^2),
E f'(X) and E f'(X)^2. Each integral is taken piece by piece: exactly by SymPy where the integrand is in a
class it integrates (polynomials, exponentials, erf), with its odd terms dropped on a piece symmetric about
0, else by mpmath quadrature at 30+ digits, certified by agreement of two quadrature rules."""

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
#: Past +-_FAR the Gaussian CDF is written with erfc (its tails there are 7.6e-24; no declaration at
#: its default parameters has a breakpoint so far out, so their closed forms keep the familiar erf).
_FAR = 10


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
        part = _exact_integral(e, lo, hi)
        if part is None:
            exact_total = None
            break
        exact_total += part
    if exact_total is not None:
        return Q.of(nice(exact_total))
    return _numeric(pieces)


def _exact_integral(e: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """The integral of e phi over (lo, hi), term by term of the expanded integrand (much faster than
    one call on the whole, and the validity conditions are not needed on a fixed real interval). On an
    interval symmetric about 0 an odd term contributes exactly 0, since phi is even: squareplus'
    (1/2 + x / (2 sqrt(x^2 + 4))) has mean 1/2, though x / sqrt(x^2 + 4) has no antiderivative SymPy finds
    against phi."""
    total = sp.Integer(0)
    symmetric = lo == -hi
    for term in sp.Add.make_args(sp.expand(e)):
        if symmetric and _is_odd(term):
            continue
        closed = _poly_exp_integral(term, lo, hi)
        if closed is not None:
            total += closed
            continue
        if not _integrable(term):
            return None
        part = attempt(2.0, lambda t=term: sp.integrate(t * _PHI, (x, lo, hi), conds="none"), None)
        if part is None or part.has(sp.Integral) or not part.is_finite:
            return None
        total += part
    return total


def _is_odd(term: sp.Expr) -> bool:
    """Whether term(-x) = -term(x) identically (proved by SymPy, not sampled)."""
    return term.has(x) and sp.expand(term.subs(x, -x) + term) == 0


def _poly_exp_integral(term: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    """c x^k e^(a x + b) against phi over (lo, hi), in closed form: x^k e^(a x) phi(x) =
    e^(a^2/2) x^k phi(x - a), and the truncated moments J_m = int y^m phi(y) dy obey
    J_m = [-y^(m-1) phi(y)] + (m - 1) J_(m-2)."""
    coeff, k, alpha, beta = sp.Integer(1), 0, sp.Integer(0), sp.Integer(0)
    for factor in sp.Mul.make_args(sp.powsimp(term)):
        if not factor.has(x):
            coeff *= factor
        elif factor == x:
            k += 1
        elif factor.is_Pow and factor.base == x and factor.exp.is_Integer and factor.exp > 0:
            k += int(factor.exp)
        elif isinstance(factor, sp.exp) and sp.degree(factor.args[0], x) == 1:
            poly = sp.Poly(factor.args[0], x)
            alpha += poly.coeff_monomial(x)
            beta += poly.coeff_monomial(1)
        else:
            return None
    c, d = lo - alpha, hi - alpha  # y = x - alpha
    y = sp.Symbol("y", real=True)
    moments = [_cdf(d) - _cdf(c), _pdf(c) - _pdf(d)]
    for m in range(2, k + 1):
        moments.append(_edge(c, m - 1) - _edge(d, m - 1) + (m - 1) * moments[m - 2])
    poly = sp.Poly(sp.expand((y + alpha) ** k), y)
    inner = sum(poly.coeff_monomial(y**m) * moments[m] for m in range(k + 1))
    return coeff * sp.exp(beta + alpha**2 / 2) * inner


def _cdf(t: sp.Expr) -> sp.Expr:
    if t is sp.S.Infinity:
        return sp.Integer(1)
    if t is sp.S.NegativeInfinity:
        return sp.Integer(0)
    if t.is_number and bool(abs(t) > _FAR):
        # Far in a tail 1 + erf, or 1 minus the CDF, cancels to nearly nothing, and evaluating it to any
        # relative accuracy takes SymPy as many digits as it has leading zeros (217,000 at t = -1000).
        return sp.erfc(-t / sp.sqrt(2)) / 2 if t < 0 else 1 - sp.erfc(t / sp.sqrt(2)) / 2
    return (1 + sp.erf(t / sp.sqrt(2))) / 2


def _pdf(t: sp.Expr) -> sp.Expr:
    return sp.Integer(0) if t.is_infinite else _PHI.subs(x, t)


def _edge(t: sp.Expr, power: int) -> sp.Expr:
    """t^power phi(t), which vanishes at +-oo."""
    return sp.Integer(0) if t.is_infinite else t**power * _PHI.subs(x, t)


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
