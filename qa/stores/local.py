"""The `local` store: FAISS (inner product, flat or HNSW) and bm25s from the index folder, fused in numpy."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..types import Hit
from . import faiss_index

if TYPE_CHECKING:
    from ..config import Config
    from ..query import Query
    from ..store import Index


class LocalStore:
    name = "local"

    def __init__(self, index: "Index", config: "Config") -> None:
        self.index, self.config = index, config
        self._doc_of = np.array([c.doc for c in index.chunks])
        periods = sorted({c.period for c in index.chunks if c.period is not None})
        self._period_code = {p: i for i, p in enumerate(periods)}
        self._period_of = np.array([self._period_code.get(c.period, -1) for c in index.chunks], dtype=np.int64)

    def bm25_scores(self, query: "Query") -> np.ndarray:
        if not query.tokens:
            return np.zeros(len(self.index.chunks), dtype=np.float32)
        return np.asarray(self.index.bm25.get_scores(query.tokens), dtype=np.float32)

    def dense_scores(self, query: "Query") -> np.ndarray:
        """Every chunk's dense score: exact over a flat index, see qa/stores/faiss_index.py for HNSW."""
        subset = None if query.docs is None else np.flatnonzero(np.isin(self._doc_of, list(query.docs)))
        return faiss_index.dense_scores(self.index.vectors, query.vector, self.config, subset)

    def search(self, query: "Query", top_k: int, mode: str) -> list[Hit]:
        import time

        ranked: dict[str, np.ndarray] = {}
        if mode in ("hybrid", "bm25"):
            t = time.perf_counter()
            ranked["bm25"] = self.bm25_scores(query)
            query.timings_ms["bm25"] = (time.perf_counter() - t) * 1000
        if mode in ("hybrid", "dense"):
            t = time.perf_counter()
            ranked["dense"] = self.dense_scores(query)
            query.timings_ms["dense"] = (time.perf_counter() - t) * 1000
        fused, ranks = self._fuse(ranked)
        if query.periods:
            matches = np.isin(self._period_of, [self._period_code[p] for p in query.periods if p in self._period_code])
            fused = fused * np.where(matches, 1.0 + self.config.period_boost, 1.0)
        if query.docs is not None:
            fused = np.where(np.isin(self._doc_of, list(query.docs)), fused, -np.inf)
        order = [i for i in np.argsort(-fused, kind="stable")[:top_k] if np.isfinite(fused[i])]
        return [Hit(self.index.chunks[i], float(fused[i]), {name: int(r[i]) for name, r in ranks.items()}) for i in order]

    def _fuse(self, scores: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Reciprocal-rank fusion or a weighted sum of min-max-scaled scores (`fusion`); each retriever's
        rank list also comes back for the sources panel."""
        weights = {"bm25": self.config.bm25_weight, "dense": self.config.dense_weight}
        n = len(self.index.chunks)
        fused = np.zeros(n, dtype=np.float64)
        ranks: dict[str, np.ndarray] = {}
        for name, s in scores.items():
            order = np.argsort(-s, kind="stable")
            rank = np.empty(n, dtype=np.int64)
            rank[order] = np.arange(1, n + 1)
            ranks[name] = rank
            if self.config.fusion == "weighted":
                span = float(s.max() - s.min()) or 1.0
                fused += weights[name] * (s - s.min()) / span
            else:
                fused += weights[name] * self.config.rrf_k / (self.config.rrf_k + rank)
        return fused, ranks
