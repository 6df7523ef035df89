"""Accuracy and speed of symact's generated NumPy against naive lambdify, hand-written NumPy, SciPy, PyTorch.

For every scalar activation and n = 0, 1, 2:

* accuracy: the largest error in ulps, divided by max(1, kappa) with kappa = |x g'(x) / g(x)| the condition
  number of g = f^(n) at x (so 4 means "4 ulp where well conditioned"), over a fixed set of points in
  [-1000, 1000] (dense near 0, in the tails), against the mpmath reference; "inf" when some output is NaN or
  infinite where the exact value is a finite double;
* speed: millions of float64 elements per second on 1e6 normal(0, 4) inputs, median of 21 rounds in which
  every NumPy implementation is timed once, side by side (PyTorch and JAX in rounds of their own);
* speed ratio (target: at most 1.3): symact's time over the hand-written NumPy expression's, the median
  over 21 rounds of the two timed side by side, in a fresh process that runs nothing else, and the median
  of that over 5 such processes (one process's memory layout moves a ratio by up to 30%). It is measured
  in two allocator states: glibc's default, where every 8 MB temporary of a hand expression is a fresh
  mmap that page-faults, and with the mmap threshold raised to 64 MiB (``mallopt``), where none does.
  The second is the state a process is in after PyTorch or JAX ran in it (the large buffers they free
  raise the threshold); the hand expressions are faster there, symact's blocked kernels hardly change.

PyTorch runs on the CPU with one thread, in float64; its derivatives are autograd's (timed as forward plus
backward). JAX is included when it can be imported (jit-compiled, vmapped grad, float64, one thread).

Usage: python scripts/bench_numeric.py [NAME ...] [--out benchmarks/numeric.md]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import mpmath
import numpy as np
import scipy
import scipy.special as sc
import sympy as sp

import symact
from symact.numerics import numpy_function
from symact.numerics.generate import condition, ulps
from symact.numerics.reference import Reference

SQRT2 = np.sqrt(2.0)
INV_SQRT2PI = 1 / np.sqrt(2 * np.pi)


def _sig(x):
    return 1 / (1 + np.exp(-x))


# The comparison baseline: the NumPy a careful person writes by hand for each common function.
HAND = {
    ("sigmoid", 0): _sig,
    ("sigmoid", 1): lambda x: (s := _sig(x)) * (1 - s),
    ("sigmoid", 2): lambda x: (s := _sig(x)) * (1 - s) * (1 - 2 * s),
    ("tanh", 0): np.tanh,
    ("tanh", 1): lambda x: 1 - np.tanh(x) ** 2,
    ("tanh", 2): lambda x: -2 * (t := np.tanh(x)) * (1 - t * t),
    ("relu", 0): lambda x: np.maximum(x, 0.0),
    ("relu", 1): lambda x: (x > 0).astype(np.float64),
    ("relu6", 0): lambda x: np.clip(x, 0.0, 6.0),
    ("leaky_relu", 0): lambda x: np.where(x >= 0, x, 0.01 * x),
    ("leaky_relu", 1): lambda x: np.where(x > 0, 1.0, 0.01),  # the negative slope at 0, as autograd
    ("elu", 0): lambda x: np.where(x > 0, x, np.expm1(x)),
    ("elu", 1): lambda x: np.where(x > 0, 1.0, np.exp(x)),
    ("selu", 0): lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x)),
    ("celu", 0): lambda x: np.where(x > 0, x, np.expm1(x)),
    ("softplus", 0): lambda x: np.logaddexp(0.0, x),
    ("softplus", 1): _sig,
    ("softplus", 2): lambda x: (s := _sig(x)) * (1 - s),
    ("log_sigmoid", 0): lambda x: -np.logaddexp(0.0, -x),
    ("log_sigmoid", 1): lambda x: 1 - _sig(x),
    ("silu", 0): lambda x: x * _sig(x),
    ("silu", 1): lambda x: (s := _sig(x)) * (1 + x * (1 - s)),
    ("silu", 2): lambda x: (s := _sig(x)) * (1 - s) * (2 + x * (1 - 2 * s)),
    ("swish", 0): lambda x: x * _sig(x),
    ("gelu", 0): lambda x: 0.5 * x * (1 + sc.erf(x / SQRT2)),
    ("gelu", 1): lambda x: 0.5 * (1 + sc.erf(x / SQRT2)) + x * INV_SQRT2PI * np.exp(-0.5 * x * x),
    ("gelu", 2): lambda x: INV_SQRT2PI * np.exp(-0.5 * x * x) * (2 - x * x),
    ("gelu_tanh", 0): lambda x: 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3))),
    ("gelu_sigmoid", 0): lambda x: x * _sig(1.702 * x),
    ("mish", 0): lambda x: x * np.tanh(np.logaddexp(0.0, x)),
    ("softsign", 0): lambda x: x / (1 + np.abs(x)),
    ("softsign", 1): lambda x: 1 / (1 + np.abs(x)) ** 2,
    ("hard_sigmoid", 0): lambda x: np.clip(x / 6 + 0.5, 0.0, 1.0),
    ("hard_swish", 0): lambda x: x * np.clip(x + 3, 0.0, 6.0) / 6,
    ("hard_tanh", 0): lambda x: np.clip(x, -1.0, 1.0),
    ("tanhshrink", 0): lambda x: x - np.tanh(x),
    ("softshrink", 0): lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0.0)),
    ("hardshrink", 0): lambda x: np.where(np.abs(x) > 0.5, x, 0.0),
    ("gaussian", 0): lambda x: np.exp(-x * x),
    ("sinusoid", 0): np.sin,
    ("arctan", 0): np.arctan,
    ("arctan", 1): lambda x: 1 / (1 + x * x),
    ("exponential", 0): np.exp,
    ("logcosh", 0): lambda x: np.log(np.cosh(x)),
    ("squareplus", 0): lambda x: 0.5 * (x + np.sqrt(x * x + 4)),
    ("isru", 0): lambda x: x / np.sqrt(1 + x * x),
    ("lisht", 0): lambda x: x * np.tanh(x),
    ("sinc", 0): lambda x: np.sinc(x / np.pi),
    ("identity", 0): lambda x: x.copy(),
}

# SciPy where it has the function (or its building block).
SCIPY = {
    ("sigmoid", 0): sc.expit,
    ("log_sigmoid", 0): sc.log_expit,
    ("softplus", 0): lambda x: -sc.log_expit(-x),
    ("softplus", 1): sc.expit,
    ("silu", 0): lambda x: x * sc.expit(x),
    ("gelu", 0): lambda x: x * sc.ndtr(x),
    ("elu", 0): lambda x: np.where(x > 0, x, sc.expm1(x)),
}


def accuracy_points() -> list[float]:
    pts = {float(v) for v in np.linspace(-1000, 1000, 41)}
    pts |= {float(v) for v in np.linspace(-10, 10, 161)}
    pts |= {float(v) for v in np.arange(-16.0, 16.0, 0.07)}
    for k in range(-40, 10, 2):
        pts |= {2.0**k, -(2.0**k), 1.37 * 2.0**k, -1.37 * 2.0**k}
    for t in (20.0, 37.0, 709.78, 745.0):
        pts |= {t, -t, 1.001 * t, -1.001 * t}
    return sorted(pts)


def max_scaled_ulps(values: np.ndarray, points: list[float], ref: Reference, slope: Reference) -> float:
    worst = 0.0
    for v, g in zip(points, values, strict=True):
        want = ref(v)
        err = ulps(float(g), want)
        if err > 1.0:
            if want == 0:
                with mpmath.workdps(40):
                    scale = float(abs(v * slope(v))) * 2.0**-52 / 2.0**-1074 if v else 1.0
                err = err / max(1.0, scale)
            else:
                err = err / max(1.0, condition(ref, slope, v))
        worst = max(worst, err)
    return worst


FRAMEWORKS = ("torch", "jax")


def throughputs(fns: dict, data: np.ndarray, runs: int = 11, times: dict | None = None) -> dict:
    """Millions of elements per second for each function, measured side by side: every round times each
    function once (in a rotating order), and the median of ``runs`` rounds is taken (after a warm-up).
    ``times``, if given, receives every round's time per function."""
    keys = list(fns)
    if not keys:
        return {}
    times = {} if times is None else times
    times.update({k: [] for k in keys})
    for k in keys:
        fns[k](data)
    for r in range(runs):
        for k in keys[r % len(keys):] + keys[:r % len(keys)]:
            t = time.perf_counter()
            fns[k](data)
            times[k].append(time.perf_counter() - t)
    return {k: data.size / statistics.median(times[k]) / 1e6 for k in keys}


#: Rounds of the side-by-side timing of the NumPy implementations.
ROUNDS = 21


def paired_ratio(mine: list[float], theirs: list[float]) -> float:
    """The median over rounds of my time / their time in the same round: the two calls of a round are
    neighbours, so a slow spell of a shared machine cancels out of each ratio."""
    return statistics.median(a / b for a, b in zip(mine, theirs, strict=True))


#: Fresh processes per allocator state for the speed ratio, and the allocator states.
PROCESSES = 5
#: The site's "NumPy accuracy and speed" page includes what lies between these markers of the report.
RESULTS_START, RESULTS_END = "<!-- --8<-- [start:results] -->", "<!-- --8<-- [end:results] -->"
STATES = ("default", "no-faults")


def _raise_mmap_threshold() -> None:
    """glibc's mmap threshold to 64 MiB and the trim threshold above it: a large temporary then comes from
    the heap, already mapped, instead of a fresh mmap that page-faults on first touch."""
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    if not (libc.mallopt(m_mmap_threshold, 64 << 20) and libc.mallopt(m_trim_threshold, 256 << 20)):
        raise OSError("mallopt failed")


def _case(key: str) -> tuple[str, int]:
    name, n = key.split(":")
    return name, int(n)


def speed_worker(state: str, cases: list[tuple[str, int]]) -> dict:
    """symact's time over the hand expression's for every case, in this process (run as a worker)."""
    if state == "no-faults":
        _raise_mmap_threshold()
    data = np.random.default_rng(0).normal(0.0, 4.0, 1_000_000)
    ratios = {}
    for name, n in cases:
        rounds: dict = {}
        _timed({"symact": numpy_function(symact.get(name), n), "hand": HAND[name, n]}, data, ROUNDS, rounds)
        ratios[f"{name}:{n}"] = paired_ratio(rounds["symact"], rounds["hand"])
    return ratios


def speed_ratios(cases: list[tuple[str, int]]) -> dict[str, dict]:
    """The speed ratio per state and case over PROCESSES fresh worker processes: (median, lowest, highest)."""
    timed = [f"{name}:{n}" for name, n in cases if (name, n) in HAND]
    out: dict[str, dict] = {}
    for state in STATES:
        runs = []
        for k in range(PROCESSES):
            print(f"speed ratios, {state} allocator, process {k + 1} of {PROCESSES}", file=sys.stderr,
                  flush=True)
            proc = subprocess.run([sys.executable, __file__, "--speed-worker", state, *timed],
                                  capture_output=True, text=True, check=False)
            if proc.returncode:
                if state != "default":
                    break  # no glibc here: this state is not measured
                last = (proc.stderr.strip().splitlines() or ["no message"])[-1]
                raise SystemExit(f"bench_numeric: speed worker failed: {last}")
            runs.append(json.loads(proc.stdout))
        if runs:
            out[state] = {_case(key): _spread([r[key] for r in runs]) for key in timed}
    return out


def _spread(values: list[float]) -> tuple[float, float, float]:
    """The median, the lowest and the highest of one case's ratios over the processes."""
    return statistics.median(values), min(values), max(values)


def naive(act, n: int):
    expr = act.derivative(n)
    if expr.has(sp.DiracDelta):
        return None
    return sp.lambdify(symact.x, expr, "numpy")


def torch_fn(act, n: int):
    try:
        import torch
    except ImportError:
        return None
    call = next((e.call for e in act.decl.equivalents if e.framework == "pytorch"), None)
    if call is None or not act.is_default:
        return None
    torch.set_num_threads(1)

    def run(x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(np.ascontiguousarray(x)).requires_grad_(n > 0)
        y = eval(call, {"torch": torch, "x": t})  # noqa: S307 - the catalog's own call strings
        if isinstance(y, torch.nn.Module):
            y = y.double()(t)
        if n == 0:
            return y.detach().numpy()
        (d1,) = torch.autograd.grad(y.sum(), t, create_graph=n > 1)
        if n == 1:
            return d1.detach().numpy()
        if not d1.requires_grad:
            return np.zeros_like(x)
        (d2,) = torch.autograd.grad(d1.sum(), t, allow_unused=True)
        return np.zeros_like(x) if d2 is None else d2.detach().numpy()

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run(np.array([0.5, -0.5]))
    except Exception:  # noqa: BLE001 - a call PyTorch cannot run or differentiate: not compared
        return None
    return run


def jax_fn(act, n: int):
    # one thread, like PyTorch here, and float64
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    try:
        import jax
        import jax.numpy as jnp  # noqa: F401
    except ImportError:
        return None
    call = next((e.call for e in act.decl.equivalents if e.framework == "jax"), None)
    if call is None or not act.is_default:
        return None
    jax.config.update("jax_enable_x64", True)
    g = eval(f"lambda x: {call}", {"jax": jax})  # noqa: S307 - the catalog's own call strings
    for _ in range(n):
        g = jax.grad(g)
    vg = jax.jit(jax.vmap(g))
    return lambda x: np.asarray(vg(x))


def machine() -> str:
    """What the timings were taken on: the ratios depend on it. Where NumPy finds AVX-512, its exp, log,
    cosh and tanh are vectorised (SVML), a hand expression of two such calls is several times faster than
    elsewhere, and every further array pass of a stable form weighs more against it."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    simd = np.show_config(mode="dicts").get("SIMD Extensions", {}).get("found", [])
    return (f"- machine: {model}, {os.cpu_count()} cores; Python {platform.python_version()}, NumPy "
            f"{np.__version__} (SIMD found: {', '.join(simd) or 'none'}), SciPy {scipy.__version__}")


def _summary(results: list[tuple]) -> list[str]:
    """The targets, counted: at most 4 ulp (over max(1, condition)); no other implementation more accurate
    by more than half an ulp; at most 1.3 times the hand-written NumPy's time."""
    over = [f"{name}^({n}) {acc['symact']:.2f}" for name, n, acc, *_ in results if acc["symact"] > 4.0]
    behind, strict = [], []
    for name, n, acc, *_ in results:
        others = {k: v for k, v in acc.items() if k != "symact" and v is not None}
        if others:
            key = min(others, key=others.get)
            if others[key] < acc["symact"] and acc["symact"] > 1.0:
                strict.append(f"{name}^({n}) {acc['symact']:.2f} vs {key} {others[key]:.2f}")
            if others[key] + 0.5 < acc["symact"] and acc["symact"] > 1.0:
                behind.append(f"{name}^({n}) {acc['symact']:.2f} vs {key} {others[key]:.2f}")
    speed_lines = []
    for column, where in ((3, "glibc's default allocator"),
                          (4, "no page faults (mmap threshold 64 MiB, as after PyTorch/JAX ran)")):
        timed = [row for row in results if row[column] is not None]
        if not timed:
            continue

        def shown(row: tuple, column: int = column) -> str:
            # a ratio with its range over the processes: how far a shared machine's noise carries it
            low, high = row[column + 2]
            return f"{row[0]}^({row[1]}) {row[column]:.2f} ({low:.2f} to {high:.2f})"

        slow = [shown(row) for row in timed if row[column] > 1.3]
        within = [row for row in timed if row[column] <= 1.3]
        line = (f"- speed against the hand-written NumPy, {where}: median ratio "
                f"{statistics.median(row[column] for row in timed):.2f}, {len(within)} of {len(timed)} "
                "within 1.3x")
        if slow:
            line += f"; slower: {', '.join(slow)}"
        if within:
            line += f"; highest within: {shown(max(within, key=lambda row: row[column]))}"
        speed_lines.append(line)
    return [
        machine(),
        f"- accuracy: {len(results) - len(over)} of {len(results)} (function, order) cases within 4 ulp"
        + (f"; over: {', '.join(over)}" if over else ""),
        f"- behind another implementation by more than 0.5 ulp: {len(behind)}"
        + (f" ({', '.join(behind)})" if behind else ""),
        f"- behind another implementation at all (where symact is above 1 ulp): {len(strict)}"
        + (f" ({', '.join(strict)})" if strict else ""),
    ] + speed_lines


def _accuracy(impls: dict, points: list[float], ref: Reference, slope: Reference) -> tuple[dict, dict]:
    """Each implementation's scaled worst error, and the implementations that ran (to be timed)."""
    pts = np.asarray(points)
    acc: dict = {}
    ran = {}
    for key, fn in impls.items():
        acc[key] = None
        if fn is None:
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                out = np.broadcast_to(np.asarray(fn(pts), dtype=float), pts.shape)
            except Exception:  # noqa: BLE001 - a naive formula NumPy cannot evaluate
                continue
        acc[key] = max_scaled_ulps(out, points, ref, slope)
        ran[key] = fn
    return acc, ran


def _timed(fns: dict, data: np.ndarray, runs: int, rounds: dict | None = None) -> dict:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return throughputs(fns, data, runs, rounds)


def fmt_ulp(v: float | None) -> str:
    if v is None:
        return ""
    if not np.isfinite(v):
        return "inf"
    return f"{v:.3g}" if v < 1e6 else f"{v:.1e}"


def fmt_speed(v: float | None) -> str:
    return "" if v is None else f"{v:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--out", default="benchmarks/numeric.md")
    parser.add_argument("--speed-worker", metavar="STATE", choices=STATES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.speed_worker:
        print(json.dumps(speed_worker(args.speed_worker, [_case(key) for key in args.names])))
        return
    names = args.names or [n for n in symact.names() if symact.get(n).kind == "scalar"]
    points = accuracy_points()
    data = np.random.default_rng(0).normal(0.0, 4.0, 1_000_000)
    header = ("| activation | n | symact ulp | naive ulp | hand ulp | SciPy ulp | PyTorch ulp | JAX ulp "
              "| symact Mel/s | hand Mel/s | naive Mel/s | SciPy Mel/s | PyTorch Mel/s | JAX Mel/s | ratio "
              "| ratio, no page faults |")
    rows = [header, "|" + "---|" * 16]
    print(header.replace("|", " ").strip(), flush=True)
    cases = [(name, n) for name in names for n in (0, 1, 2)]
    # The speed ratios first, in fresh processes (nothing else runs meanwhile); then, in this process, the
    # accuracy and throughput of the NumPy implementations, timed before PyTorch or JAX first run (they
    # change the allocator's state), and then the frameworks'.
    ratios = speed_ratios(cases)
    state: dict = {}
    for name, n in cases:
        act = symact.get(name)
        ref, slope = Reference(act.expr, n), Reference(act.expr, n + 1)
        impls = {"symact": numpy_function(act, n), "naive": naive(act, n), "hand": HAND.get((name, n)),
                 "scipy": SCIPY.get((name, n))}
        acc, timed = _accuracy(impls, points, ref, slope)
        rounds: dict = {}
        speed = _timed(timed, data, ROUNDS, rounds)
        state[name, n] = (impls, acc, speed, ref, slope)
        print(f"{name}^({n}) NumPy: " + ", ".join(f"{k} {fmt_ulp(v)}" for k, v in acc.items()), flush=True)
    results: list[tuple] = []
    for name, n in cases:
        act = symact.get(name)
        impls, acc, speed, ref, slope = state[name, n]
        frameworks = {"torch": torch_fn(act, n), "jax": jax_fn(act, n)}
        fw_acc, fw_timed = _accuracy(frameworks, points, ref, slope)
        acc |= fw_acc
        speed |= _timed(fw_timed, data, 5)
        spreads = [ratios.get(s, {}).get((name, n)) for s in STATES]
        ratio, after = (None if v is None else v[0] for v in spreads)
        results.append((name, n, acc, ratio, after, *(None if v is None else v[1:] for v in spreads)))
        row = (f"| {name} | {n} | " + " | ".join(fmt_ulp(acc.get(k)) for k in
                                                 ("symact", "naive", "hand", "scipy", "torch", "jax"))
               + " | " + " | ".join(fmt_speed(speed.get(k)) for k in ("symact", "hand", "naive", "scipy",
                                                                        "torch", "jax"))
               + "".join(f" | {'' if r is None else f'{r:.2f}'}" for r in (ratio, after)) + " |")
        rows.append(row)
        print(row, flush=True)
    summary = _summary(results)
    print("\n".join(summary), flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = ("# NumPy numerics: accuracy and speed\n\n"
            "Generated by `python scripts/bench_numeric.py`. Accuracy: worst error in ulps divided by "
            "max(1, condition number), over fixed points in [-1000, 1000] against a 40+ digit mpmath "
            "reference (`inf`: a NaN or inf where the exact value is a finite double). Speed: millions of "
            f"float64 elements per second on 1e6 normal(0, 4) inputs, median of {ROUNDS} rounds that time "
            "every NumPy implementation once, side by side (PyTorch and JAX in rounds of their own; one "
            "thread). Ratio = symact's time / the hand-written NumPy expression's: the median over "
            f"{ROUNDS} side-by-side rounds in a fresh process, and the median of that over {PROCESSES} "
            "processes (the summary gives the lowest and highest in brackets); with glibc's default "
            "allocator (each 8 MB temporary of a hand expression is a fresh "
            "mmap that page-faults) and with the mmap threshold raised to 64 MiB (no page faults: the state "
            "a process is in after PyTorch or JAX ran in it). PyTorch derivatives are autograd "
            "(forward + backward). Timings come from a shared 2-core machine: for the cheapest kernels "
            "(ReLU, clips, ~1 ms per call) the ratio is mostly noise.\n\n"
            f"{RESULTS_START}\n" + "\n".join(summary) + "\n\n" + "\n".join(rows) + f"\n{RESULTS_END}\n")
    if not out.exists() or out.read_text() != text:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text)
        tmp.replace(out)  # atomic: a reader never sees half a table
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
