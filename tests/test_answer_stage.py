"""The answer stage as the issue describes it: the report's structure shapes the span, comparisons are
computed and shown, answers say which period they are about (refusals: tests/test_refusals.py)."""
import json

import numpy as np
import pytest

from qa.answerability import FEATURES, EvidenceModel
from qa.fit import VECTOR_C, bayes_threshold, fit_model, share_at_model
from qa.grounding import part_problem
from qa.params import DEFAULT
from qa.relative_figures import relatives
from qa.types import AnswerPart
from qa.windows import has_figure


def test_both_halves_of_a_two_part_question_are_answered_in_order(assistant):
    answer = assistant.ask("2025年粮食总产多少？2026年粮食产量目标是多少？")
    assert not answer.refused
    assert answer.text.index("4.77亿斤") < answer.text.index("4.8亿斤")


def test_a_part_that_names_no_period_asks_about_the_first_parts(assistant):
    answer = assistant.ask("去年新增就业多少人？技能培训多少人？")
    assert [p.text for p in answer.parts] == ["2025年，新增城镇就业9081人[1]", "2025年，完成技能培训8646人[1]"]


def test_two_how_much_clauses_joined_by_a_comma_are_two_parts(assistant):
    # The second clause has no subject of its own: it asks about the first one's projects, not their count;
    # the remark after the question asks nothing.
    answer = assistant.ask("今年要推的政策性资金项目和重点项目加起来一共多少个，总投资多少？想给群里算个总账", style="clauses")
    assert answer.text == "合计110个（42个 + 68个）[1]；合计247.4亿元（191.6亿元 + 55.8亿元）[1]"


def test_comma_joined_how_much_clauses_after_another_question_are_one_part(assistant):
    # The comma split applies to a single question; here the first part asks no how-much at all.
    answer = assistant.ask("三化改造是什么？规上企业多少家，产值多少？")
    assert answer.text.startswith("名词解释：三化改造。即智能化、绿色化、融合化改造[1]；")


def test_two_parts_answered_by_one_sentence_are_both_cited(assistant):
    # "…等23个项目投产达效，…等45个项目按时开工": the second part's clause overlaps the first's window.
    answer = assistant.ask("2026年偃师确保投产达效的项目有几个？按时开工的又有几个？")
    assert "23个项目投产达效" in answer.text and "45个项目按时开工" in answer.text and len(answer.citations) == 1


def test_a_keyword_query_gets_each_period_labelled(assistant):
    answer = assistant.ask("充电桩")
    assert "2025年，新增停车位395个、充电桩106个" in answer.text
    assert "2026年计划：" in answer.text and "50" in answer.text


def test_a_list_opened_by_a_colon_is_given_to_its_full_stop(assistant):
    answer = assistant.ask("偃师发展中还存在哪些问题和不足？")
    assert "高质量发展的基础还不牢固；" in answer.text and answer.text.endswith("财政收支矛盾仍然十分突出[1]")


def test_a_difference_is_computed_with_its_derivation(assistant):
    answer = assistant.ask("2025年规上工业增加值增速比地区生产总值增速高多少个百分点？")
    assert answer.text.startswith("高7.1个百分点（13.8% − 6.7%）[1]")
    assert answer.parts[0].derivation == "13.8% − 6.7%"


def test_a_level_given_only_against_a_later_one_is_computed_back(assistant):
    # "比重达72%，较“十三五”末提高25.3个百分点": the 十三五 end's share is 72% less the gap.
    answer = assistant.ask("十三五末高新技术产业增加值占规上工业增加值的比重是多少？")
    assert answer.text == "按报告推算，“十三五”末为46.7%（72% − 25.3个百分点）[1]"
    assert answer.parts[0].derivation == "72% − 25.3个百分点"


def test_each_reference_of_a_respective_gap_gets_its_own_gap(assistant):
    # "分别高于全国、全省、全市1.7、1.1、0.7个百分点": 全国 is the first.
    answer = assistant.ask("按报告推算，2025年全国GDP增长了多少？")
    assert answer.text == "按报告推算，全国为5.0%（6.7% − 1.7个百分点）[1]"


def test_a_level_is_computed_back_only_for_what_the_question_measures(assistant):
    # "比重达72%，较“十三五”末提高25.3个百分点" names 十三五 but measures a share, not the economy's growth.
    answer = assistant.ask("十三五期间偃师的经济增长了多少？")
    assert answer.refused and not any(p.derivation for p in answer.parts)


def test_a_question_for_the_gap_itself_gets_the_gap_as_stated(assistant):
    answer = assistant.ask("十四五末高新技术产业增加值比重比十三五末提高了多少？")
    assert "较“十三五”末提高25.3个百分点" in answer.text and not answer.parts[0].derivation


def test_a_points_question_is_answered_by_a_gap_in_points(assistant):
    # 几个百分点 asks for a percentage's unit; "高于…1.1个百分点" states it (it was refused as lacking a %).
    answer = assistant.ask("2025年偃师GDP增速比全省高几个百分点？")
    assert not answer.refused and "1.1" in answer.text


def test_a_gap_below_the_reference_is_added_back():
    [r] = relatives("增长4.5%,低于全省0.5个百分点")
    assert (r.reference, r.part().text) == ("全省", "按报告推算，全省为5.0%（4.5% + 0.5个百分点）")


def test_the_two_sides_of_a_sum_are_two_figures_even_in_one_passage(assistant):
    # Both kinds of relics are counted in one clause list; the second side must not reuse the first's clause.
    answer = assistant.ask("十四五期间得到保护的重点文物和普通文物一共多少处？")
    assert answer.parts[0].derivation == "1322处 + 69处" and answer.text.startswith("合计1391处")


def test_a_sum_over_two_named_periods_adds_the_questions_thing_in_each(assistant):
    answer = assistant.ask("2025年和2026年一共新增多少个充电桩？")
    assert answer.text.startswith("合计156个（106个 + 50个）[1][2]")


def test_a_side_in_a_year_the_report_does_not_cover_is_not_computed_from_another_figure(assistant):
    # 前年 is 2024: no figure to compare with. It was read as 2025 and 9081 (new jobs) became the other side.
    answer = assistant.ask("去年技能培训的人比前年多了多少？")
    assert not any(p.derivation for p in answer.parts) and "9081" not in answer.text


def test_two_figures_of_one_clause_are_told_apart_by_the_words_around_each(assistant):
    answer = assistant.ask("2026年高标准农田和亚行贷款绿色农田加起来一共多少万亩？")
    assert answer.text.startswith("合计4万亩（2万亩 + 2万亩）[1]")


def test_a_question_about_rates_compares_percentages_not_amounts(assistant):
    # The plan's passage gives both a rate (5.5%) and an amount (630亿元); 年均增速 asks for the rate.
    answer = assistant.ask("十五五的GDP年均增速目标比十四五实际的年均增速高多少？")
    assert answer.parts[0].derivation == "5.5% − 4.7%" and answer.text.startswith("高0.8个百分点")


def test_a_side_that_names_only_what_differs_borrows_the_other_sides_subject(assistant):
    # "今年定的增长目标" is GDP's target: 5.5%, not the 5% of investment in the same sentence.
    answer = assistant.ask("去年GDP实际增长和今年定的增长目标差了多少个百分点？")
    assert answer.parts[0].derivation == "6.7% − 5.5%"


def test_figures_in_the_asked_unit_are_compared_in_it(assistant):
    answer = assistant.ask("今年粮食产量目标比去年实际总产多多少亿斤？")
    assert answer.text.startswith("多0.03亿斤（4.8亿斤 − 4.77亿斤）")


def test_bigger_by_how_much_and_differ_by_how_many_points_are_computed(assistant):
    assert assistant.ask("去年PM2.5的降幅比PM10的降幅大多少？").parts[0].derivation == "18.6% − 11.5%"
    assert assistant.ask("一般公共预算收入去年的增幅和今年的预期目标差几个百分点？").parts[0].derivation == "3.5% − 3%"


def test_a_growth_is_compared_with_a_growth_not_with_a_share(assistant):
    # The 2026 passage that names 规上工业增加值 literally gives its share of high-tech output (65%); the
    # target growth (7%) is in another passage, which the comparison reaches past the first.
    answer = assistant.ask("规上工业增加值，去年的增速比今年的目标高几个百分点？")
    assert answer.parts[0].derivation == "13.8% − 7%"


def test_two_targets_that_each_name_their_own_thing_are_two_sides(assistant):
    # "比今年的目标高" compares one thing with its target; "比地区生产总值目标高" names another thing.
    answer = assistant.ask("今年规上工业增加值的增长目标比地区生产总值目标高几个点？")
    assert answer.parts[0].text.startswith("高1.5个百分点") and answer.parts[0].derivation == "7% − 5.5%"


def test_a_side_with_no_figure_of_its_own_is_not_computed_from_some_other_figure(assistant):
    # The report gives no Luoyang figure, only the difference itself, which is what the answer quotes.
    answer = assistant.ask("去年偃师的经济增速比洛阳全市平均快了多少？")
    assert all(p.derivation is None for p in answer.parts) and "全市1.7、1.1、0.7个百分点" in answer.text


@pytest.mark.parametrize("question, start", [
    ("常住人口城镇化率从“十四五”末到“十五五”末要提高多少？", "提高3.4个百分点（71% − 67.6%）"),
    ("偃师经济总量从十四五末到十五五末要多出来多少亿？", "增加150亿元（630亿元 − 480亿元）"),
])
def test_a_change_between_two_named_periods_is_the_later_figure_minus_the_earlier(assistant, question, start):
    assert assistant.ask(question).text.startswith(start)


def test_how_far_a_target_still_is_counts_from_the_period_the_report_reviews(assistant):
    answer = assistant.ask("按“十五五”规划，常住人口城镇化率到2030年还要再提高多少？")
    assert answer.text.startswith("提高3.4个百分点（71% − 67.6%）")


def test_a_side_that_says_now_is_the_period_the_report_reviews(assistant):
    answer = assistant.ask("按规划，到十五五末城镇化率要比现在高出几个百分点？")
    assert answer.text.startswith("高3.4个百分点（71% − 67.6%）")


@pytest.mark.parametrize("question", [
    "十四五期间巩固脱贫成果同乡村振兴衔接的项目，扣掉2025年实施的，其余几年一共实施了多少个？",
    "除去2025年，十四五期间其余年份巩固脱贫成果同乡村振兴衔接的项目一共实施了多少个？",  # the part named first
    "十四五期间巩固脱贫成果同乡村振兴衔接的项目，不算去年的，前四年实施了多少个？",  # no 其余: what is asked
])
def test_a_total_less_one_part_of_it_is_the_total_minus_the_part(assistant, question):
    assert assistant.ask(question).text.startswith("其余223个（302个 − 79个）")


def test_two_things_put_together_colloquially_are_summed(assistant):
    assert assistant.ask("今年要弄的高标准农田和亚行贷款的绿色农田，加一块儿是多少亩？").text.startswith("合计4万亩（2万亩 + 2万亩）")


def test_how_many_are_still_left_asks_for_a_figure_not_a_gap_to_a_target(assistant):
    answer = assistant.ask("今年新增城镇就业多少人，还有多少人要安置？")
    assert all(p.derivation is None for p in answer.parts)


def test_a_change_within_one_period_is_the_reported_rate_not_a_computation(assistant):
    answer = assistant.ask("十四五期间GDP年均增长多少？")
    assert answer.parts[0].derivation is None and "年均增长4.7%" in answer.text


def test_a_traditional_chinese_question_is_answered_like_its_simplified_twin(assistant):
    assert "106个" in assistant.ask("2025年偃師新增了多少個充電樁？").text


def test_json_has_the_answer_parts(assistant):
    parts = assistant.ask("2025年偃师新增了多少个充电桩？").to_dict()["answer_parts"]
    assert parts == [{"text": "2025年，新增停车位395个、充电桩106个[1]", "citations": [1], "derivation": None}]


def test_the_reranker_keeps_the_retrieval_score_beside_its_own(assistant):
    hit = assistant.ask("2025年偃师新增了多少个充电桩？").hits[0]
    assert set(hit.scores) == {"window"} and hit.score != hit.scores["window"]


def test_grounding_rejects_a_derivation_that_does_not_recompute(assistant):
    answer = assistant.ask("2025年规上工业增加值增速比地区生产总值增速高多少个百分点？")
    wrong = AnswerPart("高7.2个百分点（13.8% − 6.7%）[1]", (1,), "13.8% − 6.7%")
    assert part_problem(answer.parts[0], answer.citations) == ""
    assert part_problem(wrong, answer.citations) == "计算结果与推导不符"


def test_grounding_rejects_a_marker_pointing_nowhere(assistant):
    answer = assistant.ask("2025年偃师新增了多少个充电桩？")
    assert part_problem(AnswerPart("新增充电桩106个[9]", (9,)), answer.citations) == "引用编号指向不存在的段落"


def test_the_bundled_answerability_model_is_fitted_and_cross_validated():
    model = DEFAULT.model
    assert model["fitted"] and tuple(model["features"]) == FEATURES
    assert "dev.jsonl:report" not in " ".join(model["fitted_on"]) and "fresh" not in " ".join(model["fitted_on"])
    assert 0 < model["threshold"] < 1 and model["cv"]["auc"] > 0.5
    assert not any("holdout" in spec for spec in model["fitted_on"])


def test_the_question_vector_fit_is_used_only_with_the_embedder_it_was_fitted_on():
    model = DEFAULT.model
    vector = model["question_vector"]
    assert vector["embedder"] == "e5-small" and len(vector["coef"]) == len(FEATURES) + vector["dim"]
    x, v = dict.fromkeys(FEATURES, 0.5), np.full(vector["dim"], vector["dim"] ** -0.5)
    features_only = EvidenceModel(model).probability(x)
    assert EvidenceModel(model, "use-multilingual").probability(x, v) == features_only
    assert EvidenceModel(model, "e5-small").probability(x, v) != features_only


def test_qa_fit_writes_both_fits_with_the_vector_fits_strength_chosen_across_sets(assistant, tmp_path):
    model = fit_model(assistant, ["eval/sets/train4.jsonl", "eval/sets/dev.jsonl:tune"], tmp_path / "model.json")
    vector = model["question_vector"]
    assert vector["C"] in VECTOR_C and len(vector["mean"]) == len(FEATURES) + 384
    assert json.loads((tmp_path / "model.json").read_text(encoding="utf-8")) == model
    assert 0 < vector["cv"]["set_out_auc"] < 1 and model["fitted_on"] == ["eval/sets/train4.jsonl", "eval/sets/dev.jsonl:tune"]


def test_a_model_for_other_features_is_refused_with_the_fix():
    with pytest.raises(ValueError, match="refit with `qa fit`"):
        EvidenceModel({"features": ["coverage"]})


def test_the_reranker_can_be_chosen_per_question(assistant):
    fused = assistant.ask("2025年偃师新增了多少个充电桩？", reranker="none").hits
    assert all(not h.scores for h in fused) and assistant.rerankers == ["none", "window"]


def test_a_verb_the_tagger_takes_for_a_place_is_not_the_focus(assistant):
    # jieba's dictionary tags 新建 as a place (a county); the question asks about 停车场, planned for 2026.
    assert "新增停车场3个" in assistant.ask("今年城里要新建几个停车场？").text


def test_the_threshold_moves_the_even_odds_point_by_the_change_of_prior_odds():
    assert bayes_threshold(0.5, 0.5) == 0.5
    # fitted on rows 3/4 answerable, used where 9/10 are: refuse below odds 3 : 9, i.e. p < 0.25
    assert bayes_threshold(0.75, 0.9) == pytest.approx(0.25, abs=1e-3)


def test_the_model_is_weighted_for_the_questions_that_reach_it():
    # Half the unanswerable questions refused by earlier checks, none of the answerable ones: of what reaches
    # the model, 0.795 / (0.795 + 0.205 × 0.5) are answerable.
    assert share_at_model({0: 0.5, 1: 1.0}) == pytest.approx(0.795 / (0.795 + 0.1025))


def test_a_side_whose_best_windows_overlap_still_reaches_its_figure_in_another_sentence(assistant):
    # 全体居民's three best windows used to be three cuts of one sentence; the side now gets separate windows.
    answer = assistant.ask("这几年农民收入的年均增速比全体居民的年均增速快多少？")
    assert answer.text.startswith("高0.5个百分点（6.2% − 5.7%）")


def test_a_comparison_with_its_verb_before_the_other_side_is_computed(assistant):
    answer = assistant.ask("十四五期间居民人均可支配收入年均增速高出地区生产总值年均增速多少个百分点？")
    assert answer.text.startswith("高1.0个百分点（5.7% − 4.7%）")


def test_a_figure_is_taken_from_the_sentence_that_names_its_subject(assistant):
    # The sentence before states 铝基新材料's 350亿元; a window across the full stop used to pair it with 智能装备.
    answer = assistant.ask("智能装备制造产业2026年产值目标是多少？")
    assert "年产值达到70亿元" in answer.text and "350" not in answer.text


def test_a_grade_answers_a_which_level_question(assistant):
    assert "人民医院晋升三级乙等" in assistant.ask("区人民医院晋身到几级了").text


def test_an_everyday_word_reaches_the_reports_word_through_the_colloquial_table(assistant):
    # 上访 is what people say; the report says 信访.
    assert "信访事项总量同比下降22%" in assistant.ask("去年上访的人少了多少？").text


@pytest.mark.parametrize("text, figure", [
    ("区政府编制了第15个规划纲要", False),  # which plan it is, not how much
    ("在全省首次综合营商环境评价中排名第5位", True),  # a rank answers 第几
    ("人民医院晋升三级乙等", True),  # a grade answers 几级
    ("办好第二届客家祖根地拜祖活动", True),  # an edition written in words answers 第几届
    ("2025年是收官之年", False),
])
def test_what_counts_as_a_figure(text, figure):
    assert has_figure(text) is figure


def test_a_follow_up_part_with_no_subject_of_its_own_borrows_the_first_parts(assistant):
    # "总投资多少？" names nothing but a one-character word and 投资: it asks about the first part's projects.
    assert "总投资191.6亿元的68个重点项目" in assistant.ask("2026年偃师要压茬推进多少个重点项目？总投资多少？").text


def test_a_sentence_at_the_edge_of_an_answer_with_none_of_the_questions_words_is_left_out(assistant):
    # The window "常住人口城镇化率达到71%左右。着力打造河南省城乡融合发展先行区" starts with another goal.
    answer = assistant.ask("十五五期间偃师要着力打造什么先行区？")
    assert answer.text == "“十五五”时期目标：着力打造河南省城乡融合发展先行区[1]"


def test_words_only_in_a_clause_that_asks_nothing_weigh_less(assistant):
    # "孩子明年上小学" says who asks; 孩子 pulled the answer to 完善儿童保障政策.
    q = assistant.analyzer.analyse("孩子明年上小学，今年偃师要建成哪所新小学？")
    assert q.terms["孩子"] == pytest.approx(assistant.analyzer.idf("孩子") * assistant.params.windows.context_weight)
    assert q.terms["小学"] == pytest.approx(assistant.analyzer.idf("小学"))
    assert assistant.ask("孩子明年上小学，今年偃师要建成哪所新小学？").text.startswith("2026年计划：建成尚义路小学")


def test_an_asking_clause_without_words_of_its_own_keeps_the_contexts_at_full_weight(assistant):
    q = assistant.analyzer.analyse("常听人说偃师有三张名片，报告里说的是哪三张？")
    assert q.terms["名片"] == pytest.approx(assistant.analyzer.idf("名片"))
