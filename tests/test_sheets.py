"""Every claim of every scalar property sheet, checked numerically against an independent reference.

The reference (tests/reference.py) evaluates the declaration's SymPy expression with mpmath at 40
digits; nothing here calls the engine's derivation code. Each test is parametrised over the registry's
scalar activations.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import mpmath
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import (
    SIDE,
    F,
    Reference,
    dense_points,
    far_points,
    gaussian_expectation,
    grid,
    lambdified,
    mpf,
    outer_points,
    parse,
    precision,
    q_mp,
    reference,
)

import symact
from symact import x

pytestmark = pytest.mark.slow

SCALARS = [n for n in symact.names() if symact.get(n).kind == "scalar"]
PROVENANCE = {"symbolic", "numeric", "declared"}
#: Fields whose provenance the sheet's ``how`` map must give (SPEC: every non-numeric field).
HOW_FIELDS = (
    "derivative", "second_derivative", "limits", "range", "derivative_range", "monotonicity",
    "derivative_monotonicity", "saturation", "continuity_class", "breakpoints", "bounded_below",
    "bounded_above", "symmetry", "point_symmetry", "zero_centered", "identity_near_origin", "lipschitz",
    "convexity", "sparse", "derivative_in_terms_of_f", "series_at_zero", "asymptotes", "gaussian",
)
SPEC_FIELDS = (
    "name", "title", "aliases", "family", "kind", "parameters", "formula", "value_at_zero",
    "slope_at_zero", *HOW_FIELDS,
)
MONOTONICITY = {"strictly_increasing", "increasing", "strictly_decreasing", "decreasing", "constant",
                "non_monotonic"}
#: A jump in f or one of its derivatives larger than this (relative) is a breakpoint; one-sided values
#: are read 1e-30 from the point, so a continuous derivative differs by about 1e-30 across it.
JUMP = mpmath.mpf("1e-20")
#: How close (relative to 1 + |value|) a limit, an open bound of a range, a Lipschitz constant or an
#: asymptote must be to what the reference computes for it: 20 digits.
LIMIT_TOL = mpmath.mpf("1e-20")
#: Below this (relative), a difference is the reference's own rounding (40 digits): no trend to follow.
FLOOR = mpmath.mpf("1e-35")
#: Highest derivative order searched for a jump at a candidate breakpoint.
MAX_ORDER = 8
#: |x| up to which consecutive samples are resolved at 40 digits (tanh(30) = 1 - 1.8e-26).
RESOLVED = 30

names = pytest.mark.parametrize("name", SCALARS)


@pytest.fixture(autouse=True)
def _working_precision():
    """Every comparison at the reference's precision (mpmath rounds each result to the context's)."""
    with precision():
        yield


# -- shared samples -------------------------------------------------------------------------------
@cache
def sheet(name: str) -> dict[str, Any]:
    return symact.get(name).properties.to_dict()


@cache
def samples(name: str) -> tuple[tuple[mpmath.mpf, mpmath.mpf], ...]:
    """(t, f(t)) over the dense sampling, sorted by t."""
    r = reference(name)
    return tuple((t, r.f(t)) for t in dense_points(r))


@cache
def slope_samples(name: str) -> tuple[tuple[mpmath.mpf, mpmath.mpf], ...]:
    """(t, f'(t)) over the dense sampling off the breakpoints, plus f' just either side of each."""
    r = reference(name)
    pts = r.off_kinks(dense_points(r))
    with precision():
        pts += [b + s * SIDE for b in r.kinks for s in (-1, 1)]
    return tuple(sorted((t, r.d(t)) for t in pts))


def rel(a: mpmath.mpf, b: mpmath.mpf, digits: int) -> bool:
    """a and b agree to ``digits`` digits (relative to max(1, |b|))."""
    with precision():
        return abs(a - b) <= mpmath.mpf(10) ** -digits * max(1, abs(b))


def jump_order(r: Reference, b: mpmath.mpf) -> int | None:
    """The lowest n with f^(n) discontinuous at b (n = 0 includes the value f(b)); None if none up to
    MAX_ORDER."""
    with precision():
        left, right = r.side(b, 0, -1), r.side(b, 0, 1)
        values = (left, right, r.f(b))
        if max(values) - min(values) > JUMP * (1 + max(abs(v) for v in values)):
            return 0
        for n in range(1, MAX_ORDER + 1):
            left, right = r.side(b, n, -1), r.side(b, n, 1)
            if abs(left - right) > JUMP * (1 + max(abs(left), abs(right))):
                return n
    return None


@cache
def jumps(name: str) -> dict[mpmath.mpf, int]:
    """The reference's breakpoints: candidate points where some derivative jumps, with the order."""
    r = reference(name)
    out = {}
    for b in r.kinks:
        n = jump_order(r, b)
        if n is not None:
            out[b] = n
    return out


def quantities(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every quantity (a dict with exact/latex/value/how) in a sheet, with its path."""
    found = []
    if isinstance(node, dict):
        if {"exact", "value", "how"} <= node.keys():
            return [(path, node)]
        for k, v in node.items():
            found += quantities(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += quantities(v, f"{path}[{i}]")
    return found


# -- contract -------------------------------------------------------------------------------------
@names
def test_sheet_has_every_spec_field(name):
    s = sheet(name)
    missing = [f for f in SPEC_FIELDS if f not in s]
    assert not missing, missing
    assert s["kind"] == "scalar" and s["name"] == name
    for side in ("f_neg_inf", "f_pos_inf", "df_neg_inf", "df_pos_inf"):
        assert side in s["limits"]
    for part in ("range", "derivative_range"):
        assert {"lower", "lower_closed", "upper", "upper_closed", "argmin", "argmax"} <= s[part].keys()
    assert {"mean", "second_moment", "variance", "gain", "grad_mean", "grad_second_moment"} <= \
        s["gaussian"].keys()
    assert s["monotonicity"] in MONOTONICITY and s["derivative_monotonicity"] in MONOTONICITY
    assert s["symmetry"] in {"odd", "even", "neither"}
    assert s["convexity"] in {"convex", "concave", "neither"}
    assert set(s["saturation"]) == {"left", "right"}
    assert set(s["saturation"].values()) <= {"hard", "soft", "none"}
    assert s["continuity_class"] == "inf" or isinstance(s["continuity_class"], int)


@names
def test_provenance_is_complete_and_never_unknown(name):
    s = sheet(name)
    missing = [f for f in HOW_FIELDS if f not in s["how"]]
    assert not missing, f"fields without provenance: {missing}"
    bad = {k: v for k, v in s["how"].items() if v not in PROVENANCE}
    assert not bad, f"provenance outside {sorted(PROVENANCE)}: {bad}"


@names
def test_every_quantity_is_well_formed(name):
    qs = quantities(sheet(name))
    assert len(qs) > 10
    for path, q in qs:
        assert {"exact", "latex", "value", "how"} <= q.keys(), path
        assert q["how"] in PROVENANCE, (path, q["how"])
        assert isinstance(q["latex"], str) and q["latex"], path
        v = q["value"]
        assert v is None or v in ("inf", "-inf") or (isinstance(v, float) and math.isfinite(v)), (path, v)
        if q["how"] == "numeric" and isinstance(v, float) and v != 0:
            digits = q.get("digits")
            assert digits is not None, f"{path}: numeric quantity without its digits"
            mantissa = digits.lstrip("-+").split("e")[0].split("E")[0].replace(".", "").lstrip("0")
            assert len(mantissa) >= 30, f"{path}: only {len(mantissa)} digits: {digits}"
            assert rel(mpmath.mpf(digits), mpmath.mpf(v), 14), (path, digits, v)
        if q["exact"] is not None:
            e = parse(q["exact"])
            if v in ("inf", "-inf"):
                assert e == (sp.oo if v == "inf" else -sp.oo), (path, q)
            else:
                assert isinstance(v, float), (path, q)
                assert rel(mpf(e), mpmath.mpf(v), 14), (path, q["exact"], v)
                if q.get("digits"):
                    assert rel(mpf(e), mpmath.mpf(q["digits"]), 28), (path, q["exact"], q["digits"])


@names
def test_json_round_trip(name):
    s = sheet(name)
    text = json.dumps(s, allow_nan=False)
    assert json.loads(text) == s


@names
def test_reference_derivatives_agree_with_finite_differences(name):
    """The reference's SymPy derivatives match mpmath.diff of f (guards the reference itself)."""
    r = reference(name)
    for t in r.off_kinks(grid(-7, 7, "0.73"), gap="1e-3"):
        for n in (1, 2):
            assert rel(r.d(t, n), r.diff(t, n), 25), (t, n)


# -- values at zero, derivatives -----------------------------------------------------------------
@names
def test_value_at_zero(name):
    s = sheet(name)
    assert rel(q_mp(s["value_at_zero"]), reference(name).f(0), 28)


@names
def test_slope_at_zero(name):
    s, r = sheet(name), reference(name)
    left, right = r.side(0, 1, -1), r.side(0, 1, 1)
    continuous = jumps(name).get(mpmath.mpf(0), 99) > 0
    if s["slope_at_zero"] is None:
        assert not (continuous and rel(left, right, 20)), "f is differentiable at 0 but slope_at_zero is null"
        assert rel(q_mp(s["slope_at_zero_left"]), left, 25)
        assert rel(q_mp(s["slope_at_zero_right"]), right, 25)
    else:
        assert continuous and rel(left, right, 20), "f is not differentiable at 0"
        assert rel(q_mp(s["slope_at_zero"]), r.diff(0), 25)


def _derivative_points(r: Reference, extra: list[float]) -> list[mpmath.mpf]:
    pts = grid(-15, 15, "0.37") + [mpf(repr(t)) for t in extra if t == 0 or abs(t) > 1e-4]
    return r.off_kinks(pts, gap="1e-6")


@names
@pytest.mark.parametrize("order", [1, 2])
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(extra=st.lists(st.floats(-30, 30, allow_nan=False), min_size=1, max_size=8))
def test_derivative_formulas(name, order, extra):
    """The sheet's f' and f'' (SymPy strings) against mpmath.diff of f, 25 digits."""
    s, r = sheet(name), reference(name)
    field = "derivative" if order == 1 else "second_derivative"
    fn = lambdified(parse(s[field]["sympy"]))
    for t in _derivative_points(r, extra):
        with mpmath.workdps(80):  # a formula like cos(x)/x - sin(x)/x^2 cancels near 0
            claimed = mpmath.mpf(fn(t))
        assert rel(claimed, r.diff(t, order), 25), (field, t, claimed, r.diff(t, order))


@names
def test_formulas_are_the_declaration(name):
    """The formula the sheet (and the site) shows, and its piecewise form where it has one, against the
    declared expression, 25 digits, on and off a grid (not at a breakpoint, where a formula's side is a
    convention)."""
    s, r = sheet(name), reference(name)
    shown = [s["formula"]] + ([s["formula_pieces"]] if s.get("formula_pieces") else [])
    for formula in shown:
        fn = lambdified(parse(formula["sympy"]))
        for t in _derivative_points(r, [-0.3, 2.2]):
            with mpmath.workdps(80):
                claimed = mpmath.mpf(fn(t))
            assert rel(claimed, r.f(t), 25), (formula["sympy"], t, claimed, r.f(t))


# -- limits ---------------------------------------------------------------------------------------
def _check_limit(claim: dict[str, Any], value, sign: int, what: str) -> None:
    """``value(t)`` against a claimed limit at sign * infinity."""
    with precision():
        far = [value(t) for t in far_points(sign, range(7, 9))]
        near = [value(t) for t in far_points(sign, range(3, 4))]
        if claim["value"] is None:
            # does not exist: still oscillating by a fixed amount at 1e7 and at 1e8
            for start in (10**7, 10**8):
                window = [value(sign * (start + mpmath.mpf(k) / 2)) for k in range(41)]
                assert max(window) - min(window) > mpmath.mpf("1e-2"), f"{what}: converges, claimed none"
            return
        lim = q_mp(claim)
        if mpmath.isinf(lim):
            s = 1 if lim > 0 else -1
            assert min(s * v for v in far) > max(s * v for v in near) + 1, f"{what}: does not diverge"
            assert min(s * v for v in far) > 10, f"{what}: does not diverge"
        else:
            # 20 digits at 1e24 (the slowest approach in the catalog is 1/x: arctan, softsign), and
            # converging: 1e4 times closer than at 1e16, so that no constant offset passes
            far = max(abs(value(t) - lim) for t in far_points(sign, [24]))
            mid = max(abs(value(t) - lim) for t in far_points(sign, [16]))
            assert far <= LIMIT_TOL * (1 + abs(lim)), f"{what}: |f - L| = {far} at 1e24"
            assert far <= max(mid / 10**4, FLOOR * (1 + abs(lim))), \
                f"{what}: |f - L| = {far} at 1e24, {mid} at 1e16"


@names
@pytest.mark.parametrize("key", ["f_neg_inf", "f_pos_inf", "df_neg_inf", "df_pos_inf"])
def test_limits(name, key):
    r = reference(name)
    claim = sheet(name)["limits"][key]
    value = r.f if key.startswith("f_") else r.d
    _check_limit(claim, value, -1 if "neg" in key else 1, key)


# -- ranges ---------------------------------------------------------------------------------------
@names
@pytest.mark.parametrize("field", ["range", "derivative_range"])
def test_range(name, field):
    """The hull of the sampled values lies within the claim and reaches it; closed bounds are attained
    (to 25 digits, at argmin/argmax when given), open ones are not."""
    s, r = sheet(name), reference(name)
    claim = s[field]
    pairs = samples(name) if field == "range" else slope_samples(name)
    level = 0 if field == "range" else 1
    values = [v for _, v in pairs]
    with precision():
        for bound, closed, arg, sign in (("lower", "lower_closed", "argmin", 1),
                                         ("upper", "upper_closed", "argmax", -1)):
            b = q_mp(claim[bound])
            worst = min(sign * v for v in values)  # sign * (min or max) of the samples
            if mpmath.isinf(b):
                assert sign * b < 0, f"{bound} = {b}"
                assert worst < -1000, f"{bound} claimed infinite, samples reach only {sign * worst}"
                assert not claim[closed] and claim[arg] is None
                continue
            tol = mpmath.mpf("1e-30") * (1 + abs(b))
            assert worst >= sign * b - tol, f"{bound} {b} exceeded by a sample: {sign * worst}"
            assert worst - sign * b <= mpmath.mpf("1e-3") * (1 + abs(b)), \
                f"{bound} {b} not approached: samples reach only {sign * worst}"
            if claim[closed]:
                if claim[arg] is not None:
                    where = q_mp(claim[arg])
                    got = r.f(where) if level == 0 else _slope_at(r, where)
                    assert rel(got, b, 25), f"{bound} {b} not attained at {arg} {where}: {got}"
                    if all(abs(where - k) > mpmath.mpf("1e-25") for k in r.kinks):
                        # f is flat at an interior extremum, so the value alone pins the point to only
                        # half the digits: the next derivative must vanish there
                        stationary = r.d(where, level + 1)
                        assert abs(stationary) <= LIMIT_TOL, f"{arg} {where} is not stationary: {stationary}"
                else:
                    # attained on a set: exactly, at a sample where 40 digits still tell f from its
                    # limits (sigmoid(1e8) rounds to 1)
                    exact = mpmath.mpf("1e-35") * max(1, abs(b))
                    assert any(abs(t) <= RESOLVED and abs(v - b) <= exact for t, v in pairs), \
                        f"{bound} {b} closed but never attained"
            else:
                assert claim[arg] is None, f"{bound} is open but {arg} is given"
                # not attained, so approached at -inf, at +inf or from one side of a breakpoint
                ends = _ends(r, level)
                assert min(abs(e - b) for e in ends) <= LIMIT_TOL * (1 + abs(b)), \
                    f"open {bound} {b} is none of the limits and one-sided values {ends}"
                exact = mpmath.mpf("1e-38") * abs(b)
                hits = [t for t, v in pairs if abs(t) <= RESOLVED and abs(v - b) <= exact]
                assert not hits, f"open {bound} {b} attained at {hits[:3]}"


def _ends(r: Reference, level: int) -> list[mpmath.mpf]:
    """f^(level) at +-1e24 (as close to its limits there as 20 digits tell) and either side of every
    candidate breakpoint: where a bound that is not attained is approached."""
    with precision():
        ends = [r.d(sign * mpmath.mpf(10) ** 24, level) for sign in (-1, 1)]
        return ends + [r.side(k, level, side) for k in r.kinks for side in (-1, 1)]


def _slope_at(r: Reference, t: mpmath.mpf) -> mpmath.mpf:
    """f'(t), requiring f to be differentiable at t when t is a candidate breakpoint."""
    if any(abs(t - b) < mpmath.mpf("1e-25") for b in r.kinks):
        left, right = r.side(t, 1, -1), r.side(t, 1, 1)
        assert rel(left, right, 20), f"f is not differentiable at {t}: {left} vs {right}"
        return (left + right) / 2
    return r.diff(t)


@names
@pytest.mark.parametrize("field", ["range", "derivative_range"])
def test_limit_bounds_of_strictly_monotone_functions_are_open(name, field):
    """A strictly monotone function's range bound that is a limit at +-oo is never attained."""
    s = sheet(name)
    level = "monotonicity" if field == "range" else "derivative_monotonicity"
    assert s[level] in MONOTONICITY
    if not s[level].startswith("strictly"):
        pytest.skip("not strictly monotone")
    keys = ("f_neg_inf", "f_pos_inf") if field == "range" else ("df_neg_inf", "df_pos_inf")
    lims = [q_mp(s["limits"][k]) for k in keys if s["limits"][k]["value"] is not None]
    for bound, closed in (("lower", "lower_closed"), ("upper", "upper_closed")):
        b = q_mp(s[field][bound])
        if any(lim == b for lim in lims):
            assert not s[field][closed], f"{bound} {b} is a limit of a strictly monotone function"


# -- shape ----------------------------------------------------------------------------------------
def _classify(steps: list[tuple[mpmath.mpf, mpmath.mpf]], signs: list[mpmath.mpf]) -> str:
    """Monotonicity from consecutive (a, b) value pairs and from signs of the slope far out."""
    up = down = flat = False
    for a, b in steps:
        eps = mpmath.mpf("1e-38") * max(abs(a), abs(b))
        up |= b - a > eps
        down |= b - a < -eps
        flat |= abs(b - a) <= eps
    for v in signs:
        up |= v > 0
        down |= v < 0
        flat |= v == 0
    if up and down:
        return "non_monotonic"
    if up:
        return "increasing" if flat else "strictly_increasing"
    if down:
        return "decreasing" if flat else "strictly_decreasing"
    return "constant"


def _far_signs(r: Reference, n: int) -> list[mpmath.mpf]:
    """f^(n) far out, where it decides the sign; a zero there is only believed on the outermost piece
    at moderate points (far out, a tail like 1 - tanh(x)^2 cancels to 0 at 40 digits)."""
    far = [r.d(t, n) for t in far_points(1) + far_points(-1)]
    outer = [r.d(t, n) for t in outer_points(r, 1) + outer_points(r, -1)]
    return [v for v in far if v != 0] + outer


@names
def test_monotonicity(name):
    r = reference(name)
    near = [v for t, v in samples(name) if abs(t) <= RESOLVED]
    steps = list(zip(near, near[1:], strict=False))
    assert sheet(name)["monotonicity"] == _classify(steps, _far_signs(r, 1))


@names
def test_derivative_monotonicity(name):
    r = reference(name)
    near = [v for t, v in slope_samples(name) if abs(t) <= RESOLVED]
    steps = list(zip(near, near[1:], strict=False))
    assert sheet(name)["derivative_monotonicity"] == _classify(steps, _far_signs(r, 2))


@names
@pytest.mark.parametrize("side", ["left", "right"])
def test_saturation(name, side):
    """f' on the outermost piece: identically 0 (hard), tending to 0 (soft), or not (none). Whether it
    vanishes identically is read at moderate points of that piece, where tails such as 1 - tanh^2 do
    not cancel; the limit is read far out."""
    r = reference(name)
    sign = -1 if side == "left" else 1
    slopes = {k: [abs(r.d(t)) for t in far_points(sign, [k])] for k in range(2, 9)}
    outer = [r.d(t) for t in outer_points(r, sign)]
    claim = sheet(name)["saturation"][side]
    if claim == "hard":
        assert all(v == 0 for v in outer), "f' is not 0 on the outermost piece"
        assert all(v == 0 for vs in slopes.values() for v in vs), "f' is not 0 on a ray"
    elif claim == "soft":
        assert any(v != 0 for v in outer), "f' is identically 0 on the outermost piece: hard"
        assert max(slopes[8]) < mpmath.mpf("1e-6"), f"f' does not tend to 0: {max(slopes[8])}"
        assert max(slopes[8]) <= max(slopes[4]), "f' does not decrease towards 0"
    else:
        assert max(slopes[7] + slopes[8]) > mpmath.mpf("1e-3"), "f' tends to 0: saturates"


@names
def test_breakpoints_and_continuity_class(name):
    s = sheet(name)
    found = jumps(name)
    claimed = [q_mp(b) for b in s["breakpoints"]]
    assert sorted(claimed) == claimed, "breakpoints are not sorted"
    with precision():
        assert len(claimed) == len(found), f"claimed {claimed}, derivatives jump at {dict(found)}"
        for b, ref_b in zip(claimed, sorted(found), strict=True):
            assert abs(b - ref_b) < mpmath.mpf("1e-30"), (claimed, found)
        expected = min((n - 1 for n in found.values()), default="inf")
        assert s["continuity_class"] == expected
        if "breakpoint_classes" in s:
            got = [c["continuity_class"] for c in s["breakpoint_classes"]]
            assert got == [n - 1 for _, n in sorted(found.items())]


@names
def test_symmetry(name):
    r = reference(name)
    pts = grid("0.05", 12, "0.05") + far_points(1, range(2, 6))
    with precision():
        odd = max(abs(r.f(-t) + r.f(t)) / (1 + abs(r.f(t))) for t in pts + [mpf(0)])
        even = max(abs(r.f(-t) - r.f(t)) / (1 + abs(r.f(t))) for t in pts)
    claim = sheet(name)["symmetry"]
    tight, loose = mpmath.mpf("1e-30"), mpmath.mpf("1e-20")
    if claim == "odd":
        assert odd < tight, odd
    elif claim == "even":
        assert even < tight, even
    else:
        assert odd > loose and even > loose, (odd, even)


def _point_asymmetry(r: Reference, a: mpmath.mpf, b: mpmath.mpf) -> mpmath.mpf:
    pts = grid("0.05", 12, "0.05") + far_points(1, range(2, 6))
    with precision():
        return max(abs(r.f(a - t) + r.f(a + t) - 2 * b) / (1 + abs(r.f(a + t))) for t in pts)


@names
def test_point_symmetry(name):
    s, r = sheet(name), reference(name)
    claim = s["point_symmetry"]
    if claim is not None:
        a, b = q_mp(claim[0]), q_mp(claim[1])
        assert _point_asymmetry(r, a, b) < mpmath.mpf("1e-30")
        return
    # No centre: not about the origin's point of the graph, nor about the middle of the breakpoints.
    with precision():
        centres = {mpmath.mpf(0)}
        if r.kinks:
            centres.add((r.kinks[0] + r.kinks[-1]) / 2)
        for a in centres:
            assert _point_asymmetry(r, a, r.f(a)) > mpmath.mpf("1e-20"), f"symmetric about ({a}, {r.f(a)})"


@names
def test_zero_centered_and_bounds(name):
    s, r = sheet(name), reference(name)
    values = [v for _, v in samples(name)]
    with precision():
        zero = r.f(0) == 0
        assert s["zero_centered"] == (zero and min(values) < 0 < max(values))
        inner = [v for t, v in samples(name) if abs(t) <= 10**4]
        outer = [r.f(t) for t in far_points(-1, [8]) + far_points(1, [8])]
        # unbounded: from |x| <= 1e4 to |x| ~ 1e8 the samples go on by more than 1 (log x would)
        assert s["bounded_below"] == (min(outer) > min(inner) - 1), "bounded_below"
        assert s["bounded_above"] == (max(outer) < max(inner) + 1), "bounded_above"
        assert s["bounded_below"] == (s["range"]["lower"]["value"] != "-inf")
        assert s["bounded_above"] == (s["range"]["upper"]["value"] != "inf")


@names
def test_identity_near_origin(name):
    s, r = sheet(name), reference(name)
    expected = r.f(0) == 0 and rel(r.side(0, 1, -1), 1, 25) and rel(r.side(0, 1, 1), 1, 25) \
        and jumps(name).get(mpmath.mpf(0), 99) > 1
    assert s["identity_near_origin"] == expected


@names
def test_sparse(name):
    r = reference(name)
    pairs = [(t, v) for t, v in samples(name) if abs(t) <= 12]
    # zero at 40 digits and still zero at 200 (a tail like 1 + tanh(-71) = 2e-62 is not a zero)
    zero_run = any(v == 0 and w == 0 and r.f_at(s, 200) == 0 and r.f_at(t, 200) == 0
                   for (s, v), (t, w) in zip(pairs, pairs[1:], strict=False))
    assert sheet(name)["sparse"] == zero_run


@names
def test_lipschitz(name):
    s = sheet(name)
    slopes = [abs(v) for _, v in slope_samples(name)]
    claim = s["lipschitz"]
    with precision():
        if claim["value"] == "inf":
            discontinuous = 0 in jumps(name).values()
            assert discontinuous or max(slopes) > 10**6, f"f' bounded by {max(slopes)}"
            return
        lip = q_mp(claim)
        assert max(slopes) <= lip + mpmath.mpf("1e-30") * (1 + lip), f"|f'| reaches {max(slopes)}"
        assert lip - max(slopes) <= mpmath.mpf("1e-4") * (1 + lip), f"|f'| reaches only {max(slopes)}"
        assert 0 not in jumps(name).values(), "a discontinuous f has no Lipschitz constant"
        # and to 20 digits: sup |f'| is |f'| at +-inf, on one side of a breakpoint, or at a maximum of
        # |f'|, found from the largest sample by Newton's method on f''
        r = reference(name)
        candidates = [abs(v) for v in _ends(r, 1)]
        top = max(slope_samples(name), key=lambda pair: abs(pair[1]))[0]
        if all(abs(top - k) > mpmath.mpf("1e-3") for k in r.kinks):
            try:
                peak = mpmath.findroot(lambda t: r.d(t, 2), top)
            except (ValueError, ZeroDivisionError):  # flat (f'' = 0 nearby) or no convergence
                peak = top
            candidates.append(abs(r.d(peak)))
        assert min(abs(c - lip) for c in candidates) <= LIMIT_TOL * (1 + lip), \
            f"Lipschitz {lip} is none of {candidates}"


#: Digits for second differences: the wide grid reaches x = -185, where softplus = log(1 + e^x) needs
#: about 80 digits for 1 + e^x not to round to 1 part of the time (which looks like a kink).
CONVEXITY_DPS = 120


@names
def test_convexity(name):
    r = reference(name)
    pts = grid(-12, 12, "0.01")
    f = lambda t: r.f_at(t, CONVEXITY_DPS)
    with mpmath.workdps(CONVEXITY_DPS):
        seconds = []

        def second(fa: mpmath.mpf, fb: mpmath.mpf, fc: mpmath.mpf) -> None:
            seconds.append((fa - 2 * fb + fc, mpmath.mpf("1e-35") * max(abs(fa), abs(fb), abs(fc))))

        values = {t: f(t) for t in pts}
        for a, b, c in zip(pts, pts[1:], pts[2:], strict=False):
            second(values[a], values[b], values[c])
        wide = grid(-100, 100, "0.25") + far_points(1, range(2, 5)) + far_points(-1, range(2, 5))
        for t in wide:
            second(f(t - 1), f(t), f(t + 1))
    up = any(d > eps for d, eps in seconds)
    down = any(d < -eps for d, eps in seconds)
    expected = "neither" if up and down else "concave" if down else "convex"
    claim = sheet(name)["convexity"]
    if not up and not down:  # affine: both convex and concave
        assert claim in {"convex", "concave"}
    else:
        assert claim == expected


@names
def test_derivative_in_terms_of_f(name):
    s, r = sheet(name), reference(name)
    claim = s["derivative_in_terms_of_f"]
    if claim is None:
        pytest.skip("no derivative in terms of f")
    g = lambdified(parse(claim["sympy"]), F, x)
    pts = r.off_kinks(grid(-30, 30, "0.1"), gap="1e-6")
    with precision():
        for t in pts:
            fv, dv = r.f(t), r.d(t)
            gv = mpmath.mpf(g(fv, t))
            assert abs(gv - dv) <= mpmath.mpf("1e-25") * (1 + abs(dv) + fv * fv), (t, gv, dv)


@names
def test_series_at_zero(name):
    s, r = sheet(name), reference(name)
    claim = s["series_at_zero"]
    analytic = mpmath.mpf(0) not in jumps(name)
    assert (claim is not None) == analytic, "series_at_zero exists exactly where f is analytic at 0"
    if claim is None:
        return
    poly = parse(claim["sympy"]).removeO()
    assert sp.Poly(poly, x).degree() <= 5
    # coefficients against mpmath's Taylor coefficients of f (finite differences at 40+ digits)
    want = mpmath.taylor(lambdified(r.expr), 0, 5)
    got = sp.Poly(poly, x).all_coeffs()[::-1] + [0] * 6
    for k in range(6):
        assert rel(mpf(got[k]), want[k], 25), f"coefficient of x^{k}: {got[k]} vs {want[k]}"
    p = lambdified(poly)
    with precision():
        for k in (2, 3, 4, 5):
            for sign in (-1, 1):
                h = sign * mpmath.mpf(10) ** -k
                err = abs(r.f(h) - p(h))
                assert err <= 1000 * abs(h) ** 6, f"f - series = {err} at {h}: not O(x^6)"


#: Digits for f(t) - (a t + b) at t = 1e24: 24 are lost to the cancellation, 20 are checked.
ASYMPTOTE_DPS = 90


def _q_precise(q: dict[str, Any]) -> mpmath.mpf:
    """A sheet quantity at ASYMPTOTE_DPS digits where it is exact (q_mp reads 50: a slope times 1e24
    would then be off by 1e-26), else its digits."""
    if q.get("exact") is not None:
        return mpmath.mpf(str(sp.N(parse(q["exact"]), ASYMPTOTE_DPS)))
    return q_mp(q)


@names
@pytest.mark.parametrize("side", ["neg_inf", "pos_inf"])
def test_asymptotes(name, side):
    s, r = sheet(name), reference(name)
    sign = -1 if side == "neg_inf" else 1
    claim = (s["asymptotes"] or {}).get(side)
    with precision():
        if claim is not None:
            with mpmath.workdps(ASYMPTOTE_DPS):
                a, b = _q_precise(claim["slope"]), _q_precise(claim["intercept"])
                resid = lambda t: abs(r.f_at(t, ASYMPTOTE_DPS) - (a * t + b))
                far = max(resid(t) for t in far_points(sign, [24]))
                mid = max(resid(t) for t in far_points(sign, [16]))
                near = max(resid(t) for t in far_points(sign, [3]))
            assert far <= LIMIT_TOL * (1 + abs(b)), f"f - ({a} x + {b}) = {far} at 1e24"
            assert far <= max(mid / 10**4, FLOOR * (1 + abs(b))), \
                f"f - ({a} x + {b}) = {far} at 1e24, {mid} at 1e16"
            assert far <= near + mpmath.mpf("1e-30"), "the distance to the asymptote grows"
            return
        # no asymptote: f/x does not settle, or f - a x keeps moving by a fixed amount
        t1, t2 = sign * mpmath.mpf(10) ** 8, sign * 2 * mpmath.mpf(10) ** 8
        f1, f2 = r.f(t1), r.f(t2)
        if abs(f2 / t2) > 10**6:
            return
        slope = (f2 - f1) / (t2 - t1)
        windows = [[r.f(sign * (c + mpmath.mpf(k) / 2)) - slope * sign * (c + mpmath.mpf(k) / 2)
                    for k in range(41)] for c in (10**7, 10**8)]
        spread = max(max(w) for w in windows) - min(min(w) for w in windows)
        assert spread > mpmath.mpf("1e-3"), f"f - {slope} x settles (spread {spread}): an asymptote exists"


@names
def test_gaussian_moments(name):
    s, r = sheet(name), reference(name)
    g = s["gaussian"]
    cuts = r.kinks
    with precision():
        expected = {
            "mean": gaussian_expectation(r.f, cuts),
            "second_moment": gaussian_expectation(lambda t: r.f(t) ** 2, cuts),
            "grad_mean": gaussian_expectation(lambda t: r.d(t), cuts),
            "grad_second_moment": gaussian_expectation(lambda t: r.d(t) ** 2, cuts),
        }
        for key, (value, error) in expected.items():
            assert error < mpmath.mpf("1e-32"), (key, error)
            assert rel(q_mp(g[key]), value, 28), (key, g[key], value)
        mean, second = expected["mean"][0], expected["second_moment"][0]
        assert rel(q_mp(g["variance"]), second - mean**2, 28)
        assert rel(q_mp(g["gain"]), 1 / mpmath.sqrt(second), 28)
        # the sheet is consistent with itself
        assert rel(q_mp(g["variance"]), q_mp(g["second_moment"]) - q_mp(g["mean"]) ** 2, 28)
