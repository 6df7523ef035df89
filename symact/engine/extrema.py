"""Critical points, extremes and ranges of a function given as pieces.

Critical points come in layers: an exact set from ``solveset`` or ``solve`` (Lambert W and friends),
checked against a numeric scan whose sign changes of f' are refined with mpmath to 30+ digits; a
bracketed root with no exact match is kept as a certified numeric value."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from symact.declaration import x
from symact.engine.budget import attempt
from symact.engine.pieces import Pieces, certain_sign, limit_at, mp_function, mp_value, same
from symact.engine.quantity import DIGITS, NUMERIC, SYMBOLIC, UNKNOWN, Q

SOLVE_SECONDS = 1.5
SIMPLIFY_SECONDS = 2.0


@dataclass(frozen=True)
class Candidate:
    """A value that f takes (``attained``) or approaches, and where."""

    q: Q
    attained: bool
    where: Q | None = None


@dataclass(frozen=True)
class Extremes:
    """inf and sup of a function over a set, whether each is attained and where."""

    lower: Q
    lower_closed: bool
    upper: Q
    upper_closed: bool
    argmin: Q | None
    argmax: Q | None

    @property
    def how(self) -> str:
        hows = {self.lower.how, self.upper.how}
        for h in (UNKNOWN, NUMERIC):
            if h in hows:
                return h
        return SYMBOLIC

    def to_dict(self) -> dict:
        return {
            "lower": self.lower.to_dict(),
            "lower_closed": self.lower_closed,
            "upper": self.upper.to_dict(),
            "upper_closed": self.upper_closed,
            "argmin": None if self.argmin is None else self.argmin.to_dict(),
            "argmax": None if self.argmax is None else self.argmax.to_dict(),
        }


#: The largest numerator and denominator of a rate or an exponent that SymPy's polynomial methods are left
#: to expand: exp(p/q) is (E**(1/q))**p to them, a polynomial of degree |p| in E**(1/q), and so is
#: exp(p x/q) in exp(x/q) (sin and cos likewise). They run at such a degree until the step's CPU backstop,
#: making hardly any of the calls its budget counts.
_SMALL = 100


def _small(n: sp.Expr) -> bool:
    return bool(n.is_Rational and abs(n.p) <= _SMALL and n.q <= _SMALL)


def large_rates(e: sp.Expr) -> bool:
    """Whether ``e`` has an exp, sin or cos at a rational rate in x other than a small one (exp(-1000 x) in
    swish's f' at beta = 1e3, sin(1000 x) in snake's at a = 1e3)."""
    for f in e.atoms(sp.exp, sp.sin, sp.cos):
        rate = sp.diff(f.args[0], x)
        if not rate.has(x) and rate.is_Rational and not _small(rate):
            return True
    return False


def _held(value: sp.Expr) -> dict[sp.Expr, sp.Dummy]:
    """A positive symbol for each exp(n) of a rational n other than a small one: exp(500000) (CELU's moments
    at alpha = 1e-3) or exp(-1/2000000) (hard tanh's at min_val = -1e-3), which simplify and factor would
    read as polynomials of degree 500000 or 2000000."""
    return {e: sp.Dummy(positive=True) for e in value.atoms(sp.exp)
            if e.args[0].is_Rational and not _small(e.args[0])}


@lru_cache(maxsize=4096)
def nice(value: sp.Expr) -> sp.Expr:
    """A simpler exact form of ``value`` when SymPy finds one in time."""
    ops = sp.count_ops(value)
    if value.is_Atom or ops > 150:  # nothing to do, or too large for simplify to finish in its budget
        return value
    held = _held(value)
    work = value.xreplace(held)
    best = work
    forms = (lambda: sp.simplify(work), lambda: sp.simplify(sp.expand(work)),
             # exp(W(z) + c) -> e^c z / W(z), which SymPy only applies to a bare exp(W(z))
             lambda: sp.simplify(_lambert(work)),
             lambda: sp.factor(work),
             # tanh(log 2) = 3/5: hyperbolic functions of logarithms only reduce through exp
             lambda: sp.simplify(work.rewrite(sp.exp)) if work.has(sp.tanh, sp.cosh, sp.sinh) else work)
    for form in forms:
        simpler = attempt(SIMPLIFY_SECONDS, form, work)
        if sp.count_ops(simpler) < sp.count_ops(best):
            best = simpler
    return best.xreplace({d: e for e, d in held.items()}) if held else best


def _lambert(value: sp.Expr) -> sp.Expr:
    """exp(W(z) + c) -> e^c z / W(z), which SymPy applies only to a bare exp(W(z))."""

    def rule(e: sp.Expr) -> sp.Expr:
        terms = sp.Add.make_args(e.args[0])
        ws = [t for t in terms if isinstance(t, sp.LambertW) and len(t.args) == 1]
        if not ws:
            return e
        w = ws[0]
        return sp.exp(e.args[0] - w) * w.args[0] / w

    return value.replace(lambda e: isinstance(e, sp.exp) and e.args[0].has(sp.LambertW), rule)


@lru_cache(maxsize=4096)
def limit_q(expr: sp.Expr, point: sp.Expr, direction: str) -> Q:
    """A one-sided limit as a quantity: exact when SymPy proves it, else a numeric estimate from a
    converging sequence evaluated at high precision, else unknown."""
    exact = limit_at(expr, point, direction)
    if exact is not None:
        return Q.of(nice(exact) if exact.is_finite else exact)
    return _numeric_limit(expr, point, direction)


def _numeric_limit(expr: sp.Expr, point: sp.Expr, direction: str) -> Q:
    f = mp_function(expr)
    if point.is_infinite:
        sign = 1 if point is sp.oo else -1
        ts = [sign * mpmath.mpf(10) ** k for k in (4, 8, 16, 32)]
    else:
        c = mpmath.mpf(str(sp.N(point, DIGITS + 10)))
        sign = 1 if direction == "+" else -1
        ts = [c + sign * mpmath.mpf(10) ** (-k) for k in (8, 16, 24, 32)]
    vals = [mp_value(f, t) for t in ts]
    if any(v is None for v in vals):
        return Q.unknown()
    if all(v > 10**6 * abs(vals[0]) + 1 for v in vals[1:]) and vals[-1] > vals[-2] * 10:
        return Q.numeric(mpmath.inf)
    if all(-v > 10**6 * abs(vals[0]) + 1 for v in vals[1:]) and vals[-1] < vals[-2] * 10:
        return Q.numeric(-mpmath.inf)
    if abs(vals[-1] - vals[-2]) <= mpmath.mpf(10) ** (-20) * (1 + abs(vals[-1])):
        return Q.numeric(vals[-1])
    return Q.unknown()


def _scan_grid(lo: sp.Expr, hi: sp.Expr) -> np.ndarray:
    """Points to look for sign changes at: dense near the origin, geometric in the tails."""
    inner = np.linspace(-20.0, 20.0, 1601)
    tail = np.geomspace(20.0, 1e4, 300)
    grid = np.unique(np.concatenate([-tail, inner, tail]))
    a = -np.inf if lo is sp.S.NegativeInfinity else float(lo)
    b = np.inf if hi is sp.S.Infinity else float(hi)
    if np.isfinite(a) and np.isfinite(b):
        grid = np.linspace(a, b, 803)[1:-1]
    else:
        grid = grid[(grid > a) & (grid < b)]
        extra = [v for v in (a, b) if np.isfinite(v)]
        for v in extra:  # dense next to a finite end, where roots often sit
            side = 1.0 if v == a else -1.0
            grid = np.concatenate([grid, v + side * np.geomspace(1e-6, 1.0, 60)])
        grid = np.unique(grid)
    return grid


def numeric_roots(dexpr: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> list[mpmath.mpf]:
    """Roots of ``dexpr`` in (lo, hi) where it changes sign, each bracketed and refined with mpmath to
    30+ digits. The bracket is confirmed at high precision, which certifies the root."""
    grid = _scan_grid(lo, hi)
    fn = sp.lambdify(x, dexpr, modules=["numpy", "scipy"])
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            vals = np.asarray(fn(grid), dtype=float) * np.ones_like(grid)
        except (TypeError, ValueError, ZeroDivisionError, NameError, OverflowError):
            return []
    fm = mp_function(dexpr)
    roots: list[mpmath.mpf] = []
    # sign changes between consecutive grid points where the float value is finite and non-zero: a zero
    # on the grid (a root there, or an underflow in a tail) is bridged by its neighbours
    keep = np.flatnonzero(np.isfinite(vals) & (vals != 0))
    for i, k in zip(keep, keep[1:], strict=False):
        if np.sign(vals[i]) == np.sign(vals[k]):
            continue
        u, v = mpmath.mpf(grid[i]), mpmath.mpf(grid[k])
        su, sv = certain_sign(fm, u), certain_sign(fm, v)
        if su is None or sv is None or su == sv:
            continue  # the float scan was wrong here: no certified sign change
        roots.append(_refine(fm, u, v))
    return roots


def _refine(fm, u: mpmath.mpf, v: mpmath.mpf) -> mpmath.mpf:
    with mpmath.workdps(DIGITS + 15):
        try:
            r = mpmath.findroot(lambda t: fm(t), (u, v), solver="anderson")
        except (ValueError, ZeroDivisionError, TypeError):
            r = None
        if r is None or isinstance(r, mpmath.mpc) or not (u <= r <= v):
            r = _bisect(fm, u, v)
    return mpmath.mpf(r)


def _bisect(fm, u: mpmath.mpf, v: mpmath.mpf) -> mpmath.mpf:
    with mpmath.workdps(DIGITS + 15):
        fu = fm(u)
        for _ in range(200):
            m = (u + v) / 2
            fmid = fm(m)
            if fmid == 0:
                return m
            if (fmid > 0) == (fu > 0):
                u, fu = m, fmid
            else:
                v = m
            if abs(v - u) < mpmath.mpf(10) ** (-(DIGITS + 8)) * (1 + abs(u)):
                break
        return (u + v) / 2


def _solvable(e: sp.Expr, allowed: tuple[type, ...]) -> bool:
    """Whether closed-form roots can exist: only elementary functions SymPy inverts (exp and log give
    Lambert W; erf, tanh compositions and the like never come out, so trying only burns the budget), and
    exponentials at small integer rates (exp(-851 x/500) or exp(-1000 x) makes SymPy try a polynomial of
    degree 851 or 1000, and sin(1000 x) one of degree 1000)."""
    if not all(isinstance(f, allowed) for f in e.atoms(sp.Function)) or sp.count_ops(e) >= 80:
        return False
    for f in e.atoms(sp.exp):
        rate = sp.diff(f.args[0], x)
        if rate.has(x) or not rate.is_Integer:
            return False
    return not large_rates(e)


def exact_roots(dexpr: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr] | None:
    """Exact real roots in (lo, hi) from solveset, else solve; None when neither gives a finite list."""
    if not _solvable(dexpr, (sp.exp, sp.log, sp.sin, sp.cos)):
        return None
    interval = sp.Interval.open(lo, hi)
    found = attempt(SOLVE_SECONDS, lambda: sp.solveset(dexpr, x, interval), None)
    if isinstance(found, sp.FiniteSet):
        return [r for r in found if r.is_real is not False]
    if found is sp.S.EmptySet:
        return []
    if not _solvable(dexpr, (sp.exp, sp.log)):
        return None
    solved = attempt(SOLVE_SECONDS, lambda: sp.solve(dexpr, x), None)
    if solved is None:
        return None
    out = []
    for r in solved:
        v = complex(sp.N(r, 30))
        if abs(v.imag) > 1e-20:
            continue
        lo_ok = lo is sp.S.NegativeInfinity or v.real > float(lo)
        hi_ok = hi is sp.S.Infinity or v.real < float(hi)
        if lo_ok and hi_ok:
            out.append(r)
    return out


def critical_points(dexpr: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> list[Q]:
    """Points in (lo, hi) where ``dexpr`` (the derivative of the function under study) vanishes:
    exact where SymPy finds them, certified numeric otherwise."""
    numeric = numeric_roots(dexpr, lo, hi)
    if not numeric:
        # no sign change: no extremum here (a zero that does not change sign is not one, and the
        # bound it touches is found one derivative up)
        return []
    exact = exact_roots(dexpr, lo, hi) or []
    near_origin = sorted(numeric, key=abs)[:6]
    exact += [e for e in (_identify(dexpr, r) for r in near_origin) if e is not None]
    points: list[Q] = []
    used: set[int] = set()
    for r in numeric:
        match = None
        for k, e in enumerate(exact):
            ev = mpmath.mpf(str(sp.N(e, DIGITS + 10)))
            if abs(ev - r) < mpmath.mpf(10) ** -20 * (1 + abs(r)):
                match = k
                break
        if match is None:
            points.append(Q.numeric(r))
        else:
            used.add(match)
            points.append(Q.of(exact[match]))
    for k, e in enumerate(exact):
        if k not in used:
            points.append(Q.of(e))
    return points


def _identify(dexpr: sp.Expr, r: mpmath.mpf) -> sp.Expr | None:
    """A simple closed form for a numeric root (0, a rational, a multiple of pi), proven exactly."""
    guess = sp.nsimplify(sp.Float(mpmath.nstr(r, DIGITS), DIGITS), [sp.pi], tolerance=1e-24)
    if sp.count_ops(guess) > 8:
        return None
    # A guess off the root by 1e-24 (a rational of 25 digits close to a transcendental root) leaves f' far
    # from 0 at twice the working precision: it is not tried exactly, where its simplify can run for long.
    at = attempt(0.5, lambda: sp.N(dexpr.subs(x, guess), 2 * DIGITS), None)
    if at is None or not (at.is_Number and abs(at) < sp.Float(10) ** (-3 * DIGITS // 2)):
        return None
    value = attempt(0.5, lambda: sp.simplify(dexpr.subs(x, guess)), None)
    return guess if value == 0 else None


def _period(expr: sp.Expr) -> sp.Expr | None:
    if not expr.has(sp.sin, sp.cos, sp.tan):
        return None
    period = attempt(1.0, lambda: sp.periodicity(expr, x), None)
    return period if period is not None and period.is_positive else None


def _value_q(expr: sp.Expr, point: Q) -> Q:
    """expr at a critical point: exact when the point is, else numeric."""
    if point.exact is not None:
        v = attempt(2.0, lambda: expr.subs(x, point.exact), None)
        if v is not None and v.is_finite:
            return Q.of(nice(v))
    fv = mp_value(mp_function(expr), point.mp())
    return Q.unknown() if fv is None else Q.numeric(fv)


def piece_candidates(expr: sp.Expr, dexpr: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> list[Candidate]:
    """Values ``expr`` takes or approaches on the open interval (lo, hi): limits at both ends and values at
    critical points (zeros of ``dexpr``); a periodic piece on the whole line is read off one period."""
    if not expr.has(x):
        return [Candidate(Q.of(expr), True, None)]
    cands: list[Candidate] = []
    period = _period(expr) if lo is sp.S.NegativeInfinity and hi is sp.S.Infinity else None
    if period is not None:
        a, b = sp.Integer(0), period
        cands += [Candidate(Q.of(expr.subs(x, a)), True, Q.of(a))]
        for p in critical_points(dexpr, a, b):
            cands.append(Candidate(_value_q(expr, p), True, p))
        return cands
    cands.append(Candidate(limit_q(expr, lo, "+"), False, None))
    cands.append(Candidate(limit_q(expr, hi, "-"), False, None))
    for p in critical_points(dexpr, lo, hi):
        cands.append(Candidate(_value_q(expr, p), True, p))
    return cands


def extremes(cands: list[Candidate]) -> Extremes:
    """inf and sup of the candidates; a bound is closed when some candidate attaining it exists."""
    known = [c for c in cands if c.q.exists and c.q.how != UNKNOWN]
    if len(known) < len(cands):
        bad = Q.unknown()
        # a limit that does not exist on an unbounded side leaves the bounds open: report unknown
        if any(not c.q.exists or c.q.how == UNKNOWN for c in cands):
            return Extremes(bad, False, bad, False, None, None)

    def pick(sign: int) -> tuple[Q, bool, Q | None]:
        best = max(known, key=lambda c: sign * c.q.mp())
        target = best.q.mp()
        ties = [c for c in known if _close(c.q.mp(), target)]
        attained = [c for c in ties if c.attained]
        exact_first = sorted(ties, key=lambda c: (c.q.how != SYMBOLIC, not c.attained))
        q = exact_first[0].q
        if mpmath.isinf(target):
            return q, False, None
        if attained:
            where = sorted(attained, key=lambda c: (c.where is None,
                                                    c.where is not None and c.where.how != SYMBOLIC))[0]
            return q, True, where.where
        return q, False, None

    lo, lo_closed, argmin = pick(-1)
    hi, hi_closed, argmax = pick(+1)
    return Extremes(lo, lo_closed, hi, hi_closed, argmin, argmax)


def _close(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= mpmath.mpf(10) ** -25 * (1 + abs(a))


def range_of(f: Pieces, df: Pieces) -> Extremes:
    """inf and sup of f over the points where it is defined (for f', pass f' and f'' as pieces: at a
    breakpoint where f' is undefined only its one-sided limits count)."""
    cands: list[Candidate] = []
    for (lo, hi, e), de in zip(f.intervals(), df.exprs, strict=True):
        cands += piece_candidates(e, de, lo, hi)
    for c, v in zip(f.breakpoints, f.at, strict=True):
        if v is not None:
            cands.append(Candidate(Q.of(v), True, Q.of(c)))
    return extremes(cands)


def piece_extremes(f: Pieces, df: Pieces) -> list[Extremes]:
    """inf and sup of f on each piece's open interval separately (used for signs of f', f'')."""
    return [extremes(piece_candidates(e, de, lo, hi))
            for (lo, hi, e), de in zip(f.intervals(), df.exprs, strict=True)]


def is_zero(e: sp.Expr) -> bool:
    return e == 0 or (not e.has(x) and same(e, sp.Integer(0)))

