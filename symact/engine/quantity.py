"""Quantities: an exact value with its LaTeX, a float, and how it was obtained (symbolic/numeric/declared)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.printing.pycode import MpmathPrinter

SYMBOLIC, NUMERIC, DECLARED, UNKNOWN = "symbolic", "numeric", "declared", "unknown"
#: Closed forms larger than this many operations are shown in LaTeX by their value (the exact form is
#: still in the ``exact`` field).
LATEX_OPS = 120
#: Working precision (decimal digits) of numeric derivations; results are certified to DIGITS.
DIGITS = 30


@dataclass(frozen=True)
class Q:
    """A number in a property sheet. ``exact`` is None when no closed form is known."""

    exact: sp.Expr | None
    value: float | str | None  # a float, "inf", "-inf", or None when the quantity does not exist
    how: str
    digits: str | None = None  # the numeric value to DIGITS digits, for numeric quantities

    @classmethod
    def of(cls, expr: Any, how: str = SYMBOLIC) -> Q:
        """An exact quantity from a SymPy expression (oo, -oo and nan are understood)."""
        e = sp.sympify(expr)
        if e is sp.nan or e.has(sp.nan) or e.has(sp.zoo) or isinstance(e, sp.AccumBounds):
            return cls(None, None, how)
        if e is sp.oo:
            return cls(e, "inf", how)
        if e is sp.S.NegativeInfinity:
            return cls(e, "-inf", how)
        return cls(e, _to_float(e), how)

    @classmethod
    def numeric(cls, value: Any, closed: sp.Expr | None = None) -> Q:
        """A high-precision numeric value (mpmath mpf or a decimal string), certified by the caller."""
        with mpmath.workdps(max(mpmath.mp.dps, DIGITS + 10)):
            v = mpmath.mpf(value)
            if mpmath.isinf(v):
                return cls(None, "inf" if v > 0 else "-inf", NUMERIC)
            return cls(closed, float(v), NUMERIC, mpmath.nstr(v, DIGITS, strip_zeros=False))

    @classmethod
    def none(cls, how: str = SYMBOLIC) -> Q:
        """A quantity that does not exist (a limit that does not exist)."""
        return cls(None, None, how)

    @classmethod
    def unknown(cls) -> Q:
        return cls(None, None, UNKNOWN)

    @property
    def exists(self) -> bool:
        return self.value is not None

    def mp(self) -> mpmath.mpf:
        """The value at working precision (from the exact form when there is one)."""
        if self.value == "inf":
            return mpmath.inf
        if self.value == "-inf":
            return -mpmath.inf
        if self.exact is not None:
            with mpmath.workdps(max(mpmath.mp.dps, DIGITS + 10)):
                try:
                    return +mpmath.mpf(_mp_value(self.exact))
                except Exception:  # noqa: BLE001 - a function mpmath lacks: SymPy's own N
                    return +mpmath.mpf(str(sp.N(self.exact, DIGITS + 10)))
        if self.digits is not None:
            return mpmath.mpf(self.digits)
        if self.value is None:
            raise ValueError("quantity does not exist")
        return mpmath.mpf(self.value)

    def latex(self) -> str:
        if self.exact is not None and sp.count_ops(self.exact) <= LATEX_OPS:
            return sp.latex(self.exact)
        if self.exact is not None and isinstance(self.value, float):
            return _short_digits(mpmath.nstr(self.mp(), DIGITS))
        if self.value in ("inf", "-inf"):
            return r"\infty" if self.value == "inf" else r"-\infty"
        if self.digits is not None:
            return _short_digits(self.digits)
        if isinstance(self.value, float):
            return repr(self.value)
        return r"\text{undefined}" if self.how != UNKNOWN else r"\text{unknown}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "exact": None if self.exact is None else str(self.exact),
            "latex": self.latex(),
            "value": self.value,
            "how": self.how,
        }
        if self.digits is not None:
            out["digits"] = self.digits
        return out


#: Prints an expression for mpmath as it stands. Sorting a sum's terms, as ``str`` and lambdify's
#: printer do, evaluates them with SymPy's adaptive precision: for hours on a term like erf(1000/sqrt(2)).
_MPMATH_PRINTER = MpmathPrinter({"fully_qualified_modules": True, "order": "none"})


def _mp_value(e: sp.Expr) -> Any:
    """The value of a closed form in mpmath at the working precision (an mpf, or an mpc)."""
    return eval(_MPMATH_PRINTER.doprint(e), {"mpmath": mpmath})  # noqa: S307 - code printed by SymPy


def _to_float(e: sp.Expr) -> float | str | None:
    """The float value of an exact number: through mpmath at 40 digits (SymPy's adaptive N is very slow
    on the large closed forms some Gaussian moments have), SymPy's N where mpmath cannot."""
    try:
        with mpmath.workdps(DIGITS + 10):
            v = complex(_mp_value(e))
    except Exception:  # noqa: BLE001 - any function mpmath lacks: fall back to SymPy
        try:
            v = complex(sp.N(e, 20))
        except (TypeError, ValueError):
            return None
    if abs(v.imag) > 1e-12 * max(1.0, abs(v.real)):
        return None
    r = v.real
    if 0 < abs(r) < 1e-32:
        return 0.0  # an exact zero that SymPy did not reduce: what is left is rounding noise
    if math.isinf(r):
        return "inf" if r > 0 else "-inf"
    return r


def _short_digits(digits: str) -> str:
    return digits[:20] + r"\ldots" if len(digits) > 20 else digits


def q_from_dict(d: dict[str, Any] | None) -> Q | None:
    """Rebuild a quantity from its JSON form (exact strings are parsed back with SymPy)."""
    if d is None:
        return None
    exact = sp.sympify(d["exact"]) if d.get("exact") is not None else None
    return Q(exact, d.get("value"), d.get("how", SYMBOLIC), d.get("digits"))
