"""The home page with its gallery, the list of all activations, and one page per family."""

from __future__ import annotations

import html

from symact.site import figures
from symact.site.context import Context, family_description, family_title
from symact.site.tex import md_math


def home(ctx: Context) -> str:
    count = len(ctx.names)
    families = ctx.families
    out = [
        "---\nhide:\n  - navigation\n---\n",
        "# symact",
        "",
        "**Neural-network activation functions as exact mathematics.** symact declares each activation "
        "once, as a SymPy expression, and derives its properties from that declaration: values and slopes "
        "at 0, limits, ranges, monotonicity, saturation, smoothness and breakpoints, symmetry, the "
        "Lipschitz constant, convexity, the Taylor series, asymptotes, the derivative written in terms of "
        "f, and the moments of f under a standard normal input. Every value says how it was obtained: "
        "*proved* by SymPy, *computed* to 30 digits and certified, or *declared* by hand "
        "([the list of those](provenance.md)).",
        "",
        f"This site documents the {count} activations of the catalog in "
        f"{len(families)} [families](activations/index.md), [compares](compare/properties.md) them "
        "property by property, and [defines](definitions.md) each property.",
        "",
        "## Gallery",
        "",
        '<div class="gallery">',
    ]
    for name in ctx.names:
        act = ctx.acts[name]
        thumb = figures.thumbnail_figure(name)
        title = html.escape(act.title)
        out.append(
            f'<a class="gallery-card" href="activations/{name}/" title="{title}">'
            f'<img src="{thumb}#only-light" alt="{title}" width="240" height="150">'
            f'<img src="{figures.dark(thumb)}#only-dark" alt="{title}" width="240" height="150">'
            f'<span>{title}</span></a>'
        )
    out += ["</div>", "", *usage()]
    return "\n".join(out) + "\n"


def usage() -> list[str]:
    return [
        "## Use it",
        "",
        "From the command line:",
        "",
        "```console",
        "$ symact list                 # every activation, with its family",
        "$ symact show gelu            # the property sheet as a table",
        "$ symact show gelu --json     # the same sheet as JSON",
        "$ symact show leaky_relu --param negative_slope=0.2",
        "```",
        "",
        "From Python:",
        "",
        "```python",
        "import numpy as np",
        "import symact",
        "",
        'gelu = symact.get("gelu")',
        "gelu.expr                      # f as a SymPy expression in symact.x",
        "gelu.derivative(1)             # f'",
        "sheet = gelu.properties.to_dict()",
        'sheet["range"]["lower"]        # {"exact": ..., "latex": ..., "value": ..., "how": ...}',
        "gelu.numpy()(np.linspace(-3, 3, 7))",
        "```",
        "",
        "`symact.get(\"gelu\").properties.to_dict()` returns the same JSON as "
        "`symact show gelu --json`; its fields are listed on [How properties are defined]"
        "(definitions.md).",
        "",
    ]


def activations_index(ctx: Context) -> str:
    out = ["# Activations", "",
           f"All {len(ctx.names)} activations of the catalog, by family.", ""]
    for family, members in ctx.families.items():
        out += [f"## [{family_title(family)}](../families/{family}.md)", "",
                "| Activation | Name | Summary |", "|---|---|---|"]
        for n in members:
            act = ctx.acts[n]
            out.append(f"| [{act.title}]({n}.md) | `{n}` | {_cell(act.decl.summary)} |")
        out.append("")
    return "\n".join(out)


def family_page(ctx: Context, family: str) -> str:
    members = ctx.families[family]
    title = family_title(family)
    out = [f"# {title}", ""]
    description = family_description(family)
    if description:
        out += [description, ""]
    scalars = [n for n in members if ctx.acts[n].kind != "vector"]
    if scalars:
        for derivative, what in ((0, "The activations"), (1, "Their derivatives")):
            path = figures.family_figure(family, derivative)
            alt = f"{what} of the {title.lower()} family"
            out += [f"**{what}**", "",
                    f"![{alt}](../{path}#only-light){{ .figure }}\n"
                    f"![{alt}](../{figures.dark(path)}#only-dark){{ .figure }}", ""]
    out += ["## Members", "", "| Activation | Formula | Summary |", "|---|---|---|"]
    for n in members:
        act = ctx.acts[n]
        formula = ctx.sheets[n].get("formula")
        tex = md_math(formula["latex"]) if isinstance(formula, dict) and "latex" in formula else ""
        out.append(f"| [{act.title}](../activations/{n}.md) | {tex} | {_cell(act.decl.summary)} |")
    return "\n".join(out) + "\n"


def families_index(ctx: Context) -> str:
    out = ["# Families", "", "| Family | Members | |", "|---|---|---|"]
    for family, members in ctx.families.items():
        description = family_description(family).split(":", 1)[-1].strip()
        out.append(f"| [{family_title(family)}]({family}.md) | {len(members)} | {_cell(description)} |")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return html.escape(text).replace("|", r"\|")
