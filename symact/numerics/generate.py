"""Generate the NumPy function for f^(n): pieces -> stable formulas -> tails, patches -> source -> function.

The plan is a list of *segments* covering the real line left to right. A segment is a formula in the stable
primitives, a constant, a straight line (the exact asymptote in a tail, where the formula would overflow),
or a Pade approximant (near 0, where the formula cancels). Every formula is evaluated at its input
*clamped to its own segment*, so a branch that is not taken cannot overflow, divide by zero or warn.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass, field
from math import inf

import mpmath
import numpy as np
import scipy
import scipy.special
import sympy as sp

from symact.declaration import x
from symact.numerics.pieces import Piece, differentiate, pieces
from symact.numerics.primitives import NAMESPACE, _indices, _replace
from symact.numerics.printer import formula_lines, rescaled_argument
from symact.numerics.reference import Reference
from symact.numerics.rewrite import stabilise


@dataclass
class Segment:
    """``kind`` is "formula", "const" or "line"; it covers lo..hi (closedness in the flags)."""

    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool
    kind: str
    expr: sp.Expr | None = None  # stable formula (kind "formula")
    value: tuple = ()  # (c,) for const, (a, b) for line, (p, q) coefficient lists for pade
    patch: tuple | None = None  # (r, p, q): on [-r, r] the Pade approximant p/q replaces the formula
    cells: dict[int, tuple] = field(default_factory=dict)  # k -> (p, q): Pade in x - c_k on cell k
    cell: float = 0.5  # the cells' width (CELL, or less where the formula's features are narrower)
    source: str = ""
    span: tuple[float, float] | None = None  # the range the formula is evaluated on, when wider than lo..hi
    exact: tuple = (None, None)  # the declared bounds (SymPy numbers) when lo, hi are their roundings
    factored: bool = False  # a sum of logistic terms printed as one product (printer.logistic_groups)
    rescaled: bool = False  # its logistic group or exponential scaled where it underflows (formula_lines)
    notes: list[str] = field(default_factory=list)


def stable_pieces(expr: sp.Expr, n: int) -> list[Piece]:
    """The pieces of f^(n), each rewritten, differentiated in the primitives, and rewritten again."""
    found = [Piece(p.where, stabilise(p.expr)) for p in pieces(expr)]
    return [Piece(p.where, stabilise(p.expr)) for p in differentiate(found, n)]


def _f(v) -> float:
    return float(sp.N(v, 30)) if v.is_finite else (inf if v > 0 else -inf)


def _max_min_polynomial(expr: sp.Expr) -> bool:
    """Built from x, numbers, +, *, non-negative integer powers, Max and Min only (exact as it stands)."""
    if expr.is_Symbol or expr.is_Number:
        return True
    if isinstance(expr, sp.Pow):
        # a negative power only of a base that is >= 1 everywhere (1 + |x|): no pole, no overflow
        positive = expr.exp >= 0 or (expr.base.has(sp.Abs, sp.Max) and expr.base.is_Add
                                     and expr.base.as_coeff_Add()[0] >= 1)
        return expr.exp.is_Integer and positive and _max_min_polynomial(expr.base)
    if isinstance(expr, sp.Add | sp.Mul | sp.Max | sp.Min | sp.Abs):
        return all(_max_min_polynomial(a) for a in expr.args)
    return False


def _whole_line(expr: sp.Expr, n: int) -> sp.Expr | None:
    """f^(n) as one formula in Max/Min/Abs when it is one (x/(1 + |x|) has f' = 1/(1 + |x|)^2)."""
    if not expr.has(sp.Max, sp.Min, sp.Abs):
        return None
    if n == 0:
        return expr if _max_min_polynomial(expr) else None
    d = sp.diff(expr, x, n)
    d = sp.simplify(d.subs(x * sp.sign(x), sp.Abs(x)))
    if d.has(sp.sign, sp.Heaviside, sp.DiracDelta, sp.Piecewise, sp.Derivative, sp.Subs):
        return None
    return d if _max_min_polynomial(d) else None


def _linear_envelope(segments: list[Segment]) -> sp.Expr | None:
    """A continuous convex (concave) function made of straight pieces is the Max (Min) of its pieces:
    Leaky ReLU is max(x, a x), two exact passes instead of clamps and masks."""
    lines = [s for s in segments if s.lo != s.hi]
    if len(lines) < 2:
        return None
    exprs = [s.expr if s.kind == "formula" else sp.Float(s.value[0], 30) for s in lines]
    exprs = [sp.nsimplify(e) if e.is_Float else e for e in exprs]
    if not all(e.is_polynomial(x) and sp.degree(e, x) <= 1 for e in exprs):
        return None
    slopes = [sp.diff(e, x) for e in exprs]
    for left, right, a, b in zip(lines, lines[1:], exprs, exprs[1:], strict=False):
        edge = sp.nsimplify(left.hi)
        if left.hi != right.lo or sp.simplify(a.subs(x, edge) - b.subs(x, edge)) != 0:
            return None
    for s in segments:  # a single point must take the value both sides agree on
        if s.lo == s.hi:
            e = s.expr if s.kind == "formula" else sp.Float(s.value[0], 30)
            inside = next(v for v, t in zip(exprs, lines, strict=True) if t.hi == s.lo)
            if abs(float(sp.N(e.subs(x, sp.nsimplify(s.lo)) - inside.subs(x, sp.nsimplify(s.lo))))) > 0:
                return None
    if all(a < b for a, b in zip(slopes, slopes[1:], strict=False)):
        return sp.Max(*exprs)
    if all(a > b for a, b in zip(slopes, slopes[1:], strict=False)):
        return sp.Min(*exprs)
    return None


def plan(expr: sp.Expr, n: int) -> list[Segment]:
    """The segments of the NumPy function for the n-th derivative of ``expr``."""
    whole = _whole_line(expr, n)
    if whole is not None:
        # continuous, NaN-propagating and exact with numpy.maximum/minimum: one formula, no branches
        return [Segment(-inf, inf, False, False, "formula", expr=whole)]
    segments: list[Segment] = []
    for p in stable_pieces(expr, n):
        if p.is_point:
            lo = hi = _f(p.lo)
            closed = (True, True)
        else:
            lo, hi = _f(p.lo), _f(p.hi)
            closed = (not p.where.left_open, not p.where.right_open)
        bounds = (p.lo if p.lo.is_finite else None, p.hi if p.hi.is_finite else None)
        if not p.expr.has(x):
            segments.append(Segment(lo, hi, *closed, "const", value=(float(sp.N(p.expr, 30)),), exact=bounds))
        else:
            segments.append(Segment(lo, hi, *closed, "formula", expr=p.expr, exact=bounds))
    if n == 0:
        envelope = _linear_envelope(segments)
        if envelope is not None:
            return [Segment(-inf, inf, False, False, "formula", expr=envelope)]
    return segments


def absorb_constants(segments: list[Segment]) -> list[Segment]:
    """A constant piece next to a formula that, at x clamped to the shared edge, gives exactly that
    constant is the formula's own clamp: ELU' is exp(min(x, 0)), not a mask between exp and 1."""
    changed = True
    while changed and len(segments) > 1:
        changed = False
        for i, s in enumerate(segments):
            if s.kind != "const" or s.lo == s.hi:
                continue
            for j in (i - 1, i + 1):
                if not 0 <= j < len(segments):
                    continue
                f = segments[j]
                if f.kind != "formula" or f.lo == f.hi or f.span is not None:
                    continue
                edge = f.hi if j < i else f.lo
                alone = compile_source(source([Segment(-inf, inf, False, False, "formula", expr=f.expr)]))
                if float(_evaluate(alone, [edge])[0]) != s.value[0]:
                    continue
                f.span = (f.lo, f.hi)
                if j < i:
                    f.hi, f.hi_closed = s.hi, s.hi_closed
                    f.exact = (f.exact[0], s.exact[1])
                else:
                    f.lo, f.lo_closed = s.lo, s.lo_closed
                    f.exact = (s.exact[0], f.exact[1])
                del segments[i]
                changed = True
                break
            if changed:
                break
    return segments


# -- source generation ---------------------------------------------------------------------------------

def _clamp(lo: float, hi: float) -> str:
    if lo == -inf and hi == inf:
        return "x"
    if lo == -inf:
        return f"numpy.minimum(x, {hi!r})"
    if hi == inf:
        return f"numpy.maximum(x, {lo!r})"
    return f"numpy.clip(x, {lo!r}, {hi!r})"


def _pade_source(p: list[float], q: list[float], arg: str) -> str:
    """p(x) / q(x) by Horner's rule; in x*x when a polynomial is even or odd (half the roundings)."""

    def horner(cs: list[float], var: str) -> str:
        while len(cs) > 1 and cs[-1] == 0.0:
            cs = cs[:-1]
        out = repr(cs[-1])
        for c in reversed(cs[:-1]):
            out = f"({out} * {var} + {c!r})" if c else f"({out} * {var})"
        return out

    def poly(cs: list[float]) -> str:
        if all(c == 0.0 for c in cs[1::2]):
            return horner(cs[0::2], f"({arg} * {arg})")
        if all(c == 0.0 for c in cs[0::2]):
            return f"({arg} * {horner(cs[1::2], f'({arg} * {arg})')})"
        return horner(cs, arg)

    return f"{poly(list(p))} / {poly(list(q))}"




def _with_nans(x: np.ndarray, value) -> np.ndarray:
    """``value`` (a number, or comparisons of x) as float64 of x's shape, NaN where x is NaN. A NaN is
    looked for with one reduction (the minimum propagates it), so the common case costs no extra pass."""
    out = np.empty(x.shape) if np.ndim(value) == 0 else None
    if out is not None:
        out.fill(value)
    else:
        out = np.asarray(value, dtype=np.float64)
    if x.size and np.isnan(np.min(x)):
        out[np.isnan(x)] = np.nan
    return out


def _steps(segments: list[Segment]) -> str | None:
    """A piecewise-constant function as c0 + sum (c_{i+1} - c_i) [x > b_i]: cheap comparisons, NaN
    propagated by a zero term; None unless every partial sum is exact in floating point."""
    if len(segments) < 2 or any(s.kind != "const" for s in segments):
        return None
    values = [s.value[0] for s in segments]
    if values == [0.0, 1.0] and segments[0].hi == 0.0 and not segments[1].lo_closed:
        # [x > 0] (ReLU', Heaviside) as ceil(clip(x, 0, 1)), in place: NaN comes through with no search
        return "_positive_step(x)"
    total = values[0]
    terms = [repr(values[0])] if values[0] else []
    for left, right in zip(segments, segments[1:], strict=False):
        jump = right.value[0] - left.value[0]
        if total + jump != right.value[0]:
            return None
        total += jump
        if jump:
            step = _compare(">=" if right.lo_closed else ">", left.hi, left.exact[1])
            terms.append(step if jump == 1 else f"{jump!r} * {step}")
    return f"_with_nans(x, {' + '.join(terms)})"


def _gated(segments: list[Segment]) -> str | None:
    """One straight line g(x) = a x + b (|a| <= 1, finite for every finite x) that is 0 on bounded
    intervals, as g(x) times the negated masks of those intervals: Hard Shrink is x [|x| > lambda]."""
    zeros = [s for s in segments if s.kind == "const" and s.value[0] == 0.0]
    lines = [s for s in segments if s.kind == "formula"]
    if not zeros or not lines or len(zeros) + len(lines) != len(segments):
        return None
    g = lines[0].expr
    if any(s.expr != g or s.patch is not None for s in lines):
        return None
    if not (g.is_polynomial(x) and sp.degree(g, x) == 1 and abs(g.coeff(x, 1)) <= 1):
        return None
    if any(s.lo == -inf or s.hi == inf for s in zeros):
        return None
    printer_lines, result = formula_lines(g, x, "x", "g")
    if len(printer_lines) != 1:
        return None
    value = printer_lines[0].split(" = ", 1)[1]
    return f"({value}) * ~({' | '.join(_mask(s) for s in zeros)})"


def _rounded(value: float, exact, up: bool) -> float:
    """The double next to ``exact`` on its upper (lower) side: x >= 1/10 is x >= 0.1 rounded up."""
    if exact is None or value in (inf, -inf):
        return value
    diff = sp.Rational(value) - exact
    if diff == 0 or (diff > 0) == up:
        return value
    return float(np.nextafter(value, inf if up else -inf))


def _compare(op: str, value: float, exact) -> str:
    """``x op exact`` for a double x, as a comparison with a double (exact for a bound like 1/10)."""
    cut = _rounded(value, exact, up=op in (">=", "<"))
    return f"(x {op} {cut!r})"


def _mask(s: Segment) -> str:
    if s.lo == s.hi:
        if s.exact[0] is not None and sp.Rational(s.lo) != s.exact[0]:
            return "numpy.zeros(x.shape, dtype=bool)"  # no double is the point
        return f"(x == {s.lo!r})"
    low = _compare(">=" if s.lo_closed else ">", s.lo, s.exact[0])
    high = _compare("<=" if s.hi_closed else "<", s.hi, s.exact[1])
    if s.lo == -inf:
        return high
    if s.hi == inf:
        return low
    return f"({low} & {high})"


def _at_infinity(v: np.ndarray, x: np.ndarray, low: float, high: float) -> np.ndarray:
    """``v`` with f's limits at -inf and +inf (``low``, ``high``) where x is infinite: there a formula
    makes NaN of inf - inf or 0 * inf (SiLU at -inf is -inf * 0). Infinities are looked for with one
    reduction (a sum is inf or NaN when an element is), so finite input costs no other pass."""
    if x.size and not np.isfinite(np.add.reduce(x)):
        idx = np.flatnonzero(np.isinf(x))
        if idx.size:
            if v is x or np.ndim(v) == 0:  # never the caller's array; a constant becomes an array
                v = np.array(np.broadcast_to(v, x.shape), dtype=np.float64)
            v[idx] = np.where(x[idx] > 0, high, low)
    return v


def limits_at_infinity(ref: Reference) -> tuple[float, float]:
    """f^(n) at -inf and +inf, from the reference far out: the double both +-1e300 and +-1.4e306 round
    to; 0 where both are below 1e-290 (-0 if both are negative, as SiLU is at -inf; sinc changes sign
    all the way out); +-inf where both are beyond 1e290 with one sign; else NaN, no limit (sin x)."""
    out = []
    for sign in (-1.0, 1.0):
        a, b = ref.value(sign * 1e300), ref.value(sign * 1.4e306)
        if a == b:
            out.append(b)
        elif abs(a) < 1e-290 and abs(b) < 1e-290:
            out.append(float(np.copysign(0.0, b)) if np.signbit(a) == np.signbit(b) else 0.0)
        elif np.sign(a) == np.sign(b) and min(abs(a), abs(b)) > 1e290:
            out.append(float(np.copysign(inf, b)))
        else:
            out.append(float("nan"))
    return out[0], out[1]


def _literal(v: float) -> str:
    v = float(v)
    return "numpy.nan" if v != v else "numpy.inf" if v == inf else "-numpy.inf" if v == -inf else repr(v)


def _with_limits(kernel, text: str, ref: Reference) -> str:
    """``text`` with a statement before its return that puts the limits where x is -inf or +inf, if the
    kernel does not give them there by itself (where a limit does not exist, NaN is right)."""
    with np.errstate(all="ignore"):
        got = np.asarray(kernel(np.array([-inf, inf])), dtype=np.float64) * np.ones(2)
    want = np.array(limits_at_infinity(ref))
    if np.array_equal(got, want, equal_nan=True):  # the sign of a zero limit is not worth a pass
        return text
    head, _, last = text.rstrip("\n").rpartition("\n")
    value = last.strip().removeprefix("return ")
    limits = f"{_literal(want[0])}, {_literal(want[1])}"
    if value.isidentifier() and value != "x":
        return f"{head}\n    {value} = _at_infinity({value}, x, {limits})\n    return {value}\n"
    return f"{head}\n    v_inf = {value}\n    v_inf = _at_infinity(v_inf, x, {limits})\n    return v_inf\n"


def _patch(v: np.ndarray, u: np.ndarray, r: float, approx) -> np.ndarray:
    """``v`` with the elements where |u| <= r replaced by ``approx`` evaluated there only."""
    if v is u:
        v = v.copy()
    return _replace(v, u, np.abs(u) <= r, approx)  # the approximant is checked up to +-r inclusive


#: Width of the cells on which a Pade approximant replaces a formula that cancels away from 0.
CELL = 0.5


def _cell_centre(k: int, width: float = CELL) -> float:
    return (k + 0.5) * width


def cell_width(expr: sp.Expr) -> tuple[float, float]:
    """(width, centre) of the cells: CELL divided by the power of 2 at least c, c >= 2 being the largest
    scale factor of x inside a function of the formula, |a_j|^(1/j) for each term a_j x^j of a polynomial
    argument (ndtr(1000 x), e^(-5e5 x^2), sin(3 x)), and where that argument's features lie (its root, if
    it is linear, else 0). A parameter that narrows the features (GELU at sigma = 1e-3) narrows the cells,
    so that a cancellation is sampled as densely as at sigma = 1 and stays out of the cells next to 0."""
    c, centre = 1.0, 0.0
    for f in expr.atoms(sp.Function):
        for arg in f.args:
            if not arg.has(x) or not arg.is_polynomial(x):
                continue
            poly = sp.Poly(arg, x)
            for (j,), a in poly.terms():
                if j and abs(float(a)) ** (1.0 / j) > c:
                    c = abs(float(a)) ** (1.0 / j)
                    centre = -float(poly.nth(0)) / float(poly.nth(1)) if poly.degree() == 1 else 0.0
    if c < 2.0:
        return CELL, 0.0
    return CELL * 2.0 ** -min(40, int(np.ceil(np.log2(c)))), centre


def _cells(v: np.ndarray, u: np.ndarray, lo: float, width: float, approx: list) -> np.ndarray:
    """``v`` with approx[k](u) on the cells [lo + k width, lo + (k + 1) width) that have one; the cell
    of each element is found once, and every approximant runs on its own elements only, whose values
    are put straight into ``v``."""
    idx = _indices((u >= lo) & (u < lo + width * len(approx)))
    if not idx.size:
        return v
    if v is u:
        v = v.copy()
    us = u.take(idx)
    if len(approx) == 1:
        v[idx] = approx[0](us)
        return v
    cell = us - lo
    cell /= width
    cell = np.floor(cell, out=cell).astype(np.intp)
    np.clip(cell, 0, len(approx) - 1, out=cell)
    for k, fn in enumerate(approx):
        if fn is not None:
            sel = _indices(cell == k)
            if sel.size:
                v[idx.take(sel)] = fn(us.take(sel))
    return v


def source(segments: list[Segment], name: str = "f") -> str:
    """Python source of ``def name(x)`` for float64 arrays, evaluating each segment on clamped input.

    Pieces are combined as sum_i v_i [x in I_i]: every v_i is finite (it is computed at x clamped to I_i),
    so the products with 0 vanish and the sum is exactly the selected value. On this machine that is
    several times faster than ``numpy.where`` on unsorted data (a branch per element there); a NaN
    input gives NaN through every v_i. A Pade patch near 0 is evaluated on the elements inside it only.
    """
    lines = [f"def {name}(x):"]
    steps = _steps(segments)
    if steps is not None:
        return f"def {name}(x):\n    return {steps}\n"
    gated = _gated(segments)
    if gated is not None:
        return f"def {name}(x):\n    return {gated}\n"
    values: list[str] = []
    for i, s in enumerate(segments):
        v = f"v{i}"
        if s.kind == "const" or (s.kind == "formula" and s.lo == s.hi):
            c = s.value[0] if s.kind == "const" else float(sp.N(s.expr.subs(x, sp.Float(s.lo, 30)), 30))
            values.append(repr(c))
            continue
        lo, hi = s.span or (s.lo, s.hi)
        arg = f"x{i}"
        lines.append(f"    {arg} = {_clamp(lo, hi)}")
        if s.kind == "line":
            a, b = s.value
            values.append(f"({a!r} * {arg} + {b!r})" if a else repr(b))
            continue
        body, result = formula_lines(s.expr, x, arg, v, s.factored, s.rescaled)
        lines.extend(f"    {b}" for b in body)
        if s.cells:
            first, last = min(s.cells), max(s.cells)
            approx = ", ".join(
                f"lambda u: (lambda w: {_pade_source(*s.cells[k], 'w')})(u - {_cell_centre(k, s.cell)!r})"
                if k in s.cells else "None" for k in range(first, last + 1))
            lo = first * s.cell
            lines.append(f"    {result} = _cells({result}, {arg}, {lo!r}, {s.cell!r}, [{approx}])")
        if s.patch is not None:
            r, p, q = s.patch
            approx = f"lambda u: {_pade_source(p, q, 'u')}"
            # a formula that ends at 0 is clamped to 0 on the other side: patch by x itself there, so
            # that only the elements next to 0 are evaluated again
            at = arg if len(_sides(s)) == 2 else "x"
            lines.append(f"    {result} = _patch({result}, {at}, {r!r}, {approx})")
        values.append(result)
    if len(segments) == 1:
        only = values[0]
        constant = segments[0].kind == "const"
        lines.append(f"    return _with_nans(x, {only})" if constant else f"    return {only}")
        return "\n".join(lines) + "\n"
    live = [i for i, s in enumerate(segments) if s.kind == "formula" and s.lo != s.hi]
    fallback = live[-1] if live else len(segments) - 1
    masks, terms = [], []
    for i, s in enumerate(segments):
        if i == fallback:
            continue
        lines.append(f"    m{i} = {_mask(s)}")
        masks.append(f"m{i}")
        if values[i] != "0.0":
            terms.append(f"{values[i]} * m{i}")
    lines.append(f"    rest = ~({' | '.join(masks)})")
    terms.append(f"{values[fallback]} * rest")
    total = " + ".join(terms)
    lines.append(f"    return _with_nans(x, {total})" if not live else f"    return {total}")
    return "\n".join(lines) + "\n"


def compile_source(text: str, name: str = "f"):
    namespace = {"numpy": np, "scipy": scipy, "_with_nans": _with_nans, "_patch": _patch, "_cells": _cells,
                 "_at_infinity": _at_infinity,
                 **NAMESPACE}
    exec(compile(text, f"<symact.numerics {name}>", "exec"), namespace)  # noqa: S102 - generated code
    return namespace[name]


#: Statements that change their first argument in place and return it (a correction after the value).
_IN_PLACE = {"_cells", "_patch", "_unscaled", "_at_infinity"}
_UFUNC_OF = {ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "divide"}


def _into(expr: ast.expr) -> ast.expr | None:
    """``expr`` computed into ``out``: an arithmetic operator (or a square) as its ufunc, a NumPy ufunc (or
    clip) or a primitive that takes ``out`` with ``out=out``; None for anything else."""
    out = ast.keyword("out", ast.Name("out", ast.Load()))

    def numpy_call(name: str, *args: ast.expr) -> ast.Call:
        return ast.Call(ast.Attribute(ast.Name("numpy", ast.Load()), name, ast.Load()), list(args), [out])

    if isinstance(expr, ast.BinOp) and type(expr.op) in _UFUNC_OF:
        return numpy_call(_UFUNC_OF[type(expr.op)], expr.left, expr.right)
    power = isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Pow)
    if power and isinstance(expr.right, ast.Constant) and expr.right.value == 2:
        return numpy_call("square", expr.left)  # what NumPy's a**2 calls
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        return numpy_call("negative", expr.operand)
    if not isinstance(expr, ast.Call) or any(k.arg == "out" for k in expr.keywords):
        return None
    func = expr.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "numpy":
        ufunc = getattr(np, func.attr, None)
        takes_out = func.attr == "clip" or (isinstance(ufunc, np.ufunc) and len(expr.args) == ufunc.nin)
    elif isinstance(func, ast.Name) and func.id in NAMESPACE:
        fn = NAMESPACE[func.id]
        takes_out = (len(expr.args) == fn.nin if isinstance(fn, np.ufunc)
                     else "out" in inspect.signature(fn).parameters)
    else:
        takes_out = False
    return ast.Call(func, expr.args, [*expr.keywords, out]) if takes_out else None


def into_source(text: str) -> str | None:
    """A kernel's source ``def f(x)`` as ``def f(x, out)``, which computes its value into ``out`` (a block
    of the caller's result array) when the last operation that makes it can: a blocked kernel then writes
    each block once, instead of into a temporary that is copied (about 6% of log cosh's time). None when
    it cannot (the caller copies). The values are the same, bit for bit."""
    tree = ast.parse(text)
    fn = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(fn, ast.FunctionDef):
        return None
    ret = fn.body[-1]
    if not isinstance(ret, ast.Return) or ret.value is None:
        return None
    node: ast.Assign | ast.Return = ret
    if isinstance(ret.value, ast.Name):
        name = ret.value.id
        made = [st for st in fn.body[:-1] if isinstance(st, ast.Assign)
                and [getattr(t, "id", None) for t in st.targets] == [name]]
        while made and _corrects(made[-1].value, name):
            made.pop()  # the value is corrected in place after it is made: it is made into out all the same
        if not made:
            return None
        node = made[-1]
    value = _into(node.value)
    if value is None:
        return None
    node.value = value
    fn.args.args.append(ast.arg("out"))
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _corrects(expr: ast.expr, name: str) -> bool:
    return (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _IN_PLACE
            and bool(expr.args) and isinstance(expr.args[0], ast.Name) and expr.args[0].id == name)


# -- numeric checks at compile time: where does the plain formula need a tail or a patch? ---------------

def ulp(want: mpmath.mpf) -> mpmath.mpf:
    """The spacing of doubles at the exact value ``want`` (2^(e-52) on [2^e, 2^(e+1)), at least 2^-1074)."""
    if want == 0:
        return mpmath.mpf(2) ** -1074
    _, e = mpmath.frexp(want)
    return mpmath.mpf(2) ** max(int(e) - 53, -1074)


def ulps(got: float, want: mpmath.mpf) -> float:
    """|got - want| in units of the last place of ``want`` (inf for a non-finite or NaN mismatch)."""
    if want != want:
        return 0.0 if got != got else inf
    if not np.isfinite(got):
        return 0.0 if (mpmath.isinf(want) and (got > 0) == (want > 0)) or float(want) == got else inf
    with mpmath.workdps(40):
        if mpmath.isinf(want):
            return inf
        return float(abs(mpmath.mpf(got) - want) / ulp(want))


_ulps = ulps


def condition(ref: Reference, slope: Reference, v: float) -> float:
    """|v g'(v) / g(v)| for g = f^(n): how much a relative change of v moves g (inf at a root)."""
    g = ref(v)
    if g == 0:
        return inf
    with mpmath.workdps(40):
        return float(abs(v * slope(v) / g))


def _evaluate(fn, points: list[float]) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.asarray(fn(np.asarray(points, dtype=float)), dtype=float)


TAIL_POINTS = [2.0 ** (k / 2) for k in range(2, 26)] + [2.0**k for k in range(13, 1024, 30)] + [1.7e308]


def _tail(ref: Reference, side: int) -> tuple[float, float, float] | None:
    """(X, a, b): for side * x >= X the value is a x + b to within 2^-60 relative, or 0 when a = b = 0.

    The line is read at 1000 and 2000, then, if the function is not on it by about 2900, further out:
    a parameter can move the function's features there (GELU'' at mu = 1000 is centred on 1000)."""
    for scale, steps in ((1000.0, 24), (1e5, 37), (1e7, 51)):
        found = _tail_from(ref, side, scale, steps)
        if found is not None:
            return found
    return None


def _tail_from(ref: Reference, side: int, scale: float, steps: int) -> tuple[float, float, float] | None:
    """_tail with the line read at ``scale`` and 2 ``scale``, and X tried up to 2^((steps - 1) / 2)."""
    with mpmath.workdps(60):
        g1, g2 = ref(side * scale), ref(side * 2 * scale)
        a = (g2 - g1) / (side * scale)
        b = g1 - a * side * scale
        if abs(a) < mpmath.mpf(10) ** -40:
            a = mpmath.mpf(0)
        if abs(b) < mpmath.mpf(10) ** -40:
            b = mpmath.mpf(0)

        def close(v: float) -> bool:
            g = ref(side * v)
            line = a * side * v + b
            if line == 0:
                return abs(g) < mpmath.mpf(2) ** -1080
            return abs(g - line) <= abs(line) * mpmath.mpf(2) ** -60

        for k in range(2, steps):
            start = 2.0 ** (k / 2)
            if all(close(v) for v in [start] + [t for t in TAIL_POINTS if t > start]):
                return start, float(a), float(b)
    return None


def _needs_tail(fn, ref: Reference, side: int) -> bool:
    got = _evaluate(fn, [side * t for t in TAIL_POINTS])
    for v, g in zip(TAIL_POINTS, got, strict=True):
        want = ref(side * v)
        finite = np.isfinite(float(want))
        if finite and not np.isfinite(g):
            return True
        if finite and abs(want) > mpmath.mpf(2) ** -1000 and abs(g - want) > abs(want) * 1e-6:
            return True
    return False


def add_tails(segments: list[Segment], ref: Reference) -> list[Segment]:
    """Replace the outer ends of unbounded formula segments by their asymptotes where the formula fails."""
    fn = compile_source(source(segments))
    for side in (-1, 1):
        s = segments[0 if side < 0 else -1]
        if s.kind != "formula" or s.expr.is_polynomial(x):
            continue
        if (side < 0 and s.lo != -inf) or (side > 0 and s.hi != inf):
            continue
        if not _needs_tail(fn, ref, side):
            continue
        found = _tail(ref, side)
        if found is None:
            s.notes.append(f"no asymptote found at {'+' if side > 0 else '-'}inf")
            continue
        big, a, b = found
        if a == 0:
            alone = compile_source(source([Segment(-inf, inf, False, False, "formula", expr=s.expr)]))
            if float(_evaluate(alone, [side * big])[0]) == b:
                # the formula itself reaches the asymptote's value at the edge: clamping x is enough
                lo, hi = s.span or (s.lo, s.hi)
                s.span = (lo, big) if side > 0 else (-big, hi)
                continue
        line_kind = Segment(big, inf, False, True, "line", value=(a, b)) if side > 0 else Segment(
            -inf, -big, True, False, "line", value=(a, b))
        if side > 0:
            s.hi, s.hi_closed = big, True
            s.exact = (s.exact[0], None)
            segments.append(line_kind)
        else:
            s.lo, s.lo_closed = -big, True
            s.exact = (None, s.exact[1])
            segments.insert(0, line_kind)
    return segments


#: A formula whose error near 0 exceeds this many ulps (or that is not finite at 0) gets a Pade patch.
PATCH_TRIGGER = 3.0
#: Eight points per octave from 4 down to 2^-60: the error of a cancelling formula is erratic from point to
#: point, so one point per octave can miss where it still exceeds the trigger.
NEAR_ZERO = [2.0 ** (-k / 8) for k in range(-16, 480)]
#: Below that only underflow goes wrong: x / c or c x (c up to about 2^60) falls below 2^-1022 and loses
#: bits before the result is scaled back up (CELU's c expm1(x / c) at c = 1e3). One point per octave,
#: at two mantissas, from 2^-960 down to the smallest subnormal.
TINY = sorted({m * 2.0**-k for k in range(960, 1075) for m in (1.0, 1.37)}, reverse=True)


def _pade(expr_elem: sp.Expr, ref: Reference, r: float, centre: float = 0.0,
          top: int = 16, sides: tuple[int, ...] = (-1, 1)) -> tuple[list[float], list[float]] | None:
    """A Pade approximant of f^(n) in (x - centre) on [centre - r, centre + r], accurate to about 1/2 ulp,
    checked against the reference (on the ``sides`` of the centre given: one, where the piece ends there)."""
    check = [centre + sgn * r * t for sgn in sides for t in np.linspace(0.02, 1.0, 25)]
    wanted = [ref(v) for v in check]
    # a patch must be as good as a correctly rounded formula (2 ulp), except right at a root of f^(n)
    allowed = [2.0 * max(1.0, condition(ref, ref.slope, v) / 4) for v in check]
    # Taylor coefficients by mpmath's numerical differentiation (it raises its own precision), which
    # is quick and never hangs, unlike SymPy's series on a long derivative
    fn = sp.lambdify(x, expr_elem, "mpmath")
    with mpmath.workdps(120):
        coeffs = [+c for c in mpmath.taylor(fn, mpmath.mpf(centre), 2 * top, singular=True)]
        if len(sides) == 2:  # (at the end of a piece, the reference may take the other piece's value)
            coeffs[0] = ref(centre)  # taylor() does not take the limit at a removable singularity
    shift = f"(x - {centre!r})" if centre else "x"
    best = None
    for m in range(2, top + 1):
        with mpmath.workdps(60):
            try:
                p, q = mpmath.pade(coeffs[: 2 * m + 1], m, m)
            except ZeroDivisionError:
                continue
        pf, qf = [float(c) for c in p], [float(c) for c in q]
        # an even or odd function's odd or even coefficients are 0 up to the working precision
        pf = [c if abs(c) > 1e-30 * max(map(abs, pf)) else 0.0 for c in pf]
        qf = [c if abs(c) > 1e-30 * max(map(abs, qf)) else 0.0 for c in qf]
        got = _evaluate(compile_source(
            f"def f(x):\n    u = {shift}\n    return {_pade_source(pf, qf, 'u')}\n"), check)
        err = max(_ulps(float(g), w) / k for g, w, k in zip(got, wanted, allowed, strict=True))
        if best is None or err < best[0]:
            best = (err, pf, qf)
        if err <= 1.0:
            break
    if best is None or best[0] > 1.0:
        return None
    return best[1], best[2]


def _beyond(err: float, trigger: float, ref: Reference, v: float) -> bool:
    """err > trigger * max(1, condition at v); the condition number (a second reference) only when needed."""
    return err > trigger and err > trigger * max(1.0, condition(ref, ref.slope, v))


def _bad_points(fn, points: list[float], trigger: float, ref: Reference) -> list[float]:
    """The points where ``fn`` is beyond ``trigger`` ulps over max(1, condition number)."""
    return [v for v, g in zip(points, _evaluate(fn, points), strict=True)
            if _beyond(_ulps(float(g), ref(v)), trigger, ref, v)]


def _sides(s: Segment) -> tuple[int, ...]:
    """The sides of 0 on which a formula segment lies next to it: both, one (it ends at 0), or none."""
    return tuple(sgn for sgn in (-1, 1) if s.lo < sgn * TINY[-1] < s.hi)


def add_patches(segments: list[Segment], ref: Reference) -> list[Segment]:
    """Where a formula loses accuracy near 0 (cancellation, 0/0, or underflow of an intermediate), patch it
    with a Pade approximant; a formula that ends at 0 is patched on its own side."""
    fn = compile_source(source(segments))
    for s in segments:
        sides = _sides(s) if s.kind == "formula" else ()
        if not sides:
            continue
        points = [sgn * v for v in NEAR_ZERO + TINY for sgn in sides if s.lo < sgn * v < s.hi]
        bad = [abs(v) for v in _bad_points(fn, points, PATCH_TRIGGER, ref)]
        # a formula across 0 may also be 0/0 there (sin(x)/x); one that ends at 0 is not evaluated at 0
        finite_at_0 = len(sides) < 2 or np.isfinite(_evaluate(fn, [0.0])[0])
        if not bad and finite_at_0:
            continue
        # twice the last bad radius: a cancelling formula's error falls off at least as 1/|x| away from 0
        r = 2.0 * max(bad) if bad else 2.0**-20
        inside = sp.Integer(0) if len(sides) == 2 else sides[0] * sp.Rational(r) / 2
        piece = next(p for p in ref.pieces if p.where.contains(inside) is sp.true)
        found = _pade(piece.expr, ref, r, sides=sides)
        if found is None:
            s.notes.append("cancels near 0 and no Pade patch was found")
            continue
        s.patch = (r, *found)
    return segments


#: Where the formulas are scanned for cancellation away from 0: 64 points per unit in [-16, 16].
SCAN = sorted({k / 32 + d for k in range(-512, 512) for d in (0.0, 0.0137)})
#: The scan where the cells are narrower, in units of CELL: 128 points per cell width (SCAN has 32).
SCAN_NARROW = sorted({k / 128 + d for k in range(-2048, 2048) for d in (0.0, 0.0037)})
#: A cell whose scanned error exceeds this (ulps over max(1, condition)) gets a Pade approximant: lower than
#: PATCH_TRIGGER, since the sampled maximum understates the cell's true one.
CELL_TRIGGER = 2.5
#: A cell whose scanned error exceeds this, but not CELL_TRIGGER, is scanned again at CELL_DENSE points,
#: and, if it exceeds CELL_TRIGGER there, at CELL_DENSER: it gets an approximant if it exceeds
#: CELL_DENSE_TRIGGER at either, or if more than CELL_TAIL_COUNT of the CELL_DENSER points exceed
#: CELL_TAIL. The error of a sum whose terms partly cancel is erratic, and its peaks are narrow: GELU' on
#: [-2, -1.5) is at 2.2 ulp at the scan's 32 points and 6.5 at its worst among 4,000; GELU-tanh'' on
#: [0.5, 1) at 3.5 among 256 points (over the condition number) and 5.9 among 3,000 near 0.67. Even
#: 2,048 points understate a cell's maximum (Mish'' on [-1, -0.5): under 3.5 there, 4.45 among 5,000 near
#: -0.67), so a cell is also judged by how often it is beyond 3 ulp (Mish'': 65 of 20,000 points). A cell
#: under both is left alone, since an approximant slows every call (SiLU' by about a tenth).
CELL_SUSPECT = 1.0
CELL_DENSE = 256
CELL_DENSER = 2048
CELL_DENSE_TRIGGER = 3.5
CELL_TAIL = 3.0
CELL_TAIL_COUNT = 2


def _bad_cells(fn, points: list[float], width: float, ref: Reference) -> set[int]:
    """The cells (index k: [k width, (k + 1) width)) where ``fn`` is beyond CELL_TRIGGER at the scanned
    ``points``, or, for a cell beyond CELL_SUSPECT there, beyond the denser scans' triggers."""
    def cell(v: float) -> int:
        return int(np.floor(v / width))

    def spread(k: int, count: int) -> list[float]:
        return [(k + (i + 0.5) / count) * width for i in range(count)]

    # a point beyond a higher trigger is beyond every lower one: each trigger is tried on the points
    # beyond the one below it only (every point costs a 40-digit reference value)
    suspect = _bad_points(fn, points, CELL_SUSPECT, ref)
    bad = {cell(v) for v in _bad_points(fn, suspect, CELL_TRIGGER, ref)}
    for k in sorted({cell(v) for v in suspect} - bad):
        over = _bad_points(fn, spread(k, CELL_DENSE), CELL_TRIGGER, ref)
        if not over:
            continue
        if _bad_points(fn, over, CELL_DENSE_TRIGGER, ref):
            bad.add(k)
            continue
        tail = _bad_points(fn, spread(k, CELL_DENSER), CELL_TAIL, ref)
        if len(tail) > CELL_TAIL_COUNT or _bad_points(fn, tail, CELL_DENSE_TRIGGER, ref):
            bad.add(k)
    return bad


def add_cell_patches(segments: list[Segment], ref: Reference) -> list[Segment]:
    """Where a formula loses accuracy away from 0 (a sum whose terms nearly cancel: GELU' = Phi + x phi
    for x < 0, Mish''), a Pade approximant about the middle of each affected cell of width CELL, or
    narrower where the formula's features are (``cell_width``)."""
    fn = compile_source(source(segments))
    for s in segments:
        if s.kind != "formula":
            continue
        hole = s.patch[0] if s.patch else 0.0
        width, centre = cell_width(s.expr)
        s.cell = width
        # narrower cells: the scan at their scale about their centre as well (width / CELL is a power of 2),
        # four times as dense: a scaled argument (1000 x, rounded) makes the formula's errors more erratic
        narrow = [centre + v * (width / CELL) for v in SCAN_NARROW] if width < CELL else []
        points = [v for v in sorted(set(SCAN + narrow)) if s.lo < v < s.hi and abs(v) >= hole]
        if not points:
            continue
        bad = _bad_cells(fn, points, width, ref)
        for k in sorted(bad):
            lo, hi = k * width, (k + 1) * width
            if not (s.lo < lo and hi < s.hi):
                continue
            if k in (-1, 0) and ref(0.0) == 0:
                # f^(n)(0) = 0: relative accuracy down to 0 is more than an approximant on a fixed cell
                # gives (the formula, or the patch near 0, keeps it)
                s.notes.append(f"cancels on [{lo}, {hi}), next to the root at 0: no Pade cell")
                continue
            piece = next(p for p in ref.pieces if p.where.contains(_cell_centre(k, width)) is sp.true)
            found = _pade(piece.expr, ref, width / 2, _cell_centre(k, width), top=12)
            if found is None:
                s.notes.append(f"cancels on [{lo}, {hi}) and no Pade patch was found")
                continue
            s.cells[k] = found
    return segments


#: Where a logistic group's t = expit(-|u|) is below 2^-1000: |u| from 693 to 745, past which t is 0.
LOGISTIC_TAIL = [float(v) for v in np.linspace(693.5, 745.0, 36)]


def _solutions(u: sp.Expr, targets: list[float]) -> set[float]:
    """The real x where the polynomial u(x) takes each target value (GELU-tanh's u is a cubic)."""
    coeffs = [float(c) for c in sp.Poly(u, x).all_coeffs()]
    found = set()
    for target in targets:
        roots = np.roots(coeffs[:-1] + [coeffs[-1] - target])
        found |= {float(r.real) for r in roots if abs(r.imag) <= 1e-9 * max(1.0, abs(r))}
    return found


def add_rescaled_logistic(segments: list[Segment], ref: Reference) -> list[Segment]:
    """Where a formula's one logistic group (of a polynomial u) underflows, t below 2^-1000, and the formula
    multiplies t by a large factor (swish'' at beta = 1e3, about 7e5 near x = 0.73), the bits t loses are
    multiplied too. There the group is computed e^512 times larger and the result scaled back, kept only
    if that puts every point of that range within the trigger (the formula must be t times the rest). A
    formula with no logistic group and one exponential e^u of a polynomial u is treated alike (GELU'' at
    sigma = 0.0183: 1.3e-3 (33489 - 5e7 x^2) e^(-1493 x^2), 1e4 ulp near x = 0.7)."""
    for s in segments:
        if s.kind != "formula":
            continue
        found = rescaled_argument(s.expr, x, s.factored)
        if found is None or not found[0].is_polynomial(x) or sp.degree(found[0], x) < 1:
            continue
        u, logistic = found  # expit(-|u|) underflows for |u| in the tail, e^u for u in its negative
        sign = (-1, 1) if logistic else (-1,)
        points = sorted(v for v in _solutions(u, [sgn * c for c in LOGISTIC_TAIL for sgn in sign])
                        if s.lo < v < s.hi)
        if not points or not _bad_points(compile_source(source(segments)), points, PATCH_TRIGGER, ref):
            continue
        s.rescaled = True
        if _bad_points(compile_source(source(segments)), points, PATCH_TRIGGER, ref):
            s.rescaled = False
            s.notes.append("underflows where its factor is below 2^-1000, and scaling it does not help")
    return segments


def _corrected(expr: sp.Expr, n: int, ref: Reference, factored: bool) -> list[Segment]:
    segments = absorb_constants(plan(expr, n))
    for s in segments:
        s.factored = factored
    segments = add_tails(segments, ref)
    segments = add_patches(segments, ref)
    segments = add_cell_patches(segments, ref)
    return add_rescaled_logistic(segments, ref)


def _cell_count(segments: list[Segment]) -> int:
    return sum(len(s.cells) for s in segments)


def build(expr: sp.Expr, n: int):
    """(function on float64 arrays, its source) for the n-th derivative of ``expr``.

    Where the formulas as differentiated need Pade cells (a sum that cancels away from 0), the sums of
    logistic terms are also tried as products (SiLU' = expit(x) (1 + x expit(-x))), and that form is
    kept if it needs fewer cells: each cell costs about a sixth of SiLU''s time."""
    ref = Reference(expr, n)
    segments = _corrected(expr, n, ref, factored=False)
    if _cell_count(segments):
        other = _corrected(expr, n, ref, factored=True)
        if _cell_count(other) < _cell_count(segments):
            segments = other
    text = source(segments)
    text = _with_limits(compile_source(text), text, ref)
    return compile_source(text), text, segments
