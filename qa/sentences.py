"""Sentence vectors of every passage, embedded once at build time and kept with the index.

They let the answer stage ask the embedder how close a candidate sentence is to the question at the cost
of one matrix product: the question is embedded once (for dense retrieval), never per sentence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .types import Chunk, Hit

_SENTENCE = re.compile(r"[^。；！？!?;]+[。；！？!?;]*")
MIN_SENTENCE_CHARS = 4


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a passage; tiny fragments join the sentence before them."""
    spans: list[tuple[int, int]] = []
    for m in _SENTENCE.finditer(text):
        if spans and len(m.group(0).strip()) < MIN_SENTENCE_CHARS:
            spans[-1] = (spans[-1][0], m.end())
        else:
            spans.append((m.start(), m.end()))
    return spans or [(0, len(text))]


def sentence_texts(chunks: list[Chunk]) -> list[str]:
    """What is embedded for each sentence, in index order: the last heading gives it its topic."""
    return [f"{c.section[-1] if c.section else ''}：{c.text[a:b]}" for c in chunks for a, b in sentence_spans(c.text)]


@dataclass
class SentenceIndex:
    vectors: np.ndarray  # (sentences, dim), L2-normalised, in chunk order
    spans: list[list[tuple[int, int]]]  # per chunk
    offsets: list[int]  # first row of each chunk
    position: dict[str, int]  # chunk id → chunk position

    @classmethod
    def of(cls, chunks: list[Chunk], vectors: np.ndarray) -> "SentenceIndex":
        spans = [sentence_spans(c.text) for c in chunks]
        offsets = np.cumsum([0] + [len(s) for s in spans[:-1]]).tolist()
        if vectors.shape[0] != sum(len(s) for s in spans):
            raise ValueError(f"{vectors.shape[0]} sentence vectors for {sum(len(s) for s in spans)} sentences")
        return cls(vectors, spans, offsets, {c.id: i for i, c in enumerate(chunks)})

    def sims(self, query_vector: np.ndarray, hits: list[Hit]) -> list[list[tuple[int, int, float]]]:
        """(start, end, cosine) of each sentence of each hit."""
        out = []
        for hit in hits:
            i = self.position[hit.chunk.id]
            rows = self.vectors[self.offsets[i] : self.offsets[i] + len(self.spans[i])]
            scores = rows @ query_vector
            out.append([(a, b, float(s)) for (a, b), s in zip(self.spans[i], scores)])
        return out
