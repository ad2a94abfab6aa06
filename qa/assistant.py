"""`Assistant`: the one library object the CLI, the UI and the evaluation runner all call.

A question goes through the stages in order: analysis (once), retrieval, reranking, the answerability
checks, the answerer (whichever fills the slot), grounding. Each stage is its own module.
"""
from __future__ import annotations

import dataclasses
import re
import time
from collections import Counter
from typing import Any, Callable

from .analysis import Analyzer, QuestionAnalysis
from .answerability import OK, EvidenceModel, Verdict, features, structural
from .answerers import ANSWERERS, REFUSAL, STYLES, Answerer
from .config import Config
from .embedders import Embedder, get_embedder
from .errors import IndexStateError, QuestionError, UnknownChunkError, UnknownNameError
from .followup import bounded_history, resolve
from .grounding import part_problem
from .lexical import Tokenizer, lexical_setup
from .outline import Outline
from .params import DEFAULT, AnswerParams
from .rerankers import RERANKERS, Reranker
from .query import Query
from .query_batcher import QueryBatcher
from .retrieval import MODES, Retriever
from .store import Index, build, check, index_path, load
from .types import Answer, AnswerPart, Chunk, Hit
from .validation import check_top_k
from .windows import WindowScorer

_MARKER = re.compile(r"\[(\d+)\]")

HEADER_CHARS = 300
_PROVINCE = re.compile(r"[\u4e00-\u9fff]{2,3}省")
# A question naming no place, asked over several reports, is answered from at most this many of them.
MAX_REPORTS_PER_ANSWER = 5


def province(text: str, tokenizer: Tokenizer) -> str | None:
    """The province a report below that level is in: the one it names most (河南 in a Luoyang district's
    report, which says 河南省 and 全省 of it and names another province only in passing). Only the few
    stretches that end in 省 are tagged, not the whole report: this runs for every report at start-up."""
    named = Counter(p for m in _PROVINCE.finditer(text) for p in tokenizer.places(m.group(0)))
    return named.most_common(1)[0][0] if named else None


class Assistant:
    modes = MODES
    styles = STYLES

    def __init__(self, config: Config, index: Index, embedder: Embedder, tokenizer: Tokenizer,
                 params: AnswerParams = DEFAULT) -> None:
        self.config, self.index, self.params = config, index, params
        check_style(config.answer_style)
        ANSWERERS.check(config.answerer)
        docs = index.documents.values()
        # The places the reports are about (their own, their parent's, what their header names): a question
        # naming one asks nothing more specific, and with several reports it picks the report.
        home = frozenset({p for d in docs for p in (d.place, d.parent, province(d.text, tokenizer)) if p}
                         | {p for d in docs for p in tokenizer.places(d.text[:HEADER_CHARS])})
        years = [d.year for d in docs if d.year]
        # Relative years resolve against the newest report, or against the report the question names.
        self.analyzer = Analyzer(tokenizer, [c.text for c in index.chunks], home, max(years) if years else None,
                                 params.windows.absent_word_weight, frozenset(d.place for d in docs if d.place),
                                 params.windows.specific_passages, params.windows.context_weight)
        # With several reports every statement says which one it comes from ("新安县2025年，…").
        self.place_labels = {d.name: d.place_full or d.name for d in docs} if len(index.documents) > 1 else {}
        self.scorer = WindowScorer(tokenizer, params.windows)
        queries = QueryBatcher(embedder, config.query_batch, config.query_threads)
        self.retriever = Retriever(index, queries, tokenizer, config, index.sentences)  # store: config.store (qa/stores)
        self._rerankers: dict[str, Reranker] = {}
        self.reranker = self.reranker_for(config.reranker)
        self.evidence = EvidenceModel(params.model, embedder.name)
        self._answerers: dict[str, Answerer] = {}
        self._by_id = {c.id: c for c in index.chunks}
        self.outline = Outline(index.chunks)

    @classmethod
    def load(cls, config: Config | None = None, progress: Callable[[str], None] | None = print,
             rebuild: bool = False, params: AnswerParams = DEFAULT, allow_slow_build: bool = True) -> "Assistant":
        """Open the index for `config`, building it first when it is missing, stale or corrupt; with
        allow_slow_build=False a build estimated to take long is refused (SlowBuildError) instead."""
        config = config or Config.from_env()
        say = progress or (lambda _msg: None)
        embedder = get_embedder(config.embedder)
        tokenizer, sha = lexical_setup(config.synonyms, config.colloquial)
        path = index_path(config, embedder.name)
        index = None
        if not rebuild:
            try:
                index = load(path, check(path, config, embedder.name, sha))
            except IndexStateError as exc:
                say(f"building the index: {exc}")
        if index is None:
            index = build(config, embedder, tokenizer, sha, say, allow_slow_build=allow_slow_build)
        return cls(config, index, embedder, tokenizer, params)

    @property
    def answerers(self) -> list[str]:
        return ANSWERERS.names()

    @property
    def chunks(self) -> list[Chunk]:
        return self.index.chunks

    @property
    def documents(self) -> dict[str, str]:
        return {name: doc.text for name, doc in self.index.documents.items()}

    @property
    def manifest(self) -> dict[str, Any]:
        return self.index.manifest

    def chunk(self, chunk_id: str) -> Chunk:
        try:
            return self._by_id[chunk_id]
        except KeyError:
            raise UnknownChunkError(chunk_id) from None

    @property
    def rerankers(self) -> list[str]:
        """Rerankers a reader may choose; a model reranker only when a model is configured for it."""
        return [n for n in RERANKERS.names() if n != "cross-encoder" or self.config.reranker_model]

    def reranker_for(self, name: str | None = None) -> Reranker:
        """The reranker registered under `name` (the configured one by default), created once."""
        name = RERANKERS.check(name or self.config.reranker)
        if name not in self._rerankers:
            self._rerankers[name] = RERANKERS.create(name, scorer=self.scorer, config=self.config)
        return self._rerankers[name]

    def answerer(self, name: str | None = None) -> Answerer:
        """The answerer registered under `name` (the configured one by default), created once."""
        name = ANSWERERS.check(name or self.config.answerer)
        if name not in self._answerers:
            self._answerers[name] = ANSWERERS.create(name, scorer=self.scorer, analyzer=self.analyzer,
                                                     params=self.params, config=self.config, places=self.place_labels)
        return self._answerers[name]

    def validate(self, question: str) -> str:
        q = (question or "").strip()
        if not q:
            raise QuestionError("问题是空的：请输入一个关于报告内容的问题。")
        if len(q) > self.config.max_question_chars:
            raise QuestionError(f"问题太长（{len(q)} 字）：请把问题控制在 {self.config.max_question_chars} 字以内。")
        return q

    def judge(self, q: QuestionAnalysis, query: Query, hits: list[Hit]) -> tuple[Verdict, dict[str, Any]]:
        """Whether the retrieved evidence answers one (sub)question, and the evidence model's inputs."""
        verdict = structural(q, hits, self.scorer.tokenizer.alternatives)
        if not verdict.answerable:
            return verdict, {}
        if not hits:
            return Verdict(False, "no_passages", "没有检索到任何段落"), {}
        x = features(q, hits, query.windows(self.scorer, q, hits), self.scorer, self.analyzer,
                     self.index.sentences.vectors @ query.vector)
        return self.evidence.verdict(x, q, query.vector), x

    def ask(self, question: str, history: list[str] | None = None, top_k: int | None = None,
            mode: str | None = None, answerer: str | None = None, style: str | None = None,
            docs: list[str] | None = None, reranker: str | None = None) -> Answer:
        started = time.perf_counter()
        style = check_style(style or self.config.answer_style)
        slot, ranker = self.answerer(answerer), self.reranker_for(reranker)
        q = self.validate(question)
        k = check_top_k(top_k, self.config.max_top_k) if top_k is not None else self.config.top_k
        # Only the last few turns matter for a follow-up; the rest are dropped before any work.
        understood = resolve(q, bounded_history(history or [], self.config.max_history_turns, self.config.max_history_chars))
        scopes = self.scopes(understood, docs)
        if len(scopes) == 1:
            return self._ask_in(q, understood, scopes[0], k, mode, slot, ranker, style, started)
        return merge_answers([self._ask_in(q, understood, scope, k, mode, slot, ranker, style, started)
                              for scope in scopes], started)

    def ask_stream(self, question: str, history: list[str] | None = None, **options: Any):
        """`ask`, with a generative answerer's draft as it is written. Yields ("token", text) pieces of the
        model's *unchecked* draft (none for the extractive answerer), then ("answer", Answer): exactly what
        `ask` returns, checked (sentences removed, or the extractive fallback), which replaces the draft.
        Errors `ask` raises (QuestionError, …) are raised here. Closing the generator stops the generation."""
        import queue
        import threading

        from .answerers.generative import Sink, streaming_to

        events: queue.Queue = queue.Queue()
        sink = Sink(lambda text: events.put(("token", text)))

        def work() -> None:
            try:
                with streaming_to(sink):
                    events.put(("answer", self.ask(question, history, **options)))
            except BaseException as exc:  # handed to the reader's thread, raised there
                events.put(("error", exc))

        threading.Thread(target=work, name="qa-ask-stream", daemon=True).start()
        try:
            while True:
                kind, value = events.get()
                if kind == "error":
                    raise value
                yield kind, value
                if kind == "answer":
                    return
        finally:
            sink.cancel()

    def scopes(self, question: str, docs: list[str] | None = None) -> list[frozenset[str] | None]:
        """Which reports answer the question: those it names by place (新安县…), else the chosen ones; with
        several reports and none named, each report separately (labelled answers), the most relevant first."""
        chosen = [d for d in self.index.documents.values() if not docs or d.name in docs]
        folded = self.analyzer.fold(question)
        named = [d.name for d in chosen if d.place and d.place in folded]
        if named:
            return [frozenset(named)]
        if len(chosen) <= 1:
            return [frozenset(docs) if docs else None]
        return [frozenset({d.name}) for d in chosen[:MAX_REPORTS_PER_ANSWER]]

    def _ask_in(self, q: str, understood: str, scope: frozenset[str] | None, k: int, mode: str | None,
                slot: Answerer, ranker: Reranker, style: str, started: float) -> Answer:
        t = time.perf_counter()
        years = [self.index.documents[d].year for d in scope or ()]
        analysis = self.analyzer.analyse(understood, year=max(years) if years and None not in years else None)
        query = self.retriever.prepare(analysis, scope)
        timings = {"prepare": (time.perf_counter() - t) * 1000}
        pool = self.retriever.search(query, max(k, self.config.rerank_pool), mode)
        timings.update(query.timings_ms)
        t = time.perf_counter()
        hits = ranker.rerank(query, pool)[:k]
        timings["rerank"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        questions = list(analysis.parts) or [analysis]
        # "哪几方面": the titles of the sections the best passage announces answer it, whichever answerer is used.
        outlined = self.outline.draft(analysis, hits)
        verdicts = [OK if outlined else self.judge(part, query, hits)[0] for part in questions]
        accepted = [part for part, v in zip(questions, verdicts) if v.answerable]
        confidence = min((v.probability for v in verdicts if v.probability is not None), default=None)
        timings["check"] = (time.perf_counter() - t) * 1000
        answer = Answer(q, REFUSAL, [], True, hits, analysis.text, timings, "", [], "", confidence)
        if not accepted:
            first = next(v for v in verdicts if not v.answerable)
            answer.refusal_reason, answer.check = first.reason, first.check
            return _finish(answer, started)
        t = time.perf_counter()
        draft = outlined or slot.answer(query, hits, accepted, style)
        timings["answer"] = (time.perf_counter() - t) * 1000
        answer.note = draft.note
        answer.dropped = draft.dropped + [f"{p.text}（{part_problem(p, draft.citations)}）"
                                          for p in draft.parts if part_problem(p, draft.citations)]
        kept = [p for p in draft.parts if not part_problem(p, draft.citations)]
        dropped = len(draft.parts) - len(kept)
        if not kept:
            answer.refusal_reason = "答案中的数字无法在引用的原文中核实" if draft.parts else "报告中没有足以回答这个问题的依据"
            answer.check = "grounding" if draft.parts else "evidence"
            return _finish(answer, started)
        used = {n for p in kept for n in p.citations}
        # A sub-question the report does not answer is said so in its place, with why.
        kept += [AnswerPart(f"（“{part.text.rstrip('？?')}”：{REFUSAL}，{v.reason}）", ())
                 for part, v in zip(questions, verdicts) if not v.answerable]
        answer.text, answer.parts, answer.refused = "；".join(p.text for p in kept), kept, False
        answer.citations = [c for c in draft.citations if c.n in used]
        answer.check = "grounding" if dropped or draft.dropped else ""
        return _finish(answer, started)


def check_style(name: str) -> str:
    if name not in STYLES:
        raise UnknownNameError("answer style", name, list(STYLES))
    return name


def merge_answers(answers: list[Answer], started: float) -> Answer:
    """One answer from per-report answers: the answered ones in order, citations renumbered; a refusal
    (the first report's reason) when no report answers."""
    answered = [a for a in answers if not a.refused]
    if not answered:
        return _finish(answers[0], started)
    first = answered[0]
    parts, citations, hits, offset = [], [], [], 0
    for a in answered:
        shift = {c.n: c.n + offset for c in a.citations}
        renumber = lambda m, shift=shift: f"[{shift.get(int(m.group(1)), int(m.group(1)))}]"  # noqa: E731
        parts += [AnswerPart(_MARKER.sub(renumber, p.text), tuple(shift.get(n, n) for n in p.citations), p.derivation)
                  for p in a.parts]
        citations += [dataclasses.replace(c, n=shift[c.n]) for c in a.citations]
        hits += a.hits
        offset = max(shift.values(), default=offset)
    merged = dataclasses.replace(first, text="；".join(p.text for p in parts), parts=parts, citations=citations,
                                 hits=hits, dropped=[d for a in answered for d in a.dropped],
                                 timings_ms=dict(first.timings_ms))
    return _finish(merged, started)


def _finish(answer: Answer, started: float) -> Answer:
    answer.timings_ms["total"] = (time.perf_counter() - started) * 1000
    return answer

