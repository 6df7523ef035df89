"""The generated NumPy functions against the arbitrary-precision reference, over the whole catalog.

Accuracy bound, for f^(n) at a double x with exact value g = f^(n)(x) != 0:

    |computed - g| <= TOL_ULPS * max(1, kappa(x)) ulp(g),    kappa(x) = |x g'(x) / g(x)|,

kappa being the condition number of g at x (the relative change of g per relative change of x); where g = 0
exactly the error must stay below TOL_ULPS * eps * |x g'(x)| plus a few subnormal units. So where the function
is well conditioned the error is at most TOL_ULPS ulp, and near a root or in a far tail (GELU at -37) it may
grow as the problem itself does.
"""

from __future__ import annotations

import math
import platform
import subprocess
import sys
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import parameter_ends, q_mp

import symact
from symact.numerics import compiled, numpy_function
from symact.numerics.generate import condition, ulp, ulps
from symact.numerics.pieces import breakpoints, pieces
from symact.numerics.primitives import elementary
from symact.numerics.reference import Reference

TOL_ULPS = 4.0
EPS = 2.0**-52

SCALARS = [n for n in symact.names() if symact.get(n).kind == "scalar"]
VECTORS = [n for n in symact.names() if symact.get(n).kind == "vector"]
CASES = [(name, n) for name in SCALARS for n in (0, 1, 2)]
TAILS = (20.0, 37.0, 709.78, 745.0)
EXTREMES = (0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308, 1e-300,
            -1e-300, 1e308, -1e308, 1.7976931348623157e308, -1.7976931348623157e308, 1e200, -1e200,
            1e154, -1e154, 1e20, -1e20, 709.78, -709.78, 710.5, -710.5, 745.2, -745.2, 1000.0, -1000.0)


def _breakpoints(act) -> list[float]:
    """Where the pieces meet (from the Piecewise conditions; the property sheet lists the same points)."""
    return sorted({float(b) for b in breakpoints(pieces(act.expr))})


def grid(act) -> list[float]:
    """Deterministic points: [-1000, 1000], dense near 0, around every breakpoint, and in the tails."""
    pts = {float(v) for v in np.linspace(-1000, 1000, 41)}
    pts |= {float(v) for v in np.linspace(-8, 8, 81)}
    # every 0.07 in [-16, 16]: where a formula's terms nearly cancel (GELU' = Phi + x phi at x < 0, Mish'',
    # x - tanh x) a Pade cell takes over, and the cells' edges must hold too
    pts |= {float(v) for v in np.arange(-16.0, 16.0, 0.07)}
    for k in range(-60, 11, 3):
        pts |= {2.0**k, -(2.0**k), 1.37 * 2.0**k, -1.37 * 2.0**k}
    for t in TAILS:
        pts |= {s * t * f for s in (-1, 1) for f in (0.999, 1.0, 1.001)}
    for b in _breakpoints(act):
        scale = max(1.0, abs(b))
        pts |= {b, float(np.nextafter(b, -np.inf)), float(np.nextafter(b, np.inf))}
        pts |= {b + s * d * scale for s in (-1, 1) for d in (1e-12, 1e-6, 1e-3, 0.1)}
    # below 2^-960, where x / c or c x underflows for a parameter c (at other points than the generator's)
    for k in range(962, 1075, 4):
        pts |= {1.71 * 2.0**-k, -1.71 * 2.0**-k}
    pts |= {0.0, 5e-324, -5e-324, 1e-300, -1e-300}
    return sorted(pts)


def _check_points(act, n: int, points: list[float], tol: float = TOL_ULPS) -> list[tuple]:
    f = numpy_function(act, n)
    ref, slope = Reference(act.expr, n), Reference(act.expr, n + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(np.asarray(points, dtype=np.float64))
    failures = []
    for v, g in zip(points, got, strict=True):
        want = ref(v)
        err = ulps(float(g), want)
        if err <= tol:
            continue
        if want == 0:
            with mpmath.workdps(40):
                limit = tol * EPS * abs(v * slope(v)) + 4 * 2.0**-1074
            if abs(g) <= limit:
                continue
        elif err <= tol * max(1.0, condition(ref, slope, v)):
            continue
        failures.append((v, float(g), float(want), err))
    return failures


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n"), CASES)
def test_accuracy_on_grid(name: str, n: int) -> None:
    act = symact.get(name)
    failures = _check_points(act, n, grid(act))
    assert not failures, f"{name}^({n}): {len(failures)} points beyond the bound, e.g. {failures[:4]}"


#: Every 1/1024 on [-3, 3], shifted off the grid's points, where the formulas' terms cancel: the error of
#: such a sum is erratic, with peaks much narrower than the grid's 0.07 (GELU' reached 6.2 ulp near -1.59
#: here, between the grid's points, before its cell there).
DENSE = [float(v) for v in np.arange(-3.0, 3.0, 2.0**-10) + 0.000731]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n"), CASES)
def test_accuracy_dense(name: str, n: int) -> None:
    failures = _check_points(symact.get(name), n, DENSE)
    assert not failures, f"{name}^({n}): {len(failures)} points beyond the bound, e.g. {failures[:4]}"


#: 1.01 apart from 10 to 100 and 1.02 from 100 to 1000: a factor expit(-c |x|) is a subnormal where c |x|
#: is in [708, 745], a band 5% wide whatever c is, e^(-c x^2) one 2.5% wide, and a large cofactor there
#: (GELU-sigmoid'' = 1.702^2 x t ... at x = -420) makes the missing bits visible; scipy's ndtr is 0 on
#: GELU's band, [-38.5, -37.5].
UNDERFLOW_BAND = [float(s * v) for v in np.concatenate([np.geomspace(10.0, 100.0, 232)[:-1],
                                                        np.geomspace(100.0, 1000.0, 117)]) for s in (-1, 1)]
#: Where x^2 overflows, from 1.3e154 on, 1 / (1 + x^2) is still a subnormal up to 4.5e161 (arctan').
SQUARE_OVERFLOW_BAND = [float(s * v) for v in np.geomspace(1e150, 1e170, 41) for s in (-1, 1)]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n"), CASES)
def test_accuracy_where_a_factor_underflows(name: str, n: int) -> None:
    failures = _check_points(symact.get(name), n, UNDERFLOW_BAND + SQUARE_OVERFLOW_BAND)
    assert not failures, f"{name}^({n}): {len(failures)} points beyond the bound, e.g. {failures[:4]}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "n"), CASES)
def test_accuracy_random(name: str, n: int) -> None:
    act = symact.get(name)
    numpy_function(act, n)  # compile outside hypothesis' timing

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True))
    def check(v: float) -> None:
        failures = _check_points(act, n, [v])
        assert not failures, f"{name}^({n}) at {v!r}: {failures}"

    check()


#: Parameter values away from the defaults: the generator must not rely on a coefficient being 1 (sin(3x)
#: overflows at 1e308 where sin(x) does not; sqrt(5)^2 is not 5 in floating point).
PARAMETERS = [
    ("elu", {"alpha": "2.5"}), ("celu", {"alpha": "0.3"}), ("isrlu", {"a": "3"}),
    ("leaky_relu", {"negative_slope": "0.2"}), ("prelu", {"a": "1.5"}),
    ("thresholded_relu", {"theta": "-0.5"}), ("threshold", {"threshold": "2", "value": "3"}),
    ("swish", {"beta": "0.3"}), ("gelu", {"mu": "0.5", "sigma": "2"}), ("snake", {"a": "3"}),
    ("softshrink", {"lambd": "2"}), ("hardshrink", {"lambd": "0.1"}), ("isru", {"a": "0.2"}),
    ("hard_tanh", {"min_val": "-2", "max_val": "0.5"}),
    ("softplus", {"beta": "0.1"}), ("squareplus", {"b": "0.01"}),
]
PARAMETER_CASES = [(name, params, n) for name, params in PARAMETERS for n in (0, 1, 2)]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params", "n"), PARAMETER_CASES)
def test_accuracy_at_other_parameters(name: str, params: dict, n: int) -> None:
    act = symact.get(name, **params)
    assert act.params != symact.get(name).params
    points = grid(act) + list(EXTREMES)
    failures = _check_points(act, n, points)
    assert not failures, f"{name}{params}^({n}): {len(failures)} points beyond the bound, e.g. {failures[:4]}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params", "n"), [
    (name, {p: str(v)}, n) for name, p, v in parameter_ends("scalar") for n in (0, 1, 2)])
def test_accuracy_at_the_ends_of_the_parameter_range(name: str, params: dict, n: int) -> None:
    """Parameters move breakpoints and features far from 0 (GELU'' at mu = 1e3 lives around 1000), and
    scale what underflows (swish'' at beta = 1e3 multiplies a subnormal expit(-1000 |x|) by about 7e5)."""
    act = symact.get(name, **params)
    failures = _check_points(act, n, grid(act) + list(EXTREMES))
    assert not failures, f"{name}{params}^({n}): {len(failures)} points beyond the bound, e.g. {failures[:4]}"


@pytest.mark.parametrize(("name", "params", "call", "lo", "hi"), [
    ("swish", {"beta": "1000"}, "_expit_neg_abs_rescaled(", 0.69, 0.75),
    ("gelu", {"sigma": "0.0183"}, "_exp_rescaled(", 0.675, 0.72),
])
def test_an_underflowing_factor_is_rescaled(name: str, params: dict, call: str, lo: float, hi: float) -> None:
    """swish'' at beta = 1e3 is 2000 t (1 - t) (1 - 500 x tanh(500 x)) with t = expit(-1000 |x|): near
    x = +-0.73, t is a subnormal (1e-317) and the result about 7e5 t, which kept t's missing bits (up to
    2.5e5 ulp). GELU'' at sigma = 0.0183 is 1.3e-3 (33489 - 5e7 x^2) e^(-1493 x^2): near x = +-0.7 the
    exponential is a subnormal and its cofactor about 3e4 (up to 1.4e4 ulp, 9.5 times the condition
    number). There the factor is computed e^512 times larger and the result scaled back. At the default
    parameters, where the cofactor is small, the kernel is left as it is."""
    act = symact.get(name, **params)
    text = compiled(act, 2)[1]
    assert call in text and "_unscaled(" in text, text
    xs = [float(s * v) for v in np.linspace(lo, hi, 101) for s in (-1, 1)]
    assert not _check_points(act, 2, xs)
    assert "_rescaled" not in compiled(symact.get(name), 2)[1]


def test_rescaled_logistic_primitive() -> None:
    from symact.numerics.primitives import NAMESPACE

    u = np.array([-800.0, -700.0, -693.0, 0.0, 693.5, 730.0, 745.0, 1024.0, np.nan])
    t, where = NAMESPACE["_expit_neg_abs_rescaled"](u)
    np.testing.assert_array_equal(where, [0, 1, 4, 5, 6, 7])
    with mpmath.workdps(40):
        for v, g in zip(u[where], t[where], strict=True):
            assert ulps(float(g), mpmath.exp(512 - abs(mpmath.mpf(v)))) <= 1.0
    back = NAMESPACE["_unscaled"](t.copy(), where)
    np.testing.assert_array_equal(back[[2, 3]], t[[2, 3]])  # only the scaled elements are scaled back
    with mpmath.workdps(40):
        # 1e-304: exp's error, then the product with e^-512 (rounded) and its rounding, so about 2 ulp at
        # the most (1.58 seen on [-740, -694] with NumPy's AVX-512 exp, itself within 0.65 ulp there)
        assert ulps(float(back[1]), 1 / (1 + mpmath.exp(700))) <= 2.0
        assert ulps(float(back[5]), 1 / (1 + mpmath.exp(730))) <= 0.51  # 1e-317: a subnormal, to its last bit


def test_rescaled_exp_primitive() -> None:
    from symact.numerics.primitives import NAMESPACE

    u = np.array([-800.0, -700.0, -693.0, 0.0, -745.0, np.nan])
    e, where = NAMESPACE["_exp_rescaled"](u)
    np.testing.assert_array_equal(where, [0, 1, 4])
    np.testing.assert_array_equal(u[[2, 3]], [-693.0, 0.0])  # the argument is left as it was
    np.testing.assert_array_equal(e[[2, 3]], np.exp(u[[2, 3]]))
    assert np.isnan(e[5])
    with mpmath.workdps(40):
        for v, g in zip(u[where], e[where], strict=True):
            assert ulps(float(g), mpmath.exp(512 + mpmath.mpf(v))) <= 1.0
        back = NAMESPACE["_unscaled"](e, where)
        assert ulps(float(back[4]), mpmath.exp(-745)) <= 0.51  # a subnormal, to its last bit


@pytest.mark.parametrize(("name", "n"), CASES)
def test_extremes_finite_and_silent(name: str, n: int) -> None:
    """No warning, no NaN, and no inf where the exact value is a finite double, at extreme inputs."""
    act = symact.get(name)
    f = numpy_function(act, n)
    ref = Reference(act.expr, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(np.asarray(EXTREMES))
    slope = Reference(act.expr, n + 1)
    for v, g in zip(EXTREMES, got, strict=True):
        want = ref(v)
        assert not np.isnan(g), f"{name}^({n})({v!r}) is NaN"
        if abs(want) < mpmath.mpf(np.finfo(float).max):
            assert np.isfinite(g), f"{name}^({n})({v!r}) = {g}, exact value {want}"
            if abs(v) < 1e20 or condition(ref, slope, v) < 1e3:  # else any value is within the bound
                assert abs(g - want) <= max(abs(want) * 1e-9, 1e-300), f"{name}^({n})({v!r}) = {g}"


@pytest.mark.parametrize(("name", "n"), CASES)
def test_nan_propagates(name: str, n: int) -> None:
    f = numpy_function(symact.get(name), n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = f(np.array([np.nan, 0.5, np.nan]))
        assert np.isnan(out[0]) and np.isnan(out[2]) and not np.isnan(out[1])
        assert np.isnan(f(float("nan")))


def _limit(q: dict) -> float:
    """A sheet's limit as a double: NaN where it does not exist."""
    return np.nan if q["value"] is None else float(q_mp(q))


@pytest.mark.parametrize(("name", "n"), CASES)
def test_infinite_input_gives_the_limit(name: str, n: int) -> None:
    """f^(n)(-inf) and f^(n)(+inf) are the limits there (NaN where there is none: sin x), silently. For
    f and f' the limits are the property sheet's (SymPy's); for f'' the reference's at +-1e200 and
    +-1e250 where they agree (the generator looks at 1e300 and 1.4e306)."""
    act = symact.get(name)
    if n < 2:
        limits = act.properties.to_dict()["limits"]
        prefix = "f" if n == 0 else "df"
        want = [_limit(limits[f"{prefix}_neg_inf"]), _limit(limits[f"{prefix}_pos_inf"])]
    else:
        ref = Reference(act.expr, 2)
        want = []
        for sign in (-1.0, 1.0):
            a, b = ref.value(sign * 1e200), ref.value(sign * 1e250)
            want.append(b if a == b else 0.0 if max(abs(a), abs(b)) < 1e-150 else np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = numpy_function(act, n)(np.array([-np.inf, np.inf]))
    np.testing.assert_array_equal(got, want, err_msg=f"{name}^({n}) at -inf, +inf")


@pytest.mark.parametrize(("name", "n"), CASES)
def test_dtypes_and_scalars(name: str, n: int) -> None:
    f = numpy_function(symact.get(name), n)
    xs = np.array([-7.5, -1.0, -0.25, 0.0, 0.3, 2.0, 9.0])
    y64 = f(xs)
    assert y64.dtype == np.float64 and y64.shape == xs.shape
    y32 = f(xs.astype(np.float32))
    assert y32.dtype == np.float32
    np.testing.assert_array_equal(y32, f(xs.astype(np.float32).astype(np.float64)).astype(np.float32))
    assert f(xs.astype(np.float16)).dtype == np.float16
    assert f(np.array([-2, 0, 3])).dtype == np.float64
    s = f(0.3)
    assert isinstance(s, np.float64) and s == y64[4]
    assert isinstance(f(np.float32(0.3)), np.float32)
    assert f(np.arange(6.0).reshape(2, 3)).shape == (2, 3)


@pytest.mark.parametrize(("name", "n"), CASES)
def test_rewrite_is_an_identity(name: str, n: int) -> None:
    """The stable pieces, written back in elementary functions, equal SymPy's own derivative."""
    act = symact.get(name)
    from symact.numerics.generate import stable_pieces

    stable = stable_pieces(act.expr, n)
    ref = Reference(act.expr, n)
    for piece in stable:
        lo, hi = piece.where.inf, piece.where.sup
        inside = [float(v) for v in (lo + 0.37, hi - 0.41, (lo + hi) / 2, sp.Rational(-13, 10),
                                     sp.Rational(7, 10), sp.Rational(29, 10))
                  if v.is_finite and piece.where.contains(v) is sp.true]
        if piece.is_point:
            inside = [float(piece.lo)]
        mine = sp.lambdify(symact.x, elementary(piece.expr), "mpmath")
        for v in inside:
            with mpmath.workdps(50):
                assert abs(mine(mpmath.mpf(v)) - ref(v)) <= 1e-30 * max(1, abs(ref(v))), (name, n, v)


@pytest.mark.parametrize(("name", "n"), CASES)
def test_blocks_do_not_change_values(name: str, n: int) -> None:
    """A long array runs block by block (and through the element-subset corrections): every element
    equals the same function applied to that element alone, whatever block it lands in."""
    from symact.numerics import BLOCK

    rng = np.random.default_rng(7)
    xs = np.concatenate([rng.normal(0.0, 4.0, BLOCK + 1000), rng.uniform(-0.7, 0.7, 500),
                         [np.nan, 0.0, -0.0, 1e308, -1e308, 5e-324]])
    f = numpy_function(symact.get(name), n)
    whole = f(xs)
    picks = np.r_[0:40, BLOCK - 20:BLOCK + 20, xs.size - 520:xs.size]
    alone = np.array([f(xs[i:i + 1])[0] for i in picks])
    np.testing.assert_array_equal(whole[picks], alone)
    np.testing.assert_array_equal(f(xs.reshape(-1, 2)).ravel(), whole)
    # computed into the result's blocks or not, the same values as the kernel run on the whole array
    kernel = compiled(symact.get(name), n)[0]
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(np.broadcast_to(kernel(xs), xs.shape), whole)


def test_blocks_are_computed_into_the_result() -> None:
    """Where the last operation can write into the result (an operator, a ufunc, a primitive that takes
    ``out``), a blocked kernel computes each block into its slice of the result, with no copy."""
    from symact.numerics import _into_kernel
    from symact.numerics.generate import into_source

    text = ("def f(x):\n    x0 = x\n    v0 = -x0 * 2.0\n    v0 = _patch(v0, x0, 0.5, lambda u: u)\n"
            "    return v0\n")
    assert "v0 = numpy.multiply(-x0, 2.0, out=out)" in into_source(text)
    assert into_source("def f(x):\n    return _with_nans(x, 0.5 * (x > 0))\n") is None
    assert into_source("def f(x):\n    x0 = x\n    return x0\n") is None
    for name, n in (("logcosh", 0), ("squareplus", 0), ("silu", 1), ("sigmoid", 0), ("mish", 0)):
        into = _into_kernel(compiled(symact.get(name), n)[1])
        assert into is not None, (name, n)
        xs = np.linspace(-800.0, 800.0, 4001)
        out = np.empty_like(xs)
        with np.errstate(all="ignore"):
            assert into(xs, out) is out
        np.testing.assert_array_equal(out, numpy_function(symact.get(name), n)(xs))


FAULTS = """
import resource
import numpy as np
import symact

x = np.random.default_rng(0).normal(0.0, 4.0, {size})
for name, n in {cases}:
    f = symact.get(name).numpy(n)
    f(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        f(x)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's dynamic mmap threshold")
@pytest.mark.parametrize("size", [20_000, 65_536, 200_000])
def test_block_temporaries_do_not_page_fault(size: int) -> None:
    """A fresh process, where glibc maps every block above 128 KiB afresh and unmaps it on free: a kernel's
    block temporaries would page-fault on every call (mish: 43,000 faults in 20 calls on 65,536
    elements). The first kernel function made raises the threshold; 20 calls then fault a few pages at
    most, as in a process that already held a large array."""
    cases = [("mish", 0), ("squareplus", 2), ("gelu", 1)]
    done = subprocess.run([sys.executable, "-c", FAULTS.format(size=size, cases=cases)], capture_output=True,
                          text=True, timeout=120, check=True)
    faults = [int(v) for v in done.stdout.split()]
    assert max(faults) < 200, dict(zip(cases, faults, strict=True))


@pytest.mark.parametrize(("name", "n", "lo", "hi", "cell"), [
    ("gelu", 1, -3.0, -0.5, -4),
    ("gelu_tanh", 2, 0.6, 0.8, 1),
])
def test_cancelling_formulas_get_pade_cells(name: str, n: int, lo: float, hi: float, cell: int) -> None:
    """GELU' = Phi(x) + x phi(x) cancels for x < 0 (several ulp lost near -1.25): the generator finds
    the cells where it does and puts a Pade approximant there, and the values there are accurate. The
    grid is dense, since the peaks are narrow: GELU' on [-2, -1.5) looks accurate at the generator's first
    32 points (2.2 ulp) and reaches 6.5 near -1.59 without its cell; GELU-tanh'' (a sum of five terms)
    reaches 5.9 near 0.67, where 256 points see 3.5."""
    from symact.numerics.generate import build

    act = symact.get(name)
    _, text, segments = build(act.expr, n)
    assert "_cells(" in text
    (seg,) = segments
    assert seg.cells and all(-5.0 <= k * 0.5 < 2.5 for k in seg.cells), seg.cells
    assert cell in seg.cells, seg.cells
    xs = [float(v) for v in np.linspace(lo, hi, 2501)]
    assert not _check_points(act, n, xs, tol=3.0)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "params", "n", "lo", "hi", "width"), [
    ("gelu", {"sigma": "1/1000"}, 0, -0.003, 0.0, 2.0**-11),
    ("gelu", {"sigma": "1/1000"}, 1, -0.003, 0.0, 2.0**-11),
    ("snake", {"a": "1000"}, 0, -0.0015, -0.0005, 2.0**-11),
    ("snake", {"a": "3"}, 0, -0.5, -0.2, 0.125),
])
def test_narrow_features_get_narrow_cells(name: str, params: dict, n: int, lo: float, hi: float,
                                          width: float) -> None:
    """A parameter that narrows a formula's features narrows its Pade cells and the scan that finds them:
    GELU at sigma = 1e-3 lives on |x| < 0.005, where cells 1/2 wide cannot help (f' reached 8.8 times the
    condition number at -0.00125); snake at a = 3 cancels near -0.38, inside the cell next to its root at
    0 (6.9 there), and at a = 1000 near -0.001 (4.5)."""
    act = symact.get(name, **params)
    assert f", {width!r}, [" in compiled(act, n)[1]
    xs = [float(v) for v in np.linspace(lo, hi, 1501)] + [-0.001005, -0.001344, -0.001247, -0.3493]
    failures = _check_points(act, n, [v for v in xs if lo <= v <= hi])
    assert not failures, f"{name}{params}^({n}): {len(failures)} points beyond the bound, e.g. {failures[:4]}"


def test_logistic_sums_are_factored_where_that_saves_cells() -> None:
    """SiLU' = expit(x) + x expit(x) expit(-x) cancels near x = -2.75 (a Pade cell there); written as
    expit(x) (1 + x expit(-x)) it needs none, with 1 + x expit(-x) formed as (1 + min(x, 0)) + |x| t
    (1 + x (1 - t) reached 3.5 ulp at -2.6366). So is GELU-sigmoid' = expit(u) (1 + u expit(-u)),
    u = 1.702 x (as a sum, 3.4 ulp near -1.71 and a cell)."""
    import sympy as sp

    from symact.numerics.generate import build
    from symact.numerics.primitives import Expit, LogisticDensity
    from symact.numerics.printer import _expit_factored

    u = sp.Symbol("u", real=True)
    assert _expit_factored(Expit(u) + u * LogisticDensity(u)) == Expit(u) * (1 + u * Expit(-u))
    assert _expit_factored(Expit(u) + u * LogisticDensity(2 * u)) == Expit(u) + u * LogisticDensity(2 * u)
    assert _expit_factored(Expit(u) + u) == Expit(u) + u
    silu = symact.get("silu")
    _, text, (seg,) = build(silu.expr, 1)
    assert seg.factored and not seg.cells and "_cells(" not in text
    assert "_shifted_times_expit_neg(1, x0, " in text
    xs = [float(v) for v in np.linspace(-4.0, -1.5, 2001)] + [-2.6365966796875]
    assert not _check_points(silu, 1, xs, tol=2.5)
    _, text, (seg,) = build(symact.get("gelu_sigmoid").expr, 1)
    assert seg.factored and not seg.cells and "_shifted_times_expit_neg(1, " in text


@pytest.mark.parametrize("params", [{}, {"a": "3"}])
def test_one_plus_sin_is_accurate_near_and_away_from_its_root(params: dict) -> None:
    """snake' = 1 + sin(2ax) as 2 sin^2(ax + pi/4) everywhere reached 4 ulp near -0.27 (the rounding of
    ax + pi/4, amplified by 2 cot); as it stands it loses everything at its double root -pi/(4a). The
    primitive takes each where it is accurate: within 1.75 ulp on [-1, 0), densely, and at the root and
    next to it (1.00 at worst at a = 1, 1.65 at a = 3, among 8,000 points on [-8, 8])."""
    snake = symact.get("snake", **params)
    a = float(params.get("a", 1))
    xs = [float(v) for v in np.linspace(-1.0, 0.0, 3001, endpoint=False)]
    root = -math.pi / (4 * a)
    xs += [root, math.nextafter(root, 0.0), root + 1e-9, root - 1e-6, -0.2677499999999999 / a]
    assert not _check_points(snake, 1, xs, tol=1.75)


@pytest.mark.parametrize("s", [1, -1])
def test_one_plus_sin_primitive_both_signs(s: int) -> None:
    """1 + s sin u for s = +-1 (the rewrite gives both), on both of its forms, against mpmath: within
    1.5 ulp away from the double root, and within the condition number's bound next to it."""
    from symact.numerics.primitives import _one_plus_sin

    root = -s * math.pi / 2
    us = np.concatenate([np.linspace(-7.0, 7.0, 1401), root + np.array([1e-9, -1e-5, 1e-3, -0.3, 0.5])])
    got = _one_plus_sin(us.copy(), s)
    for u, g in zip(us, got, strict=True):
        with mpmath.workdps(40):
            want = 1 + s * mpmath.sin(mpmath.mpf(float(u)))
            kappa = abs(float(u) * s * mpmath.cos(float(u)) / want)
        assert ulps(float(g), want) <= 1.5 * max(1.0, kappa), (u, g)
    assert np.isnan(_one_plus_sin(np.array([np.nan]), s)[0])


def test_a_negated_product_flips_a_difference() -> None:
    """-t (1 - t) g is printed (t - 1) t g: the negation is no array pass of its own (sigmoid''), and
    fl(t - 1) = -fl(1 - t), so the values are those of the formula as written. A difference whose flip
    would need a negation of its own (-(1 + t)) stays as it is."""
    from symact.numerics.printer import StablePrinter

    t, g = sp.symbols("t g", real=True)
    printer = StablePrinter({"fully_qualified_modules": True})
    assert printer.doprint(-t * (1 - t) * g) == "g*t*(t - 1)"
    assert printer.doprint(-t * (1 + t) * g) == "-g*t*(t + 1)"
    text = compiled(symact.get("sigmoid"), 2)[1]
    assert "(v0_t0 - 1)" in text and "-v0" not in text, text


def test_powers_of_hypot_are_accurate() -> None:
    """ISRU'' = -3x (1 + x^2)^(-5/2): the fifth power of a rounded hypot would lose up to 6 ulp; the
    compensated sum of squares keeps the whole derivative within 2.5."""
    act = symact.get("isru")
    assert "_hypot_pow(" in compiled(act, 2)[1]
    xs = [float(v) for v in np.linspace(-2.0, 2.0, 201)] + [1.27e-7, -3e-4]
    assert not _check_points(act, 2, xs, tol=2.5)


@pytest.mark.parametrize("c", [1.0, 2.0])
def test_powers_of_hypot_are_exact_products(monkeypatch: pytest.MonkeyPatch, c: float) -> None:
    """(u^2 + c^2)^(k/2) for |k| = 3, 4, 5 from exact products (Dekker's) and an exactly squared square
    root, not np.power (libm's pow, element by element, which leaves 1.7 ulp for k = -3 and -5): within
    1 ulp for k < 0 (the division's rounding and the correction's), half an ulp for k > 0. Multiplying
    d^2 by the rounded 1 + correction instead leaves 1.2 for k = 4. arctan'', ISRU', ISRU'' and
    squareplus'' use it."""
    from symact.numerics import primitives

    assert "_hypot_pow(x0, 1, -4, 1" in compiled(symact.get("arctan"), 2)[1]
    assert "_hypot_pow(x0, 2, -3, 0" in compiled(symact.get("squareplus"), 2)[1]
    rng = np.random.default_rng(3)
    wide = np.exp(rng.uniform(-20, 18, 1000)) * rng.choice([-1, 1], 1000)  # below 2^27: no far elements
    u = np.concatenate([rng.normal(0.0, 2.0, 3000), wide])

    def no_power(*args, **kwargs):
        raise AssertionError("np.power called")

    for k in (-5, -4, -3, 3, 4, 5):
        with monkeypatch.context() as m:
            m.setattr(primitives.np, "power", no_power)
            got = primitives._hypot_pow(u, c, k, 0, c2=c * c)
        with mpmath.workdps(40):
            worst = max(ulps(float(g), (mpmath.mpf(float(v)) ** 2 + c * c) ** (mpmath.mpf(k) / 2))
                        for v, g in zip(u, got, strict=True))
        assert worst <= (1.0 if k < 0 else 0.5) * 1.01, (k, worst)
    # u^m inside: -2u (u^2 + c^2)^-2 (arctan'' at c = 1) rounds twice, not three times (2.05 ulp)
    got = primitives._hypot_pow(u, c, -4, 1, c2=c * c, scale=-2.0)
    with mpmath.workdps(40):
        worst = max(ulps(float(g), -2 * mpmath.mpf(float(v)) * (mpmath.mpf(float(v)) ** 2 + c * c) ** -2)
                    for v, g in zip(u, got, strict=True))
    assert worst <= 1.01, worst


def test_times_expit_tail_and_near_half() -> None:
    """SiLU = x / (1 + e^-x): below -709.78 e^-x overflows, and x e^x must not go through a subnormal
    e^x (x in [-714, -709] has a normal result); log-sigmoid' = expit(-x) stays within 1.5 ulp just
    below 1/2, where scipy's 1 / (1 + e^-u) loses up to 1.8."""
    silu = symact.get("silu")
    assert "_times_expit(" in compiled(silu, 0)[1]
    xs = [float(v) for v in np.linspace(-714.0, -709.0, 41)]
    assert not _check_points(silu, 0, xs, tol=1.5)
    xs = [float(v) for v in np.linspace(-0.05, 0.05, 201)] + [0.03, 0.001]
    assert not _check_points(symact.get("log_sigmoid"), 1, xs, tol=1.5)


def test_mish_is_compensated() -> None:
    """Mish = x tanh(softplus(x)) in compensated arithmetic: within 1.25 ulp on dense and random points
    (the chain x tanh(log1p(e^x)) reaches 2.1), in the tail where e^x is subnormal, and with |x| up to
    1e308, where the product with x cannot be split and is rounded once more."""
    mish = symact.get("mish")
    assert "_times_tanh_softplus(" in compiled(mish, 0)[1]
    rng = np.random.default_rng(3)
    xs = [float(v) for v in np.linspace(-12.0, 12.0, 961)] + [float(v) for v in rng.uniform(-4, 4, 400)]
    xs += [float(v) for v in np.linspace(-714.0, -700.0, 29)] + [-0.0214, 1e-8, -1e-8, 40.0, 800.0]
    assert not _check_points(mish, 0, xs, tol=1.25)
    assert not _check_points(mish, 0, [1e300, -1e300, 1.7e308, -1.7e308, 2.0**996, 2.0**997], tol=2.0)
    f = numpy_function(mish, 0)
    assert np.signbit(f(-0.0)) and not np.signbit(f(0.0)) and np.isnan(f(np.nan))


def test_times_tanh_softplus_is_compensated() -> None:
    """v tanh(softplus(u)) for v other than u (the primitive is not Mish's alone): within 1.25 ulp."""
    from symact.numerics.primitives import NAMESPACE

    rng = np.random.default_rng(4)
    v = rng.normal(0.0, 50.0, 300)
    u = np.concatenate([rng.normal(0.0, 3.0, 200), rng.uniform(-700.0, 700.0, 100)])
    got = NAMESPACE["_times_tanh_softplus"](v, u)
    with mpmath.workdps(40):
        worst = max(ulps(float(g), mpmath.mpf(a) * mpmath.tanh(mpmath.log1p(mpmath.exp(b))))
                    for g, a, b in zip(got, v, u, strict=True))
    assert worst <= 1.25, worst


def test_inexact_constants_are_multiplied_in_exactly() -> None:
    """GELU'' = sqrt(2/pi) (1 - x^2/2) e^(-x^2/2): the constant times the polynomial is formed exactly
    (Dekker), so the constant's rounding and that product's cost nothing. Within 1.6 ulp on dense and random
    points, where the plain product reaches 2.1; where a is too large to split, a g c as it is."""
    gelu = symact.get("gelu")
    assert "_scaled_product(" in compiled(gelu, 2)[1]
    rng = np.random.default_rng(6)
    xs = [float(v) for v in np.linspace(-6.0, 6.0, 1201)] + [float(v) for v in rng.uniform(-6, 6, 1500)]
    assert not _check_points(gelu, 2, xs, tol=1.6)
    from symact.numerics.primitives import NAMESPACE

    a, g = np.array([1e308, -1e308, 2.0, np.nan]), np.array([0.5, 0.5, 0.25, 1.0])
    with np.errstate(all="ignore"):
        big = NAMESPACE["_scaled_product"](a, g, 3.0, 3.0, 0.0)
        np.testing.assert_array_equal(big, [1.5e308, -1.5e308, 1.5, np.nan])  # a g first, as printed
        big = NAMESPACE["_scaled_product"](a, g, 0.75, 0.75, 0.0)
    np.testing.assert_array_equal(big, [3.75e307, -3.75e307, 0.375, np.nan])  # a too large to split


def test_log_cosh_near_zero_and_overflow() -> None:
    """log cosh x: a Pade approximant where cosh x < cosh 0.8 (log(cosh x) loses up to 10 ulp at 0.5), and
    |x| - log 2 where cosh overflows."""
    act = symact.get("logcosh")
    xs = [float(v) for v in np.linspace(-1.2, 1.2, 241)] + [1e-8, -3e-4, 710.4, -710.5, 800.0, 1e300]
    assert not _check_points(act, 0, xs, tol=2.0)


def test_tanh_half_switches_to_pade_below_1() -> None:
    """tanh(|u|/2) = 1 - 2t for t = expit(-|u|), and a Pade approximant where |u| < 1 (1 - 2t loses up to
    3 ulp there): the switch is read from t, so it must sit between |u| = 1 and 1 + 1e-12."""
    from symact.numerics.primitives import _T_AT_1, NAMESPACE

    with mpmath.workdps(40):
        assert mpmath.mpf(_T_AT_1) < 1 / (1 + mpmath.e) and float(1 / (1 + mpmath.exp(1 + 1e-12))) < _T_AT_1
    u = np.concatenate([np.linspace(-1.5, 1.5, 3001), np.nextafter(1.0, [0.0, 2.0]), [1.0 - 1e-12, 1e-300]])
    u = np.concatenate([u, -u])
    got = NAMESPACE["_tanh_half_abs"](u, NAMESPACE["_expit_neg_abs"](u))
    with mpmath.workdps(40):
        worst = max(ulps(float(g), mpmath.tanh(abs(mpmath.mpf(v)) / 2)) for g, v in zip(got, u, strict=True))
    assert worst <= 2.5, worst  # 2.2 just above 1; 1 - 2t would reach 5 at 0.5 and 20 at 0.1


def test_ndtr_keeps_its_subnormal_tail() -> None:
    """scipy.special.ndtr is 0 from about -37.52 on, where Phi(x) is a subnormal down to -38.47 (GELU' =
    Phi + x phi lost Phi's part there: 2.4e10 ulp at -37.84). The primitive takes exp(log_ndtr(x)) below
    -37.5, and is scipy's ndtr above."""
    from symact.numerics.primitives import NAMESPACE

    u = np.concatenate([np.linspace(-38.6, -37.51, 110), [-39.0, -1e300]])
    got = NAMESPACE["_ndtr"](u)
    with mpmath.workdps(40):
        # in ulps over the condition number |x phi(x) / Phi(x)|, about x^2 + 1 = 1400 here
        worst = max(ulps(float(g), mpmath.ncdf(v)) / max(1, abs(v * mpmath.npdf(v) / mpmath.ncdf(v)))
                    for g, v in zip(got, map(mpmath.mpf, u), strict=True) if mpmath.ncdf(v) > 0)
    assert worst <= 1.5, worst
    v = np.array([np.nan, -37.5, -3.0, 0.0, 40.0])
    np.testing.assert_array_equal(NAMESPACE["_ndtr"](v), scipy.special.ndtr(v))


@pytest.mark.parametrize("size", [0, 1, 9, 100, 1_000, 65_536, 100_003])
@pytest.mark.parametrize("share", [0.0, 0.005, 0.01, 0.011, 0.05, 0.0999, 0.1, 0.1001, 0.5, 1.0])
def test_indices_are_flatnonzero(size: int, share: float) -> None:
    """The padded walk gives NumPy's indices, exactly, at every share of set elements (the pad is used
    from 1% to 10%), including at the ends of the mask."""
    from symact.numerics.primitives import _indices

    mask = np.random.default_rng(size).random(size) < share
    if size:
        mask[0] = mask[-1] = share >= 0.05
    got = _indices(mask)
    np.testing.assert_array_equal(got, np.flatnonzero(mask))
    assert got.dtype == np.intp
    if size == 100:  # indices into the flattened array, as flatnonzero's, whatever the mask's shape
        np.testing.assert_array_equal(_indices(mask.reshape(4, 25)), np.flatnonzero(mask))


def test_cells_put_each_approximant_on_its_own_elements() -> None:
    """``_cells`` leaves v outside [lo, lo + k width) and in a cell without an approximant, and puts
    approx[k](u) on the elements of cell k only (u in random order, NaN and the ends included)."""
    from symact.numerics.generate import _cells

    u = np.random.default_rng(3).permutation(np.concatenate([
        np.linspace(-3.0, 3.0, 6001), [np.nan, -1.5, -1.0, -0.5, 0.0, 0.5, np.inf, -np.inf]]))
    v = np.full_like(u, 7.0)
    approx = [lambda w: w + 100.0, None, lambda w: w * 0.0 - 1.0, lambda w: np.sqrt(w + 2.0)]
    got = _cells(v.copy(), u, -1.5, 0.5, approx)
    want = v.copy()
    for k, fn in enumerate(approx):
        inside = (u >= -1.5 + 0.5 * k) & (u < -1.0 + 0.5 * k)
        if fn is not None:
            want[inside] = fn(u[inside])
    np.testing.assert_array_equal(got, want)
    assert np.count_nonzero(got != 7.0) > 1000
    same = u.copy()
    assert set(_cells(same, same, -1.5, 0.5, approx)[u == -1.5]) == {98.5}
    np.testing.assert_array_equal(same, u)  # v is u: the caller's array is left as it was


def test_squareplus_both_sides() -> None:
    """squareplus = (x + sqrt(x^2 + 4)) / 2 = 2 / t + max(x, 0) with t = |x| + sqrt(x^2 + 4): no
    cancellation for x < 0, and no overflow of x^2 at +-1e200."""
    act = symact.get("squareplus")
    xs = [float(v) for v in np.geomspace(1e-3, 1e6, 200)]
    xs += [-v for v in xs] + [1e200, -1e200, 1.7e308, -1.7e308, 1e154, -1e154]
    assert not _check_points(act, 0, xs, tol=2.0)


def test_relu_derivative_is_exact() -> None:
    f = numpy_function(symact.get("relu"), 1)
    xs = np.array([np.nan, -np.inf, -1e308, -5e-324, -0.0, 0.0, 5e-324, 1.0, 1e308, np.inf])
    np.testing.assert_array_equal(f(xs), [np.nan, 0, 0, 0, 0, 0, 1, 1, 1, 1])


def test_generated_code_is_cached() -> None:
    act = symact.get("silu")
    assert compiled(act, 1) is compiled(symact.get("silu"), 1)


def test_parameters_change_the_function() -> None:
    a, b = symact.get("elu"), symact.get("elu", alpha=2)
    assert numpy_function(a, 0)(-1.0) != numpy_function(b, 0)(-1.0)
    assert numpy_function(b, 0)(-1.0) == pytest.approx(2 * np.expm1(-1.0), rel=1e-15)


@pytest.mark.parametrize(("n", "error"), [(3, ValueError), (-1, ValueError), (True, TypeError),
                                        (1.0, TypeError), ("1", TypeError), (None, TypeError)])
def test_derivative_order_is_checked(n, error) -> None:
    """numpy(n) takes the integers 0, 1, 2 (NumPy's too); derivative(n) 0 to 20, at once, never a hang."""
    for name in ("relu", "softmax"):
        with pytest.raises(error, match="derivative order"):
            numpy_function(symact.get(name), n)
    gelu = symact.get("gelu")
    with pytest.raises(error if n != 3 else TypeError, match="derivative order"):
        gelu.derivative(n if n != 3 else 3.0)
    with pytest.raises(ValueError, match="from 0 to 20"):
        gelu.derivative(10**9)
    assert numpy_function(symact.get("relu"), np.int64(1))(2.0) == 1.0


def test_outputs_size_is_checked() -> None:
    """outputs(n) takes the sizes the declaration admits, up to the size its closed form can be built at."""
    with pytest.raises(ValueError, match="takes 2, 4"):
        symact.get("glu").outputs(3)
    for bad in (0, -1, 65):
        with pytest.raises(ValueError, match="number of inputs"):
            symact.get("softmax").outputs(bad)
    with pytest.raises(ValueError, match="from 1 to 6"):
        symact.get("sparsemax").outputs(25)
    for bad in (1.5, "2", True):
        with pytest.raises(TypeError, match="number of inputs must be an integer"):
            symact.get("softmax").outputs(bad)
    assert len(symact.get("glu").outputs(np.int64(4))) == 2


@pytest.mark.parametrize("values", [None, [None, 1.0], "1.5", b"1", np.array(["2.0"]),
                                    np.array(["2020-01-01"], dtype="datetime64[D]"),
                                    np.array([1.0, "a"], dtype=object), [1 + 2j]], ids=repr)
def test_only_real_numbers_are_taken(values) -> None:
    """Strings, None and dates are refused, not read as numbers (None was NaN, "1.5" was 1.5)."""
    for name in ("sigmoid", "softmax"):
        with pytest.raises(TypeError, match=f"{name}: .*(real numbers|complex)"):
            symact.get(name).numpy()(values)


def test_masked_and_long_double_input() -> None:
    """A masked array keeps its mask (elementwise functions only); a long double is computed in float64
    and comes back as float64, not dressed as more precise than it is."""
    relu = numpy_function(symact.get("relu"), 0)
    out = relu(np.ma.array([-1.0, 5.0, 2.0], mask=[0, 1, 0]))
    assert isinstance(out, np.ma.MaskedArray) and out.mask.tolist() == [False, True, False]
    assert out.compressed().tolist() == [0.0, 2.0]
    with pytest.raises(TypeError, match="masked"):
        symact.get("softmax").numpy()(np.ma.array([1.0, 2.0], mask=[0, 1]))
    if np.finfo(np.longdouble).bits > 64:
        assert relu(np.array([1.5], dtype=np.longdouble)).dtype == np.float64


@pytest.mark.parametrize("name", VECTORS)
def test_vector_input_shape_and_axis_are_checked(name: str) -> None:
    """A scalar, an axis out of range or not an integer, and a size the activation does not take are
    refused with a message that says which."""
    f = symact.get(name).numpy()
    k = symact.get(name).decl.min_n
    z = np.ones((3, k + symact.get(name).decl.n_step))
    assert f(z).shape[0] == 3 and f(z.T, axis=0).shape[1] == 3
    with pytest.raises(ValueError, match="at least one dimension"):
        f(1.0)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        f(z, axis=2)
    for axis in (None, 1.0, True):
        with pytest.raises(TypeError, match="axis must be an integer"):
            f(z, axis=axis)
    with pytest.raises(ValueError, match=f"takes {k}"):
        f(np.ones((3, k - 1)))
    with pytest.raises(TypeError):
        f(z, temperature=0)  # a parameter is the activation's: symact.get(name, temperature=...)


@pytest.mark.parametrize("name", VECTORS)
def test_vector_dispatches_to_declared_numpy(name: str) -> None:
    act = symact.get(name)
    impl = getattr(act.decl, "numpy_impl", None)
    if impl is None:
        pytest.skip(f"{name} declares no NumPy implementation")
    k = max(act.decl.min_n, 4)
    k += (k - act.decl.min_n) % act.decl.n_step
    xs = np.linspace(-1.3, 2.1, k)
    got = np.asarray(numpy_function(act, 0)(xs), dtype=float)
    outs = act.outputs(k)
    syms = sp.symbols(f"x1:{k + 1}", real=True)
    want = [float(sp.N(o.subs(dict(zip(syms, xs, strict=True))), 20)) for o in outs]
    np.testing.assert_allclose(got.ravel(), want, rtol=1e-12, atol=1e-15)


def test_ulp_helper() -> None:
    assert float(ulp(mpmath.mpf(1))) == EPS
    assert float(ulp(mpmath.mpf("0.99"))) == EPS / 2
    assert ulps(1.0, mpmath.mpf(1) + mpmath.mpf(EPS)) == 1.0


# -- PyTorch's autograd at the breakpoints ------------------------------------------------------------

TORCH_CASES = [name for name in SCALARS
               if any(e.framework == "pytorch" for e in symact.get(name).decl.equivalents)]
#: Declarations whose Piecewise conditions pick the other side from PyTorch at a breakpoint (the catalog
#: writes ``x >= 0`` where PyTorch's kernel tests ``x > 0``). Strict: the test fails as soon as a
#: declaration is brought in line.
TORCH_DIFFERS: set[str] = set()  # every breakpoint side follows PyTorch
#: Activations whose PyTorch call has no derivative at all (torch.heaviside).
TORCH_NO_DERIVATIVE = {"binary_step"}


#: PyTorch's values (2.14, float64, autograd) of f and f' at every breakpoint of the activations it has:
#: which side of a breakpoint f' takes is a convention, so it is pinned here, independently of the
#: generator and of the reference (both read the same Piecewise). ``test_breakpoints_match_pytorch``
#: checks this table against PyTorch itself where it is installed. binary_step: torch.heaviside has no
#: derivative in PyTorch; 0 is the derivative on both sides.
PYTORCH_AT_BREAKPOINTS: dict[str, list[tuple[float, float, float]]] = {
    "binary_step": [(0.0, 1.0, 0.0)],
    "elu": [(0.0, 0.0, 1.0)],
    "celu": [(0.0, 0.0, 1.0)],
    "selu": [(0.0, 0.0, 1.7580993408473766)],
    "relu": [(0.0, 0.0, 0.0)],
    "relu6": [(0.0, 0.0, 0.0), (6.0, 6.0, 0.0)],
    "leaky_relu": [(0.0, 0.0, 0.01)],
    "prelu": [(0.0, 0.0, 0.25)],
    "rrelu": [(0.0, 0.0, 0.22916666666666666)],
    "threshold": [(1.0, -1.0, 0.0)],
    "hard_swish": [(-3.0, -0.0, 0.0), (3.0, 3.0, 1.0)],
    "softshrink": [(-0.5, -0.0, 0.0), (0.5, 0.0, 0.0)],
    "hardshrink": [(-0.5, 0.0, 0.0), (0.5, 0.0, 0.0)],
    "softsign": [(0.0, 0.0, 1.0)],
    "hard_sigmoid": [(-3.0, 0.0, 0.0), (3.0, 1.0, 0.0)],
    "hard_tanh": [(-1.0, -1.0, 0.0), (1.0, 1.0, 0.0)],
}


def test_breakpoint_table_covers_the_catalog() -> None:
    """Every breakpoint of every activation PyTorch has is in the table, and nothing else is."""
    ours = {name: _breakpoints(symact.get(name)) for name in TORCH_CASES}
    assert {name: pts for name, pts in ours.items() if pts} == {
        name: [x for x, _, _ in rows] for name, rows in PYTORCH_AT_BREAKPOINTS.items()}


@pytest.mark.parametrize("name", sorted(PYTORCH_AT_BREAKPOINTS))
def test_breakpoint_sides_follow_pytorch(name: str) -> None:
    act = symact.get(name)
    xs, f, d1 = (np.array(column) for column in zip(*PYTORCH_AT_BREAKPOINTS[name], strict=True))
    np.testing.assert_allclose(numpy_function(act, 0)(xs), f, rtol=1e-15, atol=0, err_msg=f"{name} at {xs}")
    np.testing.assert_allclose(numpy_function(act, 1)(xs), d1, rtol=1e-15, atol=0, err_msg=f"{name}' at {xs}")


def _torch_derivatives(call: str, points: list[float]):
    """f, f' and f'' by PyTorch's autograd (f'' None where PyTorch has no double backward)."""
    torch = pytest.importorskip("torch")
    t = torch.tensor(points, dtype=torch.float64, requires_grad=True)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # constants in a call (torch.tensor(1.0)) in x's dtype
    try:
        y = eval(call, {"torch": torch, "x": t})  # noqa: S307 - the catalog's own call strings
    finally:
        torch.set_default_dtype(default)
    if isinstance(y, torch.nn.Module):
        y = y.double()(t)
    (d1,) = torch.autograd.grad(y.sum(), t, create_graph=True)
    d2 = torch.zeros_like(t)
    if d1.requires_grad:
        try:
            (d2,) = torch.autograd.grad(d1.sum(), t, allow_unused=True)
        except RuntimeError:  # hardsigmoid_backward has no derivative
            d2 = None
        else:
            d2 = torch.zeros_like(t) if d2 is None else d2
    return y.detach().numpy(), d1.detach().numpy(), None if d2 is None else d2.detach().numpy()


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(
    strict=True, reason="declared breakpoint side differs from PyTorch")) if n in TORCH_DIFFERS else n
    for n in TORCH_CASES])
def test_breakpoints_match_pytorch(name: str) -> None:
    act = symact.get(name)
    call = next(e.call for e in act.decl.equivalents if e.framework == "pytorch")
    points = _breakpoints(act)
    regular = [-2.7, -0.6, 0.45, 1.8]
    xs = np.asarray(points + regular)
    if name in TORCH_NO_DERIVATIVE:
        with pytest.raises(RuntimeError, match="not implemented"):
            _torch_derivatives(call, points + regular)
        return
    y, d1, d2 = _torch_derivatives(call, points + regular)
    np.testing.assert_allclose(numpy_function(act, 0)(xs), y, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(numpy_function(act, 1)(xs), d1, rtol=1e-7, atol=1e-12,
                               err_msg=f"{name}' at {points}")
    if points:  # the pinned table is PyTorch's
        k = len(points)
        np.testing.assert_allclose(d1[:k], [d for _, _, d in PYTORCH_AT_BREAKPOINTS[name]], rtol=1e-15)
    # second derivatives only away from the breakpoints: there PyTorch is not even consistent with its
    # own first derivative (ELU: f'(0) from the left, f''(0) from the right)
    k = len(points)
    if d2 is not None:
        np.testing.assert_allclose(numpy_function(act, 2)(xs[k:]), d2[k:], rtol=1e-7, atol=1e-12,
                                   err_msg=f"{name}''")
