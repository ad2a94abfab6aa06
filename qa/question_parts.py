"""What in a question is asked and what is context: the clauses that ask (two how-much clauses joined by a
comma are two questions), the clauses in which the asker speaks of themselves, a greeting to whoever answers
(radio callers and chat messages wrap their question in all three), and in a search-box query, the word that
names the unit asked for."""
from __future__ import annotations

import re

from .key_terms import MEASURE_UNITS
from .text import cn_to_arabic, search_form

QUESTION_WORDS = re.compile(r"[？?吗呢]|多少|几|什么|哪|谁|怎么|如何|是否|有没有")
HOW_MANY = re.compile(r"多少|几")
_UNIT_WORD = re.compile(rf"[万亿]?({MEASURE_UNITS})")
# A greeting to whoever answers ("主持人您好，", "你好！") asks nothing and names nothing in the report.
_GREETING = re.compile(r"^[^，,。！!？?]{0,5}(?:您好|你好|大家好)[啊呀]?[，,。！!]")


def without_greeting(text: str) -> str:
    """The question without a greeting at its start."""
    return _GREETING.sub("", text)


def asking_clauses(part: str) -> list[str]:
    """A part cut after each comma clause that asks how much, when two or more do; the clauses before one
    belong to it."""
    clauses = re.findall(r"[^，,；;]+[，,；;]?", part)
    if sum(bool(HOW_MANY.search(c)) for c in clauses) < 2:
        return [part]
    groups, current = [], ""
    for c in clauses:
        current += c
        if HOW_MANY.search(c):
            groups.append(current.strip("，,；; "))
            current = ""
    if current.strip("，,；;？? "):
        groups[-1] += current
    return groups


def without_the_speaker(text: str) -> str:
    """The question without the clauses in which the person asking speaks of themselves ("我是城关镇开出租车的，
    …这五年打通了几条断头路", "我老家在沁阳那边，…"): a place named there is where they live, not what they ask
    about. A clause that asks stays, whoever it names ("我想问一下孟津区…")."""
    clauses = re.findall(r"[^，,。；;！!？?]+[，,。；;！!？?]*", text)
    return "".join(c for c in clauses if QUESTION_WORDS.search(c) or not re.search(r"[我俺]", c)) or text


def unit_word(text: str) -> re.Match[str] | None:
    """In a search-box query of words between spaces that asks nothing in words ("偃师 三轮摩托车 年产量 万辆"),
    a word that is a unit asks for a figure in that unit (group 1: the unit)."""
    if QUESTION_WORDS.search(text):
        return None
    return next((m for m in map(_UNIT_WORD.fullmatch, text.split()) if m), None)


def context_weighted(text: str, terms: dict[str, float], absent_weight: float, weight: float) -> dict[str, float]:
    """Key words found only in clauses that ask nothing, at `weight`, when some clause asks with key words of its
    own ("孩子明年上小学，今年偃师要建成哪所新小学": 孩子 says who asks, not what); everyday phrasing a document never
    uses keeps its own low weight (`absent_weight`)."""
    clauses = re.findall(r"[^，,。！!？?；;]+[，,。！!？?；;]*", text)
    asking = [c for c in clauses if QUESTION_WORDS.search(c)]
    if not asking or len(asking) == len(clauses):
        return terms
    asked = search_form(cn_to_arabic("".join(asking)))
    # "常听人说偃师有三张名片，报告里说的是哪三张": an asking clause without words of its own asks about the context's.
    if not any(t in asked for t, v in terms.items() if v != absent_weight):
        return terms
    return {t: v if t in asked or v == absent_weight else v * weight for t, v in terms.items()}
