"""The pieces every part of the web UI's HTML is built from: escaped text, valid DOM ids, the evidence mark.

Every string that comes from a user or a document goes through `esc`, so a question such as
`<script>alert(1)</script>` is shown as text. Outputs contain no newline: Gradio's chatbot feeds
message strings through Markdown, and a one-line string that starts with `<div` is an HTML block
that Markdown passes through untouched (a blank line would end the block and let Markdown in).
"""
from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9-]")


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


def marked(text: str, span: Sequence[int] | None) -> str:
    """Escaped text with the evidence span wrapped in <mark> (span clamped to the text)."""
    if not span:
        return esc(text)
    start, end = max(0, int(span[0])), min(len(text), int(span[1]))
    if start >= end:
        return esc(text)
    return f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}"
