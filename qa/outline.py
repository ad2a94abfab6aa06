"""Lists the report gives by its structure: "主要抓了六方面工作：" announces the sections that follow, each opening
with its title ("坚持稳增长提质效，经济发展稳中有进。…"). A question asking which aspects ("哪几方面", "哪六方面") is
answered by those titles, each cited where its section opens, whatever words the question shares with them.
"""
from __future__ import annotations

import re

from .analysis import LIST, QuestionAnalysis
from .answerers import Draft
from .types import AnswerPart, Chunk, Citation, Hit

# A passage that announces a count of aspects ("六方面工作", "十个方面", "概述几个方面").
_ANNOUNCES = re.compile(r"(?:[一二三四五六七八九十两\d]+|几)个?方面")
_ASKS_ASPECTS = re.compile(r"(?:哪|几)[一二三四五六七八九十两\d几]*个?方面|哪些方面")
# A section title's list number ("（一）", "(六)") or lead dash ("——"), which the title's words do not include.
_TITLE_MARK = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|——)\s*")


class Outline:
    """The reports' sections in reading order, each with the passage that opens it."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._opening: dict[tuple[str, tuple[str, ...]], Chunk] = {}
        for chunk in chunks:
            self._opening.setdefault((chunk.doc, chunk.section), chunk)

    def parts(self, chunk: Chunk) -> list[Chunk]:
        """The opening passages of the sections right under the chunk's own, of its period (a review's
        2025 sections, not the five-year plan's that share its heading)."""
        depth = len(chunk.section)
        return [c for (doc, section), c in self._opening.items()
                if doc == chunk.doc and len(section) == depth + 1 and section[:depth] == chunk.section
                and c.period == chunk.period]

    def draft(self, q: QuestionAnalysis, hits: list[Hit]) -> Draft | None:
        """The titles of the sections the best retrieved passage announces, for a which-aspects question; None
        when it announces none (a lower passage that does is about something else than the question: the
        aspects it asks may be listed inline, "从A、B、C三个方面")."""
        if not (hits and q.asks_for(LIST) and _ASKS_ASPECTS.search(q.folded)):
            return None
        best = hits[0]
        parts = self.parts(best.chunk) if _ANNOUNCES.search(best.chunk.text) else []
        citations = [c for c in (_title_citation(n, p, best.score) for n, p in enumerate(parts, 1)) if c]
        if len(citations) < 2:
            return None
        text = "；".join(f"{c.evidence_text}[{c.n}]" for c in citations)
        return Draft([AnswerPart(text, tuple(c.n for c in citations))], citations)


def _title_citation(n: int, opening: Chunk, score: float) -> Citation | None:
    """The section's title where its opening passage states it, cited as [n]."""
    title = _TITLE_MARK.sub("", opening.section[-1]).strip("。. ")
    at = opening.text.find(title)
    return Citation(n, opening, (at, at + len(title)), score) if title and at >= 0 else None
