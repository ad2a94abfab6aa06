"""The threads that answer questions for the web server, shared by every client.

Why a pool of its own: the `Assistant` is thread-safe and locks only the embedder call, so questions are
answered side by side; but no client should wait without end. Each request has a time budget that
counts from its arrival, waiting for a thread included: past it the client is told so (OverBudgetError),
and a request that has not started by then never starts. Work already started finishes in its thread
(Python cannot stop a thread), and every input is bounded (question, history, top_k), so that work is
bounded too: the largest request the limits allow takes about 2 s alone (README).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

from .errors import OverBudgetError

T = TypeVar("T")


class Workers:
    def __init__(self, threads: int, budget_s: float) -> None:
        if threads < 1 or budget_s <= 0:
            raise ValueError("threads must be ≥ 1 and budget_s > 0")
        self.threads, self.budget_s = threads, budget_s
        self._pool = concurrent.futures.ThreadPoolExecutor(threads, thread_name_prefix="qa-answer")

    def run(self, fn: Callable[[], T]) -> T:
        """fn() in a worker thread, for a caller that may block (Gradio's threads)."""
        future = self._pool.submit(fn)
        try:
            return future.result(timeout=self.budget_s)
        except concurrent.futures.TimeoutError:
            future.cancel()  # one still waiting for a thread never starts
            raise self._over_budget() from None

    async def arun(self, fn: Callable[[], T]) -> T:
        """fn() in a worker thread, awaited on the event loop (the plain JSON route)."""
        future = self._pool.submit(fn)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.budget_s)
        except asyncio.TimeoutError:
            future.cancel()
            raise self._over_budget() from None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _over_budget(self) -> OverBudgetError:
        return OverBudgetError(f"回答没能在 {self.budget_s:g} 秒内完成（服务器正忙），请稍后再试。")
