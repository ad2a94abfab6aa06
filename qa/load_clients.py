"""The clients `qa.loadtest` measures with: one per API of a running UI, each asking one question at a time.

`gradio`: Gradio's `/ask` endpoint through `gradio_client` (its queue and event stream), as a Gradio app
is usually called. `json`: the plain route `POST /v1/ask` (qa/http_api.py) over one kept-alive HTTP
connection. Both return the JSON of `qa ask --json` and raise on any error the server reports.
"""
from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

import numpy as np

from .http_api import ASK_PATH


class Asker(Protocol):
    def ask(self, question: str, top_k: int = 5, history: list[str] | None = None) -> dict[str, Any]: ...

    def close(self) -> None: ...


class GradioAsker:
    def __init__(self, url: str, auth: tuple[str, str] | None = None) -> None:
        from gradio_client import Client

        self._client = Client(url, verbose=False, auth=auth, download_files=False)

    def ask(self, question: str, top_k: int = 5, history: list[str] | None = None) -> dict[str, Any]:
        return self._client.predict(question, top_k, history, api_name="/ask")

    def close(self) -> None:
        self._client.close()


class JsonAsker:
    def __init__(self, url: str, auth: tuple[str, str] | None = None, timeout_s: float = 120) -> None:
        parts = urlsplit(url)
        self._host, self._port, self._timeout = parts.hostname or "127.0.0.1", parts.port or 80, timeout_s
        self._headers = {"Content-Type": "application/json"}
        if auth:
            self._headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
        self._conn = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout)

    def ask(self, question: str, top_k: int = 5, history: list[str] | None = None) -> dict[str, Any]:
        body = json.dumps({"question": question, "top_k": top_k, "history": history or []}, ensure_ascii=False)
        # A kept-alive connection the server closed is opened again and the question sent once more (asking
        # is read-only, so a repeat is harmless).
        for attempt in (1, 2):
            try:
                self._conn.request("POST", ASK_PATH, body.encode("utf-8"), self._headers)
                response = self._conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self._conn.close()
                self._conn = self._connect()
                if attempt == 2:
                    raise
        try:
            payload = json.loads(data.decode("utf-8"))
        except ValueError:
            raise RuntimeError(f"HTTP {response.status}: {data[:200]!r}") from None
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {payload.get('error', payload)}")
        return payload

    def close(self) -> None:
        self._conn.close()


TRANSPORTS = {"gradio": GradioAsker, "json": JsonAsker}


def trickle(url: str, stop: threading.Event, gap_s: float = 0.2) -> int:
    """A slow client: sends a request to the JSON route one byte every `gap_s` seconds until `stop` is set
    or the server closes the connection; returns the bytes sent. It holds a connection and should hold
    nothing else: the body is read by the event loop, no answering thread waits for it."""
    parts = urlsplit(url)
    body = json.dumps({"question": "2025年地区生产总值增长多少？"}).encode("utf-8")
    head = (f"POST {ASK_PATH} HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    sent = 0
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=10) as sock:
        sock.sendall(head)
        for byte in body:
            if stop.wait(gap_s):
                break
            try:
                sock.sendall(bytes([byte]))
            except OSError:  # the server gave up on us: allowed
                break
            sent += 1
    return sent


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """p50, p95 (linear interpolation) and max of latencies in milliseconds, rounded to 0.1 ms."""
    if not ms:
        return {"p50": 0.0, "p95": 0.0, "max": 0.0}
    p50, p95 = np.percentile(ms, [50, 95])
    return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "max": round(float(max(ms)), 1)}
