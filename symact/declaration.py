"""What an activation *is*: the small declarations the catalog is written in.

A declaration holds data only (an expression, parameters, names, references); every property is derived
from it by `symact.engine`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import numbers
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sympy as sp

#: The real symbol every scalar activation is written in.
x = sp.Symbol("x", real=True)


class UnknownActivation(LookupError):
    """No activation of that name (or alias); the message suggests near names."""


class InvalidParameter(ValueError):
    """A parameter value outside its constraint; the message names the constraint."""


@dataclass(frozen=True)
class Parameter:
    """A parameter with its default and the interval of values it may take."""

    name: str
    default: Any
    domain: sp.Set = sp.S.Reals
    description: str = ""

    def check(self, value: sp.Expr) -> None:
        if not value.is_real or not value.is_finite:
            raise InvalidParameter(f"parameter {self.name} must be a finite real number, got {value}")
        if self.domain.contains(value) is not sp.true:
            raise InvalidParameter(
                f"parameter {self.name} must lie in {_set_text(self.domain)}, got {value}"
            )


@dataclass(frozen=True)
class Reference:
    """A paper or document the activation comes from."""

    title: str
    authors: str
    year: int
    url: str = ""


@dataclass(frozen=True)
class Equivalent:
    """How a framework spells the activation, with its defaults and any difference from ours."""

    framework: str  # "pytorch", "keras3", "tf_keras2", "jax", "mlx", "onnx"
    call: str
    note: str = ""


FRAMEWORKS = {
    "pytorch": "PyTorch",
    "keras3": "Keras 3",
    "tf_keras2": "tf.keras 2",
    "jax": "JAX",
    "mlx": "MLX",
    "onnx": "ONNX",
}


@dataclass(frozen=True)
class Declaration:
    """Fields shared by scalar and vector declarations."""

    name: str
    title: str
    family: str
    parameters: tuple[Parameter, ...] = ()
    aliases: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    equivalents: tuple[Equivalent, ...] = ()
    summary: str = ""
    #: Relations between parameters that must hold, as functions of the parameter values.
    constraints: tuple[Callable[..., Any], ...] = ()
    constraint_text: tuple[str, ...] = ()
    #: Values typed by hand because the engine cannot derive them. Listed on the site as "declared".
    declared: Mapping[str, Any] = field(default_factory=dict)

    kind = "declaration"

    def resolve(self, params: Mapping[str, Any]) -> dict[str, sp.Expr]:
        """Exact parameter values: defaults overridden by ``params``, each checked."""
        known = {p.name: p for p in self.parameters}
        for key in params:
            if key not in known:
                hint = difflib.get_close_matches(key, known, n=3)
                names = ", ".join(known) or "none"
                extra = f"; did you mean {', '.join(hint)}?" if hint else f" (its parameters: {names})"
                raise InvalidParameter(f"{self.name} has no parameter {brief(key)}{extra}")
        values: dict[str, sp.Expr] = {}
        for p in self.parameters:
            value = to_exact(params.get(p.name, p.default), p.name)
            p.check(value)
            values[p.name] = value
        for rule, text in zip(self.constraints, self.constraint_text, strict=True):
            if not _holds(rule(**values)):
                raise InvalidParameter(f"{self.name}: parameters must satisfy {text}")
        return values


@dataclass(frozen=True)
class Scalar(Declaration):
    """An elementwise activation f: R -> R, written as ``formula(x, **parameters)``."""

    formula: Callable[..., sp.Expr] = lambda x: x

    kind = "scalar"

    def expr(self, values: Mapping[str, sp.Expr]) -> sp.Expr:
        return sp.sympify(self.formula(x, **values))


@dataclass(frozen=True)
class Vector(Declaration):
    """An activation R^n -> R^m. ``build(xs, **parameters)`` returns the output components as a list
    of SymPy expressions in the real symbols ``xs`` (for a given n); ``numpy_impl`` evaluates it along
    the last axis."""

    build: Callable[..., list[sp.Expr]] = lambda xs: list(xs)
    numpy_impl: Callable[..., Any] | None = None
    #: Output size in terms of n, e.g. "n" or "n/2".
    output_dim: str = "n"
    #: The smallest n the activation is defined for, and the step n must move by (2 for GLU's halves).
    min_n: int = 1
    n_step: int = 1
    #: The largest n ``Activation.outputs`` builds the SymPy components for (NumPy takes any n).
    max_n: int = 64
    #: Closed forms claimed for general n, proven by the engine for small n, e.g. the Jacobian.
    claims: Mapping[str, Any] = field(default_factory=dict)

    kind = "vector"

    def admits(self, n: int) -> bool:
        """Whether n inputs is a size the activation is declared for (``min_n`` and up, in ``n_step``)."""
        return n >= self.min_n and (n - self.min_n) % self.n_step == 0

    @property
    def sizes(self) -> str:
        """The admitted sizes, as an error message says them: "1 or more", "2, 4, ..."."""
        step = self.n_step
        return f"{self.min_n} or more" if step == 1 else f"{self.min_n}, {self.min_n + step}, ..."

    def components(self, n: int, values: Mapping[str, sp.Expr]) -> list[sp.Expr]:
        """``build`` for the real symbols x1..xn, unchecked: the build itself refuses a size it cannot
        take (the engine relies on that to check ``min_n`` and ``n_step``)."""
        return self.build(list(sp.symbols(f"x1:{n + 1}", real=True)), **values)


#: Nonzero parameter values must lie within these magnitudes. Past them a Gaussian moment holds terms like
#: exp(theta^2 / 2) that high-precision arithmetic cannot evaluate (at 1e4, or 1e-4 for a scale), and a value
#: like ``9**9**9`` would take longer to read than to type.
_DECADES = 3
MAGNITUDE = (sp.Rational(1, 10**_DECADES), sp.Integer(10**_DECADES))
#: Every step of reading a typed value stays within these magnitudes and sizes, so reading never hangs.
_STEP_MAGNITUDE = 100
_STEP_LOW, _STEP_HIGH = sp.Float(f"1e-{_STEP_MAGNITUDE}"), sp.Float(f"1e{_STEP_MAGNITUDE}")
_STEP_BITS = 1 << 14
#: The exponent of a number written in scientific notation, as in ``2.5e-3``.
_EXPONENT = re.compile(r"[0-9.][eE]([+-]?[0-9]+)")


def to_exact(value: Any, name: str = "value") -> sp.Expr:
    """An exact SymPy number from user input: decimals become rationals (``0.01`` -> ``1/100``).

    Nonzero values must have a magnitude within `MAGNITUDE`; anything else raises `InvalidParameter`.
    """
    if isinstance(value, sp.Basic):
        out = value
    elif isinstance(value, bool) or type(value).__name__ == "bool":  # also NumPy's bool
        raise InvalidParameter(f"parameter {name} must be a number, got {value!r}")
    elif isinstance(value, numbers.Integral):  # int, NumPy's integers
        out = sp.Integer(int(value))
    elif isinstance(value, Fraction):
        out = sp.Rational(value.numerator, value.denominator)
    elif isinstance(value, Decimal | numbers.Real):  # float, NumPy's floats, Decimal
        if not math.isfinite(value):
            raise InvalidParameter(f"parameter {name} must be a finite real number, got {brief(value)}")
        # as printed (the shortest decimal that reads back as the same float: 0.1 is 1/10, and so is
        # numpy.float32(0.1)), then exactly
        out = sp.Rational(*Decimal(str(value) if isinstance(value, Decimal | float) or _is_numpy(value)
                                   else repr(float(value))).as_integer_ratio())
    elif isinstance(value, str):
        out = _read(value.strip(), name, value)
    else:
        raise InvalidParameter(f"parameter {name} must be a number, got {value!r}")
    if not isinstance(out, sp.Expr) or out.free_symbols or not out.is_number:
        raise InvalidParameter(f"parameter {name} must be a number, got {brief(value)}")
    if out.is_zero is None and abs(sp.N(out, 50)) < 1e-40 and _is_zero(out):
        out = sp.S.Zero
    _check_magnitude(out, name, value)
    return out


def _holds(truth: Any) -> bool:
    """Whether a relation between parameter values holds. SymPy leaves one undecided when both sides are
    expressions (log(6) <= log(2) + log(3)): its sides are then compared at 50 digits, and where they
    agree that far, by SymPy's proof that they are equal (or the relation is taken not to hold)."""
    if isinstance(truth, bool | sp.logic.boolalg.BooleanAtom):
        return bool(truth)
    if isinstance(truth, sp.core.relational.Relational):
        difference = truth.lhs - truth.rhs
        approx = sp.N(difference, 50)
        if approx.is_comparable and abs(approx) > sp.Float("1e-40", 50) * (1 + abs(sp.N(truth.rhs, 50))):
            return bool(truth.func(approx, 0))
        if _is_zero(difference):
            return bool(truth.func(0, 0))
        return False
    if isinstance(truth, sp.And):
        return all(_holds(part) for part in truth.args)
    if isinstance(truth, sp.Or):
        return any(_holds(part) for part in truth.args)
    return bool(truth)


def _is_zero(expr: sp.Expr) -> bool:
    """Whether a number SymPy leaves unsimplified is exactly 0 (log(6) - log(2) - log(3)), by its proof;
    called only once the value is known to be tiny, so a nonzero one is decided at once."""
    return expr.equals(0) is True


def _is_numpy(value: Any) -> bool:
    return type(value).__module__ == "numpy"


def _read(text: str, name: str, value: str) -> sp.Expr:
    """A typed value, read exactly: a decimal or a fraction, or a short expression in
    `_safe`'s alphabet evaluated one step at a time, each step bounded."""
    try:
        decimal = Decimal(text)
    except (ArithmeticError, ValueError):
        decimal = None
    if decimal is not None and decimal.is_finite():
        if decimal and not -_STEP_MAGNITUDE <= decimal.adjusted() <= _STEP_MAGNITUDE:
            raise InvalidParameter(_magnitude_message(name, value))
        return sp.Rational(*decimal.as_integer_ratio())
    if any(abs(int(power)) > 2 * _STEP_MAGNITUDE for power in _EXPONENT.findall(text)):
        raise InvalidParameter(_magnitude_message(name, value))  # SymPy would build 10**power first
    try:
        # standard transformations only: implicit multiplication would read "1 2" as 2 and "1.5.5" as 3/4
        tree = sp.parse_expr(text, evaluate=False) if _safe(text) else None
    except Exception:  # noqa: BLE001 - any parse failure is the same user error
        tree = None
    if not isinstance(tree, sp.Expr) or tree.free_symbols:
        raise InvalidParameter(f"parameter {name} must be a number, got {value!r}")
    return _evaluate(tree, name, value)


def _evaluate(node: sp.Expr, name: str, value: str) -> sp.Expr:
    """``node`` evaluated from its leaves up; every intermediate value is finite and real, and its
    magnitude and (for an exact power) its size are bounded, so that no step can run away."""
    if isinstance(node, sp.Float):
        if node and not _STEP_LOW <= abs(node) <= _STEP_HIGH:  # before 1e999999999 is made exact
            raise InvalidParameter(_magnitude_message(name, value))
        out: sp.Expr = sp.nsimplify(node, rational=True)
    elif not node.args:
        out = node
    else:
        args = [_evaluate(a, name, value) for a in node.args]
        if isinstance(node, sp.Pow) and args[1].is_Rational:
            base, power = args
            bits = max(base.p.bit_length(), base.q.bit_length()) if base.is_Rational else 64
            if abs(power) > 1024 or bits * abs(power.p) > _STEP_BITS:
                raise InvalidParameter(_magnitude_message(name, value))
        out = node.func(*args)
    approx = out.evalf(30)
    if approx.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not approx.is_real or not approx.is_finite:
        raise InvalidParameter(f"parameter {name} must be a finite real number, got {value!r}")
    if approx and not _STEP_LOW <= abs(approx) <= _STEP_HIGH:
        if abs(approx) < _STEP_LOW and _is_zero(out):
            return sp.S.Zero
        raise InvalidParameter(_magnitude_message(name, value))
    return out


def _check_magnitude(out: sp.Expr, name: str, value: Any) -> None:
    if out.is_zero:
        return
    low, high = MAGNITUDE
    approx = sp.N(abs(out), 30)  # first, so that a huge integer is never compared (or printed) exactly
    near = approx.is_finite and approx.is_positive and low / 2 < approx < 2 * high
    if not (near and low <= abs(out) <= high):
        raise InvalidParameter(_magnitude_message(name, value))


def _magnitude_message(name: str, value: Any) -> str:
    return (f"parameter {name} must be 0 or have a magnitude between 1e-{_DECADES} and 1e{_DECADES}, "
            f"got {brief(value)}")


def brief(value: Any) -> str:
    """``value`` as an error message shows it: its repr, cut short (even for a million digits)."""
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, (int, sp.Integer)) and abs(int(value)).bit_length() > 256:
        text = f"about {sp.N(value, 3)}"
    else:
        text = str(value) if isinstance(value, sp.Basic) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _safe(text: str) -> bool:
    allowed = set("0123456789.+-*/() eE")
    words = {"sqrt", "pi", "E", "exp", "log"}
    stripped = text
    for w in sorted(words, key=len, reverse=True):
        stripped = stripped.replace(w, "")
    return len(text) < 80 and set(stripped) <= allowed


def _set_text(s: sp.Set) -> str:
    if isinstance(s, sp.Interval):
        left = "[" if not s.left_open else "("
        right = "]" if not s.right_open else ")"
        lo = "-inf" if s.start is sp.S.NegativeInfinity else str(s.start)
        hi = "inf" if s.end is sp.S.Infinity else str(s.end)
        return f"{left}{lo}, {hi}{right}"
    return str(s)


def fingerprint(decl: Declaration, values: Mapping[str, sp.Expr], extra: str = "") -> str:
    """A hash of what a derived sheet depends on: the expression at these values and the metadata."""
    if isinstance(decl, Scalar):
        body = sp.srepr(decl.expr(values))
    else:
        assert isinstance(decl, Vector)
        xs = sp.symbols(f"x1:{max(decl.min_n, 2) + 1}", real=True)
        body = sp.srepr(decl.build(list(xs), **values))
    meta = {
        "name": decl.name,
        "title": decl.title,
        "family": decl.family,
        "aliases": list(decl.aliases),
        "params": {k: sp.srepr(v) for k, v in values.items()},
        "declared": {k: str(v) for k, v in decl.declared.items()},
        "body": body,
        "extra": extra,
    }
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:24]
