"""MkDocs hooks (named in mkdocs.yml): the navigation comes from the registry, never from a list kept
by hand in mkdocs.yml."""

from __future__ import annotations

from typing import Any


def on_config(config: Any) -> Any:
    import symact
    from symact.site.nav import site_nav

    config["nav"] = site_nav([symact.get(n) for n in symact.names()])
    return config
