"""Web UI for the government-work-report assistant (Gradio).

    python ui.py [--host 127.0.0.1] [--port 7860] [--auth user:password] [--debug] [--concurrency N]
    # env QA_HOST, QA_PORT, QA_AUTH, QA_DEBUG=1, QA_CONCURRENCY too

`build_ui(assistant)` returns the Blocks; callbacks are thin wrappers over the pure functions below,
and all HTML comes from `qa.render` (which escapes everything from users and documents). Chat state
lives in the session (the Chatbot value, a gr.State of previous questions and one of the answers shown,
for feedback); the one Assistant is shared by all sessions and is thread-safe, so the API and the chat
are served `concurrency` at a time.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

import gradio as gr

from qa import Assistant, Config, QAError, QuestionError
from qa import feedback as fb
from qa import render
from qa.config import PROJECT_ROOT
from qa.validation import check_top_k

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
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Questions answered at once (the chat and the API share the slots). ask() is thread-safe and locks only
# the embedder call; measured with `python -m qa.loadtest` (README), more slots than this add latency only.
CONCURRENCY = int(os.environ.get("QA_CONCURRENCY", "") or 16)
QUEUE_MAX = 1000  # events waiting at once; beyond that a client is told the queue is full
MAX_MESSAGES = 200  # chat messages kept per session (the oldest go first)
MAX_ANSWERS_KEPT = 100  # answers per session that can still receive feedback
SETS_DIR = PROJECT_ROOT / "eval" / "sets"
UPLOAD = "（上传题集）"
NON_CHINESE_HINT = ("本系统回答关于中文政府工作报告的问题，请用中文提问，例如：“2025年地区生产总值增长多少？”"
                    "（Questions are expected in Chinese.）")
NO_ANSWER_IN_ENGLISH = "没有找到与这个问题对应的内容。"

CSS = """
#qa-chat .qa-q{white-space:pre-wrap;word-break:break-word}
.qa-header h1{margin:.1em 0 .15em;font-size:1.6em}
.qa-reports{font-size:1.05em;font-weight:600;color:var(--body-text-color)}
.qa-reports ul{margin:.2em 0 0 1.2em;padding:0;font-weight:400}
.qa-sub{font-size:.88em;color:var(--body-text-color-subdued);margin-top:.2em}
.qa-a{line-height:1.7}
.qa-text{font-size:1.02em}
.qa-understood{font-size:.88em;color:var(--body-text-color-subdued);margin-bottom:.3em}
.qa-note{font-size:.88em;color:#92400e;margin-bottom:.3em}
details.qa-dropped{font-size:.82em;color:var(--body-text-color-subdued);margin-top:.3em}
details.qa-dropped>summary{cursor:pointer}
.qa-derivation{font-size:.88em;color:var(--body-text-color-subdued);margin-top:.2em}
a.qa-cite{display:inline-block;padding:0 .2em;margin:0 .05em;border-radius:4px;font-size:.85em;font-weight:600;
  text-decoration:none;color:var(--color-accent);background:var(--color-accent-soft);cursor:pointer;vertical-align:super;line-height:1.2}
a.qa-cite:hover{text-decoration:underline}
.qa-cards{margin-top:.5em;display:flex;flex-direction:column;gap:.35em}
.qa-cards-title{margin-top:.5em;font-size:.9em;color:var(--body-text-color-subdued)}
details.qa-card,.qa-src details,details.qa-fail{border:1px solid var(--border-color-primary);border-radius:8px;padding:.3em .6em;background:var(--background-fill-secondary)}
details.qa-card>summary,.qa-src summary,details.qa-fail>summary{cursor:pointer;font-size:.88em;list-style-position:inside}
details.qa-card[open]{border-color:var(--color-accent)}
.qa-src details[open]>summary .qa-snippet{display:none}
.qa-n{font-weight:700;color:var(--color-accent)}
.qa-path{color:var(--body-text-color-subdued)}
.qa-para{margin:.4em 0;font-size:.93em;line-height:1.75}
.qa-card-foot{font-size:.8em;color:var(--body-text-color-subdued)}
mark{background:#ffe58f;color:#1f1f1f;padding:0 .1em;border-radius:2px}
body:not(.qa-details) .qa-detail{display:none !important}
.qa-timings{margin-top:.45em;font-size:.75em;color:var(--body-text-color-subdued)}
.qa-tools{margin-top:.4em}
button.qa-copy{font-size:.78em;padding:.1em .6em;border-radius:6px;border:1px solid var(--border-color-primary);
  background:var(--background-fill-primary);color:var(--body-text-color-subdued);cursor:pointer}
button.qa-copy:hover{color:var(--color-accent);border-color:var(--color-accent)}
.qa-refused .qa-refusal{font-weight:600;color:#b45309;background:#fff7ed;border:1px dashed #f59e0b;border-radius:8px;padding:.35em .6em;display:inline-block}
.qa-reason{margin:.3em 0;font-size:.92em;color:var(--body-text-color-subdued)}
/* a notice is the UI talking, not an answer: no 👍/👎 under it */
#qa-chat .message-row:has(.qa-notice) + .message-buttons{display:none}
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
span.qa-chunk.qa-flash{background:#fff3bf}
mark.qa-ev{background:#ffd666;box-shadow:0 0 0 2px #faad14}
#qa-back{position:fixed;left:50%;bottom:1.2em;transform:translateX(-50%);z-index:1000;display:none;
  padding:.45em 1.1em;border-radius:999px;background:var(--color-accent);color:#fff;font-weight:600;text-decoration:none;
  box-shadow:0 4px 14px rgba(0,0,0,.25)}
body.qa-back-on #qa-back{display:inline-block}
.qa-fb-title{font-weight:600}
.qa-fb-q{font-weight:400;color:var(--body-text-color-subdued)}
.qa-fb-help{font-size:.85em;color:var(--body-text-color-subdued)}
.qa-fb-done{color:#166534;background:#f0fdf4;border:1px solid #86efac;border-radius:8px;padding:.3em .6em}
table.qa-metrics{border-collapse:collapse;font-size:.92em;min-width:18em}
table.qa-metrics th,table.qa-metrics td{padding:.2em .7em;border-bottom:1px solid var(--border-color-primary);text-align:left}
table.qa-metrics td.qa-num{text-align:right;font-family:var(--font-mono)}
.qa-eval-fails{display:flex;flex-direction:column;gap:.35em;font-size:.92em}
details.qa-fail dl{margin:.3em 0;display:grid;grid-template-columns:auto 1fr;gap:.15em .8em}
details.qa-fail dt{color:var(--body-text-color-subdued)}
details.qa-fail dd{margin:0}
.qa-fail-why{color:#b45309}
pre.qa-compare{font-size:.8em;white-space:pre-wrap}
@media (max-width: 640px){.qa-header h1{font-size:1.3em}.qa-reports{font-size:.95em}}
"""

# Runs once per page load with the initial value of "显示检索细节": installs the styles and one delegated
# click handler. `[n]` markers open their card in the same message; "在原文中查看" switches to the 原文
# tab, marks exactly the citation's evidence span inside the paragraph (the card's own <mark> says which
# characters), scrolls to it and shows "返回对话", which goes back to the card it came from.
JS = """
(details) => {
  document.body.classList.toggle('qa-details', !!details);
  if (window.__qaUi) return; window.__qaUi = true;
  const style = document.createElement('style'); style.textContent = %s; document.head.appendChild(style);
  const back = document.createElement('a'); back.id = 'qa-back'; back.href = '#'; back.textContent = '← 返回对话';
  document.body.appendChild(back);
  let origin = null, restore = null;
  const flash = (el) => { el.classList.remove('qa-flash'); void el.offsetWidth; el.classList.add('qa-flash'); };
  const openCard = (el) => { if (el.tagName === 'DETAILS') el.open = true;
    el.scrollIntoView({block: 'nearest'}); flash(el); };
  const tabButton = (name) => [...document.querySelectorAll('button[role="tab"]')].find(b => b.textContent.trim() === name);
  const showTab = (name) => { const tab = tabButton(name);
    if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click(); };
  const whenVisible = (find, then) => { let tries = 0;
    const step = () => { const el = find();
      if (el && el.offsetParent !== null) then(el); else if (tries++ < 180) requestAnimationFrame(step); };
    step(); };
  // Evidence offsets inside the paragraph, read from the <mark> the card (or source row) already shows.
  const evidenceOf = (link) => {
    const box = link.closest('details'); const para = box && box.querySelector('.qa-para');
    const m = para && para.querySelector('mark'); if (!m) return null;
    const r = document.createRange(); r.setStart(para, 0); r.setEnd(m, 0);
    const start = r.toString().length; return [start, start + m.textContent.length];
  };
  const markSpan = (el, start, end) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let pos = 0, s = null, so = 0, e = null, eo = 0, n;
    while ((n = walker.nextNode())) { const len = n.nodeValue.length;
      if (!s && start < pos + len) { s = n; so = start - pos; }
      if (s && end <= pos + len) { e = n; eo = end - pos; break; }
      pos += len; }
    if (!s || !e) return null;
    const r = document.createRange(); r.setStart(s, so); r.setEnd(e, eo);
    const mark = document.createElement('mark'); mark.className = 'qa-ev'; mark.appendChild(r.extractContents());
    r.insertNode(mark); return mark;
  };
  const gotoSource = (id, link) => {
    const fromChat = !link.closest('#qa-docs');
    const ev = fromChat ? evidenceOf(link) : null;
    if (fromChat) { origin = (link.closest('details[id]') || link.closest('[id^="a-"]') || link.closest('.qa-src'));
      if (origin && !origin.id) origin.id = 'qa-origin-' + Date.now(); }
    showTab('原文');
    whenVisible(() => document.getElementById(id), (el) => {
      if (restore) { restore.el.innerHTML = restore.html; restore = null; }
      let target = el;
      if (ev) { const html = el.innerHTML; const mark = markSpan(el, ev[0], ev[1]);
        if (mark) { restore = {el, html}; target = mark; } }
      target.scrollIntoView({block: 'center'}); flash(target);
      document.body.classList.toggle('qa-back-on', fromChat && !!origin);
    });
  };
  const backToChat = () => {
    document.body.classList.remove('qa-back-on');
    const id = origin && origin.id; showTab('问答');
    if (!id) return;
    whenVisible(() => document.getElementById(id), (el) => {
      if (el.tagName === 'DETAILS') el.open = true;
      // the chatbot may scroll itself once it is shown again: place the answer after it settles
      el.scrollIntoView({block: 'center'}); flash(el);
      setTimeout(() => el.scrollIntoView({block: 'center'}), 250);
    });
  };
  const copyText = (answer) => {
    const lines = [(answer.querySelector('.qa-text') || answer).innerText.trim()];
    answer.querySelectorAll('details.qa-card').forEach((card) => {
      const n = card.querySelector('.qa-n'), path = card.querySelector('.qa-path'), m = card.querySelector('.qa-para mark');
      const para = card.querySelector('.qa-para'), doc = card.querySelector('.qa-doc');
      lines.push(`${n ? n.textContent : ''} ${path ? path.textContent : ''}（${doc ? doc.textContent.replace(/^文档：/, '') : ''}）：「${(m || para).textContent}」`);
    });
    return lines.join('\\n');
  };
  const copy = async (button) => {
    const answer = button.closest('.qa-a'); if (!answer) return;
    const text = copyText(answer); let ok = false;
    try { if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); ok = true; } } catch (e) {}
    if (!ok) { const ta = document.createElement('textarea'); ta.value = text; ta.style.position = 'fixed'; ta.style.opacity = '0';
      document.body.appendChild(ta); ta.select(); try { ok = document.execCommand('copy'); } catch (e) {} ta.remove(); }
    button.textContent = ok ? '已复制 ✓' : '复制失败'; setTimeout(() => { button.textContent = '复制回答'; }, 1500);
  };
  document.addEventListener('click', (ev) => {
    const t = ev.target.closest ? ev.target : null; if (!t) return;
    if (t.closest('#qa-back')) { ev.preventDefault(); backToChat(); return; }
    const button = t.closest('button.qa-copy');
    if (button) { ev.preventDefault(); ev.stopPropagation(); copy(button); return; }
    const a = t.closest('a.qa-cite, a.qa-goto');
    if (!a) return;
    const id = (a.getAttribute('href') || '').slice(1);
    if (!id) return;
    ev.preventDefault(); ev.stopPropagation();
    if (a.classList.contains('qa-goto')) { gotoSource(id, a); return; }
    const el = document.getElementById(id); if (el) openCard(el);
  }, true);
  // leaving the 原文 tab by its own button hides "返回对话"
  document.addEventListener('click', (ev) => { const b = ev.target.closest && ev.target.closest('button[role="tab"]');
    if (b && b.textContent.trim() !== '原文') document.body.classList.remove('qa-back-on'); });
}
""" % json.dumps(CSS)

DETAILS_JS = "(v) => { document.body.classList.toggle('qa-details', !!v); }"


# ---- pure functions (no Gradio state; tested directly) ----------------------------------------------

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def is_non_chinese(question: str) -> bool:
    """A question written without Chinese characters but with Latin letters (English, pinyin, …)."""
    q = question or ""
    return not _HAN.search(q) and len(_LATIN.findall(q)) >= 2


def documents_of(assistant: Any) -> dict[str, Any]:
    index = getattr(assistant, "index", None)
    return dict(getattr(index, "documents", None) or {})


def report_choices(assistant: Any) -> list[tuple[str, str]]:
    """(label, document name) of every loaded report, labelled by place, level and year."""
    return [(render.report_label(doc, name), name) for name, doc in documents_of(assistant).items()]


def scope_docs(scope: str | None) -> list[str] | None:
    """The selector's value as `docs=` for ask: one report, or None for all."""
    return [scope] if scope else None


def trim_history(assistant: Any, history: list[str]) -> list[str]:
    """The last questions within the library's follow-up limits (turns and characters)."""
    config = getattr(assistant, "config", None) or Config()
    turns, chars = getattr(config, "max_history_turns", 8), getattr(config, "max_history_chars", 2000)
    kept: list[str] = []
    total = 0
    for q in reversed([h for h in history if isinstance(h, str) and h.strip()][-turns:] if turns else []):
        if total + len(q) > chars:
            break
        kept.insert(0, q)
        total += len(q)
    return kept


def answer_record(answer: Any) -> dict[str, Any]:
    """What feedback needs to know about an answer shown in the chat."""
    return {"question": answer.question, "shown": answer.text, "refused": bool(answer.refused),
            "cited": [c.chunk.id for c in answer.citations], "evidence": [c.evidence_text for c in answer.citations]}


def _top_k(assistant: Any, top_k: Any) -> int | None:
    """top_k checked before any work: a whole number from 1 to Config.max_top_k (QuestionError otherwise)."""
    if top_k is None or top_k == "":
        return None
    config = getattr(assistant, "config", None) or Config()
    return check_top_k(top_k, int(getattr(config, "max_top_k", 20)))


def _ask_kwargs(top_k: Any, mode: str | None, style: str | None, answerer: str | None, docs: list[str] | None,
                reranker: str | None = None) -> dict:
    kwargs: dict[str, Any] = {"top_k": top_k, "mode": mode or None}
    if reranker:
        kwargs["reranker"] = reranker
    if style:
        kwargs["style"] = style
    if answerer:
        kwargs["answerer"] = answerer
    if docs:
        kwargs["docs"] = docs
    return kwargs


def respond_streaming(assistant: Any, question: str, messages: list | None, *args: Any, **kwargs: Any):
    """`respond`, yielding a generative answerer's unchecked draft into the chat as it is written, then the
    checked answer (which replaces the draft). The extractive answerer yields its answer once."""
    drafts: queue.Queue = queue.Queue()

    def ask(q: str, history: list[str] | None = None, **options: Any) -> Any:
        for kind, value in assistant.ask_stream(q, history=history, **options):
            if kind == "token":
                drafts.put(value)
            else:
                return value

    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["turn"] = respond(assistant, question, messages, *args, ask=ask, **kwargs)
        except BaseException as exc:  # raised again in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="qa-chat-turn", daemon=True)
    worker.start()
    shown = list(messages or [])[-MAX_MESSAGES:] + [{"role": "user", "content": render.user_message(question or "")}]
    text = ""
    while worker.is_alive() or not drafts.empty():
        try:
            text += drafts.get(timeout=0.1)
        except queue.Empty:
            continue
        yield gr.skip(), shown + [{"role": "assistant", "content": render.draft(text)}], gr.skip(), gr.skip(), gr.skip()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    yield outcome["turn"]


def respond(assistant: Any, question: str, messages: list | None, history: list[str] | None,
            top_k: float | None, mode: str | None, style: str | None = None, answerer: str | None = None,
            scope: str | None = None, answers: dict | None = None, key: str | None = None,
            labels: dict[str, str] | None = None, ask: Any = None,
            reranker: str | None = None) -> tuple[Any, list, list[str], Any, dict]:
    """One chat turn → (textbox value, chat messages, previous questions, sources panel HTML, answers shown).

    A QuestionError (empty / over-long question, too much history) becomes a notice of its own in the
    chat; the text stays in the box so it can be fixed, and neither the history nor the sources panel
    changes. A question without Chinese gets a notice that questions are expected in Chinese, followed
    by the answer when one is found.
    """
    messages = list(messages or [])[-MAX_MESSAGES:]
    history, question, answers = trim_history(assistant, list(history or [])), question or "", dict(answers or {})
    try:
        answer = (ask or assistant.ask)(question, history=history,
                                        **_ask_kwargs(_top_k(assistant, top_k), mode, style, answerer, scope_docs(scope),
                                                      reranker))
    except QuestionError as exc:
        if question.strip():
            messages.append({"role": "user", "content": render.user_message(question)})
        messages.append({"role": "assistant", "content": render.notice(str(exc))})
        return (question if question.strip() else ""), messages, history, gr.skip(), answers
    except QAError as exc:  # an unknown style, answerer or report: a notice too, not a crash
        messages.append({"role": "assistant", "content": render.notice(str(exc))})
        return question, messages, history, gr.skip(), answers
    key = key or uuid.uuid4().hex[:8]
    messages.append({"role": "user", "content": render.user_message(question)})
    if is_non_chinese(question):
        messages.append({"role": "assistant", "content": render.notice(NON_CHINESE_HINT)})
        if answer.refused:
            return "", messages, history, render.sources_panel(answer, labels), answers
    messages.append({"role": "assistant", "content": render.answer_message(answer, question, key, labels)})
    answers[key] = answer_record(answer)
    if len(answers) > MAX_ANSWERS_KEPT:
        answers = dict(list(answers.items())[-MAX_ANSWERS_KEPT:])
    return "", messages, trim_history(assistant, history + [question]), render.sources_panel(answer, labels), answers


def ask_json(assistant: Any, question: str, top_k: int = 5, history: list[str] | None = None,
             mode: str | None = None, answerer: str | None = None, style: str | None = None,
             docs: list[str] | None = None, reranker: str | None = None) -> dict:
    """The `ask` API endpoint: `answer.to_dict()`; a bad question, mode, style or report is a gr.Error."""
    if mode and mode not in assistant.modes:
        raise gr.Error(f"未知的检索方式 {mode!r}，可选：{', '.join(assistant.modes)}")
    if history is not None and not (isinstance(history, list) and all(isinstance(h, str) for h in history)):
        raise gr.Error("history 必须是之前问题的列表")
    if docs is not None and not (isinstance(docs, list) and all(isinstance(d, str) for d in docs)):
        raise gr.Error("docs 必须是报告名称的列表")
    known = documents_of(assistant)
    unknown = [d for d in docs or [] if known and d not in known]
    if unknown:
        raise gr.Error(f"未知的报告 {', '.join(map(repr, unknown))}，可选：{', '.join(known)}")
    try:
        return assistant.ask(question, history=list(history or []),
                             **_ask_kwargs(_top_k(assistant, top_k), mode, style, answerer, docs or None,
                                           reranker)).to_dict()
    except (QAError, KeyError) as exc:  # QuestionError, an unknown answerer or style
        raise gr.Error(str(exc)) from exc


def record_feedback(assistant: Any, record: dict[str, Any]) -> dict[str, Any]:
    """Append one feedback record to the configured file (a gr.Error when it cannot be kept)."""
    config = getattr(assistant, "config", None) or Config()
    path = getattr(config, "feedback_path", Config().feedback_path)
    try:
        fb.append(path, record, getattr(config, "feedback_max_bytes", fb.DEFAULT_MAX_BYTES))
    except (fb.FeedbackError, OSError) as exc:
        raise gr.Error(f"反馈未能保存：{exc}") from exc
    return record


def feedback_json(assistant: Any, answer: dict, verdict: str, correction: str = "", not_in_report: bool = False,
                  confirmed: bool = False) -> dict:
    """The `feedback` API endpoint: a 👍 ("up") or 👎 ("down") on an answer of the `ask` endpoint."""
    try:
        record = fb.record_from_answer(answer, verdict, correction or "", bool(not_in_report), bool(confirmed))
    except fb.FeedbackError as exc:
        raise gr.Error(str(exc)) from exc
    return record_feedback(assistant, record)


def cleared() -> tuple[list, list[str], str, str, dict]:
    return [], [], render.sources_placeholder(), "", {}


def _defaults(assistant: Any) -> tuple[int, str, str | None]:
    config = getattr(assistant, "config", None) or Config()
    mode = config.mode if config.mode in assistant.modes else assistant.modes[0]
    styles = tuple(getattr(assistant, "styles", ()) or ())
    style = getattr(config, "answer_style", None)
    return int(config.top_k), mode, (style if style in styles else (styles[0] if styles else None))


# ---- the 评测 tab -----------------------------------------------------------------------------------------

_eval_dirs: deque[str] = deque()
_eval_dirs_lock = threading.Lock()
EVAL_DIRS_KEPT = 20  # run folders kept on disk (older ones are deleted)


def _size(n: int) -> str:
    return f"{n / 1_000_000:g} MB" if n >= 1_000_000 else f"{n / 1000:g} KB"


def eval_sets(sets_dir: Path = SETS_DIR) -> list[str]:
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
        "summary": render.eval_summary(metrics, shown_name, split or "all", skipped)
        + f'<div class="qa-empty" style="padding:0">用时 {time.perf_counter() - started:.1f} 秒；报告文件见页面底部。</div>',
        "metrics_html": render.eval_metrics(metrics, eval_report.HEADLINE, metric_value),
        "chart": str(written["by_type.png"]),
        "failures_html": render.eval_failures(results),
        "files": [str(written[n]) for n in ("report.md", "metrics.json", "results.jsonl")],
        "comparison_html": render.comparison(comparison),
        "dir": out,
        "metrics": metrics,
    }


# ---- the Blocks ----------------------------------------------------------------------------------------

def build_ui(assistant: Any, debug: bool = False) -> gr.Blocks:
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
            gr.HTML(render.header(TITLE, [label for label, _ in reports]), elem_id="qa-header", scale=4, min_width=360,
                    js_on_load=None)
            scope = gr.Dropdown([(render.ALL_REPORTS, "")] + reports, value="", label="报告范围", elem_id="qa-scope",
                                visible=len(reports) > 1, scale=1, min_width=220, interactive=True)
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
                gr.HTML(render.documents(assistant.chunks, assistant.documents), elem_id="qa-docs", js_on_load=None)
            with gr.Tab("评测", id="eval"):
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
        def on_like(answers, data: gr.LikeData):
            key = render.answer_key(data.value if not isinstance(data.value, dict) else data.value.get("value"))
            if data.liked not in (True, False) or key is None or key not in (answers or {}):
                reason = "" if data.liked not in (True, False) else render.notice("这条消息是提示，不是回答，无法评价。")
                return gr.update(visible=False), None, "", "", False, False, reason
            verdict = "up" if data.liked is True else "down"
            return (gr.update(visible=True), {"key": key, "verdict": verdict},
                    render.feedback_prompt(answers[key]["question"], verdict), "", False, verdict == "up", "")

        chatbot.like(on_like, [answers], [fb_box, pending, fb_title, fb_correction, fb_lacking, fb_confirm, fb_status],
                     api_visibility="private")

        def on_submit(pending, answers, correction, lacking, confirm):
            if not pending or pending.get("key") not in (answers or {}):
                raise gr.Error("请先在回答下方点 👍 或 👎")
            shown = answers[pending["key"]]
            try:
                record = fb.make_record(shown["question"], shown["shown"], pending["verdict"], shown["cited"],
                                        shown["evidence"], correction, shown["refused"], lacking, confirm)
            except fb.FeedbackError as exc:
                raise gr.Error(str(exc)) from exc
            record_feedback(assistant, record)
            return gr.update(visible=False), None, render.feedback_done(record["id"])

        fb_submit.click(on_submit, [pending, answers, fb_correction, fb_lacking, fb_confirm], [fb_box, pending, fb_status],
                        api_visibility="private")
        fb_cancel.click(lambda: hide_feedback, None, [fb_box, pending, fb_status], api_visibility="private")

        # ---- API
        def ask(question: str, top_k: int = 5, history: list[str] | None = None, mode: str | None = None,
                answerer: str | None = None, style: str | None = None, docs: list[str] | None = None,
                reranker: str | None = None) -> dict:
            """Answer one question: the JSON of `qa ask --json` (answer, answer_parts, citations with evidence, retrieved).
            docs: names of the reports to search (None = all); reranker: window, none or (when configured) cross-encoder."""
            return ask_json(assistant, question, top_k, history, mode, answerer, style, docs, reranker)

        def feedback(answer: dict, verdict: str, correction: str = "", not_in_report: bool = False,
                     confirmed: bool = False) -> dict:
            """Record a 👍 (verdict "up") or 👎 ("down") on an answer returned by `ask`, with an optional
            correction; returns the QA-set line appended to the feedback file."""
            return feedback_json(assistant, answer, verdict, correction, not_in_report, confirmed)

        gr.api(ask, api_name="ask", **busy)
        gr.api(feedback, api_name="feedback", concurrency_limit=4)

        # ---- 评测
        def evaluate(set_name, upload, split, limit, k, compare, previous, progress=gr.Progress()):
            out = run_evaluation(assistant, set_name, upload, split, limit, k, previous, compare, progress)
            return (out["summary"], out["metrics_html"], out["chart"], out["comparison_html"], out["failures_html"],
                    out["files"], out["dir"])

        eval_upload.upload(lambda: UPLOAD, None, eval_set, api_visibility="private")
        eval_run.click(evaluate, [eval_set, eval_upload, eval_split, eval_limit, eval_top_k, eval_compare, last_run],
                       [eval_summary, eval_metrics, eval_chart, eval_compare_out, eval_failures, eval_files, last_run],
                       api_visibility="private", concurrency_id="eval", concurrency_limit=1)

        demo.load(None, details, None, js=JS, api_visibility="private")
    return demo


# ---- command line ---------------------------------------------------------------------------------------

def host_warning(host: str) -> str | None:
    """A warning for an address reachable from other machines."""
    if host in LOCAL_HOSTS:
        return None
    return (f"warning: serving on {host}, reachable from other machines; anyone who can reach it can ask "
            "questions and send feedback. Use --auth user:password (or QA_AUTH) and a TLS proxy in front.")


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """"user:password" → (user, password); the password may contain ':'; None when not set."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user.strip() or not password:
        raise ValueError("--auth / QA_AUTH must be user:password (both non-empty)")
    return user.strip(), password


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
    demo = build_ui(app_assistant, debug=args.debug)
    demo.queue(max_size=QUEUE_MAX, default_concurrency_limit=CONCURRENCY)
    demo.launch(server_name=args.host, server_port=args.port, footer_links=["api"], auth=auth,
                auth_message=f"{TITLE}：请登录" if auth else None,
                max_file_size=getattr(config, "eval_upload_max_bytes", 2_000_000), max_threads=max(40, CONCURRENCY + 8))


if __name__ == "__main__":
    main()
