"""The property sheet of a vector activation R^n -> R^m, derived from its declaration with provenance.

Claims for general n (the Jacobian, the Lipschitz constant, identities with scalar activations) come from
the declaration's ``claims`` and are proven here with SymPy for the small n the engine can afford; each
field's provenance goes into the sheet's ``how`` map: ``symbolic`` (proven), ``numeric`` (checked at
DIGITS digits with mpmath), ``declared`` (taken from the declaration) or ``unknown`` (a step ran out of time
or SymPy gave up).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import sympy as sp
from sympy.core.relational import Relational

from symact.engine.budget import FIELD, OutOfTime, budget
from symact.engine.quantity import DIGITS, Q

SYMBOLIC, NUMERIC, DECLARED, UNKNOWN = "symbolic", "numeric", "declared", "unknown"
#: Seconds for one SymPy step (a simplify, a limit, a solve).
STEP = 20.0
#: Exact sample points; shift-invariance and sums are disproved by a nonzero exact value at one of them.
_POINTS = (sp.Integer(1), sp.Integer(-2), sp.Rational(1, 3), sp.Integer(3), sp.Rational(-5, 2))

_GAVE_UP = (OutOfTime, NotImplementedError, ValueError, TypeError, AttributeError, RecursionError,
            ZeroDivisionError, IndexError, KeyError)


def _within(seconds: float, step: Callable[[], Any], default: Any = None) -> Any:
    # In CPU time: these steps are mostly mpmath's work, which SymPy's calls do not count (a step budget
    # would run to its backstop, 8 times longer); the catalog's take under 5% of their seconds.
    try:
        with budget(seconds):
            return step()
    except _GAVE_UP:
        return default


# -- proving equalities ---------------------------------------------------------------------------


def _linear_form(e: sp.Expr) -> sp.Expr:
    """``e`` expanded and scaled by a positive constant so equal inequalities look alike."""
    e = sp.expand(e)
    content, rest = sp.primitive(e) if e.is_Add else (sp.S.One, e)
    return rest if content.is_positive else e


def _canon_rel(r: Relational) -> sp.Basic:
    """An inequality as ``g > 0`` or ``g >= 0`` with ``g`` in a canonical linear form."""
    if isinstance(r, (sp.StrictGreaterThan, sp.StrictLessThan)):
        g = r.lhs - r.rhs if isinstance(r, sp.StrictGreaterThan) else r.rhs - r.lhs
        return sp.StrictGreaterThan(_linear_form(g), 0)
    if isinstance(r, (sp.GreaterThan, sp.LessThan)):
        g = r.lhs - r.rhs if isinstance(r, sp.GreaterThan) else r.rhs - r.lhs
        return sp.GreaterThan(_linear_form(g), 0)
    return r


def _negated(r: sp.Basic) -> sp.Basic:
    if isinstance(r, sp.StrictGreaterThan):
        return sp.GreaterThan(_linear_form(-r.lhs), 0)
    if isinstance(r, sp.GreaterThan):
        return sp.StrictGreaterThan(_linear_form(-r.lhs), 0)
    return sp.Not(r)


def _canon(e: sp.Basic) -> sp.Basic:
    return e.replace(lambda n: isinstance(n, Relational), _canon_rel)


def _conjuncts(cond: sp.Basic) -> list[sp.Basic]:
    cond = _canon(cond)
    return list(cond.args) if isinstance(cond, sp.And) else [cond]


def _on_region(e: sp.Basic, conjuncts: Sequence[sp.Basic]) -> sp.Basic:
    """``e`` with every inequality that a region's conjuncts decide replaced by True or False."""
    known = set(conjuncts)
    # g > 0 also decides g >= 0
    known |= {sp.GreaterThan(c.lhs, 0) for c in conjuncts if isinstance(c, sp.StrictGreaterThan)}
    refuted = {_negated(c) for c in known}

    def decide(r: sp.Basic) -> sp.Basic:
        c = _canon_rel(r)
        return sp.true if c in known else sp.false if c in refuted else c

    return e.replace(lambda n: isinstance(n, Relational), decide)


def _is_zero(e: sp.Expr, seconds: float = STEP) -> bool:
    """True when SymPy proves ``e == 0`` (piece by piece for a Piecewise)."""
    def step() -> bool:
        d = sp.simplify(e)
        if d == 0:
            return True
        folded = sp.piecewise_fold(_canon(d))
        if isinstance(folded, sp.Piecewise):
            return all(sp.simplify(piece.expr) == 0 for piece in folded.args)
        return False

    return bool(_within(seconds, step, False))


def _regions(exprs: Sequence[sp.Expr]) -> list[tuple[sp.Basic, list[sp.Expr]]] | None:
    """Region by region, what expressions built on Piecewise over one shared list of regions become.

    Every Piecewise inside ``exprs`` must have the same (canonical) conditions; on region k each is
    replaced by its k-th piece, and the inequalities the region decides (inside Max, Min, ...) are
    resolved with the region's own conjuncts."""
    pws = set().union(*(sp.sympify(e).atoms(sp.Piecewise) for e in exprs))
    if not pws:
        return None
    conds = [[_canon(a.cond) for a in pw.args] for pw in pws]
    if any(c != conds[0] for c in conds):
        return None
    out = []
    for k, cond in enumerate(conds[0]):
        if any(pw.args[k].expr is sp.nan for pw in pws):
            continue  # a default a declaration marks unreachable: its regions cover the space
        swap = {pw: pw.args[k].expr for pw in pws}
        conj = _conjuncts(cond)
        out.append((cond, [_on_region(_smooth_form(sp.sympify(e).xreplace(swap)), conj)
                           for e in exprs]))
    return out


def _equal(a: sp.Expr, b: sp.Expr, seconds: float = STEP) -> bool:
    """True when SymPy proves ``a == b``; Piecewise over the same regions compare region by region."""
    regions = _regions([a, b])
    if regions is not None:
        return all(_is_zero(pa - pb, seconds) for _, (pa, pb) in regions)
    return _is_zero(a - b, seconds)


def _nonzero_witness(e: sp.Expr, xs: Sequence[sp.Symbol], extra: dict | None = None) -> dict | None:
    """An exact point where ``e`` is certainly nonzero (SymPy's evalf bounds its error)."""
    for shift in range(len(_POINTS)):
        point = {v: _POINTS[(i + shift) % len(_POINTS)] for i, v in enumerate(xs)}
        point.update(extra or {})
        value = _within(STEP, lambda p=point: sp.N(e.subs(p), DIGITS))
        if value is not None and value.is_number and abs(value) > sp.Float(10) ** (-DIGITS // 2):
            return point
    return None


def _mp_function(exprs: Sequence[sp.Expr], xs: Sequence[sp.Symbol]) -> Callable[..., list]:
    f = sp.lambdify(list(xs), list(exprs), modules="mpmath")
    return lambda *v: f(*v)


def _mp_jacobian(ys: Sequence[sp.Expr], xs: Sequence[sp.Symbol]) -> Callable[..., mpmath.matrix]:
    """The Jacobian of ``ys`` at a point, with mpmath: region by region for outputs built on one
    Piecewise, compiled when SymPy can print it, else by exact substitution."""
    regions = _regions(ys)
    if regions is not None:
        compiled = [(sp.lambdify(list(xs), cond, modules="mpmath"),
                     sp.lambdify(list(xs), sp.Matrix(pieces).jacobian(xs), modules="mpmath"))
                    for cond, pieces in regions]

        def by_region(*p: mpmath.mpf) -> mpmath.matrix:
            for holds, jac in compiled:
                if holds(*p):
                    return mpmath.matrix(jac(*p))
            raise ValueError("no region holds the point")

        return by_region
    M = sp.Matrix(ys).jacobian(xs)
    try:
        f = sp.lambdify(list(xs), M, modules="mpmath")
        return lambda *p: mpmath.matrix(f(*p))
    except _GAVE_UP:
        def slow(*p: mpmath.mpf) -> mpmath.matrix:
            point = {v: sp.Float(str(c), DIGITS + 10) for v, c in zip(xs, p, strict=True)}
            values = M.subs(point).evalf(DIGITS + 10)
            return mpmath.matrix([[mpmath.mpf(str(values[i, j])) for j in range(M.cols)]
                                  for i in range(M.rows)])
        return slow


def _random_points(n: int, count: int, seed: int, scale: float = 3.0) -> list[list[mpmath.mpf]]:
    rng = random.Random(seed)
    return [[mpmath.mpf(rng.gauss(0, scale)) for _ in range(n)] for _ in range(count)]


def _numerically_equal(a: Sequence[sp.Expr], b: Sequence[sp.Expr], xs: Sequence[sp.Symbol],
                       count: int = 60) -> bool:
    with mpmath.workdps(DIGITS + 10):
        fa, fb = _mp_function(a, xs), _mp_function(b, xs)
        for p in _random_points(len(xs), count, seed=len(xs)):
            for u, v in zip(fa(*p), fb(*p), strict=True):
                if abs(u - v) > mpmath.mpf(10) ** (-DIGITS + 5) * (1 + abs(u)):
                    return False
    return True


# -- one variable: branches, breakpoints, extrema --------------------------------------------------


def _smooth_form(e: sp.Expr) -> sp.Expr:
    return e.rewrite(sp.Piecewise) if e.has(sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign) else e


def _breakpoints(e: sp.Expr, t: sp.Symbol) -> list[sp.Expr] | None:
    """Sorted real points where a condition inside ``e`` changes truth value; None if unsolvable."""
    found: set[sp.Expr] = set()
    for rel in _smooth_form(e).atoms(Relational):
        g = rel.lhs - rel.rhs
        if not g.has(t):
            continue
        roots = sp.solveset(g, t, sp.S.Reals)
        if roots is sp.S.EmptySet:
            continue
        if not isinstance(roots, sp.FiniteSet):
            return None
        found.update(roots)
    return sorted(found, key=lambda r: float(r))


def _branch(e: sp.Expr, t: sp.Symbol, point: sp.Expr) -> sp.Expr:
    """The analytic expression ``e`` equals on the open interval around ``point`` between breakpoints."""
    def choose(pw: sp.Piecewise) -> sp.Expr:
        for piece in pw.args:
            truth = piece.cond.subs(t, point) if piece.cond not in (True, False) else piece.cond
            if truth == sp.true:
                return piece.expr
            if truth != sp.false:
                raise ValueError(f"cannot decide {piece.cond} at {point}")
        raise ValueError("no piece applies")

    return _smooth_form(e).replace(lambda n: isinstance(n, sp.Piecewise), choose)


def _intervals(bps: list[sp.Expr]) -> list[tuple[sp.Expr, sp.Expr, sp.Expr]]:
    """(a, b, inner point) for the open intervals the breakpoints cut the line into."""
    ends = [sp.S.NegativeInfinity, *bps, sp.oo]
    out = []
    for a, b in itertools.pairwise(ends):
        if a is sp.S.NegativeInfinity and b is sp.oo:
            inner = sp.S.Zero
        elif a is sp.S.NegativeInfinity:
            inner = b - 1
        elif b is sp.oo:
            inner = a + 1
        else:
            inner = (a + b) / 2
        out.append((a, b, inner))
    return out


def _identity_1d(lhs: sp.Expr, rhs: sp.Expr, t: sp.Symbol) -> bool:
    """Proves lhs == rhs on R: at once, or on every open interval between breakpoints and at each."""
    if _is_zero(lhs - rhs):
        return True

    def by_pieces() -> bool:
        bps = _breakpoints(lhs - rhs, t)
        if bps is None:
            return False
        for _, _, inner in _intervals(bps):
            if sp.simplify(_branch(lhs, t, inner) - _branch(rhs, t, inner)) != 0:
                return False
        return all(sp.simplify(lhs.subs(t, b) - rhs.subs(t, b)) == 0 for b in bps)

    return bool(_within(STEP * 2, by_pieces, False))


def _number(v: sp.Expr) -> mpmath.mpf:
    if v is sp.oo:
        return mpmath.inf
    if v is sp.S.NegativeInfinity:
        return -mpmath.inf
    return mpmath.mpf(str(sp.N(v, DIGITS + 5)))


def _in_exp_variable(h: sp.Expr, t: sp.Symbol, u: sp.Symbol) -> sp.Expr | None:
    """h as a function of u = exp(t) > 0 when it is one (softmax-like maps are rational in u)."""
    if not h.has(t):
        return h
    if not h.has(sp.exp):
        return None
    hu = h.rewrite(sp.exp).subs(sp.exp(t), u)
    hu = sp.powsimp(sp.expand_power_exp(hu)).subs(sp.exp(t), u)
    return None if hu.has(t) else sp.cancel(hu)


def _candidates(h: sp.Expr, v: sp.Symbol, a: sp.Expr, b: sp.Expr, inner: sp.Expr,
                back: Callable[[sp.Expr], sp.Expr]) -> list[tuple[sp.Expr, bool, sp.Expr | None]] | None:
    """Extremum candidates of the analytic h on the open interval (a, b) of v: the one-sided limits
    at both ends (not attained) and the values at critical points (attained, at back(v))."""
    out: list[tuple[sp.Expr, bool, sp.Expr | None]] = []
    for end, side in ((a, "+"), (b, "-")):
        at = h.subs(v, end) if end.is_finite else None
        lim = at if at is not None and at.is_finite else sp.limit(h, v, end, side if end.is_finite
                                                                else ("-" if end is sp.oo else "+"))
        if isinstance(lim, sp.AccumBounds) or lim.has(sp.nan, sp.zoo) or not lim.is_extended_real:
            return None
        out.append((lim, False, None))
    dh = sp.together(sp.diff(h, v))
    if sp.cancel(dh) == 0:
        return [*out, (h.subs(v, inner), True, back(inner))]
    crit = sp.solveset(sp.numer(dh), v, sp.Interval.open(a, b))
    if not isinstance(crit, sp.FiniteSet) and crit is not sp.S.EmptySet:
        return None
    out.extend((sp.simplify(h.subs(v, c)), True, back(c)) for c in crit)
    return out


def _extremes_1d(g: sp.Expr, t: sp.Symbol, at_breakpoints: bool = True) -> dict[str, Any] | None:
    """inf and sup of g over R with whether each is attained (and where), or None when SymPy gives up.

    Candidates: one-sided limits at the ends of every interval between breakpoints, the values at
    critical points inside each interval and at the breakpoints themselves. A branch rational in
    exp(t) is studied in u = exp(t), an increasing change of variable, where solving is algebraic."""
    u = sp.Symbol("u", positive=True)

    def step() -> dict[str, Any] | None:
        bps = _breakpoints(g, t)
        if bps is None:
            return None
        candidates: list[tuple[sp.Expr, bool, sp.Expr | None]] = []  # (value, attained, where)
        for a, b, inner in _intervals(bps):
            h = _branch(g, t, inner)
            hu = _in_exp_variable(h, t, u)
            if hu is not None:
                found = _candidates(hu, u, sp.exp(a) if a.is_finite else sp.S.Zero, sp.exp(b),
                                    sp.exp(inner), sp.log)
            else:
                found = _candidates(sp.simplify(h), t, a, b, inner, lambda c: c)
            if found is None:
                return None
            candidates.extend(found)
        # (a Jacobian is not defined at its breakpoints: the caller leaves them out)
        for b in bps if at_breakpoints else ():
            candidates.append((sp.simplify(g.subs(t, b)), True, b))

        def best(sign: int) -> tuple[sp.Expr, bool, sp.Expr | None]:
            top = max(candidates, key=lambda c: sign * _number(c[0]))
            ties = [c for c in candidates if c[0] == top[0] or (
                top[0].is_finite and c[0].is_finite and sp.simplify(c[0] - top[0]) == 0)]
            hit = [c for c in ties if c[1]]
            return (top[0], True, hit[0][2]) if hit else (top[0], False, None)

        low, high = best(-1), best(1)
        return {"lower": low[0], "lower_closed": low[1], "argmin": low[2],
                "upper": high[0], "upper_closed": high[1], "argmax": high[2]}

    return _within(STEP * 4, step)


# -- the sheet --------------------------------------------------------------------------------------


def _sizes(decl) -> tuple[int, int]:
    """The two smallest input sizes >= 2 the declaration admits (n = 2, 3 or, for halves, 2, 4)."""
    sizes = [n for n in range(max(decl.min_n, 2), 12) if decl.admits(n)]
    return sizes[0], sizes[1]


def _symbols(n: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"x1:{n + 1}", real=True))


def _expr_dict(e: Any) -> dict[str, str]:
    return {"sympy": str(e), "latex": sp.latex(e)}


def _shifted(ys: Sequence[sp.Expr], xs: Sequence[sp.Symbol], c: sp.Symbol) -> list[sp.Expr]:
    return [sp.sympify(y).subs({v: v + c for v in xs}, simultaneous=True) for y in ys]


class _Derivation:
    """The derivation of one activation's sheet; each method fills one group of fields."""

    def __init__(self, activation) -> None:
        self.act = activation
        self.decl = activation.decl
        self.params = activation.params
        self.claims = self.decl.claims
        self.n2, self.n3 = _sizes(self.decl)
        self.xs2, self.xs3 = _symbols(self.n2), _symbols(self.n3)
        self.ys2 = activation.outputs(self.n2)
        self.ys3 = activation.outputs(self.n3)
        self.how: dict[str, str] = {}
        self.sheet: dict[str, Any] = {}

    def run(self) -> dict[str, Any]:
        self.identity()
        for field, step in (("input_dim", self.dimensions), ("formula", self.formula),
                            ("sums_to_one", self.sums_to_one),
                            ("shift_invariant", self.shift_invariance),
                            ("output_range", self.output_range), ("jacobian", self.jacobian),
                            ("jacobian_at_zero", self.jacobian_at_zero),
                            ("lipschitz", self.lipschitz),
                            ("temperature_limits", self.temperature_limits),
                            ("reduces_to", self.reduces_to), ("convexity", self.convexity)):
            try:
                with budget(FIELD):
                    step()
            except (OutOfTime, Exception):  # noqa: BLE001 - a derivation that fails leaves its field unknown
                self.sheet.setdefault(field, None)
                self.how[field] = UNKNOWN
        self.sheet["how"] = self.how
        return self.sheet

    # identity -------------------------------------------------------------------------------------
    def identity(self) -> None:
        d = self.decl
        self.sheet.update({
            "name": d.name, "title": d.title, "aliases": list(d.aliases), "family": d.family,
            "kind": "vector", "summary": d.summary,
            "parameters": {k: Q.of(v).to_dict() for k, v in self.params.items()},
        })

    def dimensions(self) -> None:
        d = self.decl
        rule = "n" if d.n_step == 1 else f"n, a multiple of {d.n_step}"
        self.sheet["input_dim"] = f"{rule}, n >= {d.min_n}"
        self.sheet["output_dim"] = d.output_dim
        n = sp.Symbol("n")
        claimed = sp.sympify(d.output_dim, locals={"n": n})
        sizes = [k for k in range(d.min_n, d.min_n + 2 * d.n_step + 1)]
        built = {k: self._builds(k) for k in sizes}
        admitted = [k for k in sizes if d.admits(k)]
        # the rule holds when exactly the admitted sizes build, each with the claimed output size
        ok_in = all((built[k] is not None) == (k in admitted) for k in sizes)
        ok_out = all(built[k] is not None and claimed.subs(n, k) == built[k] for k in admitted)
        self.sheet["dimensions_checked_n"] = sizes
        self.how["input_dim"] = SYMBOLIC if ok_in else DECLARED
        self.how["output_dim"] = SYMBOLIC if ok_out else UNKNOWN

    def _builds(self, n: int) -> int | None:
        # the declaration's own build, not Activation.outputs: that one refuses by min_n and n_step, the
        # very rule this checks
        try:
            return len(self.decl.components(n, self.act.params))
        except ValueError:
            return None

    def formula(self) -> None:
        ys = self.ys3
        body = ys if len(ys) > 1 else ys[0]
        out = {**_expr_dict(sp.Matrix(ys) if len(ys) > 1 else body), "n": self.n3}
        general = self.claims.get("formula")
        if general:
            out["general"] = {"text": general["text"], "latex": general["latex"]}
        self.sheet["formula"] = out
        self.how["formula"] = SYMBOLIC

    # sums and shifts ------------------------------------------------------------------------------
    def sums_to_one(self) -> None:
        results = [self._sums_to_one(xs, ys) for xs, ys in ((self.xs2, self.ys2), (self.xs3, self.ys3))]
        values = [r[0] for r in results]
        hows = [r[1] for r in results]
        if values[0] is None or values[1] is None or values[0] != values[1]:
            self.sheet["sums_to_one"] = values[0] if values[0] == values[1] else None
            self.how["sums_to_one"] = UNKNOWN
            return
        self.sheet["sums_to_one"] = values[0]
        self.how["sums_to_one"] = SYMBOLIC if all(h == SYMBOLIC for h in hows) else NUMERIC
        self.sheet["sums_to_one_checked_n"] = [self.n2, self.n3]

    def _sums_to_one(self, xs, ys) -> tuple[bool | None, str]:
        regions = _regions(ys)
        if regions is not None:
            if all(_is_zero(sum(pieces) - 1) for _, pieces in regions):
                return True, SYMBOLIC
        elif _is_zero(sum(ys) - 1):
            return True, SYMBOLIC
        if _nonzero_witness(sum(ys) - 1, xs) is not None:
            return False, SYMBOLIC
        return (True, NUMERIC) if _numerically_equal([sum(ys)], [sp.S.One], xs) else (None, UNKNOWN)

    def shift_invariance(self) -> None:
        c = sp.Symbol("c", real=True)
        verdicts = []
        for xs, ys in ((self.xs2, self.ys2), (self.xs3, self.ys3)):
            moved = _shifted(ys, xs, c)
            if all(_equal(a, b) for a, b in zip(moved, ys, strict=True)):
                verdicts.append((True, SYMBOLIC))
                continue
            diffs = [a - b for a, b in zip(moved, ys, strict=True)]
            if any(_nonzero_witness(d, xs, {c: sp.Integer(1)}) is not None for d in diffs):
                verdicts.append((False, SYMBOLIC))
                continue
            verdicts.append((None, UNKNOWN))
        values = {v for v, _ in verdicts}
        value = verdicts[0][0] if len(values) == 1 else None
        self.sheet["shift_invariant"] = value
        self.sheet["shift_invariant_checked_n"] = [self.n2, self.n3]
        proven = value is not None and all(h == SYMBOLIC for _, h in verdicts)
        self.how["shift_invariant"] = SYMBOLIC if proven else UNKNOWN

    # ranges ---------------------------------------------------------------------------------------
    def output_range(self) -> None:
        """Range of each component for n = n2. Shift-invariant maps depend only on x1 - x2 at n = 2,
        so x = (t, 0) covers every input; otherwise rays that drive a component to +-oo are sought."""
        t = sp.Symbol("t", real=True)
        xs, ys = self.xs2, self.ys2
        found = None
        if self.sheet.get("shift_invariant") and self.n2 == 2:
            found = self._range_on_line(ys, xs, t)
        if found is None:
            found = self._range_by_rays(ys, xs, t)
        if found is None:
            self.sheet["output_range"] = {"lower": Q.unknown().to_dict(), "lower_closed": None,
                                          "upper": Q.unknown().to_dict(), "upper_closed": None,
                                          "n": self.n2}
            self.how["output_range"] = UNKNOWN
            return
        self.sheet["output_range"] = {**found, "n": self.n2}
        self.how["output_range"] = SYMBOLIC

    def _range_on_line(self, ys, xs, t) -> dict[str, Any] | None:
        results = []
        for y in ys:
            g = y.subs({xs[0]: t, xs[1]: 0})
            r = _extremes_1d(g, t)
            if r is None:
                return None
            results.append(r)
        lo = min(results, key=lambda r: _number(r["lower"]))
        hi = max(results, key=lambda r: _number(r["upper"]))
        if any(sp.simplify(r["lower"] - lo["lower"]) != 0 or sp.simplify(r["upper"] - hi["upper"]) != 0
               for r in results if r["lower"].is_finite and r["upper"].is_finite):
            self.sheet["output_range_note"] = "hull over the components; they differ"
        return {"lower": Q.of(lo["lower"]).to_dict(), "lower_closed": lo["lower_closed"],
                "upper": Q.of(hi["upper"]).to_dict(), "upper_closed": hi["upper_closed"]}

    def _range_by_rays(self, ys, xs, t) -> dict[str, Any] | None:
        n = len(xs)
        directions = [d for d in itertools.product((-1, 0, 1), repeat=n) if any(d)]
        bases = [[0] * n, [1] * n]
        for y in ys:
            up = down = False
            for base, d in itertools.product(bases, directions):
                g = y.subs({v: b + k * t for v, b, k in zip(xs, base, d, strict=True)},
                           simultaneous=True)
                lim = _within(STEP, lambda g=g: self._limit_at_oo(g, t))
                up = up or lim is sp.oo
                down = down or lim is sp.S.NegativeInfinity
                if up and down:
                    break
            if not (up and down):
                return None
        # Each component is continuous and unbounded both ways, so its image is all of R.
        return {"lower": Q.of(sp.S.NegativeInfinity).to_dict(), "lower_closed": False,
                "upper": Q.of(sp.oo).to_dict(), "upper_closed": False}

    @staticmethod
    def _limit_at_oo(g: sp.Expr, t: sp.Symbol) -> sp.Expr:
        bps = _breakpoints(g, t)
        if bps is None:
            raise ValueError("breakpoints")
        far = (bps[-1] + 1) if bps else sp.S.One
        return sp.limit(_branch(g, t, far), t, sp.oo)

    # Jacobian -------------------------------------------------------------------------------------
    def jacobian(self) -> None:
        claim = self.claims.get("jacobian")
        if not claim:
            J = sp.Matrix(self.ys2).jacobian(self.xs2)
            self.sheet["jacobian"] = {**_expr_dict(J), "n": self.n2}
            self.how["jacobian"] = SYMBOLIC
            return
        proven = []
        for xs, ys in ((self.xs2, self.ys2), (self.xs3, self.ys3)):
            proven.append(self._jacobian_claim_holds(claim, xs, ys))
        self.sheet["jacobian"] = {"sympy": claim["text"], "latex": claim["latex"],
                                  "proven_for_n": [n for n, ok in zip((self.n2, self.n3), proven,
                                                                      strict=True) if ok],
                                  "at_n2": _expr_dict(sp.Matrix(self.ys2).jacobian(self.xs2))}
        self.how["jacobian"] = SYMBOLIC if all(proven) else UNKNOWN

    def _jacobian_claim_holds(self, claim, xs, ys) -> bool:
        regions = _regions(ys)
        if regions is not None:
            # On region k every output is its k-th piece, and the claim's conditions on the outputs are
            # decided by the region's own inequalities.
            for cond, pieces in regions:
                J = sp.Matrix(pieces).jacobian(xs)
                C = _on_region(claim["matrix"](xs, pieces, **self.params), _conjuncts(cond))
                if not all(_is_zero(e) for e in (J - C)):
                    return False
            return True
        J = sp.Matrix(ys).jacobian(xs)
        C = claim["matrix"](xs, ys, **self.params)
        return J.shape == C.shape and all(_equal(a, b) for a, b in zip(J, C, strict=True))

    def jacobian_at_zero(self) -> None:
        """J(0) for n = n3, or null where f is not differentiable at 0 (one-sided slopes differ)."""
        xs, ys = self.xs3, self.ys3
        zero = {v: 0 for v in xs}

        def at_zero(h0: int) -> sp.Matrix:
            J = sp.Matrix(ys).jacobian(xs)
            J = J.replace(lambda e: isinstance(e, sp.Heaviside), lambda e: sp.Heaviside(e.args[0], h0))
            return sp.simplify(J.subs(zero))

        left = _within(STEP, lambda: at_zero(0))
        right = _within(STEP, lambda: at_zero(1))
        if left is None or right is None or left.has(sp.nan, sp.Piecewise):
            self.sheet["jacobian_at_zero"] = None
            self.how["jacobian_at_zero"] = UNKNOWN
            return
        same = left == right
        self.sheet["jacobian_at_zero"] = {**_expr_dict(left), "n": self.n3} if same else None
        self.how["jacobian_at_zero"] = SYMBOLIC

    # Lipschitz ------------------------------------------------------------------------------------
    def lipschitz(self) -> None:
        """sup_x |J(x)|_2 at n = n2, derived symbolically, then certified with mpmath at DIGITS digits
        (the bound at the maximiser, and no sample at n2 or n3 exceeds the claimed general-n value)."""
        t, c = sp.Symbol("t", real=True), sp.Symbol("c", real=True)
        xs, ys = self.xs2, self.ys2
        J = sp.Matrix(ys).jacobian(xs)
        detail: dict[str, Any] = {"n": self.n2}
        claim = self.claims.get("lipschitz")
        if claim:
            detail["general_n"] = claim["text"]
        value, how = None, UNKNOWN
        J_shift_invariant = self.n2 == 2 and all(
            _equal(a, b) for a, b in zip(_shifted(list(J), xs, c), list(J), strict=True))
        if J_shift_invariant:
            found = self._lipschitz_on_line(J, xs, t)
            if found is not None:
                value, attained, where = found
                detail["attained"] = attained
                detail["attained_at"] = None if where is None else [str(where), "0"]
                how = SYMBOLIC
        elif self._unbounded_entry(J, xs):
            value, how = sp.oo, SYMBOLIC
            detail["attained"] = False
        if value is not None and value is not sp.oo:
            checked = self._certify_lipschitz(value, detail)
            if not checked:
                how = UNKNOWN
        self.sheet["lipschitz"] = (Q.of(value, how) if value is not None else Q.unknown()).to_dict()
        self.sheet["lipschitz_detail"] = detail
        self.how["lipschitz"] = how

    def _lipschitz_on_line(self, J, xs, t):
        """J depends on x1 - x2 only: maximise the top eigenvalue of J^T J along x = (t, 0)."""
        u = sp.Symbol("u", positive=True)

        def step():
            line = J.subs({xs[0]: t, xs[1]: 0})
            # entries rational in u = exp(t) keep every later step algebraic (and fast)
            in_u = [_in_exp_variable(e, t, u) for e in line]
            if all(e is not None for e in in_u):
                line = sp.Matrix(line.rows, line.cols, [e.subs(u, sp.exp(t)) for e in in_u])
            M = line.T * line
            tr, det = sp.together(M.trace()), sp.together(M.det())
            top = tr if _is_zero(det) else (tr + sp.sqrt(tr**2 - 4 * det)) / 2
            return _extremes_1d(top, t, at_breakpoints=False)

        r = _within(STEP * 6, step)
        if r is None:
            return None
        return sp.sqrt(r["upper"]), r["upper_closed"], r["argmax"]

    def _unbounded_entry(self, J, xs) -> bool:
        """An entry of J tends to +-oo along a coordinate ray (the others fixed at 1)."""
        for entry in J:
            for v in xs:
                others = {u: sp.S.One for u in xs if u is not v}
                g = entry.subs(others)
                for end in (sp.oo, sp.S.NegativeInfinity):
                    lim = _within(STEP, lambda g=g, v=v, end=end: sp.limit(_smooth_form(g), v, end))
                    if lim in (sp.oo, sp.S.NegativeInfinity):
                        return True
        return False

    def _certify_lipschitz(self, value: sp.Expr, detail: dict[str, Any]) -> bool:
        worst = mpmath.mpf(0)
        checked = []
        claim = self.claims.get("lipschitz")
        with mpmath.workdps(DIGITS + 10):
            bound = _number(value)
            tol = mpmath.mpf(10) ** (-DIGITS + 5)
            for n, xs, ys in ((self.n2, self.xs2, self.ys2), (self.n3, self.xs3, self.ys3)):
                limit = _number(claim["value"](n, **self.params)) if claim else (
                    bound if n == self.n2 else None)
                if limit is None:
                    continue
                if n == self.n2 and claim and abs(limit - bound) > tol:
                    return False  # the derived value disagrees with the declared general-n rule
                f = _mp_jacobian(ys, xs)
                for p in _random_points(n, 40, seed=n, scale=2.0):
                    norm = max(mpmath.svd_r(f(*p), compute_uv=False))
                    worst = max(worst, norm)
                    if norm > limit + tol:
                        return False
                checked.append(n)
            where = detail.get("attained_at")
            if where is not None:
                f = _mp_jacobian(self.ys2, self.xs2)
                point = [mpmath.mpf(str(sp.N(sp.sympify(w), DIGITS + 10))) for w in where]
                at = max(mpmath.svd_r(f(*point), compute_uv=False))
                if abs(at - bound) > tol:
                    return False
                detail["value_at_maximiser"] = mpmath.nstr(at, DIGITS)
        detail["checked_n"] = checked
        detail["largest_sampled"] = mpmath.nstr(worst, 20)
        return True

    # temperature ----------------------------------------------------------------------------------
    def temperature_limits(self) -> None:
        """T -> 0+ and T -> oo at n = 2 with SymPy limits; the temperature is the parameter so named."""
        if "temperature" not in self.params:
            self.sheet["temperature_limits"] = None
            return
        T = sp.Symbol("T", positive=True)
        xs = self.xs2
        values = dict(self.params, temperature=T)
        ys = self.decl.build(list(xs), **values)
        out: dict[str, Any] = {"n": 2}
        cases = {}
        ok = True
        for label, t in (("x1 > x2", sp.Symbol("t", positive=True)),
                         ("x1 < x2", sp.Symbol("t", negative=True)), ("x1 = x2", sp.S.Zero)):
            # shift invariance (proven above) lets x2 = 0 and x1 = t carry the sign of x1 - x2
            lims = [_within(STEP, lambda y=y, t=t: sp.limit(y.subs({xs[0]: t, xs[1]: 0}), T, 0, "+"))
                    for y in ys]
            ok = ok and all(v is not None for v in lims)
            cases[label] = [str(v) for v in lims]
        hard = {"x1 > x2": ["1", "0"], "x1 < x2": ["0", "1"], "x1 = x2": ["1/2", "1/2"]}
        out["T_to_0"] = {"cases": cases,
                         "rule": "one-hot at the argmax (hardmax); tied maxima share equally"
                         if cases == hard else "see cases"}
        hot = [_within(STEP, lambda y=y: sp.limit(y, T, sp.oo)) for y in ys]
        ok = ok and all(v is not None for v in hot) and self.sheet.get("shift_invariant") is True
        out["T_to_oo"] = {"value": [str(v) for v in hot],
                          "rule": "uniform, 1/n each" if all(v == sp.Rational(1, 2) for v in hot)
                          else "see value"}
        self.sheet["temperature_limits"] = out
        self.how["temperature_limits"] = SYMBOLIC if ok else UNKNOWN

    # identities with scalar activations -----------------------------------------------------------
    def reduces_to(self) -> None:
        from symact import get, x

        entries = []
        hows = []
        for rule in self.claims.get("reduces_to", ()):
            scalar = get(rule["scalar"])
            template = rule.get("template", lambda x, g, **_: g(x))
            inputs = [sp.sympify(v) for v in rule["inputs"](x, **self.params)]
            xs = _symbols(len(inputs))
            built = self.decl.build(list(xs), **self.params)[rule["component"]]
            lhs = built.subs(dict(zip(xs, inputs, strict=True)), simultaneous=True)
            rhs = template(x, lambda u, s=scalar: s.expr.subs(x, u), **self.params)
            shown = template(x, sp.Function(rule["scalar"]), **self.params)
            text = f"{self.decl.name}([{', '.join(map(str, inputs))}])_{rule['component'] + 1} = {shown}"
            # a placeholder name keeps SymPy from reading "leaky_relu" as leaky subscript relu
            shown_latex = sp.latex(template(x, sp.Function("Zscalar"), **self.params)).replace(
                "Zscalar", _latex_name(rule["scalar"]))
            latex = (rf"\operatorname{{{_latex_name(self.decl.name)}}}"
                     rf"\left({sp.latex(sp.Matrix([inputs]))}\right)"
                     rf"_{{{rule['component'] + 1}}} = {shown_latex}")
            if _identity_1d(lhs, rhs, x):
                how = SYMBOLIC
            elif _numerically_equal([lhs], [rhs], [x], count=200):
                how = NUMERIC
            else:
                how = UNKNOWN
            hows.append(how)
            entries.append({"identity": text, "latex": latex, "scalar": rule["scalar"],
                            "component": rule["component"] + 1,
                            "inputs": [str(v) for v in inputs], "how": how})
        self.sheet["reduces_to"] = entries
        if entries:
            self.how["reduces_to"] = (SYMBOLIC if all(h == SYMBOLIC for h in hows)
                                      else UNKNOWN if UNKNOWN in hows else NUMERIC)

    # convexity ------------------------------------------------------------------------------------
    def convexity(self) -> None:
        """Each component at n = n2: "neither" from exact midpoint counterexamples both ways; "convex"
        for a maximum of affine functions or a positive semidefinite Hessian; "concave" likewise."""
        xs, ys = self.xs2, self.ys2
        verdicts = [self._component_convexity(y, xs) for y in ys]
        labels = {v for v, _, _ in verdicts}
        label = labels.pop() if len(labels) == 1 else "mixed"
        how = SYMBOLIC if all(h == SYMBOLIC for _, h, _ in verdicts) else (
            UNKNOWN if any(h == UNKNOWN for _, h, _ in verdicts) else NUMERIC)
        self.sheet["convexity"] = label
        self.sheet["convexity_detail"] = {"n": self.n2, "per_component": [
            {"convexity": v, "how": h, "reason": r} for v, h, r in verdicts]}
        self.how["convexity"] = how

    def _component_convexity(self, y: sp.Expr, xs) -> tuple[str, str, str]:
        up, down = self._midpoint_violations(y, xs)
        if up and down:
            return "neither", SYMBOLIC, (f"midpoint inequality fails both ways: "
                                         f"at {up} (not convex) and {down} (not concave)")
        if self._max_of_affine(y, xs, sp.Max) and not up:
            return "convex", SYMBOLIC, "a maximum of affine functions"
        if self._max_of_affine(y, xs, sp.Min) and not down:
            return "concave", SYMBOLIC, "a minimum of affine functions"
        if not y.has(sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside):
            for sign, name in ((1, "convex"), (-1, "concave")):
                if (name == "convex" and not up or name == "concave" and not down) and (
                        self._semidefinite(sign * y, xs)):
                    return name, SYMBOLIC, f"the Hessian of {'' if sign > 0 else '-'}f is positive " \
                                           "semidefinite (principal minors >= 0)"
        if up:
            return "not_convex", SYMBOLIC, f"midpoint inequality fails at {up}"
        if down:
            return "not_concave", SYMBOLIC, f"midpoint inequality fails at {down}"
        return "unknown", UNKNOWN, "no counterexample found and no proof"

    @staticmethod
    def _max_of_affine(y: sp.Expr, xs, head) -> bool:
        args = y.args if isinstance(y, head) else (y,)
        return all(sp.Poly(a, *xs).total_degree() <= 1 if a.is_polynomial(*xs) else False
                   for a in args)

    @staticmethod
    def _semidefinite(y: sp.Expr, xs) -> bool:
        def step() -> bool:
            H = sp.hessian(y, xs)
            n = len(xs)
            for k in range(1, n + 1):
                for rows in itertools.combinations(range(n), k):
                    minor = sp.simplify(H.extract(list(rows), list(rows)).det())
                    if not (minor == 0 or minor.is_nonnegative):
                        return False
            return True

        return bool(_within(STEP * 3, step, False))

    @staticmethod
    def _midpoint_violations(y: sp.Expr, xs) -> tuple[str | None, str | None]:
        """Pairs (a, b) of exact points with f((a+b)/2) > (f(a)+f(b))/2 (so not convex) and with <
        (not concave): found with mpmath, then confirmed with SymPy's exact evaluation."""
        grid = [sp.Integer(v) for v in (-3, -1, 0, 1, 2, 4)]
        points = list(itertools.product(grid, repeat=len(xs)))
        f = sp.lambdify(list(xs), y, modules="mpmath")
        up = down = None
        with mpmath.workdps(DIGITS):
            tol = mpmath.mpf(10) ** (-DIGITS // 2)
            for a, b in itertools.combinations(points, 2):
                if up and down:
                    break
                mid = [(u + v) / 2 for u, v in zip(a, b, strict=True)]
                gap = f(*[mpmath.mpf(str(m)) for m in mid]) - (f(*map(int, a)) + f(*map(int, b))) / 2
                if (gap > tol and up is None) or (gap < -tol and down is None):
                    exact = _within(STEP, lambda a=a, b=b, mid=mid: sp.N(
                        y.subs(dict(zip(xs, mid, strict=True)))
                        - (y.subs(dict(zip(xs, a, strict=True)))
                           + y.subs(dict(zip(xs, b, strict=True)))) / 2, DIGITS))
                    if exact is None:
                        continue
                    witness = f"a={tuple(map(str, a))}, b={tuple(map(str, b))}"
                    if exact > tol and up is None:
                        up = witness
                    elif exact < -tol and down is None:
                        down = witness
        return up, down


def _latex_name(name: str) -> str:
    return name.replace("_", r"\_")


def derive_vector(activation) -> dict[str, Any]:
    """The JSON-ready property sheet of a vector activation (SPEC.md, vector section)."""
    return _Derivation(activation).run()


__all__ = ["derive_vector"]
