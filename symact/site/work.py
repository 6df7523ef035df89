"""The slow part of a build, in worker processes: deriving the sheets and drawing the figures.

Each activation is one task (its sheet through the on-disk cache, then its figures if stale), so that
one worker draws while the other derives. The engine's budgets are driven by a signal (SIGPROF), which
works only in a main thread: each task runs in the main thread of its worker process.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

#: Worker processes; the machines this runs on have two cores.
JOBS = 2


def activation_task(docs: str, name: str, version: str) -> tuple[dict, list[str], Any]:
    """The sheet of ``name``, the figure paths drawn or kept for it, and its samples (when drawn)."""
    import symact
    from symact.site.figures import draw_activation

    sheet = symact.get(name).properties.to_dict()
    paths, samples = draw_activation(Path(docs), name, sheet, version)
    return sheet, paths, samples


def family_task(docs: str, family: str, members: list[str], sheets: list[dict], version: str,
                samples: list[Any]) -> list[str]:
    from symact.site.figures import draw_family

    return draw_family(Path(docs), family, members, sheets, version, samples)


class Progress:
    """A one-line counter on a terminal; silent when stdout is not one (CI logs, pipes)."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.live = sys.stdout.isatty()
        self.start = time.monotonic()

    def step(self, what: str) -> None:
        self.done += 1
        if self.live:
            elapsed = time.monotonic() - self.start
            line = f"\r{self.label} {self.done}/{self.total} ({elapsed:4.0f} s) {what}"
            sys.stdout.write(line[:100].ljust(100))
            sys.stdout.flush()

    def close(self) -> None:
        if self.live:
            sys.stdout.write("\r" + " " * 100 + "\r")
            sys.stdout.flush()


def run(tasks: Iterable[tuple[str, Callable[..., Any], tuple]], label: str,
        jobs: int = JOBS) -> dict[str, Any]:
    """Run ``(key, function, args)`` tasks in a process pool; their results by key.

    A task that raises stops the build with the key in the message, since a site with a missing or
    wrong page is worse than no new site.
    """
    tasks = list(tasks)
    if not tasks:
        return {}
    progress = Progress(len(tasks), label)
    results: dict[str, Any] = {}
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures: dict[Future, str] = {pool.submit(fn, *args): key for key, fn, args in tasks}
            for future in as_completed(futures):
                key = futures[future]
                try:
                    results[key] = future.result()
                except Exception as error:
                    for other in futures:
                        other.cancel()
                    raise RuntimeError(f"{label} {key}: {type(error).__name__}: {error}") from error
                progress.step(key)
    finally:
        progress.close()
    return results
