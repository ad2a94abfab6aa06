"""The files an evaluation run leaves behind, the printed summary, and comparison with an earlier run."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .evaluation import RETRIEVAL_DEPTH, EvaluationError, ItemResult
from .metrics import metric_value

HEADLINE = [
    ("retrieval.hit@1", "Retrieval hit@1"),
    ("retrieval.hit@3", "Retrieval hit@3"),
    ("retrieval.hit@5", "Retrieval hit@5"),
    ("retrieval.mrr", "Retrieval MRR"),
    ("retrieval.recall@5", "Evidence recall@5"),
    ("answer.accuracy", "Answer accuracy"),
    ("answer.char_f1", "Answer char F1"),
    ("citation.precision", "Citation precision"),
    ("citation.recall", "Citation recall"),
    ("refusal.precision", "Refusal precision"),
    ("refusal.recall", "Refusal recall"),
    ("refusal.false_refusal_rate", "False refusal rate"),
    ("latency_ms.p50", "Latency p50 (ms)"),
    ("latency_ms.p95", "Latency p95 (ms)"),
    ("latency_ms.max", "Latency max (ms)"),
]
TYPE_COLUMNS = ["hit@1", "hit@5", "accuracy", "false_refusal_rate", "refusal_recall"]


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.startswith("latency_ms") else f"{value:.3f}"


def chart_labels(types: Sequence[str]) -> dict[str, str]:
    """ASCII axis labels: the default matplotlib fonts have no CJK glyphs, so other names become type-N."""
    return {t: t if t.isascii() else f"type-{i}" for i, t in enumerate(types, start=1)}


# ---------------------------------------------------------------- files


def result_record(result: ItemResult) -> dict[str, Any]:
    item, answer, j = result.item, result.answer, result.judgement
    return {
        "id": item.id,
        "question": item.question,
        "type": item.type,
        "answerable": item.answerable,
        "gold_answer": item.answer,
        "answer": answer.text,
        "refused": answer.refused,
        "check": answer.check,
        "refusal_reason": answer.refusal_reason,
        "confidence": answer.confidence,
        "understood_as": answer.understood_as,
        "cited_chunk_ids": [c.chunk.id for c in answer.citations],
        "retrieved_chunk_ids": [h.chunk.id for h in answer.hits],
        "first_hit_rank": j.first_hit_rank,
        "retrieval_hit": None if not item.answerable else "missed retrieval" not in j.failures,
        "answer_correct": j.answer_correct,
        "char_f1": j.char_f1,
        "correct": j.correct,
        "failures": j.failures,
        "total_ms": round(result.total_ms, 1),
    }


def write_outputs(
    out_dir: str | Path,
    metrics: dict[str, Any],
    results: Sequence[ItemResult],
    skipped: Sequence[str] = (),
    comparison: str | None = None,
) -> dict[str, Path]:
    """metrics.json, results.jsonl, report.md and by_type.png in out_dir; returns their paths by name."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in ("metrics.json", "results.jsonl", "report.md", "by_type.png")}
    paths["metrics.json"].write_text(json.dumps(metrics, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths["results.jsonl"].write_text(
        "".join(json.dumps(result_record(r), ensure_ascii=False) + "\n" for r in results), encoding="utf-8"
    )
    paths["report.md"].write_text(render_report(metrics, results, skipped, comparison), encoding="utf-8")
    plot_by_type(metrics["by_type"], paths["by_type.png"])
    return paths


def render_report(
    metrics: dict[str, Any], results: Sequence[ItemResult], skipped: Sequence[str] = (), comparison: str | None = None
) -> str:
    cfg = metrics.get("config", {})
    lines = ["# Evaluation report", ""]
    if cfg:
        lines += [
            f"Set `{cfg.get('set')}`, split **{cfg.get('split')}**: {metrics['n']} questions "
            f"({metrics['n_answerable']} answerable). Embedder `{cfg.get('embedder')}`, top_k {cfg.get('top_k')}, "
            f"commit `{cfg.get('git_commit') or 'unknown'}`, index `{(cfg.get('index_manifest_sha256') or '')[:12]}`.",
            "",
        ]
    lines += ["## Headline", "", "| Metric | Value |", "|---|---:|"]
    lines += [f"| {label} | {_fmt(key, metric_value(metrics, key))} |" for key, label in HEADLINE]

    labels = chart_labels(list(metrics["by_type"]))
    lines += ["", "## By type", "", "| Type | n | " + " | ".join(TYPE_COLUMNS) + " |",
              "|---|---:|" + "---:|" * len(TYPE_COLUMNS)]
    for kind, row in metrics["by_type"].items():
        name = kind.replace("|", "\\|") + ("" if labels[kind] == kind else f" ({labels[kind]})")
        cells = " | ".join(_fmt(c, row.get(c)) for c in TYPE_COLUMNS)
        lines.append(f"| {name} | {row['n']} | {cells} |")

    if comparison:
        lines += ["", "## Compared with the previous run", "", "```", comparison, "```"]

    failed = [r for r in results if r.judgement.failures]
    lines += ["", f"## Failed questions ({len(failed)})", ""]
    for r in failed:
        lines += _failure_section(r)
    if not failed:
        lines.append("None.")

    if skipped:
        lines += ["", f"## Skipped lines of the set ({len(skipped)})", ""] + [f"- {m}" for m in skipped]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _failure_section(result: ItemResult) -> list[str]:
    item, answer, j = result.item, result.answer, result.judgement
    expected = item.answer + (f" (also: {', '.join(item.aliases)})" if item.aliases else "")
    got = f"(refused) {answer.text}" if answer.refused else answer.text
    lines = [f"### {item.id} · {item.type} · {', '.join(j.failures)}", "",
             f"- Question: {_one_line(item.question)}"]
    if answer.understood_as and answer.understood_as != item.question:
        lines.append(f"- Understood as: {_one_line(answer.understood_as)}")
    lines += [f"- Expected: {_one_line(expected)}", f"- Got: {_one_line(got)}"]
    if answer.refused:
        p = f", evidence model p {answer.confidence:.2f}" if answer.confidence is not None else ""
        lines.append(f"- Refused by: `{answer.check or 'evidence'}` ({answer.refusal_reason}{p})")
    if item.evidence:
        lines.append("- Gold evidence: " + " / ".join(f"「{_one_line(e)}」" for e in item.evidence))
        where = f"rank {j.first_hit_rank}" if j.first_hit_rank else f"not among {len(answer.hits)} retrieved"
        lines.append(f"- First chunk with evidence: {where}; retrieved: "
                     + (", ".join(h.chunk.id for h in answer.hits[:RETRIEVAL_DEPTH]) or "nothing"))
    if answer.citations:
        lines.append("- Cited:")
        lines += [f"  - [{c.n}] `{c.chunk.id}`: {_one_line(c.chunk.text)}" for c in answer.citations]
    else:
        lines.append("- Cited: nothing")
    return lines + [""]


def plot_by_type(by_type: dict[str, dict[str, Any]], path: Path) -> None:
    # Imported here: matplotlib is slow to import and only this function needs it.
    from matplotlib.figure import Figure

    types = list(by_type)
    labels = chart_labels(types)
    series = [("hit@5", "hit@5"), ("accuracy", "accuracy"), ("refusal_recall", "refusal recall")]
    fig = Figure(figsize=(max(6.0, 1.2 * len(types) + 2), 4), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / len(series)
    for i, (key, name) in enumerate(series):
        # NaN draws no bar: a type without unanswerable items has no refusal recall, which is not 0.
        values = [by_type[t].get(key, math.nan) for t in types]
        bars = ax.bar([x + (i - 1) * width for x in range(len(types))], values, width, label=name)
        ax.bar_label(bars, ["" if math.isnan(v) else f"{v:.2f}" for v in values], fontsize=7)
    ax.set_xticks(range(len(types)), [f"{labels[t]}\n(n={by_type[t]['n']})" for t in types])
    ax.set_ylim(0, 1.25)  # headroom for the legend above the bars
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("share")
    ax.set_title("Evaluation by question type")
    ax.legend(loc="upper center", ncols=len(series))
    fig.savefig(path, dpi=120)


# ---------------------------------------------------------------- comparing runs


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _numbers(metrics: dict[str, Any]) -> dict[str, float]:
    leaves = _flatten({k: v for k, v in metrics.items() if k != "config"})
    return {k: float(v) for k, v in leaves.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvaluationError(f"nothing to compare with: {path} not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EvaluationError(f"{path}: not a metrics file ({exc})") from None


def _old_correct(path: Path) -> dict[str, bool]:
    out = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                record = json.loads(line)
                out[record["id"]] = bool(record["correct"])
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise EvaluationError(f"{path} line {number}: not a results record ({exc})") from None
    return out


def compare(
    old_metrics_path: str | Path,
    new_metrics: dict[str, Any],
    new_results: Sequence[ItemResult],
    old_results_path: str | Path | None = None,
) -> str:
    """Which metrics went up or down since an earlier run, and which questions flipped.

    old_metrics_path is a metrics.json or the run folder holding it; without old_results_path,
    a results.jsonl beside the old metrics.json is used when there is one.
    """
    old_path = Path(old_metrics_path)
    if old_path.is_dir():
        old_path = old_path / "metrics.json"
    old_metrics = _read_json(old_path)
    lines = [f"Compared with {old_path}"]

    old_cfg, new_cfg = _flatten(old_metrics.get("config", {})), _flatten(new_metrics.get("config", {}))
    changed_cfg = [f"  {k}: {old_cfg.get(k)} → {new_cfg.get(k)}" for k in sorted(old_cfg | new_cfg)
                   if old_cfg.get(k) != new_cfg.get(k)]
    lines += ["config changed:", *changed_cfg] if changed_cfg else ["config: unchanged"]

    old_n, new_n = _numbers(old_metrics), _numbers(new_metrics)
    shared = [k for k in new_n if k in old_n]
    for direction, moved in (("up", [k for k in shared if new_n[k] > old_n[k] + 1e-9]),
                             ("down", [k for k in shared if new_n[k] < old_n[k] - 1e-9])):
        lines.append(f"{direction} ({len(moved)}):")
        lines += [f"  {k}: {old_n[k]:.4g} → {new_n[k]:.4g} ({new_n[k] - old_n[k]:+.4g})" for k in moved]
    lines.append(f"unchanged: {len(shared) - sum(abs(new_n[k] - old_n[k]) > 1e-9 for k in shared)} metrics")
    only_new, only_old = sorted(set(new_n) - set(old_n)), sorted(set(old_n) - set(new_n))
    if only_new:
        lines.append("only in the new run: " + ", ".join(only_new))
    if only_old:
        lines.append("only in the old run: " + ", ".join(only_old))

    results_path = Path(old_results_path) if old_results_path else old_path.parent / "results.jsonl"
    if not results_path.is_file():
        if old_results_path:
            raise EvaluationError(f"old results not found: {results_path}")
        lines.append(f"per-question flips: no results.jsonl beside {old_path}")
        return "\n".join(lines)
    before = _old_correct(results_path)
    now = {r.item.id: r.judgement.correct for r in new_results if r.item.id in before}
    broke = sorted(i for i, ok in now.items() if before[i] and not ok)
    fixed = sorted(i for i, ok in now.items() if ok and not before[i])
    lines.append(f"right → wrong ({len(broke)}): {', '.join(broke) or '-'}")
    lines.append(f"wrong → right ({len(fixed)}): {', '.join(fixed) or '-'}")
    return "\n".join(lines)


# ---------------------------------------------------------------- console


def print_summary(
    metrics: dict[str, Any], written: dict[str, Path], comparison: str | None, failures: Sequence[str]
) -> None:
    console = Console()
    console.print(f"Evaluated {metrics['n']} questions ({metrics['n_answerable']} answerable)")
    table = Table()
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    for key, label in HEADLINE:
        table.add_row(label, _fmt(key, metric_value(metrics, key)))
    console.print(table)
    if comparison:
        console.print(comparison, markup=False, highlight=False)
    console.print(f"Report: {written['report.md']}", markup=False, highlight=False)
    for failure in failures:
        console.print(f"[red]below threshold:[/red] {escape(failure)}")
