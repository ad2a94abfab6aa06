"""Known questions about the real report, answered with the real model and index."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from qa import QuestionError
from qa.answerers import REFUSAL
from qa.grounding import check_grounded
from qa.text import numbers_in

from .conftest import DOC


@pytest.mark.parametrize("question, figure, chunk_id", [
    ("2025年偃师新增了多少个充电桩？", "106个", f"{DOC}#1.0.3:p2"),
    ("今年全区地区生产总值预期增长多少？", "5.5%左右", f"{DOC}#3.0.0:p2"),
    ("“十四五”期间累计研发经费投入多少？", "25.95亿元", f"{DOC}#1.0.9:p1.1"),
    ("十五五末地区生产总值要达到多少？", "630亿元", f"{DOC}#2.1.0:p1"),
])
def test_known_questions_are_answered_with_the_figure_and_its_paragraph(assistant, question, figure, chunk_id):
    answer = assistant.ask(question)
    assert not answer.refused
    assert figure in answer.text
    first = answer.citations[0]
    assert first.chunk.id == chunk_id
    assert figure in first.chunk.text[first.evidence[0] : first.evidence[1]]


def test_glossary_question_gets_the_definition(assistant):
    answer = assistant.ask("什么是“三化改造”？")
    assert "智能化、绿色化、融合化改造" in answer.text
    assert answer.citations[0].chunk.section == ("名词解释", "三化改造")


def test_citation_evidence_is_an_exact_span_of_the_document(assistant):
    answer = assistant.ask("2025年新增城镇就业多少人？")
    doc = assistant.documents[DOC]
    for c in answer.citations:
        assert doc[c.chunk.start + c.evidence[0] : c.chunk.start + c.evidence[1]] == c.evidence_text
    assert "9081" in answer.text


def test_every_figure_in_an_answer_is_in_a_cited_span_or_its_period_label(assistant):
    for question in ["去年粮食总产多少？", "今年要新增多少充电桩？", "过去五年累计交房多少套？"]:
        answer = assistant.ask(question)
        cited = {n for c in answer.citations for n in numbers_in(c.evidence_text)}
        labels = {c.chunk.period for c in answer.citations}
        assert set(numbers_in(re.sub(r"\[\d+\]", "", answer.text))) <= cited | labels
        assert check_grounded(answer.text, answer.citations)


def test_grounding_check_rejects_a_figure_not_in_the_evidence(assistant):
    answer = assistant.ask("2025年偃师新增了多少个充电桩？")
    assert not check_grounded("新增充电桩107个[1]", answer.citations)


def test_another_district_is_refused_with_the_nearest_passages(assistant):
    answer = assistant.ask("孟津区2025年地区生产总值增长了多少？")
    assert answer.refused and answer.text == REFUSAL and answer.citations == []
    assert answer.refusal_reason == "报告没有提到“孟津”"
    assert len(answer.hits) == 5


def test_a_figure_the_report_never_gives_is_refused(assistant):
    answer = assistant.ask("沁伊高速全长多少公里？")
    assert answer.refused and answer.refusal_reason == "报告中没有以“公里”为单位的相关数字"


def test_an_answered_question_has_no_refusal_reason(assistant):
    assert assistant.ask("2025年偃师新增了多少个充电桩？").refusal_reason == ""


def test_empty_question_is_a_clear_error(assistant):
    with pytest.raises(QuestionError, match="问题是空的"):
        assistant.ask("   ")


def test_over_long_question_is_a_clear_error(assistant):
    with pytest.raises(QuestionError, match="问题太长（501 字）"):
        assistant.ask("问" * 501)


def test_follow_up_takes_the_subject_from_the_previous_question(assistant):
    answer = assistant.ask("那2026年的目标呢？", history=["2025年新增城镇就业多少人？"])
    assert answer.understood_as.startswith("2026年新增城镇就业多少人")
    assert "8000人" in answer.text


def test_two_part_question_cites_both_figures(assistant):
    answer = assistant.ask("“十四五”期间累计发放了多少创业担保贷款？2026年计划发放多少？")
    assert "3亿元" in answer.text and "2000万元" in answer.text


def test_chinese_numerals_and_full_width_digits_in_questions(assistant):
    assert "5%左右" in assistant.ask("２０２６年固定资产投资预计增长百分之几？").text


def test_concurrent_questions_get_the_same_answers_as_sequential_ones(assistant):
    questions = ["2025年偃师新增了多少个充电桩？", "什么是“三化改造”？", "今年新增城镇就业目标是多少？"] * 4
    expected = [assistant.ask(q).text for q in questions]
    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(lambda q: assistant.ask(q).text, questions)) == expected


def test_unknown_chunk_id_is_a_typed_error(assistant):
    with pytest.raises(KeyError, match="unknown chunk id"):
        assistant.chunk("nope#1")


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_every_retrieval_mode_finds_the_charging_paragraph(assistant, mode):
    hits = assistant.ask("2025年新增充电桩多少个？", mode=mode).hits
    assert f"{DOC}#1.0.3:p2" in [h.chunk.id for h in hits]


def test_clause_style_gives_the_bare_evidence_and_sentence_style_labels_its_period(assistant):
    bare = assistant.ask("今年全区地区生产总值预期增长多少？", style="clauses")
    labelled = assistant.ask("今年全区地区生产总值预期增长多少？")
    assert bare.text == f"{bare.citations[0].evidence_text}[1]"
    assert labelled.text == f"2026年计划：{bare.citations[0].evidence_text}[1]"


def test_unknown_answerer_is_a_typed_error(assistant):
    with pytest.raises(KeyError, match="unknown answerer 'llm'"):
        assistant.ask("2025年GDP增长多少？", answerer="llm")


def test_unknown_style_is_a_typed_error(assistant):
    with pytest.raises(KeyError, match="unknown answer style 'long'"):
        assistant.ask("2025年GDP增长多少？", style="long")


def test_a_year_the_report_does_not_cover_is_refused(assistant):
    answer = assistant.ask("2027年偃师地区生产总值要增长多少？")
    assert answer.refused and answer.refusal_reason == "报告没有涉及2027年的情况"


def test_a_plan_end_year_is_answered_from_the_plan_targets(assistant):
    answer = assistant.ask("到2030年偃师地区生产总值要达到多少？")
    assert not answer.refused and "630亿元" in answer.text


def test_a_how_much_question_is_not_answered_without_a_figure(assistant):
    assert assistant.ask("今年建成的尚义路小学有多少个班级？").refused


def test_a_quoted_name_in_the_question_must_be_matched_whole(assistant):
    answer = assistant.ask("重点支持哪些企业创建河南省“瞪羚”企业？")
    assert "优箔金属、新星轻合金" in answer.text


def test_a_foreign_country_is_not_mistaken_for_an_unknown_district(assistant):
    answer = assistant.ask("今年偃师卖到外国的货，直接出口打算增长百分之几？")
    assert not answer.refused and "7%" in answer.text


def test_latin_abbreviation_gdp_is_a_topic_word(assistant):
    assert assistant.ask("去年GDP增长了多少？").text.startswith("2025年，全年地区生产总值增长6.7%")


def test_everyday_words_reach_report_vocabulary(assistant):
    answer = assistant.ask("孩子上学的名额这几年多了多少")
    assert "增加学位1.4万余个" in answer.text
    assert answer.citations[0].chunk.period == "十四五"


def test_an_everyday_word_stands_for_the_report_word_that_carries_the_asked_unit(assistant):
    # 蓝天 is in the report only as a slogan; its figure in 天 is stated of 优良天数.
    assert assistant.ask("去年蓝天多了几天？").text == "2025年，优良天数增加25天[1]"


def test_the_money_in_how_much_money_is_the_unit_not_a_key_word(assistant):
    assert "钱" not in assistant.analyzer.key_terms("华夏路东延工程总投资多少钱？")
    assert assistant.ask("华夏路东延工程总投资多少钱？").refused


def test_the_share_in_how_big_a_share_is_the_unit_not_a_key_word(assistant):
    # As the focus, 比例 would keep only windows that say 比例 (空气优良天数比例达72.6%, 十四五's).
    assert "比例" not in assistant.analyzer.key_terms("到2030年偃师城里住的人要占到多大比例？")
    assert assistant.ask("到2030年偃师城里住的人要占到多大比例？").text == "“十五五”时期目标：常住人口城镇化率达到71%左右[1]"


def test_money_owed_is_answered_by_the_arrears_cleared_not_by_other_funds(assistant):
    # No synonym row sends 钱 to every 资金 and 投资: 拖欠 and 企业 find the arrears.
    assert assistant.ask("去年欠企业的钱清了多少").text == "2025年，清理拖欠企业账款5.4亿元[1]"


def test_a_one_character_word_finds_the_report_words_that_hold_it(assistant):
    # The report never writes 鞋 alone, only 制鞋, 布鞋 and 鞋业; BM25 matches whole tokens.
    assert {"制鞋", "布鞋", "鞋业"} <= set(assistant.retriever.prepare(assistant.analyzer.analyse("偃师一年能做多少双鞋")).tokens)
    assert assistant.ask("偃师一年能做多少双鞋").text == "“十四五”时期，制鞋产业产能超4.5亿双[1]"


def test_the_reports_own_place_is_not_a_key_word(assistant):
    assert {"偃师", "洛阳"} <= assistant.analyzer.home_places
    assert "偃师" not in assistant.analyzer.key_terms("偃师去年新增了多少个充电桩？")


def test_a_unit_with_a_magnitude_must_be_given(assistant):
    assert "2600万美元" in assistant.ask("今年服务外包执行额要达到多少万美元？").text
    assert assistant.ask("去年偃师进出口总额是多少亿美元？").refused
