"""A plain JSON route beside the web page: `POST /v1/ask` and `GET /v1/health`, outside Gradio's queue.

Why beside Gradio and not through it: Gradio's queue and its event-stream protocol cost more server CPU
per answer than the answer itself (measured with `python -m qa.loadtest`, README), so programs that ask
many questions use this route; the page and Gradio's `/ask` endpoint stay as they are. Both take the
same fields (qa/ask_request.py) and return the JSON of `qa ask --json`.

    curl -s localhost:7860/v1/ask -H 'content-type: application/json' -d '{"question": "2025年地区生产总值增长多少？"}'

Every limit answers with a JSON `{"error": "…"}` in Chinese and a status: 400 (a field is wrong), 401 (the
server has a login, `--auth`, and the request's HTTP Basic credentials do not match it), 413 (the body is
larger than `max_request_bytes`), 503 (no answer within `request_budget_s`, or too many waiting), 500 (a
bug: the traceback goes to the server's log, not to the client).
"""
from __future__ import annotations

import base64
import binascii
import json
import secrets
import sys
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from .ask_request import FIELDS, answer_json, documents_of
from .errors import OverBudgetError, QAError
from .workers import Workers

ASK_PATH, HEALTH_PATH = "/v1/ask", "/v1/health"


def add_routes(app: FastAPI, assistant: Any, workers: Workers, auth: tuple[str, str] | None = None) -> FastAPI:
    """Register the JSON routes on `app` (before Gradio is mounted at "/", so that they match first)."""
    max_bytes = int(assistant.config.max_request_bytes)

    @app.post(ASK_PATH, include_in_schema=False)
    async def ask(request: Request) -> JSONResponse:
        if not _authorised(request, auth):
            return _login_required()
        try:
            body = await _read_body(request, max_bytes)
        except ValueError as exc:
            return _error(str(exc), 413)
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
            return _error(f"请求体必须是 UTF-8 编码的 JSON 对象，字段：{', '.join(FIELDS)}", 400)
        try:
            return JSONResponse(await workers.arun(lambda: answer_json(assistant, payload)))
        except QAError as exc:  # QuestionError, an unknown name: 400; over budget: 503
            return _error(str(exc), 503 if isinstance(exc, OverBudgetError) else 400)
        except Exception:  # noqa: BLE001 - a bug must not reach the client as a traceback; the log keeps it
            traceback.print_exc(file=sys.stderr)
            return _error("服务器内部错误：这个问题没能回答，错误已记录在服务器日志中。", 500)

    @app.get(HEALTH_PATH, include_in_schema=False)
    async def health(request: Request) -> JSONResponse:
        if not _authorised(request, auth):
            return _login_required()
        return JSONResponse({"status": "ok", "reports": list(documents_of(assistant)),
                             "chunks": len(assistant.chunks)})

    return app


async def _read_body(request: Request, max_bytes: int) -> bytes:
    """The body, read no further than `max_bytes` (a declared or an actual size above it is refused)."""
    too_large = f"请求太大：最多 {max_bytes} 字节（问题、历史和选项都有各自的上限，见 README）"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ValueError(too_large)
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > max_bytes:
            raise ValueError(too_large)
    return bytes(body)


def _authorised(request: Request, auth: tuple[str, str] | None) -> bool:
    if auth is None:
        return True
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        user, sep, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    # compare_digest on both, always: the time taken says nothing about which part was wrong
    ok_user = secrets.compare_digest(user.encode(), auth[0].encode())
    ok_password = secrets.compare_digest(password.encode(), auth[1].encode())
    return bool(sep) and ok_user and ok_password


def _login_required() -> JSONResponse:
    return _error("需要登录：请用 HTTP Basic 认证提供用户名和密码", 401, {"WWW-Authenticate": 'Basic realm="qa"'})


def _error(message: str, status: int, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)
