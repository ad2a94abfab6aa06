import pytest

from qa.periods import last_year, periods_in, report_year


@pytest.mark.parametrize("question, expected", [
    ("去年GDP增长多少", ["2025"]),
    ("去年培训的人比前年多了多少", ["2025", "2024"]),
    ("今年新增就业的目标", ["2026"]),
    ("明年打算新建几所学校", ["2026"]),
    ("二〇二五年粮食产量", ["2025"]),
    ("这几年学位增加了多少", ["十四五"]),
    ("未来五年GDP目标", ["十五五"]),
    ("“十四五”期间研发投入", ["十四五"]),
    ("2030年达到多少", ["2030", "十五五"]),
])
def test_question_time_words_resolve_against_the_report_year(question, expected):
    assert periods_in(question, 2026) == expected


def test_report_year_comes_from_the_delivery_date(report_text):
    assert report_year(report_text) == 2026


def test_a_period_label_ends_in_its_last_year():
    assert [last_year(p) for p in ("2025", "十四五", "十五五", "其他")] == [2025, 2025, 2030, 0]


def test_a_period_named_only_in_the_askers_premise_is_not_asked_about(assistant):
    # Only the second clause asks; the first states a (false) premise about 2025, whose 10% is no key word either.
    analysis = assistant.analyzer.analyse("既然去年偃师GDP增长了10%，今年目标是多少？")
    assert analysis.periods == ("2026",) and "10%" not in analysis.terms
    assert assistant.ask("既然去年偃师GDP增长了10%，今年目标是多少？").text == "2026年计划：地区生产总值增长5.5%左右[1]"


def test_a_comparison_keeps_both_periods_it_names(assistant):
    assert set(assistant.analyzer.analyse("去年城镇新增就业的实际人数，比今年定的目标多出多少人？").periods) == {"2025", "2026"}


def test_five_years_alone_are_the_plan_under_review_unless_a_plan_is_named():
    assert periods_in("去年游客760万，占五年那2780万的几成", 2026) == ["2025", "十四五"]
    assert periods_in("十三五那五年偃师经济平均每年增长多少", 2026) == ["十三五"]
    assert periods_in("未来五年城镇化率要到多少", 2026) == ["十五五"]
    # Not five years: 十五年, 2.5年, 五年规划, and what the asker does not want (不要五年的).
    assert [periods_in(t, 2026) for t in ("十五年", "2.5年", "五年规划", "不要五年的")] == [[], [], [], []]
