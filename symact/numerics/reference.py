"""Reference values in arbitrary precision: the n-th derivative evaluated with mpmath from the SymPy formula.

This path shares nothing with the NumPy rewrite: it differentiates the declared expression piece by piece
(:mod:`symact.numerics.pieces`), lambdifies each piece for mpmath, and raises the working precision until two
successive precisions agree, so that cancellation in the formula as written (``1 - tanh(x)^2`` at x = 700)
cannot fool it. Removable singularities (``sin(x)/x`` at 0) are evaluated as the limit.
"""

from __future__ import annotations

from functools import cached_property

import mpmath
import sympy as sp

from symact.declaration import x
from symact.numerics.pieces import Piece, differentiate, pieces

#: Precisions tried in turn (decimal digits); the answer is accepted when two successive ones agree.
PRECISIONS = (40, 80, 160, 320, 640, 1280, 2560)


class Reference:
    """f^(n) of an activation at arbitrary-precision points, with the module's breakpoint convention."""

    def __init__(self, expr: sp.Expr, n: int) -> None:
        self.n = n
        self.expr = expr
        self.pieces: list[Piece] = differentiate(pieces(expr), n)

    @cached_property
    def slope(self) -> Reference:
        """f^(n+1), for the condition number (built once: the compile-time checks share it)."""
        return Reference(self.expr, self.n + 1)

    @cached_property
    def _functions(self):
        return [sp.lambdify(x, p.expr, "mpmath") for p in self.pieces]

    @cached_property
    def _bounds(self):
        out = []
        for p in self.pieces:
            if p.is_point:
                out.append((p.lo, p.lo, True, True))
            else:
                out.append((p.lo, p.hi, not p.where.left_open, not p.where.right_open))
        return out

    def _index(self, v: mpmath.mpf) -> int:
        with mpmath.workdps(60):
            for i, (lo, hi, lo_closed, hi_closed) in enumerate(self._bounds):
                lo_v = mpmath.mpf(sp.N(lo, 70)) if lo.is_finite else -mpmath.inf
                hi_v = mpmath.mpf(sp.N(hi, 70)) if hi.is_finite else mpmath.inf
                above = v > lo_v or (lo_closed and v == lo_v)
                below = v < hi_v or (hi_closed and v == hi_v)
                if above and below:
                    return i
        raise ValueError(f"no piece holds at {v}")

    def _eval(self, fn, v: float, dps: int) -> mpmath.mpf:
        with mpmath.workdps(dps):
            try:
                value = fn(mpmath.mpf(v))
            except (ZeroDivisionError, ValueError):
                value = mpmath.nan
            if not mpmath.isfinite(value) and v == v:
                # a removable singularity: the mean of both sides at distance h (error O(h^2)), in a
                # precision high enough for the h^-k terms of the formula to cancel
                h = mpmath.mpf(10) ** (-(dps // 4))
                with mpmath.workdps(3 * dps):
                    value = (fn(mpmath.mpf(v) + h) + fn(mpmath.mpf(v) - h)) / 2
            return +value

    @cached_property
    def _memo(self) -> dict[float, mpmath.mpf]:
        return {}

    def __call__(self, v: float) -> mpmath.mpf:
        """f^(n)(v), correct to far more than double precision (an mpf at 40 digits or more)."""
        if v != v:
            return mpmath.nan
        v = float(v)
        if v not in self._memo:
            self._memo[v] = self._compute(v)
        return self._memo[v]

    def _compute(self, v: float) -> mpmath.mpf:
        i = self._index(mpmath.mpf(v))
        fn = self._functions[i]
        previous = None
        # Absorption (1 + e^-700 == 1) is not cured by doubling a low precision: below |v| ~ 28 a term
        # like e^(-v^2) is above 1e-340 and can matter, so the first precision covers the double range.
        start = 40 + int(min(v * v, 800.0) / 2)
        for dps in (start, *(p for p in PRECISIONS if p > start)):
            value = self._eval(fn, v, dps)
            # an exact 0 may be a cancellation at this precision: it is only believed at the top one
            if previous is not None and value != 0:
                with mpmath.workdps(dps):
                    if abs(value - previous) <= abs(value) * mpmath.mpf(10) ** -30:
                        return value
                    if abs(value) < mpmath.mpf(2) ** -1200 and abs(previous) < mpmath.mpf(2) ** -1200:
                        return value
            previous = value
        return value

    def value(self, v: float) -> float:
        """The reference rounded to the nearest double (inf where it overflows)."""
        r = self(v)
        with mpmath.workdps(60):
            return float(r)
