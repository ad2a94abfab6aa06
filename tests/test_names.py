"""Coined names: a question asking what a quoted name means is answered only where a report explains it."""
import pytest

from qa.names import CoinedNames
from qa.text import fold

PASSAGES = [
    "三化改造。即智能化、绿色化、融合化改造。",
    "加强党建引领基层高效能治理，扎实推进“五基四化”。",
    "加快医疗、医保、医药“三医一张网”建设。",
    "确保PM2.5、PM10、优良天数等指标完成市定标准，实现“两降一升”。",
    "优箔金属、新星轻合金创建河南省“瞪羚”企业。",
    "严格落实安全生产“三个责任”和“三管三必须”要求。",
    "实现行政村通硬化路、通客运“双百”目标。",
    "“三位一体”推进高速公路、干线路网与桥梁建设，内畅外联交通体系加速形成。",
    "荣获首批河南省新时代民营经济“两个健康”实践创新示范县、洛阳市产业发展先进县区称号。",
]


@pytest.fixture(scope="module")
def names():
    return CoinedNames([fold(p) for p in PASSAGES])


@pytest.mark.parametrize("question, name", [
    ("“五基四化”是什么意思？", "五基四化"),
    ("五基四化具体指什么", "五基四化"),  # unquoted: the report quotes it
    ("安全生产“三管三必须”是哪三管？", "三管三必须"),
    ("什么是“一网统管”？", "一网统管"),  # quoted in the question, never in a report
    ("“五基四化”具体是干什么的？", "五基四化"),  # what it is for asks what it means
    # Two items follow it, but inside the clause's own words: the name does not open the clause listing them.
    ("“两个健康”具体指的是哪两个健康？", "两个健康"),
])
def test_asking_the_meaning_of_a_name_no_passage_explains_is_caught(names, question, name):
    assert names.asked_unexplained(fold(question)) == name


@pytest.mark.parametrize("question", [
    "三化改造是什么？",  # explained right after the name (a glossary entry)
    "“三医一张网”指哪三医？",  # three items listed before a name that counts three
    "“两降一升”指什么？",  # two plus one items listed earlier in its sentence
    "“双百”目标指什么？",  # 双 counts two, and two items are listed before it
    "“三位一体”是哪三样一起推？",  # it opens its clause, which lists three, the last joined by 与
])
def test_a_name_the_report_explains_is_not_caught(names, question):
    assert names.asked_unexplained(fold(question)) is None


@pytest.mark.parametrize("question", [
    "哪两家企业创建了“瞪羚”企业？",  # quoted as context, not asked about
    "“瞪羚”企业是哪两家？",  # which ones: a name without a numeral counts no items of its own
    "“十五五”时期文旅产业要成为哪三种产业？",  # a plan's name is a period
    "“五基四化”推进得怎么样？",  # asks how it goes, not what it means
    "“五基四化”工作的牵头部门是什么？",  # an attribute of it (a 的-phrase), which a report may state
    "五基四化推进的是什么工作",  # 的 again: what is being pushed, not what the name means
    "“瞪羚”企业是指哪家企业？",  # which one, which a sentence naming it answers
])
def test_a_question_that_does_not_ask_what_a_name_means_is_not_caught(names, question):
    assert names.asked_unexplained(fold(question)) is None
