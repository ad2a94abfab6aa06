"""How much one hostile client delays another: `python -m qa.loadtest --serve --interference`.

A probe client asks ordinary questions one after another, three times: alone; while one *heavy* client
sends, back to back, the most expensive request the limits allow (the longest question, made of many
sub-questions, the longest history, the largest top_k); and while one *slow* client trickles a request
body one byte every 0.2 s. Reported per condition: the probe's latency p50/p95/max, and its p95 delay
against the probe alone. The issue's bound is one second. Nothing here asserts a timing: it measures.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .config import Config
from .load_clients import TRANSPORTS, latency_summary, trickle


def heaviest_request(questions: Sequence[str], config: Config) -> tuple[str, list[str], int]:
    """(question, history, top_k) at the limits of `config`: questions joined up to max_question_chars,
    max_history_turns entries filling max_history_chars, and max_top_k."""
    question = ""
    for q in (list(questions) * 50):
        if len(question) + len(q) > config.max_question_chars:
            break
        question += q
    turns = max(1, config.max_history_turns)
    per_turn = config.max_history_chars // turns
    history = [("".join(questions) * 20)[i * per_turn:(i + 1) * per_turn] for i in range(turns)]
    return question, history, config.max_top_k


def run_interference(url: str, questions: Sequence[str], transport: str = "json", rounds: int = 40,
                     auth: tuple[str, str] | None = None, config: Config | None = None,
                     say: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The probe's latencies alone, beside one heavy client, and beside one slow client (module doc)."""
    say = say or (lambda _m: None)
    config = config or Config.from_env()
    make = lambda: TRANSPORTS[transport](url, auth)  # noqa: E731
    probe = make()
    asked = [questions[i % len(questions)] for i in range(rounds)]
    for q in dict.fromkeys(asked):  # warm: each answer once before any timing
        probe.ask(q)

    def probe_ms() -> list[float]:
        out = []
        for q in asked:
            t = time.perf_counter()
            probe.ask(q)
            out.append((time.perf_counter() - t) * 1000)
        return out

    heavy_q, heavy_history, heavy_k = heaviest_request(questions, config)
    heavy_ms: list[float] = []
    heavy_errors: list[str] = []

    def heavy(stop: threading.Event) -> None:
        client = make()
        while not stop.is_set():
            t = time.perf_counter()
            try:
                client.ask(heavy_q, heavy_k, heavy_history)
                heavy_ms.append((time.perf_counter() - t) * 1000)
            except Exception as exc:  # noqa: BLE001 - an over-budget answer is a result, not a failure
                heavy_errors.append(str(exc)[:200])
        client.close()

    def slow(stop: threading.Event) -> None:
        while not stop.is_set():  # a request the server gives up on is sent again
            trickle(url, stop)

    results: dict[str, Any] = {}
    say(f"probe alone: {rounds} questions")
    results["alone"] = latency_summary(probe_ms())
    for name, body in (("heavy", heavy), ("slow", slow)):
        stop = threading.Event()
        thread = threading.Thread(target=body, args=(stop,), daemon=True)
        thread.start()
        time.sleep(1.0)  # let the hostile client get going
        say(f"probe beside one {name} client: {rounds} questions")
        results[name] = latency_summary(probe_ms())
        stop.set()
        thread.join(timeout=30)
    probe.close()
    for name in ("heavy", "slow"):
        results[name]["delay_p95_ms"] = round(results[name]["p95"] - results["alone"]["p95"], 1)
    return {"url": url, "transport": transport, "rounds": rounds, "probe": results,
            "heavy_request": {"question_chars": len(heavy_q), "history_turns": len(heavy_history),
                              "history_chars": sum(map(len, heavy_history)), "top_k": heavy_k,
                              "latency_ms": latency_summary(heavy_ms), "errors": len(heavy_errors),
                              "error_examples": heavy_errors[:3]}}
