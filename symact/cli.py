"""The ``symact`` command: list the catalog and show an activation's property sheet.

Imports stay lazy: a sheet already in the cache is shown without loading the engine, NumPy or SciPy.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

PROG = "symact"
#: Exit status of a usage error (unknown name, invalid parameter, malformed option), as in argparse.
USAGE_ERROR = 2
#: Exit status when the output cannot be written (a closed or full standard output).
OUTPUT_ERROR = 1


class UsageError(Exception):
    """A mistake on the command line, reported as one line on stderr with status 2."""


class _Parser(argparse.ArgumentParser):
    # argparse prints the whole usage before its message; one line is easier to read and to test.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Activation functions as exact mathematics: derived property sheets.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", help="list every activation")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")

    show = commands.add_parser("show", help="show the property sheet of one activation")
    show.add_argument("name", help="an activation name or alias (see `symact list`)")
    show.add_argument(
        "-p", "--param", action="append", default=[], metavar="KEY=VALUE",
        help="a parameter value, exact: 0.1 means 1/10; sqrt(2) is allowed (repeatable)",
    )
    show.add_argument("--json", action="store_true", help="print the sheet as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    if sys.stdout is None or sys.stderr is None:  # started with a standard stream closed (`symact list >&-`)
        if sys.stderr is not None:
            print(f"{PROG}: error: standard output is closed", file=sys.stderr)
        return OUTPUT_ERROR
    try:
        args = build_parser().parse_args(argv)
        if args.command == "list":
            _list(as_json=args.json)
        else:
            _show(args.name, _parse_params(args.param), as_json=args.json)
        sys.stdout.flush()
    except UsageError as exc:
        return _fail(str(exc))
    except (LookupError, ValueError) as exc:
        from symact.declaration import InvalidParameter, UnknownActivation

        if isinstance(exc, UnknownActivation | InvalidParameter):
            return _fail(_message(exc))
        raise
    except BrokenPipeError:
        # The reader went away (`symact list | head -1`): stop quietly, like a writer killed by SIGPIPE.
        _silence_stdout()
        return 128 + 13
    except OSError as exc:  # the output cannot be written (a full disk: `symact list > /dev/full`)
        _silence_stdout()
        print(f"{PROG}: error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return OUTPUT_ERROR
    except KeyboardInterrupt:
        return 128 + 2
    return 0


def _fail(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _message(exc: BaseException) -> str:
    # LookupError's str() quotes its argument (KeyError-style); show the bare message.
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return " ".join(text.split())


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _version() -> str:
    # The package is imported already (this module lives in it); importlib.metadata would cost 40 ms.
    from symact import __version__

    return __version__


def _parse_params(items: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise UsageError(f"--param expects KEY=VALUE, got {item!r}")
        if key in params:
            raise UsageError(f"parameter {key!r} given twice")
        params[key] = value
    return params


# -- list -------------------------------------------------------------------------------------------
def _list(*, as_json: bool) -> None:
    from symact.registry import declarations

    rows = [
        {"name": d.name, "title": d.title, "aliases": list(d.aliases), "family": d.family,
         "kind": d.kind}
        for d in declarations().values()
    ]
    if as_json:
        _print_json(rows)
        return
    table = [("NAME", "TITLE", "FAMILY", "KIND", "ALIASES")]
    table += [(r["name"], r["title"], r["family"], r["kind"], ", ".join(r["aliases"]))
              for r in rows]
    _print_table(table)


# -- show -------------------------------------------------------------------------------------------
def _show(name: str, params: dict[str, str], *, as_json: bool) -> None:
    import symact

    sheet = symact.get(name, **params).properties.to_dict()
    if as_json:
        _print_json(sheet)
    else:
        sys.stdout.write(format_sheet(sheet))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2) + "\n")


def _print_table(rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [cell.ljust(w) for cell, w in zip(row, widths, strict=True)]
        sys.stdout.write("  ".join(cells).rstrip() + "\n")


_IDENTITY = ("name", "title", "aliases", "family", "kind")
_MARKED = ("numeric", "declared", "unknown")


def format_sheet(sheet: dict[str, Any]) -> str:
    """A property sheet as a two-column text table: exact values as SymPy writes them, and a mark
    ``[numeric]``, ``[declared]`` or ``[unknown]`` beside every value not proven symbolically."""
    how: dict[str, str] = sheet.get("how", {})
    aliases = ", ".join(sheet.get("aliases", []))
    head = f"{sheet.get('title', '')} ({sheet.get('name', '')})"
    lines = [head, f"{sheet.get('family', '')}, {sheet.get('kind', '')}"
             + (f"; also called {aliases}" if aliases else ""), ""]
    rows: list[tuple[str, str]] = []
    for key, value in sheet.items():
        if key in _IDENTITY or key == "how":
            continue
        # A quantity carries its own provenance; the field's mark in ``how`` is for the rest
        # (enums, booleans, formulas), whose provenance is recorded only there.
        mark = how.get(key)
        for label, text, quantities in _rows(key, value):
            if mark in _MARKED and not quantities:
                text += f"  [{mark}]"
            rows.append((label, text))
    width = max((len(label) for label, _ in rows), default=0)
    lines += [f"{label.ljust(width)}  {text}" for label, text in rows]
    return "\n".join(lines) + "\n"


def _rows(label: str, value: Any) -> list[tuple[str, str, bool]]:
    """(label, text, whether the text shows quantities) for one field, nested fields one per row."""
    if isinstance(value, dict) and value and not (
            _is_quantity(value) or _is_formula(value) or _is_interval(value) or _is_line(value)):
        return [row for key, sub in value.items() for row in _rows(f"{label}.{key}", sub)]
    return [(label, _text(value), _has_quantity(value))]


def _has_quantity(value: Any) -> bool:
    if _is_quantity(value):
        return True
    if isinstance(value, dict):
        return any(_has_quantity(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_quantity(v) for v in value)
    return False


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _is_quantity(value):
        return _quantity(value)
    if _is_formula(value):
        return str(value["sympy"])
    if _is_interval(value):
        return _interval(value)
    if _is_line(value):
        return _line(value["slope"], value["intercept"])
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]" if value else "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_text(v)}" for k, v in value.items()) or "none"
    return str(value)


def _quantity(q: dict[str, Any]) -> str:
    how = q.get("how")
    if q.get("exact") is not None:
        text = str(q["exact"])
    elif q.get("value") is None:
        text = "unknown" if how == "unknown" else "does not exist"
    elif q.get("digits"):
        text = f"~{q['digits']}"
    elif isinstance(q["value"], float):
        text = f"~{q['value']!r}"
    else:
        text = str(q["value"])
    if how in _MARKED and text != "unknown":
        text += f" [{how}]"
    return text


def _line(slope: dict[str, Any], intercept: dict[str, Any]) -> str:
    """The line a*x + b, written without a zero slope or a zero intercept."""
    a, b = _text(slope), _text(intercept)
    if slope.get("exact") == "0":
        return f"y = {b}"
    term = "x" if slope.get("exact") == "1" else f"({a})*x"
    if intercept.get("exact") == "0":
        return f"y = {term}"
    return f"y = {term} + ({b})"


def _interval(r: dict[str, Any]) -> str:
    left = "[" if r.get("lower_closed") else "("
    right = "]" if r.get("upper_closed") else ")"
    text = f"{left}{_text(r.get('lower'))}, {_text(r.get('upper'))}{right}"
    where = []
    if r.get("argmin") is not None:
        where.append(f"min at x = {_text(r['argmin'])}")
    if r.get("argmax") is not None:
        where.append(f"max at x = {_text(r['argmax'])}")
    return text + ("; " + ", ".join(where) if where else "")


def _is_quantity(v: Any) -> bool:
    return isinstance(v, dict) and "exact" in v and "value" in v and "how" in v


def _is_formula(v: Any) -> bool:
    return isinstance(v, dict) and "sympy" in v and "latex" in v and len(v) <= 3


def _is_interval(v: Any) -> bool:
    return isinstance(v, dict) and {"lower", "upper", "lower_closed", "upper_closed"} <= set(v)


def _is_line(v: Any) -> bool:
    return isinstance(v, dict) and set(v) == {"slope", "intercept"}
