"""Evaluation on a question set: loading, running the assistant, judging each answer, aggregate metrics.

Writing the run's files and comparing runs live in `qa.eval_report`; `evaluate` ties both together so
the CLI stays one line.
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

import numpy as np
from tqdm import tqdm

from .config import PROJECT_ROOT
from .errors import QAError, QuestionError
from .text import answer_form, search_form
from .types import Answer, Chunk

SPLITS = ("all", "tune", "report")
# Evidence cut by a chunk boundary still counts as found when this share of it lies in one chunk.
BOUNDARY_OVERLAP = 0.8
RETRIEVAL_DEPTH = 5  # hit@5 and recall@5, and what "missed retrieval" means in the report
# "[1]" markers in an answer would otherwise leave stray digits that can fake or spoil a numeric match.
_CITATION_MARK = re.compile(r"[\[［]\d+[\]］]")


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
            answer = Answer(item.question, str(exc), [], True, [], item.question)
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
    correct = not answer.refused and any(g in said for g in golds)
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


# ---------------------------------------------------------------- metrics


def _mean(values: Sequence[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def _retrieval(judged: Sequence[Judgement]) -> dict[str, float]:
    ranks = [j.first_hit_rank for j in judged]
    out = {f"hit@{k}": _mean([r is not None and r <= k for r in ranks]) for k in (1, 3, 5)}
    out["mrr"] = _mean([1 / r if r else 0.0 for r in ranks])
    out["recall@5"] = _mean([j.evidence_recall or 0.0 for j in judged])
    return out


def _refusal(results: Sequence[ItemResult]) -> dict[str, float]:
    refused = [r for r in results if r.answer.refused]
    unanswerable = [r for r in results if not r.item.answerable]
    answerable = len(results) - len(unanswerable)
    right = sum(not r.item.answerable for r in refused)
    return {
        "precision": _ratio(right, len(refused)),
        "recall": _ratio(right, len(unanswerable)),
        "false_refusal_rate": _ratio(len(refused) - right, answerable),
    }


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0}
    p50, p95 = np.percentile(values, [50, 95])
    return {"p50": float(p50), "p95": float(p95)}


def _by_type(results: Sequence[ItemResult]) -> dict[str, dict[str, float | int]]:
    out: dict[str, dict[str, float | int]] = {}
    for kind in sorted({r.item.type for r in results}):
        group = [r for r in results if r.item.type == kind]
        judged = [r.judgement for r in group if r.item.answerable]
        row: dict[str, float | int] = {"n": len(group), "n_answerable": len(judged)}
        if judged:
            retrieval = _retrieval(judged)
            row.update({"hit@1": retrieval["hit@1"], "hit@5": retrieval["hit@5"],
                        "accuracy": _mean([bool(j.answer_correct) for j in judged]),
                        "false_refusal_rate": _refusal(group)["false_refusal_rate"]})
        if len(judged) < len(group):
            row["refusal_recall"] = _refusal(group)["recall"]
        out[kind] = row
    return out


def compute_metrics(results: Sequence[ItemResult], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Aggregate metrics: retrieval, answer, citation, refusal, latency_ms, by_type, n, n_answerable, config.

    Retrieval, answer and citation metrics average over answerable items; a refused answer is wrong
    (F1 0). Refusal precision is over the refused items, recall over the unanswerable ones, the false
    refusal rate over the answerable ones. Every ratio with an empty denominator (no refusals, no
    unanswerable items, ...) is defined as 0.0. Percentiles interpolate linearly (numpy's default).
    """
    judged = [r.judgement for r in results if r.item.answerable]
    totals = [r.total_ms for r in results]
    stages = sorted({k for r in results for k in r.answer.timings_ms if k != "total"})
    return {
        "retrieval": _retrieval(judged),
        "answer": {
            "accuracy": _mean([bool(j.answer_correct) for j in judged]),
            "char_f1": _mean([j.char_f1 or 0.0 for j in judged]),
        },
        "citation": {
            "precision": _mean([j.cite_precision or 0.0 for j in judged]),
            "recall": _mean([j.cite_recall or 0.0 for j in judged]),
        },
        "refusal": _refusal(results),
        "latency_ms": {
            **_percentiles(totals),
            "max": max(totals, default=0.0),
            "stages": {s: _percentiles([r.answer.timings_ms[s] for r in results if s in r.answer.timings_ms])
                       for s in stages},
        },
        "by_type": _by_type(results),
        "n": len(results),
        "n_answerable": len(judged),
        "config": config or {},
    }


# ---------------------------------------------------------------- thresholds

_SPEC = re.compile(r"^\s*([^<>=\s]+)\s*(>=|<=|=)\s*(\S+)\s*$")


def parse_minimums(specs: Iterable[str]) -> list[tuple[str, str, float]]:
    """`KEY=VALUE` or `KEY>=VALUE` (at least) and `KEY<=VALUE` (at most, for latency and false refusals)."""
    parsed = []
    for spec in specs:
        m = _SPEC.match(spec)
        if not m:
            raise EvaluationError(f"bad threshold {spec!r}: expected KEY=VALUE, e.g. retrieval.hit@5=0.9")
        key, op, raw = m.groups()
        try:
            parsed.append((key, op, float(raw)))
        except ValueError:
            raise EvaluationError(f"bad threshold {spec!r}: {raw!r} is not a number") from None
    return parsed


def metric_value(metrics: dict[str, Any], key: str) -> float:
    node: Any = metrics
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            known = ", ".join(sorted(node)) if isinstance(node, dict) else "none (not a group)"
            raise EvaluationError(f"unknown metric {key!r}: no {part!r} (known here: {known})")
        node = node[part]
    if isinstance(node, bool) or not isinstance(node, (int, float)):
        raise EvaluationError(f"metric {key!r} is not a number")
    return float(node)


def check_minimums(metrics: dict[str, Any], specs: Iterable[str]) -> list[str]:
    """One message per threshold the metrics miss; a malformed spec or unknown metric raises."""
    failures = []
    for key, op, bound in parse_minimums(specs):
        value = metric_value(metrics, key)
        if (value > bound) if op == "<=" else (value < bound):
            want = "at most" if op == "<=" else "at least"
            failures.append(f"{key} = {value:.4g}, wanted {want} {bound:g}")
    return failures


# ---------------------------------------------------------------- one call for the CLI


def evaluate(
    assistant: Any,
    set_path: str | Path,
    out_dir: str | Path,
    top_k: int = 5,
    split: str = "all",
    compare_path: str | Path | None = None,
    minimums: Sequence[str] = (),
) -> tuple[dict[str, Any], list[str]]:
    """Run the set, write the run's files to out_dir, print a summary; returns (metrics, threshold failures)."""
    from . import eval_report  # imported here because eval_report builds on this module

    # A typo in a threshold should fail before a long run, not after; per-type and per-stage names are
    # only known once the run is done.
    parse_minimums(minimums)
    check_minimums(compute_metrics([]), [m for m in minimums if not m.startswith(("by_type.", "latency_ms.stages."))])
    items, skipped = load_set(set_path)
    for message in skipped:
        print(f"{set_path}: skipped {message}", file=sys.stderr)
    items = select_split(items, split)
    if not items:
        raise EvaluationError(f"no questions to evaluate in {set_path} (split {split})")
    results = run(assistant, items, top_k=top_k)
    metrics = compute_metrics(results, run_config(assistant, set_path, top_k, split))
    # Compare before writing: the old run may live in out_dir and would be overwritten.
    comparison = eval_report.compare(compare_path, metrics, results, None) if compare_path else None
    failures = check_minimums(metrics, minimums)
    written = eval_report.write_outputs(out_dir, metrics, results, skipped=skipped, comparison=comparison)
    eval_report.print_summary(metrics, written, comparison, failures)
    return metrics, failures
