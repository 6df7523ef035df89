"""Figures: curves split at breakpoints (a jump is a gap, never a vertical line), byte-identical SVG,
and a figure for every activation of the catalog."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import symact
from symact.plotting import breakpoints, curve, plot, svg_bytes, thumbnail, window

NAMES = symact.names()


def test_a_jump_is_drawn_as_a_gap() -> None:
    step = lambda xs: np.where(xs >= 1.0, 1.0, 0.0)  # noqa: E731
    pieces = curve(step, -5, 5, [1.0])
    assert len(pieces) == 2
    (left_x, left_y), (right_x, right_y) = pieces
    assert left_x.max() < 1.0 < right_x.min()
    assert set(left_y) == {0.0} and set(right_y) == {1.0}  # each piece is flat: no vertical line


def test_breakpoints_outside_the_window_widen_it() -> None:
    assert window([]) == (-5.0, 5.0)
    lo, hi = window([6.0])
    assert lo < -6 and hi > 6


def test_breakpoints_are_read_from_the_sheet() -> None:
    sheet = {"breakpoints": [{"value": 3.0}, {"value": -3.0}, {"value": None}, {"value": "inf"}]}
    assert breakpoints(sheet) == [-3.0, 3.0]


def test_svg_is_byte_identical_and_stamped() -> None:
    act = symact.get("identity")
    first = svg_bytes(plot(act, sheet={"breakpoints": []}), "inputs abc")
    second = svg_bytes(plot(act, sheet={"breakpoints": []}), "inputs abc")
    assert first == second
    assert b"<!-- inputs abc -->" in first[:200]
    assert b"<dc:date>" not in first


def test_dark_variant_differs() -> None:
    act = symact.get("identity")
    light = svg_bytes(plot(act, sheet={"breakpoints": []}))
    dark = svg_bytes(plot(act, sheet={"breakpoints": []}, dark=True))
    assert light != dark


def test_plot_uses_the_given_axes() -> None:
    fig = Figure()
    ax = fig.add_subplot()
    assert plot(symact.get("identity"), ax=ax, sheet={"breakpoints": []}) is fig
    assert len(ax.get_lines()) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_every_activation_plots(name: str) -> None:
    act = symact.get(name)
    sheet = act.properties.to_dict()
    fig = plot(act, sheet=sheet)
    lines = fig.axes[0].get_lines()
    data = [np.asarray(line.get_ydata(), dtype=float) for line in lines]
    assert any(np.isfinite(d).sum() > 10 for d in data), "nothing finite to draw"
    if act.kind == "scalar":
        lo, hi = window(breakpoints(sheet))
        inside = [b for b in breakpoints(sheet) if lo < b < hi]
        curves = [line for line in lines if len(line.get_xdata()) > 2]  # the axes' own lines have 2
        assert len(curves) == 2 * (len(inside) + 1)  # f and f', one piece between breakpoints
    assert isinstance(thumbnail(act, sheet=sheet), Figure)


def test_overlay_draws_from_samples_without_evaluating(monkeypatch: pytest.MonkeyPatch) -> None:
    import symact.plotting as plotting

    act = symact.get("identity")
    sheet = {"breakpoints": []}
    samples = plotting.sample(act, sheet)
    assert samples[0][0][0].min() <= -plotting.SAMPLE_REACH

    def no_evaluation(*args, **kwargs):
        raise AssertionError("evaluated although samples were given")

    monkeypatch.setattr(plotting, "evaluator", no_evaluation)
    fig = plotting.overlay([act], [sheet], samples=[samples], derivative=1)
    xs = np.concatenate([line.get_xdata() for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 2])
    assert xs.min() >= -5 and xs.max() <= 5  # cut to the family's window


def test_bad_arguments_are_type_errors() -> None:
    """Not an Axes (a string, an array of them), not a sheet: a TypeError that says so."""
    act = symact.get("relu")
    fig = Figure()
    axes = np.array([fig.add_subplot(121), fig.add_subplot(122)])
    for bad in ("foo", axes):
        with pytest.raises(TypeError, match="ax must be one matplotlib Axes"):
            plot(act, ax=bad)
    for bad in ("x", []):
        with pytest.raises(TypeError, match="sheet must be"):
            plot(act, sheet=bad)


def test_a_far_breakpoint_does_not_blow_up_the_samples() -> None:
    """A breakpoint at 1e7 widens the window to 1.4e7, not the samples to a billion (14 GiB)."""
    pieces = curve(np.sin, *window([1e7]), [1e7])
    assert sum(xs.size for xs, _ in pieces) <= 3 * 20_001
    assert isinstance(plot(symact.get("relu"), sheet={"breakpoints": [{"value": 1e7}]}), Figure)
