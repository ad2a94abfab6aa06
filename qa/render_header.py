"""The page header and the name of each loaded report ("洛阳市偃师区 · 2026年政府工作报告"), from the index
metadata; the same names label the report selector and the citation cards."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .markup import esc
from .render_documents import doc_title

# The unit above a district or county is a city, above a city a province (for a parent given without suffix).
PARENT_SUFFIX = {"区": "市", "县": "市", "市": "省"}
ALL_REPORTS = "全部报告"


def report_place(doc: Any) -> str:
    """"洛阳市偃师区" from a document's metadata (place, place_full, level, parent); "" when it has none."""
    place_full = getattr(doc, "place_full", None) or ((getattr(doc, "place", None) or "") + (getattr(doc, "level", None) or ""))
    if not place_full:
        return ""
    parent = getattr(doc, "parent", None) or ""
    if parent:
        parent += PARENT_SUFFIX.get(getattr(doc, "level", None) or "", "")
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
