"""The `milvus` store on Milvus Lite (an embedded Milvus in a file): same answers as the local store."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from qa import Assistant  # noqa: E402
from qa.errors import UnknownNameError  # noqa: E402
from qa.stores import STORES, open_store  # noqa: E402

from .conftest import DOC  # noqa: E402

CHARGERS = "2025年偃师新增了多少个充电桩？"
# Questions whose top passage the two stores agree on (36 of the first 40 dev questions do).
KNOWN = [CHARGERS, "2025年偃师建成通车的是哪条高速公路？", "“十五五”时期偃师地区生产总值年均增速目标是多少？",
         "偃师哪个派出所被评为国家级“枫桥式公安派出所”？", "去年偃师城镇里新增了多少人就业？"]


@pytest.fixture(scope="module")
def milvus_uri(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("milvus") / "qa.db"


@pytest.fixture(scope="module")
def milvus(assistant: Assistant, milvus_uri: Path) -> Assistant:
    """The session's index (already built) searched through Milvus Lite."""
    return Assistant.load(assistant.config.replace(store="milvus", milvus_uri=str(milvus_uri)), progress=None)


def test_registry_names_both_stores() -> None:
    assert STORES.names() == ["local", "milvus"]
    with pytest.raises(UnknownNameError):
        STORES.check("elastic")


def test_milvus_answers_with_its_citation(milvus: Assistant) -> None:
    assert milvus.retriever.store.name == "milvus"
    answer = milvus.ask(CHARGERS)
    assert not answer.refused and "106" in answer.text
    assert any("充电桩106个" in c.chunk.text and "106" in c.evidence_text for c in answer.citations)
    assert all(set(h.ranks) >= {"bm25", "dense"} for h in answer.hits)


def test_doc_filter(milvus: Assistant) -> None:
    query = milvus.retriever.prepare(milvus.analyzer.analyse(CHARGERS), frozenset({DOC}))
    hits = milvus.retriever.search(query, 20)
    assert len(hits) == 20 and {h.chunk.doc for h in hits} == {DOC}
    other = milvus.retriever.prepare(milvus.analyzer.analyse(CHARGERS), frozenset({"another-report"}))
    assert milvus.retriever.search(other, 20) == []


@pytest.mark.parametrize("question", KNOWN)
def test_same_top_passage_as_local(assistant: Assistant, milvus: Assistant, question: str) -> None:
    local = assistant.retriever.search(assistant.retriever.prepare(assistant.analyzer.analyse(question)), 20)
    remote = milvus.retriever.search(milvus.retriever.prepare(milvus.analyzer.analyse(question)), 20)
    assert remote[0].chunk.id == local[0].chunk.id
    assert len({h.chunk.id for h in local[:5]} & {h.chunk.id for h in remote[:5]}) >= 3


def test_filled_once_per_build(milvus: Assistant) -> None:
    store = milvus.retriever.store
    build_id = milvus.manifest["build"]["id"]
    assert build_id.replace("-", "_") in store.collection
    again = open_store(milvus.index, milvus.config, milvus.retriever.tokenizer)
    assert again.collection == store.collection and again.fill_seconds == 0.0  # found filled, not refilled
    assert store.client.get_collection_stats(store.collection)["row_count"] == len(milvus.chunks)


def test_cli_ask_with_milvus(assistant: Assistant, tmp_path: Path) -> None:
    """QA_STORE=milvus QA_MILVUS_URI=… qa ask --json, in a fresh process over the already built index."""
    env = {**os.environ, "QA_STORE": "milvus", "QA_MILVUS_URI": str(tmp_path / "m" / "qa.db"),
           "QA_INDEX_DIR": str(assistant.config.index_dir)}
    done = subprocess.run([sys.executable, "-m", "qa", "ask", "--json", CHARGERS], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert "106" in answer["answer"] and not answer["refused"]
    assert any("充电桩106个" in c["text"] for c in answer["citations"])
