"""From the UI's inputs to `Assistant.ask`: the report scope, the follow-up history and the options, all
checked before any work; and the `ask` API endpoint, which returns the JSON of `qa ask --json`."""
from __future__ import annotations

from typing import Any

import gradio as gr

from qa import Config, QAError, render_header
from qa.ask_request import answer_json, documents_of
from qa.workers import Workers


def report_choices(assistant: Any) -> list[tuple[str, str]]:
    """(label, document name) of every loaded report, labelled by place, level and year."""
    return [(render_header.report_label(doc, name), name) for name, doc in documents_of(assistant).items()]


def scope_docs(scope: str | None) -> list[str] | None:
    """The selector's value as `docs=` for ask: one report, or None for all."""
    return [scope] if scope else None


def trim_history(assistant: Any, history: list[str]) -> list[str]:
    """The last questions within the library's follow-up limits (turns and characters)."""
    config = getattr(assistant, "config", None) or Config()
    turns, chars = getattr(config, "max_history_turns", 8), getattr(config, "max_history_chars", 2000)
    kept: list[str] = []
    total = 0
    for q in reversed([h for h in history if isinstance(h, str) and h.strip()][-turns:] if turns else []):
        if total + len(q) > chars:
            break
        kept.insert(0, q)
        total += len(q)
    return kept


def ask_json(assistant: Any, question: str, top_k: int = 5, history: list[str] | None = None,
             mode: str | None = None, answerer: str | None = None, style: str | None = None,
             docs: list[str] | None = None, reranker: str | None = None, workers: Workers | None = None) -> dict:
    """The `ask` API endpoint: `answer.to_dict()` (in `workers`, within their time budget, when given);
    a bad question, option or report, or an answer over budget, is a gr.Error with the reason."""
    request = {"question": question, "top_k": top_k, "history": history, "mode": mode, "answerer": answerer,
               "style": style, "docs": docs, "reranker": reranker}
    try:
        return workers.run(lambda: answer_json(assistant, request)) if workers else answer_json(assistant, request)
    except QAError as exc:
        raise gr.Error(str(exc)) from exc
