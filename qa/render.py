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

from .answerers import REFUSAL as REFUSAL_TEXT

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


# ---- header: which reports are loaded ------------------------------------------------------------------

# The unit above a district or county is a city, above a city a province (for a parent given without suffix).
PARENT_SUFFIX = {"区": "市", "县": "市", "市": "省"}
ALL_REPORTS = "全部报告"


def report_place(doc: Any) -> str:
    """"洛阳市偃师区" from a document's metadata (place, place_full, level, parent); "" when it has none."""
    place_full = getattr(doc, "place_full", None) or ((getattr(doc, "place", None) or "") + (getattr(doc, "level", None) or ""))
    if not place_full:
        return ""
    parent = getattr(doc, "parent_full", None) or ""
    if not parent and getattr(doc, "parent", None):
        parent = doc.parent + PARENT_SUFFIX.get(getattr(doc, "level", None) or "", "")
    return f"{parent}{place_full}"


def report_label(doc: Any, name: str = "") -> str:
    """"洛阳市偃师区 · 2026年政府工作报告": place, year and the report's own title, from the index metadata."""
    title = doc_title(getattr(doc, "text", "") or "", name or getattr(doc, "name", "") or "报告")
    year = getattr(doc, "year", None)
    if year and not title.startswith(f"{year}"):
        title = f"{year}年{title}"
    place = report_place(doc)
    return f"{place} · {title}" if place else title


def header(title: str, labels: Sequence[str]) -> str:
    """The page header: the product name and the loaded report(s)."""
    if not labels:
        loaded = '<div class="qa-reports qa-empty">没有载入任何报告</div>'
    elif len(labels) == 1:
        loaded = f'<div class="qa-reports"><span class="qa-report">{esc(labels[0])}</span></div>'
    else:
        items = "".join(f'<li class="qa-report">{esc(label)}</li>' for label in labels)
        loaded = f'<div class="qa-reports">已载入 {len(labels)} 份报告：<ul>{items}</ul></div>'
    return (f'<div class="qa-header"><h1>{esc(title)}</h1>{loaded}<div class="qa-sub">'
            "回答只依据报告原文；每个回答都带有可点击的引用 [n]，点开即可看到原文段落与高亮的依据。</div></div>")


# ---- feedback --------------------------------------------------------------------------------------------

def feedback_prompt(question: str, verdict: str) -> str:
    what = "这个回答有帮助" if verdict == "up" else "这个回答有问题"
    return (f'<div class="qa-fb-title">反馈 · {what}：<span class="qa-fb-q">{esc(question)}</span></div>'
            '<div class="qa-fb-help">可以写下正确的答案（可选），然后提交。反馈会保存为评测题，经人工审核后用于评测。</div>')


def feedback_done(record_id: str) -> str:
    return f'<div class="qa-fb-done">已记录反馈 <code>{esc(record_id)}</code>，谢谢！</div>'


# ---- the 评测 tab ------------------------------------------------------------------------------------------

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
