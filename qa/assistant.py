"""`Assistant`: the one library object the CLI, the UI and the evaluation runner all call."""
from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Callable

from .answer import ANSWERERS, ExtractiveAnswerer, check_answerer
from .config import Config
from .embedders import Embedder, get_embedder
from .errors import IndexStateError, QuestionError, UnknownChunkError
from .followup import resolve
from .lexical import Tokenizer, parse_synonyms, synonyms_text
from .retrieval import MODES, Retriever
from .store import Index, build, check, index_path, load
from .types import Answer, Chunk


HEADER_CHARS = 300


class Assistant:
    modes = MODES
    answerers = ANSWERERS

    def __init__(self, config: Config, index: Index, embedder: Embedder, tokenizer: Tokenizer) -> None:
        check_answerer(config.answerer)
        self.config = config
        self.index = index
        self.retriever = Retriever(index, embedder, tokenizer, config)
        # A report names the place it is about in its first lines ("洛阳市偃师区人民政府").
        home = frozenset(p for doc in index.documents.values() for p in tokenizer.places(doc.text[:HEADER_CHARS]))
        self.answerer = ExtractiveAnswerer(tokenizer, [c.text for c in index.chunks], config.refusal_threshold, home)
        self._by_id = {c.id: c for c in index.chunks}

    @classmethod
    def load(cls, config: Config | None = None, progress: Callable[[str], None] | None = print,
             rebuild: bool = False) -> "Assistant":
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
        return cls(config, index, embedder, tokenizer)

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

    def validate(self, question: str) -> str:
        q = (question or "").strip()
        if not q:
            raise QuestionError("问题是空的：请输入一个关于报告内容的问题。")
        if len(q) > self.config.max_question_chars:
            raise QuestionError(f"问题太长（{len(q)} 字）：请把问题控制在 {self.config.max_question_chars} 字以内。")
        return q

    def ask(self, question: str, history: list[str] | None = None, top_k: int | None = None,
            mode: str | None = None, answerer: str | None = None) -> Answer:
        started = time.perf_counter()
        style = check_answerer(answerer or self.config.answerer)
        q = self.validate(question)
        understood = resolve(q, [h for h in (history or []) if h and h.strip()])
        t = time.perf_counter()
        query = self.retriever.prepare(understood)
        timings = {"prepare": (time.perf_counter() - t) * 1000}
        k = max(1, top_k or self.config.top_k)
        pool = self.retriever.search(query, max(k, self.config.rerank_pool), mode)
        timings.update(query.timings_ms)
        t = time.perf_counter()
        hits = self.answerer.rerank(query, pool)[:k] if self.config.rerank_pool else pool
        timings["rerank"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        text, citations, reason = self.answerer.answer(query, hits, style)
        timings["answer"] = (time.perf_counter() - t) * 1000
        timings["total"] = (time.perf_counter() - started) * 1000
        return Answer(q, text, citations, bool(reason), hits, understood, timings, reason)

