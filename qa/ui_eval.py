"""The 评测 tab: a set from eval/sets/ or an upload, run through the same code as `qa eval` and written to
a temporary folder (the newest few kept); the tab shows the headline metrics, the chart, every failed
question, the report files and, optionally, the comparison with the previous run on the page."""
from __future__ import annotations

import shutil
import tempfile
import threading
import time
from collections import deque
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr

from qa import Config, render_eval
from qa.config import PROJECT_ROOT

SETS_DIR = PROJECT_ROOT / "eval" / "sets"
UPLOAD = "（上传题集）"  # the set selector's choice for an uploaded file

_eval_dirs: deque[str] = deque()
_eval_dirs_lock = threading.Lock()
EVAL_DIRS_KEPT = 20  # run folders kept on disk (older ones are deleted)


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} KB"


def eval_sets(sets_dir: Path = SETS_DIR) -> list[str]:
    """The sets the tab offers: the .jsonl files in eval/sets/."""
    return sorted(p.name for p in Path(sets_dir).glob("*.jsonl") if p.is_file())


def _set_path(set_name: str | None, upload: str | None, max_bytes: int, sets_dir: Path = SETS_DIR) -> tuple[Path, str]:
    if set_name == UPLOAD or (not set_name and upload):
        if not upload:
            raise gr.Error("请先上传一个 .jsonl 题集")
        path = Path(upload)
        size = path.stat().st_size
        if size > max_bytes:
            raise gr.Error(f"题集太大（{size} 字节）：上限 {max_bytes} 字节")
        return path, path.name
    if not set_name or set_name not in eval_sets(sets_dir):  # only files listed in eval/sets, no paths
        raise gr.Error(f"没有这个题集：{set_name!r}")
    return Path(sets_dir) / set_name, set_name


def _new_run_dir() -> str:
    out = tempfile.mkdtemp(prefix="qa-eval-")
    with _eval_dirs_lock:
        _eval_dirs.append(out)
        while len(_eval_dirs) > EVAL_DIRS_KEPT:
            shutil.rmtree(_eval_dirs.popleft(), ignore_errors=True)
    return out


def run_evaluation(assistant: Any, set_name: str | None, upload: str | None, split: str, limit: float | None,
                   top_k: float | None, previous: str | None = None, compare: bool = False,
                   progress: Any = None, sets_dir: Path = SETS_DIR) -> dict[str, Any]:
    """The same run as `qa eval`, written to a temporary folder; returns what the 评测 tab shows."""
    from qa import eval_report
    from qa.evaluation import EvaluationError, load_set, run, run_config, select_split
    from qa.metrics import compute_metrics, metric_value

    config = getattr(assistant, "config", None) or Config()
    path, shown_name = _set_path(set_name, upload, getattr(config, "eval_upload_max_bytes", 2_000_000), sets_dir)
    try:
        items, skipped = load_set(path)
        items = select_split(items, split or "all")
    except EvaluationError as exc:
        raise gr.Error(str(exc)) from exc
    if limit and int(limit) > 0:
        items = items[: int(limit)]
    if not items:
        raise gr.Error(f"{shown_name} 中没有可评测的问题" + (f"（跳过：{'；'.join(skipped[:3])}）" if skipped else ""))
    max_q = getattr(config, "eval_max_questions", 500)
    if len(items) > max_q:
        raise gr.Error(f"题目太多（{len(items)} 题）：一次最多 {max_q} 题，请用“前 N 题”或 split 缩小范围")
    k = int(top_k) if top_k else int(config.top_k)
    results: list[Any] = []
    step = max(1, len(items) // 50)
    started = time.perf_counter()
    for i in range(0, len(items), step):
        if progress is not None:
            progress((i, len(items)), desc="评测中", unit="题")
        results += run(assistant, items[i:i + step], top_k=k, progress=False)
    metrics = compute_metrics(results, run_config(assistant, shown_name, k, split or "all"))
    out = _new_run_dir()
    comparison = ""
    if compare and previous and (Path(previous) / "metrics.json").is_file():
        comparison = eval_report.compare(previous, metrics, results)
    written = eval_report.write_outputs(out, metrics, results, skipped=skipped, comparison=comparison or None)
    return {
        "summary": render_eval.eval_summary(metrics, shown_name, split or "all", skipped)
        + f'<div class="qa-empty" style="padding:0">用时 {time.perf_counter() - started:.1f} 秒；报告文件见页面底部。</div>',
        "metrics_html": render_eval.eval_metrics(metrics, eval_report.HEADLINE, metric_value),
        "chart": str(written["by_type.png"]),
        "failures_html": render_eval.eval_failures(results),
        "files": [str(written[n]) for n in ("report.md", "metrics.json", "results.jsonl")],
        "comparison_html": render_eval.comparison(comparison),
        "dir": out,
        "metrics": metrics,
    }


def eval_tab(config: Any, top_k_default: int, max_top_k: int) -> SimpleNamespace:
    """The tab's controls and outputs, laid out where it is called (inside its `gr.Tab`)."""
    gr.Markdown("用与 `qa eval` 相同的代码评测一个题集（eval/sets/ 中的文件，或上传 .jsonl），"
                "结果写入临时目录。")
    sets = eval_sets()
    with gr.Row():
        eval_set = gr.Dropdown(sets + [UPLOAD], value=("dev.jsonl" if "dev.jsonl" in sets else (sets or [UPLOAD])[0]),
                               label="题集", elem_id="qa-eval-set", scale=2)
        eval_upload = gr.File(label=f"上传题集（.jsonl，≤ {_size(getattr(config, 'eval_upload_max_bytes', 2_000_000))}）",
                              file_types=[".jsonl"], type="filepath", elem_id="qa-eval-upload", scale=2)
    with gr.Row():
        eval_split = gr.Radio(["all", "tune", "report"], value="all", label="split", elem_id="qa-eval-split")
        eval_limit = gr.Number(value=0, precision=0, minimum=0, label="只跑前 N 题（0 = 全部）",
                               elem_id="qa-eval-limit")
        eval_top_k = gr.Number(value=top_k_default, precision=0, minimum=1, maximum=max_top_k,
                               label="top-k", elem_id="qa-eval-topk")
        eval_compare = gr.Checkbox(value=False, label="与本页上一次评测比较", elem_id="qa-eval-compare")
    eval_run = gr.Button("运行评测", variant="primary", elem_id="qa-eval-run")
    eval_summary = gr.HTML("", elem_id="qa-eval-summary", js_on_load=None)
    with gr.Row(equal_height=False):
        eval_metrics = gr.HTML("", elem_id="qa-eval-metrics", scale=1, min_width=280, js_on_load=None)
        eval_chart = gr.Image(label="按题型（by_type.png）", type="filepath", elem_id="qa-eval-chart",
                              interactive=False, buttons=["download"], scale=2, min_width=300)
    eval_compare_out = gr.HTML("", elem_id="qa-eval-compare-out", js_on_load=None)
    eval_failures = gr.HTML("", elem_id="qa-eval-failures", js_on_load=None)
    eval_files = gr.File(label="报告文件", file_count="multiple", interactive=False, elem_id="qa-eval-files")
    return SimpleNamespace(set=eval_set, upload=eval_upload, split=eval_split, limit=eval_limit, top_k=eval_top_k,
                           compare=eval_compare, run=eval_run, summary=eval_summary, metrics=eval_metrics,
                           chart=eval_chart, compare_out=eval_compare_out, failures=eval_failures, files=eval_files)


def wire_eval_tab(assistant: Any, tab: SimpleNamespace, last_run: gr.State) -> None:
    """An upload selects itself in the set selector; 运行评测 runs (one run at a time, all sessions together)."""
    def evaluate(set_name, upload, split, limit, k, compare, previous, progress=gr.Progress()):
        out = run_evaluation(assistant, set_name, upload, split, limit, k, previous, compare, progress)
        return (out["summary"], out["metrics_html"], out["chart"], out["comparison_html"], out["failures_html"],
                out["files"], out["dir"])

    tab.upload.upload(lambda: UPLOAD, None, tab.set, api_visibility="private")
    tab.run.click(evaluate, [tab.set, tab.upload, tab.split, tab.limit, tab.top_k, tab.compare, last_run],
                  [tab.summary, tab.metrics, tab.chart, tab.compare_out, tab.failures, tab.files, last_run],
                  api_visibility="private", concurrency_id="eval", concurrency_limit=1)
