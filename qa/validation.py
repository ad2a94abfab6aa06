"""Checks on what a caller passes with a question (the question itself is checked by `Assistant.validate`)."""
from __future__ import annotations

from typing import Any

from .errors import QuestionError


def check_top_k(value: Any, max_top_k: int) -> int:
    """`value` as a number of passages, 1 ≤ k ≤ max_top_k; QuestionError (in Chinese, for the user) otherwise.

    A whole-valued float (5.0, as UI sliders send) counts as that integer; booleans and strings do not.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise QuestionError(f"返回段落数必须是整数（收到 {value!r}），请填写 1 到 {max_top_k} 之间的整数。")
    if not 1 <= value <= max_top_k:
        raise QuestionError(f"返回段落数必须在 1 到 {max_top_k} 之间（收到 {value}）。")
    return value
