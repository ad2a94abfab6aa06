"""HTML of the 评测 tab: a run's headline metrics, its summary, every failed question with its cited text,
and the comparison with the previous run."""
from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from .markup import esc, marked

METRIC_LABELS = {
    "retrieval.hit@1": "检索命中率 hit@1",
    "retrieval.hit@3": "检索命中率 hit@3",
    "retrieval.hit@5": "检索命中率 hit@5",
    "retrieval.mrr": "检索 MRR",
    "retrieval.recall@5": "依据召回率 recall@5",
    "answer.accuracy": "回答准确率",
    "answer.char_f1": "回答字符 F1",
    "citation.precision": "引用精确率",
    "citation.recall": "引用召回率",
    "refusal.precision": "拒答精确率",
    "refusal.recall": "拒答召回率",
    "refusal.false_refusal_rate": "误拒率",
    "latency_ms.p50": "延迟 p50（毫秒）",
    "latency_ms.p95": "延迟 p95（毫秒）",
    "latency_ms.max": "延迟最大值（毫秒）",
}


def _metric(key: str, value: Any) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if key.startswith("latency_ms") else f"{value:.3f}"


def eval_metrics(metrics: Mapping[str, Any], headline: Sequence[tuple[str, str]], value_of: Any,
                 title: str = "") -> str:
    """The headline metrics of a run as a table (`headline` and `value_of` from qa.eval_report / qa.metrics)."""
    rows = "".join(
        f'<tr data-key="{esc(key)}"><th scope="row">{esc(METRIC_LABELS.get(key, label))}</th>'
        f'<td class="qa-num">{_metric(key, value_of(metrics, key))}</td></tr>'
        for key, label in headline)
    caption = f"<caption>{esc(title)}</caption>" if title else ""
    return (f'<table class="qa-metrics">{caption}<thead><tr><th>指标</th><th>数值</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def eval_summary(metrics: Mapping[str, Any], set_name: str, split: str, skipped: Sequence[str] = ()) -> str:
    n, answerable = metrics.get("n", 0), metrics.get("n_answerable", 0)
    text = (f'<div class="qa-eval-summary">题集 <b>{esc(set_name)}</b>（{esc(split)}）：共 {n} 题，'
            f"其中可回答 {answerable} 题、不可回答 {n - answerable} 题。")
    if skipped:
        text += f' 跳过 {len(skipped)} 行：{esc("；".join(skipped[:3]))}{"…" if len(skipped) > 3 else ""}'
    return text + "</div>"


FAILURES_SHOWN = 100


def eval_failures(results: Sequence[Any]) -> str:
    """Every failed question of a run: what was asked, expected and answered, and the cited text."""
    failed = [r for r in results if r.judgement.failures]
    if not failed:
        return '<div class="qa-eval-fails qa-empty">没有失败的问题。</div>'
    out = [f'<div class="qa-eval-fails"><div class="qa-src-head">失败的问题（{len(failed)}）</div>']
    for r in failed[:FAILURES_SHOWN]:
        item, answer, j = r.item, r.answer, r.judgement
        expected = item.answer + (f"（也可：{'、'.join(item.aliases)}）" if item.aliases else "")
        got = f"（拒答）{answer.text}" if answer.refused else answer.text
        cited = "".join(
            f'<li><span class="qa-n">[{c.n}]</span> <span class="qa-path">{esc(c.chunk.section_path)}</span>'
            f'<div class="qa-para">{marked(c.chunk.text, c.evidence)}</div></li>' for c in answer.citations)
        gold = " / ".join(f"「{esc(e)}」" for e in item.evidence)
        out.append(
            f'<details class="qa-fail"><summary><b>{esc(item.id)}</b> · {esc(item.type)} · '
            f'<span class="qa-fail-why">{esc("、".join(j.failures))}</span> · {esc(item.question)}</summary>'
            f'<dl><dt>期望</dt><dd>{esc(expected)}</dd><dt>得到</dt><dd>{esc(got)}</dd>'
            + (f"<dt>标准依据</dt><dd>{gold}</dd>" if gold else "")
            + f'<dt>引用原文</dt><dd>{f"<ol class=qa-fail-cites>{cited}</ol>" if cited else "（无）"}</dd></dl></details>')
    if len(failed) > FAILURES_SHOWN:
        out.append(f'<div class="qa-empty">另有 {len(failed) - FAILURES_SHOWN} 题未列出，见 report.md。</div>')
    out.append("</div>")
    return "".join(out)


def comparison(text: str) -> str:
    return f'<pre class="qa-compare">{html.escape(text)}</pre>' if text else ""
