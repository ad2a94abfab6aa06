"""Feedback: 👍/👎 under an answer opens a short form, and nothing is written until it is submitted; the
`feedback` API endpoint records the same for an answer of the `ask` endpoint. One QA-set line per
feedback is appended to the configured file (qa.feedback)."""
from __future__ import annotations

from typing import Any

import gradio as gr

from qa import Config, render
from qa import feedback as fb


def answer_record(answer: Any) -> dict[str, Any]:
    """What feedback needs to know about an answer shown in the chat."""
    return {"question": answer.question, "shown": answer.text, "refused": bool(answer.refused),
            "cited": [c.chunk.id for c in answer.citations], "evidence": [c.evidence_text for c in answer.citations]}


def record_feedback(assistant: Any, record: dict[str, Any]) -> dict[str, Any]:
    """Append one feedback record to the configured file (a gr.Error when it cannot be kept)."""
    config = getattr(assistant, "config", None) or Config()
    path = getattr(config, "feedback_path", Config().feedback_path)
    try:
        fb.append(path, record, getattr(config, "feedback_max_bytes", fb.DEFAULT_MAX_BYTES))
    except (fb.FeedbackError, OSError) as exc:
        raise gr.Error(f"反馈未能保存：{exc}") from exc
    return record


def feedback_json(assistant: Any, answer: dict, verdict: str, correction: str = "", not_in_report: bool = False,
                  confirmed: bool = False) -> dict:
    """The `feedback` API endpoint: a 👍 ("up") or 👎 ("down") on an answer of the `ask` endpoint."""
    try:
        record = fb.record_from_answer(answer, verdict, correction or "", bool(not_in_report), bool(confirmed))
    except fb.FeedbackError as exc:
        raise gr.Error(str(exc)) from exc
    return record_feedback(assistant, record)


def on_like(answers: dict | None, data: gr.LikeData) -> tuple:
    """(form, pending feedback, form title, correction, lacking, confirm, status) after a 👍/👎 in the chat."""
    key = render.answer_key(data.value if not isinstance(data.value, dict) else data.value.get("value"))
    if data.liked not in (True, False) or key is None or key not in (answers or {}):
        reason = "" if data.liked not in (True, False) else render.notice("这条消息是提示，不是回答，无法评价。")
        return gr.update(visible=False), None, "", "", False, False, reason
    verdict = "up" if data.liked is True else "down"
    return (gr.update(visible=True), {"key": key, "verdict": verdict},
            render.feedback_prompt(answers[key]["question"], verdict), "", False, verdict == "up", "")


def submit(assistant: Any, pending: dict | None, answers: dict | None, correction: str, lacking: bool,
           confirm: bool) -> tuple:
    """The open form's feedback recorded → (form, pending feedback, status)."""
    if not pending or pending.get("key") not in (answers or {}):
        raise gr.Error("请先在回答下方点 👍 或 👎")
    shown = answers[pending["key"]]
    try:
        record = fb.make_record(shown["question"], shown["shown"], pending["verdict"], shown["cited"],
                                shown["evidence"], correction, shown["refused"], lacking, confirm)
    except fb.FeedbackError as exc:
        raise gr.Error(str(exc)) from exc
    record_feedback(assistant, record)
    return gr.update(visible=False), None, render.feedback_done(record["id"])
