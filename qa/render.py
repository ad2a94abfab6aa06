"""HTML of the chat: answers with clickable citations, the user's questions, notices, the streamed draft,
the sources panel and the feedback form's texts. Built from qa.markup's pieces (see there why everything
is escaped and kept on one line).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from .answerers import REFUSAL as REFUSAL_TEXT
from .markup import anchor_id, dom_id, esc, marked
# The 原文 tab and the header have modules of their own; `qa.render` names them too, for the code (the UI's
# tests) that reads every part of the page's HTML from it.
from .render_documents import documents  # noqa: F401
from .render_header import header, report_label  # noqa: F401

NEAREST_SHOWN = 3  # passages shown under a refusal

# Timing stages in Chinese; an unknown one is shown by its own (escaped) name.
STAGE_LABELS = {
    "prepare": "预处理",
    "bm25": "关键词检索",
    "dense": "向量检索",
    "rerank": "重排",
    "answer": "作答",
    "total": "合计",
}

# Per-retriever ranks (Hit.ranks) in Chinese; other names are shown as they are.
RANK_LABELS = {"bm25": "BM25", "dense": "向量", "fused": "融合", "rerank": "重排"}

_CITE = re.compile(r"\[(\d{1,3})\]")
_TRAILING = "？?。.!！ "


def card_id(key: str, n: int) -> str:
    """The id of citation card [n] of the answer rendered with `key` (unique per message)."""
    return dom_id("c-", f"{key}-{n}")


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).rstrip(_TRAILING)


def differs(typed: str, understood: str) -> bool:
    """Whether the understood question is worth showing (more than width/space/punctuation changes)."""
    return bool(understood) and _fold(typed) != _fold(understood)


def user_message(question: str, limit: int = 300) -> str:
    shown = question if len(question) <= limit else question[:limit] + f"…（共 {len(question)} 字）"
    return f'<div class="qa-q">{esc(shown)}</div>'


def draft(text: str) -> str:
    """A generative answer as it is being written: unchecked, shown as such until the checked answer replaces it."""
    return f'<div class="qa-a qa-draft"><div class="qa-understood">生成中（尚未核对）…</div>{esc(text)}</div>'


def notice(message: str) -> str:
    """A message from the UI itself (empty or over-long question), not an answer."""
    return f'<div class="qa-a qa-notice"><span class="qa-notice-icon">ⓘ</span> {esc(message)}</div>'


def _score(score: float) -> str:
    return f"{score:.3f}"


def _goto(chunk_id: str) -> str:
    return f'<a class="qa-goto" href="#{anchor_id(chunk_id)}">在原文中查看 ›</a>'


def _detail(html: str) -> str:
    """Retrieval details (scores, ranks, timings): shown only with "显示检索细节" (the body class qa-details)."""
    return f'<span class="qa-detail">{html}</span>' if html else ""


def ranks(hit: Any) -> str:
    """"BM25 第1 · 向量 第4 · window 1.210": the per-retriever ranks and later stages' raw scores of a hit."""
    parts = [f"{esc(RANK_LABELS.get(k, k))} 第{int(v)}" for k, v in (getattr(hit, "ranks", None) or {}).items()]
    parts += [f"{esc(k)} {_score(v)}" for k, v in (getattr(hit, "scores", None) or {}).items()]
    return " · ".join(parts)


def _doc(name: str, labels: Mapping[str, str] | None) -> str:
    """The document of a passage: its report label ("洛阳市偃师区 · 2026年政府工作报告") when known, else its name."""
    label = (labels or {}).get(name)
    if not label:
        return f'<span class="qa-doc">文档：{esc(name)}</span>'
    return f'<span class="qa-doc" title="{esc(name)}">文档：{esc(label)}</span>'


def _card(cid: str, label: str, chunk: Any, body: str, score: float | None, open_: bool = False,
          labels: Mapping[str, str] | None = None) -> str:
    path = esc(chunk.section_path) or "（无章节）"
    score_html = _detail(f" · 相关度 {_score(score)}") if score is not None else ""
    return (
        f'<details class="qa-card" id="{cid}"{" open" if open_ else ""}>'
        f'<summary><span class="qa-n">{label}</span> <span class="qa-path">{path}</span></summary>'
        f'<div class="qa-para">{body}</div>'
        f'<div class="qa-card-foot">{_doc(chunk.doc, labels)}'
        f" · 第 {esc(chunk.paragraph)} 段{score_html} · {_goto(chunk.id)}</div>"
        "</details>"
    )


def timings(timings_ms: Mapping[str, float]) -> str:
    if not timings_ms:
        return ""
    parts = [f"{esc(STAGE_LABELS.get(k, k))} {v:.0f} ms" for k, v in timings_ms.items()]
    return f'<div class="qa-timings qa-detail">耗时：{" · ".join(parts)}</div>'


def answer_dom_id(key: str) -> str:
    """The id of the outer element of the answer rendered with `key` (feedback and "返回对话" find it)."""
    return dom_id("a-", key)


def answer_key(message_html: Any) -> str | None:
    """The key an answer message was rendered with (from its outer element's id), or None for a notice."""
    m = re.search(r'id="a-([A-Za-z0-9-]+)"', str(message_html or ""))
    return m.group(1) if m else None


def answer_text(text: str, key: str, known: Iterable[int]) -> str:
    """Escaped answer text whose [n] markers (for known citation numbers) link to their cards."""
    known = set(known)

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        return f'<a class="qa-cite" href="#{card_id(key, n)}" title="查看引用 [{n}]">[{n}]</a>'

    return _CITE.sub(link, esc(text))


def answer_message(answer: Any, typed: str, key: str, labels: Mapping[str, str] | None = None) -> str:
    """One assistant message: answer with [n] links, a card per citation, a copy button, timings; or a refusal."""
    parts: list[str] = []
    if differs(typed, answer.understood_as):
        parts.append(f'<div class="qa-understood">理解为：{esc(answer.understood_as)}</div>')
    note = getattr(answer, "note", "")
    if note:
        parts.append(f'<div class="qa-note">ⓘ {esc(note)}</div>')
    if answer.refused:
        parts.append(f'<div class="qa-refusal">⚠ {esc(answer.text or REFUSAL_TEXT)}</div>')
        reason = getattr(answer, "refusal_reason", "")
        if reason:
            parts.append(f'<div class="qa-reason">{esc(reason)}。</div>')
        nearest = list(answer.hits)[:NEAREST_SHOWN]
        if nearest:
            parts.append('<div class="qa-cards-title">最接近的段落（仅供参考，未能回答问题）：</div><div class="qa-cards">')
            parts += [_card(card_id(key, i), f"#{i}", h.chunk, esc(h.chunk.text), h.score, labels=labels)
                      for i, h in enumerate(nearest, 1)]
            parts.append("</div>")
        cls = "qa-a qa-refused"
    else:
        parts.append(f'<div class="qa-text">{answer_text(answer.text, key, (c.n for c in answer.citations))}</div>')
        derivations = [p.derivation for p in getattr(answer, "parts", None) or () if getattr(p, "derivation", None)]
        if derivations:
            parts.append(f'<div class="qa-derivation">计算：{"；".join(esc(d) for d in derivations)}</div>')
        if answer.citations:
            parts.append('<div class="qa-cards">')
            parts += [_card(card_id(key, c.n), f"[{c.n}]", c.chunk, marked(c.chunk.text, c.evidence), c.score,
                            labels=labels) for c in answer.citations]
            parts.append("</div>")
        dropped = list(getattr(answer, "dropped", None) or ())
        if dropped:
            items = "".join(f"<li>{esc(d)}</li>" for d in dropped)
            parts.append(f'<details class="qa-dropped"><summary>已删除 {len(dropped)} 句无法核实的内容</summary>'
                         f"<ul>{items}</ul></details>")
        cls = "qa-a"
        parts.append('<div class="qa-tools"><button type="button" class="qa-copy" title="复制回答与引用的原文">复制回答</button></div>')
    parts.append(timings(answer.timings_ms))
    return f'<div class="{cls}" id="{answer_dom_id(key)}">{"".join(parts)}</div>'


def _snippet(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def sources_placeholder() -> str:
    return '<div class="qa-sources qa-empty">提问后，这里会列出检索到的全部段落、得分以及是否被引用。</div>'


def sources_panel(answer: Any, labels: Mapping[str, str] | None = None) -> str:
    """Every retrieved passage of the latest answer, with its score and whether it was cited."""
    cited = {c.chunk.id: c for c in answer.citations}
    head = f"检索到 {len(answer.hits)} 段，其中 {sum(h.chunk.id in cited for h in answer.hits)} 段被引用"
    if answer.refused:
        head += f"（未能回答：{getattr(answer, 'refusal_reason', '') or '依据不足'}）"
    rows = []
    for rank, hit in enumerate(answer.hits, 1):
        c = cited.get(hit.chunk.id)
        badge = (f'<span class="qa-badge qa-cited">已引用 [{c.n}]</span>' if c
                 else '<span class="qa-badge">未引用</span>')
        body = marked(hit.chunk.text, c.evidence if c else None)
        detail = ranks(hit)
        score_html = f'<span class="qa-score">{_score(hit.score)}</span>'
        rows.append(
            f'<div class="qa-src{" qa-src-cited" if c else ""}"><details>'
            f'<summary><span class="qa-rank">#{rank}</span> {_detail(score_html)} '
            f'{badge} <span class="qa-path">{esc(hit.chunk.section_path) or "（无章节）"}</span>'
            f'<div class="qa-snippet">{esc(_snippet(hit.chunk.text))}</div></summary>'
            f'<div class="qa-para">{body}</div>'
            f'<div class="qa-card-foot">{_doc(hit.chunk.doc, labels)} · '
            f"第 {esc(hit.chunk.paragraph)} 段{_detail(f' · {detail}' if detail else '')} · {_goto(hit.chunk.id)}</div></details></div>"
        )
    return f'<div class="qa-sources"><div class="qa-src-head">{esc(head)}</div><div class="qa-src-list">{"".join(rows)}</div></div>'


# ---- feedback --------------------------------------------------------------------------------------------

def feedback_prompt(question: str, verdict: str) -> str:
    what = "这个回答有帮助" if verdict == "up" else "这个回答有问题"
    return (f'<div class="qa-fb-title">反馈 · {what}：<span class="qa-fb-q">{esc(question)}</span></div>'
            '<div class="qa-fb-help">可以写下正确的答案（可选），然后提交。反馈会保存为评测题，经人工审核后用于评测。</div>')


def feedback_done(record_id: str) -> str:
    return f'<div class="qa-fb-done">已记录反馈 <code>{esc(record_id)}</code>，谢谢！</div>'
