"""The site generator: atomic, change-only writes; pages rendered from SPEC-shaped sheets; and (slow) a
full build of docs/ that is complete, byte-identical when repeated, untracked by git, and accepted by
``mkdocs build --strict``."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import symact
from symact.engine.quantity import Q
from symact.site import activation_page, comparison_pages
from symact.site.context import Context, definition_anchors
from symact.site.nav import site_nav
from symact.site.output import GeneratedTree, write_if_changed
from symact.site.sheet_rows import scalar_rows
from symact.site.tex import clean, q_latex

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
NAMES = symact.names()


# -- writing files --------------------------------------------------------------------------------------

def test_write_if_changed_leaves_an_unchanged_file_alone(tmp_path: Path) -> None:
    target = tmp_path / "a" / "page.md"
    assert write_if_changed(target, "one\n")
    os.utime(target, (1_000_000, 1_000_000))
    assert not write_if_changed(target, "one\n")
    assert target.stat().st_mtime == 1_000_000
    assert write_if_changed(target, b"two\n")
    assert target.read_bytes() == b"two\n"
    assert [p.name for p in target.parent.iterdir()] == ["page.md"]  # no temporary file left


def test_generated_tree_prunes_only_stale_generated_files(tmp_path: Path) -> None:
    (tmp_path / "gen").mkdir()
    (tmp_path / "gen" / "old.md").write_text("stale")
    (tmp_path / "hand.md").write_text("written by hand")
    tree = GeneratedTree(tmp_path, ("gen",), ("index.md",))
    tree.write("gen/new.md", "fresh")
    removed = tree.prune()
    assert removed == [tmp_path / "gen" / "old.md"]
    assert (tmp_path / "hand.md").exists() and (tmp_path / "gen" / "new.md").exists()


# -- rendering ------------------------------------------------------------------------------------------

def _sample_sheet() -> dict:
    """A sheet shaped like SPEC.md's, with a numeric and a declared value among the symbolic ones."""
    import sympy as sp

    q = lambda e, how="symbolic": Q.of(e, how).to_dict()  # noqa: E731
    return {
        "name": "relu", "title": "ReLU", "aliases": [], "family": "relu", "kind": "scalar",
        "parameters": {},
        "formula": {"sympy": "Max(0, x)", "latex": r"\max\left(0, x\right)"},
        "derivative": {"sympy": "Heaviside(x)", "latex": r"\theta\left(x\right)"},
        "second_derivative": {"sympy": "0", "latex": "0"},
        "value_at_zero": q(0), "slope_at_zero": None,
        "slope_at_zero_left": q(0), "slope_at_zero_right": q(1),
        "limits": {"f_neg_inf": q(0), "f_pos_inf": q(sp.oo), "df_neg_inf": q(0), "df_pos_inf": q(1)},
        "range": {"lower": q(0), "lower_closed": True, "upper": q(sp.oo), "upper_closed": False,
                  "argmin": q(0), "argmax": None},
        "derivative_range": {"lower": q(0), "lower_closed": True, "upper": q(1), "upper_closed": True,
                             "argmin": None, "argmax": None},
        "monotonicity": "increasing", "derivative_monotonicity": "increasing",
        "saturation": {"left": "hard", "right": "none"},
        "continuity_class": 0, "breakpoints": [q(0)],
        "bounded_below": True, "bounded_above": False, "symmetry": "neither", "point_symmetry": None,
        "zero_centered": False, "identity_near_origin": False, "lipschitz": q(1),
        "convexity": "convex", "sparse": True, "derivative_in_terms_of_f": None, "series_at_zero": None,
        "asymptotes": {"neg_inf": {"slope": q(0), "intercept": q(0)},
                       "pos_inf": {"slope": q(1), "intercept": q(0)}},
        "gaussian": {"mean": Q.numeric("0.398942280401432677939946059934").to_dict(),
                     "second_moment": q(sp.Rational(1, 2)), "variance": q(sp.Rational(1, 2)),
                     "gain": q(sp.sqrt(2)), "grad_mean": q(sp.Rational(1, 2)),
                     "grad_second_moment": q(sp.Rational(1, 2))},
        "how": {"convexity": "declared"},
    }


def test_rows_show_one_sided_slopes_numeric_and_declared_values() -> None:
    rows = {label: (value, how) for label, _, value, how in scalar_rows(_sample_sheet())}
    assert "f′(0⁻), from the left" in rows and "f′(0)" not in rows
    assert rows["Convexity"] == ("convex", "declared")
    assert rows["Smoothness"][0] == "$C^{0}$"
    assert rows["Range (hull of f(ℝ))"][0].startswith(r"$\left[0,\ \infty\right)$")


def test_numeric_quantities_are_marked_approximate() -> None:
    mean = _sample_sheet()["gaussian"]["mean"]
    assert q_latex(mean).startswith(r"\approx 0.39894")
    assert q_latex(mean, short=True) == r"\approx 0.398942"


def test_latex_in_tables_has_no_pipe() -> None:
    assert "|" not in clean(r"\frac{x}{\left|{x}\right| + 1}")


def test_activation_page_links_only_to_existing_definitions() -> None:
    anchors = definition_anchors(DOCS / "definitions.md")
    text = activation_page.render(symact.get("relu"), _sample_sheet(), anchors)
    for anchor in ("range", "saturation", "breakpoints", "lipschitz", "gaussian"):
        assert f"../definitions.md#{anchor})" in text
    assert "numeric</span>" in text and "declared</span>" in text
    assert "![ReLU: f and its derivative](../assets/figures/relu.svg#only-light)" in text


def test_comparison_table_cells_carry_sort_keys() -> None:
    sheet = _sample_sheet()
    ctx = Context(["relu"], {"relu": sheet}, {"lipschitz"})
    html = comparison_pages.sortable_table(ctx, ["relu"], comparison_pages.SCALAR_COLUMNS)
    assert '<table class="sortable">' in html
    assert 'data-sort="Infinity"' in html  # the range's width
    assert 'href="../../definitions/#lipschitz"' in html
    assert 'href="../../definitions/#range"' not in html  # not an anchor of this context


def test_provenance_lists_every_non_symbolic_value() -> None:
    sheet = _sample_sheet()
    ctx = Context(["relu"], {"relu": sheet})
    page = comparison_pages.provenance_page(ctx)
    assert "`convexity`" in page and "`gaussian.mean`" in page
    assert "`gaussian.gain`" not in page


def test_navigation_lists_every_activation_once() -> None:
    nav = site_nav([symact.get(n) for n in NAMES])
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, str) and node.startswith("activations/") and node != "activations/index.md":
            found.append(node)

    walk(nav)
    assert sorted(found) == sorted(activation_page.page_path(n) for n in NAMES)


# -- a full build (derives every sheet through the cache) -------------------------------------------------

def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    from symact.site import build

    if not (ROOT / "node_modules" / "katex").is_dir():
        pytest.fail("node_modules/katex is missing: run `npm ci` (scripts/test does)")
    build(ROOT)
    return _digest(DOCS)


@pytest.mark.slow
def test_every_activation_has_a_page_and_figures(built: dict[str, str]) -> None:
    for name in NAMES:
        assert f"activations/{name}.md" in built
        for variant in ("", "-dark"):
            assert f"assets/figures/{name}{variant}.svg" in built
            assert f"assets/figures/thumbs/{name}{variant}.svg" in built
    for family in {symact.get(n).family for n in NAMES}:
        assert f"families/{family}.md" in built


@pytest.mark.slow
def test_a_second_build_writes_nothing(built: dict[str, str]) -> None:
    from symact.site import build

    report = build(ROOT)
    assert report.written == [] and report.removed == []
    assert _digest(DOCS) == built


@pytest.mark.slow
def test_generated_files_are_not_tracked(built: dict[str, str]) -> None:
    """Generated pages and figures are ignored, never committed: none of them is tracked (even one added
    with ``git add -f`` and rebuilt byte for byte, which git status would not show), and after a build
    git sees no new file under docs/."""
    from symact.site.build import GENERATED_DIRS, GENERATED_FILES

    def git(*args: str) -> list[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.splitlines()

    if not git("ls-files", "pyproject.toml"):
        pytest.skip("not a git checkout")
    tracked = git("ls-files", "docs")
    generated = [p for p in tracked
                 if p.removeprefix("docs/") in GENERATED_FILES
                 or p.removeprefix("docs/").startswith(tuple(f"{d}/" for d in GENERATED_DIRS))]
    assert generated == [], "generated files must not be committed:\n" + "\n".join(generated)
    assert sum(f"docs/{name}" in tracked for name in ("numerics.md", "definitions.md")) == 2
    new = [line for line in git("status", "--porcelain", "--untracked-files=all", "docs")
           if line.startswith("??")]
    assert new == [], "generated files under docs/ must be listed in .gitignore:\n" + "\n".join(new)


@pytest.mark.slow
def test_mkdocs_strict_build_succeeds(built: dict[str, str], tmp_path: Path) -> None:
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    result = subprocess.run([mkdocs, "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "site" / "activations" / "gelu" / "index.html").is_file()


@pytest.mark.parametrize("jobs", ["0", "-1", "abc"])
def test_build_script_refuses_a_bad_job_count(jobs: str) -> None:
    """One error line and status 2, before anything is built or locked."""
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_docs.py"), "--jobs", jobs],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--jobs" in result.stderr, result.stderr
