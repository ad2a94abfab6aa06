"""Figures the report implies but never states: an average, a sum of enumerated items, the plan's years before
the last, a reference's level undone from a multiple or a growth; each shown with its derivation and checked."""
from decimal import Decimal

import pytest

from qa.grounding import part_problem, recompute
from qa.periods import plan_less_its_last_year
from qa.types import AnswerPart


# Each case: a question, and the exact answer with its derivation and citations.
@pytest.mark.parametrize("question, answer", [
    pytest.param("去年那108个重点项目平均一个投资多少", "平均每个2.25亿元（243亿元 ÷ 108个）[1]",
                 id="an_average_is_a_total_over_its_count"),
    pytest.param("这五年来偃师的游客平均一人次花了多少钱", "平均每人次约291元（80.8亿元 ÷ 2780万人次）[1]",
                 id="an_average_across_magnitudes_is_rounded_to_three_figures_and_says_so"),
    pytest.param("按去年的粮食种植面积和总产，偃师粮食平均亩产约多少斤？", "平均每亩约791斤（4.77亿斤 ÷ 60.3万亩）[1]",
                 id="yield_per_mu_is_an_average_of_a_weight_over_an_area"),
    pytest.param("去年新增科技型中小企业、高新技术企业、省级专精特新企业一共多少家", "合计71家（59家 + 6家 + 6家）[1]",
                 id="the_items_of_an_enumeration_the_question_names_are_added"),
    pytest.param("今年投产、开工、签约的项目一共多少个", "合计98个（23个 + 45个 + 30个）[1]",
                 id="an_item_is_told_by_its_own_words_after_its_figure"),
    pytest.param("“十四五”前四年（2021—2024年）偃师累计接待游客多少万人次？", "其余2020万人次（2780万人次 − 760万人次）[1][2]",
                 id="the_plans_years_before_the_last_are_its_total_less_the_last_years_part"),
    pytest.param("十三五末偃师建成区面积大概多少平方公里", "按报告推算，“十三五”末约为34.6平方公里（55.29平方公里 ÷ 1.6）[1]",
                 id="a_level_stated_as_a_multiple_of_a_reference_gives_the_references_level"),
    pytest.param("十三五末偃师大概有多少家规上工业企业", "按报告推算，“十三五”末约为280家（337家 ÷ (1 + 20.2%)）[1]",
                 id="a_level_stated_as_a_growth_since_a_reference_gives_the_references_level"),
    pytest.param("2025年洛阳全市GDP增速按报告推算是多少？", "按报告推算，全市为6.0%（6.7% − 0.7个百分点）[1]",
                 id="a_wider_units_growth_the_report_states_against_its_own_is_computed"),
    pytest.param("2025年游客人次占整个十四五累计的多大比例？", "约占27.3%（760万人次 ÷ 2780万人次）[1][2]",
                 id="a_share_of_a_whole_is_the_part_over_the_whole_as_a_percentage"),
    # "占规上工业增加值比重…高多少" compares two shares the report states: a difference, not a quotient.
    pytest.param("高新技术产业增加值占规上工业增加值比重十四五末比今年目标高多少", "高7个百分点（72% − 65%）[1][2]",
                 id="a_share_named_as_the_thing_compared_is_no_share_question"),
    # The evidence states only the question's own 108 and 243: for an average that is what it needs.
    pytest.param("108个重点项目投了243亿，平均一个多少钱", "平均每个2.25亿元（243亿元 ÷ 108个）[1]",
                 id="an_average_may_start_from_the_figures_the_question_states"),
    pytest.param("文物保护13个项目花2.1亿，一个平均多少钱", "平均每个约1615万元（2.1亿元 ÷ 13个）[1]",
                 id="an_average_is_stated_in_the_largest_magnitude_it_reaches"),
    pytest.param("研发投入比十三五涨了57%，那十三五投了多少", "按报告推算，“十三五”约为16.5亿元（25.95亿元 ÷ (1 + 57%)）[1]",
                 id="a_rate_the_question_states_is_not_what_it_asks"),
    pytest.param("十四五期间旅游收入平均每年多少？", "平均每年16.16亿元（80.8亿元 ÷ 5年）[1]",
                 id="a_five_year_plans_total_over_its_years_is_a_yearly_average_stated_exactly_when_it_ends"),
    # 年均增长 is a rate the report states; 480亿元 is the level the plan ends at, not a sum of its years.
    pytest.param("这五年咱区经济平均每年增长多少？", "“十四五”时期，地区生产总值突破480亿元、年均增长4.7%[1]",
                 id="a_yearly_average_growth_is_the_rate_the_report_states"),
])
def test_a_figure_the_report_implies_is_computed_and_shown(assistant, question, answer):
    assert assistant.ask(question).text == answer


def test_an_amount_per_person_that_is_no_average_is_still_refused(assistant):
    assert assistant.ask("育儿补贴每个孩子一年补多少钱？").refused


def test_years_before_the_last_are_written_as_the_plan_less_that_year():
    assert plan_less_its_last_year("2021—2024年累计接待游客多少", 2026) == "“十四五”扣除2025年其余年份累计接待游客多少"
    assert plan_less_its_last_year("这五年里除了去年，前四年办了多少件", 2026) == "这五年里扣除去年，扣除2025年其余年份办了多少件"
    # Without the plan named, "2025年以前" may mean any earlier time: left as it is.
    assert plan_less_its_last_year("2025年以前交付了多少套", 2026) == "2025年以前交付了多少套"


def test_a_wider_units_amount_is_still_refused(assistant):
    assert assistant.ask("2025年洛阳全市地区生产总值总量是多少？").check == "wider_place"


def test_grounding_adds_several_figures_and_undoes_a_growth():
    assert recompute("59家 + 6家 + 6家") == Decimal(71)
    assert recompute("337家 ÷ (1 + 20.2%)").quantize(Decimal(1)) == Decimal(280)
    assert recompute("1 − 2 + 3") is None  # several operators only when all add


def test_grounding_checks_a_rounded_result_in_its_magnitude(assistant):
    answer = assistant.ask("去年那108个重点项目平均一个投资多少")
    derivation = "243亿元 ÷ 108个"
    assert part_problem(AnswerPart(f"平均每个2.25亿元（{derivation}）[1]", (1,), derivation), answer.citations) == ""
    assert part_problem(AnswerPart(f"平均每个约2.3亿元（{derivation}）[1]", (1,), derivation), answer.citations) \
        == "计算结果与推导不符"
    assert part_problem(AnswerPart(f"平均每个2.25万元（{derivation}）[1]", (1,), derivation), answer.citations) \
        == "计算结果与推导不符"


def test_a_share_the_report_states_is_quoted_not_computed(assistant):
    answer = assistant.ask("民生投入占一般公共预算支出的比例是多少")
    assert answer.parts[0].derivation is None and "占比70%以上" in answer.text


def test_grounding_reads_a_percentage_result_of_a_division_as_hundredths():
    assert recompute("760万人次 ÷ 2780万人次").quantize(Decimal("0.001")) == Decimal("0.273")


def test_a_plans_years_are_a_figure_of_its_passages_only(assistant):
    derivation = "80.8亿元 ÷ 5年"
    plan = assistant.ask("十四五期间旅游收入平均每年多少？")
    assert part_problem(AnswerPart(f"平均每年16.16亿元（{derivation}）[1]", (1,), derivation), plan.citations) == ""
    year = assistant.ask("2025年新增停车位多少个？")  # a 2025 passage counts no five years
    assert part_problem(AnswerPart("平均每年79个（395个 ÷ 5年）[1]", (1,), "395个 ÷ 5年"), year.citations) \
        == "计算所用的数字不在引用的原文中"
