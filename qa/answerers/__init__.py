"""Answerers: turn the reranked passages into an answer with citations. One slot, as in txtai's RAG
pipeline: the extractive answerer is the default; a generative one registers under its own name.

Whatever fills the slot, the Assistant runs the answerability checks before it and grounding after it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..registry import Registry
from ..types import AnswerPart, Citation, Hit

if TYPE_CHECKING:
    from ..analysis import QuestionAnalysis
    from ..query import Query

REFUSAL = "报告中未找到相关信息"
# Answer styles of the extractive answerer: a short sentence that says which period it is about, or the
# bare evidence clauses.
STYLES = ("sentence", "clauses")


@dataclass
class Draft:
    parts: list[AnswerPart]
    citations: list[Citation]
    note: str = ""  # shown with the answer (e.g. why a generative answer fell back)
    dropped: list[str] = field(default_factory=list)  # parts removed by grounding, with why


class Answerer(Protocol):
    name: str

    def answer(self, query: "Query", hits: list[Hit], questions: list["QuestionAnalysis"], style: str) -> Draft:
        """An answer to `questions` (the whole question, or its answerable sub-questions) from `hits`."""


ANSWERERS: Registry[Answerer] = Registry("answerer")


# The default answerer registers itself on import (after the registry above exists).
from . import extractive  # noqa: E402,F401
# Generative answerers register here too; their packages (openai, torch, transformers) load only when chosen.
from . import openai_answerer, transformers_answerer  # noqa: E402,F401
