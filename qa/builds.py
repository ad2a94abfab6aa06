"""Versioned index builds behind an atomically replaced pointer.

    index/e5-small/CURRENT          one line, `builds/<id>`: the build readers use
                   builds/<id>/     one complete build (manifest.json, documents.jsonl, …)
                   builds/.tmp-*/   a build being written, or left behind by a killed one
                   vector-cache/    the last build's vectors by text (qa/stores/vector_cache.py), written
                                    under the lock after the build is current
    index/.e5-small.lock            serialises builds across processes

A build is written into `builds/.tmp-*`, renamed to `builds/<id>`, and only then is CURRENT replaced
(a temporary file renamed over it with os.replace): a reader sees the old build or the new one, never
none, and a build killed at any point leaves CURRENT on the old one. A build CURRENT no longer names is
kept for GRACE_SECONDS, so a reader that resolved CURRENT just before a swap can finish reading it; the
next build removes it, and anything a killed build left.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Iterator

from .errors import IndexStateError

POINTER = "CURRENT"
BUILDS = "builds"
TMP_PREFIX = ".tmp-"
GRACE_SECONDS = 300
BUILD_ID = re.compile(r"^\d{8}T\d{6}-[0-9a-f]{6}$")
# Format 1 kept one build's files directly in the embedder folder.
_LEGACY = ("manifest.json", "documents.jsonl", "chunks.jsonl", "vectors.faiss", "bm25")


def new_build_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"


def current(path: Path) -> Path:
    """The build folder CURRENT names; IndexStateError when there is none."""
    pointer = path / POINTER
    try:
        target = pointer.read_text("utf-8").strip()
    except FileNotFoundError:
        raise IndexStateError(f"no index at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexStateError(f"index pointer {pointer} is unreadable ({exc})") from None
    prefix, _, name = target.partition("/")
    if prefix != BUILDS or not BUILD_ID.match(name):  # never a path out of the index folder
        raise IndexStateError(f"stale or damaged index pointer {pointer}: {target[:80]!r} is not {BUILDS}/<id>")
    folder = path / BUILDS / name
    if not folder.is_dir():
        raise IndexStateError(f"index pointer {pointer} names {folder}, which is missing")
    return folder


def writable_problem(path: Path) -> OSError | None:
    """Why a build could not be written under `path` (read-only folder or file system), or None."""
    try:
        (path / BUILDS).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path / BUILDS), open(_lock_file(path), "a"):
            pass
    except OSError as exc:
        return exc
    return None


@contextlib.contextmanager
def publishing(path: Path, build_id: str) -> Iterator[Path]:
    """A fresh folder to write one build into; when the block completes, it becomes the current build."""
    with _lock(path):
        remove_orphans(path)
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=path / BUILDS))
        try:
            yield tmp
            final = tmp.rename(path / BUILDS / build_id)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        with contextlib.suppress(IndexStateError):
            os.utime(current(path))  # the grace period of the build being replaced starts now
        _point(path, final)


def remove_orphans(path: Path) -> list[str]:
    """Removes what killed builds left and builds retired more than GRACE_SECONDS ago; returns their names.

    Only called under the build lock, so no `.tmp-*` entry belongs to a build still running.
    """
    try:
        keep: str | None = current(path).name
    except IndexStateError:
        keep = None
    cutoff = time.time() - GRACE_SECONDS
    builds = path / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    doomed = [e for e in builds.iterdir()
              if e.name != keep and (e.name.startswith(TMP_PREFIX) or e.lstat().st_mtime < cutoff)]
    doomed += [e for e in path.iterdir() if e.name.startswith(TMP_PREFIX) or e.name in _LEGACY]
    for entry in doomed:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
    return sorted(str(e.relative_to(path)) for e in doomed)


def _point(path: Path, build: Path) -> None:
    tmp = path / f"{TMP_PREFIX}{POINTER}-{secrets.token_hex(4)}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(f"{BUILDS}/{build.name}\n")
        f.flush()
        os.fsync(f.fileno())  # the pointer's content is on disk before it replaces the old one
    os.replace(tmp, path / POINTER)


def locked(path: Path) -> contextlib.AbstractContextManager[None]:
    """The build lock of `path`, for work beside the builds that must not interleave with another build's
    (the vector cache, qa/stores/vector_cache.py)."""
    return _lock(path)


def _lock_file(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[None]:
    """Serialises builds of the same index across processes (two users starting the UI at once)."""
    path.mkdir(parents=True, exist_ok=True)
    with open(_lock_file(path), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
