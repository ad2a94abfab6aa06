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
from ..types import AnswerPart, Hit
from ..windows import Window, WindowScorer

# A figure and its unit; a number glued to Latin letters is part of a name (PM2.5), not a figure.
_FIGURE = re.compile(r"(?<![a-z\d.])(\d+(?:\.\d+)?)(%|个百分点|[万亿]?(?:美元|元|个|人|家|项|亩|吨|公里|平方米|套|辆|户|所|座|条|次|天|场|万人|万|亿)|倍)?")
_SUM = re.compile(r"之和|合计|加起来|一共|总共|两项共")


def _sides(q: QuestionAnalysis, analyzer: Analyzer) -> list[QuestionAnalysis]:
    """Each compared thing as a figure question of its own, in the question's periods."""
    if q.sides:
        sides = [analyzer.analyse(s, split=False) for s in q.sides]
        # "铝基新材料产值2026年目标比2025年高多少": a side that names only a period compares the other side's thing.
        known = [{t: v for t, v in s.terms.items() if analyzer.df(t)} for s in sides]
        return [dataclasses.replace(s, terms=s.terms if own else other.terms, periods=s.periods or q.periods,
                                    asks=s.asks | {FIGURE}, focus=s.focus if own else other.focus)
                for s, own, other in zip(sides, known, sides[::-1])]
    if len(set(q.periods)) >= 2:
        return [dataclasses.replace(q, periods=(p,), asks=q.asks | {FIGURE}) for p in dict.fromkeys(q.periods)]
    return []


def figure_near(text: str, terms: dict[str, float], skip: str = "") -> tuple[Decimal, str, str] | None:
    """The figure of the clause that holds most of the side's own terms (a window often states both
    sides: "地区生产总值增长6.7%……规上工业增加值增长13.8%"), with its unit and the clause, in a folded
    text; the clause `skip` (the other side's) is passed over."""
    best: tuple[float, re.Match[str], str] | None = None
    for clause in re.finditer(r"[^，,；;。：:、]+", text):
        if clause.group(0) == skip:
            continue
        weight = sum(v for t, v in terms.items() if t in clause.group(0))
        m = next((m for m in _FIGURE.finditer(clause.group(0)) if not re.fullmatch(r"(?:19|20)\d\d", m.group(1)) or m.group(2)), None)
        if m and (best is None or weight > best[0]):
            best = (weight, m, clause.group(0))
    return (Decimal(best[1].group(1)), best[1].group(2) or "", best[2]) if best else None


def _best_side(side: QuestionAnalysis, hits: list[Hit], scorer: WindowScorer, sims: list) -> Window | None:
    """The side's best window that states a figure in the side's period (the question already passed the
    answerability checks; units must still agree before anything is computed)."""
    windows = [w for w in scorer.windows(side, hits, sims) if w.coverage > 0
               and (not side.periods or hits[w.hit].chunk.period in side.periods)
               and re.search(r"\d", hits[w.hit].chunk.text[w.start : w.end])]
    return max(windows, key=lambda w: w.score, default=None)


def comparison_part(q: QuestionAnalysis, hits: list[Hit], scorer: WindowScorer, analyzer: Analyzer,
                    sims: list) -> tuple[AnswerPart, list[Window]] | None:
    """The computed statement and the two windows it rests on, or None when it cannot be computed."""
    sides = _sides(q, analyzer)
    if len(sides) != 2:
        return None
    windows = [_best_side(s, hits, scorer, sims) for s in sides]
    if None in windows or windows[0] == windows[1] and not q.sides:
        return None
    # Each side's own terms: what the two sides share ("增速") does not tell their figures apart.
    own = [{t: v for t, v in s.terms.items() if t not in o.terms} or s.terms for s, o in zip(sides, sides[::-1])]
    texts = [analyzer.fold(hits[w.hit].chunk.text[w.start : w.end]) for w in windows]
    first = figure_near(texts[0], own[0])
    # The two sides are two figures: the second side does not take the first side's clause of the same passage
    # (a difference of a figure with itself, "高0个百分点（72% − 72%）", answers nothing).
    same_passage = first is not None and windows[0].hit == windows[1].hit
    second = figure_near(texts[1], own[1], skip=first[2] if same_passage else "")
    if first is None or second is None or first[1] != second[1]:
        return None
    (a, unit, _), (b, _, _) = first, second
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
