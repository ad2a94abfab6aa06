"""Reading a model's answer: its statements, their `[n]` markers (in one form, whatever brackets the model
used), a refusal, and a computed figure's bracketed derivation, split off as a part of its own."""
from __future__ import annotations

import re

from ..grounding import recompute
from ..text import numbers_in
from . import REFUSAL

_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_MARKER_ANY = re.compile(r"[\[［【]\s*(\d{1,2}(?:\s*[,，、\-–~]\s*\d{1,2})*)\s*[\]］】]")
MARKER = re.compile(r"\[(\d+)\]")
_MARKER_AFTER_STOP = re.compile(r"([。！？!?；;，,])\s*((?:\[\d+\])+)")
_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*")
_BULLET = re.compile(r"^\s*(?:#+\s*|[-*•·]\s+|\d{1,2}(?:[、)）]|[.．](?!\d))\s*|[（(]\d{1,2}[)）]\s*)")
# A bracket right after a figure may hold its derivation: "高7.1个百分点（13.8% − 6.7%）", "(106+50=156)".
_BRACKET = re.compile(r"[（(]([^（）()]+)[）)]")
_RESULT_BEFORE = re.compile(r"\d(?:\.\d+)?[^\d（）()，,。；;]{0,6}$")
_OPERATORS = str.maketrans({"-": "−", "–": "−", "—": "−", "＋": "+", "/": "÷", "％": "%"})
_LEAD_IN = set("高低多少增长加减下降提升了约为比差达")


def _expand_markers(m: re.Match[str]) -> str:
    out: list[int] = []
    for piece in re.split(r"\s*[,，、]\s*", m.group(1)):
        ends = [int(x) for x in re.split(r"\s*[\-–~]\s*", piece) if x]
        out += list(range(ends[0], ends[-1] + 1)) if len(ends) == 2 and 0 < ends[1] - ends[0] < 10 else ends
    return "".join(f"[{n}]" for n in dict.fromkeys(out))


def clean(text: str) -> str:
    """Thinking removed, markers in one form ("[1][2]") and before the punctuation that ends a clause."""
    text = _THINK.sub("", text or "").replace("**", "").replace("__", "")
    text = re.sub(r"(\[\d+\])(?:\s*\1)+", r"\1", _MARKER_ANY.sub(_expand_markers, text))
    return _MARKER_AFTER_STOP.sub(r"\2\1", text).strip()


def sentences(text: str) -> list[str]:
    """The statements of an answer: sentences and lines, list bullets and the final stop removed."""
    out = []
    for m in _SENTENCE.finditer(clean(text)):
        s = _BULLET.sub("", m.group(0).strip()).strip().rstrip("。！？!?；;，,、 ").strip()
        if re.sub(r"[\W_]+|\[\d+\]", "", s):
            out.append(s)
    return out


def markers(text: str) -> list[int]:
    return list(dict.fromkeys(int(n) for n in MARKER.findall(text)))


def is_refusal(text: str) -> bool:
    return REFUSAL in re.sub(r"\s+", "", text)


def figures_of(statement: str) -> list[str]:
    """Figures a statement (markers aside) states, for the grounding metrics."""
    return numbers_in(MARKER.sub("", statement))


# ---------------------------------------------------------------- computed figures


def _derivation(statement: str) -> tuple[re.Match[str], str] | None:
    """The bracketed derivation of a computed figure, normalised as qa.grounding reads it ("13.8% − 6.7%")."""
    for m in _BRACKET.finditer(statement):
        if not _RESULT_BEFORE.search(MARKER.sub("", statement[: m.start()])):
            continue
        inner = re.split(r"[=＝≈]", m.group(1))[0].translate(_OPERATORS)
        inner = re.sub(r"\s*([−+÷])\s*", r" \1 ", inner).strip()
        if recompute(inner) is not None:
            return m, inner
    return None


def pieces(statement: str) -> list[tuple[str, str | None]]:
    """The statement as (text, derivation) parts. qa.grounding reads a computed figure as the first figure
    of its part, so a part with a derivation starts at the clause (or the comparison word) that states
    the result: "2025年A比B高7.1个百分点（13.8% − 6.7%）[1]" → "2025年A比B[1]" and "高7.1个百分点（…）[1]"."""
    found = _derivation(statement)
    if not found:
        return [(statement, None)]
    m, inner = found
    text = statement[: m.start()] + f"（{inner}）" + statement[m.end() :]
    # Markers masked, so that their digits are not taken for figures.
    before = MARKER.sub(lambda k: "#" * len(k.group()), statement[: m.start()])
    figures = list(re.finditer(r"\d+(?:\.\d+)?", before))
    if not figures or (len(figures) == 1 and "（" not in before and "(" not in before):
        return [(text, inner)]
    result = figures[-1].start()
    cut = max(before.rfind(c, 0, result) for c in "，,：:；;")
    if cut >= 0:
        head, tail = text[:cut], text[cut + 1 :]
    else:
        cut = result
        while cut > 0 and result - cut < 4 and text[cut - 1] in _LEAD_IN:
            cut -= 1
        head, tail = text[:cut], text[cut:]
    cites = "".join(f"[{n}]" for n in markers(statement))
    head = head.strip()
    tail = tail if markers(tail) else tail + cites
    if not re.sub(r"[\W_]+|\[\d+\]", "", head):
        return [(tail, inner)]
    return [(head if markers(head) else head + cites, None), (tail, inner)]
