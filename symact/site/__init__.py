"""The reference site: Markdown pages and SVG figures generated from the registry into ``docs/``.

Run it with ``python scripts/build_docs.py`` (or ``scripts/site``, which also runs ``mkdocs build``).
Every page, table and figure comes from `symact.names` and the derived property sheets.
"""

from symact.site.build import build

__all__ = ["build"]
