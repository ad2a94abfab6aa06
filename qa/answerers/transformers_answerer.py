"""`transformers`: answers written by a local causal language model (a Hugging Face id or a local path),
checked claim by claim (qa/answerers/generative.py).

The model is loaded on the first question, not at start-up; torch and transformers are imported then.
The prompt goes through the tokenizer's chat template; generation is greedy (or sampled with
`llm_temperature` > 0), streamed token by token with `TextIteratorStreamer`, and stopped after
`llm_timeout` seconds (`max_time`) or when the reader goes away. Settings: `llm_local_model` (else
`llm_model`), `llm_device` (empty = cuda when available), `llm_max_tokens`, `llm_temperature`, `llm_timeout`.
"""
from __future__ import annotations

import importlib.util
import threading
from typing import Any

from . import ANSWERERS
from .generative import GenerationError, GenerativeAnswerer, Sink

INSTALL = "pip install torch transformers"


@ANSWERERS.register("transformers")
class TransformersAnswerer(GenerativeAnswerer):
    name = "transformers"

    def __init__(self, config: Any, **stage: Any) -> None:
        super().__init__(config, **stage)
        missing = [m for m in ("torch", "transformers") if importlib.util.find_spec(m) is None]
        if missing:
            raise ImportError(f"the `transformers` answerer needs {' and '.join(missing)}: {INSTALL}")
        self.model_id = config.llm_local_model or config.llm_model
        self._loaded: tuple[Any, Any] | None = None
        self._lock = threading.Lock()  # one load, and one generation at a time on the one model

    def load(self) -> tuple[Any, Any]:
        """(tokenizer, model), loaded once."""
        if self._loaded is None:
            if not self.model_id:
                raise GenerationError("未配置本地模型（QA_LLM_LOCAL_MODEL 或 QA_LLM_MODEL）")
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer

            device = self.config.llm_device or ("cuda" if torch.cuda.is_available() else "cpu")
            dtype = torch.float32 if device == "cpu" else "auto"
            try:
                tokenizer = AutoTokenizer.from_pretrained(self.model_id)
                model = AutoModelForCausalLM.from_pretrained(self.model_id, **_dtype_kwarg(dtype))
            except OSError as exc:
                raise GenerationError(f"无法加载本地模型 {self.model_id}：{str(exc).splitlines()[0][:160]}") from exc
            self._loaded = (tokenizer, model.to(device).eval())
        return self._loaded

    def inputs(self, messages: list[dict[str, str]]) -> Any:
        """The chat template applied to the prompt, as tensors on the model's device."""
        tokenizer, model = self.load()
        if not getattr(tokenizer, "chat_template", None):
            raise GenerationError(f"模型 {self.model_id} 没有对话模板（chat template）")
        try:
            encoded = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)
        except Exception:  # a template without a system role (Gemma's): the instructions go first in the question
            merged = [{"role": "user", "content": messages[0]["content"] + "\n\n" + messages[1]["content"]}]
            encoded = tokenizer.apply_chat_template(merged, add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)
        return encoded.to(model.device)

    def generate(self, messages: list[dict[str, str]], sink: Sink | None) -> str:
        with self._lock:
            return self._generate(messages, sink)

    def _generate(self, messages: list[dict[str, str]], sink: Sink | None) -> str:
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        tokenizer, model = self.load()
        inputs = self.inputs(messages)
        c = self.config

        abandoned = threading.Event()  # set when the tokens stop coming: the worker must not go on alone

        class ReaderGone(StoppingCriteria):
            def __call__(self, input_ids: Any, scores: Any, **_: Any) -> Any:
                stop = abandoned.is_set() or bool(sink and sink.cancelled)
                return torch.full((input_ids.shape[0],), stop, dtype=torch.bool, device=input_ids.device)

        streamer = TextIteratorStreamer(tokenizer, skip_prompt=True, skip_special_tokens=True,
                                        timeout=c.llm_timeout + 30)
        greedy = c.llm_temperature <= 0
        sampling = {"do_sample": False} if greedy else {"do_sample": True, "temperature": c.llm_temperature}
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        kwargs = {**inputs, **sampling, "streamer": streamer, "max_new_tokens": c.llm_max_tokens,
                  "max_time": c.llm_timeout, "stopping_criteria": StoppingCriteriaList([ReaderGone()]),
                  "pad_token_id": pad}
        failed: list[BaseException] = []

        def run() -> None:
            try:
                with torch.inference_mode():
                    model.generate(**kwargs)
            except BaseException as exc:  # reported below; the streamer must still end
                failed.append(exc)
                streamer.text_queue.put(streamer.stop_signal)

        worker = threading.Thread(target=run, name="qa-generate", daemon=True)
        worker.start()
        pieces: list[str] = []
        try:
            for piece in streamer:
                pieces.append(piece)
                if sink:
                    sink.emit(piece)
        except Exception as exc:  # queue.Empty: the model stopped producing tokens
            abandoned.set()
            raise GenerationError(f"生成超时（{c.llm_timeout:g}秒）") from exc
        worker.join(timeout=5)
        if failed:
            raise GenerationError(f"模型出错：{type(failed[0]).__name__}：{str(failed[0])[:120]}") from failed[0]
        text = "".join(pieces)
        if not text.strip():
            raise GenerationError("模型没有返回内容")
        return text


def _dtype_kwarg(dtype: Any) -> dict[str, Any]:
    """transformers 4.56+ (and 5) take `dtype`; earlier versions `torch_dtype`."""
    import transformers

    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}
