"""Chinese text normalisation: repairing PDF-extraction scars for display, and a further form for matching.

Two forms on purpose: the *display* text keeps the document's characters (full-width punctuation, Chinese
numerals) so a cited span reads like the report; the *search* form folds width, case, whitespace and
markup so that "１０８ 个", "108个" and "108 个" compare equal.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

SENTENCE_END = "。！？!?；;"
# A paragraph whose last character is one of these is complete; anything else continues on the next line.
PARAGRAPH_END = SENTENCE_END + "：:…"

_SUBSCRIPT = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_LATEX_SUB = re.compile(r"_\{([^{}]*)\}")
_BOLD = re.compile(r"\*\*")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def clean_display(text: str) -> str:
    """Display form of one logical paragraph: markup and subscripts resolved, PDF spacing removed.

    Whitespace is dropped unless it separates two ASCII words ("Hello World" keeps its space,
    "108 个" and "增长 5.2%" lose theirs).
    """
    text = _BOLD.sub("", text)
    text = _LATEX_SUB.sub(r"\1", text).translate(_SUBSCRIPT)
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            prev = out[-1] if out else ""
            nxt = next((c for c in text[i + 1 :] if not c.isspace()), "")
            if prev and nxt and _ASCII_WORD.match(prev) and _ASCII_WORD.match(nxt) and out[-1] != " ":
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def search_form(text: str) -> str:
    """Folded form for matching: NFKC (full/half width), lower case, no whitespace or markup."""
    text = _LATEX_SUB.sub(r"\1", _BOLD.sub("", text)).translate(_SUBSCRIPT)
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"\s+", "", text)


_CN_DIGIT = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(_CN_DIGIT) + "".join(_CN_UNIT)
# Names of five-year plans and fixed phrases must not become numbers ("十四五" is not 145; 红十字会, 十分重要 and
# 十足 hold no ten, 十分钟 does).
_PROTECTED = re.compile(r"十[一二三四五六七八九]五|[一二三四五六七八九十]+[、）)]|一[是批些起体带道体方]|[三四五六]大|两[个项河会高]"
                        r"|(?<![一二三四五六七八九])十(?:字|足|全|分(?!钟))")


def _cn_int(s: str) -> int | None:
    """Value of a Chinese integer with units ("二十四" → 24, "三千" → 3000, "一百零六" → 106)."""
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            section += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        elif ch in _CN_BIG:
            total += (section + (digit or 0)) * _CN_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def cn_to_arabic(text: str) -> str:
    """Rewrite the Chinese numerals that carry figures: 百分之五 → 5%, 二〇二五年 → 2025年, 八千人 → 8000人.

    Conservative on purpose: a bare single numeral ("三农", "一带一路") is left alone, as are
    plan names ("十五五") and list markers ("一、", "（三）").
    """
    protected: dict[str, str] = {}

    def protect(m: re.Match[str]) -> str:
        key = f"\x00{len(protected)}\x00"
        protected[key] = m.group(0)
        return key

    text = _PROTECTED.sub(protect, text)
    text = re.sub(
        r"百分之([" + _CN_CHARS + r"点]+)",
        lambda m: f"{_cn_decimal(m.group(1))}%" if _cn_decimal(m.group(1)) is not None else m.group(0),
        text,
    )
    # Year written digit by digit: 二〇二五年 / 二零二六
    text = re.sub(r"([零〇○一二三四五六七八九]{4})(?=年)", lambda m: "".join(str(_CN_DIGIT[c]) for c in m.group(1)), text)
    # Numbers with a unit character, or followed by 万/亿: 二十四, 三千, 一百零六, 五万
    text = re.sub(
        r"[" + _CN_CHARS + r"]*[十百千][" + _CN_CHARS + r"]*|[" + _CN_CHARS + r"]+(?=[万亿])",
        lambda m: _figure(m.group(0)),
        text,
    )
    for key, value in protected.items():
        text = text.replace(key, value)
    return text


def _figure(numeral: str) -> str:
    """Digits for a numeral; a bare 百 or 千 is a word (百姓, 百分之, 千万工程), not a number."""
    value = _cn_int(numeral)
    if value is None or (numeral in ("百", "千") or re.fullmatch("[百千]+", numeral)):
        return numeral
    return str(value)


def _cn_decimal(s: str) -> str | None:
    whole, _, frac = s.partition("点")
    w = _cn_int(whole) if whole else 0
    if w is None or any(c not in _CN_DIGIT for c in frac):
        return None
    return f"{w}.{''.join(str(_CN_DIGIT[c]) for c in frac)}" if frac else str(w)


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def answer_form(text: str) -> str:
    """Form used to compare answers: search form, Chinese numerals as digits, punctuation removed."""
    folded = search_form(cn_to_arabic(unicodedata.normalize("NFKC", text)))
    # Keep the decimal point and percent sign: "5.5%" must not become "55".
    return re.sub(r"[^\w.%]+|_", "", folded)


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def three_figures(value: Decimal) -> Decimal:
    """A computed value rounded as the report writes its own: three significant figures, whole from 100 up
    (2.25, 34.6, 291)."""
    places = 0 if value >= 100 else 1 if value >= 10 else 2
    return value.quantize(Decimal(1).scaleb(-places)).normalize()
# What 万 and 亿 written after a figure multiply it by ("2.2万亩" is 22,000 亩).
MAGNITUDE = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8}


def numbers_in(text: str) -> list[str]:
    """Figures in a text, after width folding and Chinese numeral conversion ("１０８" and "一百零八" → "108")."""
    return NUMBER.findall(fold(text))


# A year as written ("2025年"), and where the answer checks cut a passage into clauses.
WRITTEN_YEAR = re.compile(r"(?:19|20)\d\d年")
CLAUSE_BREAK = re.compile(r"[，,。；;]")
# A quoted name: “瞪羚”, "1+2+10+6", 《纲要》.
QUOTED = re.compile(r"[“\"《]([^”\"》]{2,20})[”\"》]")


@lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """search_form(cn_to_arabic(text)), the form text is compared in; cached because answering one question
    folds the same passage spans many times (the check, the answerer, each sub-question)."""
    return search_form(cn_to_arabic(text))


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC  # imported on first use: most questions need no conversion of their own

    return OpenCC("t2s")


# Spoken question words written as their standard forms, so each asking pattern is written once: "包括啥" asks as
# "包括什么", "咋办" as "怎么办". Neither character occurs in a work report's own vocabulary.
_SPOKEN_ASKING = str.maketrans({"啥": "什么", "咋": "怎么"})


def written_asking(text: str) -> str:
    """Spoken question words (啥, 咋) in their written form."""
    return text.translate(_SPOKEN_ASKING)


def to_simplified(text: str) -> str:
    """Traditional characters folded to Simplified (OpenCC t2s), so 偃師 finds 偃师; the report is quoted as written."""
    return _t2s().convert(text)
