"""The ``symact`` command line: output shapes, and one clear line with status 2 for every user error."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

import symact
from symact import cli

ROOT = Path(__file__).resolve().parents[1]
NAMES = symact.names()
KINDS = {n: symact.get(n).kind for n in NAMES}

#: The fields SPEC.md promises in every sheet, by kind.
SCALAR_FIELDS = {
    "name", "title", "aliases", "family", "kind", "parameters", "formula", "derivative",
    "second_derivative", "value_at_zero", "slope_at_zero", "limits", "range", "derivative_range",
    "monotonicity", "derivative_monotonicity", "saturation", "continuity_class", "breakpoints",
    "bounded_below", "bounded_above", "symmetry", "point_symmetry", "zero_centered",
    "identity_near_origin", "lipschitz", "convexity", "sparse", "derivative_in_terms_of_f",
    "series_at_zero", "asymptotes", "gaussian", "how",
}
VECTOR_FIELDS = {
    "name", "title", "aliases", "family", "kind", "parameters", "input_dim", "output_dim",
    "output_range", "sums_to_one", "shift_invariant", "jacobian", "lipschitz", "reduces_to", "how",
}
HOW = {"symbolic", "numeric", "declared", "unknown"}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symact", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env={**os.environ, **(env or {})})


def assert_usage_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("symact: error: ")
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]


# -- list ------------------------------------------------------------------------------------------------
def test_list_json_shape() -> None:
    result = run("list", "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == NAMES
    for row in rows:
        assert set(row) == {"name", "title", "aliases", "family", "kind"}
        decl = symact.get(row["name"]).decl
        assert row["title"] == decl.title and row["family"] == decl.family
        assert row["aliases"] == list(decl.aliases)
        assert row["kind"] in ("scalar", "vector")


def test_list_text_is_an_aligned_table() -> None:
    result = run("list")
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split()[:2] == ["NAME", "TITLE"]
    assert [line.split()[0] for line in lines] == NAMES
    title_column = header.index("TITLE")
    for line, name in zip(lines, NAMES, strict=True):
        assert line[title_column:].startswith(symact.get(name).title)


def test_version() -> None:
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"symact {symact.__version__}"


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("symact")
    if not script.exists():
        pytest.skip("the package is not installed in this environment (pip install -e .)")
    result = subprocess.run([str(script), "list", "--json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [r["name"] for r in json.loads(result.stdout)] == NAMES


# -- errors ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_unknown_name(name: str) -> None:
    typo = name + name[-1]
    with pytest.raises(symact.UnknownActivation):
        symact.get(typo)
    code, _, err = _main("show", typo)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("symact: error: ")
    assert "did you mean" in err and name in err.split("did you mean")[1]


def test_unknown_name_in_a_process() -> None:
    assert_usage_error(run("show", "gelux", "--json"), "'gelux'", "did you mean", "gelu")


@pytest.mark.parametrize(("args", "needles"), [
    (["show", "softplus", "--param", "beta=-1"], ["beta", "-1"]),
    (["show", "softplus", "--param", "beta=0"], ["beta", "0"]),
    (["show", "softplus", "-p", "beta=abc"], ["beta", "abc"]),
    (["show", "softplus", "-p", "beta=1/0"], ["beta"]),
    (["show", "softplus", "-p", "gamma=1"], ["gamma", "beta"]),
    (["show", "softplus", "--param", "beta"], ["KEY=VALUE", "beta"]),
    (["show", "softplus", "--param", "=2"], ["KEY=VALUE"]),
    (["show", "softplus", "--param", "beta="], ["KEY=VALUE"]),
    (["show", "softplus", "-p", "beta=1", "-p", "beta=2"], ["twice"]),
    (["show", "hard_tanh", "-p", "min_val=2", "-p", "max_val=1"], ["min_val < max_val"]),
    # implicit multiplication is not read: "1 2" is not 2, "1.5.5" not 3/4
    (["show", "softplus", "-p", "beta=1 2"], ["beta", "'1 2'"]),
    (["show", "softplus", "-p", "beta=1.5.5"], ["beta", "'1.5.5'"]),
    (["show", "softplus", "-p", "beta=2pi"], ["beta", "'2pi'"]),
    # a relation SymPy cannot decide by itself (both sides are the same number, written differently)
    (["show", "hard_tanh", "-p", "min_val=log(6)", "-p", "max_val=log(2)+log(3)"], ["min_val < max_val"]),
    (["show", "rrelu", "-p", "lower=log(7)", "-p", "upper=log(2)+log(3)"], ["lower <= upper"]),
    (["frobnicate"], ["frobnicate"]),
    ([], ["required"]),
    (["show"], ["required"]),
    (["list", "--wat"], ["--wat"]),
])
def test_usage_errors(args: list[str], needles: list[str]) -> None:
    code, out, err = _main(*args)
    assert (code, out) == (2, ""), err
    assert err.count("\n") == 1 and err.startswith("symact: error: "), err
    for needle in needles:
        assert needle in err


def test_invalid_parameter_in_a_process() -> None:
    assert_usage_error(run("show", "softplus", "--param", "beta=-1", "--json"), "beta", "(0, inf)")
    assert_usage_error(run("show", "softplus", "--param", "beta"), "KEY=VALUE")
    assert_usage_error(run("nonsense"), "nonsense")
    # Values that would hang or overflow if read naively are refused at once, in one line.
    for bad in ("9**9**9", "1e999999999", "1e999999", "2**-3000"):
        assert_usage_error(run("show", "softplus", "--param", f"beta={bad}"), "beta", "1e-3 and 1e3")


@pytest.mark.parametrize("name", [n for n in NAMES if symact.get(n).decl.parameters])
def test_every_constraint_is_a_usage_error(name: str) -> None:
    """A value outside each bounded parameter's domain, and values that break each relation between
    parameters, are refused with status 2 in one line that names them."""
    import sympy as sp

    decl = symact.get(name).decl
    refusals = []
    for p in decl.parameters:
        if p.domain != sp.S.Reals:
            bad = p.domain.inf - 1 if p.domain.inf.is_finite else p.domain.sup + 1
            refusals.append(([f"{p.name}={bad}"], p.name))
    for rule, text in zip(decl.constraints, decl.constraint_text, strict=True):
        first, second = (p.name for p in decl.parameters[:2])
        assert not rule(sp.Integer(1), sp.Integer(0)), "relations order two parameters"
        refusals.append(([f"{first}=1", f"{second}=0"], text))
    if not refusals:  # a parameter free on the whole real line: only a non-number is refused
        refusals.append(([f"{decl.parameters[0].name}=abc"], decl.parameters[0].name))
    for values, needle in refusals:
        code, out, err = _main("show", name, *(arg for v in values for arg in ("-p", v)))
        assert (code, out) == (2, "") and needle in err and err.count("\n") == 1, (values, err)


def test_constraints_that_hold_are_accepted_however_written() -> None:
    """Values SymPy cannot compare by themselves are compared exactly: equal bounds are allowed where the
    relation is <=, and a parameter written as an expression equal to 0 is 0."""
    assert symact.get("rrelu", lower="log(6)", upper="log(2)+log(3)").params["lower"] == sp.log(6)
    assert symact.get("rrelu", lower="log(5)", upper="log(2)+log(3)").params["upper"] == sp.log(2) + sp.log(3)
    assert symact.get("leaky_relu", negative_slope="log(6)-log(2)-log(3)").params["negative_slope"] == 0
    assert symact.get("leaky_relu", negative_slope=sp.sqrt(2) ** 2 - 2).params["negative_slope"] == 0


@pytest.mark.parametrize("stdout", ["/dev/full", "closed"])
def test_output_that_cannot_be_written_is_one_line(stdout: str) -> None:
    """A full disk or a closed standard output: one error line and status 1, no traceback."""
    if stdout == "/dev/full" and not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    redirect = "> /dev/full" if stdout == "/dev/full" else ">&-"
    for args in ("list", "list --json", "show sigmoid"):
        result = subprocess.run(f"'{sys.executable}' -m symact {args} {redirect}", shell=True, cwd=ROOT,
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stderr
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("symact: error: "), result.stderr


def test_broken_pipe_is_quiet() -> None:
    """The reader goes away before anything is written: no traceback, no message."""
    proc = subprocess.Popen([sys.executable, "-m", "symact", "list", "--json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 128 + signal.SIGPIPE
    assert err == ""


def test_broken_pipe_through_head() -> None:
    result = subprocess.run(f"'{sys.executable}' -m symact list | head -1", shell=True, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.startswith("NAME")
    assert result.stderr == ""


def test_interrupt_is_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_show", interrupted)
    assert _main("show", "relu") == (130, "", "")


def _main(*args: str) -> tuple[int, str, str]:
    """``cli.main`` in this process, with its output captured."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


# -- the text table, on a made-up sheet -------------------------------------------------------------------
def _q(exact, value, how="symbolic", digits=None):
    q = {"exact": exact, "latex": "", "value": value, "how": how}
    if digits:
        q["digits"] = digits
    return q


MADE_UP = {
    "name": "demo", "title": "Demo", "aliases": ["d"], "family": "classic", "kind": "scalar",
    "parameters": {"beta": _q("1/2", 0.5)},
    "formula": {"sympy": "x*exp(-x)", "latex": "x e^{-x}"},
    "value_at_zero": _q("0", 0.0),
    "slope_at_zero": None,
    "no_parameters": {},
    "lipschitz": _q(None, 1.0986, "numeric", "1.09861228866810969139524523692"),
    "range": {"lower": _q("-oo", "-inf"), "lower_closed": False, "upper": _q("exp(-1)", 0.3679),
              "upper_closed": True, "argmin": None, "argmax": _q("1", 1.0)},
    "limits": {"f_neg_inf": _q(None, None), "f_pos_inf": _q("0", 0.0)},
    "breakpoints": [_q("0", 0.0), _q("3", 3.0)],
    "monotonicity": "non_monotonic",
    "symmetry": "neither",
    "sparse": False,
    "asymptotes": {"neg_inf": None, "pos_inf": {"slope": _q("0", 0.0), "intercept": _q("0", 0.0)}},
    "gaussian": {"mean": _q(None, 0.1, "declared"), "variance": _q("1/4", 0.25)},
    "lines": {"a": {"slope": _q("1", 1.0), "intercept": _q("0", 0.0)},
              "b": {"slope": _q("1/2", 0.5), "intercept": _q(None, 0.25, "numeric")}},
    "how": {"monotonicity": "numeric", "symmetry": "symbolic", "convexity": "unknown",
            "gaussian": "numeric"},
}


def test_text_table_marks_what_is_not_proven() -> None:
    text = cli.format_sheet(MADE_UP)
    rows = dict(line.split(None, 1) for line in text.splitlines()[3:])
    assert text.splitlines()[0] == "Demo (demo)"
    assert "also called d" in text.splitlines()[1]
    assert rows["parameters.beta"] == "1/2"
    assert rows["formula"] == "x*exp(-x)"
    assert rows["lipschitz"] == "~1.09861228866810969139524523692 [numeric]"
    assert rows["range"] == "(-oo, exp(-1)]; max at x = 1"
    assert rows["limits.f_neg_inf"] == "does not exist"
    assert rows["breakpoints"] == "[0, 3]"
    assert rows["monotonicity"] == "non_monotonic  [numeric]"
    assert rows["symmetry"] == "neither"
    assert rows["sparse"] == "no"
    assert rows["slope_at_zero"] == "none"
    assert rows["no_parameters"] == "none"
    assert rows["asymptotes.pos_inf"] == "y = 0"
    assert rows["asymptotes.neg_inf"] == "none"
    assert rows["lines.a"] == "y = x"
    assert rows["lines.b"] == "y = (1/2)*x + (~0.25 [numeric])"
    assert rows["gaussian.mean"] == "~0.1 [declared]"
    assert rows["gaussian.variance"] == "1/4", "a quantity's own provenance wins over the field's"
    assert "how" not in rows and "name" not in rows
    labels = [line[: line.index(" ")] for line in text.splitlines()[3:]]
    starts = {line.index(rows[label]) for line, label in zip(text.splitlines()[3:], labels, strict=True)}
    assert len(starts) == 1, "values start in one column"


# -- show, with the engine ---------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_show_json_has_the_spec_fields(name: str) -> None:
    code, out, err = _main("show", name, "--json")
    assert code == 0, err
    sheet = json.loads(out)
    expected = SCALAR_FIELDS if KINDS[name] == "scalar" else VECTOR_FIELDS
    assert expected <= set(sheet), f"missing: {sorted(expected - set(sheet))}"
    assert sheet["name"] == name and sheet["kind"] == KINDS[name]
    assert set(sheet["how"].values()) <= HOW
    for q in _quantities(sheet):
        assert q["how"] in HOW
    assert sheet == symact.get(name).properties.to_dict()


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_show_text_lists_every_field(name: str) -> None:
    code, out, err = _main("show", name)
    assert code == 0, err
    sheet = symact.get(name).properties.to_dict()
    labels = {line.split(None, 1)[0].split(".")[0] for line in out.splitlines()[3:] if line.strip()}
    assert labels == set(sheet) - {"name", "title", "aliases", "family", "kind", "how"}
    marked = any(q["how"] == "numeric" for q in _quantities(sheet)) or any(
        how == "numeric" and not list(_quantities(sheet.get(key))) for key, how in sheet["how"].items())
    assert ("[numeric]" in out) == marked


@pytest.mark.slow
def test_show_in_a_process_with_exact_parameters() -> None:
    result = run("show", "softplus", "--param", "beta=0.5", "--json")
    assert result.returncode == 0, result.stderr
    sheet = json.loads(result.stdout)
    assert sheet["parameters"]["beta"]["exact"] == "1/2"
    alias = run("show", "smooth_relu", "-p", "beta=1/2", "--json")
    assert json.loads(alias.stdout) == sheet


def _quantities(node):
    if isinstance(node, dict):
        if {"exact", "value", "how"} <= set(node):
            yield node
            return
        for value in node.values():
            yield from _quantities(value)
    elif isinstance(node, list):
        for value in node:
            yield from _quantities(value)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["gelu", "softplus"])
def test_warm_show_stays_light(name: str) -> None:
    """A cached sheet is shown without the engine's derivations, NumPy, SciPy or Matplotlib."""
    symact.get(name).properties  # noqa: B018 - fills the cache
    probe = (
        "import sys\n"
        "from symact.cli import main\n"
        f"status = main(['show', {name!r}, '--json'])\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules\n"
        "                if m.split('.')[0] in ('numpy', 'scipy', 'matplotlib')}\n"
        "               | {m for m in sys.modules if m.startswith('symact.engine.')\n"
        "                  and m not in ('symact.engine.sheet', 'symact.engine.quantity')})\n"
        "print('HEAVY', heavy, status, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["name"] == name
    assert result.stderr.strip().splitlines()[-1] == "HEAVY [] 0"


def _readme_sessions() -> list[tuple[list[str], list[str]]]:
    """(arguments, shown output lines) for each ``$ symact ...`` line of README.md's console blocks."""
    text = (ROOT / "README.md").read_text()
    sessions: list[tuple[list[str], list[str]]] = []
    for block in text.split("```console\n")[1:]:
        for line in block.split("\n```")[0].splitlines():
            if line.startswith("$ symact "):
                sessions.append((line.split()[2:], []))
            elif sessions and line.strip() != "...":
                sessions[-1][1].append(line)
    return sessions


@pytest.mark.slow
def test_readme_console_session_is_true() -> None:
    """Every line README.md shows after a command is a line that command prints."""
    sessions = _readme_sessions()
    assert len(sessions) >= 3
    for args, shown in sessions:
        code, out, err = _main(*args)
        printed = {" ".join(line.split()) for line in (out + err).splitlines()}
        missing = [line for line in shown if " ".join(line.split()) not in printed]
        assert not missing, f"symact {' '.join(args)}: not printed: {missing}"
        assert code == (2 if err else 0)
