"""Small SymPy building blocks the declarations are written with (clip, relu, the logistic function)."""

from __future__ import annotations

import sympy as sp

from symact.declaration import Parameter


def relu(v: sp.Expr) -> sp.Expr:
    return sp.Max(v, 0)


def clip(v: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
    return sp.Min(sp.Max(v, lo), hi)


def logistic(v: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-v))


def positive(name: str, default: object, description: str = "") -> Parameter:
    return Parameter(name, default, sp.Interval.open(0, sp.oo), description)


def nonnegative(name: str, default: object, description: str = "") -> Parameter:
    return Parameter(name, default, sp.Interval(0, sp.oo), description)


def real(name: str, default: object, description: str = "") -> Parameter:
    return Parameter(name, default, sp.S.Reals, description)
