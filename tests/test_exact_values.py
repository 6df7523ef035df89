"""Exact values of particular sheets, in the SymPy style: identities proved with ``simplify`` and
closed forms of extrema, classes and bounds that a generic numeric check could only approximate.

Numeric references here are computed independently (mpmath ``findroot``, ``lambertw``, ``quad``), never
with the engine's code.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import mpmath
import pytest
import sympy as sp
from reference import F, lambdified, mpf, parse, precision, q_mp

import symact
from symact import x


@pytest.fixture(autouse=True)
def _working_precision():
    """Every comparison at 40 digits (mpmath rounds each result, even a negation, to the context's)."""
    with precision():
        yield


@cache
def sheet(name: str, **params: Any) -> dict[str, Any]:
    return symact.get(name, **params).properties.to_dict()


def expr(name: str, **params: Any) -> sp.Expr:
    return symact.get(name, **params).expr


def is_zero(e: sp.Expr) -> bool:
    """e == 0 identically, by SymPy (rewritten in exponentials when simplify alone cannot tell)."""
    return sp.simplify(e) == 0 or sp.simplify(e.rewrite(sp.exp)) == 0


def exactly(q: dict[str, Any], expected: sp.Expr) -> None:
    """A sheet quantity has a closed form equal to ``expected``."""
    assert q["exact"] is not None, f"no closed form, expected {expected}: {q}"
    e = parse(q["exact"])
    assert sp.simplify(e - expected) == 0 or abs(sp.N(e - expected, 60)) < sp.Float("1e-50"), (e, expected)


def agrees(q: dict[str, Any], expected: mpmath.mpf, digits: int = 28) -> None:
    with precision():
        got = q_mp(q)
        assert abs(got - expected) <= mpmath.mpf(10) ** -digits * max(1, abs(expected)), (got, expected)


def piece(sheet_field: dict[str, Any]) -> sp.Expr:
    return parse(sheet_field["sympy"])


# -- identities between activations ---------------------------------------------------------------
def test_sigmoid_derivative_is_sigmoid_times_one_minus_sigmoid():
    s = expr("sigmoid")
    assert is_zero(sp.diff(s, x) - s * (1 - s))
    g = piece(sheet("sigmoid")["derivative_in_terms_of_f"])
    assert sp.simplify(g - F * (1 - F)) == 0


def test_softplus_derivative_is_sigmoid():
    assert is_zero(sp.diff(expr("softplus"), x) - expr("sigmoid"))


def test_tanh_is_a_rescaled_sigmoid():
    assert is_zero(expr("tanh") - (2 * expr("sigmoid").subs(x, 2 * x) - 1))


def test_tanh_derivative_in_terms_of_f():
    assert sp.simplify(piece(sheet("tanh")["derivative_in_terms_of_f"]) - (1 - F**2)) == 0


def test_silu_and_swish_at_beta_one_agree():
    assert is_zero(expr("silu") - expr("swish", beta=1))


# -- slopes, values at zero -----------------------------------------------------------------------
def test_mish_slope_at_zero_is_three_fifths():
    exactly(sheet("mish")["slope_at_zero"], sp.Rational(3, 5))


def test_relu_slope_at_zero_is_one_sided():
    s = sheet("relu")
    assert s["slope_at_zero"] is None
    exactly(s["slope_at_zero_left"], sp.Integer(0))
    exactly(s["slope_at_zero_right"], sp.Integer(1))


def test_sinc_value_at_zero_is_one():
    exactly(sheet("sinc")["value_at_zero"], sp.Integer(1))
    exactly(sheet("sinc")["slope_at_zero"], sp.Integer(0))


# -- extrema --------------------------------------------------------------------------------------
def test_elish_minimum_is_two_sqrt_two_minus_three():
    r = sheet("elish")["range"]
    exactly(r["lower"], 2 * sp.sqrt(2) - 3)  # about -0.1716, not -0.881
    assert r["lower_closed"]
    exactly(r["argmin"], sp.log(sp.sqrt(2) - 1))


def test_silu_minimum_is_minus_lambert_w_of_one_over_e():
    r = sheet("silu")["range"]
    w = sp.LambertW(sp.exp(-1))
    with precision():
        wv = mpmath.lambertw(1 / mpmath.e).real
    agrees(r["lower"], -wv)
    agrees(r["argmin"], -1 - wv)
    assert r["lower_closed"] and not r["upper_closed"]
    if r["lower"]["exact"] is not None:
        exactly(r["lower"], -w)


def test_gelu_minimum_against_an_independent_root():
    """GELU = x Phi(x); its minimum is where Phi(x) + x phi(x) = 0, near x = -0.75."""
    with precision():
        Phi = lambda t: mpmath.ncdf(t)
        phi = lambda t: mpmath.npdf(t)
        where = mpmath.findroot(lambda t: Phi(t) + t * phi(t), mpmath.mpf("-0.75"))
        lowest = where * Phi(where)
    assert abs(lowest - mpmath.mpf("-0.16997120747990")) < mpmath.mpf("1e-14")
    r = sheet("gelu")["range"]
    agrees(r["lower"], lowest, 28)
    agrees(r["argmin"], where, 25)
    if r["lower"]["how"] == "numeric":
        assert len(r["lower"]["digits"].lstrip("-0.").replace(".", "")) >= 30


def test_mish_minimum_against_an_independent_root():
    with precision():
        f = lambdified(expr("mish"))
        where = mpmath.findroot(lambda t: mpmath.diff(f, t), mpmath.mpf("-1.2"))
        lowest = f(where)
    agrees(sheet("mish")["range"]["lower"], lowest, 28)


def test_gelu_and_silu_lipschitz_constants():
    """GELU'' = phi(x)(2 - x^2) vanishes at sqrt(2); SiLU's f'' vanishes where x(1 - 2 sigmoid) = -2."""
    with precision():
        s2 = mpmath.sqrt(2)
        gelu_lip = mpmath.ncdf(s2) + s2 * mpmath.npdf(s2)
        sig = lambda t: 1 / (1 + mpmath.exp(-t))
        t0 = mpmath.findroot(lambda t: 2 + t * (1 - 2 * sig(t)), mpmath.mpf("2.4"))
        silu_lip = sig(t0) * (1 + t0 * (1 - sig(t0)))
    for name, lip in (("gelu", gelu_lip), ("silu", silu_lip)):
        q = sheet(name)["lipschitz"]
        assert isinstance(q["value"], float), q
        agrees(q, lip, 28)


# -- ranges ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, lower, upper", [("sigmoid", 0, 1), ("tanh", -1, 1), ("isru", -1, 1),
                                                ("softsign", -1, 1)])
def test_saturating_ranges_are_open(name, lower, upper):
    r = sheet(name)["range"]
    exactly(r["lower"], sp.Integer(lower))
    exactly(r["upper"], sp.Integer(upper))
    assert not r["lower_closed"] and not r["upper_closed"]
    assert r["argmin"] is None and r["argmax"] is None


def test_arctan_range_is_open_half_pi():
    r = sheet("arctan")["range"]
    exactly(r["lower"], -sp.pi / 2)
    exactly(r["upper"], sp.pi / 2)
    assert not r["lower_closed"] and not r["upper_closed"]


def test_hard_sigmoid_range_is_closed():
    r = sheet("hard_sigmoid")["range"]
    exactly(r["lower"], sp.Integer(0))
    exactly(r["upper"], sp.Integer(1))
    assert r["lower_closed"] and r["upper_closed"]


def test_hard_swish_derivative_range_is_open_at_the_kinks():
    """hard-swish' is (2x + 3)/6 on (-3, 3): -1/2 and 3/2 are approached at kinks where f has no
    derivative, so neither is attained."""
    r = sheet("hard_swish")["derivative_range"]
    exactly(r["lower"], sp.Rational(-1, 2))
    exactly(r["upper"], sp.Rational(3, 2))
    assert not r["lower_closed"] and not r["upper_closed"]


# -- derivatives in terms of f -------------------------------------------------------------------
def test_softsign_derivative_is_one_minus_abs_f_squared():
    """x/(1 + |x|) has f' = 1/(1 + |x|)^2 = (1 - |f|)^2, which is not 1 - f^2."""
    g = lambdified(piece(sheet("softsign")["derivative_in_terms_of_f"]), F, x)
    soft = lambdified(expr("softsign"))
    with precision():
        for t in ("-3", "-0.5", "0.5", "2"):
            fv = soft(mpf(t))
            assert abs(g(fv, mpf(t)) - (1 - abs(fv)) ** 2) < mpmath.mpf("1e-35")
        fv = soft(mpf(2))
        assert abs(g(fv, mpf(2)) - (1 - fv**2)) > mpmath.mpf("0.1")


# -- monotonicity, saturation ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["leaky_relu", "prelu", "rrelu", "elu", "selu", "softplus", "arctan"])
def test_strictly_increasing(name):
    assert sheet(name)["monotonicity"] == "strictly_increasing"


@pytest.mark.parametrize("name", ["relu", "relu6", "hard_sigmoid", "hard_tanh", "binary_step"])
def test_increasing_with_flat_parts(name):
    assert sheet(name)["monotonicity"] == "increasing"


@pytest.mark.parametrize("name", ["silu", "gelu", "mish", "elish", "sinusoid", "gaussian"])
def test_non_monotonic(name):
    assert sheet(name)["monotonicity"] == "non_monotonic"


@pytest.mark.parametrize("name, left, right", [
    ("sigmoid", "soft", "soft"), ("relu", "hard", "none"), ("exponential", "soft", "none"),
    ("hard_tanh", "hard", "hard"), ("elu", "soft", "none"), ("leaky_relu", "none", "none"),
])
def test_saturation(name, left, right):
    assert sheet(name)["saturation"] == {"left": left, "right": right}


# -- smoothness -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name, points", [
    ("hard_swish", [-3, 3]), ("relu", [0]), ("relu6", [0, 6]), ("hard_sigmoid_keras2", [sp.Rational(-5, 2),
                                                                                       sp.Rational(5, 2)]),
    ("sparse_plus", [-1, 1]), ("softshrink", [sp.Rational(-1, 2), sp.Rational(1, 2)]), ("gelu", []),
])
def test_breakpoints(name, points):
    got = sheet(name)["breakpoints"]
    assert len(got) == len(points), got
    for q, p in zip(got, points, strict=True):
        exactly(q, sp.sympify(p))


@pytest.mark.parametrize("name, k", [
    ("relu", 0), ("relu_squared", 1), ("softsign", 1), ("isrlu", 2), ("sparse_plus", 1), ("binary_step", -1),
    ("elu", 1), ("celu", 1), ("hard_swish", 0), ("hardshrink", -1), ("threshold", -1), ("sigmoid", "inf"),
    ("gelu", "inf"), ("sinc", "inf"),
])
def test_continuity_class(name, k):
    assert sheet(name)["continuity_class"] == k


# -- Gaussian moments -----------------------------------------------------------------------------
def test_selu_is_self_normalising():
    """SELU's constants are chosen so that E f(X) = 0 and E f(X)^2 = 1 for X ~ N(0, 1), exactly."""
    g = sheet("selu")["gaussian"]
    agrees(g["mean"], mpmath.mpf(0), 25)
    agrees(g["second_moment"], mpmath.mpf(1), 25)
    agrees(g["gain"], mpmath.mpf(1), 25)


def test_relu_moments():
    g = sheet("relu")["gaussian"]
    exactly(g["mean"], 1 / sp.sqrt(2 * sp.pi))
    exactly(g["second_moment"], sp.Rational(1, 2))
    exactly(g["gain"], sp.sqrt(2))


@pytest.mark.parametrize("name, quantity, value", [
    ("squareplus", "second_moment", "3/2"), ("squareplus", "gain", "sqrt(6)/3"),
    ("squareplus", "grad_mean", "1/2"),
    ("bent_identity", "grad_mean", "1"), ("gelu_tanh", "grad_mean", "1/2"), ("snake", "grad_mean", "1"),
    ("lisht", "grad_mean", "0"), ("logcosh", "grad_mean", "0"), ("sinc", "grad_mean", "0"),
])
def test_odd_terms_integrate_to_zero(name, quantity, value):
    """Exact, though part of the integrand has no antiderivative SymPy finds against the Gaussian density:
    that part is odd (x sqrt(x^2 + 4) in squareplus^2, the derivative of an even function), and N(0, 1)
    is symmetric. (test_gaussian_moments checks the values by quadrature.)"""
    exactly(sheet(name)["gaussian"][quantity], sp.sympify(value))


# -- symmetry, asymptotes, Lipschitz ---------------------------------------------------------------
def test_sigmoid_point_symmetry():
    c = sheet("sigmoid")["point_symmetry"]
    exactly(c[0], sp.Integer(0))
    exactly(c[1], sp.Rational(1, 2))


@pytest.mark.parametrize("name, kind", [("tanh", "odd"), ("gaussian", "even"), ("lisht", "even"),
                                        ("sigmoid", "neither"), ("sinc", "even"), ("softshrink", "odd")])
def test_symmetry(name, kind):
    assert sheet(name)["symmetry"] == kind


def test_logcosh_asymptotes():
    a = sheet("logcosh")["asymptotes"]
    for side, slope in (("neg_inf", -1), ("pos_inf", 1)):
        exactly(a[side]["slope"], sp.Integer(slope))
        exactly(a[side]["intercept"], -sp.log(2))


def test_snake_has_no_asymptote_and_oscillating_slope():
    s = sheet("snake")
    assert (s["asymptotes"] or {}).get("pos_inf") is None
    assert s["limits"]["df_pos_inf"]["value"] is None


def test_binary_step_lipschitz_is_infinite():
    assert sheet("binary_step")["lipschitz"]["value"] == "inf"


@pytest.mark.parametrize("name, lip", [("arctan", 1), ("sigmoid", sp.Rational(1, 4)), ("hard_sigmoid",
                                                                                      sp.Rational(1, 6)),
                                       ("hard_sigmoid_keras2", sp.Rational(1, 5)), ("bent_identity",
                                                                                   sp.Rational(3, 2))])
def test_lipschitz(name, lip):
    exactly(sheet(name)["lipschitz"], lip)


def test_hard_sigmoid_variants_differ():
    a, b = sheet("hard_sigmoid"), sheet("hard_sigmoid_keras2")
    assert not is_zero(expr("hard_sigmoid") - expr("hard_sigmoid_keras2"))
    assert q_mp(a["lipschitz"]) != q_mp(b["lipschitz"])
    assert [q_mp(p) for p in a["breakpoints"]] != [q_mp(p) for p in b["breakpoints"]]


# -- parameters -----------------------------------------------------------------------------------
def test_softplus_beta_two():
    """log(1 + e^(2x))/2: f(0) = log(2)/2, f'(0) = 1/2 still, f''(0) = beta/4 = 1/2, f' = sigmoid(2x)."""
    s = sheet("softplus", beta=2)
    exactly(s["parameters"]["beta"], sp.Integer(2))
    exactly(s["value_at_zero"], sp.log(2) / 2)
    exactly(s["slope_at_zero"], sp.Rational(1, 2))
    exactly(s["lipschitz"], sp.Integer(1))
    assert is_zero(piece(s["derivative"]) - expr("sigmoid").subs(x, 2 * x))
    with precision():
        f = lambdified(expr("softplus", beta=2))
        mean = mpmath.quad(lambda t: f(t) * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
    agrees(s["gaussian"]["mean"], mean, 28)
    assert q_mp(s["gaussian"]["mean"]) != q_mp(sheet("softplus")["gaussian"]["mean"])
    assert s["series_at_zero"] is not None
    series = parse(s["series_at_zero"]["sympy"]).removeO()
    assert sp.expand(series - sp.series(expr("softplus", beta=2), x, 0, 6).removeO()) == 0
