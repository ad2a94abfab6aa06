"""Evidence that only restates what the question already says, or gives a rate for an amount, is no answer."""


def test_a_part_of_a_figure_the_question_already_states_is_refused(assistant):
    # "医保定点机构扩围至294家" restates the question's 294 and says nothing of the pharmacies among them.
    answer = assistant.ask("294家医保定点机构中定点药店有多少家？")
    assert answer.refused and answer.check == "restated"
    assert answer.refusal_reason == "报告中只有问题里已经提到的数字，没有所问的这一部分"


def test_a_stated_figure_does_not_stop_a_new_one_from_answering(assistant):
    # The question states 2025's 9081; the answer is 2026's 8000, a figure it does not state.
    assert "8000人" in assistant.ask("去年新增就业9081人，今年城镇新增就业的目标是多少？").text


def test_which_ones_of_a_stated_number_of_things_the_report_only_counts_is_refused(assistant):
    # "6个老旧小区完成改造" counts them and names none.
    answer = assistant.ask("去年完成改造的6个老旧小区分别叫什么？")
    assert answer.refused and answer.refusal_reason == "报告只给出了数量或其中几个，没有全部列出是哪些"


def test_which_others_when_the_report_lists_only_the_ones_the_question_names_is_refused(assistant):
    answer = assistant.ask("18个省级和美村富美村里，除了高崖和引礼寨还有哪些村？")
    assert answer.refused and answer.check == "unlisted"


def test_which_ones_of_a_number_of_things_the_report_names_only_a_few_of_is_refused(assistant):
    # "建成大冢头、二里头等5个安置房项目": two of the five, then 等.
    answer = assistant.ask("建成的5个安置房项目分别叫什么名字")
    assert answer.refused and answer.check == "unlisted"


def test_which_ones_of_a_number_of_things_the_report_lists_before_their_count_is_answered(assistant):
    answer = assistant.ask("2026年乡村连片发展要压茬推进的5个组团是哪几个？")
    assert "颍县、岳滩、山化、邙岭、府店镇5个组团" in answer.text


def test_an_amount_is_not_answered_by_its_growth_rate_alone(assistant):
    # 2025's fixed-asset investment is given only as "固定资产投资增长5.2%".
    answer = assistant.ask("2025年偃师固定资产投资总额是多少？")
    assert answer.refused and answer.refusal_reason == "报告中只有增长率，没有总量数字"


def test_a_rate_that_is_a_level_answers_how_much(assistant):
    # "处理率达到80%" is a share, not a growth: it answers "有多少能集中处理".
    assert "80%" in assistant.ask("农村的污水现在能集中处理多少？").text
