"""Rerankers: re-order retrieved passages, keeping the retrieval score beside their own.

One abstract method, as in llama_index's node postprocessors: `rerank(query, hits) -> hits`. The
default scores each passage by its best clause window (qa/windows.py); a cross-encoder can take its
place (issue: model rerankers) without the answerer or the refusal checks changing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..registry import Registry
from ..types import Hit

if TYPE_CHECKING:
    from ..query import Query
    from ..windows import WindowScorer


class Reranker(Protocol):
    name: str

    def rerank(self, query: "Query", hits: list[Hit]) -> list[Hit]:
        """The hits re-ordered, each with its own score added under `hit.scores[self.name]`."""


RERANKERS: Registry[Reranker] = Registry("reranker")


@RERANKERS.register("window")
class WindowReranker:
    """Orders passages by the score of their best clause window for the question."""

    name = "window"

    def __init__(self, scorer: "WindowScorer", **_: object) -> None:
        self.scorer = scorer

    def rerank(self, query: "Query", hits: list[Hit]) -> list[Hit]:
        if not hits or not query.analysis.terms:
            return hits
        best: dict[int, float] = {}
        for w in self.scorer.windows(query.analysis, hits, query.sentence_sims(hits)):
            best[w.hit] = max(best.get(w.hit, -9.0), w.score)
        order = sorted(range(len(hits)), key=lambda i: -best.get(i, -9.0))
        return [hits[i].with_score(self.name, best.get(i, -9.0), fused=i + 1) for i in order]


@RERANKERS.register("none")
class NoReranker:
    """Keeps the fused retrieval order (for ablations)."""

    name = "none"

    def __init__(self, *_: object, **__: object) -> None:
        pass

    def rerank(self, query: "Query", hits: list[Hit]) -> list[Hit]:
        return hits


# Model rerankers register themselves on import; their packages load only when one is chosen.
from . import cross_encoder  # noqa: E402,F401
