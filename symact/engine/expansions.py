"""Local and asymptotic forms: the Taylor polynomial at 0, asymptotes at +-oo, and f' written as a
function of f (g with f'(x) = g(f(x)), found by inverting f on each monotone piece)."""

from __future__ import annotations

import sympy as sp

from symact.declaration import x
from symact.engine.budget import attempt
from symact.engine.extrema import is_zero, large_rates, limit_q, nice
from symact.engine.pieces import Pieces, limit_at, mp_function, mp_value, same
from symact.engine.quantity import Q

#: The symbol standing for the value f(x) in ``derivative_in_terms_of_f``.
F = sp.Symbol("f", real=True)
ORDER = 6  # Taylor polynomial up to x^5


def taylor_at_zero(f: Pieces, analytic_at_zero: bool) -> sp.Expr | None:
    """The Taylor polynomial of order 5 at 0, where f is analytic at 0."""
    if not analytic_at_zero:
        return None
    e = f.exprs[f.piece_at(sp.Integer(0))] if all(not same(c, 0) for c in f.breakpoints) else None
    if e is None:
        return None
    poly = attempt(6.0, lambda: sp.series(e, x, 0, ORDER).removeO(), None)
    if poly is None:
        coeffs = []
        for k in range(ORDER):
            ck = attempt(2.0, lambda k=k: sp.simplify(sp.diff(e, x, k).subs(x, 0)), None)
            if ck is None:
                return None
            coeffs.append(ck / sp.factorial(k))
        poly = sum(c * x**k for k, c in enumerate(coeffs))
    return sp.expand(poly)


def asymptote(f: Pieces, side: str) -> tuple[Q, Q] | None:
    """(slope, intercept) of the line that f approaches at -oo (side 'neg') or +oo ('pos')."""
    e = f.exprs[0] if side == "neg" else f.exprs[-1]
    point = sp.S.NegativeInfinity if side == "neg" else sp.S.Infinity
    direction = "+" if side == "neg" else "-"
    a = limit_at(e / x, point, direction)
    if a is None or not a.is_finite or a.has(sp.nan):
        return None
    b = limit_q(e - a * x, point, direction)
    if not b.exists or b.value in ("inf", "-inf"):
        return None
    return Q.of(a), b


def derivative_in_terms_of_f(f: Pieces, df: Pieces, monotone_pieces: list[bool]) -> sp.Expr | None:
    """g with f' = g(f) on each piece where f is constant or strictly monotone (so f can be inverted);
    a Piecewise in x's intervals when the pieces' g differ. None if some piece has no such g."""
    gs: list[sp.Expr] = []
    for (lo, hi, e), de, mono in zip(f.intervals(), df.exprs, monotone_pieces, strict=True):
        if not e.has(x):
            gs.append(sp.Integer(0))
            continue
        if not mono:
            return None
        g = _invert_and_substitute(e, de, lo, hi)
        if g is None:
            return None
        gs.append(g)
    if all(attempt(1.0, lambda g=g: sp.simplify(g - gs[0]) == 0, False) for g in gs):
        return gs[0]
    conds = []
    for lo, hi, _ in f.intervals():
        parts = []
        if lo is not sp.S.NegativeInfinity:
            parts.append(x > lo)
        if hi is not sp.S.Infinity:
            parts.append(x < hi)
        conds.append(sp.And(*parts))
    return sp.Piecewise(*zip(gs, conds, strict=True))


def _invert_and_substitute(e: sp.Expr, de: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr | None:
    if is_zero(de - 1) or not de.has(x):
        return de  # a constant slope is already a function of f
    if large_rates(e):  # SymPy would try a polynomial of that degree
        return None
    solutions = attempt(4.0, lambda: sp.solve(sp.Eq(F, e), x), None)
    if not solutions:
        return None
    t = _probe(lo, hi)
    fe, fde = mp_function(e), mp_function(de)
    ft = mp_value(fe, t)
    if ft is None:
        return None
    tv = mp_value(lambda v: v, t)
    for sol in solutions:
        # the right branch of the inverse gives back t itself (a log of a negative number, say, gives
        # t + i pi, which tanh cannot tell apart but SymPy then cannot simplify)
        back = _complex_value(sp.lambdify(F, sol, modules=["mpmath"]), ft)
        if back is None or abs(back - tv) > 1e-20 * (1 + abs(tv)):
            continue
        g = attempt(4.0, lambda sol=sol: nice(de.subs(x, sol)), None)
        if g is None or g.has(x):
            continue
        via_exp = attempt(3.0, lambda g=g: sp.factor(sp.simplify(g.rewrite(sp.exp))), None)
        if via_exp is not None and sp.count_ops(via_exp) < sp.count_ops(g):
            g = via_exp
        if _check(g, fe, fde, [t, (t + (lo if lo.is_finite else t - 3)) / 2]):
            return g
    return None


def _complex_value(fn, v):
    try:
        return fn(v)
    except (ValueError, ZeroDivisionError, TypeError):
        return None


def _probe(lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    if lo.is_finite and hi.is_finite:
        return (lo + hi) / 2 + (hi - lo) / 7
    if lo.is_finite:
        return lo + sp.Rational(13, 10)
    if hi.is_finite:
        return hi - sp.Rational(13, 10)
    return sp.Rational(7, 10)


def _check(g: sp.Expr, fe, fde, points: list[sp.Expr]) -> bool:
    gf = sp.lambdify(F, g, modules=["mpmath"])
    for t in points:
        fv, dv = mp_value(fe, t), mp_value(fde, t)
        if fv is None or dv is None:
            return False
        gv = mp_value(gf, fv)
        if gv is None or abs(gv - dv) > 1e-20 * (1 + abs(dv)):
            return False
    return True
