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
