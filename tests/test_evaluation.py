"""Specification of the evaluation harness, on small hand-computed cases.

The assistant here is a fake that returns scripted `Answer`s: the metrics are checked against values
worked out by hand, so the real retrieval and answering stack must not be involved.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from qa.config import Config
from qa.errors import QuestionError
from qa.eval_report import compare, write_outputs
from qa.eval_run import evaluate
from qa.params import DEFAULT
from qa.evaluation import EvalItem, EvaluationError, ItemResult, char_f1, chunk_has, load_set, run, select_split
from qa.metrics import check_minimums, compute_metrics
from qa.types import Answer, Chunk, Citation, Hit

EVIDENCE = "新增停车位395个、充电桩106个"


def chunk(cid: str, text: str) -> Chunk:
    return Chunk(id=cid, doc="report", section=("一",), paragraph=1, start=0, end=len(text), period="2025", text=text)


OTHER = chunk("r#1.p1", "全年地区生产总值增长6.7%。")
PARKING = chunk("r#1.p2", "城市更新扎实推进，新增停车位 ３９５ 个、充电桩106个。")


def answer(text: str = "", hits: tuple[Chunk, ...] = (), cited: tuple[Chunk, ...] = (), refused: bool = False,
           timings: dict[str, float] | None = None, check: str = "") -> Answer:
    return Answer(
        question="q", text=text, refused=refused, understood_as="q", check=check,
        hits=[Hit(c, score=1.0 / rank) for rank, c in enumerate(hits, start=1)],
        citations=[Citation(n, c, (0, len(c.text)), 1.0) for n, c in enumerate(cited, start=1)],
        timings_ms={"total": 10.0} if timings is None else timings,
    )


def item(iid: str = "d001", answerable: bool = True, gold: str = "106个", evidence: tuple[str, ...] = (EVIDENCE,),
         aliases: tuple[str, ...] = (), kind: str = "number") -> EvalItem:
    return EvalItem(iid, f"question {iid}", answerable, gold if answerable else "报告未提及", aliases,
                    evidence if answerable else (), kind)


def result(it: EvalItem, ans: Answer, wall_ms: float = 10.0) -> ItemResult:
    return ItemResult(it, ans, wall_ms)


class FakeAssistant:
    """Stands in for qa.Assistant: replies are scripted per question and every call is recorded."""

    def __init__(self, replies: dict[str, Answer]) -> None:
        self.replies = replies
        self.calls: list[tuple[str, int]] = []
        self.config = Config()
        self.params = DEFAULT
        self.manifest = {"embedder": "e5-small", "chunks": 3}

    def ask(self, question: str, history: object = None, top_k: int = 5) -> Answer:
        self.calls.append((question, top_k))
        return self.replies[question]


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- loading and splitting


def test_load_set_reads_an_item_and_ignores_unknown_fields(tmp_path: Path) -> None:
    record = {"id": "d001", "question": "2025年偃师新增了多少个充电桩？", "answerable": True, "answer": "106个",
              "answer_aliases": ["106"], "evidence": [EVIDENCE], "type": "number", "section": "一", "note": "x"}
    items, errors = load_set(write_lines(tmp_path / "set.jsonl", [json.dumps(record, ensure_ascii=False)]))
    assert errors == []
    assert items == [EvalItem(id="d001", question="2025年偃师新增了多少个充电桩？", answerable=True, answer="106个",
                              aliases=("106",), evidence=(EVIDENCE,), type="number", section="一")]


def test_load_set_reports_malformed_lines_by_number_and_keeps_the_rest(tmp_path: Path) -> None:
    good = '{"id": "%s", "question": "q", "answerable": false}'
    path = write_lines(tmp_path / "set.jsonl", [
        good % "d001",
        '{"id": "d002", "question": ',
        '{"id": "d003", "answerable": false}',
        '{"id": "d004", "question": "q", "answerable": "yes"}',
        "",
        good % "d001",
        '{"id": "d007", "question": "q", "answerable": true, "answer": "1个"}',
        good % "d008",
    ])
    items, errors = load_set(path)
    assert [i.id for i in items] == ["d001", "d008"]
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3", "line 4", "line 6", "line 7"]
    assert errors[0].startswith("line 2: invalid JSON")
    assert errors[1:] == [
        "line 3: missing field 'question'",
        "line 4: field 'answerable' must be bool, got str",
        "line 6: duplicate id 'd001'",
        "line 7: answerable item without evidence (retrieval cannot be judged)",
    ]


def test_load_set_names_a_missing_or_non_utf8_file(tmp_path: Path) -> None:
    with pytest.raises(EvaluationError, match="question set not found"):
        load_set(tmp_path / "absent.jsonl")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes('{"id": "d001", "question": "充电桩"}'.encode("gb18030"))
    with pytest.raises(EvaluationError, match="not UTF-8"):
        load_set(gbk)


def test_odd_ids_are_tune_and_even_ids_are_report() -> None:
    items = [item(i) for i in ("d001", "d002", "d003", "d010")]
    assert [i.id for i in select_split(items, "tune")] == ["d001", "d003"]
    assert [i.id for i in select_split(items, "report")] == ["d002", "d010"]
    assert select_split(items, "all") == items


def test_a_split_rejects_unknown_names_and_ids_without_a_number() -> None:
    with pytest.raises(EvaluationError, match="unknown split 'dev'"):
        select_split([item()], "dev")
    with pytest.raises(EvaluationError, match="no split: intro"):
        select_split([item("intro")], "tune")


# ---------------------------------------------------------------- retrieval


def test_a_chunk_hits_when_it_holds_the_evidence_after_width_and_space_folding() -> None:
    assert chunk_has("城市更新扎实推进，新增停车位395个、充电桩106个。", EVIDENCE)
    r = result(item(), answer(hits=(OTHER, PARKING)))
    assert r.judgement.first_hit_rank == 2


def test_evidence_cut_by_a_chunk_boundary_hits_from_80_percent_overlap() -> None:
    evidence = "甲乙丙丁戊己庚辛壬癸"  # 10 characters
    eight = chunk("c8", "前文甲乙丙丁戊己庚辛")  # 8 of 10 in one piece: 0.8
    seven = chunk("c7", "前文甲乙丙丁戊己庚")  # 7 of 10: 0.7
    assert chunk_has(eight.text, evidence) and not chunk_has(seven.text, evidence)
    r = result(item(evidence=(evidence,)), answer(hits=(seven, eight)))
    assert r.judgement.first_hit_rank == 2



def test_the_boundary_rule_counts_frequent_characters_in_long_chunks() -> None:
    # In a chunk of 200+ characters difflib by default skips characters as common as "的" when it looks
    # for a match, and would settle for the 2-character "戊己" over the 8-character run at the end.
    long_chunk = "坚持" * 100 + "戊己" + "坚持" * 10 + "甲的乙的丙的丁的"
    assert chunk_has(long_chunk, "甲的乙的丙的丁的戊己")

def test_retrieval_hit_at_k_and_mrr_over_answerable_items() -> None:
    fillers = tuple(chunk(f"f{i}", f"无关段落{i}") for i in range(5))
    results = [
        result(item("d001"), answer(hits=(OTHER, PARKING))),  # first hit at rank 2
        result(item("d002"), answer(hits=(PARKING, PARKING, OTHER))),  # rank 1
        result(item("d003"), answer(hits=(*fillers, PARKING))),  # rank 6: outside hit@5
        result(item("d004", answerable=False), answer(hits=(OTHER,), refused=True)),  # not counted
    ]
    retrieval = compute_metrics(results)["retrieval"]
    assert retrieval["hit@1"] == pytest.approx(1 / 3)
    assert retrieval["hit@3"] == pytest.approx(2 / 3)
    assert retrieval["hit@5"] == pytest.approx(2 / 3)
    assert retrieval["mrr"] == pytest.approx((1 / 2 + 1 + 1 / 6) / 3)


def test_duplicate_retrieved_chunks_count_once_in_the_ranking() -> None:
    r = result(item(), answer(hits=(OTHER, OTHER, PARKING)))
    assert r.judgement.first_hit_rank == 2


def test_recall_at_5_is_the_share_of_evidence_strings_in_the_first_five_chunks() -> None:
    fillers = tuple(chunk(f"f{i}", f"无关段落{i}") for i in range(4))
    two = item("d001", evidence=(EVIDENCE, "全年地区生产总值增长6.7%"))
    results = [
        result(two, answer(hits=(PARKING, *fillers, OTHER))),  # 2nd evidence only at rank 6: 1/2
        result(item("d002"), answer(hits=(PARKING,))),  # 1/1
    ]
    assert compute_metrics(results)["retrieval"]["recall@5"] == pytest.approx(0.75)


# ---------------------------------------------------------------- answers


def test_answer_accuracy_folds_width_and_chinese_numerals_and_accepts_aliases() -> None:
    cases = {
        "新增充电桩１０６个": True,  # full-width digits
        "新增一百零六个充电桩": True,  # Chinese numerals
        "新增105个": False,
        "共106座": True,  # matches the alias "106"
    }
    results = [result(item(f"d{n:03}", aliases=("106",)), answer(text)) for n, text in enumerate(cases, start=1)]
    assert [r.judgement.answer_correct for r in results] == list(cases.values())
    assert compute_metrics(results)["answer"]["accuracy"] == 0.75


@pytest.mark.parametrize(("said", "gold", "correct"), [
    # Every part of a gold of several parts, in the report's own joining words.
    ("“两河”即伊河、洛河，“三渠”即中州渠、涝洼渠、沙沟河", "两河：伊河、洛河；三渠：中州渠、涝洼渠、沙沟河", True),
    ("实施重点项目108个、总投资243亿元", "108个、243亿元", True),
    # A longer part may differ in a joining word ("坚持产业共谋，实现连片发展" for "产业共谋实现连片发展")...
    ("即坚持产业共谋，实现连片发展；坚持设施共建，实现连片完善", "产业共谋实现连片发展、设施共建实现连片完善", True),
    # ...never in a figure, and no part may be missing.
    ("地区生产总值增长6.9%、规上工业增加值增长13.8%", "地区生产总值增长6.7%、规上工业增加值增长13.8%", False),
    ("“两河”即伊河、洛河", "两河：伊河、洛河；三渠：中州渠、涝洼渠、沙沟河", False),
    ("实施重点项目108个", "108个、243亿元", False),
    # A short part must be said exactly.
    ("伊河、渭河", "伊河、洛河", False),
])
def test_a_gold_of_several_parts_is_said_when_every_part_is(said: str, gold: str, correct: bool) -> None:
    assert result(item(gold=gold, kind="definition"), answer(said)).judgement.answer_correct is correct


def test_a_refused_answer_is_wrong_even_if_it_mentions_the_figure() -> None:
    r = result(item(), answer("无法确认是否为106个", refused=True))
    assert r.judgement.answer_correct is False and r.judgement.char_f1 == 0.0


def test_char_f1_is_bag_of_characters_overlap() -> None:
    # "投资24亿" vs "243亿元": common 2, 4, 亿 → P = 3/5, R = 3/5
    assert char_f1("投资24亿", "243亿元") == pytest.approx(0.6)
    # 9 characters said, all 4 gold ones among them: P = 4/9, R = 1 → 8/13
    assert char_f1("新增充电桩106个", "106个") == pytest.approx(8 / 13)
    assert char_f1("无关", "106个") == 0.0


def test_citation_markers_in_the_answer_are_not_part_of_it() -> None:
    r = result(item(gold="3处", aliases=("3",)), answer("共有两处［3］"))
    assert r.judgement.answer_correct is False  # the marker's 3 is not the figure 3
    assert result(item(), answer("106个[1]")).judgement.char_f1 == 1.0


def test_char_f1_metric_takes_the_best_alias_and_averages_over_answerable_items() -> None:
    results = [
        # vs "106个": P = R = 3/4 → 0.75; vs alias "106": P = 3/4, R = 1 → 6/7
        result(item("d001", aliases=("106",)), answer("106座")),
        result(item("d002"), answer("106个", refused=True)),  # refused: 0
        result(item("d003", answerable=False), answer("报告未提及", refused=True)),  # not counted
    ]
    assert compute_metrics(results)["answer"]["char_f1"] == pytest.approx((6 / 7 + 0) / 2)


# ---------------------------------------------------------------- citations and refusals


def test_citation_precision_and_recall_average_over_answerable_items() -> None:
    two = item("d001", evidence=(EVIDENCE, "全年地区生产总值增长6.7%"))
    unrelated = chunk("r#2.p1", "坚持创新驱动。")
    results = [
        # cited chunks {PARKING, unrelated}: 1 of 2 holds evidence; evidence found: 1 of 2
        result(two, answer("106个", cited=(PARKING, unrelated, PARKING))),
        result(item("d002"), answer("106个")),  # no citations: 0 and 0
        result(item("d003", answerable=False), answer("x", cited=(unrelated,))),  # not counted
    ]
    assert compute_metrics(results)["citation"] == {"precision": 0.25, "recall": 0.25}


def test_refusal_precision_recall_and_false_refusal_rate() -> None:
    results = [
        result(item("d001", answerable=False), answer(refused=True, check="period")),
        result(item("d002", answerable=False), answer("瞎编")),
        result(item("d003"), answer(refused=True)),
        result(item("d004"), answer("106个")),
        result(item("d005"), answer("106个")),
    ]
    refusal = compute_metrics(results)["refusal"]
    assert refusal == {"precision": 0.5, "recall": 0.5, "false_refusal_rate": pytest.approx(1 / 3),
                       "by_check": {"evidence": {"answerable": 1, "unanswerable": 0},
                                    "period": {"answerable": 0, "unanswerable": 1}}}


def test_refusal_ratios_with_nothing_to_count_are_zero() -> None:
    refusal = compute_metrics([result(item(), answer("106个"))])["refusal"]
    assert refusal == {"precision": 0.0, "recall": 0.0, "false_refusal_rate": 0.0, "by_check": {}}


# ---------------------------------------------------------------- latency, per type, shape


def test_latency_uses_the_total_timing_or_the_wall_time_and_summarises_stages() -> None:
    results = [
        result(item("d001"), answer(timings={"total": 100.0, "retrieve": 10.0})),
        result(item("d002"), answer(timings={"total": 200.0, "retrieve": 30.0})),
        result(item("d003"), answer(timings={"total": 300.0})),
        result(item("d004"), answer(timings={}), wall_ms=400.0),
    ]
    latency = compute_metrics(results)["latency_ms"]
    assert latency == {
        "p50": 250.0,
        "p95": pytest.approx(385.0),  # linear: 300 + 0.85 × 100
        "max": 400.0,
        "stages": {"retrieve": {"p50": 20.0, "p95": pytest.approx(29.0)}},
    }


def test_by_type_repeats_the_headline_metrics_that_apply_to_each_type() -> None:
    results = [
        result(item("d001", kind="number"), answer("106个", hits=(PARKING,))),
        result(item("d002", kind="number"), answer("不知道", hits=(OTHER, PARKING))),
        result(item("d003", answerable=False, kind="absent"), answer(refused=True)),
    ]
    assert compute_metrics(results)["by_type"] == {
        "absent": {"n": 1, "n_answerable": 0, "refusal_recall": 1.0},
        "number": {"n": 2, "n_answerable": 2, "hit@1": 0.5, "hit@5": 1.0, "accuracy": 0.5, "false_refusal_rate": 0.0},
    }


def test_metrics_have_exactly_the_documented_keys() -> None:
    metrics = compute_metrics([result(item(), answer("106个"))], {"split": "all"})
    assert set(metrics) == {"retrieval", "answer", "citation", "refusal", "latency_ms", "by_type", "n",
                            "n_answerable", "config"}
    assert set(metrics["retrieval"]) == {"hit@1", "hit@3", "hit@5", "mrr", "recall@5"}
    assert (metrics["n"], metrics["n_answerable"], metrics["config"]) == (1, 1, {"split": "all"})


# ---------------------------------------------------------------- running


def test_run_asks_every_question_in_order_with_top_k() -> None:
    items = [item("d001"), item("d002")]
    fake = FakeAssistant({"question d001": answer("106个"), "question d002": answer("7个")})
    results = run(fake, items, top_k=3, progress=False)
    assert fake.calls == [("question d001", 3), ("question d002", 3)]
    assert [r.item.id for r in results] == ["d001", "d002"]
    assert all(r.wall_ms >= 0 for r in results)


# ---------------------------------------------------------------- thresholds


def test_check_minimums_lists_the_thresholds_missed() -> None:
    metrics = compute_metrics([result(item(), answer("106个", hits=(OTHER, PARKING)))])
    assert check_minimums(metrics, ["retrieval.hit@5=0.9", "answer.accuracy>=1"]) == []
    assert check_minimums(metrics, ["retrieval.hit@1=0.9", "retrieval.mrr=0.5"]) == [
        "retrieval.hit@1 = 0, wanted at least 0.9"
    ]
    assert check_minimums(metrics, ["latency_ms.p95<=5"]) == ["latency_ms.p95 = 10, wanted at most 5"]


@pytest.mark.parametrize(("spec", "message"), [
    ("retrieval.hit@5", "expected KEY=VALUE"),
    ("retrieval.hit@5=high", "'high' is not a number"),
    ("retrieval.hit@9=0.5", "unknown metric 'retrieval.hit@9'"),
    ("retrieval=0.5", "is not a number"),
])
def test_check_minimums_rejects_bad_specs_and_unknown_metrics(spec: str, message: str) -> None:
    metrics = compute_metrics([result(item(), answer("106个"))])
    with pytest.raises(ValueError, match=message):
        check_minimums(metrics, [spec])


# ---------------------------------------------------------------- outputs and comparison


def failing_run() -> list[ItemResult]:
    return [
        result(item("d001"), answer("新增充电桩106个", hits=(PARKING,), cited=(PARKING,))),
        result(item("d002", gold="243亿元", evidence=("总投资243亿元",)),
               answer("总投资24亿元", hits=(OTHER,), cited=(OTHER,))),
    ]


def test_write_outputs_writes_four_files_and_reports_the_failed_question(tmp_path: Path) -> None:
    results = failing_run()
    paths = write_outputs(tmp_path / "run", compute_metrics(results), results)
    assert sorted(p.name for p in paths.values()) == ["by_type.png", "metrics.json", "report.md", "results.jsonl"]
    assert json.loads(paths["metrics.json"].read_text(encoding="utf-8"))["answer"]["accuracy"] == 0.5
    records = [json.loads(line) for line in paths["results.jsonl"].read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["correct"], r["first_hit_rank"], r["cited_chunk_ids"]) for r in records] == [
        ("d001", True, 1, ["r#1.p2"]), ("d002", False, None, ["r#1.p1"])]
    report = paths["report.md"].read_text(encoding="utf-8")
    failed = report.split("## Failed questions (1)")[1]
    assert "### d002 · number · wrong answer, missed retrieval" in failed
    assert "Expected: 243亿元" in failed and "Got: 总投资24亿元" in failed and OTHER.text in failed
    assert "d001" not in failed
    assert paths["by_type.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_compare_lists_metric_moves_and_questions_that_flipped(tmp_path: Path) -> None:
    old = failing_run()
    write_outputs(tmp_path / "old", compute_metrics(old), old)
    new = [
        result(item("d001"), answer("不知道", hits=(PARKING,))),
        result(item("d002", gold="243亿元", evidence=("总投资243亿元",)), answer("243亿元", hits=(OTHER,))),
    ]
    text = compare(tmp_path / "old", compute_metrics(new), new)
    assert "  citation.precision: 0.5 → 0 (-0.5)" in text.splitlines()
    assert "unchanged:" in text and "answer.accuracy" not in text  # 0.5 both times
    assert "right → wrong (1): d001" in text and "wrong → right (1): d002" in text


def test_compare_without_old_results_shows_metric_moves_only(tmp_path: Path) -> None:
    old_metrics = tmp_path / "metrics.json"
    old_metrics.write_text(json.dumps({"retrieval": {"hit@5": 0.25}, "config": {"top_k": 3}}), encoding="utf-8")
    new = failing_run()
    text = compare(old_metrics, compute_metrics(new, {"top_k": 5}), new)
    assert "  top_k: 3 → 5" in text.splitlines()
    assert "  retrieval.hit@5: 0.25 → 0.5 (+0.25)" in text.splitlines()
    assert "no results.jsonl" in text


# ---------------------------------------------------------------- the one call behind `qa eval`


def test_evaluate_runs_one_split_records_its_config_and_checks_thresholds(tmp_path: Path) -> None:
    set_path = write_lines(tmp_path / "dev.jsonl", [
        json.dumps({"id": f"d00{n}", "question": f"question d00{n}", "answerable": True, "answer": "106个",
                    "evidence": [EVIDENCE], "type": "number"}) for n in (1, 2, 4)
    ] + ["not json"])
    fake = FakeAssistant({"question d002": answer("106个", hits=(PARKING,)), "question d004": answer("7个")})
    metrics, failures = evaluate(fake, set_path, tmp_path / "run", top_k=4, split="report",
                                 minimums=["answer.accuracy=0.9"])
    assert [q for q, _ in fake.calls] == ["question d002", "question d004"]
    canonical = json.dumps(fake.manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    cfg = metrics["config"]
    assert (cfg["split"], cfg["top_k"], cfg["embedder"], cfg["set"]) == ("report", 4, "e5-small", str(set_path))
    assert cfg["index_manifest_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert failures == ["answer.accuracy = 0.5, wanted at least 0.9"]
    assert "line 4: invalid JSON" in (tmp_path / "run" / "report.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("spec", "message"), [("accuracy", "bad threshold"), ("answer.acc=0.9", "unknown metric")])
def test_evaluate_rejects_a_bad_threshold_before_asking_anything(tmp_path: Path, spec: str, message: str) -> None:
    set_path = write_lines(tmp_path / "dev.jsonl", ['{"id": "d001", "question": "q", "answerable": false}'])
    fake = FakeAssistant({})
    with pytest.raises(EvaluationError, match=message):
        evaluate(fake, set_path, tmp_path / "run", minimums=[spec])
    assert fake.calls == []



def test_null_optional_fields_and_empty_aliases_do_not_drop_an_item(tmp_path):
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"id": "u1", "question": "孟津区GDP？", "answerable": false, "answer": null, "answer_aliases": [""], '
        '"evidence": [], "type": null, "section": null}\n', encoding="utf-8")
    items, errors = load_set(path)
    assert errors == []
    assert (items[0].answer, items[0].aliases, items[0].type, items[0].section) == ("报告未提及", (), "other", "")


def test_an_unaskable_question_counts_as_refused_and_the_run_goes_on():
    class Strict:
        def ask(self, question, history=None, top_k=5):
            raise QuestionError("问题太长")

    item = EvalItem("x1", "问" * 600, False, "报告未提及")
    [result] = run(Strict(), [item], progress=False)
    assert result.answer.refused and result.judgement.correct
