"""Answerability: the checks the Assistant runs around any answerer, each with the reason it gives.

Structural checks need only the question and the documents (a place no document names, a year no
document covers). The evidence check asks a fitted logistic model (coefficients in
qa/data/answerability.json, fitted by `qa fit` with cross-validation) whether the best evidence answers:
lexical coverage, whether the question's focus is in the evidence, the embedder's question–sentence
similarity, whether the asked type (a figure, a unit, a date) is there; with the embedder it was fitted on,
the question's own embedding too. What a window must give before the model is asked at all (the asked type,
unit, place, period) is checked in evidence_checks.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis import Analyzer, QuestionAnalysis
from .evidence_checks import best_window, key_term, lacking
from .relative_figures import implied
from .text import fold
from .types import Hit
from .windows import Window, WindowScorer

# The model's inputs; `lacks` (what the best evidence lacks of what is asked) is computed too and decides on its
# own (a hard check).
FEATURES = ("coverage", "focus", "focus_known", "semantic", "semantic_z", "absent", "margin", "dense_rank",
            "char_coverage", "unit_found", "period_found")
# `focus`: the evidence (window or headings) holds the question's focus word. Replacing a missing focus by the
# embedder's cosine to the evidence's closest word was tried and dropped: e5 word cosines barely separate
# (工资–地区生产总值 0.887, 看病–医保 0.889) and embedding a passage's words costs more than the answer.


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    check: str = ""  # which check decided: "unknown_place", "wider_place", "uncovered_year", "no_terms", "evidence", …
    reason: str = ""  # for the person asking; empty when answerable
    probability: float | None = None  # the evidence model's, when it ran


OK = Verdict(True)


def structural(q: QuestionAnalysis, hits: Sequence[Hit] = (),
               alternatives: Callable[[str], Iterable[str]] = lambda t: ()) -> Verdict:
    """Checks that need no more of the evidence than whether it states a level against the whole unit the
    question asks about: the question names what no document is about."""
    if q.unknown_places:
        return Verdict(False, "unknown_place", f"报告没有提到“{q.unknown_places[0]}”")
    # "洛阳全市GDP增速按报告推算是多少": the city's own figure is not reported, but its level against the district's
    # is ("高于全国、全省、全市1.7、1.1、0.7个百分点"), and the answerer computes it.
    if q.wider_places and not any(implied(q, fold(h.chunk.text), alternatives) for h in hits
                                  if not q.periods or h.chunk.period in q.periods):
        return Verdict(False, "wider_place", f"报告只讲本地的情况，没有“{q.wider_places[0]}”整体的数据")
    if q.uncovered_year:
        return Verdict(False, "uncovered_year", f"报告没有涉及{q.uncovered_year}年的情况")
    if q.unexplained_name:
        return Verdict(False, "unexplained_name", f"报告没有解释“{q.unexplained_name}”具体指什么")
    if not q.terms:
        return Verdict(False, "no_terms", "问题中没有可以在报告里查找的内容")
    return OK


def features(q: QuestionAnalysis, hits: list[Hit], windows: list[Window], scorer: WindowScorer,
             analyzer: Analyzer, all_sims: np.ndarray) -> dict[str, Any]:
    """The evidence model's inputs for one (sub)question, and what the evidence lacks (`lacks`, "" for nothing)."""
    total = sum(q.terms.values()) or 1.0
    # Key words no document uses, by weight (everyday phrasing aside): the subject is probably not reported.
    absent = sum(v for t, v in q.terms.items() if v != analyzer.absent_word_weight and not analyzer.df(t)) / total
    best, problem = best_window(q, hits, windows, scorer)
    if best is None:
        return dict.fromkeys(FEATURES, 0.0) | {"absent": absent, "dense_rank": math.log1p(len(all_sims)),
                                              "lacks": "type"}
    # Evidence that shares not one key word (or its synonym) with the question, in its clauses or headings,
    # answers some other question: whatever its similarity, an extract from it is not this answer.
    unused = False
    if not problem and best.coverage == 0:
        # Unused by the report: neither the word nor any report word it stands for ("gdp": 地区生产总值).
        word = key_term(q)
        problem, unused = "terms", not any(analyzer.df(x) for x in scorer.tokenizer.with_alternatives([word]))
    hit = hits[best.hit]
    piece = hit.chunk.text[best.start : best.end]
    folded = fold(piece + " ".join(hit.chunk.section))
    focus = float(not q.focus or q.focus in folded)
    second = max((w.score for w in windows if w.hit != best.hit), default=best.score)
    return {
        "coverage": best.coverage,
        "focus": focus,
        "focus_known": float(bool(q.focus) and analyzer.df(q.focus) > 0),
        "semantic": best.semantic,
        # How far the evidence sentence stands out from the question's similarity to every sentence of
        # the documents: a question the report answers has a sentence well above the crowd.
        "semantic_z": (best.semantic - float(all_sims.mean())) / (float(all_sims.std()) or 1.0),
        "dense_rank": math.log1p(hit.ranks.get("dense", 1)),
        "absent": absent,
        "lacks": problem,
        "unused": unused,
        "margin": best.score - second,
        "char_coverage": char_coverage(q, folded, analyzer),
        # Nothing lacking, so a unit asked for was found with its figure in the window.
        "unit_found": float(q.unit is not None),
        "period_found": float(bool(q.periods) and hit.chunk.period in q.periods),
    }


def char_coverage(q: QuestionAnalysis, evidence: str, analyzer: Analyzer) -> float:
    """Rarity-weighted share of the key terms' characters found in the evidence: an everyday or mistyped word
    often shares characters with the report's (上访/信访, 充电庄/充电桩) where it shares no word."""
    chars = {c for t in q.terms for c in t if not c.isascii()}
    n = analyzer.passages + 1
    weight = {c: math.log(n / (analyzer.df(c) + 0.5)) for c in chars}
    total = sum(weight.values()) or 1.0
    return sum(v for c, v in weight.items() if c in evidence) / total


def unfitted() -> dict[str, Any]:
    """A model that knows nothing (every probability 0.5): what `qa fit` starts from."""
    n = len(FEATURES)
    return {"features": list(FEATURES), "mean": [0.0] * n, "scale": [1.0] * n, "coef": [0.0] * n,
            "intercept": 0.0, "threshold": 0.5, "fitted": False}


@dataclass(frozen=True)
class _Logistic:
    """One fit of the model file, ready to apply: a weight per raw input (coefficient ÷ scale)."""

    weights: np.ndarray
    mean: np.ndarray
    intercept: float
    threshold: float

    @classmethod
    def of(cls, fit: dict[str, Any]) -> "_Logistic":
        return cls(np.asarray(fit["coef"]) / np.asarray(fit["scale"]), np.asarray(fit["mean"]), fit["intercept"],
                   fit["threshold"])

    def probability(self, values: np.ndarray) -> float:
        return 1.0 / (1.0 + math.exp(-(self.intercept + float((values - self.mean) @ self.weights))))


class EvidenceModel:
    """Logistic regression over standardised features, as fitted and written by `qa fit`.

    The file may hold a second fit (`question_vector`) that also reads the question's embedding: it can learn
    what kinds of question the report's evidence tends not to answer however close it looks (a wage, a price
    index, one part of a total), which no shared-word feature sees. It is used only with the embedder it was
    fitted on; any other embedder gets the features-only fit."""

    def __init__(self, model: dict[str, Any], embedder: str | None = None) -> None:
        if tuple(model.get("features", ())) != FEATURES:
            raise ValueError(f"answerability model features {model.get('features')} do not match {FEATURES}: refit with `qa fit`")
        self.model = model
        self._features_only = _Logistic.of(model)
        vector = model.get("question_vector")
        self._with_vector = _Logistic.of(vector) if vector and vector["embedder"] == embedder else None

    def _fit(self, x: dict[str, float], vector: np.ndarray | None) -> tuple[_Logistic, np.ndarray]:
        """The fit that applies and its inputs: the question vector joins the features when both are there."""
        values = np.array([x[f] for f in FEATURES], dtype=float)
        if self._with_vector is None or vector is None:
            return self._features_only, values
        return self._with_vector, np.concatenate([values, np.asarray(vector, dtype=float)])

    def probability(self, x: dict[str, float], vector: np.ndarray | None = None) -> float:
        fit, values = self._fit(x, vector)
        return fit.probability(values)

    def verdict(self, x: dict[str, Any], q: QuestionAnalysis, vector: np.ndarray | None = None) -> Verdict:
        fit, values = self._fit(x, vector)
        p = fit.probability(values)
        # What is asked must be there, whatever the words shared: a figure (in the asked unit) for a how-much
        # question, a date for a when question, the period the question names.
        if x["lacks"]:
            return Verdict(False, x["lacks"], lacking(x["lacks"], q, x.get("unused", False)), p)
        # A bare keyword query ("充电桩") asks for whatever the report says about it: all its words there is enough.
        if p >= fit.threshold or (q.keyword and x["coverage"] >= 1.0):
            return Verdict(True, probability=p)
        return Verdict(False, "evidence", "报告中没有足以回答这个问题的依据", p)
