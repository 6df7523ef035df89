"""Vector activations: every symbolic claim of the sheet cross-checked numerically, for every vector
activation in the catalog, and the NumPy implementations checked against the SymPy build with mpmath."""

from __future__ import annotations

import json
import warnings
from functools import cache

import mpmath
import numpy as np
import pytest
import sympy as sp

import symact
from symact.engine import derive

VECTORS = [n for n in symact.names() if symact.get(n).kind == "vector"]
HOWS = {"symbolic", "numeric", "declared", "unknown"}
RNG_SEED = 20240601


@cache
def sheet(name: str) -> dict:
    return derive(symact.get(name)).to_dict()


def sizes(act, upto: int = 5) -> list[int]:
    """The input sizes n in 1..upto the declaration admits (min_n, min_n + n_step, ...)."""
    d = act.decl
    return [n for n in range(d.min_n, upto + 1) if (n - d.min_n) % d.n_step == 0]


def impl(act):
    return act.numpy()


def inputs(act, n: int, count: int = 50, scale: float = 3.0, seed: int = RNG_SEED) -> np.ndarray:
    return np.random.default_rng(seed + n).normal(0, scale, size=(count, n))


@cache
def mp_build(name: str, n: int):
    """The SymPy components for n inputs as an mpmath function (the reference)."""
    act = symact.get(name)
    xs = sp.symbols(f"x1:{n + 1}", real=True)
    return sp.lambdify(xs, act.outputs(n), modules="mpmath")


def reference(name: str, z: np.ndarray) -> np.ndarray:
    f = mp_build(name, z.shape[-1])
    # enough digits that differences of inputs near 1e300 keep 40 significant ones
    digits = 40 + int(np.log10(max(1.0, float(np.max(np.abs(z))))))
    with mpmath.workdps(digits):
        rows = [[float(v) for v in f(*[mpmath.mpf(float(c)) for c in row])] for row in z]
    return np.array(rows)


def q_value(q: dict) -> float:
    v = q["value"]
    return {"inf": np.inf, "-inf": -np.inf}.get(v, v) if isinstance(v, str) else v


# -- the sheet's contract ----------------------------------------------------------------------------


def test_catalog_has_the_vector_family():
    assert VECTORS, "the catalog declares vector activations"


@pytest.mark.parametrize("name", VECTORS)
def test_sheet_is_json_with_provenance(name):
    s = sheet(name)
    assert json.loads(json.dumps(s)) == s
    assert s["kind"] == "vector" and s["name"] == name
    for field in ("input_dim", "output_dim", "output_range", "sums_to_one", "shift_invariant",
                  "jacobian", "lipschitz", "reduces_to", "convexity", "formula"):
        assert field in s, field
        assert s["how"].get(field, "symbolic") in HOWS
    assert set(s["how"].values()) <= HOWS
    for key, q in s["parameters"].items():
        assert q["exact"] == str(symact.get(name).params[key])


def _admitted(rule: str, n: int) -> bool:
    """Whether the sheet's ``input_dim`` text ("n, a multiple of 2, n >= 2") admits n inputs."""
    head, *conditions = [part.strip() for part in rule.split(",")]
    assert head == "n", rule
    ok = True
    for condition in conditions:
        if condition.startswith("a multiple of "):
            ok &= n % int(condition.removeprefix("a multiple of ")) == 0
        else:
            ok &= bool(sp.sympify(condition, locals={"n": sp.Integer(n)}))
    return ok


@pytest.mark.parametrize("name", VECTORS)
def test_dimensions_are_what_the_functions_take_and_give(name):
    """``input_dim`` admits exactly the sizes the NumPy function and the SymPy build accept, and
    ``output_dim`` is the size of what they return."""
    act, s = symact.get(name), sheet(name)
    out_dim = sp.sympify(s["output_dim"], locals={"n": sp.Symbol("n")})
    admitted = [n for n in range(0, 7) if _admitted(s["input_dim"], n)]
    assert admitted == sizes(act, 6) and admitted, (s["input_dim"], admitted)
    for n in range(0, 7):
        z = inputs(act, n, count=3)
        if n in admitted:
            want = int(out_dim.subs("n", n))
            assert impl(act)(z).shape == (3, want)
            assert len(act.outputs(n)) == want
        else:
            with pytest.raises(ValueError):
                impl(act)(z)


@pytest.mark.parametrize("name", VECTORS)
def test_jacobian_claim_is_proven(name):
    s = sheet(name)
    if symact.get(name).decl.claims.get("jacobian"):
        assert s["how"]["jacobian"] == "symbolic"
        assert len(s["jacobian"]["proven_for_n"]) == 2


# -- NumPy against the SymPy build -------------------------------------------------------------------


@pytest.mark.parametrize("name", VECTORS)
def test_numpy_matches_sympy_build(name):
    act = symact.get(name)
    for n in sizes(act, 4):
        z = inputs(act, n, count=20)
        got = impl(act)(z)
        want = reference(name, z)
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", VECTORS)
def test_numpy_along_any_axis(name):
    act = symact.get(name)
    n = sizes(act)[-1]
    z = inputs(act, n, count=6)
    np.testing.assert_allclose(impl(act)(z.T, axis=0), impl(act)(z).T, rtol=1e-15, atol=0)
    batch = z.reshape(2, 3, n)
    np.testing.assert_allclose(impl(act)(batch).reshape(6, -1), impl(act)(z), rtol=1e-15, atol=0)


@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpy_keeps_the_float_type(name, dtype):
    act = symact.get(name)
    z = inputs(act, sizes(act)[-1], count=4).astype(dtype)
    out = impl(act)(z)
    assert out.dtype == dtype
    if dtype == np.float32:
        np.testing.assert_allclose(out, impl(act)(z.astype(np.float64)), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", VECTORS)
@pytest.mark.parametrize("magnitude", [1e4, 1e300])
def test_numpy_is_stable_for_large_inputs(name, magnitude):
    """No warning, and finite where the exact value is representable (it is inf only past the range)."""
    act = symact.get(name)
    n = sizes(act)[-1]
    signs = np.sign(inputs(act, n, count=12, seed=7))
    z = magnitude * signs * np.random.default_rng(3).uniform(0.5, 1.0, size=signs.shape)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = impl(act)(z)
    want = reference(name, z)
    assert not np.isnan(got).any()
    representable = np.isfinite(want)
    np.testing.assert_allclose(got[representable], want[representable], rtol=1e-12, atol=1e-300)
    assert np.array_equal(got[~representable], want[~representable])


GATED = {"glu": "sigmoid", "reglu": "relu", "geglu": "gelu", "swiglu": "silu"}
#: gate inputs in the far tails: where sigmoid(b) is a subnormal (SiLU's b * sigmoid(b) lost up to 260 ulp
#: there) and where Phi(b) is one (scipy's ndtr is 0 below -37.52, so GEGLU was 0)
GATE_TAILS = [-745.0, -740.0, -730.5, -700.0, -38.4, -38.0, -37.8, -37.6, -20.0, -3.0, -0.25, 0.5, 30.0]


def test_gated_family_is_listed():
    assert set(GATED) == {n for n in VECTORS if symact.get(n).decl.min_n == 2 and n.endswith("glu")}


@pytest.mark.parametrize("name", sorted(GATED))
def test_gated_units_use_the_scalar_gate(name):
    """a * g(b), with g the scalar activation's own generated function: the same values bit for bit, and
    within 4 ulp (over the gate's condition number) of the exact value in the tails."""
    from symact.numerics.generate import condition, ulps
    from symact.numerics.reference import Reference

    gate = symact.get(GATED[name])
    b = np.array(GATE_TAILS + list(inputs(symact.get(name), 1, count=40)[:, 0]))
    a = np.full_like(b, 0.75)
    got = impl(symact.get(name))(np.stack([a, b], axis=-1))[:, 0]
    assert np.array_equal(got, a * gate.numpy(0)(b))
    ref, slope = Reference(gate.expr, 0), Reference(gate.expr, 1)
    worst = 0.0
    for v, g in zip(GATE_TAILS, got, strict=False):
        want = ref(v) * mpmath.mpf(0.75)
        if want != 0:
            worst = max(worst, ulps(float(g), want) / max(1.0, condition(ref, slope, v)))
    assert worst <= 4.0


# -- sums, shifts, ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", VECTORS)
def test_sums_to_one_numerically(name):
    act, s = symact.get(name), sheet(name)
    assert s["how"]["sums_to_one"] != "unknown"
    totals = np.concatenate([impl(act)(inputs(act, n)).sum(axis=-1) for n in sizes(act) if n >= 2])
    if s["sums_to_one"]:
        np.testing.assert_allclose(totals, 1.0, rtol=1e-13)
    else:
        assert np.max(np.abs(totals - 1.0)) > 1e-6


@pytest.mark.parametrize("name", VECTORS)
def test_shift_invariance_numerically(name):
    act, s = symact.get(name), sheet(name)
    assert s["how"]["shift_invariant"] == "symbolic"
    worst = 0.0
    for n in sizes(act):
        z = inputs(act, n)
        c = np.random.default_rng(n).normal(0, 5, size=(len(z), 1))
        a, b = impl(act)(z + c), impl(act)(z)
        worst = max(worst, float(np.max(np.abs(a - b) / (1 + np.abs(b)))))
    assert (worst < 1e-12) == s["shift_invariant"]


@pytest.mark.parametrize("name", VECTORS)
def test_output_range_against_samples(name):
    act, s = symact.get(name), sheet(name)
    r = s["output_range"]
    assert s["how"]["output_range"] == "symbolic"
    lo, hi = q_value(r["lower"]), q_value(r["upper"])
    n = r["n"]
    y = impl(act)(inputs(act, n, count=400, scale=4.0))
    assert np.all(y >= lo) and np.all(y <= hi)
    if not r["lower_closed"] and np.isfinite(lo):
        assert np.all(y > lo)
    if not r["upper_closed"] and np.isfinite(hi):
        assert np.all(y < hi)
    # the bounds are tight: wide inputs come close to them (or beyond any fixed level when infinite)
    wide = impl(act)(inputs(act, n, count=400, scale=40.0))
    assert np.min(wide) < (lo + 1e-3 if np.isfinite(lo) else -10)
    assert np.max(wide) > (hi - 1e-3 if np.isfinite(hi) else 10)


# -- the Jacobian --------------------------------------------------------------------------------


def claimed_jacobian(act, z: np.ndarray) -> np.ndarray:
    """The declaration's general-n Jacobian evaluated at the point z."""
    point = [sp.Float(float(c), 30) for c in z]
    # the claim at the point, from the numeric inputs and outputs (NumPy's outputs are checked
    # against the SymPy build on their own)
    ys = [sp.Float(float(v), 30) for v in impl(act)(z)]
    matrix = act.decl.claims["jacobian"]["matrix"](point, ys, **act.params)
    return np.array(sp.Matrix(matrix).evalf(30).tolist(), dtype=float)


def finite_difference(act, z: np.ndarray, h: float = 1e-6) -> np.ndarray:
    f = impl(act)
    cols = []
    for k in range(len(z)):
        e = np.zeros_like(z)
        e[k] = h
        cols.append((f(z + e) - f(z - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("name", VECTORS)
def test_jacobian_claim_against_finite_differences(name):
    """The general-n Jacobian (proven for two sizes) checked at n = 2..5 at random points."""
    act = symact.get(name)
    if not act.decl.claims.get("jacobian"):
        pytest.skip("no general-n Jacobian declared")
    for n in sizes(act):
        if n < 2:
            continue
        for z in inputs(act, n, count=4, scale=1.5):
            np.testing.assert_allclose(claimed_jacobian(act, z), finite_difference(act, z),
                                       rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", VECTORS)
def test_jacobian_at_zero(name):
    act, s = symact.get(name), sheet(name)
    j0 = s.get("jacobian_at_zero")
    if j0 is None:
        pytest.skip("not differentiable at 0 (or not derived)")
    want = np.array(sp.sympify(j0["sympy"]).tolist(), dtype=float)
    z = np.zeros(j0["n"])
    np.testing.assert_allclose(finite_difference(act, z), want, atol=1e-7)


@pytest.mark.parametrize("name", VECTORS)
def test_lipschitz_against_jacobian_norms(name):
    """No sampled Jacobian norm exceeds the claimed constant (n = 2..5); at n = 2 it is approached."""
    act, s = symact.get(name), sheet(name)
    assert s["how"]["lipschitz"] == "symbolic"
    L2 = q_value(s["lipschitz"])
    rule = act.decl.claims.get("lipschitz")
    seen = 0.0
    for n in sizes(act):
        if n < 2:
            continue
        bound = float(rule["value"](n, **act.params)) if rule else L2
        for z in inputs(act, n, count=30, scale=2.0):
            norm = np.linalg.norm(finite_difference(act, z), 2)
            assert norm <= bound * (1 + 1e-6) + 1e-7
            if n == s["lipschitz_detail"]["n"]:
                seen = max(seen, norm)
    if np.isfinite(L2):
        wide = [np.linalg.norm(finite_difference(act, z), 2)
                for z in inputs(act, 2, count=200, scale=30.0)]
        seen = max([seen, *wide])
        assert seen > 0.9 * L2
    else:
        # unbounded: along a ray the norm grows past any level
        z = np.zeros(s["lipschitz_detail"]["n"])
        z[: len(z) // 2 or 1] = 1e3
        z[len(z) // 2:] = 1.0
        assert np.linalg.norm(finite_difference(act, z, h=1e-3), 2) > 100


# -- limits, identities, convexity ---------------------------------------------------------------


@pytest.mark.parametrize("name", VECTORS)
def test_temperature_limits(name):
    act, s = symact.get(name), sheet(name)
    limits = s.get("temperature_limits")
    if "temperature" not in act.params:
        assert limits is None
        return
    assert s["how"]["temperature_limits"] == "symbolic"
    assert "hardmax" in limits["T_to_0"]["rule"] and "uniform" in limits["T_to_oo"]["rule"]
    z = np.array([[0.3, -1.2, 2.0, 1.9]])
    cold = symact.get(name, temperature="1/1000").numpy()(z)
    hot = symact.get(name, temperature=1000).numpy()(z)  # the ends of the range parameters may take
    np.testing.assert_allclose(cold, [[0, 0, 1, 0]], atol=1e-12)
    np.testing.assert_allclose(hot, 0.25, atol=1e-3)
    assert np.ptp(hot) < 1e-3 < np.ptp(symact.get(name, temperature=1).numpy()(z))


@pytest.mark.parametrize("name", VECTORS)
def test_reduces_to_identities_at_random_points(name):
    act, s = symact.get(name), sheet(name)
    rules = act.decl.claims.get("reduces_to", ())
    assert len(s["reduces_to"]) == len(rules)
    t = np.random.default_rng(5).normal(0, 3, size=60)
    for rule, entry in zip(rules, s["reduces_to"], strict=True):
        assert entry["how"] == "symbolic", entry["identity"]
        scalar = symact.get(rule["scalar"])
        template = rule.get("template", lambda x, g, **_: g(x))
        g = scalar.expr
        rhs = sp.lambdify(symact.x, template(symact.x, lambda u, g=g: g.subs(symact.x, u),
                                             **act.params), modules="mpmath")
        for v in t:
            args = [float(sp.sympify(a).subs(symact.x, v)) for a in rule["inputs"](symact.x, **act.params)]
            got = impl(act)(np.array(args))[rule["component"]]
            assert got == pytest.approx(float(rhs(mpmath.mpf(v))), rel=1e-12, abs=1e-14)


@pytest.mark.parametrize("name", VECTORS)
def test_convexity_against_midpoints(name):
    act, s = symact.get(name), sheet(name)
    verdict = s["convexity"]
    assert s["how"]["convexity"] == "symbolic"
    n = s["convexity_detail"]["n"]
    a, b = inputs(act, n, count=300, seed=11), inputs(act, n, count=300, seed=12)
    f = impl(act)
    gap = f((a + b) / 2) - (f(a) + f(b)) / 2  # <= 0 everywhere for a convex map
    if verdict == "convex":
        assert np.all(gap <= 1e-12)
    elif verdict == "concave":
        assert np.all(gap >= -1e-12)
    else:
        assert verdict == "neither"
        assert np.any(gap > 1e-9) and np.any(gap < -1e-9)


# -- a few exact values --------------------------------------------------------------------------


def test_softmax_exact_values():
    s = sheet("softmax")
    assert s["lipschitz"]["exact"] == "1/2" and s["lipschitz_detail"]["attained"] is True
    assert s["jacobian"]["sympy"] == "(diag(s) - s*s^T)/T"
    assert (s["output_range"]["lower"]["exact"], s["output_range"]["upper"]["exact"]) == ("0", "1")
    assert s["sums_to_one"] is True and s["shift_invariant"] is True
    assert s["reduces_to"][0]["identity"] == "softmax([x, 0])_1 = sigmoid(x)"


def test_log_softmax_and_sparsemax_exact_values():
    log = sheet("log_softmax")
    assert log["lipschitz"]["exact"] == "sqrt(2)" and log["lipschitz_detail"]["attained"] is False
    assert log["convexity"] == "concave" and log["sums_to_one"] is False
    sparse = sheet("sparsemax")
    assert sparse["output_range"]["lower_closed"] and sparse["output_range"]["upper_closed"]
    assert sparse["lipschitz"]["exact"] == "1"
    assert sparse["reduces_to"][0]["identity"] == "sparsemax([x, 0])_1 = sparse_sigmoid(x)"


def test_maxout_is_convex_and_reduces_to_relu():
    s = sheet("maxout")
    assert s["convexity"] == "convex" and s["shift_invariant"] is False
    assert s["jacobian_at_zero"] is None  # a tie: not differentiable
    assert s["reduces_to"][0]["identity"] == "maxout([x, 0])_1 = relu(x)"


def test_temperature_changes_the_sheet():
    s = derive(symact.get("softmax", temperature=2)).to_dict()
    assert s["lipschitz"]["exact"] == "1/4"
    assert s["reduces_to"][0]["identity"] == "softmax([x, 0])_1 = sigmoid(x/2)"
