"""A figure the report gives only against another: the reference's own level, computed with the derivation shown.

"比重达72%，较“十三五”末提高25.3个百分点" gives the share at the end of 十三五 (72% − 25.3个百分点 = 46.7%);
"增长6.7%，分别高于全国、全省、全市1.7、1.1、0.7个百分点" gives the province's growth (6.7% − 1.1个百分点 = 5.6%).
Only gaps in percentage points are undone: the arithmetic is exact, where a base behind "增长20.2%" or "1.6倍"
would need rounding that grounding could not check.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .analysis import FIGURE, QuestionAnalysis
from .types import AnswerPart

_NUMBER = r"\d+(?:\.\d+)?"
# "比重达72%,较“十三五”末提高25.3个百分点" (a level, then its change since a reference).
_SINCE = re.compile(rf"({_NUMBER})%,?较(“?([\u4e00-\u9fff]{{2,8}}?)”?末?)(提高|增长|增加|上升|下降|降低|减少)({_NUMBER})个百分点")
# "增长6.7%,分别高于全国、全省、全市1.7、1.1、0.7个百分点", "增长6.7%,高于全省1.1个百分点".
_ABOVE = re.compile(rf"({_NUMBER})%,?(分别)?(高于|低于)([\u4e00-\u9fff、]{{2,20}}?)((?:{_NUMBER}、)*{_NUMBER})个百分点")
_DOWN = ("下降", "降低", "减少", "低于")
_CLAUSE_START = re.compile(r"[^,，;；。]*$")
# The question asks for the gap itself ("比全省高多少", "高出几个百分点"), which the report states as it is.
_ASKS_GAP = re.compile(r"(?:高|低|快|慢|多|少|差)(?:出|了)?(?:多少|几)")


@dataclass(frozen=True)
class Relative:
    """One reference's level as the report implies it: the stated figure less (or plus) the stated gap."""

    reference: str  # as a question names it: "十三五", "全省"
    label: str  # as the report writes it: "“十三五”末"
    level: Decimal
    gap: Decimal
    down: bool  # the stated figure is below the reference's
    measure: str  # the clause that states the level: what is measured ("…比重达72%")

    @property
    def value(self) -> Decimal:
        return self.level + self.gap if self.down else self.level - self.gap


def relatives(folded: str) -> list[Relative]:
    """Every reference whose level a folded text states only against its own figure."""
    def measure(m: re.Match[str]) -> str:
        return _CLAUSE_START.search(folded[: m.end(1) + 1]).group(0)

    found = [Relative(m.group(3), m.group(2), Decimal(m.group(1)), Decimal(m.group(5)), m.group(4) in _DOWN,
                      measure(m)) for m in _SINCE.finditer(folded)]
    for m in _ABOVE.finditer(folded):
        references, gaps = m.group(4).split("、"), m.group(5).split("、")
        # "分别高于全国、全省、全市1.7、1.1、0.7": each reference has the gap in its place; without 分别 one gap.
        if len(references) == len(gaps):
            found += [Relative(r, r, Decimal(m.group(1)), Decimal(g), m.group(3) in _DOWN, measure(m))
                      for r, g in zip(references, gaps)]
    return found


def implied(q: QuestionAnalysis, folded: str) -> list[Relative]:
    """The references the question names whose level the text implies, for what the question measures: the
    level's clause shares a key word with the question besides the reference ("十三五期间经济增长了多少" is not
    about "比重达72%，较“十三五”末提高25.3个百分点")."""
    return [r for r in relatives(folded) if r.reference in q.folded
            and any(t in r.measure for t in q.terms if t not in r.reference and t not in q.periods)]


def base_part(q: QuestionAnalysis, evidence: str, own_period: str) -> AnswerPart | None:
    """The level of the reference the question asks about ("“十三五”末…比重是多少", "全省去年增长了多少"), when
    the evidence gives it only against its own figure; None when the question names its own period or place
    instead, or asks for the gap."""
    if not q.asks_for(FIGURE) or _ASKS_GAP.search(q.folded):
        return None
    asked = implied(q, evidence)
    if len({r.reference for r in asked}) != 1:
        return None
    r = asked[0]
    if r.reference in q.periods and own_period in q.periods:
        return None  # "十四五末比十三五末…": the question names the evidence's own period too
    op = "+" if r.down else "−"
    return AnswerPart(f"按报告推算，{r.label}为{r.value}%（{r.level}% {op} {r.gap}个百分点）", (),
                      f"{r.level}% {op} {r.gap}个百分点")
