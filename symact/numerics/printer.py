"""NumPy source for a stable formula: constants folded to doubles, shared subexpressions computed once,
and denominators divided one factor at a time (``x / h / h / h``) so that ``h^3`` cannot overflow."""

from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import SciPyPrinter
from sympy.printing.precedence import PRECEDENCE


class StablePrinter(SciPyPrinter):
    """SciPy printer with float literals and overflow-safe quotients."""

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Rational(self, expr):
        return repr(float(expr))

    def _print_Mul(self, expr):
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_Rational and abs(coeff.p) == 1 and coeff.q & (coeff.q - 1):
            # x / 6 is one rounding; 0.16666666666666666 * x is two (and the product first cannot overflow)
            head, *tail = sp.Mul.make_args(rest)
            text = f"({self.parenthesize(head, PRECEDENCE['Mul'])} / {coeff.q!r}.0)"
            if tail:
                text = f"({text} * {self.parenthesize(sp.Mul(*tail), PRECEDENCE['Mul'])})"
            return f"(-{text})" if coeff.p < 0 else text
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

    def _print_Max(self, expr):
        args = sorted(expr.args, key=lambda a: a.is_Number)
        out = self._arg(args[0])
        for a in args[1:]:
            out = f"numpy.maximum({out}, {self._arg(a)})"
        return out

    def _print_Min(self, expr):
        args = sorted(expr.args, key=lambda a: a.is_Number)
        out = self._arg(args[0])
        for a in args[1:]:
            out = f"numpy.minimum({out}, {self._arg(a)})"
        return out

    def _print_Abs(self, expr):
        return f"numpy.abs({self._print(expr.args[0])})"

    def _print_Pow(self, expr, rational=False):
        if expr.exp.is_integer and expr.exp.is_negative and expr.base.has(sp.Symbol):
            return self._print_Mul(sp.Mul(expr, evaluate=False))
        return super()._print_Pow(expr, rational=rational)


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


def formula_lines(expr: sp.Expr, symbol: sp.Symbol, arg: str, prefix: str) -> tuple[list[str], str]:
    """Source lines computing ``expr`` with ``symbol`` bound to ``arg``; returns (lines, result name)."""
    printer = StablePrinter({"fully_qualified_modules": True, "allow_unknown_functions": False})
    expr = fold_constants(expr.subs(symbol, sp.Symbol(arg, real=True)))
    temps = sp.numbered_symbols(f"{prefix}_t")
    replacements, (reduced,) = sp.cse([expr], symbols=temps)
    lines = [f"{name} = {printer.doprint(value)}" for name, value in replacements]
    lines.append(f"{prefix} = {printer.doprint(reduced)}")
    return lines, prefix
