import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def qa_cli(tmp_path_factory):
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path_factory.mktemp("cli-index"))}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "qa", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)

    return run


def test_ask_json_prints_one_object_with_citations(qa_cli):
    out = qa_cli("ask", "2025年偃师新增了多少个充电桩？", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert {"question", "answer", "refused", "citations", "timings_ms"} <= set(data)
    first = data["citations"][0]
    assert {"n", "chunk_id", "doc", "section", "text", "evidence", "score"} <= set(first)
    start, end = first["evidence"]
    assert "106" in first["text"][start:end] and "106" in data["answer"]


def test_show_prints_the_chunk(qa_cli):
    out = qa_cli("show", "yanshi-2026-government-work-report#4.4.0:p1")
    assert out.returncode == 0 and "智能化、绿色化、融合化改造" in out.stdout


def test_show_unknown_id_fails_with_one_line(qa_cli):
    out = qa_cli("show", "nope#9")
    assert out.returncode != 0 and out.stderr.strip() == "qa: error: unknown chunk id 'nope#9'"


def test_empty_question_fails_with_one_line(qa_cli):
    out = qa_cli("ask", "  ")
    assert out.returncode != 0 and out.stderr.strip().endswith("问题是空的：请输入一个关于报告内容的问题。")


def test_missing_seeds_folder_fails_with_one_line(qa_cli, tmp_path):
    out = qa_cli("build", "--seeds", str(tmp_path / "none"), "--index", str(tmp_path / "idx"))
    assert out.returncode != 0 and "seeds folder not found" in out.stderr.strip().splitlines()[-1]
