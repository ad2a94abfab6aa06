"""The prompt every generative answerer sends: the numbered passages, each with its section path and period,
and the instructions (answer only from them, `[n]` after every sentence, figures as written, or refuse)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..periods import GLOSSARY
from ..types import Hit
from . import REFUSAL

if TYPE_CHECKING:
    from ..analysis import QuestionAnalysis
    from ..query import Query

SYSTEM = (
    "你是政府工作报告问答助手，只根据用户给出的编号段落回答问题，不使用段落以外的知识。\n"
    "要求：\n"
    "1. 用简洁的中文回答，通常一到三句话；每句话末尾用[n]标出它所依据的段落编号，可以标多个，如[1][2]；\n"
    "2. 数字、单位必须与段落原文完全一致，不要换算、估算或四舍五入；\n"
    "3. 注意每段所属的时期：某年“完成情况”是已经实现的结果，某年“计划”是目标，不要混淆；\n"
    "4. 需要计算（差值、合计）时，计算结果写在句首，并在括号里写出算式，例如："
    "“规上工业增加值增长13.8%，地区生产总值增长6.7%[1]。前者高7.1个百分点（13.8% − 6.7%）[1]。”；\n"
    f"5. 如果这些段落不能回答问题，只回答这一句：{REFUSAL}"
)


def period_name(period: str, report_year: int | None) -> str:
    """How the prompt names a passage's period: "2025年完成情况", "2026年计划", "“十四五”时期回顾"."""
    if period.isdigit():
        return f"{period}年计划" if report_year and int(period) >= report_year else f"{period}年完成情况"
    return {"十四五": "“十四五”时期回顾", "十五五": "“十五五”时期目标", GLOSSARY: "名词解释"}.get(period, "未标明")


def passages_block(hits: list[Hit], report_year: int | None, places: dict[str, str] | None = None) -> str:
    """The numbered passages, each with its section path and period (and its report, when several are loaded)."""
    places = places or {}
    out = []
    for n, hit in enumerate(hits, start=1):
        c = hit.chunk
        source = f"报告：{places[c.doc]}；" if c.doc in places else ""
        out.append(f"[{n}]（{source}章节：{c.section_path or '—'}；时期：{period_name(c.period, report_year)}）\n{c.text}")
    return "\n\n".join(out)


def build_messages(question: str, hits: list[Hit], report_year: int | None,
                   places: dict[str, str] | None = None) -> list[dict[str, str]]:
    user = f"段落：\n\n{passages_block(hits, report_year, places)}\n\n问题：{question}\n\n请根据上面的段落回答，每句话标注[n]。"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def question_text(query: "Query", questions: list["QuestionAnalysis"]) -> str:
    """The question as understood; with sub-questions, only those the checks let through, numbered."""
    if len(questions) <= 1:
        return query.text
    return "\n".join(f"{i}. {q.text}" for i, q in enumerate(questions, start=1))
