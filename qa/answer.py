"""The extractive answerer: picks the evidence clauses in the top passages that answer the question.

Nothing is generated, so every figure in an answer is copied from a cited span; `check_grounded`
verifies it anyway before an answer leaves the library.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .lexical import Tokenizer
from .periods import GLOSSARY
from .retrieval import Query
from .text import cn_to_arabic, numbers_in, search_form
from .types import Citation, Hit

REFUSAL = "报告中未找到相关信息"
_HOW_MUCH = re.compile(r"多少|几[个家项天所座条次批年万亿倍]|几|多大|多高|多长|多快|多远|比重|比例|增速|增幅|百分之|涨了|降了|提高了|下降了")
_WHEN = re.compile(r"什么时候|何时|啥时候|哪一年|哪年|几月")
_DEFINE = re.compile(r"什么是|是什么意思|什么意思|指什么|指的是|是指|包括哪些|是哪些|含义|是啥")
_UNIT = re.compile(r"(?:多少|几)([个家项天所座条次批户人元亩吨公里平方米斤场批座套辆%]|万人|亿元|万元|亿斤|万亩|公里)")
_TIME_WORDS = re.compile(r"\d+月|月底|年底|年内|上半年|下半年|前")
_CLAUSE = re.compile(r"[^，,；;。！？!?：:]+[，,；;。！？!?：:]*")
MAX_WINDOW_CLAUSES = 3
SECOND_WINDOW_GAIN = 0.25


@dataclass(frozen=True)
class Window:
    hit: int  # index into the hits
    start: int  # span inside the chunk text
    end: int
    score: float
    covered: frozenset[str]


class ExtractiveAnswerer:
    name = "extractive"

    def __init__(self, tokenizer: Tokenizer, corpus: list[str], refusal_threshold: float) -> None:
        self.tokenizer = tokenizer
        self._corpus = [search_form(cn_to_arabic(t)) for t in corpus]
        self._idf: dict[str, float] = {}
        self.refusal_threshold = refusal_threshold

    def idf(self, token: str) -> float:
        if token not in self._idf:
            df = sum(token in text for text in self._corpus)
            # A word absent from every document counts like a rare one: it may be everyday wording.
            self._idf[token] = math.log((len(self._corpus) + 1) / (max(df, 1) + 0.5)) * (0.3 if len(token) == 1 else 1.0)
        return self._idf[token]

    def key_terms(self, question: str) -> dict[str, float]:
        """Content words of the question with their weights (idf), synonyms folded in later."""
        words = [w for w in self.tokenizer.words(question) if not re.fullmatch(r"\d{4}", w)]
        return {w: self.idf(w) for w in words}

    def answer(self, query: Query, hits: list[Hit]) -> tuple[str, list[Citation], bool]:
        terms = self.key_terms(query.text)
        if not hits or not terms:
            return REFUSAL, [], True
        if self._names_unknown_place(query.text):
            return REFUSAL, [], True
        windows = sorted(self._windows(query, terms, hits), key=lambda w: -w.score)
        if not windows:
            return REFUSAL, [], True
        total = sum(terms.values())
        best = windows[0]
        if self._coverage(best.covered, terms) < self.refusal_threshold or not self._has_needed_figure(query.text, hits[best.hit], best):
            return REFUSAL, [], True
        chosen = [best]
        second = next((w for w in windows[1:] if w.hit != best.hit or w.start >= best.end or w.end <= best.start), None)
        if second and sum(terms[t] for t in second.covered - best.covered) / total >= SECOND_WINDOW_GAIN:
            chosen.append(second)
        return self._compose(chosen, hits)

    def _names_unknown_place(self, question: str) -> bool:
        """Another district or county than the documents talk about: the subject is simply absent."""
        return any(not any(p in text for text in self._corpus) for p in self.tokenizer.places(question))

    def _coverage(self, covered: frozenset[str], terms: dict[str, float]) -> float:
        total = sum(terms.values())
        return sum(terms[t] for t in covered) / total if total else 0.0

    def _windows(self, query: Query, terms: dict[str, float], hits: list[Hit]) -> list[Window]:
        synonyms = {s.phrase: s.terms for s in self.tokenizer.synonyms}
        how_much, when = bool(_HOW_MUCH.search(query.text)), bool(_WHEN.search(query.text))
        define = bool(_DEFINE.search(query.text))
        top = max(h.score for h in hits) or 1.0
        out = []
        for h_i, hit in enumerate(hits):
            text = hit.chunk.text
            heading = search_form(" ".join(hit.chunk.section[1:]))
            clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(text)]
            spans = [(clauses[i][0], clauses[j][1]) for i in range(len(clauses))
                     for j in range(i, min(i + MAX_WINDOW_CLAUSES, len(clauses)))]
            if define and hit.chunk.period == GLOSSARY:
                spans.append((0, len(text)))
            for a, b in spans:
                piece = search_form(cn_to_arabic(text[a:b]))
                context = piece + heading
                covered = frozenset(t for t in terms if t in context or any(
                    t in phrase and any(s in piece for s in syns) for phrase, syns in synonyms.items()))
                score = self._coverage(covered, terms)
                # In-window matches count more than matches that only the headings provide.
                score -= 0.15 * self._coverage(frozenset(t for t in covered if t not in piece and t in heading), terms)
                if how_much:
                    score += 0.2 if numbers_in(piece) else -0.2
                if when and _TIME_WORDS.search(piece):
                    score += 0.2
                if define and hit.chunk.period == GLOSSARY:
                    score += 0.3 * (b - a == len(text))
                if query.periods and hit.chunk.period and hit.chunk.period not in query.periods:
                    score -= 0.15
                score += 0.25 * hit.score / top - 0.02 * (b - a) / 40
                out.append(Window(h_i, a, b, score, covered))
        return out

    def _has_needed_figure(self, question: str, hit: Hit, window: Window) -> bool:
        """A question asking for a figure in a unit (多少元, 几公里) needs that unit next to a number."""
        m = _UNIT.search(search_form(cn_to_arabic(question)))
        if not m:
            return True
        unit = m.group(1)
        piece = search_form(cn_to_arabic(hit.chunk.text[window.start : window.end]))
        return bool(re.search(r"\d(?:\.\d+)?[多余]?[万亿]?" + re.escape(unit), piece))

    def _compose(self, windows: list[Window], hits: list[Hit]) -> tuple[str, list[Citation], bool]:
        citations: list[Citation] = []
        parts = []
        for w in sorted(windows, key=lambda w: (w.hit, w.start)):
            chunk = hits[w.hit].chunk
            n = next((c.n for c in citations if c.chunk.id == chunk.id), len({c.chunk.id for c in citations}) + 1)
            a, b = _trim(chunk.text, w.start, w.end)
            citations.append(Citation(n, chunk, (a, b), hits[w.hit].score))
            parts.append(f"{chunk.text[a:b]}[{n}]")
        text = "；".join(parts)
        if not check_grounded(text, citations):
            return REFUSAL, [], True
        return text, citations, False


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Drop the clause punctuation at the edges of a span, keeping it an exact slice of the text."""
    while a < b and text[a] in "，,；;：:、 ":
        a += 1
    while b > a and text[b - 1] in "，,；;：:、。 ":
        b -= 1
    return a, b


def check_grounded(answer: str, citations: list[Citation]) -> bool:
    """Every figure in the answer (citation markers aside) appears in some cited evidence span."""
    cited = set()
    for c in citations:
        cited.update(numbers_in(c.evidence_text))
    return all(n in cited for n in numbers_in(re.sub(r"\[\d+\]", "", answer)))
