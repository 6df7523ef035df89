"""An activation at given parameter values: its expression, derivatives, property sheet and NumPy."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import sympy as sp

from symact.declaration import Declaration, Scalar, Vector, fingerprint, x

#: The highest derivative order ``derivative`` gives (sympy.diff's time grows quickly with the order).
MAX_ORDER = 20


def integer(n: Any, what: str, low: int, high: int) -> int:
    """``n`` as an int, if it is an integer (not a bool, not a float) from ``low`` to ``high``."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{what} must be an integer, got {n!r}")
    if not low <= n <= high:
        raise ValueError(f"{what} must be from {low} to {high}, got {n}")
    return int(n)


class Activation:
    """A declaration with its parameters resolved to exact values."""

    def __init__(self, decl: Declaration, params: Mapping[str, Any] | None = None) -> None:
        self.decl = decl
        self.params: dict[str, sp.Expr] = decl.resolve(params or {})

    name = property(lambda self: self.decl.name)
    title = property(lambda self: self.decl.title)
    family = property(lambda self: self.decl.family)
    kind = property(lambda self: self.decl.kind)
    aliases = property(lambda self: self.decl.aliases)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"<Activation {self.name}({args})>"

    @cached_property
    def key(self) -> str:
        """Hash of everything the property sheet depends on (used as the cache key)."""
        from symact.engine import ENGINE_VERSION

        return fingerprint(self.decl, self.params, ENGINE_VERSION)

    @property
    def is_default(self) -> bool:
        return all(sp.simplify(self.params[p.name] - sp.sympify(p.default)) == 0
                   for p in self.decl.parameters)

    # -- scalar ------------------------------------------------------------------------------------
    @cached_property
    def expr(self) -> sp.Expr:
        """f(x) as a SymPy expression in the real symbol `symact.x`."""
        if not isinstance(self.decl, Scalar):
            raise TypeError(f"{self.name} is a vector activation; use .outputs(n)")
        return self.decl.expr(self.params)

    def derivative(self, n: int = 1) -> sp.Expr:
        """The n-th derivative of f (piecewise where f is), n from 0 (f itself) to 20."""
        from symact.engine.pieces import to_piecewise

        n = integer(n, "derivative order", 0, MAX_ORDER)
        return sp.piecewise_fold(sp.diff(to_piecewise(self.expr), x, n)) if n else self.expr

    def outputs(self, n: int) -> list[sp.Expr]:
        """A vector activation's output components for n inputs ``x1..xn``: n from the declaration's
        smallest size in its steps (even sizes for the gated units) up to its ``max_n``, beyond which
        the closed form would take too long to build (sparsemax's has a piece for each of the 2^n - 1
        supports). ``numpy()`` takes any admitted size."""
        if not isinstance(self.decl, Vector):
            raise TypeError(f"{self.name} is a scalar activation; use .expr")
        d = self.decl
        n = integer(n, "the number of inputs", d.min_n, d.max_n)
        if not d.admits(n):
            raise ValueError(f"{self.name} takes {d.sizes} inputs, got {n}")
        return d.components(n, self.params)

    # -- derived ----------------------------------------------------------------------------------
    @cached_property
    def properties(self):  # -> symact.engine.sheet.Sheet
        """The derived property sheet (from the on-disk cache when it is there)."""
        from symact.cache import cached_sheet

        return cached_sheet(self)

    def plot(self, **options: Any):  # -> matplotlib.figure.Figure
        """The site's figure of f and f' (breakpoints drawn as gaps), for notebooks."""
        from symact.plotting import plot

        return plot(self, **options)

    def numpy(self, n: int = 0) -> Callable[..., Any]:
        """A vectorised NumPy function for the n-th derivative (n = 0, 1, 2; n = 0 is f itself).

        Generated from the declaration through stability rewrites and checked against a 40-digit
        reference when first built (then cached on disk): within 4 ulp of the exact value wherever f^(n)
        is well conditioned, no NaN, inf or floating-point warning where the exact value is a finite
        double, NaN in gives NaN out, +-inf in gives the limit there (NaN where there is none). Arrays
        and scalars of real numbers; float32 and float16 come back in their own dtype. At a breakpoint
        the derivative is the one-sided value PyTorch's autograd returns (ReLU'(0) = 0). Vector
        activations have ``n = 0`` only.

        :param n: the order of the derivative.
        :raises ValueError: for another order.
        :raises TypeError: for an order that is not an integer.
        """
        from symact.numerics import numpy_function

        return numpy_function(self, n)
