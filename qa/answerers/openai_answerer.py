"""`openai`: answers written by any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, llama.cpp,
Ollama, …) and checked claim by claim (qa/answerers/generative.py).

Settings (qa.config.Config / environment): `llm_base_url` (QA_LLM_BASE_URL), `llm_model` (QA_LLM_MODEL),
`llm_api_key` (QA_LLM_API_KEY, else OPENAI_API_KEY), `llm_timeout` (QA_LLM_TIMEOUT, seconds for the whole
answer), `llm_max_tokens`, `llm_temperature`. One retry on a connection error, a timeout or a 429/5xx.
"""
from __future__ import annotations

import os
import time
from typing import Any

from . import ANSWERERS
from .generative import GenerationError, GenerativeAnswerer, Sink

INSTALL = "pip install -e '.[llm]'  (or: pip install openai)"


@ANSWERERS.register("openai")
class OpenAIAnswerer(GenerativeAnswerer):
    name = "openai"

    def __init__(self, config: Any, **stage: Any) -> None:
        super().__init__(config, **stage)
        try:
            import openai
        except ImportError:
            raise ImportError(f"the `openai` answerer needs the openai package: {INSTALL}") from None
        self._openai = openai
        self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            c = self.config
            self._client = self._openai.OpenAI(
                base_url=c.llm_base_url or None,
                api_key=c.llm_api_key or os.environ.get("OPENAI_API_KEY") or "none",
                timeout=c.llm_timeout, max_retries=1)
        return self._client

    def generate(self, messages: list[dict[str, str]], sink: Sink | None) -> str:
        c = self.config
        if not c.llm_model:
            raise GenerationError("未配置模型名称（QA_LLM_MODEL）")
        request: dict[str, Any] = {"model": c.llm_model, "messages": messages, "max_tokens": c.llm_max_tokens,
                                   "temperature": c.llm_temperature}
        deadline = time.monotonic() + c.llm_timeout
        try:
            if sink is None:
                response = self.client.chat.completions.create(**request)
                text = response.choices[0].message.content if response.choices else None
            else:
                text = self._stream(request, sink, deadline)
        except GenerationError:
            raise
        except Exception as exc:  # the openai package's errors, and httpx's raised while a stream is read
            raise GenerationError(describe(exc, c.llm_timeout, c.llm_base_url)) from exc
        if not text or not text.strip():
            raise GenerationError("模型没有返回内容")
        return text

    def _stream(self, request: dict[str, Any], sink: Sink, deadline: float) -> str:
        pieces: list[str] = []
        stream = self.client.chat.completions.create(**request, stream=True)
        try:
            for chunk in stream:
                for choice in chunk.choices or ():
                    piece = getattr(choice.delta, "content", None) if choice.delta else None
                    if piece:
                        pieces.append(piece)
                        sink.emit(piece)
                if sink.cancelled:
                    break
                if time.monotonic() > deadline:
                    raise GenerationError(f"请求超时（{self.config.llm_timeout:g}秒）")
        finally:
            stream.close()
        return "".join(pieces)


def describe(exc: BaseException, timeout: float, base_url: str) -> str:
    """Why a request failed, in words for the person asking ("连接被拒绝", "请求超时（20秒）")."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and e not in chain:
        chain.append(e)
        e = e.__cause__ or e.__context__
    names = " ".join(type(x).__name__ for x in chain)
    words = " ".join(str(x) for x in chain).lower()
    status = getattr(exc, "status_code", None)
    if "Timeout" in names or "timed out" in words:
        return f"请求超时（{timeout:g}秒）"
    if isinstance(status, int):
        return f"模型服务返回错误 {status}"
    if any(isinstance(x, ConnectionRefusedError) for x in chain) or "refused" in words:
        return "连接被拒绝"
    if "Connect" in names or "Connection" in names:
        return f"无法连接到模型服务{('（' + base_url + '）') if base_url else ''}"
    return f"模型服务出错：{type(exc).__name__}"
