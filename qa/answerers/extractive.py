"""The extractive answerer: cuts the answer from the best clause windows, shaped by the document's structure.

Nothing is generated: every statement is an exact span of a cited passage, labelled with the period its
section reports on; the only new figures are computed comparisons, shown with their derivation.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ..analysis import COMPARISON, DEFINITION, FIGURE, LIST, NAME, Analyzer, QuestionAnalysis
from ..averages import average_part
from ..evidence_checks import answering_windows
from ..item_sums import item_sum_part
from ..names import explanation
from ..periods import GLOSSARY
from ..relative_figures import base_part
from ..text import fold
from ..types import AnswerPart, Citation, Hit
from ..windows import Window, WindowScorer, window_text
from . import ANSWERERS, Draft
from .compare import comparison_part

if TYPE_CHECKING:
    from ..query import Query

_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_LIST_NUMBER = re.compile(r"^\s*\d{1,2}\s*[.．、]\s*")
_ENUMERATION = re.compile(r"[、；;]|即")
_LABELS = {"十四五": "“十四五”时期，", "十五五": "“十五五”时期目标：", GLOSSARY: "名词解释："}


def period_label(period: str, report_year: int | None) -> str:
    """"2025年，" for the year under review, "2026年计划：" for the year the report plans."""
    if period.isdigit():
        return f"{period}年计划：" if report_year and int(period) >= report_year else f"{period}年，"
    return _LABELS.get(period, "")


@ANSWERERS.register("extractive")
class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, scorer: WindowScorer, analyzer: Analyzer, places: dict[str, str] | None = None,
                 **_: object) -> None:
        self.scorer, self.analyzer = scorer, analyzer
        # Document → place label, given only when several reports are loaded ("新安县").
        self.places = places or {}

    def answer(self, query: "Query", hits: list[Hit], questions: list[QuestionAnalysis], style: str) -> Draft:
        chosen: list[Window] = []
        computed: list[tuple[AnswerPart, list[Window]]] = []
        sims = query.sentence_sims(hits)
        for q in questions:
            windows = answering_windows(q, hits, query.windows(self.scorer, q, hits), self.scorer)[0]
            if q.asks_for(COMPARISON):
                part = comparison_part(q, hits, self.scorer, self.analyzer, sims)
                if part:
                    computed.append(part)
                    continue
            if windows:
                best = windows[0]
                text = window_text(hits[best.hit], best)
                base = (base_part(q, text, hits[best.hit].chunk.period, self.scorer.tokenizer.alternatives)
                        or item_sum_part(q, text)
                        or average_part(q, text, self.scorer.tokenizer.with_alternatives(q.terms),
                                        hits[best.hit].chunk.period))
                if base:
                    computed.append((base, [best]))
                    continue
            for w in self._choose(q, hits, windows):
                at = next((i for i, c in enumerate(chosen)
                           if c.hit == w.hit and c.start < w.end and w.start < c.end), None)
                if at is None:
                    chosen.append(w)
                else:
                    # Two sub-questions answered by overlapping stretches of one passage ("…23个项目投产达效，…45个
                    # 项目按时开工"): one citation that spans both, so the second part is not lost.
                    c = chosen[at]
                    chosen[at] = replace(c, start=min(c.start, w.start), end=max(c.end, w.end))
        return self._compose(chosen, computed, hits, style)

    def _choose(self, q: QuestionAnalysis, hits: list[Hit], windows: list[Window]) -> list[Window]:
        """The best window, widened by structure, plus the best of each other period the question calls for."""
        if not windows:
            return []
        best = self._widen(q, hits, windows[0])
        chosen = [best]
        period = hits[best.hit].chunk.period
        if len(set(q.periods)) > 1:
            wanted = [p for p in q.periods if p != period]
        elif not q.periods and not q.asks_for(DEFINITION) and period != GLOSSARY:
            # No period named ("充电桩"): every period the report gives a comparable fact for, labelled.
            wanted = sorted({h.chunk.period for h in hits} - {period, GLOSSARY, ""})
        else:
            wanted = []
        for p in wanted:
            other = next((w for w in windows if hits[w.hit].chunk.period == p), None)
            # The same fact in another period: as much of the question covered, the same focus.
            if other and other.coverage >= best.coverage and self._same_focus(q, hits, best, other):
                chosen.append(other)
        return chosen

    def _same_focus(self, q: QuestionAnalysis, hits: list[Hit], a: Window, b: Window) -> bool:
        """Two windows state the same kind of fact: both hold the question's focus (and a figure if asked)."""
        texts = [window_text(hits[w.hit], w) for w in (a, b)]
        return (q.focus is None or all(q.focus in t for t in texts)) and (
            not q.asks_for(FIGURE) or all(re.search(r"\d", t) for t in texts))

    def _widen(self, q: QuestionAnalysis, hits: list[Hit], w: Window) -> Window:
        """A definition gets the whole glossary entry (without its list number) or the whole "即……" sentence;
        a list question gets the whole enumeration it touches; a what question, the glossary item it touches."""
        text = hits[w.hit].chunk.text
        explains = q.asks_for(DEFINITION) or q.asks_for(LIST)
        number = _LIST_NUMBER.match(text)
        begin = number.end() if number else 0
        glossary = hits[w.hit].chunk.period == GLOSSARY
        if explains and glossary:
            # One item of an entry when the question asks about it ("“6”即…" of “1+2+10+6”), else the whole entry.
            item = explanation(text, q.defines) if q.defines else None
            # The entry's own name ("7.城市更新“六大工程”。") ends at its full stop; a passage without the list
            # number continues an entry cut in two.
            sub_item = item and (not number or item.start() > text.find("。", begin))
            a, b = (item.start(), item.end()) if sub_item else (begin, len(text))
            return Window(w.hit, a, b, w.score, w.coverage, w.semantic, True)
        if glossary and number and w.start < text.find("。", begin):
            # The best evidence holds a glossary entry's name ("7.城市更新“六大工程”"): whatever the wording
            # ("都包括啥", "怎么回事"), what the entry says of that name is the answer, not the name alone.
            return Window(w.hit, begin, len(text), w.score, w.coverage, w.semantic, True)
        if q.asks_for(NAME) and not q.asks_for(FIGURE) and not explains and glossary:
            # A glossary entry's items are whole between semicolons ("坚持设施共建，实现连片完善；"): what one
            # clause of an item names, the other clause says.
            a, b = sentence_around(text, w.start, w.end)
            return Window(w.hit, a, b, w.score, w.coverage, w.semantic, w.whole)
        if explains:
            a, b = sentence_around(text, w.start, w.end)
            # "还存在着一些问题和不足：A；B；C。": a colon opens a list that runs to the full stop.
            colon = max(text.rfind("：", a, b), text.rfind(":", a, b))
            if colon >= w.start:
                b = sentence_around(text, colon, colon + 1, ends="。！？!?")[1]
            # A list, or the sentence that uses the name asked about when no passage explains it: its other
            # clauses say what the name stands for ("三轮摩托车产业获评…，“三蹦子”海外出圈").
            if _ENUMERATION.search(text[a:b]) or (q.asks_for(DEFINITION) and q.defines
                                                  and q.defines in fold(text[w.start:w.end])):
                return Window(w.hit, a, b, w.score, w.coverage, w.semantic, w.whole)
        return self._on_topic(q, hits, w)

    def _on_topic(self, q: QuestionAnalysis, hits: list[Hit], w: Window) -> Window:
        """The window without whole sentences at its edges that hold none of the question's key words
        ("常住人口城镇化率达到71%左右。着力打造河南省城乡融合发展先行区" for 要打造什么先行区)."""
        text = hits[w.hit].chunk.text
        sentences = [(m.start(), m.end()) for m in _SENTENCE.finditer(text, w.start, w.end)]
        words = self.scorer.tokenizer.with_alternatives(q.terms)
        kept = [i for i, (a, b) in enumerate(sentences) if any(x in fold(text[a:b]) for x in words)]
        if not kept or len(sentences) < 2:
            return w
        a, b = sentences[kept[0]][0], sentences[kept[-1]][1]
        return w if (a, b) == (w.start, w.end) else replace(w, start=a, end=b)

    def _compose(self, chosen: list[Window], computed: list[tuple[AnswerPart, list[Window]]], hits: list[Hit],
                 style: str) -> Draft:
        citations: list[Citation] = []

        def cite(w: Window) -> int:
            chunk = hits[w.hit].chunk
            n = next((c.n for c in citations if c.chunk.id == chunk.id), len({c.chunk.id for c in citations}) + 1)
            a, b = trim(chunk.text, w.start, w.end)
            citations.append(Citation(n, chunk, (a, b), hits[w.hit].scores.get("window", hits[w.hit].score)))
            return n

        parts: list[AnswerPart] = []
        for part, windows in computed:
            # Both figures may come from one passage: it is cited once.
            ns = tuple(dict.fromkeys(cite(w) for w in windows))
            parts.append(AnswerPart(part.text + "".join(f"[{n}]" for n in ns), ns, part.derivation))
        report_year = self.analyzer.report_year
        for w in chosen:
            n = cite(w)
            c = citations[-1]
            label = ""
            if style == "sentence":
                label = self.places.get(c.chunk.doc, "") + period_label(c.chunk.period, report_year)
                # "2025年，2025年是…": the evidence already says which period it is about.
                if c.chunk.period and c.chunk.period in c.evidence_text[:12]:
                    label = self.places.get(c.chunk.doc, "")
            parts.append(AnswerPart(f"{label}{c.evidence_text}[{n}]", (n,)))
        return Draft(parts, _distinct_evidence(citations))


def _distinct_evidence(citations: list[Citation]) -> list[Citation]:
    seen: dict[tuple[str, tuple[int, int]], Citation] = {}
    for c in citations:
        seen.setdefault((c.chunk.id, c.evidence), c)
    return list(seen.values())


def sentence_around(text: str, a: int, b: int, ends: str = "。！？!?；;") -> tuple[int, int]:
    """The span widened to the whole sentence(s) it sits in (a clause list's items end at ；)."""
    start = max((text.rfind(c, 0, a) for c in ends), default=-1) + 1
    stops = [i for i in (text.find(c, max(b - 1, a)) for c in ends) if i >= 0]
    return start, (min(stops) + 1 if stops else len(text))


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop the clause punctuation at the edges of a span, keeping it an exact slice of the text."""
    while a < b and text[a] in "，,；;：:、 ":
        a += 1
    while b > a and text[b - 1] in "，,；;：:、。 ":
        b -= 1
    return a, b
