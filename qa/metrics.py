"""Aggregate metrics over judged answers (the keys of `metrics.json`) and the `--min` thresholds."""
from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

import numpy as np

from .evaluation import EvaluationError, ItemResult, Judgement


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
    by_check: dict[str, dict[str, int]] = {}
    for r in refused:  # which check refused, counted apart for answerable (false) and unanswerable (right) ones
        row = by_check.setdefault(r.answer.check or "evidence", {"answerable": 0, "unanswerable": 0})
        row["answerable" if r.item.answerable else "unanswerable"] += 1
    return {
        "precision": _ratio(right, len(refused)),
        "recall": _ratio(right, len(unanswerable)),
        "false_refusal_rate": _ratio(len(refused) - right, answerable),
        "by_check": dict(sorted(by_check.items())),
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


def _grounding(results: Sequence[ItemResult]) -> dict[str, float | int]:
    """How answers fared in the claim checks, for any answerer: over the answers an answerer wrote (not
    refused before it), the share shown as written (nothing removed, no fallback), the share of the figures
    it stated that were verified (kept) rather than removed, and how many fell back to the extractive answer."""
    from .answerers.claim_check import split_dropped
    from .answerers.generative import FALLBACK_SUFFIX
    from .answerers.model_text import figures_of

    written = [r.answer for r in results if not r.answer.refused or r.answer.dropped or r.answer.note]
    fallback = {id(a) for a in written if a.note.endswith(FALLBACK_SUFFIX)}
    kept = sum(len(figures_of(p.text)) for a in written if id(a) not in fallback for p in a.parts)
    removed = sum(len(figures_of(split_dropped(d)[0])) for a in written for d in a.dropped)
    unchanged = [a for a in written if not a.dropped and id(a) not in fallback]
    return {"answers": len(written), "unchanged": _ratio(len(unchanged), len(written)),
            "figures": kept + removed, "figures_verified": _ratio(kept, kept + removed),
            "fallbacks": len(fallback), "fallback_rate": _ratio(len(fallback), len(written))}


def compute_metrics(results: Sequence[ItemResult], config: dict[str, Any] | None = None) -> dict[str, Any]:
    """Aggregate metrics: retrieval, answer (with answer.grounding), citation, refusal, latency_ms, by_type, n,
    n_answerable, config.

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
            # Inside `answer`, so that metrics.json keeps its documented top-level keys.
            "grounding": _grounding(results),
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
