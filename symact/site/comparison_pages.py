"""Comparison tables across the catalog (sortable by any column) and the list of non-symbolic values.

The tables are raw HTML so that each cell can carry the number it sorts by (``data-sort``).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

from symact.site.context import Context
from symact.site.sheet_rows import IDENTITY
from symact.site.tex import (
    badge,
    continuity_latex,
    generic_md,
    html_math,
    interval_latex,
    is_compact,
    is_expression,
    is_quantity,
    q_latex,
    q_md,
    q_sort_key,
    words,
    yes_no,
)

Cell = tuple[str, str]  # HTML content, sort key
Column = tuple[str, str, Callable[[dict], Cell]]  # heading, definition anchor, cell of a sheet


def _q(path: tuple[str, ...]) -> Callable[[dict], Cell]:
    def cell(sheet: dict) -> Cell:
        node: Any = sheet
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        return q_md(node, html_mode=True), q_sort_key(node)

    return cell


def _text(field: str, fn: Callable[[Any], str] = lambda v: words(str(v))) -> Callable[[dict], Cell]:
    def cell(sheet: dict) -> Cell:
        value = sheet.get(field)
        text = "—" if value is None else fn(value)
        return html.escape(text), text

    return cell


def _slope(sheet: dict) -> Cell:
    if sheet.get("slope_at_zero") is None and "slope_at_zero_left" in sheet:
        left, right = sheet.get("slope_at_zero_left"), sheet.get("slope_at_zero_right")
        tex = rf"{q_latex(left, True)}\ \vert\ {q_latex(right, True)}"
        return html_math(tex) + ' <span class="note">left | right</span>', q_sort_key(right)
    return _q(("slope_at_zero",))(sheet)


def _interval(field: str) -> Callable[[dict], Cell]:
    def cell(sheet: dict) -> Cell:
        r = sheet.get(field)
        if not isinstance(r, dict):
            return "—", ""
        hows = {r.get(k, {}).get("how") for k in ("lower", "upper") if isinstance(r.get(k), dict)}
        mark = next((badge(h) for h in ("unknown", "declared", "numeric") if h in hows), "")
        width = _width(r)
        return f"{html_math(interval_latex(r, short=True))} {mark}".strip(), width

    return cell


def _width(r: dict) -> str:
    lo, hi = (r.get("lower") or {}).get("value"), (r.get("upper") or {}).get("value")
    if lo is None or hi is None:
        return ""
    if "inf" in (lo, hi) or "-inf" in (lo, hi):
        return "Infinity"
    return repr(float(hi) - float(lo))


def _smoothness(sheet: dict) -> Cell:
    k = sheet.get("continuity_class")
    if k is None:
        return "—", ""
    order = "Infinity" if k == "inf" else str(k)
    return html_math(continuity_latex(k)), order


def _breakpoints(sheet: dict) -> Cell:
    points = sheet.get("breakpoints") or []
    if not points:
        return "none", "0"
    return ", ".join(html_math(q_latex(p, True)) for p in points), str(len(points))


SCALAR_COLUMNS: list[Column] = [
    ("f(0)", "value_at_zero", _q(("value_at_zero",))),
    ("f′(0)", "slope_at_zero", _slope),
    ("Range", "range", _interval("range")),
    ("Monotonicity", "monotonicity", _text("monotonicity")),
    ("Saturation left", "saturation", _text("saturation", lambda s: str(s.get("left")))),
    ("Saturation right", "saturation", _text("saturation", lambda s: str(s.get("right")))),
    ("Smoothness", "continuity_class", _smoothness),
    ("Breakpoints", "breakpoints", _breakpoints),
    ("Symmetry", "symmetry", _text("symmetry")),
    ("Zero-centred", "zero_centered", _text("zero_centered", yes_no)),
    ("Identity near 0", "identity_near_origin", _text("identity_near_origin", yes_no)),
    ("Lipschitz", "lipschitz", _q(("lipschitz",))),
    ("Convexity", "convexity", _text("convexity")),
    ("Sparse", "sparse", _text("sparse", yes_no)),
    ("E f(X)", "gaussian", _q(("gaussian", "mean"))),
    ("Var f(X)", "gaussian", _q(("gaussian", "variance"))),
    ("Gain", "gaussian", _q(("gaussian", "gain"))),
    ("E f′(X)²", "gaussian", _q(("gaussian", "grad_second_moment"))),
]

DERIVATIVE_COLUMNS: list[Column] = [
    ("Range of f′", "derivative_range", _interval("derivative_range")),
    ("f′ at −∞", "limits", _q(("limits", "df_neg_inf"))),
    ("f′ at +∞", "limits", _q(("limits", "df_pos_inf"))),
    ("Monotonicity of f′", "derivative_monotonicity", _text("derivative_monotonicity")),
    ("Saturation left", "saturation", _text("saturation", lambda s: str(s.get("left")))),
    ("Saturation right", "saturation", _text("saturation", lambda s: str(s.get("right")))),
    ("Lipschitz", "lipschitz", _q(("lipschitz",))),
]


def sortable_table(ctx: Context, names: list[str], columns: list[Column]) -> str:
    """An HTML table, one row per activation, that the site's script sorts by a clicked header."""
    head = "".join(
        f"<th>{html.escape(title)}" + (
            f'<a class="definition" href="../../definitions/#{anchor}" '
            f'title="definition of {html.escape(title)}">?</a>' if anchor in ctx.anchors else "")
        + "</th>"
        for title, anchor, _ in columns)
    out = ['<div class="sortable-wrap">', '<table class="sortable">',
           f'<thead><tr><th>Activation</th>{head}</tr></thead>', "<tbody>"]
    for n in names:
        act, sheet = ctx.acts[n], ctx.sheets[n]
        cells = [f'<td data-sort="{html.escape(n)}"><a href="../../activations/{n}/">'
                 f"{html.escape(act.title)}</a></td>"]
        for _, _, fn in columns:
            content, key = fn(sheet)
            cells.append(f'<td data-sort="{html.escape(key)}">{content}</td>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>", "</div>"]
    return "\n".join(out)


#: Front matter of the wide comparison pages: no side bars, the table takes the page's width.
WIDE = "---\nhide:\n  - navigation\n  - toc\n---\n"
SORT_HINT = "Click a column's header to sort by it; click again to reverse the order."


def properties_page(ctx: Context) -> str:
    return "\n".join([
        WIDE, "# Compare: every property", "",
        f"Every scalar activation by every property. {SORT_HINT} "
        "The question mark in a header links to the definition.", "",
        sortable_table(ctx, ctx.scalar_names(), SCALAR_COLUMNS), ""])


def derivatives_page(ctx: Context) -> str:
    return "\n".join([
        WIDE, "# Compare: derivatives and saturation", "",
        "How the gradient behaves: the range of f′, its limits, and where f saturates "
        f"(a *hard* saturation has f′ = 0 on a whole ray, a *soft* one only in the limit). {SORT_HINT}",
        "", sortable_table(ctx, ctx.scalar_names(), DERIVATIVE_COLUMNS), ""])


#: Suffixes of fields that say how a property was checked rather than what it is (kept off the table,
#: shown on each activation's page).
PROOF_NOTES = ("_checked_n", "_detail")


def vector_page(ctx: Context) -> str:
    names = ctx.vector_names()
    out = [WIDE, "# Compare: vector activations", "",
           "Activations from vectors to vectors (softmax and its relatives, maxout, the gated units). "
           f"{SORT_HINT}", ""]
    if not names:
        return "\n".join(out + ["The catalog has no vector activation yet.", ""])
    fields: list[str] = []
    for n in names:
        for key, value in ctx.sheets[n].items():
            if key not in IDENTITY and key not in fields and is_compact(value) \
                    and not key.endswith(PROOF_NOTES):
                fields.append(key)
    columns: list[Column] = [(words(f).capitalize(), f, _generic(f)) for f in fields]
    return "\n".join(out + [sortable_table(ctx, names, columns), ""])


def _generic(field: str) -> Callable[[dict], Cell]:
    def cell(sheet: dict) -> Cell:
        value = sheet.get(field)
        if not is_compact(value):
            return "see its page", ""
        key = q_sort_key(value) if is_quantity(value) else html.escape(str(value))[:40]
        return generic_md(value, html_mode=True), key

    return cell


def provenance_page(ctx: Context) -> str:
    """Every value that SymPy did not prove: numeric ones (certified) and declared ones (by hand)."""
    found = [(n, path, how, value) for n in ctx.names for path, how, value in _non_symbolic(ctx.sheets[n])]
    declared = [f for f in found if f[2] == "declared"]
    numeric = [f for f in found if f[2] == "numeric"]
    unknown = [f for f in found if f[2] == "unknown"]
    out = ["# Provenance", "",
           "Most values on this site are proved by SymPy. This page lists every one that is not: "
           "values computed numerically (mpmath at 30 digits or more, certified, e.g. by a sign change "
           "that brackets a root), values *declared* by hand in a declaration because the engine could "
           "not derive them, and values that could not be obtained at all.", ""]
    for title, items in (("Declared by hand", declared), ("Numeric", numeric), ("Unknown", unknown)):
        out += [f"## {title}", ""]
        if not items:
            out += ["None.", ""]
            continue
        out += [f"{len(items)} values.", "", "| Activation | Field | Value |", "|---|---|---|"]
        for n, path, _, value in items:
            out.append(f"| [{ctx.acts[n].title}](activations/{n}.md) | `{path}` | {value} |")
        out.append("")
    return "\n".join(out)


def _non_symbolic(sheet: dict) -> Iterator[tuple[str, str, str]]:
    """(field path, how, rendered value) for every quantity or field not obtained symbolically."""
    seen: set[str] = set()

    def walk(node: Any, path: str) -> Iterator[tuple[str, str, str]]:
        if is_quantity(node):
            if node["how"] != "symbolic":
                seen.add(path.split(".")[0])
                yield path, node["how"], q_md(node)
        elif is_expression(node):
            return
        elif isinstance(node, dict):
            for k, v in node.items():
                yield from walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from walk(v, f"{path}[{i}]")

    for field, value in sheet.items():
        if field != "how":
            yield from walk(value, field)
    for field, how in (sheet.get("how") or {}).items():
        if how != "symbolic" and f"{field}" not in seen:
            yield field, how, generic_md(sheet.get(field))
