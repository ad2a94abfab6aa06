"""The vector cache of an index: the passage and sentence vectors of its last build, by the sha256 of each text.

`qa build` (qa/store.py) looks every text it would embed up here first and embeds only the others, so a
rebuild after adding or changing one document embeds that document's passages and sentences alone. Kept
beside the builds, as plain files (no pickle):

    index/<embedder>/vector-cache/keys.json             {"embedder", "dim", "rows", "vectors", "sha256",
                                                          "keys": [sha256 of each row's text]}
                                 vectors-<token>.npy    float32 (rows, dim), the file keys.json names

Valid for one embedder and dimension. A cache is written as a new vectors file, then keys.json is replaced
atomically to name it, then older vectors files are removed: a build reading the cache meanwhile sees the
old one or the new one. A cache of another embedder, or one whose file is missing, unreadable, of the wrong
shape or not matching its checksum, is ignored (`problem` says why) and the build embeds everything.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Iterable

import numpy as np

FOLDER = "vector-cache"
KEYS = "keys.json"


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checksum(vectors: np.ndarray) -> str:
    return hashlib.sha256(memoryview(np.ascontiguousarray(vectors)).cast("B")).hexdigest()


class VectorCache:
    """The cached vectors of one index folder's embedder; `problem` says why a cache present was not used."""

    def __init__(self, folder: Path, embedder: str, dim: int) -> None:
        self.folder, self.embedder, self.dim = Path(folder), embedder, int(dim)
        self.problem: str | None = None
        self._rows: dict[str, int] = {}
        self._vectors = np.zeros((0, self.dim), dtype=np.float32)
        if (self.folder / KEYS).exists():
            self.problem = self._load()
            if self.problem:
                self._rows, self._vectors = {}, np.zeros((0, self.dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: str) -> bool:
        return key in self._rows

    def _load(self) -> str | None:
        try:
            meta = json.loads((self.folder / KEYS).read_text("utf-8"))
            if not isinstance(meta, dict):
                return "keys.json is not an object"
            if meta.get("embedder") != self.embedder or meta.get("dim") != self.dim:
                return f"made with {meta.get('embedder')!r} ({meta.get('dim')} dimensions)"
            name, keys = meta.get("vectors"), meta.get("keys")
            if not isinstance(name, str) or Path(name).name != name or not isinstance(keys, list):
                return "keys.json is malformed"
            vectors = np.load(self.folder / name, allow_pickle=False)
        except (OSError, ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
            return f"unreadable ({exc})"
        if vectors.dtype != np.float32 or vectors.shape != (len(keys), self.dim) or meta.get("rows") != len(keys):
            return f"vectors of shape {vectors.shape} ({vectors.dtype}) for {len(keys)} keys"
        if _checksum(vectors) != meta.get("sha256"):
            return "vectors do not match their checksum"
        self._vectors = vectors
        self._rows = {k: i for i, k in enumerate(keys) if isinstance(k, str)}
        return None if len(self._rows) == len(keys) else "keys.json is malformed"

    def hits(self, keys: Iterable[str]) -> int:
        return sum(k in self._rows for k in keys)

    def missing(self, keys: Iterable[str]) -> dict[str, int]:
        """Each key not cached, with the position of its first occurrence in `keys`."""
        out: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in self._rows:
                out.setdefault(k, i)
        return out

    def add(self, keys: list[str], vectors: np.ndarray) -> None:
        """Vectors of texts not in the cache yet (one row per key)."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.shape != (len(keys), self.dim):
            raise ValueError(f"{vectors.shape} vectors for {len(keys)} keys of dimension {self.dim}")
        start = len(self._vectors)
        self._vectors = vectors if start == 0 else np.vstack([self._vectors, vectors])
        for n, key in enumerate(keys):
            self._rows.setdefault(key, start + n)

    def take(self, keys: Iterable[str]) -> np.ndarray:
        """The cached vector of each key, in order (KeyError for a key not cached)."""
        return np.ascontiguousarray(self._vectors[[self._rows[k] for k in keys]], dtype=np.float32)

    def save(self, keep: Iterable[str]) -> None:
        """Writes the vectors of the keys `keep` (the build's texts) as the new cache; drops the others."""
        keys = list(dict.fromkeys(keep))
        vectors = self.take(keys)
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"vectors-{secrets.token_hex(6)}.npy"
        np.save(self.folder / name, vectors, allow_pickle=False)
        meta = {"embedder": self.embedder, "dim": self.dim, "rows": len(keys), "vectors": name,
                "sha256": _checksum(vectors), "keys": keys}
        tmp = self.folder / f".tmp-{KEYS}-{secrets.token_hex(4)}"
        tmp.write_text(json.dumps(meta), "utf-8")
        os.replace(tmp, self.folder / KEYS)
        for old in self.folder.iterdir():
            if old.name != name and old.name != KEYS and (old.suffix == ".npy" or old.name.startswith(".tmp-")):
                old.unlink(missing_ok=True)
        self._vectors, self._rows = vectors, {k: i for i, k in enumerate(keys)}
