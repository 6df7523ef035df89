"""Writing generated files: only when their content changed, atomically, and pruning stale ones."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_if_changed(path: Path, content: str | bytes) -> bool:
    """Write ``content`` to ``path`` unless it already holds exactly that; True when it was written.

    The file is written to a temporary sibling and moved into place, so a reader (``mkdocs serve``,
    a browser) never sees half a file, and an unchanged file keeps its modification time.
    """
    data = content.encode() if isinstance(content, str) else content
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


class GeneratedTree:
    """The set of files one build generates under ``root``.

    Files are recorded as they are written (or kept); `prune` then deletes every other file in the
    generated directories, so that a page of a removed activation does not linger.
    """

    def __init__(self, root: Path, owned_dirs: tuple[str, ...], owned_files: tuple[str, ...]) -> None:
        self.root = root
        self.owned_dirs = owned_dirs
        self.owned_files = owned_files
        self.kept: set[Path] = set()
        self.written: list[Path] = []

    def write(self, relative: str, content: str | bytes) -> Path:
        path = self.root / relative
        if write_if_changed(path, content):
            self.written.append(path)
        self.kept.add(path)
        return path

    def keep(self, relative: str) -> Path:
        """Record a file that is up to date and was produced elsewhere (e.g. by a worker process)."""
        path = self.root / relative
        self.kept.add(path)
        return path

    def prune(self) -> list[Path]:
        removed: list[Path] = []
        candidates = [self.root / f for f in self.owned_files]
        for d in self.owned_dirs:
            base = self.root / d
            if base.is_dir():
                candidates.extend(p for p in base.rglob("*") if p.is_file())
        for path in sorted(candidates):
            if path.is_file() and path not in self.kept:
                path.unlink()
                removed.append(path)
        for d in self.owned_dirs:  # empty directories left behind by removed files
            base = self.root / d
            if base.is_dir():
                for sub in sorted(base.rglob("*"), reverse=True):
                    if sub.is_dir() and not any(sub.iterdir()):
                        sub.rmdir()
        return removed
