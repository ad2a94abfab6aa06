"""`Assistant`: the one library object the CLI, the UI and the evaluation runner all call.

A question goes through the stages in order: analysis (once), retrieval, reranking, the answerability
checks, the answerer (whichever fills the slot), grounding. Each stage is its own module.
"""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Callable

from .analysis import Analyzer, QuestionAnalysis
from .answerability import EvidenceModel, Verdict, features, structural
from .answerers import ANSWERERS, REFUSAL, STYLES, Answerer
from .config import Config
from .embedders import Embedder, get_embedder
from .errors import IndexStateError, QuestionError, UnknownChunkError, UnknownNameError
from .followup import resolve
from .grounding import part_problem
from .lexical import Tokenizer, parse_synonyms, synonyms_text
from .params import DEFAULT, AnswerParams
from .rerank import RERANKERS
from .retrieval import MODES, Query, Retriever
from .store import Index, build, check, index_path, load
from .types import Answer, AnswerPart, Chunk, Hit
from .windows import WindowScorer

HEADER_CHARS = 300


class Assistant:
    modes = MODES
    styles = STYLES

    def __init__(self, config: Config, index: Index, embedder: Embedder, tokenizer: Tokenizer,
                 params: AnswerParams = DEFAULT) -> None:
        self.config, self.index, self.params = config, index, params
        check_style(config.answer_style)
        ANSWERERS.check(config.answerer)
        # A report names the place it is about in its first lines ("洛阳市偃师区人民政府").
        home = frozenset(p for doc in index.documents.values() for p in tokenizer.places(doc.text[:HEADER_CHARS]))
        years = [d.year for d in index.documents.values() if d.year]
        # One report year for relative words; with several reports the newest one wins.
        self.analyzer = Analyzer(tokenizer, [c.text for c in index.chunks], home, max(years) if years else None,
                                 params.windows.absent_word_weight)
        self.scorer = WindowScorer(tokenizer, params.windows)
        self.retriever = Retriever(index, embedder, tokenizer, config, index.sentences)
        self.reranker = RERANKERS.create(config.reranker, scorer=self.scorer)
        self.evidence = EvidenceModel(params.model)
        self._answerers: dict[str, Answerer] = {}
        self._by_id = {c.id: c for c in index.chunks}

    @classmethod
    def load(cls, config: Config | None = None, progress: Callable[[str], None] | None = print,
             rebuild: bool = False, params: AnswerParams = DEFAULT) -> "Assistant":
        """Open the index for `config`, building it first when it is missing, stale or corrupt."""
        config = config or Config.from_env()
        say = progress or (lambda _msg: None)
        embedder = get_embedder(config.embedder)
        table = synonyms_text(Path(config.synonyms) if config.synonyms else None)
        tokenizer = Tokenizer(parse_synonyms(table))
        sha = hashlib.sha256(table.encode("utf-8")).hexdigest()
        path = index_path(config, embedder.name)
        index = None
        if not rebuild:
            try:
                index = load(path, check(path, config, embedder.name, sha))
            except IndexStateError as exc:
                say(f"building the index: {exc}")
        if index is None:
            index = build(config, embedder, tokenizer, sha, say)
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

    def answerer(self, name: str | None = None) -> Answerer:
        """The answerer registered under `name` (the configured one by default), created once."""
        name = ANSWERERS.check(name or self.config.answerer)
        if name not in self._answerers:
            self._answerers[name] = ANSWERERS.create(name, scorer=self.scorer, analyzer=self.analyzer,
                                                     params=self.params, config=self.config)
        return self._answerers[name]

    def validate(self, question: str) -> str:
        q = (question or "").strip()
        if not q:
            raise QuestionError("问题是空的：请输入一个关于报告内容的问题。")
        if len(q) > self.config.max_question_chars:
            raise QuestionError(f"问题太长（{len(q)} 字）：请把问题控制在 {self.config.max_question_chars} 字以内。")
        return q

    def judge(self, q: QuestionAnalysis, query: Query, hits: list[Hit]) -> tuple[Verdict, dict[str, float]]:
        """Whether the retrieved evidence answers one (sub)question, and the evidence model's inputs."""
        verdict = structural(q)
        if not verdict.answerable:
            return verdict, {}
        if not hits:
            return Verdict(False, "no_passages", "没有检索到任何段落"), {}
        x = features(q, hits, self.scorer.windows(q, hits, query.sentence_sims(hits)), self.scorer, self.analyzer,
                     self.index.sentences.vectors @ query.vector)
        return self.evidence.verdict(x, q.keyword), x

    def ask(self, question: str, history: list[str] | None = None, top_k: int | None = None,
            mode: str | None = None, answerer: str | None = None, style: str | None = None,
            docs: list[str] | None = None) -> Answer:
        started = time.perf_counter()
        style = check_style(style or self.config.answer_style)
        slot = self.answerer(answerer)
        q = self.validate(question)
        understood = resolve(q, [h for h in (history or []) if h and h.strip()])
        t = time.perf_counter()
        analysis = self.analyzer.analyse(understood)
        query = self.retriever.prepare(analysis, frozenset(docs) if docs else None)
        timings = {"prepare": (time.perf_counter() - t) * 1000}
        k = max(1, top_k or self.config.top_k)
        pool = self.retriever.search(query, max(k, self.config.rerank_pool), mode)
        timings.update(query.timings_ms)
        t = time.perf_counter()
        hits = self.reranker.rerank(query, pool)[:k]
        timings["rerank"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        questions = list(analysis.parts) or [analysis]
        verdicts = [self.judge(part, query, hits)[0] for part in questions]
        accepted = [part for part, v in zip(questions, verdicts) if v.answerable]
        confidence = min((v.probability for v in verdicts if v.probability is not None), default=None)
        timings["check"] = (time.perf_counter() - t) * 1000
        answer = Answer(q, REFUSAL, [], True, hits, analysis.text, timings, "", [], "", confidence)
        if not accepted:
            first = next(v for v in verdicts if not v.answerable)
            answer.refusal_reason, answer.check = first.reason, first.check
            return _finish(answer, started)
        t = time.perf_counter()
        draft = slot.answer(query, hits, accepted, style)
        timings["answer"] = (time.perf_counter() - t) * 1000
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
        answer.check = "grounding" if dropped else ""
        return _finish(answer, started)


def check_style(name: str) -> str:
    if name not in STYLES:
        raise UnknownNameError("answer style", name, list(STYLES))
    return name


def _finish(answer: Answer, started: float) -> Answer:
    answer.timings_ms["total"] = (time.perf_counter() - started) * 1000
    return answer

