"""The query every stage shares: the question analysed once, its synonyms added, its embedding computed once."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .analysis import QuestionAnalysis
from .sentences import SentenceIndex
from .types import Hit


@dataclass
class Query:
    """A question prepared once for every stage: analysed, synonyms added, embedded once."""

    analysis: QuestionAnalysis
    expanded: str
    tokens: list[str]
    vector: np.ndarray  # the question's embedding: dense retrieval and sentence similarity share it
    sentences: SentenceIndex
    docs: frozenset[str] | None = None  # documents to search; None = all
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.analysis.text

    @property
    def periods(self) -> tuple[str, ...]:
        return self.analysis.periods

    def sentence_sims(self, hits: list[Hit]) -> list[list[tuple[int, int, float]]]:
        return self.sentences.sims(self.vector, hits)
