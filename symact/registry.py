"""The registry: every declaration found in the modules of `symact.catalog`, by name and alias."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from functools import cache
from types import ModuleType

from symact import catalog
from symact.declaration import Declaration, UnknownActivation, brief


@cache
def catalog_modules() -> tuple[ModuleType, ...]:
    """The family modules of the catalog, by name (private helper modules left out)."""
    infos = sorted(pkgutil.iter_modules(catalog.__path__), key=lambda m: m.name)
    return tuple(importlib.import_module(f"{catalog.__name__}.{info.name}")
                 for info in infos if not info.name.startswith("_"))


@cache
def declarations() -> dict[str, Declaration]:
    """All declarations, keyed by name, in catalog order (module by module, as written)."""
    found: dict[str, Declaration] = {}
    for module in catalog_modules():
        for value in vars(module).values():
            if isinstance(value, Declaration):
                if value.name in found and found[value.name] is not value:
                    raise RuntimeError(f"two declarations are named {value.name!r}")
                found[value.name] = value
    return found


@cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for decl in declarations().values():
        for key in (decl.name, *decl.aliases):
            norm = _normalise(key)
            if norm in table and table[norm] != decl.name:
                raise RuntimeError(f"{key!r} names both {table[norm]} and {decl.name}")
            table[norm] = decl.name
    return table


def _normalise(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def lookup(name: str) -> Declaration:
    """The declaration called ``name`` (or one of its aliases); raises UnknownActivation otherwise."""
    table = _aliases()
    key = _normalise(str(name))
    if key in table:
        return declarations()[table[key]]
    near = difflib.get_close_matches(key, list(table), n=4, cutoff=0.6)
    near_names = list(dict.fromkeys(table[n] for n in near))
    hint = f"; did you mean {', '.join(near_names)}?" if near_names else "; see `symact list`"
    raise UnknownActivation(f"unknown activation {brief(name)}{hint}")


def names() -> list[str]:
    """The names of every activation, in catalog order."""
    return list(declarations())
