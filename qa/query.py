"""The query every stage shares: the question analysed once, its synonyms added, its embedding computed once."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .analysis import QuestionAnalysis
from .sentences import SentenceIndex
from .types import Hit

if TYPE_CHECKING:
    from .windows import Window, WindowScorer


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
    _windows: dict[tuple[int, int, int], tuple[Any, ...]] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return self.analysis.text

    @property
    def periods(self) -> tuple[str, ...]:
        return self.analysis.periods

    def sentence_sims(self, hits: list[Hit]) -> list[list[tuple[int, int, float]]]:
        return self.sentences.sims(self.vector, hits)

    def windows(self, scorer: "WindowScorer", q: QuestionAnalysis, hits: list[Hit]) -> list["Window"]:
        """`scorer`'s windows of `hits` for the (sub)question `q`, scored once per question: the answerability
        check and the answerer look at the same windows. Kept by identity, with the objects themselves, so
        that an id is not reused while the query lives."""
        key = (id(scorer), id(q), id(hits))
        if key not in self._windows:
            self._windows[key] = (scorer, q, hits, scorer.windows(q, hits, self.sentence_sims(hits)))
        return self._windows[key][-1]
