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


def draw_activation(docs: Path, name: str, sheet: dict, version: str) -> tuple[list[str], Any]:
    """Draw (if stale) the page figure and the gallery thumbnail of one activation, both variants.

    Returns the paths written or kept, relative to ``docs``, and, when anything was drawn (so the
    activation's functions are at hand), its samples for the family overlay. Runs in a worker process.
    """
    import symact
    from symact import plotting

    act = symact.get(name)
    inputs = f"{act.key} {_breaks(sheet)} {version}"
    kept: list[str] = []
    drew = False
    drawings = ((activation_figure(name), plotting.plot), (thumbnail_figure(name), plotting.thumbnail))
    for path, draw in drawings:
        paths, fresh = _draw_variants(docs, path, inputs,
                                      lambda dark_mode, draw=draw: draw(act, dark=dark_mode, sheet=sheet))
        kept += paths
        drew |= fresh
    samples = plotting.sample(act, sheet) if drew and act.kind != "vector" else None
    return kept, samples


def family_inputs(members: Sequence[str], sheets: Sequence[dict], version: str) -> str:
    import symact

    return " ".join([symact.get(n).key for n in members] + [_breaks(s) for s in sheets] + [version])


def family_is_current(docs: Path, family: str, members: Sequence[str], sheets: Sequence[dict],
                      version: str) -> bool:
    """Whether every figure of the family was drawn from these members, sheets and code."""
    stamp = _stamp(family_inputs(members, sheets, version))
    paths = [family_figure(family, d) for d in (0, 1)]
    return all(_has_stamp(docs / p, stamp) and _has_stamp(docs / dark(p), stamp) for p in paths)


def family_paths(family: str) -> list[str]:
    return [p for d in (0, 1) for p in (family_figure(family, d), dark(family_figure(family, d)))]


def draw_family(docs: Path, family: str, members: Sequence[str], sheets: Sequence[dict],
                version: str, samples: Sequence[Any]) -> list[str]:
    """Draw a family's overlays of f and of f', both variants, from the members' samples (None where a
    member has none: it is evaluated here). Runs in a worker process."""
    import symact
    from symact import plotting

    acts = [symact.get(n) for n in members]
    inputs = family_inputs(members, sheets, version)
    kept = []
    for derivative in (0, 1):
        kept += _draw_variants(
            docs, family_figure(family, derivative), inputs,
            lambda dark_mode, d=derivative: plotting.overlay(acts, sheets, dark=dark_mode, derivative=d,
                                                             samples=samples))[0]
    return kept


def _breaks(sheet: dict) -> str:
    """The part of a sheet a figure depends on besides the expression: where the curves split."""
    return json.dumps(sheet.get("breakpoints"), sort_keys=True)


def _stamp(inputs: str) -> str:
    return "inputs " + hashlib.sha256(inputs.encode()).hexdigest()[:24]


def _draw_variants(docs: Path, path: str, inputs: str,
                   draw: Callable[[bool], Any]) -> tuple[list[str], bool]:
    """The light and dark variants of one figure, drawn unless already stamped with ``inputs``;
    the paths, and whether anything was drawn."""
    from symact.plotting import svg_bytes
    from symact.site.output import write_if_changed

    stamp = _stamp(inputs)
    out, drew = [], False
    for suffix, dark_mode in VARIANTS:
        relative = path if not suffix else dark(path)
        target = docs / relative
        if not _has_stamp(target, stamp):
            write_if_changed(target, svg_bytes(draw(dark_mode), stamp))
            drew = True
        out.append(relative)
    return out, drew


def _has_stamp(path: Path, stamp: str) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(256)
    except FileNotFoundError:
        return False
    return f"<!-- {stamp} -->".encode() in head
