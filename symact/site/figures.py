"""The site's SVG figures, each redrawn only when what it is drawn from changed.

A figure records its inputs (the activation keys, which cover the sheet it reads, and the version of
the plotting code) in a comment at its top; a figure whose comment matches is left alone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

FIGURES = "assets/figures"
VARIANTS = (("", False), ("-dark", True))


def code_version() -> str:
    """A hash of the code that draws the figures: a change to it redraws every figure."""
    from symact import plotting

    digest = hashlib.sha256()
    for module_file in (plotting.__file__, __file__):
        digest.update(Path(module_file).read_bytes())
    return digest.hexdigest()[:16]


def activation_figure(name: str) -> str:
    return f"{FIGURES}/{name}.svg"


def thumbnail_figure(name: str) -> str:
    return f"{FIGURES}/thumbs/{name}.svg"


def family_figure(family: str, derivative: int = 0) -> str:
    suffix = "-derivative" if derivative else ""
    return f"{FIGURES}/families/{family}{suffix}.svg"


def dark(path: str) -> str:
    """The dark variant of a figure path."""
    return path[: -len(".svg")] + "-dark.svg"


def draw_activation(docs: Path, name: str, sheet: dict, version: str) -> list[str]:
    """Draw (if stale) the page figure and the gallery thumbnail of one activation, both variants.

    Returns the paths written or kept, relative to ``docs``. Runs in a worker process.
    """
    import symact
    from symact import plotting

    act = symact.get(name)
    kept = []
    drawings = ((activation_figure(name), plotting.plot), (thumbnail_figure(name), plotting.thumbnail))
    for path, draw in drawings:
        kept += _draw_variants(docs, path, f"{act.key} {_breaks(sheet)} {version}",
                               lambda dark_mode, draw=draw: draw(act, dark=dark_mode, sheet=sheet))
    return kept


def draw_family(docs: Path, family: str, members: Sequence[str], sheets: Sequence[dict],
                version: str) -> list[str]:
    """Draw (if stale) a family's overlays of f and of f', both variants. Runs in a worker process."""
    import symact
    from symact import plotting

    acts = [symact.get(n) for n in members]
    inputs = " ".join([a.key for a in acts] + [_breaks(s) for s in sheets] + [version])
    kept = []
    for derivative in (0, 1):
        kept += _draw_variants(
            docs, family_figure(family, derivative), inputs,
            lambda dark_mode, d=derivative: plotting.overlay(acts, sheets, dark=dark_mode, derivative=d))
    return kept


def _breaks(sheet: dict) -> str:
    """The part of a sheet a figure depends on besides the expression: where the curves split."""
    return json.dumps(sheet.get("breakpoints"), sort_keys=True)


def _draw_variants(docs: Path, path: str, inputs: str, draw: Callable[[bool], Any]) -> list[str]:
    from symact.plotting import svg_bytes
    from symact.site.output import write_if_changed

    stamp = "inputs " + hashlib.sha256(inputs.encode()).hexdigest()[:24]
    out = []
    for suffix, dark_mode in VARIANTS:
        relative = path if not suffix else dark(path)
        target = docs / relative
        if not _has_stamp(target, stamp):
            write_if_changed(target, svg_bytes(draw(dark_mode), stamp))
        out.append(relative)
    return out


def _has_stamp(path: Path, stamp: str) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except FileNotFoundError:
        return False
    return f"<!-- {stamp} -->".encode() in head
