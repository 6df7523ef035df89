"""The on-disk sheet cache: hits and misses, damaged files, unwritable directories, atomic writes.

Most tests stand a counting stand-in for ``symact.engine.derive`` so that they test the cache alone;
the last ones use the real engine.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symact
import symact.engine
from symact import cache
from symact.engine.sheet import Sheet
from symact.numerics import store

NAMES = symact.names()


def _fake_sheet(act) -> dict:
    return {
        "name": act.name,
        "title": act.title,
        "kind": act.kind,
        "parameters": {k: {"exact": str(v), "latex": str(v), "value": float(v), "how": "symbolic"}
                       for k, v in act.params.items()},
        "value_at_zero": {"exact": "0", "latex": "0", "value": 0.0, "how": "symbolic"},
        "how": {"monotonicity": "symbolic"},
    }


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "sheets"
    monkeypatch.setenv("SYMACT_CACHE_DIR", str(where))
    return where


@pytest.fixture
def derived(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace the engine by a stand-in; the list records each derivation's name."""
    calls: list[str] = []

    def derive(act):
        calls.append(act.name)
        return Sheet(_fake_sheet(act))

    monkeypatch.setattr(symact.engine, "derive", derive)
    return calls


def _files(where: Path) -> list[str]:
    return sorted(p.name for p in where.iterdir()) if where.exists() else []


# -- where ---------------------------------------------------------------------------------------------
def test_location_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SYMACT_CACHE_DIR", str(tmp_path / "a"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "a"
    monkeypatch.delenv("SYMACT_CACHE_DIR")
    assert cache.cache_dir() == tmp_path / "xdg" / "symact"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "symact"


def test_key_depends_on_parameters_and_name(cache_dir: Path) -> None:
    paths = {cache.sheet_path(symact.get(name)) for name in NAMES}
    assert len(paths) == len(NAMES)
    assert all(p.parent == cache_dir for p in paths)
    softplus = symact.get("softplus")
    assert cache.sheet_path(softplus) == cache.sheet_path(symact.get("softplus", beta=1))
    assert cache.sheet_path(softplus) != cache.sheet_path(symact.get("softplus", beta=2))


def _digest_of_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module, attr: str, digest,
                    edit: str | None) -> str:
    """``digest()`` computed over a copy of the source folder ``module.<attr>`` names, with one file of it
    changed by a byte (``edit``: its path in the folder) or added to (``edit`` = a new file's name)."""
    source = getattr(module, attr)
    copy = tmp_path / f"copy-{edit}"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
    if edit is not None:
        path = copy / edit
        path.write_bytes((path.read_bytes() if path.exists() else b"") + b"#")
    monkeypatch.setattr(module, attr, copy)
    digest.cache_clear()
    try:
        return digest()
    finally:
        monkeypatch.setattr(module, attr, source)
        digest.cache_clear()


@pytest.mark.parametrize(("module", "attr", "digest", "edited"), [
    (cache, "_ENGINE_DIR", cache.engine_digest, "scalar.py"),
    (store, "_PACKAGE", store.digest, "generate.py"),
], ids=["sheets", "kernels"])
def test_digest_tracks_the_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module, attr, digest,
                                  edited: str) -> None:
    """The digest in every cached file's name (sheets: the engine's source; kernels: the numerics
    package's) changes with any byte of that source, so an edit retires the old files; it does not
    change when nothing does."""
    digest.cache_clear()
    current = digest()
    assert len(current) == 12 and int(current, 16) >= 0
    assert (getattr(module, attr) / edited).is_file()
    assert _digest_of_copy(tmp_path, monkeypatch, module, attr, digest, None) == current
    changed = {_digest_of_copy(tmp_path, monkeypatch, module, attr, digest, name)
               for name in (edited, "__init__.py", "new_module.py")}
    assert current not in changed and len(changed) == 3


# -- hit and miss ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_miss_then_hit(name: str, cache_dir: Path, derived: list[str]) -> None:
    first = cache.cached_sheet(symact.get(name))
    assert derived == [name]
    path = cache.sheet_path(symact.get(name))
    assert path.exists()
    assert json.loads(path.read_text()) == first.to_dict()
    second = cache.cached_sheet(symact.get(name))
    assert derived == [name], "a hit must not derive again"
    assert second.to_dict() == first.to_dict()
    assert list(second.to_dict()) == list(first.to_dict()), "key order survives the cache"


def test_properties_go_through_the_cache(cache_dir: Path, derived: list[str]) -> None:
    act = symact.get("softplus", beta="0.5")
    assert act.properties.to_dict()["parameters"]["beta"]["exact"] == "1/2"
    assert symact.get("softplus", beta=sp.Rational(1, 2)).properties.to_dict()["name"] == "softplus"
    assert derived == ["softplus"]


# -- damaged files ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    "", "{", '{"name": "softplus", "how": {', "\x00\xff garbage", "[]", "null", '"softplus"',
    '{"name": "sigmoid", "how": {}}', '{"name": "softplus"}', '{"name": "softplus", "how": []}',
    '{"name": "softplus", "how": {}}',
], ids=["empty", "brace", "truncated", "binary", "list", "null", "string", "foreign", "no-how",
        "bad-how", "no-fields"])
def test_damaged_file_is_derived_again(content: str, cache_dir: Path, derived: list[str]) -> None:
    act = symact.get("softplus")
    path = cache.sheet_path(act)
    path.parent.mkdir(parents=True)
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    sheet = cache.cached_sheet(act)
    assert derived == ["softplus"]
    assert sheet.to_dict()["name"] == "softplus"
    assert json.loads(path.read_text()) == sheet.to_dict(), "the damaged file is replaced"


@pytest.mark.parametrize("content", ["def f(x):\n    return (", "def f(x):\n    return x\x00"],
                         ids=["cut-short", "null-byte"])
def test_damaged_kernel_file_is_built_again(content: str, cache_dir: Path) -> None:
    """A stored NumPy kernel that does not compile is a miss: built again and the file replaced."""
    from symact.numerics import _CACHE, compiled

    act = symact.get("softplus")
    path = store.path_for(act.name, act.key, 1)
    path.parent.mkdir(parents=True)
    path.write_text(content)
    _CACHE.pop((act.key, 1), None)
    try:
        kernel, text = compiled(act, 1)
    finally:
        _CACHE.pop((act.key, 1), None)  # not this test's damaged-then-rebuilt entry for the others
    assert text.startswith("def f(x):") and text != content and path.read_text() == text
    assert float(kernel(np.array([0.0]))[0]) == 0.5


def test_unreadable_entry_is_a_miss(cache_dir: Path, derived: list[str]) -> None:
    act = symact.get("softplus")
    cache.sheet_path(act).mkdir(parents=True)  # a directory where the file should be
    assert cache.cached_sheet(act).to_dict()["name"] == "softplus"
    assert derived == ["softplus"]


# -- unwritable directories -------------------------------------------------------------------------------
def test_cache_dir_under_a_file_still_derives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              derived: list[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SYMACT_CACHE_DIR", str(blocker / "sheets"))
    for _ in range(2):
        assert cache.cached_sheet(symact.get("tanh")).to_dict()["name"] == "tanh"
    assert derived == ["tanh", "tanh"], "nothing could be kept, so each call derives"


def test_read_only_dir_still_derives(cache_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                     derived: list[str]) -> None:
    cache_dir.mkdir()
    if os.geteuid() != 0:
        cache_dir.chmod(0o555)
    else:  # root writes anywhere: refuse the way a read-only file system would
        def refuse(*args, **kwargs):
            raise PermissionError(30, "Read-only file system")

        monkeypatch.setattr(cache.tempfile, "mkstemp", refuse)
    try:
        assert cache.cached_sheet(symact.get("tanh")).to_dict()["name"] == "tanh"
        assert derived == ["tanh"]
        assert _files(cache_dir) == []
    finally:
        cache_dir.chmod(0o755)


# -- atomic writes -------------------------------------------------------------------------------------
def test_no_temporary_file_is_left(cache_dir: Path, derived: list[str]) -> None:
    for name in NAMES:
        cache.cached_sheet(symact.get(name))
    files = _files(cache_dir)
    assert len(files) == len(NAMES)
    assert all(f.endswith(".json") and not f.startswith(".") for f in files)


def test_failed_rename_leaves_nothing(cache_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                      derived: list[str]) -> None:
    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.os, "replace", fail)
    assert cache.cached_sheet(symact.get("relu")).to_dict()["name"] == "relu"
    assert _files(cache_dir) == [], "neither the sheet nor its temporary file may remain"


def test_readers_never_see_a_partial_file(cache_dir: Path) -> None:
    """Writers replace a large sheet over and over while a reader reads it: every read is whole."""
    act = symact.get("relu")
    path = cache.sheet_path(act)
    big = {**_fake_sheet(act), "padding": ["x" * 1000] * 2000}
    assert cache._write(path, big)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            cache._write(path, big)

    writers = [threading.Thread(target=write) for _ in range(2)]
    for w in writers:
        w.start()
    reads = 0
    try:
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert cache._read(path, "relu") == big
            reads += 1
    finally:
        stop.set()
        for w in writers:
            w.join()
    assert reads > 10
    assert _files(cache_dir) == [path.name]


def test_a_sheet_that_is_not_json_is_an_error(cache_dir: Path) -> None:
    act = symact.get("relu")
    with pytest.raises(ValueError):
        cache._write(cache.sheet_path(act), {"name": "relu", "value": float("nan")})
    assert _files(cache_dir) == []


# -- warming in worker processes ----------------------------------------------------------------------
fork_only = pytest.mark.skipif(multiprocessing.get_start_method() != "fork",
                               reason="the stand-in engine reaches workers only through fork")


@fork_only
def test_warm_fills_the_cache_in_order(cache_dir: Path, derived: list[str]) -> None:
    names = NAMES[:5]
    done = cache.warm(names + names[:1], workers=2)
    assert [w.name for w in done] == names
    assert all(w.error is None and w.seconds >= 0 for w in done)
    assert len(_files(cache_dir)) == len(names)
    for name in names:
        cache.cached_sheet(symact.get(name))
    assert derived == [], "every sheet was derived in a worker and found in the cache"


@fork_only
def test_warm_reports_failures_and_timeouts(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def derive(act):
        if act.name == NAMES[0]:
            raise RuntimeError("cannot")
        if act.name == NAMES[1]:  # busy, since budgets count CPU time
            until = time.monotonic() + 30
            while time.monotonic() < until:
                pass
        return Sheet(_fake_sheet(act))

    monkeypatch.setattr(symact.engine, "derive", derive)
    start = time.monotonic()
    done = {w.name: w for w in cache.warm(NAMES[:3], workers=2, timeout=1)}
    assert time.monotonic() - start < 20
    assert "RuntimeError: cannot" in done[NAMES[0]].error
    assert "within 1 s of CPU time" in done[NAMES[1]].error
    assert done[NAMES[2]].error is None
    assert len(_files(cache_dir)) == 1


# -- the real engine ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_real_sheet_survives_the_cache(cache_dir: Path) -> None:
    fresh = symact.get("softplus").properties.to_dict()
    assert cache.sheet_path(symact.get("softplus")).exists()
    again = symact.get("softplus").properties.to_dict()
    assert again == fresh
    assert json.loads(json.dumps(fresh)) == fresh
