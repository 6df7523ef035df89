"""Split an expression in x into pieces: disjoint intervals of the real line, each with a formula.

``Max``, ``Min``, ``Abs``, ``sign`` and ``Heaviside`` become ``Piecewise`` first, with the convention
that at a breakpoint the *flat* (constant) side is taken, and ``Abs``/``sign`` take their own branch at 0:

* ``Max(u, c) = u if u > c else c`` and ``Min(u, c) = u if u < c else c`` (c free of x),
* ``Abs(u) = u if u > 0, -u if u < 0, 0 if u = 0``.

A Piecewise's own conditions are kept exactly as declared.  Differentiating piece by piece then gives, at a
breakpoint, the derivative of the piece that holds there (see :mod:`symact.numerics`).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symact.declaration import x


@dataclass(frozen=True)
class Piece:
    """``expr`` holds on ``where``: an Interval (possibly a single point as a FiniteSet)."""

    where: sp.Set
    expr: sp.Expr

    @property
    def lo(self) -> sp.Expr:
        return self.where.inf

    @property
    def hi(self) -> sp.Expr:
        return self.where.sup

    @property
    def is_point(self) -> bool:
        return isinstance(self.where, sp.FiniteSet)


def _is_const(e: sp.Expr) -> bool:
    return not e.has(x)


def _max_piecewise(*args: sp.Expr) -> sp.Expr:
    a, b = args[0], (sp.Max(*args[1:]) if len(args) > 2 else args[1])
    if _is_const(a) and not _is_const(b):
        a, b = b, a
    return sp.Piecewise((a, a > b), (b, True))


def _min_piecewise(*args: sp.Expr) -> sp.Expr:
    a, b = args[0], (sp.Min(*args[1:]) if len(args) > 2 else args[1])
    if _is_const(a) and not _is_const(b):
        a, b = b, a
    return sp.Piecewise((a, a < b), (b, True))


def to_piecewise(expr: sp.Expr) -> sp.Expr:
    """Max/Min/Abs/sign/Heaviside/sinc as Piecewise or elementary functions, by the module's convention."""
    rules = (
        (sp.Max, _max_piecewise),
        (sp.Min, _min_piecewise),
        (sp.Abs, lambda u: sp.Piecewise((u, u > 0), (-u, u < 0), (0, True))),
        (sp.sign, lambda u: sp.Piecewise((1, u > 0), (-1, u < 0), (0, True))),
        (sp.Heaviside, lambda u, h0=None: sp.Piecewise((1, u > 0), (0, True))),
        # the removable singularity at 0 is handled numerically (a Pade patch), not by a point piece
        (sp.sinc, lambda u: sp.sin(u) / u),
    )
    changed = True
    while changed:
        changed = False
        for cls, rule in rules:
            if expr.has(cls):
                expr = expr.replace(cls, rule)
                changed = True
    return expr


def pieces(expr: sp.Expr) -> list[Piece]:
    """The pieces of ``expr`` over the real line, sorted left to right, adjacent equal ones merged."""
    folded = sp.piecewise_fold(to_piecewise(expr))
    if not isinstance(folded, sp.Piecewise):
        return [Piece(sp.Interval(-sp.oo, sp.oo), folded)]
    remaining: sp.Set = sp.S.Reals
    found: list[Piece] = []
    for branch, cond in folded.args:
        where = (cond.as_set() if cond is not sp.true else sp.S.Reals).intersect(remaining)
        remaining = remaining - where
        parts = where.args if isinstance(where, sp.Union) else (where,)
        for part in parts:
            if part is sp.S.EmptySet:
                continue
            if isinstance(part, sp.FiniteSet):
                found.extend(Piece(sp.FiniteSet(p), branch) for p in part)
            else:
                found.append(Piece(part, branch))
        if remaining is sp.S.EmptySet:
            break
    found.sort(key=lambda p: (float(p.lo), float(p.hi)))
    return _merge(found)


def _merge(found: list[Piece]) -> list[Piece]:
    merged: list[Piece] = []
    for piece in found:
        if merged and sp.simplify(merged[-1].expr - piece.expr) == 0 and merged[-1].hi == piece.lo:
            merged[-1] = Piece(sp.Union(merged[-1].where, piece.where), merged[-1].expr)
        else:
            merged.append(piece)
    return merged


def differentiate(found: list[Piece], n: int) -> list[Piece]:
    """The n-th derivative, piece by piece (a single point keeps its formula's derivative)."""
    if n == 0:
        return found
    return _merge([Piece(p.where, sp.diff(p.expr, x, n)) for p in found])


def breakpoints(found: list[Piece]) -> list[sp.Expr]:
    """The finite endpoints between pieces."""
    points = {p.lo for p in found if p.lo.is_finite} | {p.hi for p in found if p.hi.is_finite}
    return sorted(points, key=float)


def piece_at(found: list[Piece], value: float) -> Piece:
    """The piece that holds at ``value`` (exact comparison against the sets)."""
    v = sp.Rational(value) if isinstance(value, float) else value
    for piece in found:
        if piece.where.contains(v) is sp.true:
            return piece
    raise ValueError(f"no piece holds at {value}")
