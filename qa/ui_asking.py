"""From the UI's inputs to `Assistant.ask`: the report scope, the follow-up history and the options, all
checked before any work; and the `ask` API endpoint, which returns the JSON of `qa ask --json`."""
from __future__ import annotations

from typing import Any

import gradio as gr

from qa import Config, QAError, render_header
from qa.validation import check_top_k


def documents_of(assistant: Any) -> dict[str, Any]:
    """The loaded reports by name (none when the assistant has no index)."""
    index = getattr(assistant, "index", None)
    return dict(getattr(index, "documents", None) or {})


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


def checked_top_k(assistant: Any, top_k: Any) -> int | None:
    """top_k checked before any work: a whole number from 1 to Config.max_top_k (QuestionError otherwise)."""
    if top_k is None or top_k == "":
        return None
    config = getattr(assistant, "config", None) or Config()
    return check_top_k(top_k, int(getattr(config, "max_top_k", 20)))


def ask_kwargs(top_k: Any, mode: str | None, style: str | None, answerer: str | None, docs: list[str] | None,
               reranker: str | None = None) -> dict:
    """Keyword arguments of `Assistant.ask`; an option left unset is not passed, so the Assistant's default applies."""
    kwargs: dict[str, Any] = {"top_k": top_k, "mode": mode or None}
    if reranker:
        kwargs["reranker"] = reranker
    if style:
        kwargs["style"] = style
    if answerer:
        kwargs["answerer"] = answerer
    if docs:
        kwargs["docs"] = docs
    return kwargs


def ask_json(assistant: Any, question: str, top_k: int = 5, history: list[str] | None = None,
             mode: str | None = None, answerer: str | None = None, style: str | None = None,
             docs: list[str] | None = None, reranker: str | None = None) -> dict:
    """The `ask` API endpoint: `answer.to_dict()`; a bad question, mode, style or report is a gr.Error."""
    if mode and mode not in assistant.modes:
        raise gr.Error(f"未知的检索方式 {mode!r}，可选：{', '.join(assistant.modes)}")
    if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
        raise gr.Error("history 必须是之前问题的列表")
    if docs is not None and not (isinstance(docs, list) and all(isinstance(d, str) for d in docs)):
        raise gr.Error("docs 必须是报告名称的列表")
    known = documents_of(assistant)
    unknown = [d for d in docs or [] if known and d not in known]
    if unknown:
        raise gr.Error(f"未知的报告 {', '.join(map(repr, unknown))}，可选：{', '.join(known)}")
    try:
        return assistant.ask(question, history=list(history or []),
                             **ask_kwargs(checked_top_k(assistant, top_k), mode, style, answerer, docs or None,
                                          reranker)).to_dict()
    except (QAError, KeyError) as exc:  # QuestionError, an unknown answerer or style
        raise gr.Error(str(exc)) from exc
