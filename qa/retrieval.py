"""Hybrid retrieval: BM25 over jieba tokens and dense e5 vectors, fused, boosted by the question's period."""
from __future__ import annotations

import time

from .analysis import QuestionAnalysis
from .config import Config
from .embedders import Embedder
from .errors import UnknownNameError
from .lexical import Tokenizer
from .query import Query
from .sentences import SentenceIndex
from .store import Index
from .stores import Store, open_store
from .types import Hit

MODES = ("hybrid", "dense", "bm25")
FUSIONS = ("rrf", "weighted")


class Retriever:
    """Prepares a question once (synonyms, tokens, one embedding) and searches the configured store
    (qa/stores: `local` FAISS + bm25s, or `milvus`)."""

    def __init__(self, index: Index, embedder: Embedder, tokenizer: Tokenizer, config: Config,
                 sentences: SentenceIndex, store: Store | None = None) -> None:
        self.index, self.embedder, self.tokenizer, self.config = index, embedder, tokenizer, config
        self.sentences = sentences
        self.store = store if store is not None else open_store(index, config, tokenizer)

    def prepare(self, analysis: QuestionAnalysis, docs: frozenset[str] | None = None) -> Query:
        expanded = self.tokenizer.expand(analysis.text)
        t = time.perf_counter()
        vector = self.embedder.embed_queries([expanded])[0]
        query = Query(analysis, expanded, self.tokenizer.tokens(expanded), vector, self.sentences, docs)
        query.timings_ms["embed"] = (time.perf_counter() - t) * 1000
        return query

    def search(self, query: Query, top_k: int, mode: str | None = None) -> list[Hit]:
        mode = mode or self.config.mode
        if mode not in MODES:
            raise UnknownNameError("retrieval mode", mode, list(MODES))
        if self.config.fusion not in FUSIONS:
            raise UnknownNameError("fusion", self.config.fusion, list(FUSIONS))
        return self.store.search(query, top_k, mode)
