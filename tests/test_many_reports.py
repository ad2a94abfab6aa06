"""Two reports in one index (the real one and a synthetic 新安县 one made from it, figures changed): a
question naming a place is answered from that report only; one naming neither report's place is
refused; one naming no place gets each report's answer, labelled by place."""
import pytest

from qa import Assistant, Config

from .conftest import DOC, SYNTHETIC_DOC

QUESTION = "2025年新增了多少个充电桩？"


@pytest.fixture(scope="module")
def two(two_report_seeds, tmp_path_factory) -> Assistant:
    return Assistant.load(Config(seeds_dir=two_report_seeds, index_dir=tmp_path_factory.mktemp("two-index")), progress=None)


def test_a_question_naming_the_synthetic_place_is_answered_from_its_report(two):
    answer = two.ask("新安县2025年新增了多少个充电桩？")
    assert not answer.refused
    assert {c.chunk.doc for c in answer.citations} == {SYNTHETIC_DOC}
    assert answer.text.startswith("新安县2025年，")


def test_a_question_naming_yanshi_is_answered_from_the_yanshi_report(two):
    answer = two.ask("偃师区2025年新增了多少个充电桩？")
    assert {c.chunk.doc for c in answer.citations} == {DOC}
    assert "充电桩106个" in answer.text


def test_a_place_neither_report_covers_is_refused(two):
    answer = two.ask("孟津区2025年新增了多少个充电桩？")
    assert answer.refused and answer.refusal_reason == "报告没有提到“孟津”"


def test_a_question_naming_no_place_gets_each_reports_answer_labelled(two):
    answer = two.ask(QUESTION)
    assert {c.chunk.doc for c in answer.citations} == {DOC, SYNTHETIC_DOC}
    assert "偃师区2025年，" in answer.text and "新安县2025年，" in answer.text
    assert sorted(c.n for c in answer.citations) == list(range(1, len(answer.citations) + 1))


def test_choosing_one_report_answers_from_it_alone(two):
    answer = two.ask(QUESTION, docs=[DOC])
    assert {c.chunk.doc for c in answer.citations} == {DOC}


def test_each_report_keeps_its_own_place_and_year(two):
    docs = two.index.documents
    assert (docs[DOC].place, docs[SYNTHETIC_DOC].place, docs[SYNTHETIC_DOC].level) == ("偃师", "新安", "县")
