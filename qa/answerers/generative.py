"""What every generative answerer shares: the prompt, token streaming, and the check of every claim.

A model's answer is never shown as written. It is split into sentences; each must carry [n] markers that
point at the numbered passages it was given; each cited sentence is mapped to the exact span of its
passage that supports it (what the UI highlights); every figure must be in the spans it cites, or be a
computed figure whose derivation is shown and recomputes (qa/grounding.py, the extractive answerer's rule).
A sentence that fails is removed and listed in `Draft.dropped` with why. An answer with nothing left, a
timeout, a refused connection or any model error gives the extractive answer instead, with a note saying so.

Backends (qa/answerers/openai_answerer.py, qa/answerers/transformers_answerer.py) only implement
`generate(messages, sink) -> str`; they raise `GenerationError` with a reason the reader can understand.
"""
from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..grounding import part_problem, recompute
from ..periods import GLOSSARY
from ..text import cn_to_arabic, numbers_in, search_form
from ..types import AnswerPart, Citation, Hit
from ..windows import clauses
from . import ANSWERERS, REFUSAL, Draft
from .extractive import trim

if TYPE_CHECKING:
    from ..analysis import QuestionAnalysis
    from ..query import Query

# ---------------------------------------------------------------- notes (shown with the answer)

FALLBACK_SUFFIX = "以下为摘录式回答"
UNAVAILABLE = "生成式回答不可用（{reason}），" + FALLBACK_SUFFIX
REJECTED = "生成式回答未通过核对（{reason}），" + FALLBACK_SUFFIX
PARTLY_REMOVED = "生成式回答中有{n}句未通过核对，已删除（{reason}）"
MODEL_REFUSED = "生成模型判断所给段落不能回答这个问题"

# Reasons a sentence is removed (besides qa.grounding's own).
NO_MARKER = "没有引用标记，无法核对"
NOWHERE = "引用编号指向不存在的段落"  # the same words as qa.grounding
UNSUPPORTED = "引用的原文与这句话几乎没有共同的词句"
# A statement with no figure (a bare year aside) must share at least this share of its character bigrams
# with the evidence it cites: a wrong citation shares ~0, a close paraphrase 0.4 and more.
MIN_SUPPORT = 0.2


class GenerationError(Exception):
    """The model gave no usable text; str(exc) says why, in words for the person asking."""


# ---------------------------------------------------------------- streaming


class Sink:
    """Where a generative answerer sends its text as it is written (the model's unchecked draft)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._cancelled = threading.Event()

    def emit(self, text: str) -> None:
        if text and not self._cancelled.is_set():
            self._emit(text)

    def cancel(self) -> None:
        """The reader went away: the answerer stops generating at its next token."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


_SINK: ContextVar[Sink | None] = ContextVar("qa_generation_sink", default=None)


@contextmanager
def streaming_to(sink: Sink) -> Iterator[Sink]:
    """Within this block (in this thread), generative answerers stream their draft to `sink`."""
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)


def current_sink() -> Sink | None:
    return _SINK.get()


# ---------------------------------------------------------------- the prompt

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


# ---------------------------------------------------------------- parsing the model's text

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_MARKER_ANY = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,，、\-–~]\s*\d{1,2})*)\s*[\]］】]")
_MARKER = re.compile(r"\[(\d+)\]")
_MARKER_AFTER_STOP = re.compile(r"([。！？!?；;，,])\s*((?:\[\d+\])+)")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_BULLET = re.compile(r"^\s*(?:#+\s*|[-*•·]\s+|\d{1,2}(?:[、)）]|[.．](?!\d))\s*|[（(]\d{1,2}[)）]\s*)")
# A bracket right after a figure may hold its derivation: "高7.1个百分点（13.8% − 6.7%）", "(106+50=156)".
_BRACKET = re.compile(r"[（(]([^（）()]+)[）)]")
_RESULT_BEFORE = re.compile(r"\d(?:\.\d+)?[^\d（）()，,。；;]{0,6}$")
_OPERATORS = str.maketrans({"-": "−", "–": "−", "—": "−", "＋": "+", "/": "÷", "％": "%"})
_LEAD_IN = set("高低多少增长加减下降提升了约为比差达")


def _expand_markers(m: re.Match[str]) -> str:
    out: list[int] = []
    for piece in re.split(r"\s*[,，、]\s*", m.group(1)):
        ends = [int(x) for x in re.split(r"\s*[\-–~]\s*", piece) if x]
        out += list(range(ends[0], ends[-1] + 1)) if len(ends) == 2 and 0 < ends[1] - ends[0] < 10 else ends
    return "".join(f"[{n}]" for n in dict.fromkeys(out))


def clean(text: str) -> str:
    """Thinking removed, markers in one form ("[1][2]") and before the punctuation that ends a clause."""
    text = _THINK.sub("", text or "").replace("**", "").replace("__", "")
    text = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", _MARKER_ANY.sub(_expand_markers, text))
    return _MARKER_AFTER_STOP.sub(r"\2\1", text).strip()


def sentences(text: str) -> list[str]:
    """The statements of an answer: sentences and lines, list bullets and the final stop removed."""
    out = []
    for m in _SENTENCE.finditer(clean(text)):
        s = _BULLET.sub("", m.group(0).strip()).strip().rstrip("。！？!?；;，,、 ").strip()
        if re.sub(r"[\W_]+|\[\d+\]", "", s):
            out.append(s)
    return out


def markers(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in _MARKER.findall(text)))


def is_refusal(text: str) -> bool:
    return REFUSAL in re.sub(r"\s+", "", text)


# ---------------------------------------------------------------- evidence spans


def _fold(text: str) -> str:
    return search_form(cn_to_arabic(_MARKER.sub("", text)))


def _bigrams(folded: str) -> set[str]:
    return {folded[i : i + 2] for i in range(len(folded) - 1)} or ({folded} if folded else set())


def evidence_spans(statement: str, text: str) -> list[tuple[int, int]]:
    """The span(s) of a passage that best support a statement: the clause window (1–3 clauses) sharing
    most of its figures and wording, plus, for a figure of the statement found elsewhere in the passage,
    the clause holding it. Exact slices of `text`, in text order."""
    figures = set(numbers_in(_MARKER.sub("", statement)))
    grams = _bigrams(_fold(statement))
    cl = clauses(text)
    if not cl:
        return [trim(text, 0, len(text))]

    def score(i: int, j: int) -> float:
        piece = "".join(c[2] for c in cl[i : j + 1])
        covered = len(figures & set(numbers_in(piece)))
        return covered + len(grams & _bigrams(piece)) / max(1, len(grams)) - 0.002 * (cl[j][1] - cl[i][0])

    windows = [(i, j) for i in range(len(cl)) for j in range(i, min(i + 3, len(cl)))]
    i, j = max(windows, key=lambda w: score(*w))
    spans = [(cl[i][0], cl[j][1])]
    missing = figures - set(numbers_in(text[cl[i][0] : cl[j][1]]))
    for fig in sorted(missing):
        holding = [k for k in range(len(cl)) if fig in numbers_in(cl[k][2])]
        if holding:
            k = max(holding, key=lambda k: score(k, k))
            if not any(a <= cl[k][0] and cl[k][1] <= b for a, b in spans):
                spans.append((cl[k][0], cl[k][1]))
    return sorted({trim(text, a, b) for a, b in spans})


# ---------------------------------------------------------------- computed figures


def _derivation(statement: str) -> tuple[re.Match[str], str] | None:
    """The bracketed derivation of a computed figure, normalised as qa.grounding reads it ("13.8% − 6.7%")."""
    for m in _BRACKET.finditer(statement):
        if not _RESULT_BEFORE.search(_MARKER.sub("", statement[: m.start()])):
            continue
        inner = re.split(r"[=＝≈]", m.group(1))[0].translate(_OPERATORS)
        inner = re.sub(r"\s*([−+÷])\s*", r" \1 ", inner).strip()
        if recompute(inner) is not None:
            return m, inner
    return None


def _pieces(statement: str) -> list[tuple[str, str | None]]:
    """The statement as (text, derivation) parts. qa.grounding reads a computed figure as the first figure
    of its part, so a part with a derivation starts at the clause (or the comparison word) that states
    the result: "2025年A比B高7.1个百分点（13.8% − 6.7%）[1]" → "2025年A比B[1]" and "高7.1个百分点（…）[1]"."""
    found = _derivation(statement)
    if not found:
        return [(statement, None)]
    m, inner = found
    text = statement[: m.start()] + f"（{inner}）" + statement[m.end() :]
    # Markers masked, so that their digits are not taken for figures.
    before = _MARKER.sub(lambda k: "#" * len(k.group()), statement[: m.start()])
    figures = list(re.finditer(r"\d+(?:\.\d+)?", before))
    if not figures or (len(figures) == 1 and "（" not in before and "(" not in before):
        return [(text, inner)]
    result = figures[-1].start()
    cut = max(before.rfind(c, 0, result) for c in "，,：:；;")
    if cut >= 0:
        head, tail = text[:cut], text[cut + 1 :]
    else:
        cut = result
        while cut > 0 and result - cut < 4 and text[cut - 1] in _LEAD_IN:
            cut -= 1
        head, tail = text[:cut], text[cut:]
    cites = "".join(f"[{n}]" for n in markers(statement))
    head = head.strip()
    tail = tail if markers(tail) else tail + cites
    if not re.sub(r"[\W_]+|\[\d+\]", "", head):
        return [(tail, inner)]
    return [(head if markers(head) else head + cites, None), (tail, inner)]


# ---------------------------------------------------------------- checking a whole answer


@dataclass
class Checked:
    parts: list[AnswerPart]  # what passed, markers renumbered 1.. in order of use
    citations: list[Citation]
    dropped: list[str] = field(default_factory=list)  # "statement（why）"
    refused: bool = False  # the model said only the refusal sentence


def _citation_score(hit: Hit) -> float:
    return next(iter(hit.scores.values()), hit.score)


def check_answer(text: str, hits: list[Hit]) -> Checked:
    """Every statement of a model's answer checked against the passages it cites (see the module doc)."""
    kept: list[tuple[AnswerPart, list[Citation]]] = []
    dropped: list[str] = []
    refusals: list[str] = []
    for statement in sentences(text):
        ns = markers(statement)
        if is_refusal(statement):
            # "（某项）报告中未找到相关信息": said in place of a sub-question, with no figure of its own.
            bare = _MARKER.sub("", statement)
            problem = part_problem(AnswerPart(bare, ()), [])
            if problem:
                dropped.append(f"{statement}（{problem}）")
            else:
                refusals.append(bare)
            continue
        if not ns:
            dropped.append(f"{statement}（{NO_MARKER}）")
            continue
        if any(not 1 <= n <= len(hits) for n in ns):
            dropped.append(f"{statement}（{NOWHERE}）")
            continue
        parts = []
        for piece, derivation in _pieces(statement):
            own = markers(piece)
            cites = [Citation(n, hits[n - 1].chunk, span, _citation_score(hits[n - 1]))
                     for n in own for span in evidence_spans(piece, hits[n - 1].chunk.text)]
            part = AnswerPart(piece, tuple(own), derivation)
            problem = part_problem(part, cites) or ("" if anchored(piece) or support(piece, cites) >= MIN_SUPPORT
                                                    else UNSUPPORTED)
            if problem:
                dropped.append(f"{statement}（{problem}）")
                break
            parts.append((part, cites))
        else:
            kept += parts
    if not kept:
        # Only the refusal sentence, perhaps with an uncited word around it ("抱歉。"): the model refuses.
        refused = bool(refusals) and all(split_dropped(d)[1] == NO_MARKER for d in dropped)
        return Checked([], [], dropped, refused=refused)
    parts, citations = _renumber(kept)
    # A sub-question the passages do not answer, said so by the model in its place.
    parts += [AnswerPart(r, ()) for r in refusals]
    return Checked(parts, citations, dropped)


def anchored(statement: str) -> bool:
    """A statement with a figure (not a bare year) is anchored by it: grounding found it in its evidence."""
    return any(not re.fullmatch(r"(?:19|20)\d\d", n) for n in figures_of(statement))


def support(statement: str, citations: list[Citation]) -> float:
    """Share of the statement's character bigrams (folded, markers aside) found in the evidence it cites."""
    grams = _bigrams(_fold(re.sub(r"[\W_]+", "", _MARKER.sub("", statement))))
    evidence = set().union(*(_bigrams(_fold(re.sub(r"[\W_]+", "", c.evidence_text))) for c in citations))
    return len(grams & evidence) / len(grams) if grams else 0.0


def _renumber(kept: list[tuple[AnswerPart, list[Citation]]]) -> tuple[list[AnswerPart], list[Citation]]:
    order: dict[int, int] = {}
    for part, _ in kept:
        for n in part.citations:
            order.setdefault(n, len(order) + 1)
    parts, citations, seen = [], [], set()
    for part, cites in kept:
        text = _MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]", part.text)
        parts.append(AnswerPart(text, tuple(order[n] for n in part.citations), part.derivation))
        for c in cites:
            key = (order[c.n], c.chunk.id, c.evidence)
            if key not in seen:
                seen.add(key)
                citations.append(Citation(order[c.n], c.chunk, c.evidence, c.score))
    return parts, sorted(citations, key=lambda c: (c.n, c.evidence))


def figures_of(statement: str) -> list[str]:
    """Figures a statement (markers aside) states, for the grounding metrics."""
    return numbers_in(_MARKER.sub("", statement))


# ---------------------------------------------------------------- the answerer base


class GenerativeAnswerer:
    """Prompt, check and fall back; subclasses implement `generate`."""

    name = "generative"

    def __init__(self, config: Any, analyzer: Any = None, **stage: Any) -> None:
        self.config, self.analyzer = config, analyzer
        self._stage = {"config": config, "analyzer": analyzer, **stage}
        self._extractive = None

    def generate(self, messages: list[dict[str, str]], sink: Sink | None) -> str:  # pragma: no cover
        raise NotImplementedError

    def messages(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"]) -> list[dict[str, str]]:
        report_year = getattr(self.analyzer, "report_year", None)
        return build_messages(question_text(query, questions), hits, report_year, self._stage.get("places"))

    def answer(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"], style: str) -> Draft:
        if not hits:
            return self._fallback(query, hits, questions, style, UNAVAILABLE.format(reason="没有检索到段落"), [])
        try:
            text = self.generate(self.messages(query, hits, questions), current_sink())
        except GenerationError as exc:
            return self._fallback(query, hits, questions, style, UNAVAILABLE.format(reason=exc), [])
        except Exception as exc:  # any model failure: the reader gets the extractive answer, never a traceback
            reason = f"模型出错：{type(exc).__name__}" + (f"：{str(exc)[:120]}" if str(exc) else "")
            return self._fallback(query, hits, questions, style, UNAVAILABLE.format(reason=reason), [])
        checked = check_answer(text, hits)
        if checked.refused:
            return Draft([], [], MODEL_REFUSED, checked.dropped)
        if not checked.parts:
            reason = split_dropped(checked.dropped[0])[1] if checked.dropped else "没有可核对的内容"
            return self._fallback(query, hits, questions, style, REJECTED.format(reason=reason), checked.dropped)
        note = ""
        if checked.dropped:
            note = PARTLY_REMOVED.format(n=len(checked.dropped), reason=split_dropped(checked.dropped[0])[1])
        return Draft(checked.parts, checked.citations, note, checked.dropped)

    def _fallback(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"], style: str,
                  note: str, dropped: list[str]) -> Draft:
        if self._extractive is None:
            self._extractive = ANSWERERS.create("extractive", **self._stage)
        draft = self._extractive.answer(query, hits, questions, style)
        return Draft(draft.parts, draft.citations, note, dropped + draft.dropped)


def split_dropped(dropped: str) -> tuple[str, str]:
    """("statement", "why") of a `Draft.dropped` / `Answer.dropped` entry."""
    if dropped.endswith("）") and "（" in dropped:
        statement, why = dropped.rsplit("（", 1)
        return statement, why[:-1]
    return dropped, ""
