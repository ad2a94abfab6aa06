"""The numbers that steer answering, in one frozen structure recorded with the index and every evaluation.

Two kinds live here. Window-scoring weights say how a clause window's evidence adds up (how much a figure
counts for a how-much question, how much a heading match is worth); they were set by hand on the `tune`
half of the development set in earlier work and are kept as they were. The answer-or-refuse decision is
*not* hand-set: it is a logistic model fitted by `qa fit` on the training sets with cross-validation, its
coefficients stored as data in `qa/data/answerability.json` (see `qa/answerability.py`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class WindowWeights:
    """How a clause window of a passage is scored as the answer to a question (qa/windows.py)."""

    max_clauses: int = 3  # a window is 1..max_clauses consecutive clauses
    heading_penalty: float = 0.15  # a key word only in the headings counts less than one in the window
    parts_credit: float = 0.8  # a compound whose parts all appear ("城镇就业" in "城镇新增就业")
    absent_word_weight: float = 0.5  # a non-noun the documents never use: everyday phrasing
    figure_bonus: float = 0.2  # how-much question: a window with a figure (minus this without one)
    date_bonus: float = 0.2  # when question: a window with a date or month
    definition_bonus: float = 0.3  # what-is question: the whole glossary entry
    quote_bonus: float = 0.1  # which question: a quoted name the question does not already give
    period_mismatch: float = 0.35  # a window of another period than the question names
    retrieval_weight: float = 0.25  # the passage's retrieval score, scaled to the pool's best
    semantic_weight: float = 0.3  # the embedder's question–sentence similarity, centred on the pool
    length_penalty: float = 0.02  # per 40 characters: prefer the shortest window that answers
    # A comparison side counts the other side's terms at this weight when its figure is sought: a side often
    # names only what differs ("去年GDP实际增长和今年定的增长目标": the target is GDP's too). Set by reasoning,
    # not fitted: below 1 so that a side's own words always outweigh the other's.
    other_side_weight: float = 0.5
    # Windows tried per comparison side, best first, until two state figures that can be compared (a side's best
    # window may state only a figure of another unit or kind); few, since a lower window's figure is more often
    # another thing's. Set by reasoning, not fitted.
    side_windows: int = 3
    # A question noun that the documents use in at most this many passages names one specific thing, with the
    # nouns beside it that the documents use with it ("智谷" → 智谷科技产业园, "口袋" → 口袋公园): a
    # figure answers for it only from a clause that names it. A place name written without its suffix ("郑州")
    # is read as a place when this rare, too. Chosen on the fitting sets (1, 3 and 4 did worse there), never on
    # the held-out ones.
    specific_passages: int = 2
    # A key word only in a clause that asks nothing ("孩子明年上小学，今年要建成哪所新小学": 孩子) counts at this
    # weight: context says who asks, not what. Set by reasoning (below 1, the asked words lead), not fitted.
    context_weight: float = 0.5


@dataclass(frozen=True)
class AnswerParams:
    windows: WindowWeights = field(default_factory=WindowWeights)
    # The fitted answer-or-refuse model (coefficients, threshold, cross-validated metrics).
    model: dict[str, Any] = field(default_factory=lambda: load_model())

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def load_model(name: str = "answerability.json") -> dict[str, Any]:
    """The fitted model as written by `qa fit` (bundled in qa/data)."""
    return json.loads(resources.files("qa.data").joinpath(name).read_text(encoding="utf-8"))


DEFAULT = AnswerParams()
