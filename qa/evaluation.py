"""Evaluation on a question set: loading, running the assistant, judging each answer.

Aggregates live in `qa.metrics`, the run's files in `qa.eval_report`; `qa.eval_run.evaluate` ties them
together for the CLI.
"""
from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable, Protocol, Sequence

from tqdm import tqdm

from .config import PROJECT_ROOT
from .errors import QAError, QuestionError
from .text import NUMBER, answer_form, search_form
from .types import Answer, Chunk

SPLITS = ("all", "tune", "report")
# Evidence cut by a chunk boundary still counts as found when this share of it lies in one chunk.
BOUNDARY_OVERLAP = 0.8
# A gold part of six characters or more is said when this share of it appears in the answer in one piece.
PART_OVERLAP = 0.8
RETRIEVAL_DEPTH = 5  # hit@5 and recall@5, and what "missed retrieval" means in the report
# "[1]" markers in an answer would otherwise leave stray digits that can fake or spoil a numeric match.
_CITATION_MARK = re.compile(r"[\[［]\d+[\]］]")
# Where a gold answer of several parts ("伊河、洛河；中州渠、…", "108个、243亿元") splits.
_GOLD_PARTS = re.compile(r"[、，,；;：:。\s]+")


class EvaluationError(QAError, ValueError):
    """The question set, split or a metric threshold cannot be used as given."""


class AskLike(Protocol):
    def ask(self, question: str, history: Any = None, top_k: int = 5) -> Answer: ...


@dataclass(frozen=True)
class EvalItem:
    id: str
    question: str
    answerable: bool
    answer: str
    aliases: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    type: str = "other"
    section: str = ""


@dataclass
class Judgement:
    """How one answer fares; retrieval and citation fields are None for unanswerable items."""

    first_hit_rank: int | None  # 1-based among distinct retrieved chunks
    evidence_recall: float | None  # share of gold evidence found in the first RETRIEVAL_DEPTH chunks
    answer_correct: bool | None
    char_f1: float | None
    cite_precision: float | None
    cite_recall: float | None
    correct: bool  # answerable: the answer is right; unanswerable: the system refused
    failures: list[str] = field(default_factory=list)


@dataclass
class ItemResult:
    item: EvalItem
    answer: Answer
    wall_ms: float

    @property
    def total_ms(self) -> float:
        return self.answer.timings_ms.get("total", self.wall_ms)

    @cached_property
    def judgement(self) -> Judgement:
        return judge(self.item, self.answer)


# ---------------------------------------------------------------- loading


def load_set(path: str | Path) -> tuple[list[EvalItem], list[str]]:
    """Items of a JSON Lines set, and one message per line that was skipped ("line 7: invalid JSON: ...")."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EvaluationError(f"question set not found: {path}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EvaluationError(
            f"{path}: not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}); save the set as UTF-8"
        ) from None
    items: list[EvalItem] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = _parse_item(line)
            if item.id in seen:
                raise ValueError(f"duplicate id {item.id!r}")
        except ValueError as exc:
            errors.append(f"line {number}: {exc}")
            continue
        seen.add(item.id)
        items.append(item)
    return items, errors


_FIELD_TYPES = {"id": str, "question": str, "answerable": bool, "answer": str, "type": str, "section": str}


def _parse_item(line: str) -> EvalItem:
    try:
        d = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    if not isinstance(d, dict):
        raise ValueError("expected a JSON object")
    for key in ("id", "question", "answerable"):
        if d.get(key) is None:
            raise ValueError(f"missing field {key!r}")
    # Optional fields written as null mean "not given", not a malformed line.
    d = {k: v for k, v in d.items() if v is not None}
    for key, kind in _FIELD_TYPES.items():
        if key in d and not isinstance(d[key], kind):
            raise ValueError(f"field {key!r} must be {kind.__name__}, got {type(d[key]).__name__}")
    for key in ("answer_aliases", "evidence"):
        if key in d and not (isinstance(d[key], list) and all(isinstance(s, str) for s in d[key])):
            raise ValueError(f"field {key!r} must be a list of strings")
        d[key] = [s for s in d.get(key, []) if s.strip()]
    if not d["id"].strip() or not d["question"].strip():
        raise ValueError("empty id or question")
    if d["answerable"] and not d.get("answer", "").strip():
        raise ValueError("answerable item without an answer")
    if d["answerable"] and not d.get("evidence"):
        raise ValueError("answerable item without evidence (retrieval cannot be judged)")
    return EvalItem(
        id=d["id"], question=d["question"], answerable=d["answerable"], answer=d.get("answer", "报告未提及"),
        aliases=tuple(d.get("answer_aliases", ())), evidence=tuple(d.get("evidence", ())),
        type=d.get("type") or "other", section=d.get("section", ""),
    )


def select_split(items: Sequence[EvalItem], split: str) -> list[EvalItem]:
    """The `tune` half (odd trailing id number), the `report` half (even), or `all`."""
    if split not in SPLITS:
        raise EvaluationError(f"unknown split {split!r}; known: {', '.join(SPLITS)}")
    if split == "all":
        return list(items)
    numbers = {item.id: re.search(r"(\d+)$", item.id) for item in items}
    unplaced = [i for i, m in numbers.items() if m is None]
    if unplaced:
        raise EvaluationError(f"ids without a trailing number belong to no split: {', '.join(unplaced)}")
    want_odd = split == "tune"
    return [item for item in items if (int(numbers[item.id].group(1)) % 2 == 1) == want_odd]


# ---------------------------------------------------------------- running


def run(assistant: AskLike, items: Sequence[EvalItem], top_k: int = 5, progress: bool = True) -> list[ItemResult]:
    """Ask every question in order, timing each call (the fallback when an answer reports no total)."""
    results = []
    for item in tqdm(items, desc="eval", unit="q", file=sys.stderr, disable=not progress):
        start = time.perf_counter()
        try:
            answer = assistant.ask(item.question, top_k=top_k)
        except QuestionError as exc:  # an unaskable question counts as refused, the run goes on
            answer = Answer(item.question, str(exc), [], True, [], item.question, refusal_reason=str(exc))
        results.append(ItemResult(item, answer, (time.perf_counter() - start) * 1000))
    return results


def run_config(assistant: Any, set_path: str | Path, top_k: int, split: str) -> dict[str, Any]:
    """What a run depends on, recorded so that two runs can be told apart."""
    canonical = json.dumps(assistant.manifest, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return {
        "embedder": assistant.config.embedder,
        "top_k": top_k,
        "split": split,
        "index_manifest_sha256": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        "git_commit": _git_commit(),
        "set": str(set_path),
        "settings": assistant.config.to_dict(),
        # The answer stage's weights and fitted model, whole, so a run can be reproduced from its metrics.
        "answer_params": {"sha256": assistant.params.sha256, **assistant.params.to_dict()},
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


# ---------------------------------------------------------------- judging


def chunk_has(chunk_sf: str, evidence_sf: str) -> bool:
    """Whether a chunk (search form) holds the evidence, or at least 80% of it in one piece."""
    if evidence_sf in chunk_sf:
        return True
    # autojunk off: in chunks of 200+ characters it skips frequent characters ("的") when seeding matches,
    # and the match found is then not always the longest common substring.
    match = SequenceMatcher(None, evidence_sf, chunk_sf, autojunk=False).find_longest_match(
        0, len(evidence_sf), 0, len(chunk_sf)
    )
    return match.size >= BOUNDARY_OVERLAP * len(evidence_sf)


def char_f1(prediction: str, gold: str) -> float:
    """Bag-of-characters F1 (SQuAD's token F1 with characters as tokens, as usual for Chinese)."""
    common = sum((Counter(prediction) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def says(said: str, gold: str) -> bool:
    """Whether an answer (`said`, in its answer form) says a gold answer: in one piece, or, for a gold of several
    parts, every part.

    A gold of several parts may order or join them otherwise than the report ("产业共谋实现连片发展、…" for
    "坚持产业共谋，实现连片发展；…"), so a longer part may also differ in a joining word or two, never in a figure."""
    whole = answer_form(gold)
    if whole and whole in said:
        return True
    parts = [p for p in (answer_form(x) for x in _GOLD_PARTS.split(gold)) if len(p) >= 2]
    return len(parts) >= 2 and all(_part_said(p, said) for p in parts)


def _part_said(part: str, said: str) -> bool:
    if part in said:
        return True
    if len(part) < 6 or any(n not in said for n in NUMBER.findall(part)):
        return False
    match = SequenceMatcher(None, part, said, autojunk=False).find_longest_match(0, len(part), 0, len(said))
    return match.size >= PART_OVERLAP * len(part)


def _distinct(chunks: Iterable[Chunk]) -> list[Chunk]:
    seen: dict[str, Chunk] = {}
    for chunk in chunks:
        seen.setdefault(chunk.id, chunk)
    return list(seen.values())


def judge(item: EvalItem, answer: Answer) -> Judgement:
    """Score one answer against its gold item; the metrics aggregate these."""
    if not item.answerable:
        return Judgement(first_hit_rank=None, evidence_recall=None, answer_correct=None, char_f1=None,
                         cite_precision=None, cite_recall=None, correct=answer.refused,
                         failures=[] if answer.refused else ["missed refusal"])

    evidence = [search_form(e) for e in item.evidence]
    retrieved = [search_form(c.text) for c in _distinct(h.chunk for h in answer.hits)]
    holds = [[chunk_has(c, e) for e in evidence] for c in retrieved]
    first_hit = next((rank for rank, row in enumerate(holds, start=1) if any(row)), None)
    top = holds[:RETRIEVAL_DEPTH]
    evidence_recall = sum(any(row[j] for row in top) for j in range(len(evidence))) / len(evidence)

    golds = [g for g in (answer_form(s) for s in (item.answer, *item.aliases)) if g]
    said = answer_form(_CITATION_MARK.sub("", answer.text))
    correct = not answer.refused and any(says(said, g) for g in (item.answer, *item.aliases))
    f1 = 0.0 if answer.refused else max((char_f1(said, g) for g in golds), default=0.0)

    cited = [search_form(c.text) for c in _distinct(c.chunk for c in answer.citations)]
    cite_precision = sum(any(chunk_has(c, e) for e in evidence) for c in cited) / len(cited) if cited else 0.0
    cite_recall = sum(any(chunk_has(c, e) for c in cited) for e in evidence) / len(evidence)

    failures = []
    if answer.refused:
        failures.append("false refusal")
    elif not correct:
        failures.append("wrong answer")
    if first_hit is None or first_hit > RETRIEVAL_DEPTH:
        failures.append("missed retrieval")
    return Judgement(first_hit_rank=first_hit, evidence_recall=evidence_recall, answer_correct=correct, char_f1=f1,
                     cite_precision=cite_precision, cite_recall=cite_recall, correct=correct, failures=failures)
