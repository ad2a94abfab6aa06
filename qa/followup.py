"""Resolving elliptic follow-up questions ("那2026年的目标呢？") against the previous ones."""
from __future__ import annotations

import re

_TIME = re.compile(
    r"(?:19|20)\d\d年?|[零〇一二三四五六七八九]{4}年|[“\"]?十[一二三四五六七八九]五[”\"]?(?:时期|期间|末)?"
    r"|去年|今年|明年|过去五年|未来五年|今后五年|这几年|近几年|五年来"
)
_LEAD = re.compile(r"^(?:那么|那|那在|还有|另外|再问一下|然后|其中)[，,]?")
_TAIL = re.compile(r"(?:的情况|情况|的|怎么样|如何)?(?:呢|吗)?[？?。!！]*$")
FOLLOWUP_MAX_CHARS = 14


def is_followup(question: str) -> bool:
    q = question.strip()
    return bool(_LEAD.match(q)) or (len(q) <= FOLLOWUP_MAX_CHARS and bool(re.search(r"呢[？?]?$", q)))


def merge(question: str, previous: str) -> str:
    """`previous` with the time and topic changes that the elliptic `question` asks for."""
    core = _TAIL.sub("", _LEAD.sub("", question.strip()))
    times = _TIME.findall(core)
    rest = _TIME.sub("", core).strip("的，, ")
    base = previous.strip().rstrip("？?。 ")
    if times and _TIME.search(base):
        base = _TIME.sub(times[0], base, count=1)
    elif times:
        base = f"{times[0]}{base}"
    return f"{base}（{rest}）？" if rest else f"{base}？"


def resolve(question: str, history: list[str] | None) -> str:
    """The question to answer: itself, or the previous question with this one's changes applied.

    A chain of follow-ups goes back to the last question that is not one; the walk is a loop, so any
    length of history is safe (bound it with `bounded_history` all the same: each merge costs time).
    """
    chain = [question]
    earlier = list(history or [])
    while earlier and is_followup(chain[-1]):
        chain.append(earlier.pop())
    resolved = chain[-1].strip()
    for followup in reversed(chain[:-1]):
        resolved = merge(followup, resolved)
    return resolved


def bounded_history(history: list[str], max_turns: int, max_chars: int) -> list[str]:
    """The newest non-empty entries of `history` (stripped, oldest first) that fit both limits.

    At most `max_turns` entries and `max_chars` characters together. An entry longer than `max_chars`
    on its own is dropped (no question the user typed is that long) and the walk goes on past it; the
    walk stops at the first entry that would pass either limit, so older turns never displace newer ones.
    """
    kept: list[str] = []
    used = 0
    for entry in reversed(history):
        entry = (entry or "").strip()  # clients send None for an empty turn
        if not entry or len(entry) > max_chars:
            continue
        if len(kept) == max_turns or used + len(entry) > max_chars:
            break
        kept.append(entry)
        used += len(entry)
    return kept[::-1]
