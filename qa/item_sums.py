"""A sum of the items of one enumeration that a question names, with the derivation shown.

"去年新增科技型中小企业、高新技术企业、省级专精特新企业一共多少家" → 合计71家（59家 + 6家 + 6家）, from
"新增科技型中小企业59家、高新技术企业6家、省级专精特新企业6家、创新平台19个": the items the question names, each
told from the others by words of its own that the question uses, and all in one unit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .analysis import FIGURE, SUM, QuestionAnalysis
from .key_terms import AMOUNT
from .text import fold
from .types import AnswerPart

# The shortest run of words that tells one item from another ("百亿", "开工"); shorter ones are rarely words.
_MIN_WORD = 2


@dataclass(frozen=True)
class _Item:
    clause: str
    figure: re.Match[str]

    @property
    def unit(self) -> str:
        return self.figure.group(3)


def _items(part: str, q: QuestionAnalysis) -> list[_Item]:
    """The clauses of a sentence part that state one figure each, in the asked unit if the question names one;
    of a clause with several, the one whose own words hold the question's ("总投资55.8亿元的42个政策性资金项目" is
    an item of 55.8亿元 when the question asks 总投资)."""
    items = []
    for clause in re.split(r"[、，,]", part):
        figures = [m for m in AMOUNT.finditer(clause) if not q.unit or m.group(3).endswith(q.unit)]
        if len(figures) > 1:
            # Its own words: those since the figure before it, else those up to the next ("45个项目按时开工").
            bounds = [0, *(m.start() for m in figures[1:]), len(clause)]
            figures = next((own for own in (
                [m for i, m in enumerate(figures) if any(t in clause[bounds[i] : m.start()] for t in q.terms)],
                [m for i, m in enumerate(figures) if any(t in clause[m.end() : bounds[i + 1]] for t in q.terms)])
                if own), [])
        if len(figures) == 1:
            items.append(_Item(clause, figures[0]))
    return items


def _named(item: _Item, others: list[_Item], asked: str) -> bool:
    """The question uses words of the item's clause that no other item's clause has."""
    text = item.clause[: item.figure.start()] + "|" + item.clause[item.figure.end():]
    return any(text[i:j] in asked and not any(text[i:j] in o.clause for o in others)
               for i in range(len(text)) for j in range(i + _MIN_WORD, min(len(text), i + 8) + 1)
               if "|" not in text[i:j])


def item_sum_part(q: QuestionAnalysis, evidence: str) -> AnswerPart | None:
    """The sum of the enumerated items the question names (two or more, in one unit), or None."""
    if not (q.asks_for(FIGURE) and SUM.search(q.folded)):
        return None
    for part in re.split(r"[。；;：:]", fold(evidence)):
        items = _items(part, q)
        named = [i for i in items if _named(i, [o for o in items if o is not i], q.folded)]
        units = {i.unit for i in named}
        if len(named) >= 2 and len(units) == 1 and all(i.figure.group(2) == named[0].figure.group(2) for i in named):
            total = sum(Decimal(i.figure.group(1)) for i in named)
            written = [i.figure.group(0) for i in named]
            derivation = " + ".join(written)
            magnitude = named[0].figure.group(2)
            return AnswerPart(f"合计{total:f}{magnitude}{named[0].unit}（{derivation}）", (), derivation)
    return None

