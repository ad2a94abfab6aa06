"""A passage-vector cache: an embedder wrapper that embeds only texts it has not seen.

Kept in the index folder as two plain files (no pickle):

    index/<embedder>/vector-cache/vectors.npy   float32 (rows, dim)
                                  keys.json     {"embedder", "dim", "keys": [sha256 of each row's text]}

Keyed by the sha256 of the text (passage or sentence) and valid for one embedder (a cache written by
another one is ignored). Adding one document to a corpus then embeds only that document's passages and
sentences; everything else comes from the cache. `qa bench` measures it (`incremental_s`).
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import numpy as np

FOLDER = "vector-cache"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachingEmbedder:
    """Wraps an embedder (`inner`); `embed_passages` looks each text up by sha256 first. Queries are not cached."""

    def __init__(self, inner, folder: Path) -> None:
        self.inner, self.folder = inner, Path(folder)
        self.name, self.dim = inner.name, int(inner.dim)
        self.hits = self.misses = 0
        self.inner_seconds = 0.0  # time spent in the wrapped embedder (cache misses)
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        self._new: list[np.ndarray] = []
        self._load()

    def __len__(self) -> int:
        return len(self._rows)

    def _load(self) -> None:
        try:
            meta = json.loads((self.folder / "keys.json").read_text("utf-8"))
            vectors = np.load(self.folder / "vectors.npy", allow_pickle=False)
        except (OSError, ValueError):
            return
        if meta.get("embedder") != self.name or meta.get("dim") != self.dim or len(meta.get("keys", [])) != len(vectors):
            return  # another embedder's cache, or a damaged one: start empty
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self._rows = {k: i for i, k in enumerate(meta["keys"])}

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        todo = sorted({k: i for i, k in reversed(list(enumerate(keys))) if k not in self._rows}.items(), key=lambda x: x[1])
        if todo:
            t = time.perf_counter()
            fresh = np.asarray(self.inner.embed_passages([texts[i] for _, i in todo]), dtype=np.float32)
            self.inner_seconds += time.perf_counter() - t
            start = len(self._rows)
            self._vectors = np.vstack([self._vectors, fresh])
            for n, (k, _) in enumerate(todo):
                self._rows[k] = start + n
        self.misses += len(todo)
        self.hits += len(texts) - len(todo)
        return self._vectors[[self._rows[k] for k in keys]]

    def save(self) -> None:
        """Writes the cache atomically (temporary files renamed over the old ones)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = [None] * len(self._rows)
        for k, i in self._rows.items():
            keys[i] = k
        tmp_npy, tmp_json = self.folder / ".tmp-vectors.npy", self.folder / ".tmp-keys.json"
        np.save(tmp_npy, self._vectors, allow_pickle=False)
        tmp_json.write_text(json.dumps({"embedder": self.name, "dim": self.dim, "keys": keys}), "utf-8")
        os.replace(tmp_npy, self.folder / "vectors.npy")
        os.replace(tmp_json, self.folder / "keys.json")
