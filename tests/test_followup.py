import pytest

from qa.config import Config
from qa.errors import QuestionError
from qa.followup import bounded_history, resolve
from qa.validation import check_top_k

FIRST = "2025年新增城镇就业多少人？"


def test_a_follow_up_takes_the_previous_question_with_its_changes():
    assert resolve("那2026年的目标呢？", [FIRST]) == "2026年新增城镇就业多少人（目标）？"


def test_a_chain_of_follow_ups_goes_back_to_the_last_full_question():
    history = ["别的问题？", FIRST, "那2026年的目标呢？"]
    assert resolve("那2025年呢？", history) == "2025年新增城镇就业多少人（目标）？"


def test_two_thousand_follow_ups_do_not_overflow_the_stack():
    # Resolution used to recurse once per entry: this history raised RecursionError.
    history = [FIRST] + ["那2026年呢？"] * 2000
    assert resolve("那2025年呢？", history) == "2025年新增城镇就业多少人？"


def test_a_question_that_is_no_follow_up_ignores_the_history():
    assert resolve("  2025年充电桩新增多少个？ ", [FIRST] * 3) == "2025年充电桩新增多少个？"


def test_history_keeps_the_last_turns_oldest_first():
    assert bounded_history(["一？", "二？", "三？", "四？"], max_turns=2, max_chars=100) == ["三？", "四？"]


def test_history_drops_empty_turns_without_counting_them():
    assert bounded_history(["一？", "", "  ", None, "二？"], max_turns=2, max_chars=100) == ["一？", "二？"]


def test_history_drops_a_turn_longer_than_the_whole_budget_and_goes_on():
    assert bounded_history(["一？", "长" * 101, "二？"], max_turns=8, max_chars=100) == ["一？", "二？"]


def test_history_stops_at_the_first_turn_that_would_pass_the_character_budget():
    # 40 + 40 fit in 100; the next 40 would not, and an older, shorter turn does not take its place.
    assert bounded_history(["短？", "甲" * 40, "乙" * 40, "丙" * 40], max_turns=8, max_chars=100) == ["乙" * 40, "丙" * 40]


def test_history_limits_default_to_8_turns_and_2000_characters():
    assert (Config().max_history_turns, Config().max_history_chars) == (8, 2000)


def test_top_k_within_bounds_is_returned_as_an_int():
    assert check_top_k(1, 20) == 1 and check_top_k(20, 20) == 20 and check_top_k(5.0, 20) == 5


@pytest.mark.parametrize("value, message", [
    (0, "返回段落数必须在 1 到 20 之间（收到 0）。"),
    (-5, "返回段落数必须在 1 到 20 之间（收到 -5）。"),
    (21, "返回段落数必须在 1 到 20 之间（收到 21）。"),
    (2.5, "返回段落数必须是整数（收到 2.5），请填写 1 到 20 之间的整数。"),
    ("5", "返回段落数必须是整数（收到 '5'），请填写 1 到 20 之间的整数。"),
    (True, "返回段落数必须是整数（收到 True），请填写 1 到 20 之间的整数。"),
    (None, "返回段落数必须是整数（收到 None），请填写 1 到 20 之间的整数。"),
])
def test_top_k_outside_bounds_or_not_an_integer_is_a_question_error_in_chinese(value, message):
    with pytest.raises(QuestionError) as caught:
        check_top_k(value, 20)
    assert str(caught.value) == message


def test_the_top_k_limit_defaults_to_20():
    assert Config().max_top_k == 20
