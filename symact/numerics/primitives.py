"""Stable primitives: SymPy functions that stand for a numerically careful NumPy/SciPy evaluation.

Each primitive knows its derivative *in terms of primitives* (so differentiating a rewritten formula keeps it
stable), how to print itself as NumPy code, and how to go back to elementary functions (``elementary``)
so that a rewritten formula can be checked against the original.

| primitive          | meaning                         | NumPy                               |
|--------------------|---------------------------------|-------------------------------------|
| Expit(u)           | 1 / (1 + e^-u)                  | 1 - t or t, t = e / (1 + e), e = e^-abs(u) |
| LogisticDensity(u) | expit(u) expit(-u)              | t (1 - t) with t = expit(-abs(u))   |
| Softplus(u)        | log(1 + e^u)                    | max(u, 0) + log1p(e^-abs(u))        |
| Expm1(u), Log1p(u) | e^u - 1, log(1 + u)             | np.expm1, np.log1p                  |
| Ndtr(u)            | (1 + erf(u / sqrt 2)) / 2       | scipy.special.ndtr; exp(log_ndtr u) |
|                    |                                 | below -37.5 (subnormal results)     |
| Tanh(u), Sech(u)   | tanh u, 1 / cosh u              | np.tanh, 2 e^-abs(u) / (1 + e^-2abs(u)) |
| LogCosh(u)         | log(cosh u)                     | log(cosh abs(u)); a Pade approximant    |
|                    |                                 | below 1, abs(u) - log 2 above 700   |
| Hypot(u, c)        | sqrt(u^2 + c^2), c > 0          | np.hypot                            |
| HypotPlus(u, c)    | u + sqrt(u^2 + c^2)             | u + h for u >= 0, c^2 / (h - u) for u < 0 |
| HypotMinus(u, c)   | sqrt(u^2 + c^2) - c             | u (u / (h + c))                     |

Printing-only primitives (TimesExpit, TimesTanhSoftplus, ...) are put in by the printer for one kernel's
source; they have no derivative.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import mpmath
import numpy as np
import scipy.special as special
import sympy as sp


class Primitive(sp.Function):
    """A stable primitive; subclasses set ``numpy_name`` and define ``fdiff`` and ``elementary``."""

    numpy_name = ""
    is_real = True

    def _numpycode(self, printer) -> str:
        return f"{self.numpy_name}({', '.join(printer._print(a) for a in self.args)})"

    _scipycode = _numpycode

    def elementary(self) -> sp.Expr:
        raise NotImplementedError


class Expit(Primitive):
    numpy_name = "_expit"

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.Rational(1, 2)

    def fdiff(self, argindex=1):
        return LogisticDensity(self.args[0])

    def elementary(self):
        return 1 / (1 + sp.exp(-self.args[0]))


class LogisticDensity(Primitive):
    """expit(u) expit(-u) = e^-abs(u) / (1 + e^-abs(u))^2: one exponential, no overflow.
    Also sech(u)^2 = 4 LogisticDensity(2u)."""

    numpy_name = "_logistic_density"

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.Rational(1, 4)
        if u.could_extract_minus_sign():
            return cls(-u)

    def fdiff(self, argindex=1):
        u = self.args[0]
        return -LogisticDensity(u) * Tanh(u / 2)

    def elementary(self):
        u = self.args[0]
        return 1 / ((1 + sp.exp(-u)) * (1 + sp.exp(u)))


class Softplus(Primitive):
    numpy_name = "_softplus"

    def fdiff(self, argindex=1):
        return Expit(self.args[0])

    def elementary(self):
        return sp.log(1 + sp.exp(self.args[0]))


class Expm1(Primitive):
    numpy_name = "_expm1"

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.S.Zero

    def fdiff(self, argindex=1):
        return sp.exp(self.args[0])

    def elementary(self):
        return sp.exp(self.args[0]) - 1


class Log1p(Primitive):
    numpy_name = "_log1p"

    def fdiff(self, argindex=1):
        return 1 / (1 + self.args[0])

    def elementary(self):
        return sp.log(1 + self.args[0])


class Ndtr(Primitive):
    numpy_name = "_ndtr"

    def fdiff(self, argindex=1):
        u = self.args[0]
        return sp.exp(-(u**2) / 2) / sp.sqrt(2 * sp.pi)

    def elementary(self):
        return (1 + sp.erf(self.args[0] / sp.sqrt(2))) / 2


class Tanh(Primitive):
    numpy_name = "_tanh"

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.S.Zero
        if u.could_extract_minus_sign():
            return -cls(-u)

    def fdiff(self, argindex=1):
        return 4 * LogisticDensity(2 * self.args[0])

    def elementary(self):
        return sp.tanh(self.args[0])


class Sech(Primitive):
    numpy_name = "_sech"

    @classmethod
    def eval(cls, u):
        if u.is_zero:
            return sp.S.One
        if u.could_extract_minus_sign():
            return cls(-u)

    def fdiff(self, argindex=1):
        u = self.args[0]
        return -Sech(u) * Tanh(u)

    def elementary(self):
        return 1 / sp.cosh(self.args[0])


class LogCosh(Primitive):
    numpy_name = "_logcosh"

    def fdiff(self, argindex=1):
        return Tanh(self.args[0])

    def elementary(self):
        return sp.log(sp.cosh(self.args[0]))


class _WithSquare(Primitive):
    """A hypot-family primitive: printed with c^2 as well (c2=...), so that sqrt(5)^2 is 5, not
    5.000000000000001, inside the sum of squares."""

    def _numpycode(self, printer) -> str:
        c2 = float(sp.N(self.args[1] ** 2, 30))
        return f"{self.numpy_name}({', '.join(printer._print(a) for a in self.args)}, c2={c2!r})"

    _scipycode = _numpycode


class Hypot(_WithSquare):
    """sqrt(u^2 + c^2) with c > 0 free of x."""

    numpy_name = "_hypot"

    def fdiff(self, argindex=1):
        u, c = self.args
        return u / Hypot(u, c)

    def elementary(self):
        u, c = self.args
        return sp.sqrt(u**2 + c**2)


class FastHypot(Hypot):
    """hypot computed as sqrt(u*u + c*c) (printing only: where h is not raised to a power)."""

    numpy_name = "_fast_hypot"


class HypotPow(_WithSquare):
    """u^m hypot(u, c)^k for integers k (|k| >= 3) and m >= 0 (printing only): (u^2 + c^2)^(k/2) from the
    sum of squares carried to twice the working precision, so that the power does not multiply its
    rounding, and u^m inside, so that neither factor underflows alone."""

    numpy_name = "_hypot_pow"

    @classmethod
    def eval(cls, u, c, k, m=None):
        if m is None:
            return cls(u, c, k, sp.S.Zero)

    def elementary(self):
        u, c, k, m = self.args
        return u**m * (u**2 + c**2) ** (k / 2)


class SumSquares(_WithSquare):
    """u^2 + c^2 (printing only: even powers of hypot)."""

    numpy_name = "_sum_squares"

    def fdiff(self, argindex=1):
        return 2 * self.args[0]

    def elementary(self):
        u, c = self.args
        return u**2 + c**2


class ReciprocalSumSquares(_WithSquare):
    """1 / (u^2 + c^2) (printing only: hypot^-2), a subnormal, not 0, where u^2 overflows."""

    numpy_name = "_reciprocal_sum_squares"

    def elementary(self):
        u, c = self.args
        return 1 / (u**2 + c**2)


class HypotPlus(_WithSquare):
    """s (u + sqrt(u^2 + c^2)) with c > 0: never cancels (for u < 0 it is s c^2 / (sqrt(u^2 + c^2) - u)).

    The scale s is applied before the sum so that s (u + h) does not overflow when u + h does."""

    numpy_name = "_hypot_plus"

    @classmethod
    def eval(cls, u, c, s=None):
        if s is None:
            return cls(u, c, sp.S.One)

    def fdiff(self, argindex=1):
        u, c, s = self.args
        return HypotPlus(u, c, s) / Hypot(u, c)

    def elementary(self):
        u, c, s = self.args
        return s * (u + sp.sqrt(u**2 + c**2))


class HypotMinus(_WithSquare):
    """sqrt(u^2 + c^2) - c with c > 0, computed as u (u / (sqrt(u^2 + c^2) + c)): no cancellation."""

    numpy_name = "_hypot_minus"

    def fdiff(self, argindex=1):
        u, c = self.args
        return u / Hypot(u, c)

    def elementary(self):
        u, c = self.args
        return sp.sqrt(u**2 + c**2) - c


class ExpitNegAbs(Primitive):
    """expit(-|u|) <= 1/2 (printing only: the logistic functions of one argument share it)."""

    numpy_name = "_expit_neg_abs"

    def elementary(self):
        return 1 / (1 + sp.exp(sp.Abs(self.args[0])))


class TanhHalfAbs(Primitive):
    """tanh(|u|/2) = 1 - 2 t for t = expit(-|u|); below 1, where that cancels, a Pade approximant
    (printing only)."""

    numpy_name = "_tanh_half_abs"

    def elementary(self):
        return sp.tanh(sp.Abs(self.args[0]) / 2)


class LowerPick(Primitive):
    """expit(u) from t = expit(-|u|): t where u < 0, 1 - t elsewhere (printing only)."""

    numpy_name = "_lower_pick"

    def elementary(self):
        u, t = self.args
        return sp.Piecewise((t, u < 0), (1 - t, True))


class ShiftedTimesExpitNeg(Primitive):
    """c + u expit(-u) from t = expit(-|u|), as (c + min(u, 0)) + |u| t (printing only). u expit(-u) is
    u - u t for u < 0 and u t elsewhere; where c + u expit(-u) cancels (SiLU''s 1 + x expit(-x) near
    x = -2.6), c + u is exact, and the only rounding left is that of the small |u| t and the sum."""

    numpy_name = "_shifted_times_expit_neg"

    def elementary(self):
        c, u, t = self.args
        return sp.Piecewise((c + u * (1 - t), u < 0), (c + u * t, True))


class OnePlusSin(Primitive):
    """1 + s sin(u), s = +-1 (snake' = 1 + sin 2x): as it stands where it is at least 1/16 (where it
    cancels, s sin u in [-1, -1/2], the sum is exact by Sterbenz's lemma, so sin's rounding is all there
    is); below, near its double root s sin u = -1, as 2 sin^2(u/2 + s pi/4), which keeps its relative
    accuracy there but amplifies the rounding of u/2 + pi/4 elsewhere (to 4 ulp near snake'(-0.27),
    against 1 as it stands)."""

    numpy_name = "_one_plus_sin"

    def fdiff(self, argindex=1):
        u, s = self.args
        return s * sp.cos(u)

    def elementary(self):
        u, s = self.args
        return 1 + s * sp.sin(u)


class TimesExpit(Primitive):
    """v expit(u) as v / (1 + e^-u): two roundings after the exponential, as few as any form has
    (printing only; where e^-u overflows, v e^u)."""

    numpy_name = "_times_expit"

    def elementary(self):
        v, u = self.args
        return v / (1 + sp.exp(-u))


class TimesTanhSoftplus(Primitive):
    """v tanh(softplus(u)) (Mish) as v N / D, N / D a rational function of e^-|u|, with N, D, the
    division and the product by v carried in compensated arithmetic (printing only): within 1 ulp."""

    numpy_name = "_times_tanh_softplus"

    def elementary(self):
        v, u = self.args
        return v * sp.tanh(sp.log(1 + sp.exp(u)))


class ScaledProduct(Primitive):
    """c a g with c an inexact constant and a a polynomial, c a formed exactly: c_hi a_hi (26 bits each, an
    exact product) plus a small rest that holds the constant's own rounding error (printing only). So
    GELU'' = sqrt(2/pi) (1 - x^2/2) e^(-x^2/2) rounds in exp, in one product and in the final sum."""

    numpy_name = "_scaled_product"

    def _numpycode(self, printer) -> str:
        a, g, c = self.args
        with mpmath.workprec(c._prec):
            exact = mpmath.mpf(c._mpf_)
            head = float(exact)
            hi = _split_constant(head)[0]
            # c = hi + lo with hi of 26 bits and lo = c - hi rounded (it holds the constant's own rounding
            # error too): a hi is exact, a lo rounds far below the result's last place
            lo = float(exact - mpmath.mpf(hi))
        return f"_scaled_product({printer._print(a)}, {printer._print(g)}, {head!r}, {hi!r}, {lo!r})"

    def elementary(self):
        a, g, c = self.args
        return c * a * g


class CopySign(Primitive):
    """|v| with the sign of u (printing only)."""

    numpy_name = "numpy.copysign"

    def elementary(self):
        v, u = self.args
        return sp.Abs(v) * sp.sign(u)


PRIMITIVES = (LogisticDensity, Expit, Softplus, Expm1, Log1p, Ndtr, Tanh, Sech, LogCosh, Hypot,
              HypotPlus, HypotMinus, SumSquares, OnePlusSin)


def elementary(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every primitive written back in elementary functions."""
    for _ in range(4):
        if not any(expr.has(p) for p in PRIMITIVES):
            break
        expr = expr.replace(lambda e: isinstance(e, Primitive), lambda e: e.elementary())
    return expr


# -- NumPy implementations -----------------------------------------------------------------------------
# float64 in, float64 out; warnings for overflow/underflow of intermediates are silenced by the caller.

def _indices(mask: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(mask)`` for a boolean mask, at its faster pace whatever the share of True.
    NumPy walks a mask with at most one element in ten set element by element, with a branch that
    random data mispredicts: 2.0 ms for 10^6 elements at 9.6% set (GELU's cells), against 0.85 ms for
    its branchless walk at 11%, and 0.3 ms at 0.1%. A mask with 1% to 10% set is given enough set
    elements at its end to pass one in ten, and their indices are cut off: 0.9 ms at 9.6%."""
    n = mask.size
    count = int(np.count_nonzero(mask))
    if count * 100 <= n or count * 10 > n:
        return np.flatnonzero(mask)
    padded = np.ones(n + (n - 10 * count) // 9 + 1, dtype=bool)
    padded[:n] = mask.reshape(-1)
    return np.flatnonzero(padded)[:count]


def _replace(r: np.ndarray, u: np.ndarray, mask: np.ndarray, fn) -> np.ndarray:
    """``r`` with ``fn(u)`` put where ``mask`` holds, computed on those elements only (index arrays:
    several times faster than boolean indexing)."""
    idx = _indices(mask)
    if idx.size:
        r[idx] = fn(u.take(idx))
    return r


def _expit(u, out=None):
    # t = expit(-|u|) = e / (1 + e), e = exp(-|u|) <= 1 (about 1 ulp, no overflow; it underflows only where
    # expit does), then 1 - t for u >= 0, exact to half an ulp since t <= 1/2. Closer than scipy's
    # 1 / (1 + exp(-u)) just below 1/2, where the result's ulp halves.
    return _lower_pick(u, _expit_neg_abs(u), out)


def _logistic_density(u, out=None):
    # t = expit(-|u|) <= 1/2 is accurate relative to itself, and 1 - t in [1/2, 1] loses nothing
    t = _expit_neg_abs(u)
    return np.multiply(t, 1.0 - t, out=out)


def _sech(u):
    e = np.abs(u)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e * e
    d += 1.0
    e *= 2.0
    e /= d
    return e


def _overflowing(ufunc: Callable, *args: np.ndarray, flag: str = "over",
                 out: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """ufunc(*args) (into ``out``, if given), and whether it overflowed (``flag="under"``: underflowed):
    the FPU's flag costs nothing, a search for inf is a pass. The call is repeated when it did, so
    ``out`` must not be one of ``args``."""
    into = {} if out is None else {"out": out}
    try:
        with np.errstate(**{flag: "raise"}):
            return ufunc(*args, **into), False
    except FloatingPointError:
        with np.errstate(**{flag: "ignore"}):
            return ufunc(*args, **into), True


def _logcosh(u, out=None):
    # log(cosh u) is within 1.2 ulp (over the condition number, about 2 there) for |u| >= 0.8, where cosh
    # u >= 1.33 is far enough from log's root; below, a Pade approximant, chosen where cosh u < cosh 0.8
    # (a little low), read from cosh u itself instead of |u| < 0.8. numpy.cosh overflows beyond 710.47,
    # where log cosh u = |u| - log 2 to the last bit. The corrections touch those elements only. (cosh as
    # (e + 1/e) / 2 with e = exp(|u|) is four passes more; numpy.cosh is one, and as accurate.)
    r, over = _overflowing(np.cosh, u, out=out)
    small = r < _COSH_LOW
    r = np.log(r, out=r)
    if over:
        _replace(r, u, ~(np.abs(u) <= 710.0), lambda v: np.abs(v) - 0.6931471805599453)  # NaN stays NaN
    return _replace(r, u, small, _log_cosh_near_zero)


#: cosh(0.8), a little low: cosh u below it is |u| below 0.8 (where the Pade approximant takes over).
_COSH_LOW = math.cosh(0.8) * (1.0 - 2.0**-40)


def _tanh_taylor(n: int) -> mpmath.mpf:
    """The coefficient of y^(2n-1) in tanh y: 4^n (4^n - 1) B_2n / (2n)!."""
    return mpmath.mpf(4) ** n * (mpmath.mpf(4) ** n - 1) * mpmath.bernoulli(2 * n) / mpmath.factorial(2 * n)


def _pade_floats(coefficients: list, m: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    p, q = mpmath.pade(coefficients, m, m)
    return tuple(float(v) for v in p), tuple(float(v) for v in q)


@functools.cache
def _log_cosh_pade() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Pade approximant [6/6] of h(s) = (log cosh sqrt(s) - s/2) / s^2 from its Taylor series (log cosh is
    the integral of tanh: the coefficient of s^n is that of tanh's y^(2n-1) over 2n): h within 0.8 ulp on
    |a| < 0.8 ([5/5]: 250), so log cosh a within 1.5 ulp as a^2/2 + a^4 h(a^2), where the rounding of h is
    damped by a^2 h / log cosh a < 1/6."""
    with mpmath.workdps(50):
        return _pade_floats([_tanh_taylor(n) / (2 * n) for n in range(2, 16)], 6)


def _horner(s, c):
    """c[0] + c[1] s + ... by Horner's rule, in place from its first product (no array of c[-1] first)."""
    r = s * c[-1]
    r += c[-2]
    for k in c[-3::-1]:
        r *= s
        r += k
    return r


def _rational(s, p, q):
    """P(s) / Q(s) by Horner's rule, in place."""
    num = _horner(s, p)
    num /= _horner(s, q)
    return num


def _log_cosh_near_zero(a):
    # polynomials in s = a^2, a few multiply-adds: several times cheaper than expm1 and log1p
    s = a * a
    r = _rational(s, *_log_cosh_pade())
    r *= s
    r *= s
    r += 0.5 * s
    return r


@functools.cache
def _tanh_pade() -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Pade approximant [3/3] of h(s) = (tanh(sqrt s) / sqrt s - 1) / s from the Taylor series of tanh:
    within 0.75 ulp on |y| <= 1/2 as y + y s h(s) (numpy.tanh: 0.93)."""
    with mpmath.workdps(50):
        return _pade_floats([_tanh_taylor(n) for n in range(2, 9)], 3)


def _tanh_half_near_zero(v):
    # tanh(|v| / 2) for |v| < 1, a rational function: about three times cheaper than numpy.tanh
    y = np.abs(v)
    y *= 0.5
    s = y * y
    r = _rational(s, *_tanh_pade())
    r *= s
    r *= y
    r += y
    return r


def _hypot(u, c, c2=None):
    """sqrt(u^2 + c^2) to about half an ulp: the sum of squares with its rounding error (see _sum_squares2),
    then one correction of the square root. numpy.hypot beyond 1e150, where the square would overflow."""
    d, dl = _sum_squares2(u, c, c2)
    h = np.sqrt(d)
    dl /= d
    dl *= 0.5
    dl += 1.0
    h *= dl
    far = ~(np.abs(u) < 1e150)
    if far.any():
        _replace(h, u, far, lambda v: np.hypot(v, c))
    return h


def _fast_hypot(u, c, c2=None):
    """sqrt(u*u + c*c) (several times faster than numpy.hypot, within 1 ulp); numpy.hypot on the elements
    where u*u overflows."""
    h = u * u
    h += c * c if c2 is None else c2
    np.sqrt(h, out=h)
    if h.size and not np.max(h) < np.inf:  # element by element, so a value never depends on its neighbours
        _replace(h, u, ~(h < np.inf), lambda v: np.hypot(v, c))
    return h


def _sum_squares(u, c, c2=None):
    # u*u + c*c (inf where u*u overflows, as the exact value does)
    d = u * u
    d += c * c if c2 is None else c2
    return d


def _reciprocal_sum_squares(u, c, c2=None, out=None):
    """1 / (u*u + c*c). Where u*u overflows (|u| above 1.3e154) the exact value is still a subnormal up to
    |u| = 4.5e161: there it is (1 / u) / (u + c^2 / u), whose roundings are far below a subnormal's ulp.
    ``out`` (never u) takes the result from the first pass on."""
    c2 = float(c) * float(c) if c2 is None else c2
    d, big = _overflowing(np.multiply, u, u, out=out)
    d += c2
    np.divide(1.0, d, out=d)
    if big:
        _replace(d, u, ~(np.abs(u) < 1e154), lambda v: (1.0 / v) / (v + c2 / v))
    return d


# -- compensated arithmetic: NumPy has no fused multiply-add, so products are made exact the classic way

_SPLIT = 134217729.0  # 2^27 + 1, Veltkamp's splitting constant for float64


def _split_constant(c: float) -> tuple[float, float]:
    """``_split`` of one double."""
    hi, lo = _split(np.array([c]))
    return float(hi[0]), float(lo[0])


def _split(a):
    """a = hi + lo exactly, each with at most 26 significant bits (Veltkamp; |a| below 2^996)."""
    hi = a * _SPLIT
    lo = hi - a
    hi -= lo
    np.subtract(a, hi, out=lo)
    return hi, lo


def _product_error(a, b, p):
    """a b - p exactly, for p = a b rounded, a and b given split (Dekker's product)."""
    (ah, al), (bh, bl) = a, b
    e = ah * bh
    e -= p
    t = ah * bl
    e += t
    np.multiply(al, bh, out=t)
    e += t
    np.multiply(al, bl, out=t)
    e += t
    return e


def _sum_squares2(u, c, c2=None):
    """(d, dl) with u^2 + c^2 = d + dl to about 2^-100 relative: Dekker's exact square u*u = p + e, then
    the exact sum p + c^2 = d + err (for |u| < 1e150). The same values as Dekker's general product, which
    splits u twice, with a new array per step: this takes 17% less time (305 against 368 us a block)."""
    c2 = float(c) * float(c) if c2 is None else c2
    p = u * u
    e = _square_residual(p, u)
    d = p + c2
    b = d - p  # TwoSum: err = (p - (d - b)) + (c2 - b)
    t = np.subtract(d, b)
    np.subtract(p, t, out=p)
    np.subtract(c2, b, out=b)
    p += b
    p += e
    return d, p


def _square_residual(p, a):
    """a^2 - p exactly, for p = a*a rounded (Dekker's exact square)."""
    hi, lo = _split(a)
    e = hi * hi
    e -= p
    hi *= lo
    hi *= 2.0
    e += hi
    lo *= lo
    e += lo
    return e


def _hypot_pow(u, c, k, m=0, c2=None, scale=1.0, out=None):
    """u^m (u^2 + c^2)^(k/2) for an integer k, from the sum of squares D = d + dl (to twice the working
    precision): the power's rounding is not multiplied by k, as it would be from a rounded hypot. The
    power is made from d by exact products and square roots (``_even_power``, ``_odd_power``), for
    |k| <= 5, and the rest is a relative correction. That is within 1 ulp for k = -3 and -5 (libm's pow,
    element by element and seven times a square root's time, gave 1.7), and with u^m for m = 1 where
    scale is a power of 2 (arctan'' = -2x (x^2 + 1)^-2: 2.05 ulp with u multiplied in last). Beyond
    |u| = 2^27 c, where c^2 no longer counts, it is sign(u)^m |u|^(m + k): so x (1 + x^2)^(-5/2) at
    x = 1e62 is 1e-248, not 1e62 times a power that has already underflowed."""
    c2 = float(c) * float(c) if c2 is None else c2
    d, dl = _sum_squares2(u, c, c2)
    times = m  # the power of u still to multiply by
    # k/2 dl/d, to which each exact product adds its own relative error; d^2 sqrt(d) and its Dekker
    # residuals neither overflow nor underflow for |u| <= 2^27 c (beyond, the far form replaces the value)
    exact = abs(k) <= 5 and 2.0**-240 <= c2 <= 2.0**240
    if exact:
        q, dl = (_even_power if k % 2 == 0 else _odd_power)(d, dl, k)
        # q^(+-1) (1 + dl) as r + r dl: the correction's own rounding is far below r's. The factor u, times
        # a power of 2 at least 1 (exactly), goes in before the division: one rounding fewer (arctan'')
        into = m == 1 and abs(scale) >= 1.0 and math.frexp(scale)[0] in (0.5, -0.5)
        v = u * scale if into else scale
        r = np.divide(v, q, out=out) if k < 0 else np.multiply(q, v, out=out)
        dl *= r
        r += dl
        if into:
            times = 0
    else:
        dl /= d
        dl *= 0.5 * k
        dl += 1.0
        r = np.power(d, 0.5 * k, out=out)
        r *= dl
        r *= scale  # before u^m: 3 x h^-5 at x = 1e-308 must not pass through a subnormal
    if times:
        r *= u**times
    far = ~(np.abs(u) <= _SPLIT * c)
    if far.any():
        _replace(r, u, far, lambda v: np.power(np.abs(v), m + k) * (np.sign(v) ** m) * scale)
    return r


def _even_power(d, dl, k):
    """(q, rel) with (d + dl)^(k/2) = q^sign(k) (1 + rel) to first order in relative errors of about
    2^-53 (so to about 2^-105), for k = +-4: q = d^2 rounded, its residual from Dekker's exact square."""
    q = d * d
    e = _square_residual(q, d)
    e /= q
    dl /= d
    dl *= 0.5 * k
    if k < 0:
        dl -= e
    else:
        dl += e
    return q, dl


def _odd_power(d, dl, k):
    """As ``_even_power``, for k = +-3 and +-5: q = d^j s rounded, with s = sqrt(d) and |k| = 2j + 1. Its
    relative errors: the square root's, (d - s^2) / (2d) from s's exact square (Veltkamp's halves), the
    product's from Dekker's, and for j = 2 that of d^2."""
    s = np.sqrt(d)
    hi, lo = _split(s)
    rho = hi * hi
    np.subtract(d, rho, out=rho)  # d - s^2 = ((d - hi^2) - 2 hi lo) - lo^2, the first two steps exact
    t = hi * lo
    t *= 2.0
    rho -= t
    np.multiply(lo, lo, out=t)
    rho -= t
    dl *= k
    (np.subtract if k < 0 else np.add)(dl, rho, out=dl)
    dl /= d
    dl *= 0.5  # (k dl + sign(k) (d - s^2)) / (2 d)
    if abs(k) == 3:
        base, e = d, None
    else:
        base = d * d
        e = _square_residual(base, d)
        e /= base
    q = base * s
    pe = _product_error(_split(base), (hi, lo), q)
    pe /= q
    if e is not None:
        pe += e
    (np.subtract if k < 0 else np.add)(dl, pe, out=dl)
    return q, dl


def _hypot_plus(u, c, s=1.0, c2=None, out=None):
    # s (u + h) with h = hypot(u, c) cancels for u < 0, where it is s c^2 / (h - u). With t = h + |u| (no
    # cancellation, at least c), and since t - c^2 / t = 2 |u|, it is s c^2 / t + s (u + |u|) for every
    # u: a sum of two non-negative terms (u + |u| is 2u or 0, exactly).
    # The result is made in ``out`` from the first pass on (one temporary fewer: about 5% of squareplus's
    # time; ``out`` is a block of the caller's result, never u), and s (u + |u|) in |u|'s own array.
    c2 = c * c if c2 is None else c2
    r, big = _overflowing(np.multiply, u, u, out=out)  # |u| above 1.3e154: those elements in halves, below
    r += c2
    np.sqrt(r, out=r)
    a = np.abs(u)
    r += a
    np.divide(s * c2, r, out=r)
    # s (u + |u|) = 2 s max(u, 0), exactly (2 s is exact), in one pass where 2 s = 1 (squareplus)
    _positive_part(u, out=a)
    if s != 0.5:
        a *= 2.0 * s
    r += a
    if big:  # those elements in halves, selected by np.where
        _replace(r, u, ~(np.abs(u) < 1e150), lambda v: _hypot_plus_halves(v, c, s, c2))
    return r


def _hypot_plus_halves(u, c, s, c2):
    t = np.abs(0.5 * u) + _fast_hypot(0.5 * u, 0.5 * c, 0.25 * c2)
    return np.where(u < 0, (0.5 * s * c2) / t, 2.0 * s * t)


def _positive_part(u, out=None):
    """max(u, 0), NaN through, as a clip: NumPy 2 vectorises clip with scalar bounds, and numpy.maximum
    with a scalar took twice as long (0.5 against 0.26 ns an element on an AVX-512 machine; squareplus
    1.52 against 1.32 to 1.43 times the idiom's time without page faults). It keeps -0.0 where maximum
    gives +0.0: the primitives add a positive term to it."""
    return np.clip(u, 0.0, np.inf, out=out)


def _softplus(u, out=None):
    # np.logaddexp(0, u) is the same formula but warns on NaN; this one lets NaN through silently
    return np.add(_positive_part(u), np.log1p(np.exp(-np.abs(u))), out=out)


def _expit_neg_abs(u):
    # e / (1 + e) with e = exp(-|u|) <= 1: what scipy's expit computes for a negative argument, with
    # NumPy's vectorised exp (no overflow: e <= 1; e = 0 below -745, where expit is below 2^-1074 too)
    e = np.abs(u)
    np.negative(e, out=e)
    np.exp(e, out=e)
    d = e + 1.0
    np.divide(e, d, out=e)
    return e


#: expit(-1), a little low: t = expit(-|u|) above it is |u| below 1 (or up to 3e-13 more, where the Pade
#: approximant is as good), read from t in one pass instead of |u| < 1 in two.
_T_AT_1 = (1.0 - 2.0**-42) / (1.0 + math.e)


#: Just above -37.52, where ndtr's value becomes a subnormal: scipy.special.ndtr returns 0 from about there
#: on (its erfc's underflow test), where the exact value is nonzero down to -38.47.
_NDTR_SUBNORMAL = -37.5


def _ndtr(u, out=None):
    """scipy.special.ndtr, and exp(log_ndtr(u)) below -37.5, on those elements only, where ndtr gives 0
    for a subnormal: as accurate as ndtr just above (about 1e-13, what the condition number x^2 allows).
    Looking for those elements is a reduction, about 1% of GELU's time."""
    r = special.ndtr(u, out=out)
    if u.size and not np.min(u) >= _NDTR_SUBNORMAL:  # NaN goes this way too, and stays NaN
        idx = np.flatnonzero(u < _NDTR_SUBNORMAL)
        if idx.size:
            r[idx] = np.exp(special.log_ndtr(u.take(idx)))
    return r


def _expit_neg_abs_rescaled(u):
    """(t, where): t = expit(-|u|) as _expit_neg_abs gives it, except e^512 times that on the elements
    ``where`` (indices): those with |u| above 693, where t is below 2^-1000, so a subnormal or close to one,
    with bits missing. There 1 + e^-|u| is 1, so the scaled t is e^(512 - |u|), with 512 - |u| exact up
    to |u| = 1024, and e^(512 - |u|) below 2^-260: 1 - t and 1 - 2t are 1 all the same. A kernel whose
    value is t times the rest there gets it from ``_unscaled``."""
    e = np.abs(u)
    where = np.flatnonzero(e > -_RESCALE_BELOW)
    np.negative(e, out=e)
    if where.size:
        e[where] += _RESCALE
    np.exp(e, out=e)
    d = e + 1.0
    np.divide(e, d, out=e)
    return e, where


def _exp_rescaled(u):
    """(e, where): exp(u), except e^512 times that on the elements ``where`` (indices): those with u below
    -693, where exp(u) is below 2^-1000, so a subnormal or close to one, with bits missing. u + 512 is
    exact there down to u = -1024 (below, both are 0 however large the rest of the formula). A kernel whose
    value is exp(u) times the rest there gets it from ``_unscaled``."""
    e = np.exp(u)
    # one reduction when no element is that small (NaN looks for them, and finds the others)
    below = u.size and not np.min(u) >= _RESCALE_BELOW
    where = np.flatnonzero(u < _RESCALE_BELOW) if below else np.flatnonzero(())
    if where.size:
        e[where] = np.exp(u.take(where) + _RESCALE)
    return e, where


def _unscaled(v, where):
    """``v`` with the elements ``where`` times e^-512 (see _expit_neg_abs_rescaled and _exp_rescaled), in
    place: one rounding, the one into the subnormal range where the value lies there."""
    if where.size:
        v[where] *= _EXP_MINUS_512
    return v


def _tanh_half_abs(u, t):
    r = 1.0 - 2.0 * t
    # 1 - 2t loses up to 3 ulp below 1; a Pade approximant of tanh there, on those elements only
    return _replace(r, u, t > _T_AT_1, _tanh_half_near_zero)


def _lower_pick(u, t, out=None):
    # |[u >= 0] - t|: 1 - t where u >= 0 and t (t <= 1/2) where u < 0, in three passes, NaN through t
    r = np.greater_equal(u, 0.0).astype(np.float64)
    r -= t
    return np.abs(r, out=r if out is None else out)


def _shifted_times_expit_neg(c, u, t):
    # (c + min(u, 0)) + |u| t in five passes, NaN through min
    r = np.minimum(u, 0.0)
    r += c
    a = np.abs(u)
    a *= t
    r += a
    return r


#: Below this, 1 + s sin u is recomputed as 2 sin^2(u/2 + s pi/4): about 11% of the elements of a random
#: argument. At 1/16, half an ulp of sin near -1 (2^-54) is 4 ulp of the sum, whose condition number there
#: (next to snake''s root at -pi/4) is about 9.
_ONE_PLUS_SIN_LOW = 0.0625


def _one_plus_sin(u, s):
    """1 + s sin(u) (see OnePlusSin); an argument that overflowed (+-inf) is taken as 0, as by _finite."""
    u = _finite(u)
    r = np.sin(u)
    (np.add if s > 0 else np.subtract)(1.0, r, out=r)

    def near_root(w):
        w *= 0.5
        w += math.copysign(math.pi / 4, s)
        np.sin(w, out=w)
        w *= w
        w *= 2.0
        return w

    return _replace(r, u, r < _ONE_PLUS_SIN_LOW, near_root)  # NaN is not below: it stays NaN


def _positive_step(u):
    """[u > 0] as ceil(clip(u, 0, 1)): two passes in place, NaN through (the sign of zero may be lost)."""
    r = np.clip(u, 0.0, 1.0)
    return np.ceil(r, out=r)


def _times_expit(v, u, out=None):
    d = np.negative(u)
    np.exp(d, out=d)
    d += 1.0
    r = np.divide(v, d, out=out)
    # e^-u overflows below -709.78: there expit(u) = e^u to the last bit, and v e^u is (e^(u + 512) v) e^-512,
    # so that e^u is not a subnormal with bits missing (u + 512 is exact for u in [-1024, -256]; below,
    # the result is 0 anyway). On those elements only.
    if u.size and not np.min(u) > -709.0:
        _times_exp_tail(r, v, u)
    return r


def _times_exp_tail(r, v, u, below: float = -709.0):
    """r = v e^u where u <= ``below`` (-708 or less), as (e^(u + 512) v) e^-512: e^u alone would be a
    subnormal, or close to one."""
    idx = np.flatnonzero(~(u > below))
    w = np.take(v, idx) if np.ndim(v) else v
    r[idx] = np.exp(u.take(idx) + 512.0) * w * _EXP_MINUS_512


_EXP_MINUS_512 = float(mpmath.exp(-512))  # correctly rounded
#: The rescaled primitives (_expit_neg_abs_rescaled, _exp_rescaled) take e^(u + _RESCALE) for u below
#: _RESCALE_BELOW, where e^u is under 2^-1000; _unscaled multiplies by _EXP_MINUS_512 afterwards.
_RESCALE = 512.0
_RESCALE_BELOW = -693.0


def _scaled_product(a, g, c, c_hi, c_lo, out=None):
    # c a = c_hi a_hi + (c_hi a_lo + c_lo a), with c_hi and a_hi of 26 bits: the first product is exact,
    # the rest 2^-26 of it, so c a g = c_hi a_hi g + (...) g rounds in the first product and in the sum
    # (the constant's own rounding is in c_lo)
    (r, lo), big = _overflowing(_split, a)
    rest = np.multiply(lo, c_hi, out=lo)
    t = a * c_lo
    rest += t
    r *= c_hi
    r *= g
    rest *= g
    r = np.add(r, rest, out=out)
    if big:  # |a| above 2^996, where it cannot be split: c a g as it is
        idx = np.flatnonzero(~(np.abs(a) < 2.0**996))
        r[idx] = a[idx] * (g[idx] if np.ndim(g) else g) * c
    return r


def _times_tanh_softplus(v, u, out=None):
    # tanh(softplus(u)) = N / D with y = e^-|u| <= 1: N = 2y + y^2, D = N + 2 for u < 0 and N = 1 + 2y,
    # D = N + 2y^2 elsewhere. N and D are kept as exact sums hi + lo, the quotient's residual and the
    # product with v are computed exactly (Dekker), so the result rounds about once after the exponential:
    # within 1 ulp, where v tanh(log1p(e^u)) rounds five times (1.6 ulp). Branch-free: a, b and c below are
    # maxima of two non-negative terms, one of them 0 (np.where costs as much as ten products).
    y = np.abs(u)
    np.negative(y, out=y)
    y, tiny = _overflowing(np.exp, y, flag="under")  # not in place: on underflow it runs twice
    m = np.less(u, 0.0).astype(np.float64)
    q = 1.0 - m
    y2 = y * y
    y += y
    a = y * m
    np.maximum(a, q, out=a)                  # 2y | 1
    b = y2 * m
    y *= q
    np.maximum(b, y, out=b)                  # y^2 | 2y
    c = np.multiply(y2, q, out=y2)
    np.maximum(c, m, out=c)
    c += c                                   # 2 | 2y^2
    n = a + b                                # Fast2Sum: a's exponent is at least b's
    n_lo = np.subtract(n, a, out=a)
    np.subtract(b, n_lo, out=n_lo)
    d = n + c                                # TwoSum
    bb = np.subtract(d, n, out=b)
    d_lo = np.subtract(d, bb, out=m)
    np.subtract(n, d_lo, out=d_lo)
    np.subtract(c, bb, out=bb)
    d_lo += bb
    d_lo += n_lo
    t0 = n / d                               # t0 + t1 = (n + n_lo) / (d + d_lo)
    p = np.multiply(t0, d, out=q)
    t_split = _split(t0)
    e = _product_error(t_split, _split(d), p)
    t1 = np.subtract(n, p, out=n)            # exact: p is within an ulp of n
    t1 -= e
    t1 += n_lo
    np.multiply(t0, d_lo, out=e)
    t1 -= e
    t1 /= d
    r = np.multiply(v, t0, out=out)
    vs, big = _overflowing(_split, v)
    e = _product_error(vs, t_split, r)
    np.multiply(v, t1, out=t1)
    e += t1
    if big:  # |v| above 2^996, where splitting overflows: those elements uncompensated
        e[~(np.abs(vs[0]) < np.inf)] = 0.0
    r += e
    np.copysign(r, v, out=r)  # tanh(softplus(u)) > 0: v's sign, -0 included (r + e above is +0 there)
    # where e^-|u| is subnormal and u < 0, tanh(softplus(u)) is e^u to the last bit: v e^u as in _times_expit
    if tiny:
        _times_exp_tail(r, v, u, -708.0)
    return r


def _finite(v):
    """v with +-inf (an argument that overflowed) as 0; NaN stays NaN."""
    if v.size and not np.max(np.abs(v)) < np.inf:
        v = np.where(np.isinf(v), 0.0, v)
    return v


def _hypot_minus(u, c, c2=None):
    return u * (u / (_fast_hypot(u, c, c2) + c))


NAMESPACE = {
    "_hypot_minus": _hypot_minus,
    "_expit": _expit,
    "_logistic_density": _logistic_density,
    "_softplus": _softplus,
    "_expm1": np.expm1,
    "_log1p": np.log1p,
    "_ndtr": _ndtr,
    "_tanh": np.tanh,
    "_sech": _sech,
    "_logcosh": _logcosh,
    "_hypot": _hypot,
    "_finite": _finite,
    "_expit_neg_abs": _expit_neg_abs,
    "_expit_neg_abs_rescaled": _expit_neg_abs_rescaled,
    "_exp_rescaled": _exp_rescaled,
    "_unscaled": _unscaled,
    "_tanh_half_abs": _tanh_half_abs,
    "_lower_pick": _lower_pick,
    "_shifted_times_expit_neg": _shifted_times_expit_neg,
    "_one_plus_sin": _one_plus_sin,
    "_fast_hypot": _fast_hypot,
    "_sum_squares": _sum_squares,
    "_reciprocal_sum_squares": _reciprocal_sum_squares,
    "_hypot_pow": _hypot_pow,
    "_hypot_plus": _hypot_plus,
    "_positive_step": _positive_step,
    "_times_expit": _times_expit,
    "_times_tanh_softplus": _times_tanh_softplus,
    "_scaled_product": _scaled_product,
}
