"""An average the report implies: a total over the count of the things it is spread over, with the derivation shown.

"2025年重点项目平均每个投资多少" → 平均每个约2.25亿元（243亿元 ÷ 108个）, from "实施重点项目108个、总投资243亿元";
"平均亩产多少斤" → 平均每亩约791斤（4.77亿斤 ÷ 60.3万亩）, from "完成粮食种植60.3万亩、总产4.77亿斤";
"十四五期间旅游收入平均每年多少" → 平均每年16.16亿元（80.8亿元 ÷ 5年）, a five-year plan's total over its five years.
Only a question that says 平均 (or 亩产) asks for an average: "每个孩子能领多少钱" asks for an entitlement, which no
total answers. The count and the total must sit side by side in one sentence part, so that they are of one thing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .analysis import FIGURE, QuestionAnalysis
from .key_terms import AMOUNT
from .periods import plan_years
from .text import MAGNITUDE, fold, three_figures
from .types import AnswerPart

# The thing an average is per: "平均每个", "平均一个", "平均一人次", "每个项目平均"; 亩产 is an average per 亩.
_COUNTERS = "个|家|项|人次|亩|户|座|所|套|件|条|辆|处|年"
_AVERAGE = re.compile(rf"平均(?:每|一)({_COUNTERS})|(?:每|一)({_COUNTERS})[^，,。？?]{{0,8}}平均|(亩)产|(亩)均产")
_WEIGHT_UNITS = ("斤", "公斤", "吨")
# A per-year average is of what the plan's years add up to: not of a growth ("平均每年增长多少" asks the 年均 rate the
# report states) nor of a level the plan ends at ("地区生产总值突破480亿元").
_ASKS_RATE = re.compile(r"增长|增速|增幅|涨|提高|下降|降低")
_LEVEL = re.compile(r"(?:突破|达到?|增至|提高到|提升至|升至|超过?|年均)$")


@dataclass(frozen=True)
class _Figure:
    value: Decimal  # in the unit's base magnitude: 60.3万亩 → 603000
    written: str  # as the report writes it: "60.3万亩"
    unit: str  # without magnitude: "亩"
    magnitude: str  # "万", "亿" or ""
    lead: str  # the words of its clause before it


def counter(q: QuestionAnalysis) -> str | None:
    """What the question asks an average per ("个", "人次", "亩"), or None when it asks for no average."""
    m = _AVERAGE.search(q.folded)
    return next(g for g in m.groups() if g) if m and q.asks_for(FIGURE) else None


def _figures(part: str) -> list[_Figure]:
    found = []
    for clause in re.split(r"[、，,]", part):
        last = 0
        for m in AMOUNT.finditer(clause):
            value = Decimal(m.group(1)) * MAGNITUDE.get(m.group(2), Decimal(1))
            found.append(_Figure(value, m.group(0), m.group(3), m.group(2), clause[last:m.start()]))
            last = m.end()
    return found


def _amount_fits(f: _Figure, q: QuestionAnalysis, per: str, words: list[str]) -> bool:
    """A total of what is asked: not in the counted unit, in the asked unit if the question names one (元 for 多少钱,
    a weight for 亩产), else said of one of the question's words ("总投资243亿元" for 平均一个投资多少)."""
    if f.unit == per:
        return False
    if per == "亩" and not q.unit:
        return f.unit in _WEIGHT_UNITS
    if q.unit in MAGNITUDE:  # "110个亿": a figure at that magnitude, whatever it counts
        return f.magnitude == q.unit
    if q.unit:
        return f.unit == q.unit or f.unit.endswith(q.unit) or q.unit.endswith(f.unit)
    return any(w in f.lead for w in words)


def average_part(q: QuestionAnalysis, evidence: str, words: list[str], period: str = "") -> AnswerPart | None:
    """The average the question asks for, computed from a count and a total of one sentence part of the evidence;
    None when no part gives exactly one of each. `words`: the question's key words with the report's words for them;
    `period`: the evidence's period, whose years count a per-year average of a five-year plan's total."""
    per = counter(q)
    if not per:
        return None
    years = plan_years(period) if per == "年" and not _ASKS_RATE.search(q.folded) else None
    if per == "年" and not years:
        return None
    for part in re.split(r"[。；;：:]", fold(evidence)):
        figures = [f for f in _figures(part) if not (years and _LEVEL.search(f.lead))]
        counts = [_Figure(Decimal(years), f"{years}年", "年", "", "")] if years else [f for f in figures if f.unit == per]
        # "一个平均多少" names no amount: the part's one figure that is not a count is the total.
        totals = ([f for f in figures if _amount_fits(f, q, per, words)]
                  or [f for f in figures if f.unit != per and not q.unit])
        if len(counts) == 1 and len(totals) == 1 and counts[0].value:
            part = _part(totals[0], counts[0], per)
            if part:
                return part
    return None


def _part(total: _Figure, count: _Figure, per: str) -> AnswerPart | None:
    exact = total.value / count.value
    # In the largest magnitude the average reaches, up to the total's (2.25亿元, 1615万元), else in its base unit
    # (791斤, 291元).
    reached = [m for m in ("亿", "万") if exact >= MAGNITUDE[m] and MAGNITUDE[m] <= MAGNITUDE.get(total.magnitude, 1)]
    magnitude = reached[0] if reached else ""
    value = exact / MAGNITUDE.get(magnitude, Decimal(1))
    # Exact when it ends within two decimals (80.8亿元 ÷ 5年 = 16.16亿元), else three figures (290.6元 → 约291元).
    shown = value.normalize() if value == value.quantize(Decimal("0.01")) else three_figures(value)
    if not shown:
        return None  # too small to show in three figures
    about = "" if shown == value else "约"
    derivation = f"{total.written} ÷ {count.written}"
    return AnswerPart(f"平均每{per}{about}{shown:f}{magnitude}{total.unit}（{derivation}）", (), derivation)
