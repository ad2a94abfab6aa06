"""Everyday words against the report's vocabulary, through the embedder rather than a synonym row per word.

When the thing a question asks about (its focus: 看病, 平均工资) is not in the evidence, the question is
answered only if the evidence uses a word that means much the same: the focus and the evidence passage's
words are embedded (as e5 queries) and the closest word's cosine becomes a feature of the evidence model.
Only questions whose focus is missing pay for it, and each word is embedded once per process.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict

import numpy as np

from .embedders import Embedder
from .lexical import Tokenizer

CACHE_WORDS = 20_000
_DIGIT = re.compile(r"\d")


class WordVectors:
    def __init__(self, embedder: Embedder, tokenizer: Tokenizer) -> None:
        self.embedder, self.tokenizer = embedder, tokenizer
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def _vectors(self, words: list[str]) -> np.ndarray:
        with self._lock:
            missing = [w for w in dict.fromkeys(words) if w not in self._cache]
        if missing:
            rows = self.embedder.embed_queries(missing)
            with self._lock:
                for w, v in zip(missing, rows):
                    self._cache[w] = v
                while len(self._cache) > CACHE_WORDS:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.vstack([self._cache[w] for w in words])

    def closest(self, word: str, text: str) -> float:
        """Cosine between `word` and the nearest content word of `text` (0 when it has none)."""
        candidates = [w for w in dict.fromkeys(self.tokenizer.tokens(text)) if len(w) > 1 and not _DIGIT.search(w)]
        if not candidates:
            return 0.0
        vectors = self._vectors([word, *candidates])
        return float((vectors[1:] @ vectors[0]).max())
