"""The property sheet of a scalar activation f: R -> R (SPEC.md), assembled from the analyses of f, f', f''
as pieces. Each field records its provenance in the sheet's ``how`` map; a step that fails or runs out of
time yields ``unknown`` instead of stopping the derivation."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import mpmath
import sympy as sp

from symact.declaration import x
from symact.engine import ENGINE_VERSION
from symact.engine.budget import FIELD, OutOfTime, attempt, budget
from symact.engine.expansions import F, asymptote, derivative_in_terms_of_f, taylor_at_zero
from symact.engine.extrema import (
    Candidate,
    Extremes,
    _period,
    extremes,
    is_zero,
    limit_q,
    nice,
    piece_candidates,
)
from symact.engine.gaussian import moments
from symact.engine.pieces import Pieces, limit_at, same
from symact.engine.quantity import DECLARED, NUMERIC, SYMBOLIC, UNKNOWN, Q
from symact.engine.shape import _sign, monotonicity, saturation, signs_between_roots, slope_signs, smoothness
from symact.engine.symmetry import parity, point_symmetry


def formula_of(p: Pieces) -> sp.Expr:
    """The pieces as one Piecewise (NaN marks a breakpoint where the function is undefined, and a
    removable singularity of a piece, like 0 for sinc' = cos(x)/x - sin(x)/x^2, gets its limit)."""
    args: list[tuple[sp.Expr, Any]] = []
    for i, (lo, hi, e) in enumerate(p.intervals()):
        args += [(v, sp.Eq(x, c)) for c, v in _removable(e, lo, hi)]
        if i < len(p.breakpoints):
            c, v = p.breakpoints[i], p.at[i]
            if v is not None and e.subs(x, c) == v:
                args.append((e, x <= c))
                continue
            args.append((e, x < c))
            if v is None:
                args.append((sp.nan, sp.Eq(x, c)))
            elif not (p.exprs[i + 1].subs(x, c) == v):
                args.append((v, sp.Eq(x, c)))
        else:
            args.append((e, True))
    if len(args) == 1:
        return args[0][0]
    return sp.Piecewise(*args, evaluate=False)


def _removable(e: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> list[tuple[sp.Expr, sp.Expr]]:
    """Points of (lo, hi) where the expression is undefined but has a finite limit, with the limit."""
    if not any(p.exp.is_negative for p in e.atoms(sp.Pow) if p.base.has(x)):
        return []
    found = attempt(1.0, lambda: sp.singularities(e, x, sp.Interval.open(lo, hi)), None)
    if not isinstance(found, sp.FiniteSet):
        return []
    out = []
    for c in found:
        left, right = limit_at(e, c, "-"), limit_at(e, c, "+")
        if left is not None and right is not None and left.is_finite and same(left, right):
            out.append((c, left))
    return out


def _expr_field(e: sp.Expr) -> dict[str, str]:
    return {"sympy": str(e), "latex": sp.latex(e)}


class Level:
    """One function in the chain f, f', f'' with the candidates of its extremes on each piece."""

    def __init__(self, fn: Pieces, dfn: Pieces) -> None:
        self.fn, self.dfn = fn, dfn
        self.by_piece: list[list[Candidate]] = [
            piece_candidates(e, de, lo, hi) for (lo, hi, e), de in zip(fn.intervals(), dfn.exprs,
                                                                       strict=True)
        ]

    def range(self) -> Extremes:
        cands = [c for cs in self.by_piece for c in cs]
        for c, v in zip(self.fn.breakpoints, self.fn.at, strict=True):
            if v is not None:
                cands.append(Candidate(Q.of(v), True, Q.of(c)))
        return extremes(cands)

    def piece_extremes(self) -> list[Extremes]:
        return [extremes(cs) for cs in self.by_piece]

    def critical_points(self) -> list[Q]:
        return [q for qs in self.critical_points_by_piece() for q in qs]

    def critical_points_by_piece(self) -> list[list[Q]]:
        return [[c.where for c in cs if c.where is not None] for cs in self.by_piece]


class _Sheet:
    """Accumulates fields and their provenance."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}
        self.how: dict[str, str] = {}
        self.errors: dict[str, str] = {}

    def put(self, field: str, fn: Callable[[], tuple[Any, str]]) -> Any:
        try:
            with budget(FIELD):
                value, how = fn()
        except (OutOfTime, Exception) as exc:  # noqa: BLE001 - any failure of one step is "unknown"
            self.errors[field] = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            value, how = None, UNKNOWN
        self.data[field] = value
        self.how[field] = how
        return value


def _q_how(*qs: Q | None) -> str:
    hows = {q.how for q in qs if q is not None}
    for h in (UNKNOWN, NUMERIC, DECLARED):
        if h in hows:
            return h
    return SYMBOLIC


def derive_scalar(act) -> dict[str, Any]:
    """The full property sheet of a scalar activation, as a JSON-ready dict."""
    decl = act.decl
    s = _Sheet()
    d = s.data
    d.update(name=decl.name, title=decl.title, aliases=list(decl.aliases), family=decl.family,
             kind="scalar", summary=decl.summary)
    d["parameters"] = {k: Q.of(v).to_dict() for k, v in act.params.items()}

    f = Pieces.of(act.expr)
    df = f.derivative()
    ddf = df.derivative()

    d["formula"] = _expr_field(act.expr)
    d["formula_pieces"] = _expr_field(formula_of(f))
    s.put("derivative", lambda: (_expr_field(_tidy(formula_of(df))), SYMBOLIC))
    s.put("second_derivative", lambda: (_expr_field(_tidy(formula_of(ddf))), SYMBOLIC))

    zero = sp.Integer(0)
    f0 = s.put("value_at_zero", lambda: _q(Q.of(nice(f.value(zero)))))
    at_kink = any(same(c, zero) for c in df.breakpoints) and df.value(zero) is None
    s.put("slope_at_zero", lambda: (None, SYMBOLIC) if at_kink else _q(Q.of(nice(df.value(zero)))))
    if at_kink:
        j = [k for k, c in enumerate(df.breakpoints) if same(c, zero)][0]
        s.put("slope_at_zero_left", lambda: _q(Q.of(limit_at(df.exprs[j], zero, "-"))))
        s.put("slope_at_zero_right", lambda: _q(Q.of(limit_at(df.exprs[j + 1], zero, "+"))))

    def limits() -> tuple[dict, str]:
        qs = {
            "f_neg_inf": limit_q(f.exprs[0], sp.S.NegativeInfinity, "+"),
            "f_pos_inf": limit_q(f.exprs[-1], sp.S.Infinity, "-"),
            "df_neg_inf": limit_q(df.exprs[0], sp.S.NegativeInfinity, "+"),
            "df_pos_inf": limit_q(df.exprs[-1], sp.S.Infinity, "-"),
        }
        return {k: q.to_dict() for k, q in qs.items()}, _q_how(*qs.values())

    s.put("limits", limits)

    lf = Level(f, df)
    ldf = Level(df, ddf)
    rng = lf.range()
    drng = ldf.range()
    s.put("range", lambda: (rng.to_dict(), rng.how))
    s.put("derivative_range", lambda: (drng.to_dict(), drng.how))

    slopes = ldf.piece_extremes()
    inflections = ldf.critical_points_by_piece()
    s.put("monotonicity", lambda: _enum(monotonicity(f, slope_signs(slopes, df.exprs)), slopes))
    dmono = s.put("derivative_monotonicity",
                  lambda: (monotonicity(df, signs_between_roots(ddf, inflections)),
                           _q_how(*(q for qs in inflections for q in qs))))
    s.put("saturation", lambda: _sat(df))

    smooth_parts: dict[str, Any] = {"points": []}

    def continuity() -> tuple[Any, str]:
        cls, smooth_parts["points"] = smoothness(f)
        return _enum(cls, [])

    smooth = s.put("continuity_class", continuity)
    per_point = smooth_parts["points"]
    s.put("breakpoints", lambda: ([Q.of(c).to_dict() for c, _ in per_point], SYMBOLIC))
    d["breakpoint_classes"] = [{"at": Q.of(c).to_dict(), "continuity_class": k} for c, k in per_point]

    s.put("bounded_below", lambda: (rng.lower.value != "-inf", rng.how))
    s.put("bounded_above", lambda: (rng.upper.value != "inf", rng.how))
    s.put("symmetry", lambda: parity(f))

    def centre() -> tuple[Any, str]:
        cands = [zero]
        if f.breakpoints:
            cands.append((f.breakpoints[0] + f.breakpoints[-1]) / 2)
        inflections = sorted(ldf.critical_points(), key=lambda q: abs(q.mp()))[:3]
        cands += [q.exact if q.exact is not None else sp.Float(q.digits, 30) for q in inflections]
        if rng.lower.exists and rng.upper.exists and (
                (rng.lower.value == "-inf") != (rng.upper.value == "inf")):
            # a centre maps the lower end of the range onto the upper one: none can exist here
            return None, rng.how
        lims = d.get("limits") or {}
        dl, dr = lims.get("df_neg_inf"), lims.get("df_pos_inf")
        if dl and dr and dl["value"] is not None and dr["value"] is not None and dl["value"] != dr["value"]:
            # f'(a + x) = f'(a - x) about a centre, so f' would have the same limit at -oo and +oo
            return None, _q_how(Q.of(0, dl["how"]), Q.of(0, dr["how"]))
        if d.get("symmetry") == "even" and len(f.exprs) == 1 and _period(f.exprs[0]) is None:
            # even and point-symmetric would make f periodic (period 4a), or constant if a = 0
            return None, s.how["symmetry"]
        found, how = point_symmetry(f, cands)
        if found is None:
            return None, how
        return [Q.of(nice(found[0])).to_dict(), Q.of(nice(found[1])).to_dict()], how

    s.put("point_symmetry", centre)

    def zero_centered() -> tuple[bool, str]:
        if f0 is None or f0["value"] != 0:
            return False, s.how["value_at_zero"]
        return bool(rng.lower.mp() < 0 < rng.upper.mp()), rng.how

    s.put("zero_centered", zero_centered)

    def identity_near_origin() -> tuple[bool, str]:
        slope = d.get("slope_at_zero")
        ok = f0 is not None and f0["value"] == 0 and slope is not None and slope["value"] == 1
        kinked = any(same(c, zero) and (k is None or k < 1) for c, k in per_point)
        return bool(ok and not kinked), SYMBOLIC

    s.put("identity_near_origin", identity_near_origin)

    def lipschitz() -> tuple[dict, str]:
        if smooth == -1:
            return Q.of(sp.oo).to_dict(), s.how["continuity_class"]
        lo, hi = drng.lower, drng.upper
        if UNKNOWN in (lo.how, hi.how):
            return Q.unknown().to_dict(), UNKNOWN
        best = hi if abs(hi.mp()) >= abs(lo.mp()) else lo
        q = best if best.mp() >= 0 else _negate(best)
        return q.to_dict(), q.how

    s.put("lipschitz", lipschitz)

    def convexity() -> tuple[str, str]:
        how = s.how["derivative_monotonicity"]
        if smooth == -1:
            return "neither", s.how["continuity_class"]
        if dmono in ("increasing", "strictly_increasing", "constant"):
            return "convex", how
        if dmono in ("decreasing", "strictly_decreasing"):
            return "concave", how
        return "neither", how

    s.put("convexity", convexity)
    s.put("sparse", lambda: (any(is_zero(e) for e in f.exprs), SYMBOLIC))

    def in_terms_of_f() -> tuple[Any, str]:
        mono_pieces = [_sign(e, de) in ("pos", "neg") for e, de in zip(slopes, df.exprs, strict=True)]
        g = derivative_in_terms_of_f(f, df, mono_pieces)
        if g is None:
            return None, SYMBOLIC
        return {"sympy": str(g), "latex": sp.latex(g), "variable": str(F)}, SYMBOLIC

    s.put("derivative_in_terms_of_f", in_terms_of_f)

    def series() -> tuple[Any, str]:
        analytic = not any(same(c, zero) for c, _ in per_point)
        poly = taylor_at_zero(f, analytic)
        return (None if poly is None else _expr_field(poly)), SYMBOLIC

    s.put("series_at_zero", series)

    def asymptotes() -> tuple[dict, str]:
        out, qs = {}, []
        for side in ("neg_inf", "pos_inf"):
            line = asymptote(f, side.split("_")[0])
            out[side] = None if line is None else {"slope": line[0].to_dict(),
                                                   "intercept": line[1].to_dict()}
            if line:
                qs += list(line)
        return out, _q_how(*qs)

    s.put("asymptotes", asymptotes)

    def gaussian() -> tuple[dict, str]:
        centre_b = None
        ps = d.get("point_symmetry")
        if ps is not None and ps[0]["value"] == 0 and s.how["point_symmetry"] == SYMBOLIC:
            centre_b = sp.sympify(ps[1]["exact"])
        ms = moments(f, df, centre_b)
        return {k: q.to_dict() for k, q in ms.items()}, _q_how(*ms.values())

    s.put("gaussian", gaussian)

    for field, value in decl.declared.items():
        d[field] = value
        s.how[field] = DECLARED

    d["how"] = s.how
    if s.errors:
        d["errors"] = s.errors
    d["engine_version"] = ENGINE_VERSION
    return d


def _q(q: Q) -> tuple[dict, str]:
    return q.to_dict(), q.how


def _negate(q: Q) -> Q:
    if q.exact is not None:
        return Q.of(-q.exact, q.how)
    with mpmath.workdps(40):
        return Q.numeric(-q.mp())


def _enum(value: Any, inputs: list[Extremes]) -> tuple[Any, str]:
    if value is None:
        return None, UNKNOWN
    return value, _q_how(*(e.lower for e in inputs), *(e.upper for e in inputs))


def _sat(df: Pieces) -> tuple[dict, str]:
    left, right = saturation(df, "left"), saturation(df, "right")
    return {"left": left, "right": right}, (UNKNOWN if None in (left, right) else SYMBOLIC)


def _tidy(e: sp.Expr) -> sp.Expr:
    """A shorter form of a derivative for display (only for moderate expressions: it is cosmetic)."""
    if sp.count_ops(e) > 60:
        return e

    def shorter(a: sp.Expr) -> sp.Expr:
        if a is sp.nan or a.is_Atom:
            return a
        b = attempt(1.5, lambda: sp.simplify(a), a)
        return b if sp.count_ops(b) < sp.count_ops(a) else a

    if isinstance(e, sp.Piecewise):
        return sp.Piecewise(*[(shorter(a), c) for a, c in e.args], evaluate=False)
    return shorter(e)
