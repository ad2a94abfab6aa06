"""Finding and reading source documents: regular files only, size limits, encodings, binary and empty files."""
from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config
from .errors import DocumentError
from .metadata import SIDECAR_MAX_BYTES, parse_sidecar, sidecar_path

DOCUMENT_SUFFIXES = (".txt", ".md")
# GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
_ENCODINGS = ("utf-8-sig", "gb18030")
MB = 1_000_000


@dataclass(frozen=True)
class Source:
    name: str  # file stem: the document's name in ids and citations
    path: Path
    text: str
    encoding: str
    sha256: str  # of the file's bytes and of its metadata sidecar's, so editing either rebuilds
    meta: dict[str, Any] = field(default_factory=dict)  # validated sidecar overrides (place, level, year…)


def discover(seeds_dir: Path) -> list[Path]:
    """Every entry of the seeds folder named like a document, in a stable order (links included, to be reported)."""
    if not seeds_dir.is_dir():
        raise DocumentError(f"seeds folder not found: {seeds_dir}")
    return sorted(p for p in seeds_dir.iterdir()
                  if p.suffix.lower() in DOCUMENT_SUFFIXES and (p.is_symlink() or not p.is_dir()))


def _read_regular(path: Path, max_bytes: int, setting: str | None) -> bytes:
    """The bytes of a regular file that is not a symbolic link, at most max_bytes of them.

    O_NOFOLLOW checks the link and opens in one step, so a file swapped for a link in between is still
    refused; O_NONBLOCK keeps a FIFO named `x.txt` from blocking the build.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DocumentError(
                f"{path.name}: is a symbolic link (to {os.readlink(path)}); only regular files inside the "
                f"seeds folder are indexed: copy the file in instead") from None
        raise
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{path.name}: not a regular file")
        if info.st_size > max_bytes:
            allow = f"to allow it, set {setting}={info.st_size}" if setting else "it should hold a few fields"
            raise DocumentError(f"{path.name}: {_size(info.st_size)} is above the {_size(max_bytes)} limit ({allow})")
        return f.read(max_bytes + 1)[:max_bytes]  # a file growing while read is cut at the limit


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB // 10 else f"{n:,} bytes"


def read_source(path: Path, max_bytes: int = Config.max_document_bytes) -> Source:
    data = _read_regular(path, max_bytes, "QA_MAX_DOCUMENT_BYTES")
    if not data.strip():
        raise DocumentError(f"{path.name}: the file is empty")
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{path.name}: looks like a binary file, not text (NUL bytes)")
    digest = hashlib.sha256(data)
    meta: dict[str, Any] = {}
    side = sidecar_path(path)
    if side.exists() or side.is_symlink():
        try:
            raw = _read_regular(side, SIDECAR_MAX_BYTES, None)
            meta = parse_sidecar(side.name, raw)
        except DocumentError as exc:
            raise DocumentError(f"{path.name}: left out until its metadata file is fixed or deleted: {exc}") from None
        digest.update(b"\0" + raw)
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return Source(path.stem, path, text.replace("\r\n", "\n").replace("\r", "\n"),
                          "utf-8" if encoding == "utf-8-sig" else encoding, digest.hexdigest(), meta)
    raise DocumentError(f"{path.name}: not readable as UTF-8 or GB18030/GBK text")


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes almost any byte string; reject results full of control or private-use characters."""
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= len(text) * 0.01


def read_sources(seeds_dir: Path, max_document_bytes: int = Config.max_document_bytes,
                 max_corpus_bytes: int = Config.max_corpus_bytes) -> tuple[list[Source], list[str]]:
    """Readable documents, and one message per file left out (the others are still used).

    Files are taken in name order until the corpus limit; a file that would pass it is left out.
    """
    sources, problems, total = [], [], 0
    for path in discover(seeds_dir):
        try:
            source = read_source(path, max_document_bytes)
        except DocumentError as exc:
            problems.append(str(exc))
            continue
        except OSError as exc:
            problems.append(f"{path.name}: cannot be read ({exc.strerror or exc})")
            continue
        size = path.stat().st_size
        if total + size > max_corpus_bytes:
            problems.append(f"{path.name}: the documents would pass the {_size(max_corpus_bytes)} limit for "
                            f"all documents together (to allow it, set QA_MAX_CORPUS_BYTES={total + size})")
            continue
        total += size
        sources.append(source)
    return sources, problems
