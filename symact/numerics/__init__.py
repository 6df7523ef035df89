"""Accurate, fast NumPy functions generated from each activation's SymPy declaration.

``numpy_function(act, n)`` returns a vectorised function for the n-th derivative (n = 0, 1, 2) of a scalar
activation. It is not written by hand: the declared expression is

1. split into pieces on intervals (:mod:`.pieces`; Max/Min/Abs become Piecewise),
2. rewritten into stable primitives (:mod:`.rewrite`, :mod:`.primitives`): ``log(1 + e^u)`` is
   ``max(u, 0) + log1p(e^-|u|)``, ``1/(1 + e^-u)`` is a logistic function computed from ``e^-|u|`` (and
   ``v/(1 + e^-u)`` for ``v expit(u)``), ``e^u - 1`` is ``expm1``,
   ``(1 + erf(u/sqrt2))/2`` is ``scipy.special.ndtr``, ``1 - tanh^2`` is ``sech^2`` (overflow-free),
   ``sqrt(u^2 + c)`` is ``hypot``, ...; and differentiated *in the primitives*, so that the derivative stays
   stable (sigmoid' is ``expit(x) expit(-x)``),
3. checked numerically against the arbitrary-precision reference (:mod:`.reference`) at compile time:
   where the formula still cancels near 0 (``x - tanh x``, ``sin(x)/x`` and its derivatives), or a step
   of it underflows there (``c expm1(x / c)`` at x = 2^-1022, c = 1e3), a Pade approximant computed from
   the Taylor series takes over on a small interval, and in a tail where the
   formula would overflow (``x^3 sech^2(...)``) the exact asymptote ``a x + b`` takes over beyond the
   point where the two agree to 2^-60,
4. printed as NumPy source (:mod:`.printer`, :mod:`.generate`): every piece is evaluated at its input
   *clamped to its own interval*, so an untaken branch never overflows or warns, and the pieces are
   combined as ``sum_i v_i [x in I_i]`` (exact, since every v_i is finite). That is ``np.where`` without
   its per-element branch, which costs as much as an ``exp`` on unsorted input; ``np.select`` is never
   used. Piecewise-constant functions are sums of comparisons; ``Max``/``Min`` of polynomials (ReLU,
   hard sigmoid, ...) are printed as ``np.maximum``/``np.minimum``. The functions are cached per
   (activation key, n) in memory, and their source on disk (:mod:`.store`), since the checks of step 3
   take a second or more.

Conventions:

* Input: arrays or scalars. float64 is computed as is; float32 and float16 are computed in float64 and
  rounded back (so they are correctly rounded but for rare double rounding); integers and bools give float64.
  A scalar in gives a NumPy scalar out. NaN in gives NaN out. No floating-point warning is raised for any
  finite input; a value that truly overflows (``exp(1000)``) is ``inf``.
* At a breakpoint b (a point where f or a derivative is not continuous) the derivative is that of the
  piece that holds at b as the declaration writes it: ``Piecewise((x, x > 0), (a x, True))`` has slope a
  at 0. ``Max(u, c)``/``Min(u, c)`` (c constant) take the constant side at the breakpoint and ``Abs``/``sign``
  have derivative 0 at 0. This matches PyTorch's autograd for f': ReLU'(0) = 0, ReLU6'(6) = 0,
  hardtanh' = 0 at +-1, hardswish' = 0 at -3 and 1 at 3, softshrink' = 0 at +-lambda, ELU'(0) = alpha;
  the test suite compares every breakpoint with PyTorch wherever PyTorch has the function. (PyTorch's
  f'' at a breakpoint is not always the derivative of the side its f' takes: ELU''(0) is 0 there.)
* Vector activations: ``numpy_function(act, 0)`` is the declaration's ``numpy_impl`` with the parameters
  bound as floats.
"""

from __future__ import annotations

import functools
import numbers
import re
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["numpy_function", "compiled"]

_CACHE: dict[tuple[str, int], Callable[[np.ndarray], np.ndarray]] = {}


def compiled(act, n: int):
    """The generated float64 kernel for f^(n) and its source text (built once per key, kept on disk)."""
    from symact.numerics import store
    from symact.numerics.generate import build, compile_source

    key = (act.key, n)
    if key not in _CACHE:
        path = store.path_for(act.name, act.key, n)
        text = store.load(path)
        kernel = None
        if text is not None:
            try:
                kernel = compile_source(text)
            except (SyntaxError, ValueError):  # a damaged file (cut short, null bytes) is a miss, replaced
                kernel = None
        if kernel is not None:
            _CACHE[key] = (kernel, text)
        else:
            kernel, text, _ = build(act.expr, n)
            store.save(path, text)
            _CACHE[key] = (kernel, text)
    return _CACHE[key]


#: Elements per block: a kernel of several NumPy passes runs block by block, so that its temporaries
#: (512 KiB each) stay in the cache instead of streaming 8 MB arrays through memory once per pass. Where
#: its last operation can, a block is computed straight into its slice of the result (``into_source``).
BLOCK = 65536


#: Array passes made by the primitives that are more than one NumPy call (see primitives.py).
_PRIMITIVE_PASSES = {"_hypot_plus": 9, "_hypot_pow": 20, "_hypot": 16, "_hypot_minus": 8, "_fast_hypot": 4,
                     "_logcosh": 8, "_softplus": 5, "_logistic_density": 6, "_sech": 6, "_tanh_half_abs": 5,
                     "_expit": 8, "_expit_neg_abs": 5, "_expit_neg_abs_rescaled": 7, "_exp_rescaled": 3,
                     "_unscaled": 1,
                     "_times_expit": 5, "_lower_pick": 3, "_shifted_times_expit_neg": 5, "_one_plus_sin": 5,
                     "_times_tanh_softplus": 50, "_scaled_product": 11, "_sum_squares": 2,
                     "_reciprocal_sum_squares": 3, "_cells": 6, "_patch": 4}


@functools.cache
def _settle_allocator() -> None:
    """Allocate and free one float64 array of 10^6 elements, as any process that has held such an array
    has done. glibc's malloc then serves blocks up to that size (8 MB) from its heap, and keeps up to
    twice that there when they are freed (its dynamic mmap threshold: see mallopt(3)). From its initial
    state (128 KiB, and 256 KiB kept) it maps each of a kernel's 512 KiB block temporaries afresh and
    unmaps it on free, so that every block page-faults: kernels ran 1.5 to 4 times slower on arrays of
    20,000 to 200,000 elements (mish 104 against 25 ns an element at 65,536). Elsewhere it is one
    allocation of no consequence."""
    np.empty(1_000_000)


def _passes(text: str) -> int:
    """How many array passes a kernel's source makes, roughly: a NumPy call or an arithmetic operator is
    one, a primitive as many as it makes itself."""
    body = text.split("\n", 1)[1]
    # a unary minus is no pass of its own (a literal's sign, or a negation NumPy does in place)
    body = re.sub(r"((?:[(,=*/+-]|\breturn)\s*)-", r"\1", body)
    calls = re.findall(r"[\w.]+(?=\()", body)
    operators = re.findall(r"(?<![eE])[-+*/]", body)
    return len(operators) + sum(_PRIMITIVE_PASSES.get(c, 1) for c in calls)


def _blocked(kernel: Callable[[np.ndarray], np.ndarray],
             into: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
             ) -> Callable[[np.ndarray], np.ndarray]:
    """``kernel`` run block by block into one result array; ``into(x, out)``, if given, computes a block
    into its slice of the result (else each block's value is copied there)."""
    def run(flat: np.ndarray) -> np.ndarray:
        if flat.size <= BLOCK:
            return kernel(flat)
        out = np.empty(flat.size)
        for start in range(0, flat.size, BLOCK):
            block, part = out[start:start + BLOCK], flat[start:start + BLOCK]
            value = kernel(part) if into is None else into(part, block)
            if value is not block:
                block[...] = value
        return out

    return run


def _real_array(values: Any, name: str) -> np.ndarray:
    """``values`` as an array of real numbers (bool, integer or float), else a TypeError that says what
    came instead: strings, None, dates and complex numbers are not read as numbers."""
    arr = np.asarray(values)
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"{name}: complex input is not supported")
    if kind not in "biuf":
        what = "None" if kind == "O" and any(v is None for v in arr.flat) else f"values of type {arr.dtype}"
        raise TypeError(f"{name}: expects real numbers (an array or a scalar), got {what}")
    if arr.dtype.itemsize > 8 and kind == "f":  # long double: computed in float64, and said so by the dtype
        arr = arr.astype(np.float64)
    return arr


def _wrap(kernel: Callable[[np.ndarray], np.ndarray], name: str, blocked: bool = False,
          into: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None) -> Callable[[Any], Any]:
    run = _blocked(kernel, into) if blocked else kernel

    def f(values: Any) -> Any:
        if isinstance(values, np.ma.MaskedArray):  # elementwise: the mask stays as it is
            return np.ma.array(f(values.filled(0)), mask=np.ma.getmaskarray(values).copy())
        arr = _real_array(values, name)
        dtype = arr.dtype
        if dtype.kind == "f" and dtype != np.float64:
            work, out_dtype = arr.astype(np.float64), dtype
        elif dtype.kind != "f":
            work, out_dtype = arr.astype(np.float64), np.dtype(np.float64)
        else:
            work, out_dtype = arr, dtype
        shape = work.shape
        work = work.reshape(-1)  # the kernels work on 1-d arrays (a scalar becomes one element)
        # untaken branches may overflow or divide 0 by 0 (a Pade patch replaces sin(x)/x at 0): the
        # selected values never do, which the tests check value by value
        with np.errstate(all="ignore"):
            out = run(work)
        out = np.asarray(out, dtype=np.float64)
        if np.may_share_memory(out, arr):
            out = out.copy()  # f(x) = x must not hand back the caller's own array
        if out.shape != work.shape:
            out = np.broadcast_to(out, work.shape).copy()
        out = out.reshape(shape)
        if out_dtype != np.float64:
            with np.errstate(over="ignore"):
                out = out.astype(out_dtype)
        return out[()] if out.ndim == 0 else out

    f.__name__ = name
    return f


def numpy_function(act, n: int = 0) -> Callable[[Any], Any]:
    """A vectorised NumPy function for the n-th derivative of ``act`` (n = 0 is f itself)."""
    from symact.activation import integer

    if act.kind == "vector":
        if integer(n, "derivative order", 0, 2) != 0:
            raise ValueError(f"{act.name}: only n = 0 is available for a vector activation")
        impl = getattr(act.decl, "numpy_impl", None)
        if impl is None:
            raise NotImplementedError(f"{act.name} declares no NumPy implementation")
        return _vector(act, impl)
    n = integer(n, "derivative order", 0, 2)
    kernel, text = compiled(act, n)
    # blocks pay off as soon as a kernel makes a float temporary besides its result (measured: hard swish,
    # four passes, 0.43 times the time unblocked; leaky ReLU, two, 0.68); a one-pass kernel only pays for
    # the slicing (ReLU 1.7 times), and so does a piecewise-constant one, whose temporaries are booleans
    # (leaky ReLU' 1.2 times)
    blocked = _passes(text) > 1 and "_with_nans(" not in text
    into = _into_kernel(text) if blocked else None
    if blocked:
        _settle_allocator()
    return _wrap(kernel, f"{act.name}{chr(39) * n}", blocked=blocked, into=into)


def _vector(act, impl: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """The declaration's NumPy implementation at the activation's parameters, with its input checked:
    real numbers, at least one axis, an integer axis in range, and an admitted size along it."""
    d, name = act.decl, act.name
    params = {k: float(v) for k, v in act.params.items()}

    def f(z: Any, axis: int = -1) -> np.ndarray:
        if isinstance(z, np.ma.MaskedArray):
            raise TypeError(f"{name}: masked arrays are not supported (a component depends on the others)")
        arr = _real_array(z, name)
        if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
            raise TypeError(f"{name}: axis must be an integer, got {axis!r}")
        if arr.ndim == 0:
            raise ValueError(f"{name}: needs an array of at least one dimension, got a scalar")
        if not -arr.ndim <= axis < arr.ndim:
            raise ValueError(f"{name}: axis {axis} is out of range for an array of {arr.ndim} dimension(s)")
        size = arr.shape[axis]
        if not d.admits(size):
            raise ValueError(f"{name}: takes {d.sizes} inputs along axis {axis}, got {size}")
        return impl(arr, axis=int(axis), **params)

    f.__name__ = name
    return f


@functools.cache
def _into_kernel(text: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
    """The kernel that computes into a given block of the result (see ``generate.into_source``)."""
    from symact.numerics.generate import compile_source, into_source

    source = into_source(text)
    return None if source is None else compile_source(source)
