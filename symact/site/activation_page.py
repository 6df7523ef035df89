"""One page per activation: formula, derivatives, figure, property sheet, frameworks, references, code."""

from __future__ import annotations

import html
import textwrap
from typing import Any

import sympy as sp

from symact.declaration import FRAMEWORKS
from symact.site import figures
from symact.site.context import family_title
from symact.site.sheet_rows import Row, gaussian_rows, scalar_rows, vector_rows
from symact.site.snippets import framework_snippet, numpy_snippet
from symact.site.tex import badge, md_display, md_math, q_md

DEFINITIONS = "../definitions.md"
STANDARD_NORMAL = md_math(r"X \sim \mathcal{N}(0, 1)")


def page_path(name: str) -> str:
    return f"activations/{name}.md"


def render(act: Any, sheet: dict, anchors: set[str]) -> str:
    decl = act.decl
    out = [f"# {decl.title}", ""]
    if decl.summary:
        out += [decl.summary, ""]
    facts = [f"**Family:** [{family_title(decl.family)}](../families/{decl.family}.md)",
             f"**Name:** `{decl.name}`"]
    if decl.aliases:
        facts.append("**Aliases:** " + ", ".join(f"`{a}`" for a in decl.aliases))
    out += [" · ".join(facts), ""]
    out += _figure(act), ""
    out += _formulas(act, sheet)
    if decl.parameters:
        out += _parameters(act, sheet)
    out += ["## Properties", "",
            f"Each property is defined on [How properties are defined]({DEFINITIONS}); values marked "
            "*numeric* are certified numerical results, values marked *declared* were typed by hand.", ""]
    rows = list(vector_rows(sheet) if act.kind == "vector" else scalar_rows(sheet))
    out += _table(rows, anchors)
    if act.kind != "vector" and sheet.get("gaussian"):
        out += ["### Gaussian moments", "",
                f"With {STANDARD_NORMAL}, a standard normal input "
                f"([definition]({DEFINITIONS}#gaussian)):", ""]
        out += _table(list(gaussian_rows(sheet)), anchors, heading="Moment")
    out += _equivalents(decl)
    out += _references(decl)
    out += _code(act)
    return "\n".join(out).rstrip() + "\n"


def _figure(act: Any) -> str:
    path = figures.activation_figure(act.name)
    what = "f and its derivative" if act.kind != "vector" else "the outputs for inputs (x, 0)"
    alt = f"{act.title}: {what}"
    return (f"![{alt}](../{path}#only-light){{ .figure }}\n"
            f"![{alt}](../{figures.dark(path)}#only-dark){{ .figure }}")


def _formulas(act: Any, sheet: dict) -> list[str]:
    out = ["## Formula", ""]
    if act.kind == "vector":
        formula, jacobian = sheet.get("formula"), sheet.get("jacobian")
        if isinstance(formula, dict):
            general = formula.get("general")
            if isinstance(general, dict) and general.get("latex"):
                out += ["For n inputs:", "", md_display(general["latex"]), ""]
            if formula.get("latex"):
                n = formula.get("n")
                out += [f"For n = {n}:" if n else "", "", md_display(f"f(x) = {formula['latex']}"), ""]
        if isinstance(jacobian, dict) and jacobian.get("latex"):
            out += ["Its Jacobian:", "", md_display(f"J = {jacobian['latex']}"), ""]
        return out
    formula, pieces = sheet.get("formula"), sheet.get("formula_pieces")
    if isinstance(formula, dict):
        out += [md_display(f"f(x) = {formula['latex']}"), ""]
    if isinstance(pieces, dict) and isinstance(formula, dict) and pieces.get("latex") != formula["latex"] \
            and pieces.get("latex"):
        out += ["Piece by piece:", "", md_display(f"f(x) = {pieces['latex']}"), ""]
    out += ["Its derivatives:", ""]
    for key, label in (("derivative", "f'(x)"), ("second_derivative", "f''(x)")):
        if isinstance(sheet.get(key), dict):
            out += [md_display(f"{label} = {sheet[key]['latex']}"), ""]
    return out


def _parameters(act: Any, sheet: dict) -> list[str]:
    out = ["## Parameters", "", "The sheet below is derived at these values.", "",
           "| Parameter | Value | Allowed | Meaning |", "|---|---|---|---|"]
    values = sheet.get("parameters") or {}
    for p in act.decl.parameters:
        value = q_md(values[p.name]) if p.name in values else md_math(sp.latex(act.params[p.name]))
        out.append(f"| `{p.name}` | {value} | {md_math(sp.latex(p.domain))} | {p.description} |")
    return out + [""]


def _table(rows: list[Row], anchors: set[str], heading: str = "Property") -> list[str]:
    out = [f"| {heading} | Value | How |", "|---|---|---|"]
    for label, anchor, value, how in rows:
        linked = anchor in anchors and not label.startswith("$")
        link = f"[{label}]({DEFINITIONS}#{anchor})" if linked else label
        out.append(f"| {link} | {value} | {badge(how) or 'symbolic'} |")
    return out + [""]


def _equivalents(decl: Any) -> list[str]:
    if not decl.equivalents:
        return ["## In frameworks", "", "No framework ships this activation as a built-in function.", ""]
    out = ["## In frameworks", "", "| Framework | Call | Note |", "|---|---|---|"]
    for eq in decl.equivalents:
        name = FRAMEWORKS.get(eq.framework, eq.framework)
        call = eq.call.replace("|", r"\|")
        out.append(f"| {name} | `{call}` | {html.escape(eq.note)} |")
    out.append("")
    notes = [eq for eq in decl.equivalents if eq.note]
    if notes:
        out += ['!!! warning "Where frameworks disagree"', ""]
        out += [f"    - **{FRAMEWORKS.get(eq.framework, eq.framework)}**: {html.escape(eq.note)}"
                for eq in notes]
        out.append("")
    return out


def _references(decl: Any) -> list[str]:
    if not decl.references:
        return []
    out = ["## References", ""]
    for ref in decl.references:
        title = f"[{ref.title}]({ref.url})" if ref.url else ref.title
        out.append(f"- {ref.authors} ({ref.year}). *{title}*.")
    return out + [""]


def _code(act: Any) -> list[str]:
    out = ["## Code", ""]
    for label, code in (("NumPy (symact)", numpy_snippet(act)),
                        ("PyTorch", framework_snippet(act, "pytorch")),
                        ("JAX", framework_snippet(act, "jax"))):
        out += [f'=== "{label}"', "", "    ```python", textwrap.indent(code.rstrip(), "    "),
                "    ```", ""]
    return out
