"""Evidence that only restates the question: the figure it already states, or a count of the things it asks
to have listed. Such a passage is retrieved first because it shares the question's words and figures, and
quoting it back is a confident non-answer."""
from __future__ import annotations

import re

from .analysis import COMPARISON, FIGURE, LIST, QuestionAnalysis
from .averages import counter
from .text import CLAUSE_BREAK, WRITTEN_YEAR, numbers_in


def _stated_figures(q: QuestionAnalysis) -> set[str]:
    """The figures a question states itself, years aside."""
    return set(numbers_in(WRITTEN_YEAR.sub("", q.folded)))


def adds_a_figure(q: QuestionAnalysis, piece: str) -> bool:
    """A figure question is answered by a figure it does not state itself: "294家医保定点机构中定点药店有多少家"
    gets "医保定点机构扩围至294家" back, which says nothing of the part it asks for."""
    stated = _stated_figures(q)
    # A computation may start from the figures it states ("108个重点项目投了243亿，平均一个多少钱").
    if not stated or not q.asks_for(FIGURE) or q.asks_for(COMPARISON) or counter(q):
        return True
    # Only a clause about the question counts: "…项目79个，完成投资8418.6万元" adds another thing's figure.
    about = [c for c in CLAUSE_BREAK.split(WRITTEN_YEAR.sub("", piece)) if any(t in c for t in q.terms)]
    return any(n not in stated for c in about for n in numbers_in(c))


def lists_the_counted(q: QuestionAnalysis, piece: str) -> bool:
    """A which-ones question about a number of things it states ("去年提质升级的5个邻里中心分别叫什么") is answered
    only where the report lists them before their count ("颍县、岳滩、山化、邙岭、府店镇5个组团"), and with some the
    question does not already name ("高崖、引礼寨等18个村", asked who else)."""
    counts = _stated_figures(q)
    if not counts or not q.asks_for(LIST) or q.asks_for(FIGURE) or q.defines:
        return True
    for m in re.finditer(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])", piece):
        if m.group(0) not in counts:
            continue
        before = CLAUSE_BREAK.split(piece[: m.start()])[-1]
        items = [x.removesuffix("等") for x in before.split("、") if x and not re.search(r"\d", x)]
        # "崇阳陵、滑国故城加固等7个项目": 等 before the count names some of them, not the 7 asked for.
        partial = before.endswith("等") and len(items) < float(m.group(0))
        return len(items) >= 2 and any(x not in q.folded for x in items) and not partial
    return True
