"""Figures of activations: f and f' on one axes, drawn with gaps at breakpoints (never a vertical line
across a jump), in light and dark variants. The site's figures are exactly these.

>>> import symact
>>> from symact.plotting import plot
>>> fig = plot(symact.get("gelu"))            # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

#: Points per unit length of x; dense enough that curves look smooth at the site's sizes.
DENSITY = 80
#: At most this many samples a segment, however wide the window (a breakpoint far out widens it).
MAX_SAMPLES = 20_000
#: Half-width of the default x window; widened so every breakpoint is visible.
HALF_WIDTH = 5.0

LIGHT = {"f": "#3949ab", "df": "#e65100", "text": "#333333", "grid": "#dddddd", "axis": "#999999"}
DARK = {"f": "#9fa8da", "df": "#ffb74d", "text": "#d6d6d6", "grid": "#3a3d4a", "axis": "#777b8a"}
#: Colours of the curves of a family overlay (colour-blind safe, readable on white and on slate).
CYCLE_LIGHT = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#7f7f7f",
               "#8c564b", "#bcbd22", "#17becf", "#9467bd", "#000000"]
CYCLE_DARK = ["#56b4e9", "#ff9e57", "#34d1a4", "#e8a0cc", "#f0c24f", "#a6dcff", "#c8c8c8",
              "#d09a8a", "#e0e062", "#6fe3ef", "#c5a8e8", "#ffffff"]


def plot(act: Any, ax: Axes | None = None, dark: bool = False, sheet: dict | None = None) -> Figure:
    """Plot f and f' of a scalar activation (the components of f(x, 0, ..., 0) for a vector one).

    ``sheet`` is the property sheet's ``to_dict()``; it is read from ``act.properties`` when not given,
    for the breakpoints, where the curves are split.
    """
    if sheet is not None and not isinstance(sheet, dict):
        raise TypeError(f"plot: sheet must be a property sheet's to_dict(), got {type(sheet).__name__}")
    fig, ax = _axes(ax, (6.4, 3.6))
    colours = DARK if dark else LIGHT
    if act.kind == "vector":
        for i, (xs, ys) in enumerate(_vector_components(act)):
            _segments(ax, xs, ys, color=_cycle(dark)[i], label=f"f{_SUBSCRIPTS[i + 1]}(x, 0)")
    else:
        breaks = breakpoints(sheet if sheet is not None else act.properties.to_dict())
        lo, hi = window(breaks)
        for n, key, style, label in ((0, "f", "-", "f(x)"), (1, "df", "--", "f\u2032(x)")):
            for xs, ys in curve(evaluator(act, n), lo, hi, breaks):
                ax.plot(xs, ys, color=colours[key], linestyle=style, linewidth=1.8, label=label)
                label = None
    _style(ax, colours, legend=True)
    return fig


def thumbnail(act: Any, dark: bool = False, sheet: dict | None = None) -> Figure:
    """A small figure of f alone, for galleries."""
    fig, ax = _axes(None, (2.4, 1.5))
    colours = DARK if dark else LIGHT
    if act.kind == "vector":
        for i, (xs, ys) in enumerate(_vector_components(act)):
            _segments(ax, xs, ys, color=_cycle(dark)[i])
    else:
        breaks = breakpoints(sheet if sheet is not None else act.properties.to_dict())
        lo, hi = window(breaks)
        for xs, ys in curve(evaluator(act, 0), lo, hi, breaks):
            ax.plot(xs, ys, color=colours["f"], linewidth=1.6)
    _style(ax, colours, legend=False, small=True)
    return fig


def overlay(acts: Sequence[Any], sheets: Sequence[dict], dark: bool = False, derivative: int = 0,
            samples: Sequence[Samples | None] | None = None) -> Figure:
    """The n-th derivatives (n = 0, 1) of several scalar activations on one axes (a family's figure).

    ``samples`` (from `sample`, one per activation or None) spares evaluating them again.
    """
    fig, ax = _axes(None, (7.2, 4.0))
    colours = DARK if dark else LIGHT
    all_breaks = [breakpoints(s) for s in sheets]
    lo, hi = window([b for bs in all_breaks for b in bs])
    given = list(samples) if samples is not None else [None] * len(acts)
    for i, (act, sheet, ready) in enumerate(zip(acts, sheets, given, strict=True)):
        if act.kind == "vector":
            continue
        data = ready if ready is not None else sample(act, sheet, reach=hi)
        label = act.name
        for xs, ys in data[derivative]:
            keep = (xs >= lo) & (xs <= hi)
            if keep.any():
                ax.plot(xs[keep], ys[keep], color=_cycle(dark)[i % len(CYCLE_LIGHT)], linewidth=1.6,
                        label=label)
                label = None
    ax.set_xlim(lo - 0.02 * (hi - lo), hi + 0.02 * (hi - lo))
    _style(ax, colours, legend=True)
    return fig


#: f and f' of a scalar activation sampled on [-reach, reach]: {0: pieces of f, 1: pieces of f'}.
Samples = dict[int, list[tuple[np.ndarray, np.ndarray]]]
#: How far `sample` goes by default: beyond every family's window (see `window`).
SAMPLE_REACH = 12.0


def sample(act: Any, sheet: dict, reach: float | None = None) -> Samples:
    """f and f' on [-reach, reach] (at least `SAMPLE_REACH` and the activation's own window),
    split at the breakpoints."""
    breaks = breakpoints(sheet)
    half = max(reach or 0.0, SAMPLE_REACH, window(breaks)[1])
    return {n: curve(evaluator(act, n), -half, half, breaks) for n in (0, 1)}


def breakpoints(sheet: dict) -> list[float]:
    """The finite breakpoints of a sheet, as floats, sorted."""
    values = (b.get("value") for b in sheet.get("breakpoints") or [])
    return sorted({float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)})


def window(breaks: Iterable[float]) -> tuple[float, float]:
    """An x window that is symmetric about 0 and shows every breakpoint with a margin."""
    reach = max((abs(b) for b in breaks), default=0.0)
    half = max(HALF_WIDTH, math.ceil(reach * 1.4))
    return -half, half


def evaluator(act: Any, n: int) -> Callable[[np.ndarray], np.ndarray]:
    """A vectorised function for f^(n): the activation's own NumPy code, or SymPy's lambdify of the
    derivative where that code is not available (or cannot be generated for this derivative)."""
    from symact.engine.budget import OutOfTime

    try:
        fn = act.numpy(n)
    except (Exception, OutOfTime):  # a figure falls back on SymPy; the NumPy code is tested on its own
        fn = None
    if fn is None:
        import sympy as sp

        from symact import x

        fn = sp.lambdify(x, act.derivative(n), ["scipy", "numpy"])

    def evaluate(xs: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            ys = np.asarray(fn(xs), dtype=float)
        return np.broadcast_to(ys, xs.shape).astype(float)

    return evaluate


def curve(fn: Callable[[np.ndarray], np.ndarray], lo: float, hi: float,
          breaks: Sequence[float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Samples of ``fn`` on [lo, hi], one open segment between consecutive breakpoints, so that a jump
    leaves a gap instead of a vertical line (the breakpoints themselves are not sampled)."""
    inner = [b for b in breaks if lo < b < hi]
    edges = [lo, *inner, hi]
    pieces = []
    for i, (a, b) in enumerate(zip(edges, edges[1:], strict=False)):
        count = min(max(int((b - a) * DENSITY), 8), MAX_SAMPLES)
        xs = np.linspace(a, b, count + 1)
        eps = 1e-9 * max(1.0, abs(b - a))
        if i > 0:
            xs[0] = a + eps
        if i < len(edges) - 2:
            xs[-1] = b - eps
        ys = fn(xs)
        pieces.append((xs, ys))
    return pieces


def svg_bytes(fig: Figure, comment: str = "") -> bytes:
    """The figure as SVG, byte-identical from run to run (fixed ids, no date, no creator).

    ``comment`` is written into the file, after the XML declaration (the site records there the inputs
    the figure was drawn from, to know when to draw it again).
    """
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "symact", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, transparent=True)
    data = buffer.getvalue()
    if comment:
        head, sep, rest = data.partition(b"?>\n")
        data = head + sep + f"<!-- {comment} -->\n".encode() + rest if sep else data
    return data


_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


# -- internals -----------------------------------------------------------------------------------------

def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        if not isinstance(ax, Axes):
            raise TypeError(f"plot: ax must be one matplotlib Axes, got {type(ax).__name__}")
        return ax.figure, ax
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()


def _cycle(dark: bool) -> list[str]:
    return CYCLE_DARK if dark else CYCLE_LIGHT


def _segments(ax: Axes, xs: np.ndarray, ys: np.ndarray, **kw: Any) -> None:
    ax.plot(xs, ys, linewidth=1.8, **kw)


def _vector_components(act: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each output of f(x, 0, ..., 0) at the smallest input size, as a function of x."""
    import sympy as sp

    n = max(getattr(act.decl, "min_n", 2), 2)
    step = getattr(act.decl, "n_step", 1)
    while n % step:
        n += 1
    xs_sym = sp.symbols(f"x1:{n + 1}", real=True)
    outputs = act.outputs(n)
    grid = np.linspace(-HALF_WIDTH, HALF_WIDTH, int(2 * HALF_WIDTH * DENSITY) + 1)
    out = []
    for expr in outputs:
        single = sp.sympify(expr).subs({s: 0 for s in xs_sym[1:]})
        fn = sp.lambdify(xs_sym[0], single, ["scipy", "numpy"])
        with np.errstate(all="ignore"):
            ys = np.broadcast_to(np.asarray(fn(grid), dtype=float), grid.shape)
        out.append((grid, ys))
    return out


def _style(ax: Axes, colours: dict[str, str], legend: bool, small: bool = False) -> None:
    _clip_y(ax)
    ax.axhline(0, color=colours["axis"], linewidth=0.8, zorder=0)
    ax.axvline(0, color=colours["axis"], linewidth=0.8, zorder=0)
    ax.grid(True, color=colours["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    for spine in ax.spines.values():
        spine.set_color(colours["axis"])
    ax.tick_params(colors=colours["text"], labelsize=7 if small else 9)
    ax.set_facecolor("none")
    ax.figure.set_facecolor("none")
    if legend and ax.get_legend_handles_labels()[0]:
        leg = ax.legend(fontsize=8, frameon=False, labelcolor=colours["text"])
        leg.set_zorder(5)


def _clip_y(ax: Axes) -> None:
    """Keep fast-growing curves (exp, x^2) from flattening everything else: the y window is the
    range of the data within [-ymax, ymax] with ymax set by the window of x."""
    values = [np.asarray(line.get_ydata(), dtype=float) for line in ax.get_lines()]
    finite = np.concatenate([v[np.isfinite(v)] for v in values]) if values else np.array([])
    if finite.size == 0:
        return
    lo, hi = float(finite.min()), float(finite.max())
    xlo, xhi = ax.get_xlim()
    cap = 2.0 * max(abs(xlo), abs(xhi))
    lo, hi = max(lo, -cap), min(hi, cap)
    pad = 0.08 * max(hi - lo, 1e-6)
    ax.set_ylim(lo - pad, hi + pad)
