"""Section-aware chunking of a government report.

The PDF extraction breaks sentences across lines and pages; paragraphs are rebuilt first (a paragraph
that does not end with terminal punctuation continues on the next line), then each paragraph is
classified against the heading levels these reports use:

1. `一、…` top sections (and a short title line after them, such as `名词解释`);
2. `（一）…` numbered work areas, `——**…**` goal items, `1. **…**` glossary entries;
3. a lead phrase opening a paragraph (`全力扩大有效投资。`, `坚持稳增长提质效，经济发展稳中有进。`).

A paragraph starting with `各位代表` addresses the delegates and closes the sub-sections before it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .ingest import Source
from .periods import GLOSSARY, heading_period, periods_in, report_year
from .text import PARAGRAPH_END, SENTENCE_END, clean_display
from .types import Chunk

# Bumped whenever what an index derives from the text changes: chunk boundaries, or the folding its BM25 tokens
# are cut from (6: the 十 of 红十字会 is no figure), so older indexes are rebuilt.
CHUNKER_VERSION = 6

_TOP = re.compile(r"^[一二三四五六七八九十]+、")
_NUMBERED = re.compile(r"^[(（][一二三四五六七八九十]+[)）]")
_DASH = re.compile(r"^——")
_LIST = re.compile(r"^\d{1,2}(?:[.．]\s+|、)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CLAUSE_PUNCT = re.compile(r"[，。；：,;:！？!?]")
_ADDRESS = ("各位代表",)
_ADDRESS_PREFIX = re.compile(r"^各位代表[!！:：]?\s*")
_NOT_LEADS = ("各位代表", "同时", "此外", "现在")
LEAD_MAX_CHARS = 24
TITLE_MAX_CHARS = 40


@dataclass(frozen=True)
class ChunkedDocument:
    name: str
    display_text: str
    chunks: list[Chunk]


def _is_title_like(line: str) -> bool:
    return len(line) <= TITLE_MAX_CHARS and not _CLAUSE_PUNCT.search(unicodedata.normalize("NFKC", line))


def _starts_block(line: str) -> bool:
    folded = unicodedata.normalize("NFKC", line)
    return bool(_TOP.match(line) or _NUMBERED.match(folded) or _DASH.match(line) or _LIST.match(folded))


def _is_complete(text: str) -> bool:
    stripped = text.rstrip("”’\"'）)*")
    return bool(stripped) and stripped[-1] in PARAGRAPH_END


def paragraphs(raw: str) -> list[str]:
    """Logical paragraphs of a PDF extraction, line breaks inside sentences removed."""
    out: list[str] = []
    for line in (ln.strip() for ln in raw.split("\n")):
        if not line:
            continue
        if out and not _is_complete(out[-1]) and not _is_title_like(out[-1]) and not _starts_block(line):
            out[-1] += line
        else:
            out.append(line)
    return out


def _strip_end(text: str) -> str:
    return text.strip().rstrip("。；;：:，,！!？?")


def _first_sentence(text: str) -> str:
    m = re.search(f"[{SENTENCE_END}]", text)
    return text[: m.end()] if m else text


def _block_title(raw: str) -> str:
    """Title of a numbered/dashed/glossary block: the bold phrase, else the first sentence."""
    bold = _BOLD.search(raw[:80])
    head = bold.group(1) if bold else _first_sentence(raw)
    folded = unicodedata.normalize("NFKC", head)
    head = _LIST.sub("", folded) if _LIST.match(folded) else head
    return _strip_end(clean_display(head.lstrip("—")))


def sentences(text: str) -> list[str]:
    """Whole sentences, each keeping its terminal punctuation and any closing quote after it."""
    parts = re.findall(rf"[^{SENTENCE_END}]*[{SENTENCE_END}]+[”’\"）)]*|[^{SENTENCE_END}]+$", text)
    return [p for p in parts if p]


def _split(text: str, max_chars: int) -> list[tuple[int, int]]:
    """Runs of whole sentences of about max_chars (a longer sentence stays whole); 0 = no split.

    A run shorter than a quarter of max_chars (a lead phrase before a long sentence) joins the next run.
    """
    if max_chars <= 0 or len(text) <= max_chars:
        return [(0, len(text))]
    cuts, start, pos = [], 0, 0
    for sent in sentences(text):
        if pos - start >= max_chars // 4 and pos + len(sent) - start > max_chars:
            cuts.append(pos)
            start = pos
        pos += len(sent)
    if cuts and len(text) - cuts[-1] < max_chars // 4:
        cuts.pop()
    bounds = [0, *cuts, len(text)]
    return list(zip(bounds, bounds[1:]))


def chunk_document(source: Source, max_chars: int = 0) -> ChunkedDocument:
    year = source.meta.get("year") or report_year(source.text)  # a metadata sidecar's year wins
    paras = paragraphs(source.text)
    display_parts: list[str] = []
    chunks: list[Chunk] = []
    offset = 0
    title = [clean_display(paras[0])] if paras and _is_title_like(paras[0]) else []
    top, block, lead = title, "", ""  # current heading at each level
    numbers = [0, 0, 0]
    counters: dict[tuple[int, ...], int] = {}  # paragraphs seen per section, so ids never repeat
    period = ""
    paragraph_no = 0
    in_body = False  # before the first top heading everything is preamble

    for i, raw in enumerate(paras):
        display = clean_display(raw)
        folded = unicodedata.normalize("NFKC", raw)
        is_heading_only = False
        if _TOP.match(raw) or (in_body and _is_title_like(raw)):
            in_body = True
            numbers = [numbers[0] + 1, 0, 0]
            top, block, lead = [_strip_end(display)], "", ""
            period = heading_period(display, year) or period
            is_heading_only = _is_title_like(raw) or len(display) <= TITLE_MAX_CHARS
        elif i == 0 and title:
            is_heading_only = True
        elif in_body and (_NUMBERED.match(folded) or _DASH.match(raw) or _LIST.match(folded)):
            numbers = [numbers[0], numbers[1] + 1, 0]
            block, lead = _block_title(raw), ""
        elif in_body and raw.startswith(_ADDRESS):
            # Closes the sub-sections; the lead counter runs on so later leads keep distinct ids.
            block, lead = "", ""
            found = periods_in(_first_sentence(_ADDRESS_PREFIX.sub("", display)), year)
            period = found[0] if found and period != GLOSSARY else period
        elif in_body and _is_lead(display):
            numbers[2] += 1
            lead = _strip_end(_first_sentence(display))
        path = top + [h for h in (block, lead) if h]
        key = (numbers[0], numbers[1] if block else 0, numbers[2] if lead else 0)
        section_period = next((p for p in (heading_period(h, year) for h in path[1:]) if p), None)

        start = offset
        display_parts.append(display)
        offset += len(display) + 2  # paragraphs are joined by a blank line
        if is_heading_only:
            continue
        paragraph_no += 1
        counters[key] = counters.get(key, 0) + 1
        # A glossary entry is one definition: cut in two, a what-is answer would lose its second half.
        spans = _split(display, 0 if (section_period or period) == GLOSSARY else max_chars)
        base = f"{source.name}#{'.'.join(map(str, key))}:p{counters[key]}"
        for part, (a, b) in enumerate(spans, 1):
            chunks.append(Chunk(
                id=base if len(spans) == 1 else f"{base}.{part}",
                doc=source.name, section=tuple(path), paragraph=paragraph_no,
                start=start + a, end=start + b, period=section_period or period, text=display[a:b],
            ))
    return ChunkedDocument(source.name, "\n\n".join(display_parts), chunks)


def _is_lead(display: str) -> bool:
    """A short opening sentence that names what the rest of the paragraph is about."""
    first = _first_sentence(display)
    return (
        len(first) < len(display)
        and len(first) <= LEAD_MAX_CHARS
        and not re.search(r"\d", first)
        and not first.startswith(_NOT_LEADS)
        and first[-1] in "。"
    )
