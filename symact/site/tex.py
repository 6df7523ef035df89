"""Rendering sheet values as Markdown and HTML: quantities in LaTeX, with their provenance marked."""

from __future__ import annotations

import html
from typing import Any

HOW_TITLES = {
    "symbolic": "proved by SymPy",
    "numeric": "computed with mpmath at 30 digits and certified",
    "declared": "typed by hand in the declaration",
    "unknown": "could not be derived",
}


def clean(latex: str) -> str:
    """LaTeX that survives a Markdown table: no ``|`` (it would split the cell)."""
    return latex.replace(r"\left|", r"\left\vert ").replace(r"\right|", r"\right\vert ").replace(
        "|", r"\vert ")


def md_math(latex: str) -> str:
    """Inline math for Markdown (arithmatex turns ``$...$`` into a KaTeX source span)."""
    return f"${clean(latex).strip()}$"


def md_display(latex: str) -> str:
    """Display math for Markdown, as a block of its own."""
    return f"$$\n{latex.strip()}\n$$"


def html_math(latex: str) -> str:
    """Inline math in raw HTML, in the form arithmatex itself emits."""
    return f'<span class="arithmatex">\\({html.escape(latex.strip(), quote=False)}\\)</span>'


def badge(how: str | None) -> str:
    """A small label for a value that is not proved symbolically (numeric, declared, unknown)."""
    if not how or how == "symbolic":
        return ""
    title = HOW_TITLES.get(how, how)
    return f'<span class="how how-{html.escape(how)}" title="{html.escape(title)}">{html.escape(how)}</span>'


def is_quantity(value: Any) -> bool:
    return isinstance(value, dict) and "how" in value and "value" in value and "latex" in value


def is_expression(value: Any) -> bool:
    return isinstance(value, dict) and "sympy" in value and "latex" in value


def q_latex(q: dict | None, short: bool = False) -> str:
    """The LaTeX of a quantity; numeric ones are prefixed with approx (``short``: to 6 digits)."""
    if q is None:
        return r"\text{n/a}"
    if q.get("value") is None and q.get("exact") is None:
        return r"\text{unknown}" if q.get("how") == "unknown" else r"\text{does not exist}"
    latex = q.get("latex") or str(q.get("value"))
    value = q.get("value")
    if short and len(latex) > SHORT_LATEX and isinstance(value, int | float):
        return r"\approx " + _six_digits(value)  # the exact form is on the activation's page
    if q.get("how") == "numeric" and q.get("exact") is None and value not in ("inf", "-inf"):
        if short and isinstance(value, int | float):
            latex = _six_digits(value)
        return r"\approx " + latex
    return latex


#: Longest exact LaTeX a comparison table shows; longer closed forms appear there as 6 digits.
SHORT_LATEX = 40


def _six_digits(value: float) -> str:
    text = f"{value:.6g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def q_md(q: dict | None, html_mode: bool = False) -> str:
    """A quantity as a Markdown cell (or an HTML one, for the comparison tables, with numeric values
    to 6 digits): its math and, unless symbolic, its provenance."""
    if q is None:
        return "—"
    math = html_math(q_latex(q, short=True)) if html_mode else md_math(q_latex(q))
    mark = badge(q.get("how"))
    return f"{math} {mark}".strip()


def q_sort_key(q: dict | None) -> str:
    """The number a sortable table orders a quantity by ('' for none: sorted last)."""
    if not q or q.get("value") is None:
        return ""
    value = q["value"]
    if value == "inf":
        return "Infinity"
    if value == "-inf":
        return "-Infinity"
    return repr(float(value))


def words(enum: str) -> str:
    """An enum value as words: ``strictly_increasing`` -> ``strictly increasing``."""
    return enum.replace("_", " ")


def yes_no(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return "—" if value is None else str(value)


def interval_latex(r: dict, short: bool = False) -> str:
    """The hull of a range as an interval, brackets closed where the bound is attained."""
    left = "[" if r.get("lower_closed") else "("
    right = "]" if r.get("upper_closed") else ")"
    lower, upper = q_latex(r.get("lower"), short), q_latex(r.get("upper"), short)
    return rf"\left{left}{lower},\ {upper}\right{right}"


def continuity_latex(k: Any) -> str:
    """``C^k`` for a continuity class (``"inf"``, an integer, -1 for a jump, None when unknown)."""
    if k is None:
        return r"\text{unknown}"
    if k == "inf":
        return r"C^\infty"
    if k == -1 or k == "-1":
        return r"\text{discontinuous}"
    return f"C^{{{k}}}"


#: Keys of a nested value that are its other spellings, not further information.
_SPELLINGS = ("sympy", "latex", "text", "how")


def generic_md(value: Any, html_mode: bool = False) -> str:
    """Any sheet value, rendered by its shape (for fields this site has no special form for):
    quantities and LaTeX as math, lists and mappings item by item."""
    if value is None:
        return "—"
    if is_quantity(value):
        return q_md(value, html_mode)
    math = html_math if html_mode else md_math
    if isinstance(value, dict) and "latex" in value:
        extra = {k: v for k, v in value.items() if k not in _SPELLINGS}
        head = math(value["latex"])
        if not extra:
            return head
        return head + "<br>" + generic_md(extra, html_mode)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return html.escape(value if " " in value or "(" in value else words(value))
    if isinstance(value, list):
        if not value:
            return "none"
        if all(isinstance(v, dict) for v in value):
            return "<br>".join(generic_md(v, html_mode) for v in value)
        return ", ".join(generic_md(v, html_mode) for v in value)
    if isinstance(value, dict):
        return "<br>".join(f"{html.escape(words(str(k)))}: {generic_md(v, html_mode)}"
                           for k, v in value.items())
    return html.escape(str(value))


def is_compact(value: Any) -> bool:
    """Whether a value fits a table cell: a number, a word, a quantity or a short formula."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= 40
    if is_quantity(value):
        return True
    if isinstance(value, dict) and "latex" in value:
        return len(value["latex"]) <= 60 and all(k in _SPELLINGS for k in value)
    if isinstance(value, list):
        return len(value) <= 4 and all(isinstance(v, str | int | float) for v in value)
    return False
