"""The chat: one turn (question → answer message, sources panel, history) and its streaming form, which
shows a generative answerer's draft while it is written. Chat state lives in the session: the Chatbot
value, a gr.State of previous questions and one of the answers shown (for feedback)."""
from __future__ import annotations

import queue
import re
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import gradio as gr

from qa import QAError, QuestionError, render
from qa.ask_request import ask_kwargs, checked_top_k
from qa.ui_asking import scope_docs, trim_history
from qa.ui_feedback import answer_record

MAX_MESSAGES = 200  # chat messages kept per session (the oldest go first)
MAX_ANSWERS_KEPT = 100  # answers per session that can still receive feedback
NON_CHINESE_HINT = ("本系统回答关于中文政府工作报告的问题，请用中文提问，例如：“2025年地区生产总值增长多少？”"
                    "（Questions are expected in Chinese.）")

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def is_non_chinese(question: str) -> bool:
    """A question written without Chinese characters but with Latin letters (English, pinyin, …)."""
    q = question or ""
    return not _HAN.search(q) and len(_LATIN.findall(q)) >= 2


def respond_streaming(assistant: Any, question: str, messages: list | None, *args: Any,
                      **kwargs: Any) -> Iterator[tuple]:
    """`respond`, yielding a generative answerer's unchecked draft into the chat as it is written, then the
    checked answer (which replaces the draft). The extractive answerer yields its answer once."""
    drafts: queue.Queue = queue.Queue()

    def ask(q: str, history: list[str] | None = None, **options: Any) -> Any:
        for kind, value in assistant.ask_stream(q, history=history, **options):
            if kind == "token":
                drafts.put(value)
            else:
                return value

    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["turn"] = respond(assistant, question, messages, *args, ask=ask, **kwargs)
        except BaseException as exc:  # raised again in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="qa-chat-turn", daemon=True)
    worker.start()
    shown = list(messages or [])[-MAX_MESSAGES:] + [{"role": "user", "content": render.user_message(question or "")}]
    text = ""
    while worker.is_alive() or not drafts.empty():
        try:
            text += drafts.get(timeout=0.1)
        except queue.Empty:
            continue
        yield gr.skip(), shown + [{"role": "assistant", "content": render.draft(text)}], gr.skip(), gr.skip(), gr.skip()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["turn"]


def respond(assistant: Any, question: str, messages: list | None, history: list[str] | None,
            top_k: float | None, mode: str | None, style: str | None = None, answerer: str | None = None,
            scope: str | None = None, answers: dict | None = None, key: str | None = None,
            labels: dict[str, str] | None = None, ask: Any = None,
            reranker: str | None = None) -> tuple[Any, list, list[str], Any, dict]:
    """One chat turn → (textbox value, chat messages, previous questions, sources panel HTML, answers shown).

    A QuestionError (empty / over-long question, too much history) becomes a notice of its own in the
    chat; the text stays in the box so it can be fixed, and neither the history nor the sources panel
    changes. A question without Chinese gets a notice that questions are expected in Chinese, followed
    by the answer when one is found.
    """
    messages = list(messages or [])[-MAX_MESSAGES:]
    history, question, answers = trim_history(assistant, list(history or [])), question or "", dict(answers or {})
    try:
        answer = (ask or assistant.ask)(question, history=history,
                                        **ask_kwargs(checked_top_k(assistant, top_k), mode, style, answerer,
                                                     scope_docs(scope), reranker))
    except QuestionError as exc:
        if question.strip():
            messages.append({"role": "user", "content": render.user_message(question)})
        messages.append({"role": "assistant", "content": render.notice(str(exc))})
        return (question if question.strip() else ""), messages, history, gr.skip(), answers
    except QAError as exc:  # an unknown style, answerer or report: a notice too, not a crash
        messages.append({"role": "assistant", "content": render.notice(str(exc))})
        return question, messages, history, gr.skip(), answers
    key = key or uuid.uuid4().hex[:8]
    messages.append({"role": "user", "content": render.user_message(question)})
    if is_non_chinese(question):
        messages.append({"role": "assistant", "content": render.notice(NON_CHINESE_HINT)})
        if answer.refused:
            return "", messages, history, render.sources_panel(answer, labels), answers
    messages.append({"role": "assistant", "content": render.answer_message(answer, question, key, labels)})
    answers[key] = answer_record(answer)
    if len(answers) > MAX_ANSWERS_KEPT:
        answers = dict(list(answers.items())[-MAX_ANSWERS_KEPT:])
    return "", messages, trim_history(assistant, history + [question]), render.sources_panel(answer, labels), answers


def cleared() -> tuple[list, list[str], str, str, dict]:
    """(chat messages, previous questions, sources panel, question box, answers shown) of an empty chat."""
    return [], [], render.sources_placeholder(), "", {}
