"""A figure the report gives only against another: the reference's own level, computed with the derivation shown.

"比重达72%，较“十三五”末提高25.3个百分点" gives the share at the end of 十三五 (72% − 25.3个百分点 = 46.7%);
"增长6.7%，分别高于全国、全省、全市1.7、1.1、0.7个百分点" gives the province's growth (6.7% − 1.1个百分点 = 5.6%).
"是“十三五”末的1.6倍" and "较“十三五”末增长20.2%" give it divided by 1.6 or (1 + 20.2%), rounded to three figures
(grounding recomputes the division and checks the rounding).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from .analysis import FIGURE, QuestionAnalysis
from .key_terms import MEASURE_UNITS
from .text import WRITTEN_YEAR, numbers_in, three_figures
from .windows import same_units
from .types import AnswerPart

_NUMBER = r"\d+(?:\.\d+)?"
# "比重达72%,较“十三五”末提高25.3个百分点" (a level, then its change since a reference).
_SINCE = re.compile(rf"({_NUMBER})%,?较(“?([\u4e00-\u9fff]{{2,8}}?)”?末?)(提高|增长|增加|上升|下降|降低|减少)({_NUMBER})个百分点")
# "增长6.7%,分别高于全国、全省、全市1.7、1.1、0.7个百分点", "增长6.7%,高于全省1.1个百分点".
_ABOVE = re.compile(rf"({_NUMBER})%,?(分别)?(高于|低于)([\u4e00-\u9fff、]{{2,20}}?)((?:{_NUMBER}、)*{_NUMBER})个百分点")
# An amount and its multiple of, or growth since, a reference: "建成区面积拓展至55.29平方公里,是“十三五”末的1.6倍",
# "337家规上工业企业成为高质量发展主力军,较“十三五”末增长20.2%".
_AMOUNT = rf"({_NUMBER}[万亿]?(?:{MEASURE_UNITS}|个))"
_TIMES = re.compile(rf"{_AMOUNT},?是(“?([\u4e00-\u9fff]{{2,8}}?)”?末?)的({_NUMBER})倍")
_GROWN = re.compile(rf"{_AMOUNT}[^,，;；。%]{{0,20}}?,?较(“?([\u4e00-\u9fff]{{2,8}}?)”?末?)增长({_NUMBER})%")
_DOWN = ("下降", "降低", "减少", "低于")
_ASKS_RATE = re.compile(r"增长|增速|增幅|涨|降|百分|比重|占比|率|%")
_STATING = re.compile(r"[^，,。？?；;]*\d[^，,。？?；;]*")
_CLAUSE_START = re.compile(r"[^,，;；。]*$")
# The question asks for the gap itself ("比全省高多少", "高出几个百分点"), which the report states as it is.
_ASKS_GAP = re.compile(r"(?:高|低|快|慢|多|少|差)(?:出|了)?(?:多少|几)")


@dataclass(frozen=True)
class Relative:
    """One reference's level as the report implies it: the stated figure less or plus the stated gap in
    percentage points, or divided by the stated multiple or growth factor."""

    reference: str  # as a question names it: "十三五", "全省"
    label: str  # as the report writes it: "“十三五”末"
    level: str  # the stated figure, unit included: "72%", "55.29平方公里"
    op: str  # "−", "+" or "÷"
    by: str  # what undoes the gap, as the derivation writes it: "25.3个百分点", "1.6", "(1 + 20.2%)"
    measure: str  # the clause that states the level: what is measured ("…比重达72%")

    @property
    def rate(self) -> bool:
        return self.level.endswith("%")

    def part(self) -> AnswerPart:
        derivation = f"{self.level} {self.op} {self.by}"
        number, unit = re.match(rf"({_NUMBER})(.*)", self.level).groups()
        if self.op != "÷":
            value = Decimal(number) + (1 if self.op == "+" else -1) * Decimal(numbers_in(self.by)[0])
            return AnswerPart(f"按报告推算，{self.label}为{value}{unit}（{derivation}）", (), derivation)
        growth = re.fullmatch(rf"\(1 \+ ({_NUMBER})%\)", self.by)
        factor = 1 + Decimal(growth.group(1)) / 100 if growth else Decimal(self.by)
        exact = Decimal(number) / factor
        shown = three_figures(exact)
        about = "" if shown == exact else "约"
        return AnswerPart(f"按报告推算，{self.label}{about}为{shown:f}{unit}（{derivation}）", (), derivation)


def relatives(folded: str) -> list[Relative]:
    """Every reference whose level a folded text states only against its own figure."""
    def measure(m: re.Match[str], end: int) -> str:
        return _CLAUSE_START.search(folded[: m.start(1)]).group(0) + folded[m.start(1) : end]

    found = [Relative(m.group(3), m.group(2), f"{m.group(1)}%", "+" if m.group(4) in _DOWN else "−",
                      f"{m.group(5)}个百分点", measure(m, m.end(1) + 1)) for m in _SINCE.finditer(folded)]
    for m in _ABOVE.finditer(folded):
        references, gaps = m.group(4).split("、"), m.group(5).split("、")
        # "分别高于全国、全省、全市1.7、1.1、0.7": each reference has the gap in its place; without 分别 one gap.
        if len(references) == len(gaps):
            found += [Relative(r, r, f"{m.group(1)}%", "+" if m.group(3) in _DOWN else "−", f"{g}个百分点",
                               measure(m, m.end(1) + 1)) for r, g in zip(references, gaps)]
    found += [Relative(m.group(3), m.group(2), m.group(1), "÷", m.group(4), measure(m, m.end()))
              for m in _TIMES.finditer(folded)]
    found += [Relative(m.group(3), m.group(2), m.group(1), "÷", f"(1 + {m.group(4)}%)", measure(m, m.end()))
              for m in _GROWN.finditer(folded)]
    return found


def implied(q: QuestionAnalysis, folded: str, alternatives: Callable[[str], Iterable[str]] = lambda t: ()
            ) -> list[Relative]:
    """The references the question names whose level the text implies, for what the question measures: the
    level's clause shares a key word with the question besides the reference, or a report word for one ("gdp":
    地区生产总值) given by `alternatives` ("十三五期间经济增长了多少" is not about "比重达72%，较“十三五”末提高
    25.3个百分点")."""
    # A percentage level answers a question about a rate, an amount one about an amount ("全市地区生产总值总量"
    # is not answered by the city's growth rate, nor "规上工业企业增长多少" by their number at the reference).
    rate = bool(_ASKS_RATE.search(q.folded))
    # A question that states a rate and asks without one asks an amount too: "研发投入比十三五涨了57%，那十三五投了
    # 多少" (a percentage level the text states first still goes first: "现在72%，…那十三五末是多少").
    amount = not rate or ("%" in q.folded and not _ASKS_RATE.search(_STATING.sub("", WRITTEN_YEAR.sub("", q.folded))))
    return [r for r in relatives(folded) if r.reference in q.folded and (rate if r.rate else amount)
            and (r.rate or not q.unit or any(u in r.level for u in same_units(q.unit)))
            and any(w in r.measure for t in q.terms if t not in r.reference and t not in q.periods
                    for w in (t, *alternatives(t)))]


def base_part(q: QuestionAnalysis, evidence: str, own_period: str,
              alternatives: Callable[[str], Iterable[str]] = lambda t: ()) -> AnswerPart | None:
    """The level of the reference the question asks about ("“十三五”末…比重是多少", "全省去年增长了多少"), when
    the evidence gives it only against its own figure; None when the question names its own period or place
    instead, or asks for the gap."""
    if not q.asks_for(FIGURE) or _ASKS_GAP.search(q.folded):
        return None
    asked = implied(q, evidence, alternatives)
    if len({r.reference for r in asked}) != 1:
        return None
    r = asked[0]
    if r.reference in q.periods and own_period in q.periods:
        return None  # "十四五末比十三五末…": the question names the evidence's own period too
    return r.part()
