"""HTML of the 原文 tab: every document by section, each passage a span the citations link to."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .markup import anchor_id, dom_id, esc


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
