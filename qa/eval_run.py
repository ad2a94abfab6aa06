"""`qa eval` in one call: load a set, run it, compute the metrics, write the run's files, compare.

It sits above `qa.evaluation` (items, judging, running), `qa.metrics` (aggregates and thresholds) and
`qa.eval_report` (files, chart, comparison), so that none of those three imports another's caller.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Sequence

from . import eval_report
from .evaluation import EvaluationError, load_set, run, run_config, select_split
from .metrics import check_minimums, compute_metrics, parse_minimums


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
