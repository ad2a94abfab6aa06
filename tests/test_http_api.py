"""The plain JSON route (qa/http_api.py), its worker pool (qa/workers.py) and the question batcher
(qa/query_batcher.py), with the real assistant. The route runs in-process through Starlette's TestClient
(the same ASGI app `python ui.py` serves); tests/test_ui.py calls it on the live server too."""
from __future__ import annotations

import base64
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from qa.ask_request import FIELDS
from qa.embedders import get_embedder
from qa.errors import OverBudgetError
from qa.http_api import ASK_PATH, HEALTH_PATH, add_routes
from qa import query_batcher
from qa.query_batcher import QueryBatcher
from qa.ui_asking import ask_json
from qa.workers import Workers

GDP_Q = "2025年地区生产总值增长多少？"
CHARGERS_Q = "2025年偃师新增了多少个充电桩？"


def _client(assistant, auth=None, budget_s: float = 30.0) -> TestClient:
    return TestClient(add_routes(FastAPI(), assistant, Workers(4, budget_s), auth))


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _same(a: dict, b: dict) -> tuple:
    """What must agree between two answers to one question (timings differ)."""
    keep = lambda d: (d["answer"], d["refused"], d["answer_parts"], [(c["chunk_id"], c["evidence"]) for c in d["citations"]])  # noqa: E731
    return keep(a), keep(b)


@pytest.fixture(scope="module")
def client(assistant) -> TestClient:
    return _client(assistant)


def test_ask_answers_as_the_library_does(client, assistant):
    response = client.post(ASK_PATH, json={"question": CHARGERS_Q, "top_k": 5})
    assert response.status_code == 200
    got, expected = _same(response.json(), assistant.ask(CHARGERS_Q, top_k=5).to_dict())
    assert got == expected and "106个" in response.json()["answer"]


def test_the_route_and_gradios_ask_endpoint_give_the_same_json(client, assistant):
    routed = client.post(ASK_PATH, json={"question": GDP_Q, "history": [], "style": "clauses"}).json()
    through_gradio = ask_json(assistant, GDP_Q, None, [], style="clauses", workers=Workers(1, 30.0))
    got, expected = _same(routed, through_gradio)
    assert got == expected


def test_a_follow_up_uses_the_history(client):
    answer = client.post(ASK_PATH, json={"question": "那2026年的目标呢？", "history": [GDP_Q]}).json()
    assert answer["understood_as"].startswith("2026年地区生产总值") and not answer["refused"]


@pytest.mark.parametrize("body, message", [
    ({"question": GDP_Q, "topk": 5}, "未知的字段 topk"),
    ({"question": 42}, "question 必须是问题文本"),
    ({"question": GDP_Q, "top_k": 0}, "返回段落数必须在 1 到 20 之间"),
    ({"question": GDP_Q, "top_k": "5"}, "返回段落数必须是整数"),
    ({"question": GDP_Q, "history": "上一个问题"}, "history 必须是之前问题的列表"),
    ({"question": GDP_Q, "docs": ["no-such-report"]}, "未知的报告 'no-such-report'"),
    ({"question": GDP_Q, "mode": "psychic"}, "未知的检索方式 'psychic'"),
    ({"question": GDP_Q, "style": 3}, "style 必须是字符串"),
    ({"question": "   "}, "问题是空的"),
    ({"question": "长" * 501}, "问题太长（501 字）"),
    ([GDP_Q], "请求必须是一个 JSON 对象"),
    ({"question": GDP_Q, "reranker": "cross-encoder"}, "未知的重排序 'cross-encoder'"),  # no model configured
])
def test_a_bad_field_is_a_400_that_says_what_to_change(client, body, message):
    response = client.post(ASK_PATH, json=body)
    assert response.status_code == 400 and message in response.json()["error"]


@pytest.mark.parametrize("body", [b"question=GDP", b"[" * 100_000 + b"]" * 100_000])  # not JSON; nested too deep
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_fields(client, body):
    response = client.post(ASK_PATH, content=body[:60_000], headers={"content-type": "application/json"})
    assert response.status_code == 400 and ", ".join(FIELDS) in response.json()["error"]


@pytest.mark.parametrize("body", [b'{"question": "\\ud800"}', b'{"q\\ud800": 1}'])
def test_a_lone_surrogate_is_a_400_not_a_crash(client, body):
    response = client.post(ASK_PATH, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "UTF-8" in response.json()["error"]


def test_a_history_nested_as_deep_as_json_allows_is_a_400(client):
    body = b'{"question": "q", "history": ' + b"[" * 900 + b"]" * 900 + b"}"
    response = client.post(ASK_PATH, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400 and "history 必须是之前问题的列表" in response.json()["error"]


def test_a_bug_while_answering_is_a_json_500_without_the_traceback(assistant):
    # A stand-in that fails inside `ask`: a bug cannot be provoked in the real assistant on purpose.
    class Broken:
        modes, config, index, chunks = assistant.modes, assistant.config, assistant.index, assistant.chunks

        def ask(self, *args, **kwargs):
            raise RuntimeError("secret internals")

    response = _client(Broken()).post(ASK_PATH, json={"question": GDP_Q})
    assert response.status_code == 500 and "服务器内部错误" in response.json()["error"]
    assert "secret internals" not in response.text


def test_a_body_over_the_limit_is_refused_whether_or_not_its_length_is_declared(client, assistant):
    limit = assistant.config.max_request_bytes
    big = b'{"question": "' + b"a" * limit + b'"}'
    declared = client.post(ASK_PATH, content=big, headers={"content-type": "application/json"})
    streamed = client.post(ASK_PATH, content=iter([big[:1000], big[1000:]]), headers={"content-type": "application/json"})
    for response in (declared, streamed):
        assert response.status_code == 413 and f"最多 {limit} 字节" in response.json()["error"]


def test_with_a_login_every_route_needs_basic_credentials(assistant):
    client = _client(assistant, auth=("reader", "s3cret:pw"))
    for headers in ({}, _basic("reader", "wrong"), _basic("someone", "s3cret:pw"), {"Authorization": "Basic !!"}):
        response = client.post(ASK_PATH, json={"question": GDP_Q}, headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Basic")
    assert client.get(HEALTH_PATH).status_code == 401
    ok = client.post(ASK_PATH, json={"question": GDP_Q}, headers=_basic("reader", "s3cret:pw"))
    assert ok.status_code == 200 and "6.7%" in ok.json()["answer"]


def test_health_names_the_loaded_reports(client, assistant):
    assert client.get(HEALTH_PATH).json() == {"status": "ok", "reports": list(assistant.index.documents),
                                              "chunks": len(assistant.chunks)}


def test_an_answer_over_the_time_budget_is_a_503_saying_so(assistant):
    # a real answer embeds the question (about 25 ms here): it cannot finish in a millisecond
    response = _client(assistant, budget_s=0.001).post(ASK_PATH, json={"question": GDP_Q})
    assert response.status_code == 503 and "0.001 秒内" in response.json()["error"]


# ---- the worker pool ---------------------------------------------------------------------------------

def test_a_request_still_waiting_when_its_budget_runs_out_never_starts():
    workers = Workers(threads=1, budget_s=0.2)
    running, release, ran = threading.Event(), threading.Event(), []

    def slow() -> None:
        running.set()
        release.wait(10)
        ran.append("slow")

    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(workers.run, slow)  # takes the only thread
        try:
            assert running.wait(10)
            with pytest.raises(OverBudgetError, match="0.2 秒内"):
                workers.run(lambda: ran.append("late"))
            # its client is told at 0.2 s even though the work is still running (asserted before the release,
            # so a slow scheduler cannot let the work finish first)
            with pytest.raises(OverBudgetError):
                busy.result(timeout=10)
        finally:
            release.set()  # a failed assertion must not leave the pool waiting out the 10 s
    assert workers.run(lambda: "next") == "next"  # queued after the late one: that one has been passed over
    assert ran == ["slow"]


def test_workers_return_results_and_raise_the_callers_error():
    workers = Workers(threads=2, budget_s=5)
    assert workers.run(lambda: 6 * 7) == 42
    with pytest.raises(ZeroDivisionError):
        workers.run(lambda: 1 / 0)


def test_with_every_thread_busy_and_no_room_to_wait_a_request_is_refused_at_once():
    workers = Workers(threads=1, budget_s=10, max_waiting=0)
    running, release = threading.Event(), threading.Event()
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(workers.run, lambda: (running.set(), release.wait(10)))
        assert running.wait(10)
        with pytest.raises(OverBudgetError, match="等待回答的问题已满"):
            workers.run(lambda: "never")
        release.set()
        busy.result(timeout=10)
    assert workers.run(lambda: "room again") == "room again"


# ---- the question batcher ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def e5():
    return get_embedder("e5-small")


class Counting:
    """The real embedder, recording how many texts each model call got."""

    def __init__(self, embedder, batch_invariant=True) -> None:
        self.embedder, self.name, self.dim, self.batch_invariant = embedder, embedder.name, embedder.dim, batch_invariant
        self.calls: list[int] = []

    def embed_queries(self, texts):
        self.calls.append(len(texts))
        if "boom" in texts:
            raise RuntimeError("model failed")
        return self.embedder.embed_queries(texts)


def _together(batcher, questions):
    release = threading.Barrier(len(questions))

    def one(q):
        release.wait()  # all threads ask at once, so that batches form
        return batcher.embed_queries([q])[0]

    with ThreadPoolExecutor(len(questions)) as pool:
        return np.stack(list(pool.map(one, questions)))


def test_batched_question_vectors_are_bit_identical_to_single_ones(e5):
    questions = [GDP_Q, CHARGERS_Q, "什么是“三化改造”？", "今年新增城镇就业的目标是多少？"] * 4
    single = np.stack([e5.embed_queries([q])[0] for q in questions])
    counting = Counting(e5)
    batcher = QueryBatcher(counting, max_batch=8)
    assert np.array_equal(single, _together(batcher, questions))
    assert max(counting.calls) > 1  # batches did form
    assert np.array_equal(batcher.embed_queries(questions[:3]), single[:3])


def test_an_embedder_that_does_not_declare_itself_batch_invariant_gets_one_question_per_call(e5):
    counting = Counting(e5, batch_invariant=False)
    _together(QueryBatcher(counting, max_batch=8), [GDP_Q, CHARGERS_Q] * 4)
    assert set(counting.calls) == {1}


def test_a_failing_question_fails_alone_and_the_batcher_goes_on(e5):
    batcher = QueryBatcher(Counting(e5))
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(batcher.embed_queries, [q]) for q in ("boom", GDP_Q, CHARGERS_Q, "boom")]
    outcomes = [f.exception() is None for f in futures]
    assert outcomes == [False, True, True, False]
    assert batcher.embed_queries([GDP_Q]).shape == (1, e5.dim)


def test_the_batcher_answers_even_when_its_thread_limit_cannot_be_set(e5, monkeypatch):
    def refuse(_threads):
        raise OSError("no OpenMP here")

    monkeypatch.setattr(query_batcher, "_limit_openmp", refuse)
    assert QueryBatcher(e5).embed_queries([GDP_Q]).shape == (1, e5.dim)
