"""Plain data records shared by every layer (library, CLI, UI, evaluation)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Chunk:
    """A paragraph (or a run of whole sentences of a long one) of a document's display text."""

    id: str  # stable across rebuilds: "<doc>#<section numbers>.p<paragraph>[-<part>]"
    doc: str
    section: tuple[str, ...]  # heading path, outermost first
    paragraph: int  # 1-based paragraph number in the document
    start: int  # char span in the document's display text
    end: int
    period: str  # "2025", "十四五", "十五五", "2026", "glossary", "" (derived from headings)
    text: str

    @property
    def section_path(self) -> str:
        return " › ".join(self.section)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["section"] = list(self.section)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Chunk":
        return cls(**{**d, "section": tuple(d["section"])})


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused retrieval score, the per-retriever ranks behind it, and the
    scores later stages add (a reranker's under its name): none overwrites another's."""

    chunk: Chunk
    score: float
    ranks: dict[str, int] = field(default_factory=dict)  # e.g. {"bm25": 1, "dense": 4}
    scores: dict[str, float] = field(default_factory=dict)  # e.g. {"window": 1.21}

    def with_score(self, stage: str, score: float, **ranks: int) -> "Hit":
        return Hit(self.chunk, self.score, {**self.ranks, **ranks}, {**self.scores, stage: score})


@dataclass(frozen=True)
class Citation:
    n: int  # the [n] marker used in the answer text
    chunk: Chunk
    evidence: tuple[int, int]  # char offsets of the evidence inside chunk.text
    score: float

    @property
    def evidence_text(self) -> str:
        return self.chunk.text[self.evidence[0] : self.evidence[1]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "chunk_id": self.chunk.id,
            "doc": self.chunk.doc,
            "section": list(self.chunk.section),
            "text": self.chunk.text,
            "evidence": list(self.evidence),
            "evidence_text": self.evidence_text,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class AnswerPart:
    """One statement of an answer: its text (with [n] markers), the citations it rests on and, for a
    figure computed from cited figures, the derivation that recomputes it ("13.8% − 6.7%")."""

    text: str
    citations: tuple[int, ...]
    derivation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": list(self.citations), "derivation": self.derivation}


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    refused: bool
    hits: list[Hit]  # every retrieved passage, cited or not (the sources panel, retrieval metrics)
    understood_as: str  # the question after follow-up resolution and normalisation
    timings_ms: dict[str, float] = field(default_factory=dict)
    refusal_reason: str = ""  # why the question was not answered, for the person asking
    parts: list[AnswerPart] = field(default_factory=list)
    check: str = ""  # which check refused or changed the answer ("unknown_place", "evidence", "grounding", …)
    confidence: float | None = None  # the answerability model's probability that the report answers it
    note: str = ""  # shown with the answer: e.g. why a generative answer fell back to the extractive one
    dropped: list[str] = field(default_factory=list)  # statements removed by grounding, each with why

    def to_dict(self) -> dict[str, Any]:
        """The JSON object printed by `qa ask --json` and returned by the UI's `ask` endpoint."""
        return {
            "question": self.question,
            "understood_as": self.understood_as,
            "answer": self.text,
            "refused": self.refused,
            "refusal_reason": self.refusal_reason,
            "check": self.check,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "answer_parts": [p.to_dict() for p in self.parts],
            "note": self.note,
            "dropped": self.dropped,
            "citations": [c.to_dict() for c in self.citations],
            "retrieved": [
                {"chunk_id": h.chunk.id, "section": list(h.chunk.section), "score": round(h.score, 4),
                 "scores": {k: round(v, 4) for k, v in h.scores.items()}, "ranks": h.ranks,
                 "cited": any(c.chunk.id == h.chunk.id for c in self.citations)}
                for h in self.hits
            ],
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
        }
