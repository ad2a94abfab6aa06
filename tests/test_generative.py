"""Generative answers, checked claim by claim, on the real report and the real retrieval.

The `openai` answerer talks to a real HTTP server started here (http.server on 127.0.0.1, a free port)
that speaks the chat-completions protocol, streaming (SSE) included, with scripted answers: what is under
test is the request, the check of every sentence against its citation, the fallbacks and the streaming,
not a model. The `transformers` answerer runs a tiny causal LM built here (random weights, a character
tokenizer with a chat template): loading, the chat template, generation and streaming are tested, not
the quality of what it writes (random text, which the checks reject).
"""
from __future__ import annotations

import json
import re
import socket
import string
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable

import pytest

from qa import Assistant, Config
from qa.answerers import ANSWERERS, REFUSAL
from qa.answerers.claim_check import check_answer
from qa.answerers.generative import FALLBACK_SUFFIX, GenerationError, Sink
from qa.answerers.prompt import SYSTEM, build_messages
from qa.cli import main
from qa.evaluation import EvalItem, ItemResult
from qa.metrics import compute_metrics
from qa.types import Answer, AnswerPart

from .conftest import REPORT

GDP = "偃师2025年地区生产总值增长了多少？"
COMPARE = "2025年规上工业增加值增速比地区生产总值增速高多少个百分点？"


# ---------------------------------------------------------------- a chat-completions server


@dataclass
class Reply:
    text: str = ""
    delay: float = 0.0  # seconds before answering (a slow or hung model)
    status: int = 200


class ChatServer:
    """Answers POST /v1/chat/completions with `script(request) -> str | Reply`, as JSON or as SSE."""

    def __init__(self) -> None:
        self.script: Callable[[dict[str, Any]], str | Reply] = lambda _req: REFUSAL
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()  # ends every pending delay at teardown
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(request)
                reply = server.script(request)
                reply = reply if isinstance(reply, Reply) else Reply(reply)
                if reply.delay:
                    server.release.wait(reply.delay)
                try:
                    self._answer(request, reply)
                except OSError:  # the client gave up (a timeout under test)
                    pass

            def _answer(self, request: dict[str, Any], reply: Reply) -> None:
                if reply.status != 200:
                    body = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                base = {"id": "chatcmpl-test", "created": 0, "model": request["model"]}
                if not request.get("stream"):
                    body = json.dumps({**base, "object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": reply.text}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = [reply.text[i : i + 3] for i in range(0, len(reply.text), 3)]
                for i, piece in enumerate(pieces + [None]):
                    delta = {"content": piece} if piece is not None else {}
                    if i == 0:
                        delta["role"] = "assistant"
                    chunk = {**base, "object": "chat.completion.chunk", "choices": [
                        {"index": 0, "delta": delta, "finish_reason": None if piece is not None else "stop"}]}
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")

            def log_message(self, *_: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    s = ChatServer()
    yield s
    s.close()


@pytest.fixture
def llm(server, assistant):
    """An Assistant on the session's index whose `openai` answerer talks to the test server."""
    server.requests.clear()
    return Assistant.load(Config(index_dir=assistant.config.index_dir, answerer="openai", llm_base_url=server.url,
                                 llm_model="scripted-model", llm_api_key="sk-test"), progress=None)


def passage(request: dict[str, Any], needle: str) -> int:
    """The number the prompt gives the passage holding `needle`."""
    for block in request["messages"][-1]["content"].split("\n\n"):
        m = re.match(r"\[(\d+)\]", block)
        if m and needle in block:
            return int(m.group(1))
    raise AssertionError(f"no passage with {needle!r} in the prompt")


def question(request: dict[str, Any]) -> str:
    return re.search(r"问题：(.+)", request["messages"][-1]["content"]).group(1)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the checks


def test_a_well_cited_answer_passes_unchanged_with_its_exact_evidence(llm, server):
    server.script = lambda r: f"2025年偃师地区生产总值增长6.7%[{passage(r, '增长6.7%')}]。"
    answer = llm.ask(GDP)
    assert not answer.refused and answer.text == "2025年偃师地区生产总值增长6.7%[1]"
    assert answer.note == "" and answer.dropped == [] and answer.check == ""
    [c] = answer.citations
    assert c.evidence_text == "全年地区生产总值增长6.7%" == c.chunk.text[c.evidence[0] : c.evidence[1]]
    # The prompt: numbered passages with section path and period, the question, the refusal sentence.
    [request] = server.requests
    prompt = request["messages"][-1]["content"]
    assert request["model"] == "scripted-model" and request["messages"][0]["content"] == SYSTEM and REFUSAL in SYSTEM
    assert "[1]（章节：一、2025年和“十四五”时期工作回顾；时期：2025年完成情况）" in prompt
    assert "时期：“十四五”时期回顾" in prompt and question(request) == GDP


def test_an_invented_figure_is_removed_with_why(llm, server):
    server.script = lambda r: (f"地区生产总值增长6.7%[{passage(r, '增长6.7%')}]。"
                               f"规上工业增加值增长15.2%[{passage(r, '增长6.7%')}]。")
    answer = llm.ask(GDP)
    assert answer.text == "地区生产总值增长6.7%[1]"
    assert answer.dropped == ["规上工业增加值增长15.2%[1]（数字15.2无法在引用的原文中核实）"]
    assert "1句未通过核对" in answer.note and "15.2" in answer.note


def test_a_marker_pointing_nowhere_is_removed(llm, server):
    server.script = lambda r: f"地区生产总值增长6.7%[{passage(r, '增长6.7%')}]。规上工业增加值增长13.8%[9]。"
    answer = llm.ask(GDP)
    assert answer.text == "地区生产总值增长6.7%[1]"
    assert answer.dropped == ["规上工业增加值增长13.8%[9]（引用编号指向不存在的段落）"]


def test_an_uncited_sentence_is_removed(llm, server):
    server.script = lambda r: f"地区生产总值增长6.7%[{passage(r, '增长6.7%')}]。偃师经济发展势头良好。"
    answer = llm.ask(GDP)
    assert answer.text == "地区生产总值增长6.7%[1]"
    assert answer.dropped == ["偃师经济发展势头良好（没有引用标记，无法核对）"]


def test_a_sentence_its_citation_does_not_support_is_removed(llm, server):
    server.script = lambda r: f"地区生产总值增长6.7%[{passage(r, '增长6.7%')}]。偃师营商环境持续优化[{passage(r, '增长6.7%')}]。"
    answer = llm.ask(GDP)
    assert answer.text == "地区生产总值增长6.7%[1]"
    assert answer.dropped == ["偃师营商环境持续优化[1]（引用的原文与这句话几乎没有共同的词句）"]


def test_a_computed_figure_keeps_its_derivation(llm, server):
    server.script = lambda r: (f"规上工业增加值增长13.8%，地区生产总值增长6.7%[{passage(r, '13.8%')}]。"
                               f"前者高7.1个百分点（13.8%-6.7%）[{passage(r, '13.8%')}]。")
    answer = llm.ask(COMPARE)
    assert answer.dropped == [] and answer.note == ""
    assert [p.derivation for p in answer.parts] == [None, "13.8% − 6.7%"]
    assert answer.parts[1].text == "前者高7.1个百分点（13.8% − 6.7%）[1]"
    # The evidence highlighted is the clause window holding both inputs.
    assert {"6.7", "13.8"} <= set(re.findall(r"\d+\.\d", answer.citations[0].evidence_text))


def test_a_derivation_after_other_figures_is_split_so_grounding_reads_the_result(llm, server):
    server.script = lambda r: f"2025年规上工业增加值增速比地区生产总值增速高7.1个百分点（13.8% − 6.7%）[{passage(r, '13.8%')}]。"
    answer = llm.ask(COMPARE)
    assert answer.dropped == []
    assert answer.parts[-1].text == "高7.1个百分点（13.8% − 6.7%）[1]" and answer.parts[-1].derivation == "13.8% − 6.7%"


def test_an_answer_with_nothing_left_falls_back_to_the_extractive_one(llm, server, assistant):
    server.script = lambda r: f"高7.2个百分点（13.8% − 6.7%）[{passage(r, '13.8%')}]。"
    answer = llm.ask(COMPARE)
    assert answer.note == "生成式回答未通过核对（计算结果与推导不符），以下为摘录式回答"
    assert answer.dropped == ["高7.2个百分点（13.8% − 6.7%）[1]（计算结果与推导不符）"]
    assert answer.text == assistant.ask(COMPARE).text


def test_marker_forms_and_bullets_are_read(assistant):
    hits = assistant.ask(GDP).hits
    n = next(i for i, h in enumerate(hits, 1) if "增长6.7%" in h.chunk.text)
    checked = check_answer(f"**答：**\n1. 地区生产总值增长6.7%。［{n}］\n- 规上工业增加值增长13.8%【{n}, {n}】", hits)
    assert [p.text for p in checked.parts] == ["地区生产总值增长6.7%[1]", "规上工业增加值增长13.8%[1]"]
    assert checked.dropped == ["答：（没有引用标记，无法核对）"]


def test_a_refusal_is_read_with_words_around_it_but_not_beside_a_claim(assistant):
    hits = assistant.ask(GDP).hits
    assert check_answer(f"抱歉。{REFUSAL}。", hits).refused
    mixed = check_answer(f"增长9.9%[1]。{REFUSAL}。", hits)
    assert not mixed.refused and mixed.parts == [] and mixed.dropped == ["增长9.9%[1]（数字9.9无法在引用的原文中核实）"]


def test_the_model_saying_the_passages_do_not_answer_is_a_refusal(llm, server):
    server.script = lambda r: REFUSAL + "。"
    answer = llm.ask(GDP)
    assert answer.refused and answer.note == "生成模型判断所给段落不能回答这个问题"


def test_a_question_refused_before_the_answerer_never_reaches_the_model(llm, server):
    answer = llm.ask("2019年偃师新增了多少个充电桩？")
    assert answer.refused and answer.check == "uncovered_year" and server.requests == []


# ---------------------------------------------------------------- streaming


def test_streaming_gives_the_draft_then_the_checked_answer(llm, server):
    script = "地区生产总值增长6.7%[{n}]。规上工业增加值增长15.2%[{n}]。"
    server.script = lambda r: script.format(n=passage(r, "增长6.7%"))
    events = list(llm.ask_stream(GDP))
    tokens = [v for k, v in events if k == "token"]
    assert len(tokens) > 3 and "".join(tokens) == script.format(n=1)
    assert [k for k, _ in events][-1] == "answer" and [k for k, _ in events].count("answer") == 1
    final = events[-1][1]
    assert final.text == "地区生产总值增长6.7%[1]" and len(final.dropped) == 1
    assert server.requests[-1]["stream"] is True


def test_streaming_raises_what_ask_raises(llm):
    with pytest.raises(Exception, match="问题是空的"):
        list(llm.ask_stream("  "))


def test_the_extractive_answerer_streams_only_its_answer(assistant):
    events = list(assistant.ask_stream(GDP))
    assert [k for k, _ in events] == ["answer"] and "6.7%" in events[0][1].text


# ---------------------------------------------------------------- failures: a note and the extractive answer


@pytest.mark.parametrize("stream", [False, True])
def test_a_timeout_gives_the_extractive_answer_within_seconds(server, assistant, stream):
    server.script = lambda r: Reply("地区生产总值增长6.7%[1]。", delay=30)
    llm = Assistant.load(Config(index_dir=assistant.config.index_dir, answerer="openai", llm_base_url=server.url,
                                llm_model="m", llm_timeout=1), progress=None)
    started = time.monotonic()
    answer = llm.ask(GDP) if not stream else [v for k, v in llm.ask_stream(GDP) if k == "answer"][0]
    assert time.monotonic() - started < 10
    assert answer.note == "生成式回答不可用（请求超时（1秒）），以下为摘录式回答"
    assert not answer.refused and "6.7%" in answer.text and answer.citations


@pytest.mark.parametrize("stream", [False, True])
def test_a_refused_connection_gives_the_extractive_answer_at_once(assistant, stream):
    llm = Assistant.load(Config(index_dir=assistant.config.index_dir, answerer="openai",
                                llm_base_url=f"http://127.0.0.1:{closed_port()}/v1", llm_model="m"), progress=None)
    started = time.monotonic()
    answer = llm.ask(GDP) if not stream else [v for k, v in llm.ask_stream(GDP) if k == "answer"][0]
    assert time.monotonic() - started < 5
    assert answer.note == "生成式回答不可用（连接被拒绝），以下为摘录式回答"
    assert not answer.refused and "6.7%" in answer.text


def test_a_server_error_is_retried_once_then_falls_back(llm, server):
    server.script = lambda r: Reply(status=500)
    answer = llm.ask(GDP)
    assert answer.note == "生成式回答不可用（模型服务返回错误 500），以下为摘录式回答"
    assert len(server.requests) == 2 and "6.7%" in answer.text


def test_no_model_configured_is_said_so(assistant):
    llm = Assistant.load(Config(index_dir=assistant.config.index_dir, answerer="openai", llm_base_url="http://127.0.0.1:9/v1"),
                         progress=None)
    assert llm.ask(GDP).note == "生成式回答不可用（未配置模型名称（QA_LLM_MODEL）），以下为摘录式回答"


def test_the_cli_with_an_unreachable_endpoint_prints_the_extractive_answer(assistant, monkeypatch, capsys):
    monkeypatch.setenv("QA_INDEX_DIR", str(assistant.config.index_dir))
    monkeypatch.setenv("QA_LLM_BASE_URL", f"http://127.0.0.1:{closed_port()}/v1")
    monkeypatch.setenv("QA_LLM_MODEL", "none")
    started = time.monotonic()
    assert main(["ask", "--json", "--answerer", "openai", GDP]) == 0
    assert time.monotonic() - started < 10
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert "6.7%" in data["answer"] and data["citations"] and data["note"].endswith(FALLBACK_SUFFIX)
    assert "Traceback" not in err


def test_without_the_openai_package_the_error_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "openai", None)
    with pytest.raises(ImportError, match=r"pip install -e '\.\[llm\]'"):
        ANSWERERS.create("openai", config=Config(), analyzer=None)


def test_the_api_key_is_never_written_to_manifests_or_metrics():
    config = Config(llm_api_key="sk-secret")
    assert config.to_dict()["llm_api_key"] == "***" and "sk-secret" not in repr(config)
    assert Config().to_dict()["llm_api_key"] == ""


def test_importing_the_library_loads_no_model_package():
    code = ("import sys, qa, qa.assistant, qa.cli, qa.metrics, qa.answerers, qa.rerankers; "
            "print([m for m in ('torch', 'openai', 'transformers', 'sentence_transformers') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# ---------------------------------------------------------------- evaluation


def test_qa_eval_runs_the_openai_answerer_and_reports_grounding(assistant, server, tmp_path, monkeypatch):
    items = [{"id": "g1", "question": GDP, "answerable": True, "answer": "6.7%", "evidence": ["全年地区生产总值增长6.7%"], "type": "number"},
             {"id": "g2", "question": "2025年偃师新增了多少个充电桩？", "answerable": True, "answer": "106个",
              "evidence": ["新增停车位395个、充电桩106个"], "type": "number"},
             {"id": "g3", "question": "2019年偃师新增了多少个充电桩？", "answerable": False, "answer": "", "type": "unanswerable"}]
    qa_set = tmp_path / "set.jsonl"
    qa_set.write_text("\n".join(json.dumps(i, ensure_ascii=False) for i in items), encoding="utf-8")

    def script(r: dict[str, Any]) -> str:
        if "充电桩" in question(r):  # an invented figure and nothing else: the extractive answer instead
            return f"2025年新增充电桩150个[{passage(r, '充电桩106个')}]。"
        return f"2025年偃师地区生产总值增长6.7%[{passage(r, '增长6.7%')}]。"

    server.script = script
    for name, value in {"QA_INDEX_DIR": str(assistant.config.index_dir), "QA_LLM_BASE_URL": server.url,
                        "QA_LLM_MODEL": "scripted-model", "QA_LLM_API_KEY": "sk-secret"}.items():
        monkeypatch.setenv(name, value)
    assert main(["eval", str(qa_set), "--out", str(tmp_path / "run"), "--answerer", "openai"]) == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text("utf-8"))
    assert {"retrieval", "answer", "citation", "refusal", "latency_ms", "by_type", "n", "config"} <= set(metrics)
    assert metrics["answer"]["accuracy"] == 1.0 and metrics["refusal"]["recall"] == 1.0
    # g1 as written (2025 and 6.7 verified); g2 fell back, its 2025 and 150 removed; g3 refused before.
    assert metrics["answer"]["grounding"] == {"answers": 2, "unchanged": 0.5, "figures": 4, "figures_verified": 0.5,
                                    "fallbacks": 1, "fallback_rate": 0.5}
    settings = metrics["config"]["settings"]
    assert settings["answerer"] == "openai" and settings["llm_api_key"] == "***"
    assert "sk-secret" not in (tmp_path / "run" / "metrics.json").read_text("utf-8")


def test_grounding_metrics_on_hand_made_answers():
    item = EvalItem("x1", "问", True, "1", evidence=("1",))

    def result(text: str, parts: list[str], dropped: list[str] = (), note: str = "", refused: bool = False) -> ItemResult:
        return ItemResult(item, Answer("问", text, [], refused, [], "问", parts=[AnswerPart(p, (1,)) for p in parts],
                                       dropped=list(dropped), note=note), 1.0)

    results = [result("增长6.7%[1]", ["增长6.7%[1]"]),
               result("增长6.7%[1]", ["增长6.7%[1]"], dropped=["增长15.2%与3%[1]（数字15.2无法在引用的原文中核实）"],
                      note="生成式回答中有1句未通过核对，已删除（…）"),
               result("摘录", ["摘录1个[1]"], dropped=["增长9%[1]（数字9无法在引用的原文中核实）"],
                      note="生成式回答未通过核对（…），" + FALLBACK_SUFFIX),
               result(REFUSAL, [], refused=True)]
    assert compute_metrics(results)["answer"]["grounding"] == {"answers": 3, "unchanged": 1 / 3, "figures": 5,
                                                     "figures_verified": 0.4, "fallbacks": 1, "fallback_rate": 1 / 3}


# ---------------------------------------------------------------- the transformers answerer


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory) -> Path:
    """A causal LM with random weights (2 layers, hidden size 32) and a character tokenizer with a chat
    template, saved as a Hugging Face folder."""
    import torch
    from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-lm")
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, "<pad>": 3}
    for ch in sorted(set(REPORT.read_text("utf-8")) | set(string.printable) | set(SYSTEM) | set("？")):
        vocab.setdefault(ch, len(vocab))
    chars = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    chars.pre_tokenizer = pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated")
    chars.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=chars, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                        pad_token="<pad>")
    tokenizer.chat_template = ("{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}</s>\n{% endfor %}"
                               "{% if add_generation_prompt %}<|assistant|>\n{% endif %}")
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096,
                         bos_token_id=1, eos_token_id=2, pad_token_id=3)
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def local(assistant, tiny_lm) -> Assistant:
    return Assistant.load(Config(index_dir=assistant.config.index_dir, llm_local_model=str(tiny_lm), llm_device="cpu",
                                 llm_max_tokens=12), progress=None)


def test_the_local_model_loads_on_first_use_and_applies_its_chat_template(local):
    answerer = local.answerer("transformers")
    assert answerer._loaded is None  # created, not loaded
    hits = local.ask(GDP).hits
    messages = build_messages(GDP, hits, 2026)
    tokenizer, _ = answerer.load()
    prompt = tokenizer.decode(answerer.inputs(messages)["input_ids"][0])
    assert prompt.startswith("<|system|>\n" + SYSTEM[:20]) and prompt.endswith("<|assistant|>\n")
    assert f"问题：{GDP}" in prompt and "时期：2025年完成情况" in prompt


def test_the_local_model_generates_and_streams_what_it_writes(local):
    answerer = local.answerer("transformers")
    messages = build_messages(GDP, local.ask(GDP).hits, 2026)
    pieces: list[str] = []
    text = answerer.generate(messages, Sink(pieces.append))
    assert text and "".join(pieces) == text
    tokenizer, _ = answerer.load()
    assert len(tokenizer(text, add_special_tokens=False)["input_ids"]) <= 12  # llm_max_tokens
    assert answerer.generate(messages, None) == text  # greedy: the same text again


def test_the_local_model_stops_when_the_reader_goes_away(local):
    answerer = local.answerer("transformers")
    messages = build_messages(GDP, local.ask(GDP).hits, 2026)
    sink = Sink(lambda _t: None)
    sink.cancel()
    try:
        text = answerer.generate(messages, sink)
    except GenerationError:  # nothing written before it stopped
        text = ""
    tokenizer, _ = answerer.load()
    assert len(tokenizer(text, add_special_tokens=False)["input_ids"]) <= 1


def test_random_text_from_the_local_model_falls_back_to_the_extractive_answer(local):
    events = list(local.ask_stream(GDP, answerer="transformers"))
    tokens = "".join(v for k, v in events if k == "token")
    answer = events[-1][1]
    assert tokens  # the draft was streamed
    assert answer.note.endswith(FALLBACK_SUFFIX) and not answer.refused and "6.7%" in answer.text


def test_a_local_model_that_cannot_be_loaded_gives_a_note(assistant, tmp_path):
    broken = Assistant.load(Config(index_dir=assistant.config.index_dir, llm_local_model=str(tmp_path / "missing")),
                            progress=None)
    answer = broken.ask(GDP, answerer="transformers")
    assert answer.note.startswith("生成式回答不可用（") and answer.note.endswith(FALLBACK_SUFFIX) and "6.7%" in answer.text


def test_the_chat_shows_the_draft_as_it_is_written_then_the_checked_answer(llm, server):
    import ui

    script = "地区生产总值增长6.7%[{n}]。规上工业增加值增长15.2%[{n}]。"
    server.script = lambda r: script.format(n=passage(r, "增长6.7%"))
    turns = list(ui.respond_streaming(llm, GDP, [], [], 5, None, None, "openai"))
    drafts, final = turns[:-1], turns[-1]
    assert drafts and "生成中（尚未核对）" in drafts[-1][1][-1]["content"] and "15.2%" in drafts[-1][1][-1]["content"]
    assert "地区生产总值增长6.7%" in final[1][-1]["content"] and "15.2%" not in final[1][-1]["content"].split("qa-dropped")[0]
