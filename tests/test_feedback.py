"""qa.feedback: the QA-set line a 👍/👎 becomes, its limits, and concurrent appends."""
from __future__ import annotations

import json
import threading

import pytest

from qa import feedback
from qa.config import Config
from qa.evaluation import load_set
from qa.feedback import FeedbackError, append, make_record, read, record_from_answer

Q = "2025年地区生产总值增长多少？"
SHOWN = "全年地区生产总值增长6.7%[1]"
CITED = ["doc#1.0.1:p2"]
EVIDENCE = ["全年地区生产总值增长6.7%"]


def test_thumbs_up_with_confirmed_evidence_is_a_runnable_item(tmp_path):
    rec = make_record(Q, SHOWN, "up", CITED, EVIDENCE, confirmed=True)
    assert rec["id"].startswith("fb-") and len(rec["id"]) == 3 + 36
    assert rec | {"id": "x", "created": "t"} == {
        "id": "x", "question": Q, "answerable": True, "answer": "全年地区生产总值增长6.7%", "evidence": EVIDENCE,
        "type": "feedback", "verdict": "up", "shown": SHOWN, "cited": CITED, "refused": False, "created": "t"}
    path = append(tmp_path / "fb.jsonl", rec)
    items, errors = load_set(path)  # the same loader as `qa eval`
    assert errors == [] and items[0].answer == "全年地区生产总值增长6.7%" and items[0].type == "feedback"


def test_correction_becomes_the_gold_answer_and_unconfirmed_evidence_is_left_out():
    rec = make_record(Q, SHOWN, "down", CITED, EVIDENCE, correction="  6.8%  ")
    assert rec["answer"] == "6.8%" and rec["correction"] == "6.8%" and rec["evidence"] == [] and rec["answerable"]
    assert rec["verdict"] == "down" and rec["cited"] == CITED


def test_thumbs_down_without_correction_waits_for_review(tmp_path):
    rec = make_record(Q, SHOWN, "down", CITED, EVIDENCE)
    assert "answer" not in rec and rec["answerable"]
    items, errors = load_set(append(tmp_path / "fb.jsonl", rec))
    assert items == [] and "without an answer" in errors[0]  # skipped by `qa eval` with a reason


def test_not_in_report_and_refusals():
    lacking = make_record(Q, SHOWN, "down", CITED, EVIDENCE, not_in_report=True, confirmed=True)
    assert lacking["answerable"] is False and lacking["evidence"] == [] and lacking["answer"] == "报告未提及"
    right_refusal = make_record(Q, "报告中未找到相关信息", "up", refused=True)
    assert right_refusal["answerable"] is False and right_refusal["refused"] is True
    wrong_refusal = make_record(Q, "报告中未找到相关信息", "down", refused=True, correction="6.7%")
    assert wrong_refusal["answerable"] is True and wrong_refusal["answer"] == "6.7%"


def test_record_from_answer_json():
    answer = {"question": Q, "answer": SHOWN, "refused": False,
              "citations": [{"n": 1, "chunk_id": CITED[0], "evidence_text": EVIDENCE[0]}]}
    rec = record_from_answer(answer, "up", confirmed=True)
    assert rec["cited"] == CITED and rec["evidence"] == EVIDENCE and rec["shown"] == SHOWN
    with pytest.raises(FeedbackError):
        record_from_answer("not a dict", "up")  # type: ignore[arg-type]


@pytest.mark.parametrize("kwargs, message", [
    ({"verdict": "meh"}, "未知的评价"),
    ({"question": "   "}, "不能为空"),
    ({"correction": "长" * (feedback.MAX_CORRECTION_CHARS + 1)}, "更正太长"),
    ({"cited": [f"id{i}" for i in range(feedback.MAX_CITED + 1)]}, "引用段落太多"),
    ({"cited": "doc#1"}, "列表"),
    ({"shown": 5}, "文本"),
])
def test_limits_raise_clear_errors(kwargs, message):
    args = {"question": Q, "shown": SHOWN, "verdict": "up"} | kwargs
    with pytest.raises(FeedbackError, match=message):
        make_record(**args)


def test_concurrent_appends_keep_every_line_whole(tmp_path):
    path = tmp_path / "sub" / "fb.jsonl"
    records = [make_record(f"问题{i}？" + "长" * 300, SHOWN, "up", CITED, EVIDENCE) for i in range(200)]
    threads = [threading.Thread(target=append, args=(path, r)) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200 and {json.loads(ln)["id"] for ln in lines} == {r["id"] for r in records}


def test_file_cap_and_a_torn_last_line(tmp_path):
    path = tmp_path / "fb.jsonl"
    path.write_bytes(b'{"id": "torn"')  # a crash mid-write must not swallow the next record
    append(path, make_record(Q, SHOWN, "up"))
    assert [r["question"] for r in read(path)] == [Q]
    with pytest.raises(FeedbackError, match="反馈文件已满"):
        append(path, make_record(Q, SHOWN, "up"), max_bytes=path.stat().st_size + 10)


def test_feedback_path_is_configurable_by_environment(tmp_path):
    cfg = Config.from_env({"QA_FEEDBACK_PATH": str(tmp_path / "x.jsonl")})
    assert cfg.feedback_path == tmp_path / "x.jsonl"
    assert Config().feedback_path.parts[-2:] == ("eval", "feedback.jsonl")
