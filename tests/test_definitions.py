"""What-is and which-items questions are answered by the report's own explanation of the name they ask about."""
import pytest

from qa.analysis import DEFINITION, PERSON


# Each case: a question, and its whole answer in the clause style.
@pytest.mark.parametrize("question, answer", [
    pytest.param("什么是“三化改造”？", "三化改造。即智能化、绿色化、融合化改造[1]",
                 id="a_glossary_definition_is_whole_and_without_its_list_number"),
    # "咋回事" was not read as asking for a meaning; the entry's name alone answers nothing.
    pytest.param("那个三化改造咋回事", "三化改造。即智能化、绿色化、融合化改造[1]",
                 id="any_question_landing_on_a_glossary_entrys_name_gets_what_the_entry_says"),
    pytest.param("“两河三渠”中的“三渠”是哪三条？", "“三渠”即中州渠、涝洼渠、沙沟河[1]",
                 id="a_question_about_one_quoted_part_of_an_entry_gets_that_parts_explanation"),
    # "代表什么" asks a meaning; "N" (folded to n in the question) is the part the glossary writes “N”即….
    pytest.param("“1+2+4+N”里的N代表什么？", "“N”即落实“1+2+4”而制定的一系列具体工作部署、政策和举措[1]",
                 id="an_unquoted_part_of_a_compound_name_asked_with_daibiao_gets_its_explanation"),
    pytest.param("“1+3”新材料到底是哪1哪3",
                 "“1+3”新材料产业。“1”即铝基新材料；“3”即分子筛吸附和催化材料、信息显示材料、先进金属材料[1]",
                 id="a_question_naming_several_parts_of_a_compound_name_asks_about_the_whole"),
    # “1+2+4” is written inside “1+2+4+N” and never explained on its own: no unexplained-name refusal.
    pytest.param("1+2+4+N N 是什么意思", "“N”即落实“1+2+4”而制定的一系列具体工作部署、政策和举措[1]",
                 id="a_shorter_compound_inside_the_one_asked_about_is_not_asked_about"),
    # "“三蹦子”海外出圈" alone says nothing of what 三蹦子 is; the clause before it does.
    pytest.param("报告里“三蹦子”说的是什么？", "三轮摩托车产业获评省级中小企业特色产业集群，“三蹦子”海外出圈[1]",
                 id="a_name_no_passage_explains_is_answered_with_the_sentence_that_uses_it"),
])
def test_a_what_is_question_gets_the_reports_own_explanation(assistant, question, answer):
    assert assistant.ask(question, style="clauses").text == answer


# Each case: a question, and how its clause-style answer begins (the explanation, not the name alone).
@pytest.mark.parametrize("question, start", [
    pytest.param("“1+2+10+6”中的“6”是指哪6个行动？", "“6”即党建引领基层、大气污染治理提质增效、",
                 id="a_one_character_part_of_a_compound_name_is_the_part_asked_about"),
    pytest.param("“1+2+10+6”里管治理的那6个专项行动分别是啥？", "“6”即党建引领基层",
                 id="a_part_counted_in_the_question_is_the_part_asked_about"),
    pytest.param("城市更新“六大工程”是什么？", "城市更新“六大工程”。即片区开发更新、",
                 id="the_whole_entry_is_given_when_the_question_asks_about_the_entrys_own_name"),
    # "都包括啥" was not read as asking for a meaning.
    pytest.param("城市更新六大工程都包括啥", "城市更新“六大工程”。即片区开发更新、",
                 id="a_question_landing_on_an_entrys_name_in_other_words_gets_the_entry"),
    pytest.param("“五共五连”原则具体指啥？", "五共五连。即坚持产业共谋，实现连片发展；",
                 id="a_colloquial_what_does_it_mean_gets_the_glossary_entry"),
    # "按照“五共五连”原则，压茬推进…5个组团" shares 原则 with the question but only uses the name.
    pytest.param("“五共五连”原则具体包括哪些内容？", "五共五连。即坚持产业共谋，实现连片发展；坚持设施共建",
                 id="a_which_items_question_gets_the_explanation_not_a_sentence_using_the_name"),
])
def test_a_what_is_question_begins_with_the_explanation(assistant, question, start):
    assert assistant.ask(question, style="clauses").text.startswith(start)


def test_a_report_name_written_without_quotes_is_one_key_term(assistant):
    # jieba cuts 三医一张网指的是什么 into 三医 / 一张 / 网指; the report's quoted name is kept whole.
    analysis = assistant.analyzer.analyse("三医一张网指的是什么？")
    assert "三医一张网" in analysis.terms and "网指" not in analysis.terms
    assert "医疗、医保、医药“三医一张网”" in assistant.ask("三医一张网指的是什么？").text


def test_the_words_that_ask_for_a_meaning_are_no_key_terms(assistant):
    analysis = assistant.analyzer.analyse("“两降一升”是什么意思？")
    assert set(analysis.terms) == {"两降一升"}


def test_a_what_question_gets_the_whole_glossary_item_it_touches(assistant):
    # "即坚持产业共谋，实现连片发展；坚持设施共建，实现连片完善；…": an item's second clause says what its first aims at.
    answer = assistant.ask("“五共五连”里坚持服务共享要实现什么？")
    assert "坚持服务共享，实现连片提升" in answer.text


def test_what_a_name_is_asked_as_shi_ge_sha_is_a_definition(assistant):
    assert assistant.analyzer.analyse("两河三渠是个啥").asks_for(DEFINITION)
    # 是个什么 before a noun asks which kind ("是个啥等级的医院"), not what a name means.
    assert not assistant.analyzer.analyse("人民医院现在是个啥等级的医院？").asks_for(DEFINITION)


def test_asking_the_listeners_is_no_who_question(assistant):
    assert not assistant.analyzer.analyse("五共五连啥意思啊 谁给翻译翻译").asks_for(PERSON)


def test_a_glossary_entry_longer_than_a_passage_is_answered_whole(assistant):
    # The “1+2+10+6” entry is longer than a passage; cut in two, its “10” and “6” were lost to a what-is answer.
    answer = assistant.ask("市里说的1+2+10+6工作部署是指啥", style="clauses")
    assert answer.text.startswith("“1+2+10+6”工作部署。“1”即加快建强中原城市群副中心城市")
    assert answer.text.endswith("干部作风能力提升6个高效能治理专项行动[1]")


def test_a_compound_name_written_without_quotes_is_the_name_asked_about(assistant):
    assert assistant.analyzer.analyse("1+3新材料产业具体指什么").defines == "1+3"
