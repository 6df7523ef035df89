"""A scalar function as pieces: sorted breakpoints, one analytic expression on each open interval
between them, and the value at each breakpoint. Every analysis works piece by piece on this form, never
on a whole-line Piecewise (SymPy's ``limit`` at +-oo raises on those; ``function_range`` gives up)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import mpmath
import sympy as sp

from symact.declaration import x
from symact.engine.budget import attempt
from symact.engine.quantity import DIGITS

LIMIT_SECONDS = 1.5

_KINKS = (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign)


def to_piecewise(expr: sp.Expr) -> sp.Expr:
    """Max, Min, Abs, Heaviside and sign rewritten as Piecewise and folded into one Piecewise on top."""
    e = expr.replace(lambda a: isinstance(a, _KINKS), lambda a: a.rewrite(sp.Piecewise))
    return sp.piecewise_fold(e) if e.has(sp.Piecewise) else e


def _sorted_unique(points: list[sp.Expr]) -> list[sp.Expr]:
    keyed = sorted(points, key=lambda p: float(sp.N(p, 30)))
    out: list[sp.Expr] = []
    for p in keyed:
        if not out or abs(sp.N(p - out[-1], 30)) > sp.Float("1e-25"):
            out.append(p)
    return out


def _select(e: sp.Expr, t: sp.Expr) -> sp.Expr:
    """``e`` with every Piecewise replaced by the branch whose condition holds at x = t."""

    def choose(*args: tuple[sp.Expr, sp.Basic]) -> sp.Expr:
        for branch, cond in args:
            if bool(sp.sympify(cond).subs(x, t)):
                return branch
        raise ValueError("no branch of a Piecewise holds")

    while e.has(sp.Piecewise):
        e = e.replace(lambda a: isinstance(a, sp.Piecewise),
                      lambda a: choose(*[(b.args[0], b.args[1]) for b in a.args]))
    return e


def mp_function(expr: sp.Expr) -> Callable[[mpmath.mpf], mpmath.mpf]:
    """``expr`` as an mpmath function of x (evaluate under ``mpmath.workdps``)."""
    return sp.lambdify(x, expr, modules=["mpmath"])


def mp_value(f: Callable[[mpmath.mpf], mpmath.mpf], t: mpmath.mpf) -> mpmath.mpf | None:
    """f(t) as a real mpf at working precision, or None where it is undefined or not real."""
    if isinstance(t, sp.Basic):
        t = str(sp.N(t, DIGITS + 15))
    try:
        with mpmath.workdps(DIGITS + 10):
            v = f(mpmath.mpf(t))
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None
    if isinstance(v, mpmath.mpc):
        if abs(v.imag) > mpmath.mpf(10) ** (-DIGITS) * (1 + abs(v.real)):
            return None
        v = v.real
    try:
        return mpmath.mpf(v)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=4096)
def certain_sign(f: Callable[[mpmath.mpf], mpmath.mpf], t: mpmath.mpf) -> int | None:
    """The sign of f(t), trusted only once two evaluations at rising precision agree on it and on the
    leading digits (an expression that cancels, like a derivative far in a tail, is noise at any fixed
    precision); None when they never agree or f(t) is zero."""
    previous = None
    for dps in (DIGITS + 10, 2 * DIGITS + 20, 4 * DIGITS + 40):
        with mpmath.workdps(dps):
            v = mp_value_at(f, t, dps)
        if v is None:
            return None
        if previous is not None and v != 0 and abs(v - previous) <= abs(v) * mpmath.mpf(10) ** -6:
            return 1 if v > 0 else -1
        previous = v
    return None


def mp_value_at(f: Callable[[mpmath.mpf], mpmath.mpf], t: Any, dps: int) -> mpmath.mpf | None:
    if isinstance(t, sp.Basic):
        t = str(sp.N(t, dps + 5))
    try:
        with mpmath.workdps(dps):
            v = f(mpmath.mpf(t))
            if isinstance(v, mpmath.mpc):
                if abs(v.imag) > mpmath.mpf(10) ** (-dps + 5) * (1 + abs(v.real)):
                    return None
                v = v.real
            return +mpmath.mpf(v)
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return None


@lru_cache(maxsize=4096)
def limit_at(expr: sp.Expr, point: sp.Expr, direction: str) -> sp.Expr | None:
    """The limit of an analytic piece at ``point`` from one side (``"+"``/``"-"``), at a finite point or
    +-oo; ``None`` when SymPy cannot decide within the budget. A limit that does not exist is ``nan``."""
    if point.is_finite:
        value = attempt(1.0, lambda: sp.simplify(expr.subs(x, point)), None)
        if value is not None and value.is_finite and not value.has(sp.nan, sp.zoo):
            return value
    result = attempt(LIMIT_SECONDS, lambda: sp.limit(expr, x, point, direction), None)
    if result is None:
        return None
    if isinstance(result, sp.AccumBounds) or result.has(sp.AccumBounds):
        return sp.nan
    if result.has(sp.Limit):
        return None
    return result


@dataclass
class Pieces:
    """f as analytic pieces. ``exprs[i]`` holds on the open interval (``bounds[i]``, ``bounds[i+1]``), where
    ``bounds = [-oo, *breakpoints, oo]``; ``at[j]`` is f at ``breakpoints[j]`` (None where undefined)."""

    breakpoints: list[sp.Expr]
    exprs: list[sp.Expr]
    at: list[sp.Expr | None]

    @classmethod
    def of(cls, expr: sp.Expr) -> Pieces:
        whole = to_piecewise(sp.sympify(expr))
        if not whole.has(sp.Piecewise):
            return cls([], [whole], [])
        points: list[sp.Expr] = []
        for pw in whole.atoms(sp.Piecewise):
            for _, cond in pw.args:
                for rel in sp.sympify(cond).atoms(sp.core.relational.Relational):
                    roots = sp.solveset(rel.lhs - rel.rhs, x, sp.S.Reals)
                    if not isinstance(roots, sp.FiniteSet):
                        raise ValueError(f"cannot locate the breakpoints of {rel}")
                    points.extend(roots)
        bps = _sorted_unique(points)
        bounds = [sp.S.NegativeInfinity, *bps, sp.S.Infinity]
        exprs = []
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            t = _inside(lo, hi)
            exprs.append(_select(whole, t))
        at = [_value_at(whole, c) for c in bps]
        return cls(bps, exprs, at)

    @cached_property
    def bounds(self) -> list[sp.Expr]:
        return [sp.S.NegativeInfinity, *self.breakpoints, sp.S.Infinity]

    def intervals(self) -> list[tuple[sp.Expr, sp.Expr, sp.Expr]]:
        """(lower, upper, expression) for each piece."""
        b = self.bounds
        return [(b[i], b[i + 1], e) for i, e in enumerate(self.exprs)]

    def piece_at(self, t: sp.Expr) -> int:
        """Index of the piece whose open interval holds ``t`` (t must not be a breakpoint)."""
        tv = float(sp.N(t, 30))
        for i, (lo, hi, _) in enumerate(self.intervals()):
            if (lo is sp.S.NegativeInfinity or float(sp.N(lo, 30)) < tv) and (
                hi is sp.S.Infinity or tv < float(sp.N(hi, 30))
            ):
                return i
        raise ValueError(f"{t} is a breakpoint")

    def side_limits(self, j: int) -> tuple[sp.Expr | None, sp.Expr | None]:
        """Limits of f at breakpoint j from the left and from the right."""
        c = self.breakpoints[j]
        return limit_at(self.exprs[j], c, "-"), limit_at(self.exprs[j + 1], c, "+")

    def derivative(self) -> Pieces:
        """f' as pieces; at a breakpoint f' is defined where f is continuous and both one-sided
        derivatives agree."""
        dexprs = [sp.diff(e, x) for e in self.exprs]
        at: list[sp.Expr | None] = []
        for j, c in enumerate(self.breakpoints):
            left, right = self.side_limits(j)
            value = self.at[j]
            continuous = (value is not None and left is not None and right is not None
                          and same(left, value) and same(right, value))
            dl = limit_at(dexprs[j], c, "-")
            dr = limit_at(dexprs[j + 1], c, "+")
            at.append(dl if continuous and dl is not None and dr is not None and same(dl, dr) else None)
        return Pieces(list(self.breakpoints), dexprs, at)

    def shifted(self, a: sp.Expr, b: sp.Expr) -> Pieces:
        """g(x) = f(x + a) - b."""
        return Pieces([c - a for c in self.breakpoints],
                      [e.subs(x, x + a) - b for e in self.exprs],
                      [None if v is None else v - b for v in self.at])

    def value(self, t: sp.Expr) -> sp.Expr | None:
        """f(t), exactly."""
        for j, c in enumerate(self.breakpoints):
            if same(c, t):
                return self.at[j]
        e = self.exprs[self.piece_at(t)]
        v = attempt(1.0, lambda: e.subs(x, t), None)
        if v is None or v.has(sp.nan, sp.zoo):
            return limit_at(e, t, "+")
        return v


def _inside(lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    if lo is sp.S.NegativeInfinity and hi is sp.S.Infinity:
        return sp.Integer(0)
    if lo is sp.S.NegativeInfinity:
        return sp.floor(hi) - 1
    if hi is sp.S.Infinity:
        return sp.ceiling(lo) + 1
    return (lo + hi) / 2


def _value_at(whole: sp.Expr, c: sp.Expr) -> sp.Expr | None:
    try:
        v = whole.subs(x, c)
    except (TypeError, ValueError):
        return None
    if v.has(sp.nan, sp.zoo, sp.Piecewise) or not v.is_number:
        return None
    return v


def same(a: sp.Expr, b: sp.Expr, tol: str = "1e-25") -> bool:
    """Whether two exact real numbers are equal (to 30 digits; exact zero test first)."""
    a, b = sp.sympify(a), sp.sympify(b)
    d = a - b
    if d == 0:
        return True
    if a.is_infinite or b.is_infinite:
        return a == b
    try:
        return bool(abs(sp.N(d, 40)) < sp.Float(tol) * (1 + abs(sp.N(a, 40))))
    except TypeError:
        return False
