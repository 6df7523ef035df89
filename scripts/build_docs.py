#!/usr/bin/env python3
"""Generate the reference site's pages and figures into docs/ (then run `mkdocs build`).

Usage: python scripts/build_docs.py [--jobs N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, without the usage before it
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=_positive, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)

    from symact.site import build

    start = time.monotonic()
    report = build(ROOT, jobs=args.jobs)
    total = time.monotonic() - start
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    print(f"docs: {report.pages} pages, {report.figures} figures; {len(report.written)} files written, "
          f"{len(report.removed)} removed; {total:.1f} s ({steps})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
