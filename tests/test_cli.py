import json
import os
import subprocess
import sys

import pytest

from qa.cli import main

from .conftest import ROOT


@pytest.fixture(scope="module")
def qa_cli(tmp_path_factory):
    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path_factory.mktemp("cli-index"))}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "qa", *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)

    run.index_dir = env["QA_INDEX_DIR"]
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


CHUNK = "yanshi-2026-government-work-report#4.4.0:p1"


@pytest.mark.parametrize("k, message", [
    ("-5", "返回段落数必须在 1 到 20 之间（收到 -5）。"),
    ("0", "返回段落数必须在 1 到 20 之间（收到 0）。"),
    ("999", "返回段落数必须在 1 到 20 之间（收到 999）。"),
    ("五", "返回段落数必须是整数（收到 '五'），请填写 1 到 20 之间的整数。"),
])
def test_k_outside_1_to_20_is_rejected_by_argparse_before_anything_runs(k, message, capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("QA_INDEX_DIR", str(tmp_path / "index"))
    with pytest.raises(SystemExit) as caught:
        main(["ask", "2025年新增了多少个充电桩？", "-k", k])
    assert caught.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"qa ask: error: argument -k: {message}"
    assert not (tmp_path / "index").exists()


def test_the_top_k_limit_follows_QA_MAX_TOP_K(capsys, monkeypatch):
    monkeypatch.setenv("QA_MAX_TOP_K", "50")
    with pytest.raises(SystemExit):
        main(["eval", "set.jsonl", "--top-k", "51"])
    assert capsys.readouterr().err.strip().splitlines()[-1] == "qa eval: error: argument --top-k: 返回段落数必须在 1 到 50 之间（收到 51）。"


def test_a_reader_that_closes_the_pipe_early_gets_no_broken_pipe_error(qa_cli):
    # `qa show … | head -1` where head is gone before qa writes: the write meets a closed pipe. Python's own
    # report of it ("Exception ignored … BrokenPipeError", exit 120) must not reach the terminal.
    assert qa_cli("show", CHUNK).returncode == 0  # the index exists, so stderr has no build messages
    env = {**os.environ, "QA_INDEX_DIR": qa_cli.index_dir}
    proc = subprocess.Popen([sys.executable, "-m", "qa", "show", CHUNK], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=ROOT)
    proc.stdout.close()
    stderr = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=300) == 1 and stderr == ""


def _eval(tmp_path, *args):
    return main(["eval", str(ROOT / "eval" / "sets" / "dev.jsonl"), "--index", str(tmp_path / "index"), *args])


def test_eval_out_that_is_a_file_fails_before_the_run_with_one_line(tmp_path, capsys):
    out = tmp_path / "metrics.json"
    out.write_text("{}", encoding="utf-8")
    assert _eval(tmp_path, "--out", str(out)) == 2
    assert capsys.readouterr().err == (f"qa: error: --out {out} is a file; give a folder for metrics.json, "
                                       "results.jsonl and report.md\n")
    assert not (tmp_path / "index").exists()  # nothing was built or run


def test_eval_compare_with_a_missing_file_fails_before_the_run_with_one_line(tmp_path, capsys):
    missing = tmp_path / "old" / "metrics.json"
    assert _eval(tmp_path, "--out", str(tmp_path / "run"), "--compare", str(missing)) == 2
    assert capsys.readouterr().err == f"qa: error: --compare {missing}: no such file\n"
    assert not (tmp_path / "index").exists()


def test_eval_compare_with_a_folder_without_metrics_fails_before_the_run(tmp_path, capsys):
    assert _eval(tmp_path, "--out", str(tmp_path / "run"), "--compare", str(tmp_path)) == 2
    assert capsys.readouterr().err == f"qa: error: --compare {tmp_path / 'metrics.json'}: no such file\n"


@pytest.mark.parametrize("content, reason", [
    ('{"question": "q", "gold": "a"}', "not a metrics.json written by `qa eval` (no n, retrieval, answer, config)"),
    ("[1, 2]", "not a metrics.json written by `qa eval` (no n, retrieval, answer, config)"),
    ("not json", "not a metrics.json (Expecting value: line 1 column 1 (char 0))"),
])
def test_eval_compare_with_something_else_than_metrics_fails_before_the_run(tmp_path, capsys, content, reason):
    other = tmp_path / "results.jsonl"
    other.write_text(content, encoding="utf-8")
    assert _eval(tmp_path, "--out", str(tmp_path / "run"), "--compare", str(other)) == 2
    assert capsys.readouterr().err == f"qa: error: --compare {other}: {reason}\n"
    assert not (tmp_path / "index").exists()
