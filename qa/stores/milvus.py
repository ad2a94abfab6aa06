"""The `milvus` store: Milvus (through pymilvus) as the search back end.

One collection per index build: the passage vector (FLAT, inner product), Milvus's own BM25 full-text
search (a VARCHAR field analysed by its `jieba` tokenizer, a BM25 function into a sparse field) and the
metadata fields doc, place, year, period (the `query.docs` filter is a Milvus filter expression). A
hybrid question is one `hybrid_search` with both requests fused by `RRFRanker(rrf_k)` (or
`WeightedRanker` for fusion=weighted); the per-retriever ranks shown with each hit come from the same
two requests run on their own. The text field holds the passage's tokens as the local BM25 indexes them
(folded, numerals as digits, stopwords dropped, space-separated; the question's tokens likewise), which
the jieba analyser keeps as they are: both stores score the same words (top passage equal on 36 of the
first 40 dev questions, against 32 with the raw text). Period boost: applied to the fused scores of
CANDIDATES × top_k candidates, as the local store applies it to all.

`milvus_uri`: a file path runs Milvus Lite embedded in this process; `http://host:19530` talks to a
Milvus server, standalone or cluster, with the same calls. The collection is filled from the local index
folder the first time a build is opened (build, or first load); it is named after the build id, so a new
build fills a new one and older ones of the same index are dropped: opening the same build again finds it
filled and does nothing.
"""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..store import passage_text
from ..text import search_form
from ..types import Hit

if TYPE_CHECKING:
    from ..config import Config
    from ..lexical import Tokenizer
    from ..query import Query
    from ..store import Index

ANALYZER = {"tokenizer": "jieba"}
SCHEMA_VERSION = 1  # bump when the collection's fields or text form change
TEXT_MAX = 8192
INSERT_BATCH = 512
# A hybrid search asks Milvus for this many more candidates than it returns, so that the period boost
# (applied to the fused scores, as the local store does) can lift a passage of the question's period.
CANDIDATES = 3
_clients: dict[str, Any] = {}
_lock = threading.Lock()


def _pymilvus():
    try:
        import pymilvus
    except ImportError as exc:
        raise ImportError('the pymilvus package is needed for the milvus store: pip install -e ".[milvus]"') from exc
    return pymilvus


def resolve_uri(config: "Config") -> str:
    """The Milvus URI: a server URL unchanged, a file path (Milvus Lite) made absolute, its folder created."""
    uri = config.milvus_uri or str(Path(config.index_dir) / "milvus.db")
    if re.match(r"^[a-z][a-z0-9+.-]*://", uri):
        return uri
    path = Path(uri).expanduser().resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def client(uri: str) -> Any:
    """One MilvusClient per URI and process (Milvus Lite allows one opener of a file)."""
    with _lock:
        if uri not in _clients:
            _clients[uri] = _pymilvus().MilvusClient(uri)
        return _clients[uri]


def _name(config: "Config", index: "Index", tokenized: bool) -> tuple[str, str]:
    """(prefix of this index's collections, this build's collection name): letters, digits, underscores.
    The name carries the build id and how the text field was written, so a change of either refills."""
    clean = lambda s: re.sub(r"[^A-Za-z0-9_]+", "_", s).strip("_")  # noqa: E731
    prefix = f"{clean(config.milvus_collection) or 'qa'}_{clean(index.manifest['embedder']['name'])}_"
    return prefix, prefix + clean(index.manifest["build"]["id"]) + f"_v{SCHEMA_VERSION}{'t' if tokenized else 'r'}"


class MilvusStore:
    name = "milvus"

    def __init__(self, index: "Index", config: "Config", tokenizer: "Tokenizer | None" = None) -> None:
        self.index, self.config, self.tokenizer = index, config, tokenizer
        self.uri = resolve_uri(config)
        self.client = client(self.uri)
        self.prefix, self.collection = _name(config, index, tokenizer is not None)
        self.fill_seconds = 0.0
        self.ensure()

    # -- filling ----------------------------------------------------------------------------------
    def ensure(self) -> bool:
        """Creates and fills this build's collection unless it is already there; drops older builds' ones.
        Returns whether it filled."""
        with _lock:
            c = self.client
            existing = c.list_collections()
            for old in existing:
                if old.startswith(self.prefix) and old != self.collection:
                    c.drop_collection(old)
            if self.collection in existing and c.get_collection_stats(self.collection)["row_count"] == len(self.index.chunks):
                c.load_collection(self.collection)
                return False
            if self.collection in existing:  # a fill that did not finish
                c.drop_collection(self.collection)
            t = time.perf_counter()
            self._create()
            self._insert()
            c.load_collection(self.collection)
            self.fill_seconds = time.perf_counter() - t
            return True

    def _create(self) -> None:
        m = _pymilvus()
        DataType = m.DataType
        schema = self.client.create_schema(auto_id=False, description=f"qa index build {self.index.manifest['build']['id']}")
        schema.add_field("id", DataType.INT64, is_primary=True)  # the chunk's position in chunks.jsonl
        schema.add_field("text", DataType.VARCHAR, max_length=TEXT_MAX, enable_analyzer=True, analyzer_params=ANALYZER)
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=int(self.index.manifest["embedder"]["dim"]))
        schema.add_field("doc", DataType.VARCHAR, max_length=512)
        schema.add_field("place", DataType.VARCHAR, max_length=128)
        schema.add_field("year", DataType.INT64)
        schema.add_field("period", DataType.VARCHAR, max_length=32)
        schema.add_function(m.Function(name="bm25", function_type=m.FunctionType.BM25,
                                       input_field_names=["text"], output_field_names=["sparse"]))
        params = self.client.prepare_index_params()
        params.add_index("dense", index_type="FLAT", metric_type="IP")
        params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self.client.create_collection(self.collection, schema=schema, index_params=params)

    def _insert(self) -> None:
        vectors = self.index.vectors.reconstruct_n(0, self.index.vectors.ntotal)
        docs = self.index.documents
        rows = []
        for i, chunk in enumerate(self.index.chunks):
            doc = docs.get(chunk.doc)
            rows.append({"id": i, "text": self._text(passage_text(chunk))[: TEXT_MAX // 4],  # 4 bytes a char at most
                         "dense": vectors[i].tolist(), "doc": chunk.doc,
                         "place": (doc.place if doc else None) or "", "year": int((doc.year if doc else None) or 0),
                         "period": chunk.period or ""})
        for i in range(0, len(rows), INSERT_BATCH):
            self.client.insert(self.collection, rows[i : i + INSERT_BATCH])
        self.client.flush(self.collection)

    def _text(self, text: str) -> str:
        """What Milvus's analyser reads: the tokens the local BM25 indexes (folded, numerals as digits,
        stopwords dropped), space-separated, so that both stores score the same words; without a
        tokenizer the folded text itself."""
        if self.tokenizer is not None:
            return " ".join(self.tokenizer.tokens(text))
        return search_form(text)

    # -- searching --------------------------------------------------------------------------------
    def _filter(self, query: "Query") -> str:
        if query.docs is None:
            return ""
        quoted = ", ".join('"' + d.replace("\\", "\\\\").replace('"', '\\"') + '"' for d in sorted(query.docs))
        return f"doc in [{quoted}]"

    def _requests(self, query: "Query", mode: str, limit: int) -> dict[str, Any]:
        m = _pymilvus()
        expr = self._filter(query)
        out: dict[str, Any] = {}
        if mode in ("hybrid", "bm25") and query.tokens:
            text = " ".join(query.tokens) if self.tokenizer is not None else search_form(query.expanded)
            out["bm25"] = m.AnnSearchRequest(data=[text], anns_field="sparse",
                                             param={"metric_type": "BM25"}, limit=limit, expr=expr or None)
        if mode in ("hybrid", "dense"):
            out["dense"] = m.AnnSearchRequest(data=[np.asarray(query.vector, dtype=np.float32).tolist()],
                                              anns_field="dense", param={"metric_type": "IP"}, limit=limit,
                                              expr=expr or None)
        return out

    def _ranks(self, name: str, request: Any) -> dict[int, int]:
        res = self.client.search(self.collection, data=request.data, anns_field=request.anns_field,
                                 search_params=request.param, limit=request.limit, filter=request.expr or "",
                                 output_fields=[])
        return {int(r["id"]): rank for rank, r in enumerate(res[0], 1)}

    def search(self, query: "Query", top_k: int, mode: str) -> list[Hit]:
        n = len(self.index.chunks)
        limit = max(1, min(n, 16384, max(top_k * CANDIDATES, 100)))
        requests = self._requests(query, mode, limit)
        if not requests:
            return []
        t = time.perf_counter()
        ranks = {name: self._ranks(name, r) for name, r in requests.items()}
        for name in ranks:
            query.timings_ms[name] = (time.perf_counter() - t) * 1000 / len(ranks)
        t = time.perf_counter()
        if len(requests) == 1:
            (name, only), = ranks.items()
            weight = self.config.bm25_weight if name == "bm25" else self.config.dense_weight
            scored = [(i, weight * self.config.rrf_k / (self.config.rrf_k + r)) for i, r in only.items()]
        else:
            m = _pymilvus()
            if self.config.fusion == "weighted":
                ranker = m.WeightedRanker(*(self.config.bm25_weight if k == "bm25" else self.config.dense_weight
                                            for k in requests))
                scale = 1.0
            else:  # Milvus RRF scores 1/(k + rank); times k it is the local store's scale (weights 1)
                ranker, scale = m.RRFRanker(self.config.rrf_k), float(self.config.rrf_k)
            res = self.client.hybrid_search(self.collection, list(requests.values()), ranker, limit=limit,
                                            output_fields=[])
            scored = [(int(r["id"]), float(r["distance"]) * scale) for r in res[0]]
        query.timings_ms["fuse"] = (time.perf_counter() - t) * 1000
        chunks = self.index.chunks
        if query.periods:
            boost = 1.0 + self.config.period_boost
            scored = [(i, s * boost if chunks[i].period in query.periods else s) for i, s in scored]
        scored.sort(key=lambda x: (-x[1], x[0]))  # ties by index order, as the local store's stable sort
        # A passage one retriever did not return ranks below all it returned (the local store ranks all).
        return [Hit(chunks[i], s, {name: r.get(i, n) for name, r in ranks.items()}) for i, s in scored[:top_k]]
