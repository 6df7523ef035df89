"""A property sheet as rows of a readable table: (property, definition anchor, value, provenance).

Fields this module has no special form for are rendered by their shape, so that a field added to the
sheet appears on the site without a change here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from symact.site.tex import (
    continuity_latex,
    generic_md,
    interval_latex,
    is_quantity,
    md_math,
    q_latex,
    q_md,
    words,
    yes_no,
)

#: Fields shown elsewhere on an activation's page (its heading, formula and parameter sections).
IDENTITY = ("name", "title", "aliases", "family", "kind", "summary", "parameters", "formula",
            "formula_pieces", "derivative", "second_derivative", "how", "engine_version")

Row = tuple[str, str, str, str]  # label, anchor on the definitions page, value (Markdown), provenance


def field_how(sheet: dict, field: str, value: Any = None) -> str:
    """Provenance of a field: its own ``how`` for a quantity, else the sheet's ``how`` map; for
    composite fields, the weakest of the quantities inside."""
    found = _hows(value) if value is not None else set()
    mapped = (sheet.get("how") or {}).get(field)
    if mapped:
        found.add(mapped)
    for how in ("unknown", "declared", "numeric"):
        if how in found:
            return how
    return "symbolic"


def _hows(value: Any) -> set[str]:
    if is_quantity(value):
        return {value["how"]}
    if isinstance(value, dict):
        return set().union(*(_hows(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_hows(v) for v in value)) if value else set()
    return set()


def scalar_rows(sheet: dict) -> Iterator[Row]:
    """Rows for a scalar sheet, in reading order, then any further fields."""
    seen = set(IDENTITY) | {"gaussian"}

    def row(field: str, label: str, value_md: str, anchor: str | None = None) -> Row:
        seen.add(field)
        return label, anchor or field, value_md, field_how(sheet, field, sheet.get(field))

    yield row("value_at_zero", "f(0)", q_md(sheet.get("value_at_zero")))
    if sheet.get("slope_at_zero") is not None or "slope_at_zero_left" not in sheet:
        yield row("slope_at_zero", "f′(0)", q_md(sheet.get("slope_at_zero")))
        seen.update({"slope_at_zero_left", "slope_at_zero_right"})
    else:
        seen.add("slope_at_zero")
        yield row("slope_at_zero_left", "f′(0⁻), from the left", q_md(sheet.get("slope_at_zero_left")),
                  "slope_at_zero")
        yield row("slope_at_zero_right", "f′(0⁺), from the right", q_md(sheet.get("slope_at_zero_right")),
                  "slope_at_zero")
    limits = sheet.get("limits") or {}
    seen.add("limits")
    for key, label in (("f_neg_inf", "f as x → −∞"), ("f_pos_inf", "f as x → +∞"),
                       ("df_neg_inf", "f′ as x → −∞"), ("df_pos_inf", "f′ as x → +∞")):
        if key in limits:
            yield label, "limits", q_md(limits[key]), field_how(sheet, "limits", limits[key])
    for field, label in (("range", "Range (hull of f(ℝ))"), ("derivative_range", "Range of f′")):
        if isinstance(sheet.get(field), dict):
            yield row(field, label, range_md(sheet[field]))
    for field, label in (("monotonicity", "Monotonicity"),
                         ("derivative_monotonicity", "Monotonicity of f′")):
        if field in sheet:
            yield row(field, label, words(str(sheet[field])))
    if isinstance(sheet.get("saturation"), dict):
        sat = sheet["saturation"]
        yield row("saturation", "Saturation", f"left: {sat.get('left')}, right: {sat.get('right')}")
    if "continuity_class" in sheet:
        yield row("continuity_class", "Smoothness", md_math(continuity_latex(sheet["continuity_class"])))
    if "breakpoints" in sheet:
        seen.add("breakpoint_classes")
        yield row("breakpoints", "Breakpoints",
                  breakpoints_md(sheet["breakpoints"], sheet.get("breakpoint_classes")))
    for field, label in (("bounded_below", "Bounded below"), ("bounded_above", "Bounded above")):
        if field in sheet:
            yield row(field, label, yes_no(sheet[field]))
    if "symmetry" in sheet:
        yield row("symmetry", "Symmetry", words(str(sheet["symmetry"])))
    if "point_symmetry" in sheet:
        centre = sheet["point_symmetry"]
        text = ("none" if not centre else
                md_math(rf"\left({q_latex(centre[0])},\ {q_latex(centre[1])}\right)"))
        yield row("point_symmetry", "Centre of point symmetry", text)
    for field, label in (("zero_centered", "Zero-centred"),
                         ("identity_near_origin", "Identity near the origin")):
        if field in sheet:
            yield row(field, label, yes_no(sheet[field]))
    if "lipschitz" in sheet:
        yield row("lipschitz", "Lipschitz constant", q_md(sheet["lipschitz"]))
    if "convexity" in sheet:
        yield row("convexity", "Convexity", words(str(sheet["convexity"])))
    if "sparse" in sheet:
        yield row("sparse", "Sparse (zero on an interval)", yes_no(sheet["sparse"]))
    if "derivative_in_terms_of_f" in sheet:
        g = sheet["derivative_in_terms_of_f"]
        yield row("derivative_in_terms_of_f", "f′ in terms of f",
                  "none found" if not g else md_math("f' = " + g["latex"]))
    if "series_at_zero" in sheet:
        s = sheet["series_at_zero"]
        yield row("series_at_zero", "Taylor series at 0",
                  "f is not analytic at 0" if not s else md_math(s["latex"] + r" + O\left(x^{6}\right)"))
    if "asymptotes" in sheet:
        yield row("asymptotes", "Asymptotes", asymptotes_md(sheet["asymptotes"]))
    for field, value in sheet.items():
        if field not in seen:
            seen.add(field)
            yield words(field).capitalize(), field, shaped_md(value), field_how(sheet, field, value)


def gaussian_rows(sheet: dict) -> Iterator[Row]:
    """The Gaussian moments, with X ~ N(0, 1)."""
    labels = {
        "mean": r"\mathbb{E}\,f(X)",
        "second_moment": r"\mathbb{E}\,f(X)^2",
        "variance": r"\operatorname{Var} f(X)",
        "gain": r"1 / \sqrt{\mathbb{E}\,f(X)^2}",
        "grad_mean": r"\mathbb{E}\,f'(X)",
        "grad_second_moment": r"\mathbb{E}\,f'(X)^2",
    }
    moments = sheet.get("gaussian") or {}
    for key, value in moments.items():
        label = md_math(labels[key]) if key in labels else words(key)
        yield label, "gaussian", q_md(value), field_how(sheet, "gaussian", value)


def vector_rows(sheet: dict) -> Iterator[Row]:
    """Every field of a vector activation's sheet, by its shape, in the sheet's order."""
    for field, value in sheet.items():
        if field in IDENTITY:
            continue
        yield words(field).capitalize(), field, shaped_md(value), field_how(sheet, field, value)


def shaped_md(value: Any) -> str:
    """A field by its shape: an interval where it has the form of a range, else generically."""
    if isinstance(value, dict) and is_quantity(value.get("lower")) and is_quantity(value.get("upper")):
        rest = {k: v for k, v in value.items() if k not in RANGE_KEYS}
        return range_md(value) + ("<br>" + generic_md(rest) if rest else "")
    return generic_md(value)


RANGE_KEYS = ("lower", "lower_closed", "upper", "upper_closed", "argmin", "argmax")


def range_md(r: dict) -> str:
    """``[lower, upper)`` with where the bounds are attained."""
    text = md_math(interval_latex(r))
    where = []
    if r.get("argmin") is not None:
        where.append("min at " + md_math("x = " + q_latex(r["argmin"])))
    if r.get("argmax") is not None:
        where.append("max at " + md_math("x = " + q_latex(r["argmax"])))
    return text + (" (" + ", ".join(where) + ")" if where else "")


def breakpoints_md(points: list, classes: list | None = None) -> str:
    """The breakpoints, each with the smoothness f has there when the sheet gives it."""
    if not points:
        return "none"
    smoothness = {}
    for item in classes or []:
        if isinstance(item, dict) and is_quantity(item.get("at")):
            smoothness[item["at"].get("exact")] = item.get("continuity_class")
    out = []
    for p in points:
        k = smoothness.get(p.get("exact"), "absent")
        where = "" if k == "absent" else rf"\ \left({continuity_latex(k)}\right)"
        out.append(md_math(q_latex(p) + where))
    return ", ".join(out)


def asymptotes_md(asymptotes: dict | None) -> str:
    if not asymptotes:
        return "none"
    parts = []
    for key, side in (("neg_inf", r"x \to -\infty"), ("pos_inf", r"x \to +\infty")):
        line = asymptotes.get(key)
        if line:
            parts.append(md_math(rf"{side}:\ y = {line_latex(line)}"))
        elif key in asymptotes:
            parts.append(md_math(rf"{side}:\ \text{{none}}"))
    return "<br>".join(parts)


def line_latex(line: dict) -> str:
    """``a x + b`` with the zero and unit cases written the usual way."""
    a, b = line.get("slope"), line.get("intercept")
    a_tex, b_tex = q_latex(a), q_latex(b)
    a_zero = bool(a) and a.get("value") == 0
    b_zero = bool(b) and b.get("value") == 0
    if a_zero:
        return b_tex
    slope = "" if a and a.get("value") == 1 else ("-" if a and a.get("value") == -1 else a_tex + " ")
    term = f"{slope}x"
    if b_zero:
        return term
    return f"{term} - {b_tex[1:]}" if b_tex.startswith("-") else f"{term} + {b_tex}"
