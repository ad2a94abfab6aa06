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
        # The keyword index's words of two or three characters by each character they hold: a one-character
        # question word may be part of them. Looked up per question, not scanned (the vocabulary grows with the corpus).
        self._holding: dict[str, list[str]] = {}
        for word in index.bm25.vocab_dict:
            if 2 <= len(word) <= 3:
                for ch in dict.fromkeys(word):
                    self._holding.setdefault(ch, []).append(word)

    def prepare(self, analysis: QuestionAnalysis, docs: frozenset[str] | None = None) -> Query:
        expanded = self.tokenizer.expand(analysis.text)
        t = time.perf_counter()
        vector = self.embedder.embed_queries([expanded])[0]
        query = Query(analysis, expanded, self._keywords(analysis, expanded), vector, self.sentences, docs)
        query.timings_ms["embed"] = (time.perf_counter() - t) * 1000
        return query

    def _keywords(self, analysis: QuestionAnalysis, expanded: str) -> list[str]:
        """The question's tokens, and for a key word of one character (鞋 in 做多少双鞋, 房) the report's words that
        hold it (制鞋, 布鞋, 鞋业): BM25 matches whole tokens, and the report seldom writes such a word alone."""
        singles = [t for t in analysis.terms if len(t) == 1]
        return self.tokenizer.tokens(expanded) + [w for t in singles for w in self._holding.get(t, ())]

    def search(self, query: Query, top_k: int, mode: str | None = None) -> list[Hit]:
        mode = mode or self.config.mode
        if mode not in MODES:
            raise UnknownNameError("retrieval mode", mode, list(MODES))
        if self.config.fusion not in FUSIONS:
            raise UnknownNameError("fusion", self.config.fusion, list(FUSIONS))
        return self.store.search(query, top_k, mode)
