"""Answerability: the checks the Assistant runs around any answerer, each with the reason it gives.

Structural checks need only the question and the documents (a place no document names, a year no
document covers). The evidence check asks a fitted logistic model (coefficients in
qa/data/answerability.json, fitted by `qa fit` with cross-validation) whether the best evidence answers:
lexical coverage, whether the question's focus is in the evidence, the embedder's question–sentence
similarity, whether the asked type (a figure, a unit, a date) is there.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from .analysis import (ADDED, AREA, COMPARISON, DATE, DAY, DEFINITION, FIGURE, LENGTH, LIST, MONTH, PERSON, TITLE,
                       TOTAL, YEAR, Analyzer, QuestionAnalysis)
from .periods import GLOSSARY
from .text import fold, numbers_in
from .types import Hit
from .windows import TIME_WORDS, Window, WindowScorer, has_figure, unit_pattern, window_text

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


def answering_windows(q: QuestionAnalysis, hits: list[Hit], windows: list[Window],
                      scorer: WindowScorer) -> tuple[list[Window], str]:
    """The windows that give what is asked, best first, and "" — or, when none does, the windows that come
    closest and what they lack: "place" (not the foreign place named), "type" (no figure or date), "unit" (not
    in the asked unit), "total" (only the number added, for a total), "period" (only another period's)."""
    ordered = sorted(windows, key=lambda w: -w.score)
    # A window that gives what is asked about something else is no answer: when the best window holds the
    # question's focus, so must the one that answers ("新增高技能人才2000人" is 2026's; 2025's 技能培训8646人
    # does not answer for 2025).
    if ordered and q.focus and q.focus in window_text(hits[ordered[0].hit], ordered[0]):
        ordered = [w for w in ordered if q.focus in window_text(hits[w.hit], w)]
    for problem, keeps in (("place", lambda w: place_ok(q, window_text(hits[w.hit], w))),
                           ("type", lambda w: type_ok(q, hits[w.hit], w)),
                           ("unit", lambda w: unit_ok(q, hits[w.hit], w, scorer)),
                           ("total", lambda w: not (q.asks_for(TOTAL) and _only_added(q, window_text(hits[w.hit], w)))),
                           ("period", lambda w: period_ok(q, hits[w.hit], w))):
        kept = [w for w in ordered if keeps(w)]
        if not kept:
            return ordered, problem
        ordered = kept
    return ordered, ""


def best_window(q: QuestionAnalysis, hits: list[Hit], windows: list[Window], scorer: WindowScorer) -> tuple[Window | None, str]:
    """The best window that gives what is asked (else the closest) and what it lacks ("" for nothing)."""
    ordered, problem = answering_windows(q, hits, windows, scorer)
    return (ordered[0] if ordered else None), problem


# A person named with a title ("刘国中副总理", "习近平总书记"); a title after an organ ("区委书记") names nobody.
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,3}(?<![委局府院会部厅办司处区市县室协一])副?" + TITLE)


def _person_named(q: QuestionAnalysis, piece: str) -> bool:
    """The evidence names a person, with the title the question asks about if it names one ("区委书记是谁"
    is not answered by 习近平总书记)."""
    asked = {m.group(1) for m in re.finditer(TITLE, q.folded)}
    return any(not asked or m.group(1) in asked for m in _PERSON.finditer(piece))


# Which ones: the evidence must name more than one thing ("9所学校入选…试点校名单" counts them, names none).
_LISTS = re.compile(r"、|；|;|：|:|和|与|及|等|”“")
_DAY = re.compile(r"\d+月\d+[日号]|\d+[日号](?![文线楼院])")
_YEAR = re.compile(r"(?:19|20)\d\d年")


def _stated_for(names: tuple[str, ...], piece: str, unit: str | None = None) -> bool:
    """A clause of the window names one of these specific things and states a figure (in the unit, if one is
    asked): a project's own investment, not that of the 45 projects the sentence counts it among."""
    figure = unit_pattern(unit).search if unit else has_figure
    return any(figure(c) and any(n in c for n in names) for c in re.split(r"[，,。；;]", piece))


def unit_ok(q: QuestionAnalysis, hit: Hit, w: Window, scorer: WindowScorer) -> bool:
    """The asked unit's figure is in a clause about the question, and beside the name of the specific thing
    asked about ("…等23个项目投产达效" names 夏都智谷科技产业园 with a count, not an investment)."""
    if not scorer.has_unit_figure(q, hit, w):
        return False
    return not (q.unit and q.specific and not q.asks_for(COMPARISON)
                and not _stated_for(q.specific, window_text(hit, w), q.unit))


def place_ok(q: QuestionAnalysis, piece: str) -> bool:
    """The window names each foreign place the question does; a figure must be stated for it ("对接郑州、洛阳客源
    市场，确保接待游客人数…增长5%" states 偃师's growth, not 郑州's)."""
    if q.asks_for(FIGURE) and not q.asks_for(COMPARISON):
        return all(_stated_for((p,), piece, q.unit) for p in q.foreign_places)
    return all(p in piece for p in q.foreign_places)


def _only_added(q: QuestionAnalysis, piece: str) -> bool:
    """Every figure the window states beside the question's words is an addition ("新增…高新技术企业6家"):
    no total."""
    stated = [c for c in re.split(r"[，,。；;]", piece) if has_figure(c) and any(t in c for t in q.terms)]
    return bool(stated) and all(ADDED.search(c) for c in stated)


def type_ok(q: QuestionAnalysis, hit: Hit, w: Window) -> bool:
    piece = window_text(hit, w)
    if q.asks_for(FIGURE) and not has_figure(piece):
        return False
    if q.asks_for(FIGURE) and not q.asks_for(COMPARISON) and q.specific and not _stated_for(q.specific, piece):
        return False
    if q.asks_for(PERSON) and not _person_named(q, piece):
        return False
    if q.asks_for(LIST) and not q.asks_for(DEFINITION) and not _LISTS.search(piece):
        return False
    if q.asks_for(DAY):
        return bool(_DAY.search(piece))
    if q.asks_for(MONTH):
        return bool(TIME_WORDS.search(piece))
    if q.asks_for(YEAR):
        # The year written in the window. A section's year was tried too (the 2025 review does not repeat its
        # year): in the fitting and report sets it answered more unanswerable "since which year" questions
        # ("免费学前教育是从哪年开始") than it saved.
        return bool(_YEAR.search(piece))
    return not (q.asks_for(DATE) and not TIME_WORDS.search(piece) and not numbers_in(piece))


def period_ok(q: QuestionAnalysis, hit: Hit, w: Window) -> bool:
    """The window reports on a period the question names: its section's, or one the window itself names
    ("较“十三五”增长57%" in the 十四五 review answers a question about 十三五)."""
    period = hit.chunk.period
    if not q.periods or period in q.periods or period in ("", GLOSSARY):
        return True
    return any(p in window_text(hit, w) for p in q.periods)


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
        problem, unused = "terms", not analyzer.df(key_term(q))
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


def key_term(q: QuestionAnalysis) -> str:
    """What the question is about: its focus, else its weightiest key term ("" for none)."""
    return q.focus or max(q.terms, key=q.terms.get, default="")


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
    """Logistic regression over standardised features, as fitted and written by `qa fit`."""

    def __init__(self, model: dict[str, Any]) -> None:
        if tuple(model.get("features", ())) != FEATURES:
            raise ValueError(f"answerability model features {model.get('features')} do not match {FEATURES}: refit with `qa fit`")
        self.model = model

    def probability(self, x: dict[str, float]) -> float:
        m = self.model
        z = m["intercept"] + sum(c * (x[f] - mu) / sd for f, c, mu, sd in zip(FEATURES, m["coef"], m["mean"], m["scale"]))
        return 1.0 / (1.0 + math.exp(-z))

    def verdict(self, x: dict[str, Any], q: QuestionAnalysis) -> Verdict:
        p = self.probability(x)
        # What is asked must be there, whatever the words shared: a figure (in the asked unit) for a how-much
        # question, a date for a when question, the period the question names.
        if x["lacks"]:
            return Verdict(False, x["lacks"], lacking(x["lacks"], q, x.get("unused", False)), p)
        # A bare keyword query ("充电桩") asks for whatever the report says about it: all its words there is enough.
        if p >= self.model["threshold"] or (q.keyword and x["coverage"] >= 1.0):
            return Verdict(True, probability=p)
        return Verdict(False, "evidence", "报告中没有足以回答这个问题的依据", p)


def lacking(problem: str, q: QuestionAnalysis, unused: bool = False) -> str:
    """Why the evidence does not answer, for the person asking; `unused`: no document uses the question's
    focus (or its weightiest term) at all, so the reason may say so of the whole report."""
    if problem == "unit":
        if q.unit in (LENGTH, AREA):
            return f"报告中没有相关的{q.unit}数字"
        return f"报告中没有以“{q.unit}”为单位的相关数字"
    if problem == "place":
        return f"报告只提到{q.foreign_places[0]}，没有它的相关情况"
    if problem == "total":
        return "报告中只有新增的数量，没有总数"
    if problem == "period":
        named = "、".join(f"{p}年" if p.isdigit() else f"“{p}”时期" for p in q.periods)
        return f"报告中没有{named}的相关情况"
    if problem == "terms":
        key = key_term(q)
        if unused and key:
            return f"报告中没有提到“{key}”"
        return f"找到的段落里没有“{key}”等问题中的关键词" if key else "报告中没有足以回答这个问题的依据"
    if q.asks_for(PERSON):
        return "报告中没有提到具体是谁"
    precision = next((word for kind, word in ((DAY, "日期"), (MONTH, "月份"), (YEAR, "年份")) if q.asks_for(kind)), None)
    if precision:
        return f"报告中没有给出具体{precision}"
    if q.asks_for(LIST) and not q.asks_for(FIGURE):
        return "报告中没有列出具体是哪些"
    if q.asks_for(FIGURE) and q.specific:
        return f"报告中没有给出“{max(q.specific, key=len)}”的相关数字"
    return "报告中没有回答这个问题所需的数字或日期"
