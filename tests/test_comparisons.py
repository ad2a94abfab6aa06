"""Comparisons a reader asks in other words than "比…多多少": a ratio, which of two is bigger, a result over its target."""
from decimal import Decimal

import pytest

from qa.grounding import recompute


def test_a_ratio_is_computed_with_its_derivation(assistant):
    answer = assistant.ask("去年新增停车位是充电桩的几倍？")
    assert answer.parts[0].text.startswith("约是3.73倍（395个 ÷ 106个）") and answer.parts[0].derivation == "395个 ÷ 106个"


# Each case: a question, and how the first part of its answer begins (the computed figure and its derivation).
@pytest.mark.parametrize("question, start", [
    pytest.param("2025年新增停车位和充电桩哪个多？", "新增停车位更多，多289个（395个 − 106个）",
                 id="which_of_two_is_bigger_names_it_and_says_by_how_much"),
    pytest.param("去年新增停车位和充电桩哪个少？", "充电桩更少，少289个（395个 − 106个）",
                 id="which_of_two_is_smaller_names_the_smaller"),
    # "PM2.5" would put a figure no passage states into the answer, which grounding refuses.
    pytest.param("PM2.5和PM10去年哪个降得多？", "前者更多，高7.1个百分点（18.6% − 11.5%）",
                 id="a_name_with_a_figure_of_its_own_is_called_by_its_place_in_the_question"),
    pytest.param("今年固定资产投资和社会消费品零售总额的增长目标哪个高？", "两者相同，都是5%",
                 id="equal_figures_are_said_to_be_equal"),
    pytest.param("今年粮食产量目标比去年实际多多少斤？", "多300万斤（4.8亿斤 − 4.77亿斤）",
                 id="a_result_under_one_of_its_magnitude_is_said_in_the_next_one_down"),
    # No "比" orders the sides: the change runs from the earlier period to the later.
    pytest.param("去年新增就业九千多，今年目标8000，少了多少人", "减少1081人（8000人 − 9081人）",
                 id="two_periods_without_bi_and_less_by_how_much_ask_for_the_change"),
    pytest.param("粮食去年4.77亿斤，今年要4.8，多打多少斤才够", "增加300万斤（4.8亿斤 − 4.77亿斤）",
                 id="more_with_a_verb_between_asks_for_the_change_too"),
    pytest.param("城镇化率从现在到十五五末要提高几个百分点？", "提高3.4个百分点（71% − 67.6%）",
                 id="from_now_to_a_later_plan_asks_the_gap_to_its_target"),
    # "规上工业去年13.8，今年目标才7": 65% (a share of 规上工业增加值) is no figure of the same kind as 13.8% (a growth).
    pytest.param("规上工业去年13.8，今年目标才7？差了多少", "高6.8个百分点（13.8% − 7%）",
                 id="a_share_is_not_compared_with_a_growth"),
])
def test_the_first_part_of_a_comparison_states_the_computed_figure(assistant, question, start):
    assert assistant.ask(question).parts[0].text.startswith(start)


def test_two_sides_are_cut_at_and_not_at_the_add_inside_a_word(assistant):
    # 规上工业增加值 holds 加, which also joins two things ("A加B一共多少").
    assert assistant.analyzer.analyse("去年规上工业增加值增速和GDP增速哪个快？").sides == ("去年规上工业增加值增速", "GDP增速")


# Each case: a question whose sides are easy to mistake, and the derivation its figures must give.
@pytest.mark.parametrize("question, derivation", [
    pytest.param("去年城镇新增就业超过今年目标多少人？", "9081人 − 8000人",
                 id="how_far_a_result_went_over_its_target_is_a_difference"),
    # "2026年目标增速" names no thing: it is 规上工业增加值's 7%, not GDP's 5.5% stated first in the same sentence.
    pytest.param("规上工业增加值2025年实际增速和2026年目标增速差几个点？", "13.8% − 7%",
                 id="a_side_that_says_only_target_compares_the_other_sides_thing_against_its_target"),
    # 十四五's 6.78万人次 of training is no count of the 4.23万人 new jobs the target is measured against.
    pytest.param("“十五五”累计新增城镇就业目标比“十四五”实际完成的少多少？", "3万人 − 4.23万人",
                 id="person_times_are_not_people"),
])
def test_a_comparison_takes_the_figures_of_the_things_compared(assistant, question, derivation):
    assert assistant.ask(question).parts[0].derivation == derivation


def test_two_figures_from_one_passage_cite_it_once(assistant):
    assert assistant.ask("去年新增停车位是充电桩的几倍？").to_dict()["answer_parts"][0]["citations"] == [1]


def test_one_unit_at_two_magnitudes_is_computed_in_the_smaller(assistant):
    answer = assistant.ask("“十四五”累计造林面积是2026年人工造林计划的几倍？")
    assert answer.parts[0].text.startswith("是44倍（2.2万亩 ÷ 500亩）")
    assert assistant.ask("十四五累计造林比今年人工造林计划多多少亩？").parts[0].text.startswith("多21500亩（2.2万亩 − 500亩）")
    assert assistant.ask("今年人工造林计划比十四五累计造林少多少亩？").parts[0].text.startswith("少21500亩（500亩 − 2.2万亩）")


def test_grounding_recomputes_a_derivation_at_its_figures_full_magnitudes():
    assert recompute("2.2万亩 − 500亩") == Decimal(21500)
    assert recompute("8418.6万元 + 1.3亿元") == Decimal("214186000")
    assert recompute("8.7亿元 − 5.4亿元") == Decimal("330000000")


def test_at_least_how_many_is_no_change(assistant):
    assert not assistant.analyzer.analyse("去年和今年充电桩至少多少个").asks_for("comparison")


def test_an_amount_added_is_not_computed_from_rates(assistant):
    # 增加 without a rate word asks for an amount: neither "45% − 6.7%" (a share less a growth) nor "5.5% − 6.7%".
    answer = assistant.ask("到2030年地区生产总值还要增加多少")
    assert not any(p.derivation and "%" in p.derivation for p in answer.parts)
