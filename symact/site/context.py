"""What every page is generated from: the registry's activations, their sheets, and their families."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import symact
from symact.declaration import Declaration
from symact.registry import catalog_modules


@dataclass
class Context:
    """The activations in catalog order, their sheets (``to_dict()``), grouped by family."""

    names: list[str]
    sheets: dict[str, dict]
    #: The anchors of the definitions page: a property links to its definition only where there is one.
    anchors: set[str] = field(default_factory=set)
    acts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.acts = {n: symact.get(n) for n in self.names}

    @property
    def families(self) -> dict[str, list[str]]:
        """Family -> member names, families in order of first appearance in the catalog."""
        out: dict[str, list[str]] = {}
        for n in self.names:
            out.setdefault(self.acts[n].family, []).append(n)
        return out

    def scalar_names(self) -> list[str]:
        return [n for n in self.names if self.acts[n].kind != "vector"]

    def vector_names(self) -> list[str]:
        return [n for n in self.names if self.acts[n].kind == "vector"]


#: Family names whose display is not just the capitalised words (acronyms).
_FAMILY_DISPLAY = {"relu": "ReLU"}


def family_title(family: str) -> str:
    return _FAMILY_DISPLAY.get(family, family.replace("_", " ").capitalize())


def family_description(family: str) -> str:
    """The docstring of the catalog module that declares the family's activations."""
    return _descriptions().get(family, "")


def _descriptions() -> dict[str, str]:
    found: dict[str, str] = {}
    for module in catalog_modules():
        doc = (module.__doc__ or "").strip()
        for value in vars(module).values():
            if isinstance(value, Declaration) and doc:
                found.setdefault(value.family, doc)
    return found


def definition_anchors(page: Path) -> set[str]:
    """The explicit ``{#anchor}`` ids of the hand-written definitions page."""
    try:
        text = page.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    return set(re.findall(r"\{#([A-Za-z0-9_-]+)\}", text))
