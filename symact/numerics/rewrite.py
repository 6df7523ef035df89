"""The stability rewrite: elementary SymPy formulas -> formulas in the stable primitives.

The rules are identities, applied bottom-up until nothing changes:

* ``1 / (1 + e^-u) = expit(u)``, ``e^u expit(-u) = expit(u)``, ``log(1 + e^u) = softplus(u)``,
  ``log(1 + u) = log1p(u)``, ``e^u - 1 = expm1(u)``, ``log cosh u = logcosh(u)``;
* ``(1 + erf(u)) / 2 = ndtr(sqrt2 u)``, ``1 - erf(u) = erfc(u) = 2 ndtr(-sqrt2 u)``;
* ``tanh u = Tanh(u)`` (derivative sech^2), ``1 + tanh u = 2 expit(2u)``, ``1 - tanh^2 = sech^2``,
  ``1 - sech^2 = tanh^2``, ``1 - expit(u) = expit(-u)``, ``expit(u) - expit(-u) = tanh(u/2)``;
* ``1 + sin u = OnePlusSin(u, 1)`` (2 sin^2(u/2 + pi/4) near its double root, as it stands elsewhere);
* ``sqrt(a u^2 + k) = sqrt(a) hypot(u, sqrt(k/a))``, ``u + hypot(u, c) = hypotplus(u, c)``,
  ``hypot(u, c) - c = hypotminus(u, c)``, and in a rational function of ``h = hypot(u, c)`` the numerator is
  reduced modulo ``h^2 = u^2 + c^2`` (so ``(h^2 - u^2) / h^3`` becomes ``c^2 / h^3``).

Pairs of terms in a sum are matched by their ratio, so a rule fires whatever common factor they share.
"""

from __future__ import annotations

import sympy as sp

from symact.declaration import x
from symact.numerics.primitives import (
    Expit,
    Expm1,
    Hypot,
    HypotMinus,
    HypotPlus,
    Log1p,
    LogCosh,
    LogisticDensity,
    Ndtr,
    OnePlusSin,
    Sech,
    Softplus,
    Tanh,
)

SQRT2 = sp.sqrt(2)


def _elementary_nodes(e: sp.Expr) -> sp.Expr:
    """Rules on a single node whose arguments are already rewritten."""
    if isinstance(e, sp.tanh):
        return Tanh(e.args[0])
    if isinstance(e, sp.erfc):
        return 2 * Ndtr(-SQRT2 * e.args[0])
    if isinstance(e, sp.log):
        arg = e.args[0]
        if isinstance(arg, sp.cosh):
            return LogCosh(arg.args[0])
        if isinstance(arg, sp.Add):
            const, rest = arg.as_coeff_Add()
            if const == 1:
                if isinstance(rest, sp.exp):
                    return Softplus(rest.args[0])
                return Log1p(rest)
    if isinstance(e, sp.Pow):
        base, ex = e.args
        if isinstance(base, sp.Add) and ex.is_negative:
            const, rest = base.as_coeff_Add()
            if const == 1 and isinstance(rest, sp.exp):
                return Expit(-rest.args[0]) ** (-ex)
        hyp = _as_hypot(base)
        if hyp is not None and (2 * ex).is_integer:
            scale, h = hyp
            return scale**ex * h ** (2 * ex)
    if isinstance(e, sp.Mul):
        return _mul_rules(e)
    if isinstance(e, sp.Add):
        return _add_rules(e)
    return e


def _as_hypot(base: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``a u^2 + k`` (a, k > 0, u linear in x) as (a, hypot(u, sqrt(k/a))^2): returns (a, h)."""
    if not isinstance(base, sp.Add) or not base.has(x):
        return None
    poly = sp.Poly(base, x) if base.is_polynomial(x) else None
    if poly is None or poly.degree() != 2:
        return None
    a, b, k = poly.all_coeffs()
    if b != 0 or not (a.is_positive and k.is_positive):
        return None
    return a, Hypot(x, sp.sqrt(k / a))


def _mul_rules(e: sp.Mul) -> sp.Expr:
    """e^v expit(-v) = expit(v); sinh/cosh = tanh."""
    factors = e.as_powers_dict()
    changed = False
    for base in list(factors):
        # (u + h)(h - u) = c^2, and a constant factor goes inside (it then cannot overflow the sum)
        if isinstance(base, HypotPlus) and factors.get(base, 0) == 1:
            u, c, s = base.args
            partner = next((b for b in factors if isinstance(b, HypotPlus) and b.args[0] == -u
                            and b.args[1] == c and factors[b] == 1), None)
            if partner is not None:
                factors[base] = factors[partner] = 0
                return sp.Mul(*[b**p for b, p in factors.items() if p != 0]) * c**2 * s * partner.args[2]
            coeff = e.as_coeff_Mul()[0]
            if coeff != 1 and s == 1:
                return (e / coeff / base) * HypotPlus(u, c, coeff)
    for base in list(factors):
        if isinstance(base, sp.exp) and factors.get(base, 0) != 0:
            v = base.args[0]
            other = Expit(-v)
            m, k = factors[base], factors.get(other, 0)
            if m.is_integer and k.is_integer and 0 < m <= k:
                factors[base] = 0
                factors[other] = k - m
                factors[Expit(v)] = factors.get(Expit(v), 0) + m
                changed = True
        if isinstance(base, Expit) and factors.get(base, 0) != 0:
            other = Expit(-base.args[0])
            m = sp.sympify(min(factors[base], factors.get(other, 0)))
            if m.is_integer and m > 0:
                factors[base] -= m
                factors[other] -= m
                d = LogisticDensity(base.args[0])
                factors[d] = factors.get(d, 0) + m
                changed = True
        if isinstance(base, Sech) and factors.get(base, 0) != 0 \
                and (sp.sympify(factors[base]) / 2).is_integer:
            m = sp.sympify(factors[base]) / 2
            factors[base] = 0
            factors[4 * LogisticDensity(2 * base.args[0])] = m
            changed = True
        if isinstance(base, sp.sin) and factors.get(base, 0) == 1 \
                and factors.get(sp.cos(base.args[0]), 0) == 1:
            # sin u cos u = sin(2u) / 2
            factors[base] = factors[sp.cos(base.args[0])] = 0
            factors[sp.sin(2 * base.args[0]) / 2] = 1
            changed = True
        if isinstance(base, sp.sinh):
            c = sp.cosh(base.args[0])
            m, k = factors[base], factors.get(c, 0)
            if m.is_integer and k.is_integer and m > 0 and k == -m:
                factors[base] = factors[c] = 0
                factors[Tanh(base.args[0])] = m
                changed = True
    if not changed:
        return e
    return sp.Mul(*[b**p for b, p in factors.items() if p != 0])


def _pair(t1: sp.Expr, t2: sp.Expr) -> sp.Expr | None:
    """A stable form of ``t1 + t2``, or None."""
    r = sp.powsimp(t2 / t1)
    neg = (-r)
    if isinstance(r, Tanh):
        return 2 * t1 * Expit(2 * r.args[0])
    if isinstance(neg, Tanh):
        return 2 * t1 * Expit(-2 * neg.args[0])
    if isinstance(neg, sp.Pow) and neg.exp == 2 and isinstance(neg.base, Sech):
        return t1 * Tanh(neg.base.args[0]) ** 2
    if isinstance(neg, sp.Mul) and neg.args[0] == 4 and isinstance(neg.args[1], LogisticDensity) \
            and len(neg.args) == 2:
        return t1 * Tanh(neg.args[1].args[0] / 2) ** 2
    if isinstance(neg, sp.Pow) and neg.exp == 2 and isinstance(neg.base, Tanh):
        return 4 * t1 * LogisticDensity(2 * neg.base.args[0])
    if isinstance(neg, Expit):
        return t1 * Expit(-neg.args[0])
    if isinstance(neg, sp.exp):
        return -t1 * Expm1(neg.args[0])
    if isinstance(r, sp.erf):
        return 2 * t1 * Ndtr(SQRT2 * r.args[0])
    if isinstance(neg, sp.erf):
        return 2 * t1 * Ndtr(-SQRT2 * neg.args[0])
    if isinstance(r, sp.sin) and t1.is_number:
        # 1 + sin u vanishes doubly at sin u = -1: the primitive switches to 2 sin^2(u/2 + pi/4) there
        return t1 * OnePlusSin(r.args[0], 1)
    if isinstance(neg, sp.sin) and t1.is_number:
        return t1 * OnePlusSin(neg.args[0], -1)
    if isinstance(neg, sp.Pow) and neg.exp == 2 and isinstance(neg.base, sp.sin) \
            and sp.simplify(t1 / sp.cos(neg.base.args[0]) ** 2).is_number:
        return t1 / sp.cos(neg.base.args[0]) ** 2 * sp.cos(2 * neg.base.args[0])
    for f in t1.atoms(Expit):
        if sp.simplify(t2 + t1 * Expit(-f.args[0]) / f) == 0:
            return t1 / f * Tanh(f.args[0] / 2)
    for h in t2.atoms(Hypot):
        u, c = h.args
        if (t1 * h / u - t2).expand() == 0:
            return t1 / u * HypotPlus(u, c)
        if (-t1 * h / u - t2).expand() == 0:
            return t2 / h * HypotPlus(-u, c)
        if (t1 * h / -c - t2).expand() == 0:
            return t2 / h * HypotMinus(u, c)
    return None


def _add_rules(e: sp.Add) -> sp.Expr:
    terms = list(e.args)
    changed = True
    while changed:
        changed = False
        for i in range(len(terms)):
            for j in range(len(terms)):
                if i == j:
                    continue
                combined = _pair(terms[i], terms[j])
                if combined is not None:
                    rest = [t for k, t in enumerate(terms) if k not in (i, j)]
                    terms = [*rest, combined]
                    changed = True
                    break
            if changed:
                break
    return sp.Add(*terms)


def _bottom_up(e: sp.Expr) -> sp.Expr:
    if not e.args or e.is_number:
        return e
    new = e.func(*[_bottom_up(a) for a in e.args])
    return _elementary_nodes(new)


def _reduce_hypot(e: sp.Expr) -> sp.Expr:
    """Reduce a rational function of h = hypot(u, c) modulo h^2 = u^2 + c^2, numerator and denominator."""
    hyps = e.atoms(Hypot)
    if len(hyps) != 1:
        return e
    (h,) = hyps
    u, c = h.args
    t = sp.Dummy("h", positive=True)
    f = sp.together(e.subs(h, t))
    num, den = sp.fraction(f)
    if not (num.is_polynomial(t) and den.is_polynomial(t)):
        return e
    rel = t**2 - u**2 - c**2
    num = sp.rem(sp.expand(num), rel, t)
    # one term per monomial of the numerator: (u + 2h) / (2h) is 1 + u / (2h), which cannot overflow
    return sp.Add(*[term / den for term in sp.Add.make_args(sp.expand(num))]).subs(t, h)


def _fixpoint(expr: sp.Expr) -> sp.Expr:
    previous = None
    for _ in range(6):
        if expr == previous:
            break
        previous = expr
        expr = _bottom_up(expr)
    return expr


def stabilise(expr: sp.Expr) -> sp.Expr:
    """``expr`` rewritten in stable primitives (an identity: the value is unchanged)."""
    expr = _fixpoint(expr)
    if expr.has(Hypot):
        expr = _fixpoint(_reduce_hypot(expr))
    if expr.has(x) and expr.is_rational_function(x) and not expr.is_polynomial(x):
        # a single fraction: x/(1 - x)^2 + 1/(1 - x) cancels badly, 1/(1 - x)^2 does not
        expr = sp.factor(sp.cancel(expr))
    return expr
