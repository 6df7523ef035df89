"""NumPy source for a stable formula: constants folded to doubles, shared subexpressions computed once,
and denominators divided one factor at a time (``x / h / h / h``) so that ``h^3`` cannot overflow."""

from __future__ import annotations

import mpmath
import sympy as sp
from sympy.printing.numpy import SciPyPrinter
from sympy.printing.precedence import PRECEDENCE

from symact.numerics.primitives import ExpitNegAbs, HypotPow


class StablePrinter(SciPyPrinter):
    """SciPy printer with float literals and overflow-safe quotients."""

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    def _print_Mul(self, expr):
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1:
            flipped = _flip_a_difference(rest)
            if flipped is not None:
                return self._print(flipped)
        if coeff.is_Rational and abs(coeff.p) == 1 and coeff.q & (coeff.q - 1):
            # x / 6 is one rounding; 0.16666666666666666 * x is two (and the product first cannot overflow)
            head, *tail = sp.Mul.make_args(rest)
            text = f"({self.parenthesize(head, PRECEDENCE['Mul'])} / {coeff.q!r}.0)"
            if tail:
                text = f"({text} * {self.parenthesize(sp.Mul(*tail), PRECEDENCE['Mul'])})"
            return f"(-{text})" if coeff.p < 0 else text
        powers = [f for f in sp.Mul.make_args(rest) if isinstance(f, HypotPow)]
        if coeff.is_Number and coeff != 1 and powers:
            # 3 x h^-5 at x = 1e308 is x (3 h^-5), not inf * 0: the coefficient goes inside the power
            others = sp.Mul(*[f for f in sp.Mul.make_args(rest) if f is not powers[0]])
            scaled = self._print(powers[0])[:-1] + f", scale={float(coeff)!r})"
            return scaled if others == 1 else f"({self.parenthesize(others, PRECEDENCE['Mul'])} * {scaled})"
        num: list[sp.Expr] = []
        den: list[sp.Expr] = []
        for f in sp.Mul.make_args(expr):
            if f.is_Pow and f.exp.is_integer and f.exp.is_negative and f.base.has(sp.Symbol):
                den.extend([f.base] * int(-f.exp))
            else:
                num.append(f)
        if not den:
            return super()._print_Mul(expr)
        # the numeric coefficient is applied last: 3 x / h^5 at x = 1e308 is 3 (x / h ...), not inf / h
        coeff = sp.Mul(*[f for f in num if f.is_number])
        num = [f for f in num if not f.is_number]
        top = self.parenthesize(sp.Mul(*num), PRECEDENCE["Mul"]) if num else "1.0"
        text = "(" + top + "".join(f" / {self.parenthesize(b, PRECEDENCE['Pow'])}" for b in den) + ")"
        return text if coeff == 1 else f"({text} * {self._print(coeff)})"

    def _arg(self, a):
        # a float literal: an int operand sends numpy.maximum down a slower mixed-type loop
        return repr(float(a)) if a.is_Number else self._print(a)

    def _clip(self, expr, inner_type):
        """Min(Max(u, a), b) / Max(Min(u, b), a) with a < b numbers: one numpy.clip pass."""
        if len(expr.args) != 2:
            return None
        bound = next((a for a in expr.args if a.is_Number), None)
        inner = next((a for a in expr.args if isinstance(a, inner_type) and len(a.args) == 2), None)
        if bound is None or inner is None:
            return None
        other = next((a for a in inner.args if a.is_Number), None)
        u = next((a for a in inner.args if not a.is_Number), None)
        if other is None or u is None:
            return None
        lo, hi = (other, bound) if inner_type is sp.Max else (bound, other)
        if not lo < hi:
            return None
        return f"numpy.clip({self._print(u)}, {self._arg(lo)}, {self._arg(hi)})"

    def _fold(self, expr, ufunc: str, inner) -> str:
        """Max/Min as nested numpy.maximum/minimum (numbers last), or one numpy.clip when it is a clamp."""
        clipped = self._clip(expr, inner)
        if clipped is not None:
            return clipped
        args = sorted(expr.args, key=lambda a: a.is_Number)
        out = self._arg(args[0])
        for a in args[1:]:
            out = f"numpy.{ufunc}({out}, {self._arg(a)})"
        return out

    def _print_Max(self, expr):
        return self._fold(expr, "maximum", sp.Min)

    def _print_Min(self, expr):
        return self._fold(expr, "minimum", sp.Max)

    def _trig(self, name: str, expr) -> str:
        arg = expr.args[0]
        text = f"numpy.{name}({self._print(arg)})"
        coeff = arg.as_coeff_Mul()[0] if not arg.is_Symbol else sp.S.One
        if arg.is_Symbol or (arg.is_Mul and abs(coeff) <= 1 and sp.Mul.make_args(arg)[-1].is_Symbol):
            return text
        # the argument can overflow where x is finite (sin(3x) at x = 1e308): sin of something in [-1, 1]
        # then, which is all a bounded term needs next to the x it is added to
        return f"numpy.{name}(_finite({self._print(arg)}))"

    def _print_sin(self, expr):
        return self._trig("sin", expr)

    def _print_cos(self, expr):
        return self._trig("cos", expr)

    def _print_Abs(self, expr):
        return f"numpy.abs({self._print(expr.args[0])})"

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_integer and expr.exp.is_negative and expr.base.has(sp.Symbol):
            return self._print_Mul(sp.Mul(expr, evaluate=False))
        return super()._print_Pow(expr, rational=rational)


def _flip_a_difference(rest: sp.Expr) -> sp.Expr | None:
    """-(c - w) v as (w - c) v, for a factor c - w of ``rest`` (c a number): the negation that would be
    an array pass of its own goes into a subtraction there is anyway, and fl(w - c) = -fl(c - w).
    (sigmoid'' = -t (1 - t) tanh(|x|/2) sign x: one pass of about fifteen fewer.)"""
    factors = list(sp.Mul.make_args(rest))
    for i, f in enumerate(factors):
        if isinstance(f, sp.Add) and len(f.args) == 2:
            c, w = sorted(f.args, key=lambda a: not a.is_Number)
            if c.is_Number and w.could_extract_minus_sign():
                factors[i] = sp.Add(-c, -w)
                return sp.Mul(*factors)
    return None


def fold_constants(expr: sp.Expr) -> sp.Expr:
    """Every constant subexpression (other than integers and exponents) as a 30-digit Float."""
    if expr.is_number:
        if expr.is_Integer or (expr.is_Rational and abs(expr.p) == 1):
            return expr  # 1/q is printed as a division (see StablePrinter._print_Mul)
        return sp.Float(sp.N(expr, 30), 30)
    if not expr.args:
        return expr
    if isinstance(expr, sp.Pow):
        return sp.Pow(fold_constants(expr.base), expr.exp)
    return expr.func(*[fold_constants(a) for a in expr.args])


def even_hypot_powers(expr: sp.Expr) -> sp.Expr:
    """hypot(u, c)^-2 as 1/(u^2 + c^2) (one rounding, no square root: 1/(1 + x^2), not 1/hypot/hypot), and
    higher powers from the sum of squares in twice the working precision (h^-5 would multiply hypot's
    rounding by five)."""
    from symact.numerics.primitives import (
        FastHypot,
        Hypot,
        HypotMinus,
        HypotPlus,
        HypotPow,
        ReciprocalSumSquares,
        SumSquares,
    )

    expr = expr.replace(
        lambda e: isinstance(e, sp.Pow) and isinstance(e.base, Hypot) and e.exp in (2, -2),
        lambda e: SumSquares(*e.base.args) if e.exp == 2 else ReciprocalSumSquares(*e.base.args))
    expr = expr.replace(
        lambda e: (isinstance(e, sp.Pow) and isinstance(e.base, Hypot) and e.exp.is_Integer
                   and abs(e.exp) >= 3),
        lambda e: HypotPow(*e.base.args, e.exp))

    def absorb(mul: sp.Mul) -> sp.Expr:
        # u^m h^k with k < 0: one factor, so that h^k cannot underflow where the product does not
        factors = list(sp.Mul.make_args(mul))
        for i, f in enumerate(factors):
            if isinstance(f, HypotPow) and f.args[3] == 0 and f.args[2] < 0:
                u = f.args[0]
                for j, g in enumerate(factors):
                    base, m = g.as_base_exp()
                    if j != i and base == u and m.is_Integer and 0 < m <= -f.args[2]:
                        factors[i] = HypotPow(u, f.args[1], f.args[2], m)
                        del factors[j]
                        return sp.Mul(*factors)
        return mul

    expr = expr.replace(lambda e: isinstance(e, sp.Mul) and e.has(HypotPow), absorb)
    # a hypot that is only ever divided by or multiplied with once: sqrt(u*u + c*c) is within 1 ulp
    # (next to a hypot-plus, whose own error adds to it, the compensated one)
    if expr.has(HypotPlus, HypotMinus):
        return expr
    for h in expr.atoms(Hypot):
        powers = {p.exp for p in expr.atoms(sp.Pow) if p.base == h}
        if powers <= {-1, 1}:
            expr = expr.xreplace({h: FastHypot(*h.args)})
    return expr


def logistic_groups(expr: sp.Expr, factored: bool = False) -> sp.Expr:
    """expit(u), expit(-u), the logistic density and tanh(u/2) of one u, written in one t = expit(-|u|).

    expit(u) is t for u < 0 and 1 - t otherwise, the density is t (1 - t), and tanh(|u|/2) = 1 - 2t
    (a Pade approximant of tanh where |u| < 1, on those elements only, since 1 - 2t cancels there). So
    SiLU' and sigmoid'' cost one logistic function instead of three transcendental calls. ``factored``:
    a sum of expit(u) and density terms is written as one product first (see ``_expit_factored``).
    """
    from symact.numerics.primitives import (
        CopySign,
        Expit,
        ExpitNegAbs,
        LogisticDensity,
        LowerPick,
        Tanh,
        TanhHalfAbs,
    )

    if factored:
        expr = expr.replace(lambda e: isinstance(e, sp.Add), _expit_factored)
    uses: dict[sp.Expr, set] = {}
    for f in expr.atoms(Expit, LogisticDensity, Tanh):
        u = f.args[0] if not isinstance(f, Tanh) else 2 * f.args[0]
        negated = u.could_extract_minus_sign()
        if negated:
            u = -u
        uses.setdefault(u, set()).add((type(f), negated if isinstance(f, Expit) else False))
    for u, kinds in uses.items():
        if len(kinds) < 2:
            if {kind for kind, _ in kinds} == {Expit}:
                expr = _times_expit(expr, u)
            continue
        t = ExpitNegAbs(u)
        expr = _shifted_times_expit_neg(expr, u, t)
        table = {LogisticDensity(u): t * (1 - t), Expit(u): LowerPick(u, t), Expit(-u): LowerPick(-u, t),
                 Tanh(u / 2): CopySign(TanhHalfAbs(u, t), u), Tanh(-u / 2): -CopySign(TanhHalfAbs(u, t), u)}
        expr = expr.xreplace(table)
    return expr


def _expit_factored(e: sp.Add) -> sp.Expr:
    """expit(u) g + LogisticDensity(u) h as expit(u) (g + expit(-u) h) (SiLU' = expit(x) (1 + x expit(-x))):
    the sum cancels where its terms are larger than itself (x about -2.75 in SiLU'), the product only
    where 1 + x expit(-x) does. ``e`` unchanged unless every term has exactly one factor expit(u) or
    LogisticDensity(u) of one u, and both kinds occur."""
    from symact.numerics.primitives import Expit, LogisticDensity

    split = []
    for term in e.args:
        gates = [f for f in sp.Mul.make_args(term) if isinstance(f, (Expit, LogisticDensity))]
        if len(gates) != 1:
            return e
        rest = term / gates[0]
        if rest.has(Expit, LogisticDensity):
            return e
        split.append((gates[0], rest))
    kinds = {type(g) for g, _ in split}
    us = {g.args[0] for g, _ in split}
    if kinds != {Expit, LogisticDensity} or len(us) != 1:
        return e
    (u,) = us
    return Expit(u) * sp.Add(*(rest if isinstance(g, Expit) else rest * Expit(-u) for g, rest in split))


def _shifted_times_expit_neg(expr: sp.Expr, u: sp.Expr, t: sp.Expr) -> sp.Expr:
    """c + u expit(-u) + rest, c a nonzero number, as ShiftedTimesExpitNeg(c, u, t) + rest: the factored
    SiLU' expit(x) (1 + x expit(-x)) cancels near x = -2.6 (3.5 ulp) if the sum is formed after the
    product, and not if c + x comes first (see the primitive)."""
    from symact.numerics.primitives import Expit, ShiftedTimesExpitNeg

    term = u * Expit(-u)

    def shifted(e: sp.Expr) -> bool:
        return isinstance(e, sp.Add) and e.as_coeff_Add()[0] != 0 and term in e.args

    def rewrite(e: sp.Expr) -> sp.Expr:
        c, rest = e.as_coeff_Add()
        return ShiftedTimesExpitNeg(c, u, t) + (rest - term)

    return expr.replace(shifted, rewrite)


def _times_expit(expr: sp.Expr, u: sp.Expr) -> sp.Expr:
    """v expit(+-u) with v a non-constant factor as v / (1 + e^-(+-u)) (SiLU, GELU-sigmoid): one rounding
    fewer than v times expit."""
    from symact.numerics.primitives import Expit, TimesExpit

    def product(e: sp.Expr) -> bool:
        return (isinstance(e, sp.Mul) and not e.is_number
                and sum(1 for f in e.args if isinstance(f, Expit) and f.args[0] in (u, -u)) == 1
                and not any(f.free_symbols for f in e.args if isinstance(f, sp.Pow) and f.base.has(Expit)))

    def fuse(e: sp.Expr) -> sp.Expr:
        g = next(f for f in e.args if isinstance(f, Expit) and f.args[0] in (u, -u))
        v = e / g
        return TimesExpit(v, g.args[0]) if v.free_symbols else e

    return expr.replace(product, fuse)


def tanh_softplus_products(expr: sp.Expr) -> sp.Expr:
    """v tanh(softplus(u)) with v a non-constant factor (Mish) as one compensated primitive: within 1 ulp,
    where the chain tanh(log1p(e^u)) and the product round five times."""
    from symact.numerics.primitives import Softplus, Tanh, TimesTanhSoftplus

    def gate(f: sp.Expr) -> bool:
        return isinstance(f, Tanh) and isinstance(f.args[0], Softplus)

    def product(e: sp.Expr) -> bool:
        return isinstance(e, sp.Mul) and not e.is_number and sum(1 for f in e.args if gate(f)) == 1

    def fuse(e: sp.Expr) -> sp.Expr:
        g = next(f for f in e.args if gate(f))
        v = e / g
        return TimesTanhSoftplus(v, g.args[0].args[0]) if v.free_symbols else e

    return expr.replace(product, fuse)


def scaled_products(expr: sp.Expr, symbol: sp.Symbol) -> sp.Expr:
    """c a g, with c an inexact constant, a the polynomial factors and g the others (at least one
    transcendental), as one primitive that forms c a exactly: the constant's rounding error and that of
    the product c a go, for about 11 array passes beside g's exponential or logarithm."""
    from symact.numerics.primitives import ScaledProduct

    if not isinstance(expr, sp.Mul):
        return expr
    c, rest = expr.as_coeff_Mul()
    if not isinstance(c, sp.Float) or not rest.has(symbol):
        return expr
    with mpmath.workprec(c._prec):
        if mpmath.mpf(c._mpf_) == float(c):
            return expr
    factors = sp.Mul.make_args(rest)
    if any(f.is_Pow and f.exp.is_negative for f in factors):
        return expr  # a quotient: printed divisions first, for overflow (StablePrinter._print_Mul)
    poly = [f for f in factors if f.has(symbol) and f.is_polynomial(symbol)]
    other = [f for f in factors if f not in poly]
    if not poly or not any(isinstance(f, sp.Function) or f.atoms(sp.Function) for f in other):
        return expr
    return ScaledProduct(sp.Mul(*poly), sp.Mul(*other), c)


def _prepared(expr: sp.Expr, symbol: sp.Symbol, factored: bool) -> sp.Expr:
    """``expr`` with its constants folded and the primitives it is printed in (groups, products)."""
    expr = fold_constants(expr)
    expr = tanh_softplus_products(logistic_groups(even_hypot_powers(expr), factored))
    return scaled_products(expr, symbol)


def _rescaled_factor(expr: sp.Expr) -> tuple[sp.Expr, str] | None:
    """The factor of a prepared ``expr`` that ``rescaled`` scales, with the primitive that does it: its one
    logistic group, or, if it has none, its one exponential."""
    groups = expr.atoms(ExpitNegAbs)
    if len(groups) == 1:
        return next(iter(groups)), "_expit_neg_abs_rescaled"
    exps = expr.atoms(sp.exp)
    if not groups and len(exps) == 1:
        return next(iter(exps)), "_exp_rescaled"
    return None


def rescaled_argument(expr: sp.Expr, symbol: sp.Symbol,
                      factored: bool = False) -> tuple[sp.Expr, bool] | None:
    """(u, logistic) for the factor ``formula_lines(..., rescaled=True)`` scales: expit(-|u|) (logistic) or
    e^u; None when there is no such single factor."""
    found = _rescaled_factor(_prepared(expr, symbol, factored))
    return None if found is None else (found[0].args[0], found[1] == "_expit_neg_abs_rescaled")


def formula_lines(expr: sp.Expr, symbol: sp.Symbol, arg: str, prefix: str,
                  factored: bool = False, rescaled: bool = False) -> tuple[list[str], str]:
    """Source lines computing ``expr`` with ``symbol`` bound to ``arg``; returns (lines, result name).
    ``factored``: as in ``logistic_groups``. ``rescaled``: the formula's one logistic group (or, if it has
    none, its one exponential) is computed e^512 times larger where it would underflow, and the result
    scaled back (``_unscaled``): for a formula that is t times the rest there, the bits t would lose as a
    subnormal are kept."""
    printer = StablePrinter({"fully_qualified_modules": True, "allow_unknown_functions": False})
    expr = _prepared(expr.subs(symbol, sp.Symbol(arg, real=True)), sp.Symbol(arg, real=True), factored)
    temps = sp.numbered_symbols(f"{prefix}_t")
    lines: list[str] = []
    found = _rescaled_factor(expr) if rescaled else None
    scaled = None
    if found is not None:
        factor, call = found
        t, scaled = next(temps), f"{prefix}_scaled"
        lines.append(f"{t}, {scaled} = {call}({printer.doprint(factor.args[0])})")
        expr = expr.xreplace({factor: t})

    def name_once(values: list[sp.Expr]) -> sp.Expr:
        named = {v: next(temps) for v in values}
        lines.extend(f"{name} = {printer.doprint(v)}" for v, name in named.items())
        return expr.xreplace(named)

    # the one logistic value a group shares is computed once, before anything built on it
    expr = name_once(sorted(expr.atoms(ExpitNegAbs), key=sp.default_sort_key))
    # a base raised to an integer power is printed as repeated division (h / h / h): compute it once
    expr = name_once(sorted({p.base for p in expr.atoms(sp.Pow) if p.exp.is_Integer and abs(p.exp) >= 2
                             and not p.base.is_Symbol}, key=sp.default_sort_key))
    replacements, (reduced,) = sp.cse([expr], symbols=temps)
    lines += [f"{name} = {printer.doprint(value)}" for name, value in replacements]
    lines.append(f"{prefix} = {printer.doprint(reduced)}")
    if scaled is not None:
        lines.append(f"{prefix} = _unscaled({prefix}, {scaled})")
    return lines, prefix
