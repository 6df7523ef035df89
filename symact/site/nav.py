"""The site's navigation, built from the registry: families in catalog order, each with its members."""

from __future__ import annotations

from typing import Any

from symact.site.context import family_title


def site_nav(acts: list[Any]) -> list[Any]:
    """The ``nav`` of mkdocs.yml for these activations (catalog order)."""
    families: dict[str, list[Any]] = {}
    for act in acts:
        families.setdefault(act.family, []).append(act)
    activations: list[Any] = [{"All activations": "activations/index.md"},
                              {"Families": "families/index.md"}]
    for family, members in families.items():
        entries = [{"Overview": f"families/{family}.md"}]
        entries += [{act.title: f"activations/{act.name}.md"} for act in members]
        activations.append({family_title(family): entries})
    return [
        {"Home": "index.md"},
        {"Activations": activations},
        {"Compare": [
            {"Every property": "compare/properties.md"},
            {"Derivatives and saturation": "compare/derivatives.md"},
            {"Vector activations": "compare/vector.md"},
        ]},
        {"Reference": [
            {"How properties are defined": "definitions.md"},
            {"Provenance": "provenance.md"},
            {"NumPy accuracy and speed": "numerics.md"},
            {"Python API": "api.md"},
        ]},
    ]
