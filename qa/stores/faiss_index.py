"""The FAISS index of the passage vectors: exact (flat) for small corpora, approximate (HNSW) for large ones.

A corpus of `Config.ann_min_chunks` chunks or more is indexed with `IndexHNSWFlat` (inner product over the
L2-normalised vectors, `ann_hnsw_m` links per node, `ann_ef_construction`), a smaller one with
`IndexFlatIP`. The manifest records which (`vector_index`); loading checks the file holds that kind, and a
build whose kind or graph settings the config would now choose differently is stale (qa/store.py).

Searching (qa/stores/local.py): flat scores every chunk. HNSW scores the `ann_candidates` nearest chunks
(efSearch at least `ann_ef_search`); the others share a score just below the lowest of those. A search
restricted to some documents scores exactly the chunks of those documents instead (a graph search with
a selective filter can miss them all).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..config import Config

FLAT, HNSW = "flat", "hnsw"


def _faiss():
    try:
        import faiss
    except ImportError as exc:
        raise ImportError("the faiss package is needed for the vector index: pip install faiss-cpu") from exc
    return faiss


def settings(chunks: int, config: "Config") -> dict[str, Any]:
    """What the manifest records as `vector_index` for a corpus of `chunks` chunks under `config`."""
    if chunks < config.ann_min_chunks:
        return {"kind": FLAT, "min_chunks": config.ann_min_chunks}
    return {"kind": HNSW, "min_chunks": config.ann_min_chunks, "m": config.ann_hnsw_m,
            "ef_construction": config.ann_ef_construction, "ef_search": config.ann_ef_search}


def stale_reason(recorded: dict[str, Any] | None, chunks: int, config: "Config") -> str | None:
    """Why an index recorded as `recorded` (None: older manifests, flat) is not what `config` would build now."""
    recorded = recorded or {"kind": FLAT}
    wanted = settings(chunks, config)
    for key in ("kind", "m", "ef_construction"):
        if recorded.get(key) != wanted.get(key):
            return f"vector index {key} changed ({recorded.get(key)!r} → {wanted.get(key)!r})"
    return None


def make(vectors: np.ndarray, config: "Config") -> tuple[Any, dict[str, Any]]:
    """The FAISS index of `vectors` (rows in chunk order) and its manifest record."""
    faiss = _faiss()
    info = settings(vectors.shape[0], config)
    if info["kind"] == FLAT:
        index = faiss.IndexFlatIP(vectors.shape[1])
    else:
        index = faiss.IndexHNSWFlat(vectors.shape[1], info["m"], faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = info["ef_construction"]
        index.hnsw.efSearch = info["ef_search"]
    index.add(vectors)
    return index, info


def kind_of(index: Any) -> str:
    return HNSW if isinstance(index, _faiss().IndexHNSW) else FLAT


def write(index: Any, path: Path) -> None:
    _faiss().write_index(index, str(path))


def read(path: Path, recorded: dict[str, Any] | None) -> Any:
    """The index in `path`; ValueError when it is not of the kind its manifest records."""
    index = _faiss().read_index(str(path))
    want = (recorded or {"kind": FLAT})["kind"]
    if kind_of(index) != want:
        raise ValueError(f"{path.name} holds a {kind_of(index)} index, the manifest records {want}")
    return index


def dense_scores(index: Any, vector: np.ndarray, config: "Config", subset: np.ndarray | None = None) -> np.ndarray:
    """Inner product of `vector` with every row: exact for flat; for HNSW exact for the rows `subset` (row
    ids) when given, else for the ann_candidates nearest, the other rows just below the lowest of those."""
    n = index.ntotal
    query = np.ascontiguousarray(vector[None, :], dtype=np.float32)
    if kind_of(index) == FLAT:
        scores, ids = index.search(query, n)
        out = np.zeros(n, dtype=np.float32)
        out[ids[0]] = scores[0]
        return out
    if subset is not None:
        ids = subset.astype(np.int64)
        scores = index.reconstruct_batch(ids) @ query[0] if len(ids) else np.zeros(0, dtype=np.float32)
    else:
        k = min(n, config.ann_candidates)
        params = _faiss().SearchParametersHNSW(efSearch=max(config.ann_ef_search, k))
        scores, ids = index.search(query, k, params=params)
        found = ids[0] >= 0
        ids, scores = ids[0][found], scores[0][found]
    floor = np.nextafter(np.float32(scores.min()), np.float32(-np.inf)) if len(scores) else np.float32(0)
    out = np.full(n, floor, dtype=np.float32)
    out[ids] = scores
    return out
