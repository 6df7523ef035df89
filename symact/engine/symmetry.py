"""Symmetry: parity (odd / even) and centres of point symmetry f(a - x) + f(a + x) = 2b.

A counterexample at a rational point, evaluated by SymPy to 30 digits, disproves a symmetry; a claimed
symmetry is proven piece by piece (each piece against its mirror image), else held numerically."""

from __future__ import annotations

import sympy as sp

from symact.declaration import x
from symact.engine.budget import attempt
from symact.engine.pieces import Pieces, same
from symact.engine.quantity import NUMERIC, SYMBOLIC

_TESTS = [sp.Rational(n, 7) for n in (2, 5, 9, 13, 20, 31, 47, 66)]


def _holds_at_points(f: Pieces, sign: int) -> bool:
    """f(-t) == sign * f(t) at test points (and just beside every breakpoint)."""
    points = list(_TESTS)
    for c in f.breakpoints:
        points += [abs(c) + sp.Rational(1, 97), abs(c) - sp.Rational(1, 97) if c != 0 else sp.Rational(1, 89)]
    for t in points:
        if any(same(t, c) or same(-t, c) for c in f.breakpoints):
            continue
        a, b = f.value(-t), f.value(t)
        if a is None or b is None or not same(a, sign * b):
            return False
    return True


def _proof(f: Pieces, sign: int) -> bool:
    """Exact proof that f(-x) = sign f(x): mirrored breakpoints, pieces and breakpoint values."""
    bps = f.breakpoints
    if len(bps) and not all(same(c, -d) for c, d in zip(bps, reversed(bps), strict=True)):
        return False
    n = len(f.exprs)
    for i in range(n):
        diff = f.exprs[i].subs(x, -x) - sign * f.exprs[n - 1 - i]
        if not _is_zero(diff):
            return False
    m = len(bps)
    for j in range(m):
        a, b = f.at[j], f.at[m - 1 - j]
        if (a is None) != (b is None) or (a is not None and not same(a, sign * b)):
            return False
    return True


def _is_zero(e: sp.Expr) -> bool:
    for form in (lambda: sp.simplify(e), lambda: sp.simplify(e.rewrite(sp.exp))):
        if attempt(2.0, form, None) == 0:
            return True
    return False


def parity(f: Pieces) -> tuple[str, str]:
    """('odd' | 'even' | 'neither', how)."""
    for name, sign in (("even", 1), ("odd", -1)):
        if _holds_at_points(f, sign):
            return name, (SYMBOLIC if _proof(f, sign) else NUMERIC)
    return "neither", SYMBOLIC


def point_symmetry(f: Pieces, candidates: list[sp.Expr]) -> tuple[tuple[sp.Expr, sp.Expr] | None, str]:
    """The first centre (a, b) among the candidate abscissae about which f is point-symmetric."""
    for a in candidates:
        b = _centre_value(f, a)
        if b is None:
            continue
        g = f.shifted(a, b)
        if _holds_at_points(g, -1):
            return (a, b), (SYMBOLIC if _proof(g, -1) else NUMERIC)
    return None, NUMERIC


def _centre_value(f: Pieces, a: sp.Expr) -> sp.Expr | None:
    v = f.value(a)
    if v is not None:
        return v
    for j, c in enumerate(f.breakpoints):
        if same(c, a):
            left, right = f.side_limits(j)
            if left is not None and right is not None:
                return (left + right) / 2
    return None
