"""The measuring tools of `qa bench` (qa/bench.py): the reused-vector stand-in embedder, timings, the ANN
comparison and the synthetic corpus's place names."""
from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .config import PROJECT_ROOT, Config

DEV_SET = PROJECT_ROOT / "eval" / "sets" / "dev.jsonl"
# Two-character place names for the synthetic reports (pairs of these characters, in order), then three.
_PLACE_CHARS = "东西南北中新安宜孟汝栾嵩伊洛川平阳山河清"
NOISE = 0.01  # per-dimension Gaussian noise added to reused vectors (then re-normalised)
ANN_ROWS = 10_000


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def places(n: int) -> list[str]:
    pairs = [a + b for a in _PLACE_CHARS for b in _PLACE_CHARS if a != b]
    triples = [p + c for p in pairs for c in _PLACE_CHARS if c not in p]
    out = [p for p in pairs + triples if "偃师" not in p and "洛阳" not in p]
    if n > len(out):
        raise ValueError(f"at most {len(out)} synthetic places")
    return out[:n]


class ReusedVectors:
    """A stand-in embedder for synthetic passages: the real vector of the real passage (or sentence) that
    reads the same once figures and place names are ignored, else a real vector picked by the text's hash;
    plus Gaussian noise, re-normalised. Not an embedding of the synthetic text: a way to give 100 reports
    realistic vectors without embedding them (e5 does ~5-10 texts/s on 2 cores)."""

    def __init__(self, name: str, texts: list[str], vectors: np.ndarray, ignore: str) -> None:
        self.name, self.dim = name, int(vectors.shape[1])
        self._strip = re.compile(f"[0-9.%％{re.escape(ignore)}]")
        self._by_key = {self._key(t): i for i, t in enumerate(texts)}
        self._vectors = vectors

    def _key(self, text: str) -> str:
        return self._strip.sub("", text)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        rows = []
        for t in texts:
            h = int.from_bytes(hashlib.sha256(t.encode("utf-8")).digest()[:8], "little")
            i = self._by_key.get(self._key(t), h % len(self._vectors))
            noise = np.random.default_rng(h).normal(0, NOISE, self.dim).astype(np.float32)
            v = self._vectors[i] + noise
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows, dtype=np.float32)

    embed_queries = embed_passages


def tokenizer(config: Config):
    from .lexical import lexical_setup

    return lexical_setup(config.synonyms, config.colloquial)


def embed_alone(embedder, texts: list[str]) -> float:
    from .store import EMBED_BATCH

    t = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_passages(texts[i : i + EMBED_BATCH])
    return time.perf_counter() - t


def questions(n: int) -> list[str]:
    with DEV_SET.open(encoding="utf-8") as f:
        items = [json.loads(line) for line in f if line.strip()]
    return [it["question"] for it in items if it.get("answerable", True)][:n]


def latencies(assistant, questions: list[str], repeats: int) -> tuple[list[float], list[list[float]]]:
    """Per-repeat lists of end-to-end ask times (ms); returns (all, per repeat)."""
    per: list[list[float]] = []
    for _ in range(repeats):
        run = []
        for q in questions:
            t = time.perf_counter()
            assistant.ask(q)
            run.append((time.perf_counter() - t) * 1000)
        per.append(run)
    return [x for r in per for x in r], per


def cold_start(index_dir: Path, seeds: Path, question: str, repeats: int) -> tuple[list[float], float]:
    env = {**os.environ, "QA_INDEX_DIR": str(index_dir), "QA_SEEDS_DIR": str(seeds), "QA_STORE": "local"}
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qa", "ask", "--json", question], env=env,
                              capture_output=True, text=True, timeout=300)
        times.append(time.perf_counter() - t)
        if done.returncode != 0 or "answer" not in done.stdout:
            raise RuntimeError(f"cold start run failed: {done.stderr[-500:]}")
    return times, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def ann(base: np.ndarray, queries: np.ndarray, k: int = 10, config: Config | None = None) -> dict[str, float]:
    """FAISS flat vs HNSW (the graph settings the index uses: `config`'s ann_hnsw_m, ann_ef_*) over `base`."""
    import faiss

    config = config or Config()
    d = base.shape[1]
    flat = faiss.IndexFlatIP(d)
    flat.add(base)
    t = time.perf_counter()
    hnsw = faiss.IndexHNSWFlat(d, config.ann_hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = config.ann_ef_construction
    hnsw.add(base)
    hnsw_build = time.perf_counter() - t
    hnsw.hnsw.efSearch = config.ann_ef_search
    out: dict[str, Any] = {"rows": int(base.shape[0]), "queries": int(queries.shape[0]), "hnsw_build_s": round(hnsw_build, 2)}
    found = {}
    for name, index in (("flat", flat), ("hnsw", hnsw)):
        times, ids = [], []
        for q in queries:
            t = time.perf_counter()
            _, i = index.search(q[None, :], k)
            times.append((time.perf_counter() - t) * 1000)
            ids.append(i[0])
        found[name] = ids
        out[f"{name}_p50_ms"] = round(statistics.median(times), 3)
        out[f"{name}_p95_ms"] = round(pct(times, 0.95), 3)
    out["recall_at_10"] = round(float(np.mean([len(set(a) & set(b)) / k for a, b in zip(found["flat"], found["hnsw"])])), 4)
    return out
