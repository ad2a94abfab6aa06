"""Grounding: every figure an answer states is in what it cites, or computed from cited figures with the
derivation shown and recomputing exactly. Runs on every answer, whichever answerer wrote it."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .periods import plan_years
from .text import MAGNITUDE, fold, numbers_in
from .types import AnswerPart, Citation

_MARK = re.compile(r"\[\d+\]")
# A computed answer's result: its first figure, with the magnitude written after it ("约2.25亿元"), or the percent
# sign of a share (a quotient stated as "约27.3%").
_STATED = re.compile(r"(\d+(?:\.\d+)?)([万亿%]?)")
# "13.8% − 6.7%", "106 + 50", "630 ÷ 480", "2.2万亩 − 500亩", "59家 + 6家 + 6家": figures joined by operators, as the
# answerer writes them (several only when all are added); 万 or 亿 right after a figure scales it (the stated
# result's too: "合计247.4亿元", "21500亩").
_OPERATOR = re.compile(r"\s*([−+÷])\s*")
# A growth factor divided by to undo a growth ("337家 ÷ (1 + 20.2%)"): its 1 is no figure of the evidence.
_GROWTH_FACTOR = re.compile(r"\(1 \+ (\d+(?:\.\d+)?)%\)")
_TERM = re.compile(r"^\s*(\d+(?:\.\d+)?)([万亿]?)\D*$")


def cited_figures(citations: list[Citation]) -> set[str]:
    """Figures of the cited evidence spans, and the years of the cited passages' periods ("2025年：…" labels)."""
    found: set[str] = set()
    for c in citations:
        found.update(numbers_in(c.evidence_text))
        if c.chunk.period.isdigit():
            found.add(c.chunk.period)
    return found


def recompute(derivation: str) -> Decimal | None:
    """The derivation's value, at its figures' full magnitudes (2.2万亩 − 500亩 = 21500, 243亿元 ÷ 108个 = 2.25×10⁸)."""
    pieces = _OPERATOR.split(_GROWTH_FACTOR.sub(lambda m: f"{1 + Decimal(m.group(1)) / 100}", derivation))
    terms, ops = [_TERM.match(t) for t in pieces[::2]], pieces[1::2]
    if not ops or not all(terms) or (len(ops) > 1 and set(ops) != {"+"}):
        return None
    try:
        values = [Decimal(m.group(1)) * MAGNITUDE.get(m.group(2), Decimal(1)) for m in terms]
        return {"÷": lambda: values[0] / values[1], "−": lambda: values[0] - values[1],
                "+": lambda: sum(values, Decimal(0))}[ops[0]]()
    except (InvalidOperation, ZeroDivisionError):
        return None


def _matches(stated: re.Match[str], value: Decimal, quotient: bool) -> bool:
    """A stated result ("2.25亿", "21500", a quotient as "27.3%") is the value rounded to the places it is
    written with (a difference of percentages is stated in them: "6.7% − 0.7个百分点" is "6.0%")."""
    shown = Decimal(stated.group(1))
    scale = Decimal("0.01") if stated.group(2) == "%" and quotient else MAGNITUDE.get(stated.group(2), Decimal(1))
    return shown == abs(value / scale).quantize(shown)


def part_problem(part: AnswerPart, citations: list[Citation]) -> str:
    """Why a part fails grounding ("" when it holds): a marker pointing nowhere, a figure not in its citations,
    a derivation that uses uncited figures or does not recompute to the stated result."""
    own = [c for c in citations if c.n in part.citations]
    if set(part.citations) - {c.n for c in own}:
        return "引用编号指向不存在的段落"
    allowed = cited_figures(own)
    body = _MARK.sub("", part.text)
    if part.derivation:
        inputs = numbers_in(_GROWTH_FACTOR.sub(r"\1%", part.derivation))
        # A five-year plan's passage counts its years (80.8亿元 ÷ 5年 for a yearly average).
        plans = {str(n) for c in own if (n := plan_years(c.chunk.period))}
        if not set(inputs) <= allowed | plans:
            return "计算所用的数字不在引用的原文中"
        value = recompute(part.derivation)
        stated = _STATED.search(fold(body.split("（", 1)[0]))
        if value is None or not stated or not _matches(stated, value, "÷" in part.derivation):
            return "计算结果与推导不符"
        allowed = allowed | {stated.group(1)} | set(numbers_in(part.derivation))
    missing = [n for n in numbers_in(body) if n not in allowed]
    return f"数字{missing[0]}无法在引用的原文中核实" if missing else ""


def check_grounded(answer: str, citations: list[Citation]) -> bool:
    """Every figure in a plain answer text (markers aside) appears in some cited evidence span."""
    return set(numbers_in(_MARK.sub("", answer))) <= cited_figures(citations)
