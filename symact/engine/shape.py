"""Shape of a function given as pieces: monotonicity (from the sign of f' per piece and the jumps at
breakpoints), saturation, smoothness class and the true breakpoints."""

from __future__ import annotations

import mpmath
import sympy as sp

from symact.declaration import x
from symact.engine.budget import attempt
from symact.engine.extrema import Extremes, is_zero, limit_q
from symact.engine.pieces import Pieces, certain_sign, limit_at, mp_function, same
from symact.engine.quantity import UNKNOWN, Q

TOL = mpmath.mpf(10) ** -25
MAX_ORDER = 6


def _sign(ext: Extremes, expr: sp.Expr) -> str | None:
    """'zero', 'pos' (>= 0, not identically 0), 'neg' or 'mixed' for f' on one piece."""
    if is_zero(expr):
        return "zero"
    if ext.lower.how == UNKNOWN or ext.upper.how == UNKNOWN:
        return None
    if ext.lower.mp() >= -TOL:
        return "pos"
    if ext.upper.mp() <= TOL:
        return "neg"
    return "mixed"


def slope_signs(slopes: list[Extremes], slope_exprs: list[sp.Expr]) -> list[str | None]:
    """The sign class of f' on each piece from its extremes there."""
    return [_sign(e, s) for e, s in zip(slopes, slope_exprs, strict=True)]


def signs_between_roots(g: Pieces, roots: list[list[Q]]) -> list[str | None]:
    """The sign class of g on each piece, from its zeros there (all sign changes are among them):
    g is evaluated once between consecutive zeros and beyond the outer ones."""
    out: list[str | None] = []
    for (lo, hi, e), rs in zip(g.intervals(), roots, strict=True):
        if is_zero(e):
            out.append("zero")
            continue
        pts = sorted({r.mp() for r in rs})
        a = None if lo is sp.S.NegativeInfinity else mpmath.mpf(str(sp.N(lo, 40)))
        b = None if hi is sp.S.Infinity else mpmath.mpf(str(sp.N(hi, 40)))
        inner = [p for p in pts if (a is None or p > a) and (b is None or p < b)]
        edges = [a if a is not None else (inner[0] if inner else mpmath.mpf(0)) - 2,
                 *inner,
                 b if b is not None else (inner[-1] if inner else mpmath.mpf(0)) + 2]
        fn = mp_function(e)
        seen = set()
        for u, v in zip(edges, edges[1:], strict=False):
            sign = certain_sign(fn, (u + v) / 2)
            if sign is not None:
                seen.add("pos" if sign > 0 else "neg")
        out.append(None if not seen else seen.pop() if len(seen) == 1 else "mixed")
    return out


def monotonicity(f: Pieces, signs: list[str | None]) -> str | None:
    """The SPEC's monotonicity enum for f, given the sign class of f' on each piece; None if unknown.

    At a breakpoint f must not jump against the direction: f(c-) <= f(c) <= f(c+) when increasing
    (f(c) is skipped where f is undefined there, as for f' at a kink)."""
    if None in signs:
        return None
    ups = downs = flat_jumps = True
    for j in range(len(f.breakpoints)):
        left, right = f.side_limits(j)
        if left is None or right is None:
            return None
        chain = [left] + ([f.at[j]] if f.at[j] is not None else []) + [right]
        steps = [b - a for a, b in zip(chain, chain[1:], strict=False)]
        vals = [sp.N(s, 30) for s in steps]
        ups &= all(v >= -TOL for v in vals)
        downs &= all(v <= TOL for v in vals)
        flat_jumps &= all(abs(v) <= TOL for v in vals)
    if all(s == "zero" for s in signs) and flat_jumps:
        return "constant"
    if ups and all(s in ("pos", "zero") for s in signs):
        return "increasing" if "zero" in signs else "strictly_increasing"
    if downs and all(s in ("neg", "zero") for s in signs):
        return "decreasing" if "zero" in signs else "strictly_decreasing"
    return "non_monotonic"


def saturation(df: Pieces, side: str) -> str | None:
    """'hard' when f' = 0 on the outer ray, 'soft' when f' -> 0 there without vanishing, else 'none'."""
    expr = df.exprs[0] if side == "left" else df.exprs[-1]
    if is_zero(expr):  # a constant outer piece differentiates to a literal 0
        return "hard"
    point = sp.S.NegativeInfinity if side == "left" else sp.S.Infinity
    lim = limit_q(expr, point, "+" if side == "left" else "-")
    if lim.how == UNKNOWN:
        return None
    return "soft" if lim.value == 0 else "none"


def breakpoint_class(f: Pieces, j: int) -> int | None:
    """Largest k such that f, f', ..., f^(k) are continuous at breakpoint j (-1 if f jumps), MAX_ORDER
    when all agree up to there and the two pieces differ; None if a limit cannot be decided."""
    c = f.breakpoints[j]
    left_e, right_e = f.exprs[j], f.exprs[j + 1]
    for k in range(MAX_ORDER + 1):
        dl = limit_at(sp.diff(left_e, x, k), c, "-")
        dr = limit_at(sp.diff(right_e, x, k), c, "+")
        if dl is None or dr is None:
            return None
        if not same(dl, dr) or (k == 0 and (f.at[j] is None or not same(f.at[j], dl))):
            return k - 1
    return MAX_ORDER


def smoothness(f: Pieces) -> tuple[int | str | None, list[tuple[sp.Expr, int | None]]]:
    """The continuity class of f on R (an int, "inf", or None when undecided) and, for every true
    breakpoint, its class there. Breakpoints where the two pieces are one analytic function are dropped."""
    per_point: list[tuple[sp.Expr, int | None]] = []
    for j, c in enumerate(f.breakpoints):
        k = breakpoint_class(f, j)
        if k == MAX_ORDER and attempt(2.0, lambda j=j: sp.simplify(f.exprs[j] - f.exprs[j + 1]) == 0,
                                      False):
            continue  # the same analytic expression on both sides: not a breakpoint
        per_point.append((c, k))
    if not per_point:
        return _class_of_analytic(f), per_point
    if any(k is None for _, k in per_point):
        return None, per_point
    return min(k for _, k in per_point), per_point


def _class_of_analytic(f: Pieces) -> str | None:
    """Every catalog piece is built from functions analytic on their domain, so a single expression
    continuous on all of R is C-infinity there."""
    from sympy.calculus.util import continuous_domain

    # erf, erfc and sinc are entire, like tanh and cos, which continuous_domain understands
    entire = {sp.erf: sp.tanh, sp.erfc: sp.tanh, sp.sinc: sp.cos}
    domains = []
    for e in f.exprs:
        e = e.replace(lambda a: type(a) in entire, lambda a: entire[type(a)](*a.args))
        domains.append(attempt(3.0, lambda e=e: continuous_domain(e, x, sp.S.Reals), None))
    if all(d == sp.S.Reals for d in domains):
        return "inf"
    return None
