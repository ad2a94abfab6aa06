"""The check of a model's answer, statement by statement: each must cite passages it was given, is mapped to
the exact span of each that supports it (what the UI highlights), and must pass qa.grounding (every figure
in its evidence, or a derivation that recomputes) or, with no figure, share enough wording with its
evidence. What fails is removed and listed as "statement（why）"; what passes is renumbered 1.. in order."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..grounding import part_problem
from ..text import cn_to_arabic, numbers_in, search_form
from ..types import AnswerPart, Citation, Hit
from ..windows import clauses
from .extractive import trim
from .model_text import MARKER, figures_of, is_refusal, markers, pieces, sentences

# Reasons a sentence is removed (besides qa.grounding's own).
NO_MARKER = "没有引用标记，无法核对"
NOWHERE = "引用编号指向不存在的段落"  # the same words as qa.grounding
UNSUPPORTED = "引用的原文与这句话几乎没有共同的词句"
# A statement with no figure (a bare year aside) must share at least this share of its character bigrams
# with the evidence it cites: a wrong citation shares ~0, a close paraphrase 0.4 and more.
MIN_SUPPORT = 0.2


# ---------------------------------------------------------------- evidence spans


def _fold(text: str) -> str:
    return search_form(cn_to_arabic(MARKER.sub("", text)))


def _bigrams(folded: str) -> set[str]:
    return {folded[i : i + 2] for i in range(len(folded) - 1)} or ({folded} if folded else set())


def evidence_spans(statement: str, text: str) -> list[tuple[int, int]]:
    """The span(s) of a passage that best support a statement: the clause window (1–3 clauses) sharing
    most of its figures and wording, plus, for a figure of the statement found elsewhere in the passage,
    the clause holding it. Exact slices of `text`, in text order."""
    figures = set(numbers_in(MARKER.sub("", statement)))
    grams = _bigrams(_fold(statement))
    cl = clauses(text)
    if not cl:
        return [trim(text, 0, len(text))]

    def score(i: int, j: int) -> float:
        piece = "".join(c[2] for c in cl[i : j + 1])
        covered = len(figures & set(numbers_in(piece)))
        return covered + len(grams & _bigrams(piece)) / max(1, len(grams)) - 0.002 * (cl[j][1] - cl[i][0])

    windows = [(i, j) for i in range(len(cl)) for j in range(i, min(i + 3, len(cl)))]
    i, j = max(windows, key=lambda w: score(*w))
    spans = [(cl[i][0], cl[j][1])]
    missing = figures - set(numbers_in(text[cl[i][0] : cl[j][1]]))
    for fig in sorted(missing):
        holding = [k for k in range(len(cl)) if fig in numbers_in(cl[k][2])]
        if holding:
            k = max(holding, key=lambda k: score(k, k))
            if not any(a <= cl[k][0] and cl[k][1] <= b for a, b in spans):
                spans.append((cl[k][0], cl[k][1]))
    return sorted({trim(text, a, b) for a, b in spans})


# ---------------------------------------------------------------- checking a whole answer


@dataclass
class Checked:
    parts: list[AnswerPart]  # what passed, markers renumbered 1.. in order of use
    citations: list[Citation]
    dropped: list[str] = field(default_factory=list)  # "statement（why）"
    refused: bool = False  # the model said only the refusal sentence


def _citation_score(hit: Hit) -> float:
    return next(iter(hit.scores.values()), hit.score)


def check_answer(text: str, hits: list[Hit]) -> Checked:
    """Every statement of a model's answer checked against the passages it cites (see the module doc)."""
    kept: list[tuple[AnswerPart, list[Citation]]] = []
    dropped: list[str] = []
    refusals: list[str] = []
    for statement in sentences(text):
        ns = markers(statement)
        if is_refusal(statement):
            # "（某项）报告中未找到相关信息": said in place of a sub-question, with no figure of its own.
            bare = MARKER.sub("", statement)
            problem = part_problem(AnswerPart(bare, ()), [])
            if problem:
                dropped.append(f"{statement}（{problem}）")
            else:
                refusals.append(bare)
            continue
        if not ns:
            dropped.append(f"{statement}（{NO_MARKER}）")
            continue
        if any(not 1 <= n <= len(hits) for n in ns):
            dropped.append(f"{statement}（{NOWHERE}）")
            continue
        parts = []
        for piece, derivation in pieces(statement):
            own = markers(piece)
            cites = [Citation(n, hits[n - 1].chunk, span, _citation_score(hits[n - 1]))
                     for n in own for span in evidence_spans(piece, hits[n - 1].chunk.text)]
            part = AnswerPart(piece, tuple(own), derivation)
            problem = part_problem(part, cites) or ("" if anchored(piece) or support(piece, cites) >= MIN_SUPPORT
                                                    else UNSUPPORTED)
            if problem:
                dropped.append(f"{statement}（{problem}）")
                break
            parts.append((part, cites))
        else:
            kept += parts
    if not kept:
        # Only the refusal sentence, perhaps with an uncited word around it ("抱歉。"): the model refuses.
        refused = bool(refusals) and all(split_dropped(d)[1] == NO_MARKER for d in dropped)
        return Checked([], [], dropped, refused=refused)
    parts, citations = _renumber(kept)
    # A sub-question the passages do not answer, said so by the model in its place.
    parts += [AnswerPart(r, ()) for r in refusals]
    return Checked(parts, citations, dropped)


def anchored(statement: str) -> bool:
    """A statement with a figure (not a bare year) is anchored by it: grounding found it in its evidence."""
    return any(not re.fullmatch(r"(?:19|20)\d\d", n) for n in figures_of(statement))


def support(statement: str, citations: list[Citation]) -> float:
    """Share of the statement's character bigrams (folded, markers aside) found in the evidence it cites."""
    grams = _bigrams(_fold(re.sub(r"[\W_]+", "", MARKER.sub("", statement))))
    evidence = set().union(*(_bigrams(_fold(re.sub(r"[\W_]+", "", c.evidence_text))) for c in citations))
    return len(grams & evidence) / len(grams) if grams else 0.0


def _renumber(kept: list[tuple[AnswerPart, list[Citation]]]) -> tuple[list[AnswerPart], list[Citation]]:
    order: dict[int, int] = {}
    for part, _ in kept:
        for n in part.citations:
            order.setdefault(n, len(order) + 1)
    parts, citations, seen = [], [], set()
    for part, cites in kept:
        text = MARKER.sub(lambda m: f"[{order[int(m.group(1))]}]", part.text)
        parts.append(AnswerPart(text, tuple(order[n] for n in part.citations), part.derivation))
        for c in cites:
            key = (order[c.n], c.chunk.id, c.evidence)
            if key not in seen:
                seen.add(key)
                citations.append(Citation(order[c.n], c.chunk, c.evidence, c.score))
    return parts, sorted(citations, key=lambda c: (c.n, c.evidence))


def split_dropped(dropped: str) -> tuple[str, str]:
    """("statement", "why") of a `Draft.dropped` / `Answer.dropped` entry."""
    if dropped.endswith("）") and "（" in dropped:
        statement, why = dropped.rsplit("（", 1)
        return statement, why[:-1]
    return dropped, ""
