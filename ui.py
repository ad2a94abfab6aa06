"""Web UI for the government-work-report assistant (Gradio).

    python ui.py [--host 127.0.0.1] [--port 7860]      # env QA_HOST / QA_PORT too

`build_ui(assistant)` returns the Blocks; callbacks are one-liners over the pure functions below,
and all HTML comes from `qa.render` (which escapes everything from users and documents). Chat
state lives in the session (the Chatbot value and a gr.State of previous questions); the one
Assistant is shared by all sessions.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from typing import Any

import gradio as gr

from qa import Assistant, Config, QuestionError
from qa import render

TITLE = "政府工作报告问答"
EXAMPLES = [
    "2025年地区生产总值增长多少？",
    "今年新增城镇就业的目标是多少？",
    "什么是“三化改造”？",
    "孩子上学的名额这几年多了多少？",
]
ANSWERER_LABELS = {"extractive": "简短（只取回答所需的分句）", "extractive-sentences": "完整句子（带上下文）"}
MODE_LABELS = {"hybrid": "混合（向量 + BM25）", "dense": "向量检索", "bm25": "BM25 关键词"}
DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 7860
CONCURRENCY = 4  # questions answered at once (shared by the chat and the API)

CSS = """
#qa-chat .qa-q{white-space:pre-wrap;word-break:break-word}
.qa-a{line-height:1.7}
.qa-text{font-size:1.02em}
.qa-understood{font-size:.88em;color:var(--body-text-color-subdued);margin-bottom:.3em}
a.qa-cite{display:inline-block;padding:0 .2em;margin:0 .05em;border-radius:4px;font-size:.85em;font-weight:600;
  text-decoration:none;color:var(--color-accent);background:var(--color-accent-soft);cursor:pointer;vertical-align:super;line-height:1.2}
a.qa-cite:hover{text-decoration:underline}
.qa-cards{margin-top:.5em;display:flex;flex-direction:column;gap:.35em}
.qa-cards-title{margin-top:.5em;font-size:.9em;color:var(--body-text-color-subdued)}
details.qa-card,.qa-src details{border:1px solid var(--border-color-primary);border-radius:8px;padding:.3em .6em;background:var(--background-fill-secondary)}
details.qa-card>summary,.qa-src summary{cursor:pointer;font-size:.88em;list-style-position:inside}
details.qa-card[open]{border-color:var(--color-accent)}
.qa-n{font-weight:700;color:var(--color-accent)}
.qa-path{color:var(--body-text-color-subdued)}
.qa-para{margin:.4em 0;font-size:.93em;line-height:1.75}
.qa-card-foot{font-size:.8em;color:var(--body-text-color-subdued)}
mark{background:#ffe58f;color:#1f1f1f;padding:0 .1em;border-radius:2px}
.qa-timings{margin-top:.45em;font-size:.75em;color:var(--body-text-color-subdued)}
.qa-refused .qa-refusal{font-weight:600;color:#b45309;background:#fff7ed;border:1px dashed #f59e0b;border-radius:8px;padding:.35em .6em;display:inline-block}
.qa-reason{margin:.3em 0;font-size:.92em;color:var(--body-text-color-subdued)}
.qa-notice{color:#1d4ed8;background:#eff6ff;border:1px solid #bfdbfe;border-radius:8px;padding:.35em .6em}
.qa-flash{animation:qa-flash 1.6s ease-out}
@keyframes qa-flash{0%{box-shadow:0 0 0 3px #f59e0b}100%{box-shadow:0 0 0 0 transparent}}
.qa-sources{font-size:.9em}
.qa-src-list{margin:.4em 0;display:flex;flex-direction:column;gap:.35em}
.qa-src-head{font-weight:600}
.qa-empty{color:var(--body-text-color-subdued);padding:1em 0}
.qa-rank{font-weight:700}
.qa-snippet{margin:.15em 0 .1em 1.1em;color:var(--body-text-color);font-size:.95em}
.qa-score{font-family:var(--font-mono);font-size:.9em}
.qa-badge{font-size:.8em;padding:0 .35em;border-radius:4px;background:var(--background-fill-primary);border:1px solid var(--border-color-primary)}
.qa-badge.qa-cited{background:#dcfce7;color:#166534;border-color:#86efac}
.qa-docs{max-width:52em;margin:0 auto;line-height:1.9}
.qa-doc h2{text-align:center;margin-bottom:0}
.qa-doc-name{text-align:center;font-size:.8em;color:var(--body-text-color-subdued)}
.qa-toc{font-size:.9em;border:1px solid var(--border-color-primary);border-radius:8px;padding:.4em 1em;margin:1em 0}
.qa-toc a{text-decoration:none}
.qa-p{text-indent:2em;margin:.5em 0}
.qa-chunk{border-radius:3px}
.qa-chunk.qa-flash{background:#fff3bf}
"""

# Runs once per page load: installs the styles and one delegated click handler. `[n]` markers open their
# card in the same message; "在原文中查看" switches to the 原文 tab and scrolls to the anchored paragraph.
JS = """
() => {
  if (window.__qaUi) return; window.__qaUi = true;
  const style = document.createElement('style'); style.textContent = %s; document.head.appendChild(style);
  const flash = (el) => { el.classList.remove('qa-flash'); void el.offsetWidth; el.classList.add('qa-flash'); };
  const openCard = (el) => { if (el.tagName === 'DETAILS') el.open = true;
    el.scrollIntoView({block: 'nearest'}); flash(el); };
  const gotoSource = (id) => {
    const tab = [...document.querySelectorAll('button[role="tab"]')].find(b => b.textContent.trim() === '原文');
    if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click();
    let tries = 0;
    const step = () => { const el = document.getElementById(id);
      if (el && el.offsetParent !== null) { el.scrollIntoView({block: 'center'}); flash(el); }
      else if (tries++ < 120) requestAnimationFrame(step); };
    step();
  };
  document.addEventListener('click', (ev) => {
    const a = ev.target.closest && ev.target.closest('a.qa-cite, a.qa-goto');
    if (!a) return;
    const id = (a.getAttribute('href') || '').slice(1);
    if (!id) return;
    ev.preventDefault(); ev.stopPropagation();
    if (a.classList.contains('qa-goto')) { gotoSource(id); return; }
    const el = document.getElementById(id); if (el) openCard(el);
  }, true);
}
""" % json.dumps(CSS)


# ---- pure functions (no Gradio state; tested directly) ----------------------------------------------

def respond(assistant: Any, question: str, messages: list | None, history: list[str] | None,
            top_k: float | None, mode: str | None, answerer: str | None = None,
            key: str | None = None) -> tuple[Any, list, list[str], Any]:
    """One chat turn → (textbox value, chat messages, previous questions, sources panel HTML).

    A QuestionError (empty / over-long question) becomes a notice in the chat; the text stays in the box
    so it can be fixed, and neither the history nor the sources panel changes.
    """
    messages, history, question = list(messages or []), list(history or []), question or ""
    try:
        answer = assistant.ask(question, history=history, top_k=int(top_k) if top_k else None, mode=mode or None,
                               answerer=answerer or None)
    except QuestionError as exc:
        if question.strip():
            messages.append({"role": "user", "content": render.user_message(question)})
        messages.append({"role": "assistant", "content": render.notice(str(exc))})
        return (question if question.strip() else ""), messages, history, gr.skip()
    key = key or uuid.uuid4().hex[:8]
    messages.append({"role": "user", "content": render.user_message(question)})
    messages.append({"role": "assistant", "content": render.answer_message(answer, question, key)})
    return "", messages, history + [question], render.sources_panel(answer)


def ask_json(assistant: Any, question: str, top_k: int = 5, history: list[str] | None = None,
             mode: str | None = None, answerer: str | None = None) -> dict:
    """The `ask` API endpoint: `answer.to_dict()`; a bad question or mode is reported as a gr.Error."""
    if mode and mode not in assistant.modes:
        raise gr.Error(f"未知的检索方式 {mode!r}，可选：{', '.join(assistant.modes)}")
    try:
        return assistant.ask(question, history=list(history or []), top_k=int(top_k) if top_k else None,
                             mode=mode or None, answerer=answerer or None).to_dict()
    except (QuestionError, KeyError) as exc:  # KeyError: an unknown answerer name
        raise gr.Error(str(exc)) from exc


def cleared() -> tuple[list, list[str], str, str]:
    return [], [], render.sources_placeholder(), ""


def _defaults(assistant: Any) -> tuple[int, str, str]:
    config = getattr(assistant, "config", None) or Config()
    mode = config.mode if config.mode in assistant.modes else assistant.modes[0]
    answerers = getattr(assistant, "answerers", (config.answerer,))
    return int(config.top_k), mode, config.answerer if config.answerer in answerers else answerers[0]


# ---- the Blocks ----------------------------------------------------------------------------------------

def build_ui(assistant: Any) -> gr.Blocks:
    top_k_default, mode_default, answerer_default = _defaults(assistant)
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        history = gr.State([])
        gr.HTML(f"<h1 style='margin:.2em 0'>{render.esc(TITLE)}</h1><div class='qa-empty' style='padding:0'>"
                "回答只依据报告原文；每个回答都带有可点击的引用 [n]，点开即可看到原文段落与高亮的依据。</div>",
                js_on_load=None)
        with gr.Tabs():
            with gr.Tab("问答", id="chat"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=420):
                        chatbot = gr.Chatbot(label="对话", elem_id="qa-chat", height=560, latex_delimiters=[],
                                             feedback_options=None, buttons=[], resizable=True,
                                             placeholder="请就报告内容提问，或点击下方的示例问题。")
                        with gr.Row():
                            question = gr.Textbox(label="问题", show_label=False, elem_id="qa-question", scale=6, max_lines=4,
                                                  placeholder="输入问题，例如：2025年地区生产总值增长多少？（回车提交）")
                            send = gr.Button("提问", variant="primary", elem_id="qa-send", scale=1, min_width=80)
                        gr.Markdown("示例问题（点击即问）：", elem_classes="qa-examples-label")
                        with gr.Row(elem_id="qa-examples"):
                            example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
                        with gr.Row():
                            clear = gr.Button("清空对话", size="sm", elem_id="qa-clear")
                        with gr.Accordion("设置", open=False):
                            top_k = gr.Slider(1, 20, value=top_k_default, step=1, label="检索段落数（top-k）")
                            mode = gr.Radio([(MODE_LABELS.get(m, m), m) for m in assistant.modes],
                                            value=mode_default, label="检索方式")
                            answerer = gr.Radio([(ANSWERER_LABELS.get(a, a), a) for a in getattr(assistant, "answerers", (answerer_default,))],
                                                value=answerer_default, label="回答方式")
                    with gr.Column(scale=2, min_width=320):
                        gr.Markdown("### 检索来源（最近一次回答）")
                        sources = gr.HTML(render.sources_placeholder(), label="检索来源", elem_id="qa-sources",
                                          js_on_load=None)
            with gr.Tab("原文", id="source"):
                gr.HTML(render.documents(assistant.chunks, assistant.documents), elem_id="qa-docs",
                        js_on_load=None)

        turn_in, turn_out = [question, chatbot, history, top_k, mode, answerer], [question, chatbot, history, sources]

        def chat(question, messages, history, top_k, mode, answerer):
            return respond(assistant, question, messages, history, top_k, mode, answerer)

        busy = {"concurrency_id": "qa", "concurrency_limit": CONCURRENCY}  # ask() is thread-safe
        question.submit(chat, turn_in, turn_out, api_name="chat", **busy)
        send.click(chat, turn_in, turn_out, api_visibility="private", **busy)
        for btn, q in zip(example_buttons, EXAMPLES):
            btn.click(lambda msgs, hist, k, m, a, q=q: respond(assistant, q, msgs, hist, k, m, a),
                      turn_in[1:], turn_out, api_visibility="private", **busy)
        clear.click(cleared, None, [chatbot, history, sources, question], api_visibility="private")
        chatbot.clear(lambda: cleared()[1:3], None, [history, sources], api_visibility="private")

        def ask(question: str, top_k: int = 5, history: list[str] | None = None, mode: str | None = None,
                answerer: str | None = None) -> dict:
            """Answer one question: the JSON of `qa ask --json` (answer, citations with evidence, retrieved)."""
            return ask_json(assistant, question, top_k, history, mode, answerer)

        gr.api(ask, api_name="ask", **busy)
        demo.load(None, None, None, js=JS, api_visibility="private")
    return demo


def _parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=f"{TITLE}：网页界面")
    parser.add_argument("--host", default=os.environ.get("QA_HOST", DEFAULT_HOST), help="address to serve on")
    parser.add_argument("--port", type=int, default=int(os.environ.get("QA_PORT", DEFAULT_PORT)), help="port")
    return parser.parse_args(argv)


if __name__ == "__main__":
    args = _parse_args()
    app_assistant = Assistant.load(Config.from_env(), progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    build_ui(app_assistant).launch(server_name=args.host, server_port=args.port, footer_links=["api"])
