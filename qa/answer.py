"""The extractive answerer: picks the evidence clauses in the top passages that answer the question.

Nothing is generated, so every figure in an answer is copied from a cited span; `check_grounded`
verifies it anyway before an answer leaves the library.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from .errors import UnknownNameError
from .followup import merge
from .lexical import ADMIN_SUFFIXES, Tokenizer
from .periods import GLOSSARY
from .retrieval import Query
from .text import cn_to_arabic, numbers_in, search_form
from .types import Chunk, Citation, Hit

REFUSAL = "报告中未找到相关信息"
# Answer styles: the shortest clause window(s) that answer, or the whole sentence(s) around them.
ANSWERERS = ("extractive", "extractive-sentences")
_HOW_MUCH = re.compile(r"多少|(?<!哪)几|多大|多高|多长|多快|多远|比重|比例|增速|增幅|百分之|涨了|降了|提高了|下降了")
_WHEN = re.compile(r"什么时候|何时|啥时候|哪一年|哪年|几月")
_DEFINE = re.compile(r"什么是|是什么|什么意思|指什么|指的是|是指|包括哪些|是哪些|含义|是啥")
_WHICH = re.compile(r"什么|哪|谁")
# Units specific enough that a figure in another unit cannot be the answer (个 is not: it counts anything).
_UNIT = re.compile(r"(?:多少|几)[万亿]?(美元|元|家|项|天|所|座|条|次|户|人|亩|吨|公里|平方米|斤|场|套|辆)")
_TIME_WORDS = re.compile(r"\d+月|月底|年底|年内|上半年|下半年")
_CLAUSE = re.compile(r"[^，,；;。！？!?：:]+[，,；;。！？!?：:]*")
_QUOTED = re.compile(r"[“\"《]([^”\"》]{2,20})[”\"》]")
# Phrases that ask for a figure rather than name a topic ("百分之几" must not match "百分点").
_ASKING = re.compile(r"百分之(?:几|多少)|百分比是?多少|多少|几成")
_SUBQUESTION = re.compile(r"[^？?]+[？?]?")
# jieba part-of-speech tags: time words, pronouns, adverbs, numerals, measure words, localisers,
# particles, prepositions, conjunctions, modal particles carry no topic ("eng", a Latin word such as
# GDP, is not an interjection "e").
_FUNCTION_TAGS = set("trdmqfupcyexz")
_NOUN_TAGS = set("nlbgj")
ABSENT_WORD_WEIGHT = 0.5
PARTS_CREDIT = 0.8
# A window from a passage of another period than the question asks about ("2025年…" vs the 十四五 review).
PERIOD_MISMATCH = 0.35
MAX_WINDOW_CLAUSES = 3


@dataclass(frozen=True)
class Window:
    hit: int  # index into the hits
    start: int  # span inside the chunk text
    end: int
    score: float
    coverage: float


@lru_cache(maxsize=4096)
def _clauses(text: str) -> tuple[tuple[int, int, str], ...]:
    """Clause spans of a passage with their search forms, computed once per passage."""
    return tuple((m.start(), m.end(), search_form(cn_to_arabic(m.group(0)))) for m in _CLAUSE.finditer(text))


class ExtractiveAnswerer:
    def __init__(self, tokenizer: Tokenizer, corpus: list[str], refusal_threshold: float,
                 home_places: frozenset[str] = frozenset()) -> None:
        self.tokenizer = tokenizer
        # The places the documents are about ("偃师" in the Yanshi report): every passage is about them,
        # so a question naming them asks nothing more specific.
        self.home_places = home_places
        self._corpus = [search_form(cn_to_arabic(t)) for t in corpus]
        self._df_cache: dict[str, int] = {}
        self.refusal_threshold = refusal_threshold

    def _df(self, token: str) -> int:
        if token not in self._df_cache:
            self._df_cache[token] = sum(token in text for text in self._corpus)
        return self._df_cache[token]

    def idf(self, token: str) -> float:
        # A word absent from every document counts like a rare one.
        return math.log((len(self._corpus) + 1) / (max(self._df(token), 1) + 0.5)) * (0.3 if len(token) == 1 else 1.0)

    def key_terms(self, question: str) -> dict[str, float]:
        """Content words of the question weighted by idf.

        A word the documents never use is backed off to its parts ("清华北大" → "清华", "北大").
        """
        terms: dict[str, float] = {}
        # A quoted name ("“瞪羚”企业", "“1+2+10+6”") is one term, however jieba would cut it.
        for quoted in _QUOTED.findall(question):
            terms[search_form(cn_to_arabic(quoted))] = self.idf(search_form(cn_to_arabic(quoted)))
        for word, tag in self.tokenizer.tagged(_ASKING.sub(" ", _QUOTED.sub(" ", question))):
            if re.fullmatch(r"\d{4}", word) or (tag[:1] in _FUNCTION_TAGS and tag != "eng" and not re.search(r"\d", word)):
                continue
            if word in self.home_places or word.rstrip(ADMIN_SUFFIXES) in self.home_places:
                continue
            if self._df(word):
                terms[word] = self.idf(word)
                continue
            parts = [p for p in self.tokenizer.parts(word) if p != word and self._df(p)] if len(word) > 2 else []
            for part in parts:
                terms[part] = self.idf(part)
            if not parts:
                # Absent from every document: a noun is probably the subject (refuse if unmatched),
                # anything else is everyday phrasing that should not sink the answer.
                terms[word] = self.idf(word) if tag[:1] in _NOUN_TAGS or tag == "eng" else ABSENT_WORD_WEIGHT
        return terms

    def rerank(self, query: Query, hits: list[Hit]) -> list[Hit]:
        """Order passages by how well their best clause window answers the question."""
        terms = self.key_terms(query.text)
        if not hits or not terms:
            return hits
        best: dict[int, float] = {}
        for w in self._windows(query.text, query.periods, terms, hits):
            best[w.hit] = max(best.get(w.hit, -9.0), w.score)
        order = sorted(range(len(hits)), key=lambda i: -best.get(i, -9.0))
        return [Hit(hits[i].chunk, best.get(i, 0.0), {**hits[i].ranks, "fused": i + 1}) for i in order]

    def answer(self, query: Query, hits: list[Hit], style: str = "extractive") -> tuple[str, list[Citation], str]:
        """(answer text, citations, refusal reason); the reason is empty when the question is answered."""
        unknown = [p for p in self.tokenizer.places(query.text) if not self._df(p)]
        if unknown:
            return REFUSAL, [], f"报告没有提到“{unknown[0]}”"
        if not hits:
            return REFUSAL, [], "没有检索到任何段落"
        chosen: list[Window] = []
        reasons: list[str] = []
        for part in self._subquestions(query.text):
            windows, reason = self._answer_part(part, query.periods, hits)
            reasons.append(reason)
            for window in windows:
                if not any(w.hit == window.hit and w.start < window.end and window.start < w.end for w in chosen):
                    chosen.append(window)
        if not chosen:
            return REFUSAL, [], next(r for r in reasons if r)
        return self._compose(chosen, hits, style == "extractive-sentences")

    def _subquestions(self, question: str) -> list[str]:
        """"A是多少？B呢？" asks two things; a part without its own subject borrows the first part's."""
        parts = [p.strip() for p in _SUBQUESTION.findall(question) if len(p.strip("？? ")) > 1]
        if len(parts) <= 1:
            return [question]
        first = parts[0]
        return [first] + [p if len([t for t in self.key_terms(p) if self._df(t)]) >= 2 else merge(p, first) for p in parts[1:]]

    def _answer_part(self, question: str, periods: list[str], hits: list[Hit]) -> tuple[list[Window], str]:
        """The window(s) answering one (sub)question, or none and why."""
        terms = self.key_terms(question)
        if not terms:
            return [], "问题中没有可以在报告里查找的内容"
        year = self._uncovered_year(question)
        if year:
            return [], f"报告没有涉及{year}年的情况"
        windows = sorted(self._windows(question, periods, terms, hits), key=lambda w: -w.score)
        figure = bool(_HOW_MUCH.search(question))
        unit = _unit_figure(question)
        good = [w for w in windows if w.coverage >= self.refusal_threshold
                and (unit is None or _has_unit_figure(unit, terms, hits[w.hit].chunk, w))
                and (not figure or numbers_in(hits[w.hit].chunk.text[w.start:w.end]))]
        if not good:
            return [], "报告中没有足以回答这个问题的依据"
        chosen = [good[0]]
        # A comparison across periods ("今年的目标比去年多多少") needs the best window of each period.
        for period in periods if len(set(periods)) > 1 else []:
            if hits[chosen[0].hit].chunk.period != period:
                other = next((w for w in good if hits[w.hit].chunk.period == period), None)
                if other and other.score > good[0].score - 0.3:
                    chosen.append(other)
        return chosen, ""

    def _uncovered_year(self, question: str) -> str | None:
        """A year the documents never name and that ends no five-year plan (2024, 2027) is not reported on;
        a plan's last year (2025, 2030) is, through the plan's targets and results."""
        years = re.findall(r"((?:19|20)\d\d)年", search_form(cn_to_arabic(question)))
        return next((y for y in years if not self._df(f"{y}年") and (int(y) - 2020) % 5), None)

    def _windows(self, question: str, periods: list[str], terms: dict[str, float], hits: list[Hit]) -> list[Window]:
        alternatives = {t: [s for syn in self.tokenizer.synonyms if t in syn.phrase for s in syn.terms] for t in terms}
        parts = {t: [p for p in self.tokenizer.parts(t) if p != t] if len(t) > 3 else [] for t in terms}
        how_much, when = bool(_HOW_MUCH.search(question)), bool(_WHEN.search(question))
        define, which = bool(_DEFINE.search(question)), bool(_WHICH.search(question))
        total = sum(terms.values()) or 1.0
        top = max(h.score for h in hits) or 1.0
        out = []
        for h_i, hit in enumerate(hits):
            chunk = hit.chunk
            heading = search_form(" ".join(chunk.section))
            clauses = _clauses(chunk.text)
            spans = [(i, j) for i in range(len(clauses)) for j in range(i, min(i + MAX_WINDOW_CLAUSES, len(clauses)))]
            whole = define and chunk.period == GLOSSARY
            if whole:
                spans.append((0, len(clauses) - 1))
            for i, j in spans:
                piece = "".join(c[2] for c in clauses[i : j + 1])
                in_piece = {t for t in terms if t in piece or any(s in piece for s in alternatives[t])}
                in_heading = {t for t in terms if t not in in_piece and t in heading}
                # "城镇就业" also matches "城镇新增就业": a compound whose parts all appear counts most of its weight.
                split = {t for t in terms if t not in in_piece and t not in in_heading and parts[t] and all(p in piece for p in parts[t])}
                coverage = (sum(terms[t] for t in in_piece | in_heading) + PARTS_CREDIT * sum(terms[t] for t in split)) / total
                # Matches inside the window count more than those only its headings provide.
                score = coverage - 0.15 * sum(terms[t] for t in in_heading) / total
                if how_much:
                    score += 0.2 if numbers_in(piece) else -0.2
                if when and _TIME_WORDS.search(piece):
                    score += 0.2
                if whole and (i, j) == (0, len(clauses) - 1):
                    score += 0.3
                if which and any(q not in search_form(question) for q in _QUOTED.findall(piece)):
                    score += 0.1
                if periods and chunk.period and chunk.period not in periods:
                    score -= PERIOD_MISMATCH
                score += 0.25 * hit.score / top - 0.02 * (clauses[j][1] - clauses[i][0]) / 40
                out.append(Window(h_i, clauses[i][0], clauses[j][1], score, coverage))
        return out

    def _compose(self, windows: list[Window], hits: list[Hit], whole_sentences: bool) -> tuple[str, list[Citation], str]:
        citations: list[Citation] = []
        parts = []
        for w in sorted(windows, key=lambda w: (w.hit, w.start)):
            chunk = hits[w.hit].chunk
            n = next((c.n for c in citations if c.chunk.id == chunk.id), len({c.chunk.id for c in citations}) + 1)
            a, b = _trim(chunk.text, *(_sentence_around(chunk.text, w.start, w.end) if whole_sentences else (w.start, w.end)))
            citations.append(Citation(n, chunk, (a, b), hits[w.hit].score))
            parts.append(f"{chunk.text[a:b]}[{n}]")
        text = "；".join(parts)
        if not check_grounded(text, citations):
            return REFUSAL, [], "答案中的数字无法在引用的原文中核实"
        return text, citations, ""


def _unit_figure(question: str) -> re.Pattern[str] | None:
    """For a question asking for a figure in a specific unit (多少元, 几公里): a number followed by that unit."""
    m = _UNIT.search(search_form(cn_to_arabic(question)))
    return re.compile(r"\d(?:\.\d+)?[多余]?[万亿]?" + re.escape(m.group(1))) if m else None


def _has_unit_figure(figure: re.Pattern[str], terms: dict[str, float], chunk: Chunk, window: Window) -> bool:
    """The unit's figure sits in a clause of the window that is about the question (not a neighbour's)."""
    clauses = [c[2] for c in _clauses(chunk.text) if window.start <= c[0] and c[1] <= window.end]
    return any(figure.search(c) and any(t in c for t in terms) for c in clauses)


def check_answerer(name: str) -> str:
    """The answer style, or UnknownNameError naming the known ones."""
    if name not in ANSWERERS:
        raise UnknownNameError("answerer", name, list(ANSWERERS))
    return name


def _sentence_around(text: str, a: int, b: int) -> tuple[int, int]:
    """The span widened to the whole sentence(s) it sits in."""
    ends = "。！？!?；;"
    start = max((text.rfind(c, 0, a) for c in ends), default=-1) + 1
    stops = [i for i in (text.find(c, max(b - 1, a)) for c in ends) if i >= 0]
    return start, (min(stops) + 1 if stops else len(text))


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
