"""The persisted index: one folder per embedder, a versioned manifest, one file per component, no pickle.

    index/<embedder>/manifest.json   format version, embedder, chunker, sources' sha256, components' sha256
                    documents.jsonl  display text of each document
                    chunks.jsonl     chunk records
                    vectors.faiss    inner-product index over L2-normalised passage vectors
                    bm25/            bm25s sparse matrices and vocabulary (JSON + .npy)

Writes go to a temporary sibling folder that is renamed into place, so a reader never sees half an index.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from .chunking import CHUNKER_VERSION, chunk_document
from .config import Config
from .embedders import Embedder
from .errors import DocumentError, IndexStateError
from .ingest import Source, read_sources
from .lexical import Tokenizer
from .periods import report_year
from .types import Chunk

FORMAT_VERSION = 1
EMBED_BATCH = 16
Progress = Callable[[str], None]


@dataclass
class Document:
    name: str
    file: str
    text: str  # display text: chunk spans index into it
    year: int | None


@dataclass
class Index:
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index
    bm25: Any  # bm25s.BM25
    path: Path


def index_path(config: Config, embedder_name: str) -> Path:
    return Path(config.index_dir) / re.sub(r"[^A-Za-z0-9._-]+", "_", embedder_name).strip("_")


def passage_text(chunk: Chunk) -> str:
    """What gets embedded and BM25-indexed: the headings count as part of the passage."""
    return " › ".join(chunk.section) + "\n" + chunk.text


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _faiss():
    try:
        import faiss
    except ImportError as exc:
        raise ImportError("the faiss package is needed for the vector index: pip install faiss-cpu") from exc
    return faiss


def _bm25s():
    try:
        import bm25s
    except ImportError as exc:
        raise ImportError("the bm25s package is needed for the keyword index: pip install bm25s") from exc
    return bm25s


def _settings(config: Config, synonyms_sha: str) -> dict[str, Any]:
    """Everything that changes what an index contains; a mismatch makes the index stale."""
    return {"chunker_version": CHUNKER_VERSION, "max_chunk_chars": config.max_chunk_chars, "synonyms_sha256": synonyms_sha}


def build(config: Config, embedder: Embedder, tokenizer: Tokenizer, synonyms_sha: str,
          progress: Progress = print) -> Index:
    sources, problems = read_sources(Path(config.seeds_dir))
    for problem in problems:
        progress(f"skipped {problem}")
    if not sources:
        raise DocumentError(f"no readable .txt/.md documents in {config.seeds_dir}" + (f" ({'; '.join(problems)})" if problems else ""))
    documents, chunks = _chunk_all(sources, config)
    progress(f"embedding {len(chunks)} passages from {len(documents)} document(s) with {embedder.name} …")
    vectors = _embed(embedder, [passage_text(c) for c in chunks])
    faiss = _faiss()
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    bm25 = _bm25s().BM25()
    bm25.index([tokenizer.tokens(passage_text(c)) for c in chunks], show_progress=False)
    manifest = {
        "format_version": FORMAT_VERSION,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": {"name": embedder.name, "dim": int(vectors.shape[1])},
        **_settings(config, synonyms_sha),
        "config": config.to_dict(),
        "sources": [{"name": s.name, "file": s.path.name, "sha256": s.sha256, "encoding": s.encoding} for s in sources],
        "skipped": problems,
        "counts": {"documents": len(documents), "chunks": len(chunks)},
    }
    path = index_path(config, embedder.name)
    manifest = _write(path, manifest, documents, chunks, flat, bm25)
    progress(f"index written to {path}")
    return Index(manifest, documents, chunks, flat, bm25, path)


def _chunk_all(sources: list[Source], config: Config) -> tuple[dict[str, Document], list[Chunk]]:
    documents: dict[str, Document] = {}
    chunks: list[Chunk] = []
    for source in sources:
        chunked = chunk_document(source, config.max_chunk_chars)
        documents[source.name] = Document(source.name, source.path.name, chunked.display_text, report_year(source.text))
        chunks.extend(chunked.chunks)
    return documents, chunks


def _embed(embedder: Embedder, texts: list[str]) -> np.ndarray:
    from tqdm import tqdm

    rows = []
    with tqdm(total=len(texts), desc="embedding", unit="passage", leave=False) as bar:
        for i in range(0, len(texts), EMBED_BATCH):
            rows.append(embedder.embed_passages(texts[i : i + EMBED_BATCH]))
            bar.update(len(texts[i : i + EMBED_BATCH]))
    return np.ascontiguousarray(np.vstack(rows), dtype=np.float32)


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """Serialises builds of the same index across processes (two users starting the UI at once)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write(path: Path, manifest: dict[str, Any], documents: dict[str, Document], chunks: list[Chunk],
           vectors: Any, bm25: Any) -> dict[str, Any]:
    """Writes the index folder atomically; returns the manifest as written (with component checksums)."""
    with _lock(path):
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
        try:
            _jsonl(tmp / "documents.jsonl", [d.__dict__ for d in documents.values()])
            _jsonl(tmp / "chunks.jsonl", [c.to_dict() for c in chunks])
            _faiss().write_index(vectors, str(tmp / "vectors.faiss"))
            bm25.save(str(tmp / "bm25"), show_progress=False)
            components = {str(p.relative_to(tmp)): _sha256(p) for p in sorted(tmp.rglob("*")) if p.is_file()}
            manifest = {**manifest, "components": components}
            (tmp / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            if path.exists():
                path.rename(old)
            tmp.rename(path)
            shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return manifest


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def check(path: Path, config: Config, embedder_name: str, synonyms_sha: str) -> dict[str, Any]:
    """The manifest of a usable index at `path`; IndexStateError saying why it is missing, stale or corrupt."""
    manifest_file = path / "manifest.json"
    if not manifest_file.exists():
        raise IndexStateError(f"no index at {path}")
    try:
        manifest = json.loads(manifest_file.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexStateError(f"index manifest {manifest_file} is unreadable ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise IndexStateError(f"index format {manifest.get('format_version') if isinstance(manifest, dict) else '?'} is not the current {FORMAT_VERSION}")
    if manifest.get("embedder", {}).get("name") != embedder_name:
        raise IndexStateError(f"index was built with embedder {manifest.get('embedder', {}).get('name')!r}, not {embedder_name!r}")
    for key, value in _settings(config, synonyms_sha).items():
        if manifest.get(key) != value:
            raise IndexStateError(f"index setting {key} changed ({manifest.get(key)!r} → {value!r})")
    current, _ = read_sources(Path(config.seeds_dir))
    built = {s["file"]: s["sha256"] for s in manifest.get("sources", [])}
    now = {s.path.name: s.sha256 for s in current}
    if built != now:
        changed = sorted(set(built.items()) ^ set(now.items()))
        raise IndexStateError(f"source documents changed since the index was built ({', '.join(sorted({f for f, _ in changed}))})")
    for rel, sha in manifest.get("components", {}).items():
        file = path / rel
        if not file.exists() or _sha256(file) != sha:
            raise IndexStateError(f"index file {file} is missing or corrupt (checksum mismatch)")
    return manifest


def load(path: Path, manifest: dict[str, Any]) -> Index:
    try:
        documents = {d["name"]: Document(**d) for d in _read_jsonl(path / "documents.jsonl")}
        chunks = [Chunk.from_dict(c) for c in _read_jsonl(path / "chunks.jsonl")]
        vectors = _faiss().read_index(str(path / "vectors.faiss"))
        bm25 = _bm25s().BM25.load(str(path / "bm25"), show_progress=False)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexStateError(f"index at {path} could not be loaded ({exc})") from exc
    if vectors.ntotal != len(chunks):
        raise IndexStateError(f"index at {path} is inconsistent: {vectors.ntotal} vectors for {len(chunks)} chunks")
    return Index(manifest, documents, chunks, vectors, bm25, path)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
