"""KaTeX, served by the site itself: copied from the npm package into ``docs/assets/katex``."""

from __future__ import annotations

from pathlib import Path

from symact.site.output import GeneratedTree

KATEX = "assets/katex"
#: The files the pages load (mkdocs.yml names them) and the fonts the stylesheet refers to.
FILES = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")


def copy_katex(root: Path, tree: GeneratedTree) -> None:
    """Copy KaTeX from ``node_modules`` (installed by ``npm ci``) into the generated tree."""
    dist = root / "node_modules" / "katex" / "dist"
    if not (dist / "katex.min.js").is_file():
        raise FileNotFoundError(f"{dist} has no KaTeX: run `npm ci` at the repository root first")
    for name in FILES:
        tree.write(f"{KATEX}/{name}", (dist / name).read_bytes())
    for font in sorted((dist / "fonts").iterdir()):
        if font.suffix == ".woff2":  # every browser the site supports reads woff2
            tree.write(f"{KATEX}/fonts/{font.name}", font.read_bytes())
