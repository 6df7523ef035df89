"""Time a cold derivation of the whole catalog, and a warm ``symact show`` as a whole process.

    .venv/bin/python scripts/bench_derive.py [--workers 2] [--timeout SECONDS] [NAME ...]

Every sheet is derived from scratch (in a fresh, temporary cache) in parallel worker processes. The
table gives, per activation, its cold derivation time and how many of its fields were obtained
symbolically, numerically, declared by hand, or not at all (the sheet's ``how`` map), naming the
unknown ones. The exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import symact  # noqa: E402 - after the path is set, so the checkout is measured
from symact.cache import iter_warm  # noqa: E402

TARGET_CATALOG_SECONDS = 120.0  # on 2 cores
TARGET_WARM_SHOW_SECONDS = 1.5
HOWS = ("symbolic", "numeric", "declared", "unknown")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="activations to derive (default: the catalog)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="give up on one activation after this many seconds of CPU time")
    parser.add_argument("--runs", type=int, default=5, help="runs of the warm show (default 5)")
    args = parser.parse_args(argv)
    names = [symact.get(n).name for n in args.names] or symact.names()

    with tempfile.TemporaryDirectory(prefix="symact-bench-") as where:
        os.environ["SYMACT_CACHE_DIR"] = where
        _load_engine()
        start = time.perf_counter()
        done = {}
        for result in iter_warm(names, workers=args.workers, timeout=args.timeout):
            done[result.name] = result
            mark = "error" if result.error else "ok"
            print(f"  {len(done):3d}/{len(names)}  {result.name:<24} {result.seconds:7.1f} s  {mark}",
                  file=sys.stderr, flush=True)
        wall = time.perf_counter() - start
        print()
        unknown_scalar = _table([done[n] for n in names])
        warm = _time_warm_show(where, args.runs)

    print()
    full = not args.names
    checks = [
        (f"catalog cold: {wall:.1f} s wall with {args.workers} workers",
         f"<= {TARGET_CATALOG_SECONDS:.0f} s on 2 cores",
         wall <= TARGET_CATALOG_SECONDS or not full),
        (f"unknown fields among scalar activations: {unknown_scalar}", "0", unknown_scalar == 0),
        (f"warm `python -m symact show gelu --json`: {warm:.2f} s (median of {args.runs})",
         f"< {TARGET_WARM_SHOW_SECONDS} s", warm < TARGET_WARM_SHOW_SECONDS),
    ]
    failed = sum(1 for _, _, ok in checks if not ok)
    for text, target, ok in checks:
        print(f"{text:<64} target {target:<18} {'ok' if ok else 'MISSED'}")
    if not full:
        print("(the catalog target applies to the whole catalog only)")
    failed += sum(1 for r in done.values() if r.error)
    return 1 if failed else 0


def _load_engine() -> None:
    """Import the engine before the workers fork, so no worker's first timing includes its imports."""
    import importlib

    for module in ("symact.engine.scalar", "symact.engine.vector"):
        try:
            importlib.import_module(module)
        except ImportError:
            pass


def _table(results) -> int:
    """Print one row per activation; returns the number of unknown fields among scalar ones."""
    header = f"{'activation':<24} {'kind':<6} {'cold s':>7} " + " ".join(f"{h:>8}" for h in HOWS)
    print(header + "  unknown fields")
    print("-" * (len(header) + 16))
    unknown_scalar = 0
    for result in results:
        act = symact.get(result.name)
        if result.error:
            print(f"{result.name:<24} {act.kind:<6} {result.seconds:7.1f}  error: {result.error}")
            if act.kind == "scalar":
                unknown_scalar += 1
            continue
        how = act.properties.to_dict().get("how", {})
        counts = [sum(1 for v in how.values() if v == h) for h in HOWS]
        unknown = sorted(k for k, v in how.items() if v == "unknown")
        if act.kind == "scalar":
            unknown_scalar += len(unknown)
        cells = " ".join(f"{c:>8}" for c in counts)
        print(f"{result.name:<24} {act.kind:<6} {result.seconds:7.1f} {cells}  {', '.join(unknown)}")
    return unknown_scalar


def _time_warm_show(cache_dir: str, runs: int) -> float:
    """Median wall time of ``python -m symact show gelu --json`` as a whole process, cache warm."""
    env = {**os.environ, "SYMACT_CACHE_DIR": cache_dir}
    command = [sys.executable, "-m", "symact", "show", "gelu", "--json"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # fills the cache
    if first.returncode != 0:
        last = (first.stderr.strip().splitlines() or ["no message"])[-1]
        print(f"warm show failed (status {first.returncode}): {last}", file=sys.stderr)
        return float("inf")
    times, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    # On a busy machine wall time includes waiting for a core; CPU time shows what the command costs.
    print(f"warm show: median {statistics.median(times):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU; load average {os.getloadavg()[0]:.1f}")
    return statistics.median(times)


if __name__ == "__main__":
    sys.exit(main())
