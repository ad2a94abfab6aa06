"""Computed comparisons: a difference or sum of two cited figures, with the derivation shown.

"2025年规上工业增加值增速比地区生产总值增速高多少个百分点？" → 高7.1个百分点（13.8% − 6.7%）[1].
Each side is found as its own question; the figures must carry the same unit (a difference of two
percentages is in 个百分点); otherwise no figure is computed and the answer states both facts.
"""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

from ..analysis import FIGURE, Analyzer, QuestionAnalysis
from ..params import AnswerParams
from ..types import AnswerPart, Hit
from ..windows import Window, WindowScorer

_FIGURE = re.compile(r"(\d+(?:\.\d+)?)(%|个百分点|[万亿]?(?:美元|元|个|人|家|项|亩|吨|公里|平方米|套|辆|户|所|座|条|次|天|场|万人|万|亿)|倍)?")
_SUM = re.compile(r"之和|合计|加起来|一共|总共|两项共")


def _sides(q: QuestionAnalysis, analyzer: Analyzer) -> list[QuestionAnalysis]:
    """Each compared thing as a figure question of its own, in the question's periods."""
    if q.sides:
        sides = [analyzer.analyse(s, split=False) for s in q.sides]
        return [dataclasses.replace(s, periods=s.periods or q.periods, asks=s.asks | {FIGURE}) for s in sides]
    if len(set(q.periods)) >= 2:
        return [dataclasses.replace(q, periods=(p,), asks=q.asks | {FIGURE}) for p in dict.fromkeys(q.periods)]
    return []


def figure_near(text: str, focus: str | None) -> tuple[Decimal, str] | None:
    """The first figure after the focus term (else the first one) with its unit, in a folded text."""
    at = text.find(focus) + len(focus) if focus and focus in text else 0
    m = _FIGURE.search(text, at) or _FIGURE.search(text)
    if not m or re.fullmatch(r"20\d\d", m.group(1)) and not m.group(2):
        return None
    return Decimal(m.group(1)), m.group(2) or ""


def _best_side(side: QuestionAnalysis, hits: list[Hit], scorer: WindowScorer, sims: list, minimum: float) -> Window | None:
    windows = [w for w in scorer.windows(side, hits, sims) if w.coverage >= minimum
               and (not side.periods or hits[w.hit].chunk.period in side.periods)
               and re.search(r"\d", hits[w.hit].chunk.text[w.start : w.end])]
    return max(windows, key=lambda w: w.score, default=None)


def comparison_part(q: QuestionAnalysis, hits: list[Hit], scorer: WindowScorer, analyzer: Analyzer, sims: list,
                    params: AnswerParams) -> tuple[AnswerPart, list[Window]] | None:
    """The computed statement and the two windows it rests on, or None when it cannot be computed."""
    sides = _sides(q, analyzer)
    if len(sides) != 2:
        return None
    windows = [_best_side(s, hits, scorer, sims, params.side_min_coverage) for s in sides]
    if None in windows or windows[0] == windows[1] and not q.sides:
        return None
    figures = [figure_near(analyzer.fold(hits[w.hit].chunk.text[w.start : w.end]), s.focus) for w, s in zip(windows, sides)]
    if None in figures or figures[0][1] != figures[1][1]:
        return None
    (a, unit), (b, _) = figures
    places = max(-a.as_tuple().exponent, -b.as_tuple().exponent, 0)
    if _SUM.search(q.folded):
        value, op, word = a + b, "+", "合计"
    else:
        value, op = a - b, "−"
        word = ("高" if value >= 0 else "低") if unit in ("%", "个百分点") else ("多" if value >= 0 else "少")
    shown = "个百分点" if unit == "%" and op == "−" else unit
    result = abs(value).quantize(Decimal(1).scaleb(-places))
    text = f"{word}{result}{shown}（{a}{unit} {op} {b}{unit}）"
    return AnswerPart(text, (), f"{a}{unit} {op} {b}{unit}"), windows
