"""Grounding: every figure an answer states is in what it cites, or computed from cited figures with the
derivation shown and recomputing exactly. Runs on every answer, whichever answerer wrote it."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .text import MAGNITUDE, numbers_in
from .types import AnswerPart, Citation

_MARK = re.compile(r"\[\d+\]")
# "13.8% − 6.7%", "106 + 50", "630 ÷ 480", "2.2万亩 − 500亩": two figures and an operator, as the answerer
# writes them; 万 or 亿 right after a figure scales it, and a sum or difference is in the smaller magnitude.
_DERIVATION = re.compile(r"^\s*(\d+(?:\.\d+)?)([万亿]?)\D*?\s*([−+÷])\s*(\d+(?:\.\d+)?)([万亿]?)\D*$")


def cited_figures(citations: list[Citation]) -> set[str]:
    """Figures of the cited evidence spans, and the years of the cited passages' periods ("2025年：…" labels)."""
    found: set[str] = set()
    for c in citations:
        found.update(numbers_in(c.evidence_text))
        if c.chunk.period.isdigit():
            found.add(c.chunk.period)
    return found


def recompute(derivation: str) -> Decimal | None:
    m = _DERIVATION.match(derivation)
    if not m:
        return None
    try:
        sa, sb = MAGNITUDE.get(m.group(2), Decimal(1)), MAGNITUDE.get(m.group(5), Decimal(1))
        a, b = Decimal(m.group(1)) * sa, Decimal(m.group(4)) * sb
        op = m.group(3)
        return a / b if op == "÷" else (a - b if op == "−" else a + b) / min(sa, sb)
    except (InvalidOperation, ZeroDivisionError):
        return None


def part_problem(part: AnswerPart, citations: list[Citation]) -> str:
    """Why a part fails grounding ("" when it holds): a marker pointing nowhere, a figure not in its citations,
    a derivation that uses uncited figures or does not recompute to the stated result."""
    own = [c for c in citations if c.n in part.citations]
    if set(part.citations) - {c.n for c in own}:
        return "引用编号指向不存在的段落"
    allowed = cited_figures(own)
    body = _MARK.sub("", part.text)
    if part.derivation:
        inputs = numbers_in(part.derivation)
        if not set(inputs) <= allowed:
            return "计算所用的数字不在引用的原文中"
        value = recompute(part.derivation)
        stated = numbers_in(body.split("（", 1)[0])
        if value is None or not stated or Decimal(stated[0]) != abs(value).quantize(Decimal(stated[0])):
            return "计算结果与推导不符"
        allowed = allowed | {stated[0]} | set(inputs)
    missing = [n for n in numbers_in(body) if n not in allowed]
    return f"数字{missing[0]}无法在引用的原文中核实" if missing else ""


def check_grounded(answer: str, citations: list[Citation]) -> bool:
    """Every figure in a plain answer text (markers aside) appears in some cited evidence span."""
    return set(numbers_in(_MARK.sub("", answer))) <= cited_figures(citations)
