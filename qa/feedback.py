"""Readers' feedback on answers, kept as QA-set lines that `qa eval` can run once reviewed.

Each 👍/👎 becomes one JSON line in the schema of `eval/sets/dev.jsonl`:

    {"id": "fb-<uuid>", "question": …, "answerable": true|false, "answer": …, "evidence": […],
     "type": "feedback", "verdict": "up"|"down", "shown": <answer shown>, "cited": [chunk ids],
     "refused": <whether the shown answer was a refusal>, "created": <UTC ISO time>}

- "answer" is the reader's correction when one is given; after a 👍 on an answer it is the answer
  shown (without its [n] markers); after a 👎 without a correction it is left out, so `qa eval` skips
  the line ("answerable item without an answer") until a reviewer fills it in.
- "answerable" is false when the reader says the report does not cover the question, or confirms
  (👍) a refusal; a 👎 on a refusal means the report does answer it.
- "evidence" is the cited evidence text, only when the reader confirms that it supports the answer.

Fields are size-limited (`FeedbackError` with a message for the person asking) and the file stops
growing at `max_bytes`. Appends are serialised by a per-file lock within the process and `flock`
across processes; each record is written by one `write` of one line.
"""
from __future__ import annotations

import json
import os
import re
import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .errors import QAError

try:  # POSIX only; elsewhere the in-process lock still serialises this process's writes
    import fcntl
except ImportError:  # pragma: no cover - not on Linux
    fcntl = None  # type: ignore[assignment]

VERDICTS = ("up", "down")
FEEDBACK_TYPE = "feedback"
MAX_QUESTION_CHARS = 1000
MAX_ANSWER_CHARS = 4000
MAX_CORRECTION_CHARS = 1000
MAX_CITED = 20
MAX_CHUNK_ID_CHARS = 300
MAX_EVIDENCE_CHARS = 2000
DEFAULT_MAX_BYTES = 20_000_000
_CITATION_MARK = re.compile(r"[\[［]\d+[\]］]")

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


class FeedbackError(QAError, ValueError):
    """Feedback that cannot be recorded as given (unknown verdict, a field too long, file full)."""


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FeedbackError(f"{name} 必须是文本")
    value = value.strip()
    if required and not value:
        raise FeedbackError(f"{name} 不能为空")
    if len(value) > limit:
        raise FeedbackError(f"{name}太长（{len(value)} 字）：请控制在 {limit} 字以内。")
    return value


def _texts(values: Iterable[Any] | None, name: str, limit: int, count: int) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise FeedbackError(f"{name} 必须是文本列表")
    out = [_text(v, name, limit) for v in values]
    out = [v for v in dict.fromkeys(out) if v]
    if len(out) > count:
        raise FeedbackError(f"{name}太多（{len(out)} 条）：最多 {count} 条。")
    return out


def strip_markers(text: str) -> str:
    """The answer text without its [n] citation markers."""
    return _CITATION_MARK.sub("", text or "").strip()


def make_record(question: str, shown: str, verdict: str, cited: Sequence[str] | None = None,
                evidence: Sequence[str] | None = None, correction: str = "", refused: bool = False,
                not_in_report: bool = False, confirmed: bool = False) -> dict[str, Any]:
    """One feedback line (see the module docstring); raises FeedbackError for input it cannot keep."""
    if verdict not in VERDICTS:
        raise FeedbackError(f"未知的评价 {verdict!r}：应为 up 或 down")
    question = _text(question, "问题", MAX_QUESTION_CHARS, required=True)
    shown = _text(shown, "回答", MAX_ANSWER_CHARS)
    correction = _text(correction, "更正", MAX_CORRECTION_CHARS)
    cited_ids = _texts(cited, "引用段落", MAX_CHUNK_ID_CHARS, MAX_CITED)
    evidence_texts = _texts(evidence, "依据", MAX_EVIDENCE_CHARS, MAX_CITED)
    refused, not_in_report, confirmed = bool(refused), bool(not_in_report), bool(confirmed)

    if not_in_report:
        answerable = False
    elif refused:
        answerable = verdict == "down" or bool(correction)  # 👍 on a refusal: the refusal was right
    else:
        answerable = True
    record: dict[str, Any] = {"id": f"fb-{uuid.uuid4()}", "question": question, "answerable": answerable}
    if answerable:
        gold = correction or (strip_markers(shown) if verdict == "up" and not refused else "")
        if gold:
            record["answer"] = gold
        record["evidence"] = evidence_texts if confirmed and not refused else []
    else:
        record["answer"] = "报告未提及"
        record["evidence"] = []
    record.update({
        "type": FEEDBACK_TYPE,
        "verdict": verdict,
        "shown": shown,
        "cited": cited_ids,
        "refused": refused,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    })
    if correction:
        record["correction"] = correction
    return record


def record_from_answer(answer: Mapping[str, Any], verdict: str, correction: str = "", not_in_report: bool = False,
                       confirmed: bool = False) -> dict[str, Any]:
    """A feedback line for an answer in its JSON form (`Answer.to_dict()`, the `ask` endpoint's result)."""
    if not isinstance(answer, Mapping):
        raise FeedbackError("answer 必须是问答接口返回的 JSON 对象")
    citations = answer.get("citations") or []
    if not isinstance(citations, list) or not all(isinstance(c, Mapping) for c in citations):
        raise FeedbackError("citations 必须是对象列表")
    return make_record(
        question=answer.get("question") or "",
        shown=answer.get("answer") or "",
        verdict=verdict,
        cited=[c.get("chunk_id") or "" for c in citations],
        evidence=[c.get("evidence_text") or "" for c in citations],
        correction=correction,
        refused=bool(answer.get("refused")),
        not_in_report=not_in_report,
        confirmed=confirmed,
    )


def _lock_for(path: Path) -> threading.Lock:
    key = str(path.resolve())
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def append(path: str | Path, record: Mapping[str, Any], max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Append one record as a JSON line; thread- and process-safe; refuses once the file holds max_bytes."""
    path = Path(path)
    line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock_for(path):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                size = os.fstat(fd).st_size
                if max_bytes and size + len(line) > max_bytes:
                    raise FeedbackError(f"反馈文件已满（{size} 字节，上限 {max_bytes}）：请先整理 {path.name}。")
                if size:  # a line left unterminated by a crash must not swallow this record
                    with open(path, "rb") as f:
                        f.seek(size - 1)
                        if f.read(1) != b"\n":
                            line = b"\n" + line
                os.write(fd, line)
            finally:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
    return path


def read(path: str | Path) -> list[dict[str, Any]]:
    """Every parseable record of a feedback file (for review tools and tests)."""
    out = []
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(d, dict):
            out.append(d)
    return out
