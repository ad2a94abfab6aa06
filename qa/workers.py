"""The threads that answer questions for the web server, shared by every client.

Why a pool of its own: the `Assistant` is thread-safe (question embeddings go through one thread,
qa/query_batcher.py; the rest runs side by side), but no client should wait without end. Each request
has a time budget from the moment the route hands it over (reading its body and Gradio's own queue come
before): past it the client is told so (OverBudgetError), and a request that has not started by then
never starts. Work already started finishes in its thread (Python cannot stop a thread); every input is
bounded (question, history, top_k), so that work is bounded too: the largest request the limits allow
takes about 1 s alone here (README). And at most `max_waiting` requests wait for a thread: one more is
told at once that the server is busy, instead of after its whole budget.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from .errors import OverBudgetError

T = TypeVar("T")


class Workers:
    def __init__(self, threads: int, budget_s: float, max_waiting: int = 1000) -> None:
        if threads < 1 or budget_s <= 0 or max_waiting < 0:
            raise ValueError("threads must be ≥ 1, budget_s > 0 and max_waiting ≥ 0")
        self.budget_s = budget_s
        self._capacity = threads + max_waiting
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="qa-answer")
        self._taken = 0
        self._guard = threading.Lock()

    def run(self, fn: Callable[[], T]) -> T:
        """fn() in a worker thread, for a caller that may block (Gradio's threads)."""
        with self._slot():
            future = self._pool.submit(fn)
            try:
                return future.result(timeout=self.budget_s)
            except concurrent.futures.TimeoutError:
                future.cancel()  # one still waiting for a thread never starts
                raise self._over_budget() from None

    async def arun(self, fn: Callable[[], T]) -> T:
        """fn() in a worker thread, awaited on the event loop (the plain JSON route)."""
        with self._slot():
            future = self._pool.submit(fn)
            try:
                # wait_for cancels the wrapped future on timeout, which cancels one not yet started
                return await asyncio.wait_for(asyncio.wrap_future(future), self.budget_s)
            except asyncio.TimeoutError:
                raise self._over_budget() from None

    @contextmanager
    def _slot(self) -> Iterator[None]:
        with self._guard:
            if self._taken >= self._capacity:
                raise OverBudgetError("服务器正忙（等待回答的问题已满），请稍后再试。")
            self._taken += 1
        try:
            yield
        finally:
            with self._guard:
                self._taken -= 1

    def _over_budget(self) -> OverBudgetError:
        return OverBudgetError(f"回答没能在 {self.budget_s:g} 秒内完成（服务器正忙），请稍后再试。")
