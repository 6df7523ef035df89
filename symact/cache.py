"""The on-disk cache of derived property sheets, so that a sheet is derived once per expression.

A sheet is stored as JSON in ``<cache dir>/<name>-<key>-<engine digest>.json``. ``Activation.key``
hashes the expression at its parameter values, metadata and ``ENGINE_VERSION``; the engine digest
hashes the engine's source, so that editing a derivation retires its old sheets even before the
version is bumped. A hit reads one small file and never imports the engine's derivation modules.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from symact.activation import Activation
    from symact.engine.sheet import Sheet

_ENGINE_DIR = Path(__file__).with_name("engine")


def cache_dir() -> Path:
    """Where sheets are kept: ``$SYMACT_CACHE_DIR``, else ``$XDG_CACHE_HOME/symact``, else
    ``~/.cache/symact``."""
    explicit = os.environ.get("SYMACT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "symact"


@cache
def engine_digest() -> str:
    """A short hash of the engine's source files (read as bytes: nothing is imported)."""
    h = hashlib.sha256()
    for path in sorted(_ENGINE_DIR.rglob("*.py")):
        h.update(path.relative_to(_ENGINE_DIR).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def sheet_path(act: Activation) -> Path:
    """The file the sheet of ``act`` is (or would be) cached in."""
    return cache_dir() / f"{act.name}-{act.key}-{engine_digest()}.json"


def cached_sheet(act: Activation) -> Sheet:
    """The property sheet of ``act``: read from the cache, or derived and then cached.

    A missing, unreadable, corrupt or foreign file is a miss; a cache directory that cannot be
    written only means the sheet is not kept.
    """
    from symact.engine.sheet import Sheet

    path = sheet_path(act)
    data = _read(path, act.name)
    if data is not None:
        return Sheet(data)
    from symact.engine import derive

    sheet = derive(act)
    _write(path, sheet.to_dict())
    return sheet


def _read(path: Path, name: str) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    # A hand-edited or foreign file can still be valid JSON: only a sheet of this activation counts,
    # with the fields every sheet has.
    if not isinstance(data, dict) or data.get("name") != name:
        return None
    if not isinstance(data.get("how"), dict) or not _SHEET_KEYS <= data.keys():
        return None
    return data


#: Fields every sheet has (scalar or vector): a cached file without one of them is not a sheet.
_SHEET_KEYS = frozenset({"name", "title", "kind", "parameters", "how"})


def _write(path: Path, data: dict[str, Any]) -> bool:
    """Write ``data`` atomically (temporary file, then rename); False when the directory is not
    writable. Readers therefore see either the old file, no file, or the whole new one."""
    # Serialise first: a sheet that is not JSON is an engine defect, not a cache problem to hide.
    # Keys keep the engine's order, so a sheet reads the same from the cache as when just derived.
    text = json.dumps(data, allow_nan=False, separators=(",", ":"))
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
        tmp = None
        return True
    except OSError:
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


@dataclass(frozen=True)
class Warmed:
    """The outcome of deriving one sheet in `warm`."""

    name: str
    seconds: float
    error: str | None = None


def warm(names: Iterable[str], workers: int = 2, timeout: float | None = None) -> list[Warmed]:
    """Derive (or find in the cache) the default-parameter sheets of ``names``, ``workers`` at a
    time, and fill the cache. Returns one `Warmed` per name, in the order given.

    Each sheet is derived in the main thread of a worker process, where the engine's signal-driven
    budgets work; ``timeout`` (seconds of CPU time) bounds each whole derivation the same way.
    """
    todo = list(dict.fromkeys(names))
    rank = {name: i for i, name in enumerate(todo)}
    return sorted(iter_warm(todo, workers, timeout), key=lambda w: rank[w.name])


def iter_warm(names: Iterable[str], workers: int = 2,
              timeout: float | None = None) -> Iterator[Warmed]:
    """Like `warm`, but yields each result as soon as it is done."""
    todo = list(dict.fromkeys(names))
    if workers <= 1 or len(todo) <= 1:
        for name in todo:
            yield _warm_one(name, timeout)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    engine_digest()  # fixed before the workers fork, so all of them (and this process) share one key
    with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
        futures = [pool.submit(_warm_one, name, timeout) for name in todo]
        for future in as_completed(futures):
            yield future.result()


def _warm_one(name: str, timeout: float | None) -> Warmed:
    import symact
    from symact.engine.budget import OutOfTime, budget

    start, cpu = time.perf_counter(), time.process_time()
    try:
        with budget(timeout or 0):
            symact.get(name).properties  # noqa: B018 - evaluated for its side effect, the cache
    except (Exception, OutOfTime) as exc:  # one failing sheet must not stop the others
        seconds = time.perf_counter() - start
        # Our own budget (CPU time), or one of the engine's that escaped (a defect, reported as such).
        if isinstance(exc, OutOfTime) and timeout and time.process_time() - cpu >= 0.9 * timeout:
            return Warmed(name, seconds, f"no sheet within {timeout:g} s of CPU time")
        return Warmed(name, seconds, f"{type(exc).__name__}: {exc}")
    return Warmed(name, time.perf_counter() - start)
