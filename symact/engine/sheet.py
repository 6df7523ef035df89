"""The property sheet: the JSON-ready dictionary of SPEC.md with readable access for Python users."""

from __future__ import annotations

import copy
from typing import Any

from symact.engine.quantity import Q, q_from_dict


class Sheet:
    """A derived property sheet. ``to_dict()`` is the JSON contract; attributes give the raw fields."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self._data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def q(self, *path: str) -> Q | None:
        """The quantity at ``path`` (e.g. ``sheet.q("range", "lower")``) as a `Q`."""
        node: Any = self._data
        for part in path:
            node = node[part]
        return q_from_dict(node)

    def how(self, field: str) -> str:
        return self._data["how"].get(field, "symbolic")

    def unknown_fields(self) -> list[str]:
        return sorted(k for k, v in self._data["how"].items() if v == "unknown")

    def __repr__(self) -> str:
        return f"<Sheet {self._data.get('name')}>"
