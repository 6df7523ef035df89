"""Generated NumPy source kept on disk, so that the compile-time checks (mpmath) run once per formula.

A kernel is stored as ``<cache dir>/numerics/<name>-<key>-<n>-<digest>.py``, where ``key`` hashes the
activation at its parameters and ``digest`` hashes this package's source: editing the generator retires the
old files. A missing or unreadable file is a miss; a directory that cannot be written only means no reuse.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).parent


@cache
def digest() -> str:
    """A short hash of the numerics package's source files."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def path_for(name: str, key: str, n: int) -> Path:
    from symact.cache import cache_dir

    return cache_dir() / "numerics" / f"{name}-{key}-{n}-{digest()}.py"


def load(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return text if text.startswith("def f(x):") else None


def save(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        pass
