"""The base of every generative answerer: prompt the model, stream its draft, check it, fall back.

A model's answer is never shown as written: every statement is checked against the passages it cites
(qa/answerers/claim_check.py) and one that fails is removed and listed in `Draft.dropped` with why. An
answer with nothing left, a timeout, a refused connection or any model error gives the extractive answer
instead, with a note saying so.

Backends (qa/answerers/openai_answerer.py, qa/answerers/transformers_answerer.py) only implement
`generate(messages, sink) -> str`, with the prompt of qa/answerers/prompt.py; they raise `GenerationError`
with a reason the reader can understand, and send their text to the `Sink` as it is written.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..types import Hit
from . import ANSWERERS, Draft
from .claim_check import check_answer, split_dropped
from .prompt import build_messages, question_text

if TYPE_CHECKING:
    from ..analysis import QuestionAnalysis
    from ..query import Query

# ---------------------------------------------------------------- notes (shown with the answer)

FALLBACK_SUFFIX = "以下为摘录式回答"
UNAVAILABLE = "生成式回答不可用（{reason}），" + FALLBACK_SUFFIX
REJECTED = "生成式回答未通过核对（{reason}），" + FALLBACK_SUFFIX
PARTLY_REMOVED = "生成式回答中有{n}句未通过核对，已删除（{reason}）"
MODEL_REFUSED = "生成模型判断所给段落不能回答这个问题"


class GenerationError(Exception):
    """The model gave no usable text; str(exc) says why, in words for the person asking."""


# ---------------------------------------------------------------- streaming


class Sink:
    """Where a generative answerer sends its text as it is written (the model's unchecked draft)."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self._emit = emit
        self._cancelled = threading.Event()

    def emit(self, text: str) -> None:
        if text and not self._cancelled.is_set():
            self._emit(text)

    def cancel(self) -> None:
        """The reader went away: the answerer stops generating at its next token."""
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()


_SINK: ContextVar[Sink | None] = ContextVar("qa_generation_sink", default=None)


@contextmanager
def streaming_to(sink: Sink) -> Iterator[Sink]:
    """Within this block (in this thread), generative answerers stream their draft to `sink`."""
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)


def current_sink() -> Sink | None:
    return _SINK.get()


# ---------------------------------------------------------------- the answerer base


class GenerativeAnswerer:
    """Prompt, check and fall back; subclasses implement `generate`."""

    name = "generative"

    def __init__(self, config: Any, analyzer: Any = None, **stage: Any) -> None:
        self.config, self.analyzer = config, analyzer
        self._stage = {"config": config, "analyzer": analyzer, **stage}
        self._extractive = None

    def generate(self, messages: list[dict[str, str]], sink: Sink | None) -> str:  # pragma: no cover
        raise NotImplementedError

    def messages(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"]) -> list[dict[str, str]]:
        report_year = getattr(self.analyzer, "report_year", None)
        return build_messages(question_text(query, questions), hits, report_year, self._stage.get("places"))

    def answer(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"], style: str) -> Draft:
        if not hits:
            return self._fallback(query, hits, questions, style, UNAVAILABLE.format(reason="没有检索到段落"), [])
        try:
            text = self.generate(self.messages(query, hits, questions), current_sink())
        except GenerationError as exc:
            return self._fallback(query, hits, questions, style, UNAVAILABLE.format(reason=exc), [])
        except Exception as exc:  # any model failure: the reader gets the extractive answer, never a traceback
            reason = f"模型出错：{type(exc).__name__}" + (f"：{str(exc)[:120]}" if str(exc) else "")
            return self._fallback(query, hits, questions, style, UNAVAILABLE.format(reason=reason), [])
        checked = check_answer(text, hits)
        if checked.refused:
            return Draft([], [], MODEL_REFUSED, checked.dropped)
        if not checked.parts:
            reason = split_dropped(checked.dropped[0])[1] if checked.dropped else "没有可核对的内容"
            return self._fallback(query, hits, questions, style, REJECTED.format(reason=reason), checked.dropped)
        note = ""
        if checked.dropped:
            note = PARTLY_REMOVED.format(n=len(checked.dropped), reason=split_dropped(checked.dropped[0])[1])
        return Draft(checked.parts, checked.citations, note, checked.dropped)

    def _fallback(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"], style: str,
                  note: str, dropped: list[str]) -> Draft:
        if self._extractive is None:
            self._extractive = ANSWERERS.create("extractive", **self._stage)
        draft = self._extractive.answer(query, hits, questions, style)
        return Draft(draft.parts, draft.citations, note, dropped + draft.dropped)
