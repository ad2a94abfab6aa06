"""Web UI for the government-work-report assistant (Gradio).

    python ui.py [--host 127.0.0.1] [--port 7860] [--auth user:password] [--debug] [--concurrency N]
    # env QA_HOST, QA_PORT, QA_AUTH, QA_DEBUG=1, QA_CONCURRENCY too

`build_ui(assistant)` lays out the page and wires its events; the callbacks are thin wrappers over the
functions of the qa/ui_*.py modules (chat turns, the `ask` API, feedback, the 评测 run), and all HTML
comes from `qa.render` and its sibling render modules (which escape everything from users and
documents). Chat state lives in the session (qa/ui_chat.py); the one Assistant is shared by all sessions
and is thread-safe, so the API and the chat are served `concurrency` at a time. `main()` serves the page
and, beside it on the same port, the plain JSON route `POST /v1/ask` (qa/http_api.py) with uvicorn.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import gradio as gr
import uvicorn
from fastapi import FastAPI

from qa import Assistant, Config, QAError, render, render_documents, render_header, ui_eval
from qa import feedback as fb
from qa.ui_access import host_warning, parse_auth
from qa.ui_asking import ask_json, report_choices
from qa.ui_assets import DETAILS_JS, JS
from qa.ui_chat import cleared, respond_streaming
from qa.ui_feedback import feedback_json, on_like, submit
from qa.http_api import add_routes
from qa.workers import Workers
# The UI's tests reach these parts of it as `ui.X`, as when they were defined here.
from qa.ui_assets import CSS  # noqa: F401
from qa.ui_chat import is_non_chinese, respond  # noqa: F401
from qa.ui_asking import scope_docs, trim_history  # noqa: F401
from qa.ui_eval import UPLOAD, _set_path, eval_sets  # noqa: F401

TITLE = "政府工作报告问答"
EXAMPLES = [
    "2025年地区生产总值增长多少？",
    "今年新增城镇就业的目标是多少？",
    "什么是“三化改造”？",
    "孩子上学的名额这几年多了多少？",
]
STYLE_LABELS = {"sentence": "完整句子（易读，带主语）", "clauses": "简短分句（只取原文依据）"}
MODE_LABELS = {"hybrid": "混合（向量 + BM25）", "dense": "向量检索", "bm25": "BM25 关键词"}
ANSWERER_LABELS = {"extractive": "抽取式（只用原文）"}
RERANKER_LABELS = {"window": "按回答片段（默认）", "none": "不重排（检索顺序）", "cross-encoder": "交叉编码器模型"}
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
# Questions answered at once (the chat and the API share the slots). ask() is thread-safe and locks only
# the embedder call; measured with `python -m qa.loadtest` (README), more slots than this add latency only.
CONCURRENCY = int(os.environ.get("QA_CONCURRENCY", "") or 16)
QUEUE_MAX = 1000  # events waiting at once; beyond that a client is told the queue is full


def _defaults(assistant: Any) -> tuple[int, str, str | None]:
    config = getattr(assistant, "config", None) or Config()
    mode = config.mode if config.mode in assistant.modes else assistant.modes[0]
    styles = tuple(getattr(assistant, "styles", ()) or ())
    style = getattr(config, "answer_style", None)
    return int(config.top_k), mode, (style if style in styles else (styles[0] if styles else None))


# ---- the Blocks ----------------------------------------------------------------------------------------

def build_ui(assistant: Any, debug: bool = False, workers: Workers | None = None) -> gr.Blocks:
    """The page for `assistant` (retrieval details shown from the start with `debug`); not yet queued or launched.
    With `workers`, the `ask` endpoint answers in them, within their time budget (qa/workers.py)."""
    top_k_default, mode_default, style_default = _defaults(assistant)
    config = getattr(assistant, "config", None) or Config()
    reports = report_choices(assistant)
    styles = tuple(getattr(assistant, "styles", ()) or ())
    answerers = list(getattr(assistant, "answerers", ()) or ())
    answerer_default = getattr(config, "answerer", None) if getattr(config, "answerer", None) in answerers else None
    max_top_k = int(getattr(config, "max_top_k", 20) or 20)
    page_title = f"{reports[0][0]} · {TITLE}" if len(reports) == 1 else TITLE

    with gr.Blocks(title=page_title, analytics_enabled=False) as demo:
        history = gr.State([])
        answers = gr.State({})
        pending = gr.State(None)
        last_run = gr.State(None)
        with gr.Row(equal_height=False):
            gr.HTML(render_header.header(TITLE, [label for label, _ in reports]), elem_id="qa-header", scale=4,
                    min_width=360, js_on_load=None)
            scope = gr.Dropdown([(render_header.ALL_REPORTS, "")] + reports, value="", label="报告范围",
                                elem_id="qa-scope", visible=len(reports) > 1, scale=1, min_width=220, interactive=True)
        with gr.Tabs(elem_id="qa-tabs"):
            with gr.Tab("问答", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=300):
                        chatbot = gr.Chatbot(label="对话", show_label=False, elem_id="qa-chat", height=560,
                                             latex_delimiters=[], buttons=[], resizable=True,
                                             feedback_options=("Like", "Dislike"), group_consecutive_messages=False,
                                             placeholder="请就报告内容提问，或点击下方的示例问题。")
                        with gr.Group(visible=False, elem_id="qa-feedback") as fb_box:
                            fb_title = gr.HTML("", js_on_load=None)
                            fb_correction = gr.Textbox(label="更正（可选）：正确的答案是…", elem_id="qa-fb-correction",
                                                       max_lines=3, max_length=fb.MAX_CORRECTION_CHARS)
                            with gr.Row():
                                fb_lacking = gr.Checkbox(label="报告里没有这方面的信息", elem_id="qa-fb-lacking")
                                fb_confirm = gr.Checkbox(label="引用的原文确实支持正确答案", elem_id="qa-fb-confirm")
                            with gr.Row():
                                fb_submit = gr.Button("提交反馈", variant="primary", size="sm", elem_id="qa-fb-submit")
                                fb_cancel = gr.Button("取消", size="sm", elem_id="qa-fb-cancel")
                        fb_status = gr.HTML("", elem_id="qa-fb-status", js_on_load=None)
                        with gr.Row():
                            question = gr.Textbox(label="问题", show_label=False, elem_id="qa-question", scale=6, max_lines=4,
                                                  placeholder="输入问题，例如：2025年地区生产总值增长多少？（回车提交）")
                            send = gr.Button("提问", variant="primary", elem_id="qa-send", scale=1, min_width=80)
                        gr.Markdown("示例问题（点击即问）：", elem_classes="qa-examples-label")
                        with gr.Row(elem_id="qa-examples"):
                            example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
                        with gr.Row():
                            clear = gr.Button("清空对话", size="sm", elem_id="qa-clear")
                        with gr.Accordion("设置", open=False, elem_id="qa-settings"):
                            top_k = gr.Slider(1, max_top_k, value=min(top_k_default, max_top_k), step=1,
                                              label="检索段落数（top-k）")
                            mode = gr.Radio([(MODE_LABELS.get(m, m), m) for m in assistant.modes],
                                            value=mode_default, label="检索方式")
                            style = gr.Radio([(STYLE_LABELS.get(s, s), s) for s in styles], value=style_default,
                                             label="回答方式", visible=bool(styles))
                            answerer = gr.Radio([(ANSWERER_LABELS.get(a, a), a) for a in answerers], value=answerer_default,
                                                label="回答模型", visible=len(answerers) > 1)
                            rerankers = list(getattr(assistant, "rerankers", ()) or ())
                            reranker = gr.Radio([(RERANKER_LABELS.get(r, r), r) for r in rerankers],
                                                value=config.reranker if config.reranker in rerankers else None,
                                                label="重排序", visible=len(rerankers) > 1)
                            details = gr.Checkbox(value=debug, label="显示检索细节（得分、各检索器排名、各阶段耗时）",
                                                  elem_id="qa-details")
                    with gr.Column(scale=2, min_width=300):
                        gr.Markdown("### 检索来源（最近一次回答）")
                        sources = gr.HTML(render.sources_placeholder(), label="检索来源", elem_id="qa-sources", js_on_load=None)
            with gr.Tab("原文", id="source"):
                gr.HTML(render_documents.documents(assistant.chunks, assistant.documents), elem_id="qa-docs", js_on_load=None)
            with gr.Tab("评测", id="eval"):
                eval_tab = ui_eval.eval_tab(config, top_k_default, max_top_k)

        # ---- chat
        turn_in = [question, chatbot, top_k, mode, style, answerer, scope, history, answers, reranker]
        turn_out = [question, chatbot, history, sources, answers]

        # Cards name their report by place and year when there are several (the document name otherwise).
        labels = {name: label for label, name in reports} if len(reports) > 1 else None

        def chat(question, messages, top_k, mode, style, answerer, scope, history, answers, reranker=None):
            yield from respond_streaming(assistant, question, messages, history, top_k, mode, style, answerer,
                                         scope, answers, labels=labels, reranker=reranker)

        busy = {"concurrency_id": "qa", "concurrency_limit": CONCURRENCY}  # ask() is thread-safe
        question.submit(chat, turn_in, turn_out, api_name="chat", **busy)
        send.click(chat, turn_in, turn_out, api_visibility="private", **busy)
        def example(q: str):
            def ask_example(*args):  # a generator function, so that Gradio streams it like `chat`
                yield from chat(q, *args)
            return ask_example

        for btn, q in zip(example_buttons, EXAMPLES):
            btn.click(example(q), turn_in[1:], turn_out, api_visibility="private", **busy)
        hide_feedback = (gr.update(visible=False), None, "")
        clear.click(lambda: cleared() + hide_feedback, None,
                    [chatbot, history, sources, question, answers, fb_box, pending, fb_status], api_visibility="private")
        chatbot.clear(lambda: cleared()[1:3] + ({},) + hide_feedback, None,
                      [history, sources, answers, fb_box, pending, fb_status], api_visibility="private")
        details.change(None, details, None, js=DETAILS_JS, api_visibility="private")

        # ---- feedback: 👍/👎 on an answer opens the form; nothing is written until it is submitted
        chatbot.like(on_like, [answers], [fb_box, pending, fb_title, fb_correction, fb_lacking, fb_confirm, fb_status],
                     api_visibility="private")

        def on_submit(pending, answers, correction, lacking, confirm):
            return submit(assistant, pending, answers, correction, lacking, confirm)

        fb_submit.click(on_submit, [pending, answers, fb_correction, fb_lacking, fb_confirm], [fb_box, pending, fb_status],
                        api_visibility="private")
        fb_cancel.click(lambda: hide_feedback, None, [fb_box, pending, fb_status], api_visibility="private")

        # ---- API
        def ask(question: str, top_k: int = 5, history: list[str] | None = None, mode: str | None = None,
                answerer: str | None = None, style: str | None = None, docs: list[str] | None = None,
                reranker: str | None = None) -> dict:
            """Answer one question: the JSON of `qa ask --json` (answer, answer_parts, citations with evidence, retrieved).
            docs: names of the reports to search (None = all); reranker: window, none or (when configured) cross-encoder."""
            return ask_json(assistant, question, top_k, history, mode, answerer, style, docs, reranker, workers)

        def feedback(answer: dict, verdict: str, correction: str = "", not_in_report: bool = False,
                     confirmed: bool = False) -> dict:
            """Record a 👍 (verdict "up") or 👎 ("down") on an answer returned by `ask`, with an optional
            correction; returns the QA-set line appended to the feedback file."""
            return feedback_json(assistant, answer, verdict, correction, not_in_report, confirmed)

        gr.api(ask, api_name="ask", **busy)
        gr.api(feedback, api_name="feedback", concurrency_limit=4)

        # ---- 评测
        ui_eval.wire_eval_tab(assistant, eval_tab, last_run)

        demo.load(None, details, None, js=JS, api_visibility="private")
    return demo


# ---- command line ---------------------------------------------------------------------------------------

def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=f"{TITLE}：网页界面")
    parser.add_argument("--host", default=os.environ.get("QA_HOST", DEFAULT_HOST), help="address to serve on")
    parser.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT", DEFAULT_PORT)), help="port")
    parser.add_argument("--auth", default=os.environ.get("QA_AUTH"), help="require a login: user:password (env QA_AUTH)")
    parser.add_argument("--debug", action="store_true", default=_truthy(os.environ.get("QA_DEBUG")),
                        help="show retrieval details (scores, ranks, timings) by default (env QA_DEBUG=1)")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="questions answered at once (env QA_CONCURRENCY)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    global CONCURRENCY
    args = _parse_args(argv)
    try:
        auth = parse_auth(args.auth)
    except ValueError as exc:
        sys.exit(f"error: {exc}")
    warning = host_warning(args.host)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    CONCURRENCY = max(1, args.concurrency)
    config = Config.from_env()
    try:
        # A build that would take long is not started behind a web page: `qa build` shows its progress.
        app_assistant = Assistant.load(config, progress=lambda msg: print(msg, file=sys.stderr, flush=True),
                                       allow_slow_build=False)
    except QAError as exc:  # SlowBuildError, no readable documents, …: one line, no traceback
        sys.exit(f"error: {exc}")
    workers = Workers(CONCURRENCY, config.request_budget_s, QUEUE_MAX)
    demo = build_ui(app_assistant, debug=args.debug, workers=workers)
    demo.max_threads = max(40, CONCURRENCY + 8)  # before queue(): the queue takes its thread count from it
    demo.queue(max_size=QUEUE_MAX, default_concurrency_limit=CONCURRENCY)
    # The page and Gradio's API are mounted under one server beside the plain JSON route (qa/http_api.py).
    app = add_routes(FastAPI(docs_url=None, redoc_url=None, openapi_url=None), app_assistant, workers, auth)
    app = gr.mount_gradio_app(app, demo, path="/", server_name=args.host, server_port=args.port, footer_links=["api"],
                              auth=auth, auth_message=f"{TITLE}：请登录" if auth else None,
                              max_file_size=config.eval_upload_max_bytes)
    print(f"* Running on http://{args.host}:{args.port} (JSON API: POST /v1/ask)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
