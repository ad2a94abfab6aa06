"""Finding and reading source documents: encodings, binary and empty files."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .errors import DocumentError

DOCUMENT_SUFFIXES = (".txt", ".md")
# GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass(frozen=True)
class Source:
    name: str  # file stem: the document's name in ids and citations
    path: Path
    text: str
    encoding: str
    sha256: str


def discover(seeds_dir: Path) -> list[Path]:
    """Every document file in the seeds folder, in a stable order."""
    if not seeds_dir.is_dir():
        raise DocumentError(f"seeds folder not found: {seeds_dir}")
    return sorted(p for p in seeds_dir.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES)


def read_source(path: Path) -> Source:
    data = path.read_bytes()
    if not data.strip():
        raise DocumentError(f"{path.name}: the file is empty")
    if b"\x00" in data[:4096]:
        raise DocumentError(f"{path.name}: looks like a binary file, not text (NUL bytes)")
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return Source(path.stem, path, text.replace("\r\n", "\n").replace("\r", "\n"),
                          "utf-8" if encoding == "utf-8-sig" else encoding, hashlib.sha256(data).hexdigest())
    raise DocumentError(f"{path.name}: not readable as UTF-8 or GB18030/GBK text")


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes almost any byte string; reject results full of control or private-use characters."""
    bad = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\n\r\t\f") or 0xE000 <= ord(ch) <= 0xF8FF)
    return bad <= len(text) * 0.01


def read_sources(seeds_dir: Path) -> tuple[list[Source], list[str]]:
    """Readable documents, and one message per unreadable file (the others are still used)."""
    sources, problems = [], []
    for path in discover(seeds_dir):
        try:
            sources.append(read_source(path))
        except DocumentError as exc:
            problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{path.name}: cannot be read ({exc.strerror or exc})")
    return sources, problems
