"""HTML for the web UI: answers with clickable citations, the sources panel and the documents tab.

Every string that comes from a user or a document goes through `esc`, so a question such as
`<script>alert(1)</script>` is shown as text. Outputs contain no newline: Gradio's chatbot feeds
message strings through Markdown, and a one-line string that starts with `<div` is an HTML block
that Markdown passes through untouched (a blank line would end the block and let Markdown in).
"""
from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .answer import REFUSAL as REFUSAL_TEXT

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

_CITE = re.compile(r"\[(\d{1,3})\]")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9-]")
_TRAILING = "？?。.!！ "


def esc(text: Any) -> str:
    """HTML-escape text (quotes too) and turn line breaks into <br> so the result stays on one line."""
    escaped = html.escape("" if text is None else str(text), quote=True)
    return re.sub(r"\r\n|\r|\n", "<br>", escaped)


def dom_id(prefix: str, raw: str) -> str:
    """A valid, injective HTML id for an arbitrary string: unsafe characters become `_<hex>_`."""
    return prefix + _ID_UNSAFE.sub(lambda m: f"_{ord(m.group()):x}_", raw)


def anchor_id(chunk_id: str) -> str:
    """The id of a chunk's paragraph in the documents tab."""
    return dom_id("p-", chunk_id)


def card_id(key: str, n: int) -> str:
    """The id of citation card [n] of the answer rendered with `key` (unique per message)."""
    return dom_id("c-", f"{key}-{n}")


def marked(text: str, span: Sequence[int] | None) -> str:
    """Escaped text with the evidence span wrapped in <mark> (span clamped to the text)."""
    if not span:
        return esc(text)
    start, end = max(0, int(span[0])), min(len(text), int(span[1]))
    if start >= end:
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).rstrip(_TRAILING)


def differs(typed: str, understood: str) -> bool:
    """Whether the understood question is worth showing (more than width/space/punctuation changes)."""
    return bool(understood) and _fold(typed) != _fold(understood)


def user_message(question: str, limit: int = 300) -> str:
    shown = question if len(question) <= limit else question[:limit] + f"…（共 {len(question)} 字）"
    return f'<div class="qa-q">{esc(shown)}</div>'


def notice(message: str) -> str:
    """A message from the UI itself (empty or over-long question), not an answer."""
    return f'<div class="qa-a qa-notice"><span class="qa-notice-icon">ⓘ</span> {esc(message)}</div>'


def _score(score: float) -> str:
    return f"{score:.3f}"


def _goto(chunk_id: str) -> str:
    return f'<a class="qa-goto" href="#{anchor_id(chunk_id)}">在原文中查看 ›</a>'


def _card(cid: str, label: str, chunk: Any, body: str, score: float | None, open_: bool = False) -> str:
    path = esc(chunk.section_path) or "（无章节）"
    score_html = f" · 相关度 {_score(score)}" if score is not None else ""
    return (
        f'<details class="qa-card" id="{cid}"{" open" if open_ else ""}>'
        f'<summary><span class="qa-n">{label}</span> <span class="qa-path">{path}</span></summary>'
        f'<div class="qa-para">{body}</div>'
        f'<div class="qa-card-foot"><span class="qa-doc">文档：{esc(chunk.doc)}</span>'
        f" · 第 {esc(chunk.paragraph)} 段{score_html} · {_goto(chunk.id)}</div>"
        "</details>"
    )


def timings(timings_ms: Mapping[str, float]) -> str:
    if not timings_ms:
        return ""
    parts = [f"{esc(STAGE_LABELS.get(k, k))} {v:.0f} ms" for k, v in timings_ms.items()]
    return f'<div class="qa-timings">耗时：{" · ".join(parts)}</div>'


def answer_text(text: str, key: str, known: Iterable[int]) -> str:
    """Escaped answer text whose [n] markers (for known citation numbers) link to their cards."""
    known = set(known)

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        if n not in known:
            return m.group(0)
        return f'<a class="qa-cite" href="#{card_id(key, n)}" title="查看引用 [{n}]">[{n}]</a>'

    return _CITE.sub(link, esc(text))


def answer_message(answer: Any, typed: str, key: str) -> str:
    """One assistant message: answer with [n] links, a card per citation, timings; or a refusal."""
    parts: list[str] = []
    if differs(typed, answer.understood_as):
        parts.append(f'<div class="qa-understood">理解为：{esc(answer.understood_as)}</div>')
    if answer.refused:
        parts.append(f'<div class="qa-refusal">⚠ {esc(answer.text or REFUSAL_TEXT)}</div>')
        reason = getattr(answer, "refusal_reason", "")
        if reason:
            parts.append(f'<div class="qa-reason">{esc(reason)}。</div>')
        nearest = list(answer.hits)[:NEAREST_SHOWN]
        if nearest:
            parts.append('<div class="qa-cards-title">最接近的段落（仅供参考，未能回答问题）：</div><div class="qa-cards">')
            parts += [_card(card_id(key, i), f"#{i}", h.chunk, esc(h.chunk.text), h.score)
                      for i, h in enumerate(nearest, 1)]
            parts.append("</div>")
        cls = "qa-a qa-refused"
    else:
        parts.append(f'<div class="qa-text">{answer_text(answer.text, key, (c.n for c in answer.citations))}</div>')
        if answer.citations:
            parts.append('<div class="qa-cards">')
            parts += [_card(card_id(key, c.n), f"[{c.n}]", c.chunk, marked(c.chunk.text, c.evidence), c.score)
                      for c in answer.citations]
            parts.append("</div>")
        cls = "qa-a"
    parts.append(timings(answer.timings_ms))
    return f'<div class="{cls}">{"".join(parts)}</div>'


def _snippet(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def sources_placeholder() -> str:
    return '<div class="qa-sources qa-empty">提问后，这里会列出检索到的全部段落、得分以及是否被引用。</div>'


def sources_panel(answer: Any) -> str:
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
        rows.append(
            f'<div class="qa-src{" qa-src-cited" if c else ""}"><details>'
            f'<summary><span class="qa-rank">#{rank}</span> <span class="qa-score">{_score(hit.score)}</span> '
            f'{badge} <span class="qa-path">{esc(hit.chunk.section_path) or "（无章节）"}</span>'
            f'<div class="qa-snippet">{esc(_snippet(hit.chunk.text))}</div></summary>'
            f'<div class="qa-para">{body}</div>'
            f'<div class="qa-card-foot"><span class="qa-doc">文档：{esc(hit.chunk.doc)}</span> · '
            f"第 {esc(hit.chunk.paragraph)} 段 · {_goto(hit.chunk.id)}</div></details></div>"
        )
    return f'<div class="qa-sources"><div class="qa-src-head">{esc(head)}</div><div class="qa-src-list">{"".join(rows)}</div></div>'


def doc_title(text: str, fallback: str) -> str:
    """First non-empty line of a document's display text (its title)."""
    return next((ln.strip() for ln in (text or "").splitlines() if ln.strip()), fallback)


def documents(chunks: Sequence[Any], docs: Mapping[str, str]) -> str:
    """The "原文" tab: each document by section, each chunk a span whose id is `anchor_id(chunk.id)`."""
    by_doc: dict[str, list[Any]] = {}
    for ch in chunks:
        by_doc.setdefault(ch.doc, []).append(ch)
    out = ['<div class="qa-docs">']
    for doc, doc_chunks in by_doc.items():
        out.append(f'<article class="qa-doc" id="{dom_id("doc-", doc)}">')
        title = doc_title(docs.get(doc, ""), doc)
        out.append(f'<h2>{esc(title)}</h2><div class="qa-doc-name">{esc(doc)}</div>')
        tops = list(dict.fromkeys(ch.section[0] for ch in doc_chunks if ch.section))
        if tops:
            toc = "".join(f'<li><a class="qa-goto" href="#{dom_id("s-", doc + "/" + t)}">{esc(t)}</a></li>' for t in tops)
            out.append(f'<nav class="qa-toc"><div>目录</div><ol>{toc}</ol></nav>')
        prev_section: tuple[str, ...] = ()
        prev_para: int | None = None
        for ch in doc_chunks:
            section = tuple(ch.section)
            if section != prev_section:
                if prev_para is not None:
                    out.append("</p>")
                    prev_para = None
                common = 0
                while common < min(len(section), len(prev_section)) and section[common] == prev_section[common]:
                    common += 1
                for level in range(common, len(section)):
                    heading = section[level]
                    hid = f' id="{dom_id("s-", doc + "/" + section[0])}"' if level == 0 else ""
                    if level > 0 and ch.text.startswith(heading):
                        continue  # a lead phrase opening the paragraph: shown in bold there instead
                    if level == 0 and heading == title:
                        out.append(f'<span{hid}></span>')
                        continue
                    tag = f"h{min(3 + level, 6)}"
                    out.append(f'<{tag} class="qa-h"{hid}>{esc(heading)}</{tag}>')
                lead = section[-1] if len(section) > 1 and ch.text.startswith(section[-1]) else ""
                prev_section = section
            else:
                lead = ""
            if ch.paragraph != prev_para:
                if prev_para is not None:
                    out.append("</p>")
                out.append('<p class="qa-p">')
                prev_para = ch.paragraph
            body = f"<strong>{esc(lead)}</strong>{esc(ch.text[len(lead):])}" if lead else esc(ch.text)
            out.append(f'<span class="qa-chunk" id="{anchor_id(ch.id)}" title="{esc(ch.id)}">{body}</span>')
        if prev_para is not None:
            out.append("</p>")
        out.append("</article>")
    out.append("</div>")
    return "".join(out)
