"""Clause windows: the candidate answer spans of a passage, scored against an analysed question.

A window is 1..n consecutive clauses of a passage. Its score adds the idf-weighted share of the question's
key terms it covers, whether it satisfies what is asked (a figure, a date, a definition), the period, the
passage's retrieval score and the embedder's similarity between the question and the window's sentence.
The reranker orders passages by their best window; the answerer cuts its answer from the best windows.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .analysis import AREA, DATE, DEFINITION, FIGURE, LENGTH, NAME, QuestionAnalysis
from .lexical import Tokenizer
from .names import explanation
from .params import WindowWeights
from .periods import GLOSSARY
from .text import QUOTED, cn_to_arabic, fold, search_form
from .types import Hit

_CLAUSE = re.compile(r"[^，,；;。！？!?：:]+[，,；;。！？!?：:]*")
_SENTENCE_END = re.compile(r"[。！？!?；;]$")
TIME_WORDS = re.compile(r"\d+月|月底|年底|年内|上半年|下半年")
# A figure, not a year ("2025年是…" answers no how-much question) nor a numbered thing ("第15个五年规划"; a
# rank, "第5位", is one, and so are a contest's places, "亚军", and an edition written in words, "第二届"); a
# grade ("三级乙等", "二星级") answers 几级 and 几星级.
_FIGURE = re.compile(r"(?<![\d.])(?!(?:19|20)\d\d年)(?!(?<=第)\d+个)\d+(?:\.\d+)?|[一二三四五]星?级|[冠亚季]军"
                     r"|第[一二三四五六七八九十]+[届次期批名位]")


def has_figure(folded: str) -> bool:
    return bool(_FIGURE.search(folded))


@dataclass(frozen=True)
class Window:
    hit: int  # index into the hits it was cut from
    start: int  # span inside the chunk text
    end: int
    score: float
    coverage: float  # idf-weighted share of the key terms in the window or its headings
    semantic: float  # cosine between the question and the window's sentence (0 without vectors)
    whole: bool = False  # the whole passage (a glossary entry for a what-is question)


def window_text(hit: Hit, w: Window) -> str:
    """The window's span of its passage in the form text is compared in (cached: the check, the answerer and
    the comparison read the same spans)."""
    return fold(hit.chunk.text[w.start : w.end])


@lru_cache(maxsize=4096)
def clauses(text: str) -> tuple[tuple[int, int, str], ...]:
    """Clause spans of a passage with their search forms, computed once per passage."""
    return tuple((m.start(), m.end(), search_form(cn_to_arabic(m.group(0)))) for m in _CLAUSE.finditer(text))


@lru_cache(maxsize=4096)
def _heading(section: tuple[str, ...]) -> str:
    return search_form(" ".join(section))


# Measure words that count the same things: a question's 多少家 is answered by the report's 6210户.
_SAME_UNIT = {"家": ("家", "户", "个"), "户": ("户", "家"), "人": ("人", "名", "人次"), "所": ("所", "座", "个"),
              "名": ("名", "人", "位"), "件": ("件", "项"), "棵": ("棵", "株"), "株": ("株", "棵"),
              "座": ("座", "所", "个"), "天": ("天", "日"), "%": ("%", "个百分点"), LENGTH: ("公里", "千米", "米"),
              AREA: ("平方米", "平方公里", "亩", "公顷")}


def same_units(unit: str) -> tuple[str, ...]:
    """The unit and those counting the same things (家 and 户)."""
    return _SAME_UNIT.get(unit, (unit,))


def unit_pattern(unit: str) -> re.Pattern[str]:
    """A figure carrying the unit (or one counting the same things), with an optional magnitude (2600万美元, 50公里)."""
    units = "|".join(re.escape(u) for u in same_units(unit))
    return re.compile(r"\d(?:\.\d+)?[多余]?[万亿]?(?:" + units + ")")


class WindowScorer:
    def __init__(self, tokenizer: Tokenizer, weights: WindowWeights) -> None:
        self.tokenizer = tokenizer
        self.w = weights

    def windows(self, q: QuestionAnalysis, hits: list[Hit], sims: list[list[tuple[int, int, float]]]) -> list[Window]:
        """Every window of every hit, scored; `sims[i]` are (start, end, cosine) of hit i's sentences."""
        terms = q.terms
        if not terms or not hits:
            return []
        w = self.w
        alternatives = {t: self.tokenizer.alternatives(t) for t in terms}
        parts = {t: [p for p in self.tokenizer.parts(t) if p != t] if len(t) > 3 else [] for t in terms}
        total = sum(terms.values()) or 1.0
        top = max(h.score for h in hits) or 1.0
        flat = [s for row in sims for (_, _, s) in row]
        centre, spread = (float(np.mean(flat)), (max(flat) - float(np.mean(flat))) or 1.0) if flat else (0.0, 1.0)
        out = []
        for h_i, hit in enumerate(hits):
            chunk = hit.chunk
            heading = _heading(chunk.section)
            cl = clauses(chunk.text)
            spans = [(i, j) for i in range(len(cl)) for j in range(i, min(i + w.max_clauses, len(cl)))]
            if q.asks_for(FIGURE):
                # A figure answers with the sentence that states it: a window running on into the next sentence
                # pairs one sentence's figure with the next one's subject ("…年产值迈上350亿元新台阶。推动智能装备
                # 制造产业扩能增效").
                spans = [(i, j) for i, j in spans if not any(_SENTENCE_END.search(c[2]) for c in cl[i:j])]
            whole = q.asks_for(DEFINITION) and chunk.period == GLOSSARY
            if whole and cl:
                spans.append((0, len(cl) - 1))
            for i, j in spans:
                piece = "".join(c[2] for c in cl[i : j + 1])
                a, b = cl[i][0], cl[j][1]
                in_piece = {t for t in terms if t in piece or any(s in piece for s in alternatives[t])}
                in_heading = {t for t in terms if t not in in_piece and t in heading}
                split = {t for t in terms if t not in in_piece | in_heading and parts[t] and all(p in piece for p in parts[t])}
                coverage = (sum(terms[t] for t in in_piece | in_heading) + w.parts_credit * sum(terms[t] for t in split)) / total
                score = coverage - w.heading_penalty * sum(terms[t] for t in in_heading) / total
                if q.asks_for(FIGURE):
                    score += w.figure_bonus if has_figure(piece) else -w.figure_bonus
                if q.asks_for(DATE) and TIME_WORDS.search(piece):
                    score += w.date_bonus
                is_whole = whole and (i, j) == (0, len(cl) - 1)
                if is_whole:
                    score += w.definition_bonus
                if q.asks_for(NAME) and any(x not in q.folded for x in QUOTED.findall(piece)):
                    score += w.quote_bonus
                if q.periods and chunk.period and chunk.period not in q.periods:
                    score -= w.period_mismatch
                semantic = max((s for (sa, sb, s) in sims[h_i] if sa < b and a < sb), default=0.0) if sims else 0.0
                if flat:
                    score += w.semantic_weight * (semantic - centre) / spread
                score += w.retrieval_weight * hit.score / top - w.length_penalty * (b - a) / 40
                out.append(Window(h_i, a, b, score, coverage, semantic, is_whole))
        return out

    def has_unit_figure(self, q: QuestionAnalysis, hit: Hit, window: Window) -> bool:
        """The asked unit's figure sits in a clause of the window that is about the question, not a neighbour's."""
        if q.unit is None:
            return True
        figure = unit_pattern(q.unit)
        inside = [c[2] for c in clauses(hit.chunk.text) if window.start <= c[0] and c[1] <= window.end]
        words = self.tokenizer.with_alternatives(q.terms)
        return any(figure.search(c) and any(t in c for t in words) for c in inside)

    def explains_asked_name(self, q: QuestionAnalysis, hit: Hit, window: Window) -> bool:
        """The window opens with the explanation of the name a what-is or which-items question asks about
        ("“6”即党建引领基层、…" for “1+2+10+6”中的“6”, "五共五连。即坚持产业共谋…")."""
        if not q.defines:
            return False
        first = next((c for c in clauses(hit.chunk.text) if c[1] > window.start), None)
        found = explanation(window_text(hit, window), q.defines)
        return bool(first and found and found.start() < first[1] - window.start)
