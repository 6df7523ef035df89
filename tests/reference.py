"""Independent numeric references for the property-sheet tests.

Everything here is computed from the declaration's SymPy expression ``act.expr`` with SymPy core and
mpmath at ``DPS`` digits, never with the engine's code: f is ``lambdify(x, act.expr, "mpmath")``, its
derivatives are SymPy derivatives of ``act.expr`` rewritten as one Piecewise (valid off the pieces'
boundaries, and checked against ``mpmath.diff`` by the tests), and the candidate breakpoints are the
roots of the relations in that Piecewise's conditions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from functools import cache, cached_property
from typing import Any

import mpmath
import sympy as sp

import symact
from symact import x
from symact.declaration import MAGNITUDE
from symact.registry import declarations

#: Working precision (decimal digits) of every reference computation.
DPS = 40
#: Offset from a breakpoint at which one-sided limits of f and its derivatives are read.
SIDE = mpmath.mpf("1e-30")
#: The symbol ``f`` of ``derivative_in_terms_of_f``.
F = sp.Symbol("f")

MpFn = Callable[[Any], Any]


@contextmanager
def precision() -> Iterator[None]:
    """Work at ``DPS`` digits without changing the precision other tests see."""
    with mpmath.workdps(DPS):
        yield


def mpf(value: Any) -> mpmath.mpf:
    """An exact decimal or SymPy number as an mpf at the working precision."""
    if isinstance(value, sp.Basic):
        return mpmath.mpf(str(sp.N(value, DPS + 10)))
    return mpmath.mpf(str(value) if isinstance(value, float) else value)


def parse(text: str) -> sp.Expr:
    """A SymPy string from a sheet, read with ``x`` the real symbol of the declarations."""
    return sp.sympify(text, locals={"x": x, "f": F})


def lambdified(expr: sp.Expr, *symbols: sp.Symbol) -> MpFn:
    """An mpmath function of ``expr``; constant subexpressions (SELU's) are evaluated once, at
    ``DPS + 20`` digits, rather than at every call."""
    return sp.lambdify(symbols or (x,), sp.N(expr, DPS + 20), "mpmath")


def q_mp(q: dict[str, Any]) -> mpmath.mpf:
    """The value of a sheet quantity at working precision: its exact form, else its digits."""
    if q["value"] == "inf":
        return mpmath.inf
    if q["value"] == "-inf":
        return -mpmath.inf
    if q.get("exact") is not None:
        return mpf(parse(q["exact"]))
    if q.get("digits") is not None:
        return mpmath.mpf(q["digits"])
    return mpmath.mpf(q["value"])


def relation_roots(expr: sp.Expr) -> list[sp.Expr]:
    """Real roots in x of every relation appearing in the conditions of ``expr`` (as a Piecewise)."""
    roots: set[sp.Expr] = set()
    for rel in expr.atoms(sp.core.relational.Relational):
        for r in sp.solve(sp.Eq(rel.lhs - rel.rhs, 0), x):
            if r.is_real:
                roots.add(sp.nsimplify(r))
    return sorted(roots, key=lambda r: float(r))


class Reference:
    """f, its derivatives and its candidate breakpoints, for one activation."""

    def __init__(self, act: symact.Activation) -> None:
        self.name = act.name
        self.expr = act.expr
        self.pieces = sp.piecewise_fold(act.expr.rewrite(sp.Piecewise))
        self._f = lambdified(act.expr)
        self._d: dict[int, MpFn] = {}

    @cached_property
    def kinks(self) -> list[mpmath.mpf]:
        """Where the Piecewise form switches pieces: the only places a breakpoint can be."""
        with precision():
            return [mpf(r) for r in relation_roots(self.pieces)]

    def f(self, t: Any) -> mpmath.mpf:
        with precision():
            return mpmath.mpf(self._f(mpf(t)))

    def f_at(self, t: Any, dps: int) -> mpmath.mpf:
        """f(t) at ``dps`` digits (to tell a true zero from a tail that cancels at DPS digits)."""
        with mpmath.workdps(dps):
            return mpmath.mpf(self._f(mpmath.mpf(t)))

    def d(self, t: Any, n: int = 1) -> mpmath.mpf:
        """f^(n)(t) from the SymPy derivative of the pieces (t off the pieces' boundaries)."""
        if n == 0:
            return self.f(t)
        if n not in self._d:
            self._d[n] = lambdified(sp.diff(self.pieces, x, n))
        with precision():
            try:
                value = mpmath.mpf(self._d[n](mpf(t)))
            except ZeroDivisionError:  # a removable singularity of the formula (sinc' at 0)
                value = mpmath.nan
            return value if mpmath.isfinite(value) else self.diff(t, n)

    def diff(self, t: Any, n: int = 1) -> mpmath.mpf:
        """f^(n)(t) by mpmath's finite differences of f (a second, fully numeric route)."""
        with precision():
            return mpmath.diff(self._f, mpf(t), n)

    def side(self, b: Any, n: int, direction: int) -> mpmath.mpf:
        """The one-sided limit of f^(n) at b (direction -1: from the left, +1: from the right)."""
        with precision():
            return self.d(mpf(b) + direction * SIDE, n)

    def near_kinks(self) -> list[mpmath.mpf]:
        """Points just either side of each candidate breakpoint, down to 1e-12 away."""
        with precision():
            out = []
            for b in self.kinks:
                for k in range(1, 13):
                    out += [b - mpmath.mpf(10) ** -k, b + mpmath.mpf(10) ** -k]
            return out

    def off_kinks(self, points: Iterable[mpmath.mpf], gap: str = "1e-20") -> list[mpmath.mpf]:
        """The points not within ``gap`` of a candidate breakpoint."""
        g = mpmath.mpf(gap)
        return [t for t in points if all(abs(t - b) > g for b in self.kinks)]


def grid(lo: float | str, hi: float | str, step: str) -> list[mpmath.mpf]:
    """Evenly spaced points from lo to hi (inclusive) at a decimal step, each the nearest mpf to the
    decimal k * step, so that grids sharing a point share it exactly."""
    h, a, b = Fraction(step), Fraction(str(lo)), Fraction(str(hi))
    with precision():
        out = []
        for i in range(int((b - a) / h) + 1):
            q = a + i * h
            out.append(mpmath.mpf(q.numerator) / q.denominator)
        return out


def far_points(sign: int, decades: Iterable[int] = range(2, 9)) -> list[mpmath.mpf]:
    """Points sign * 10^k * (1 + j/7) out to 10^8: where limits and saturation show."""
    with precision():
        return [sign * mpmath.mpf(10) ** k * (1 + mpmath.mpf(j) / 7) for k in decades for j in range(7)]


def dense_points(ref: Reference) -> list[mpmath.mpf]:
    """The sampling of the real line used for ranges, monotonicity and shape: fine near the origin,
    coarser out to +-100, logarithmic out to 1e8, and packed around every candidate breakpoint."""
    pts = grid(-12, 12, "0.01") + grid(-100, 100, "0.25") + far_points(1) + far_points(-1)
    pts += ref.near_kinks() + ref.kinks
    with precision():
        return sorted(set(pts))


def outer_points(ref: Reference, sign: int) -> list[mpmath.mpf]:
    """Moderate points beyond the outermost candidate breakpoint on one side: on the piece that
    reaches +-infinity, yet near enough for its derivative not to cancel at DPS digits."""
    with precision():
        edge = (ref.kinks[-1] if sign > 0 else ref.kinks[0]) if ref.kinks else mpmath.mpf(0)
        return [edge + sign * (1 + mpmath.mpf(k) / 3) for k in range(12)]


@cache
def reference(name: str) -> Reference:
    return Reference(symact.get(name))


def gaussian_expectation(fn: MpFn, cuts: Iterable[mpmath.mpf]) -> tuple[mpmath.mpf, mpmath.mpf]:
    """E fn(X) for X ~ N(0, 1) by mpmath.quad, split at the breakpoints; returns (value, error)."""
    with precision():
        nodes = sorted({mpmath.mpf(c) for c in cuts} | {mpmath.mpf(k) for k in (-8, -4, -2, 0, 2, 4, 8)})
        points = [-mpmath.inf, *nodes, mpmath.inf]
        phi = lambda t: fn(t) * mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)
        value, error = mpmath.quad(phi, points, error=True, maxdegree=10)
        return value, error


def parameter_ends(kind: str | None = None) -> list[tuple[str, str, sp.Expr]]:
    """(activation, parameter, value) with the value at 1e3 and 1e-3 in magnitude (``MAGNITUDE``), each sign
    the parameter's domain allows and the others at their defaults satisfy the relations with."""
    low, high = MAGNITUDE
    cases = []
    for decl in declarations().values():
        if kind is not None and decl.kind != kind:
            continue
        for p in decl.parameters:
            for value in (high, -high, low, -low):
                values = {**symact.get(decl.name).params, p.name: value}
                if p.domain.contains(value) is sp.true and all(bool(r(**values)) for r in decl.constraints):
                    cases.append((decl.name, p.name, value))
    return cases
