"""One build of the generated part of ``docs/``: sheets, figures, pages, KaTeX; then stale files pruned."""

from __future__ import annotations

import fcntl
import time
from dataclasses import dataclass, field
from pathlib import Path

import symact
from symact.site import activation_page, comparison_pages, figures, overview_pages, work
from symact.site.context import Context, definition_anchors
from symact.site.figures import FIGURES, code_version
from symact.site.katex_assets import KATEX, copy_katex
from symact.site.output import GeneratedTree

#: What the generator owns under docs/ (and .gitignore lists); everything else there is written by hand.
GENERATED_DIRS = ("activations", "families", "compare", FIGURES, KATEX)
GENERATED_FILES = ("index.md", "provenance.md")


@dataclass
class Report:
    pages: int = 0
    figures: int = 0
    written: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def build(root: Path, jobs: int = work.JOBS) -> Report:
    """Generate every page and figure of the site under ``root / "docs"``.

    ``root`` is the repository (KaTeX is read from its ``node_modules``). Concurrent builds of one
    tree (two test processes) take turns: the second finds everything up to date.
    """
    lock_path = root / ".cache" / "docs-build.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build(root, jobs)


def _build(root: Path, jobs: int) -> Report:
    docs = root / "docs"
    report = Report()
    tree = GeneratedTree(docs, GENERATED_DIRS, GENERATED_FILES)
    names = symact.names()
    version = code_version()

    start = time.monotonic()
    done = work.run(((n, work.activation_task, (str(docs), n, version)) for n in names),
                    "deriving", jobs)
    sheets = {n: done[n][0] for n in names}
    for n in names:
        for path in done[n][1]:
            tree.keep(path)
    ctx = Context(names, sheets, definition_anchors(docs / "definitions.md"))
    report.seconds["sheets and activation figures"] = time.monotonic() - start

    start = time.monotonic()
    family_tasks = []
    for family, members in ctx.families.items():
        scalars = [n for n in members if ctx.acts[n].kind != "vector"]
        if not scalars:
            continue
        member_sheets = [sheets[n] for n in scalars]
        if figures.family_is_current(docs, family, scalars, member_sheets, version):
            for path in figures.family_paths(family):
                tree.keep(path)
            continue
        family_tasks.append((family, work.family_task,
                             (str(docs), family, scalars, member_sheets, version,
                              [done[n][2] for n in scalars])))
    for paths in work.run(family_tasks, "drawing families", jobs).values():
        for path in paths:
            tree.keep(path)
    report.seconds["family figures"] = time.monotonic() - start

    start = time.monotonic()
    pages = {
        "index.md": overview_pages.home(ctx),
        "activations/index.md": overview_pages.activations_index(ctx),
        "families/index.md": overview_pages.families_index(ctx),
        "compare/properties.md": comparison_pages.properties_page(ctx),
        "compare/derivatives.md": comparison_pages.derivatives_page(ctx),
        "compare/vector.md": comparison_pages.vector_page(ctx),
        "provenance.md": comparison_pages.provenance_page(ctx),
    }
    for n in names:
        pages[activation_page.page_path(n)] = activation_page.render(ctx.acts[n], sheets[n], ctx.anchors)
    for family in ctx.families:
        pages[f"families/{family}.md"] = overview_pages.family_page(ctx, family)
    for path, text in pages.items():
        tree.write(path, text)
    copy_katex(root, tree)
    report.seconds["pages"] = time.monotonic() - start

    report.pages = len(pages)
    report.figures = sum(1 for p in tree.kept if p.suffix == ".svg")
    report.removed = tree.prune()
    report.written = tree.written
    return report
