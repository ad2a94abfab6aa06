"""One question as a client sends it, checked before any work: the fields of `Assistant.ask`, their types
and limits. The Gradio `ask` endpoint (qa/ui_asking.py) and the plain JSON route (qa/http_api.py) both
come through here, so a client gets the same answer and the same messages from either.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import Config
from .errors import QuestionError
from .validation import check_top_k

# What a request may carry; anything else is refused by name (a typo should not be silently ignored).
FIELDS = ("question", "top_k", "history", "mode", "answerer", "style", "docs", "reranker")
_NAMES = ("mode", "answerer", "style", "reranker")


def documents_of(assistant: Any) -> dict[str, Any]:
    """The loaded reports by name (none when the assistant has no index)."""
    index = getattr(assistant, "index", None)
    return dict(getattr(index, "documents", None) or {})


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


def ask_options(assistant: Any, request: Mapping[str, Any]) -> dict[str, Any]:
    """All keyword arguments of `Assistant.ask` for `request`; QuestionError (in Chinese, for the client)
    for an unknown field, a wrong type, an unknown mode or report. The question's own limits (empty, too
    long) and the history's are applied by the Assistant."""
    if not isinstance(request, Mapping):
        raise QuestionError("请求必须是一个 JSON 对象，例如 {\"question\": \"2025年地区生产总值增长多少？\"}")
    if not all(_encodable(v) for v in [*request, *request.values()]):
        raise QuestionError("请求中有无法编码为 UTF-8 的字符（孤立的代理码位）")
    unknown = sorted(str(k) for k in request if k not in FIELDS)
    if unknown:
        raise QuestionError(f"未知的字段 {', '.join(unknown)}；可用字段：{', '.join(FIELDS)}")
    question = request.get("question")
    if not isinstance(question, str):
        raise QuestionError("question 必须是问题文本（字符串）")
    for name in _NAMES:
        if request.get(name) is not None and not isinstance(request[name], str):
            raise QuestionError(f"{name} 必须是字符串")
    mode, history, docs = request.get("mode"), request.get("history"), request.get("docs")
    if mode and mode not in assistant.modes:
        raise QuestionError(f"未知的检索方式 {mode!r}，可选：{', '.join(assistant.modes)}")
    reranker, rerankers = request.get("reranker"), list(getattr(assistant, "rerankers", ()) or ())
    if reranker and rerankers and reranker not in rerankers:  # a model reranker only when a model is configured
        raise QuestionError(f"未知的重排序 {reranker!r}，可选：{', '.join(rerankers)}")
    if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
        raise QuestionError("history 必须是之前问题的列表")
    if docs is not None and not (isinstance(docs, list) and all(isinstance(d, str) for d in docs)):
        raise QuestionError("docs 必须是报告名称的列表")
    known = documents_of(assistant)
    missing = [d for d in docs or [] if known and d not in known]
    if missing:
        raise QuestionError(f"未知的报告 {', '.join(map(repr, missing))}，可选：{', '.join(known)}")
    return {"question": question, "history": list(history or []),
            **ask_kwargs(checked_top_k(assistant, request.get("top_k")), mode, request.get("style"),
                         request.get("answerer"), docs or None, reranker)}


def answer_json(assistant: Any, request: Mapping[str, Any]) -> dict:
    """The JSON of `qa ask --json` for one request; QAError subclasses for anything the client must change."""
    return assistant.ask(**ask_options(assistant, request)).to_dict()


def _encodable(value: Any) -> bool:
    """Every string in a JSON value can be written as UTF-8 (JSON allows lone surrogates; nothing downstream
    does). A loop, not recursion: a client may nest as deep as the JSON parser allows."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
    return True
