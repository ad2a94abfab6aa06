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
from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis import Analyzer, QuestionAnalysis
from .evidence_checks import best_window, key_term, lacking
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


def structural(q: QuestionAnalysis) -> Verdict:
    """Checks that need no evidence: the question names what no document is about."""
    if q.unknown_places:
        return Verdict(False, "unknown_place", f"报告没有提到“{q.unknown_places[0]}”")
    if q.wider_places:
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


class EvidenceModel:
    """Logistic regression over standardised features, as fitted and written by `qa fit`.

    The file may hold a second fit (`question_vector`) that also reads the question's embedding: it learns
    what kinds of question the report's evidence tends not to answer however close it looks (a wage, a price
    index, one part of a total), which no shared-word feature sees. It is used only with the embedder it was
    fitted on; any other embedder gets the features-only fit."""

    def __init__(self, model: dict[str, Any], embedder: str | None = None) -> None:
        if tuple(model.get("features", ())) != FEATURES:
            raise ValueError(f"answerability model features {model.get('features')} do not match {FEATURES}: refit with `qa fit`")
        self.model = model
        vector = model.get("question_vector")
        self.vector_fit = vector if vector and embedder and vector["embedder"] == embedder else None
        # Weights per standardised input, in arrays: the vector fit has a few hundred of them.
        self._arrays = {id(m): (np.asarray(m["coef"]) / np.asarray(m["scale"]), np.asarray(m["mean"]))
                        for m in (model, self.vector_fit) if m is not None}

    def _fit(self, vector: np.ndarray | None) -> dict[str, Any]:
        return self.vector_fit if self.vector_fit is not None and vector is not None else self.model

    def probability(self, x: dict[str, float], vector: np.ndarray | None = None) -> float:
        m = self._fit(vector)
        weights, mean = self._arrays[id(m)]
        values = np.array([x[f] for f in FEATURES], dtype=float)
        if m is self.vector_fit:
            values = np.concatenate([values, np.asarray(vector, dtype=float)])
        z = m["intercept"] + float((values - mean) @ weights)
        return 1.0 / (1.0 + math.exp(-z))

    def verdict(self, x: dict[str, Any], q: QuestionAnalysis, vector: np.ndarray | None = None) -> Verdict:
        p = self.probability(x, vector)
        # What is asked must be there, whatever the words shared: a figure (in the asked unit) for a how-much
        # question, a date for a when question, the period the question names.
        if x["lacks"]:
            return Verdict(False, x["lacks"], lacking(x["lacks"], q, x.get("unused", False)), p)
        # A bare keyword query ("充电桩") asks for whatever the report says about it: all its words there is enough.
        if p >= self._fit(vector)["threshold"] or (q.keyword and x["coverage"] >= 1.0):
            return Verdict(True, probability=p)
        return Verdict(False, "evidence", "报告中没有足以回答这个问题的依据", p)
