"""Which period a passage reports on, and which period a question asks about.

Chinese government reports are organised by time: the year under review, the five-year plan under
review ("十四五"), the next plan ("十五五"), the coming year's tasks. Questions use relative words
(去年, 今年, 这几年, 未来五年) that only make sense against the report's own date.
"""
from __future__ import annotations

import re

from .text import cn_to_arabic, search_form

GLOSSARY = "glossary"
_GLOSSARY_HEADINGS = ("名词解释", "名词注释", "注释", "附注", "术语解释")
_CN = "〇一二三四五六七八九"
_PLAN = re.compile(r"十[一二三四五六七八九]五")
_REPORT_DATE = re.compile(r"(\d{4})年\d{1,2}月\d{1,2}日")
_EXPR = re.compile(
    rf"(?P<year>(?:19|20)\d\d)(?:年(?:当年)?)?|(?P<plan>{_PLAN.pattern})"
    r"|(?P<before>前年)|(?P<last>去年|上一年|上年)|(?P<this>今年|本年|当年|明年|新的一年)"
    r"|(?P<past>过去五年|五年来|这五年|近五年|这几年|近几年|近年来|这些年)"
    r"|(?P<five>(?<![\d.未来今后下个一十第前头要])(?:五|5)年(?!规划|计划|内|后))"
    r"|(?P<future>未来五年|今后五年|接下来五年|下一个五年|到20\d\d年)"
)


def report_year(text: str) -> int | None:
    """The year the report was delivered, from the first full date near its top."""
    m = _REPORT_DATE.search(search_form(text[:600]))
    return int(m.group(1)) if m else None


def plan_of(year: int) -> str:
    """Five-year plan covering a year: 2021–2025 → 十四五, 2026–2030 → 十五五."""
    return f"十{_CN[(year - 2021) // 5 + 4]}五"


_ASKS_PLAN = re.compile(rf"{_PLAN.pattern}|五年")


def plan_less_its_last_year(text: str, year: int | None) -> str:
    """The years of the plan under review before its last, written as the report's periods: "2021—2024年",
    "前四年", "2025年以前" (with the plan named) and "除了去年…其余" become "“十四五”扣除2025年其余年份", so that they
    are computed as the plan's total less the last year's part, which the report states; no report states them."""
    if year is None:
        return text
    last = year - 1
    plan, first = plan_of(last), last - (last - 2021) % 5
    rest = f"扣除{last}年其余年份"
    out = re.sub(rf"{first}年?\s*[—–\-~－至到]+\s*{last - 1}年?", f"“{plan}”{rest}", text)
    if _ASKS_PLAN.search(out):
        out = re.sub(rf"(?:前|头)[四4]年|{last}年(?:以前|之前)", rest, out)
    # "除了去年，前四年…": 除了 leaves a part out when what is asked is the rest (else "除了A还有B" adds).
    out = re.sub(rf"(?<![扣去刨])除了?((?:去年|{last}年)(?:以外|之外)?)(?=.*(?:其余|其他|剩下|扣除))", r"扣除\1", out)
    return out


def plan_years(label: str) -> int | None:
    """How many years a five-year plan's label covers (5 for "十四五"); None for a year or no period."""
    return 5 if _PLAN.fullmatch(label) else None


def last_year(label: str) -> int:
    """The last year a period label covers: "2025" → 2025, "十四五" → 2025, "十五五" → 2030 (0 for none)."""
    if label.isdigit():
        return int(label)
    if _PLAN.fullmatch(label):
        return 2020 + 5 * (_CN.index(label[1]) - 3)
    return 0


def periods_in(text: str, year: int | None) -> list[str]:
    """Period labels named in a text, in order of appearance.

    With the report delivered in `year`: 前年 → year-2, 去年 → year-1, 今年 → year; 明年 also → year, since a reader of
    the report asks about the plans it makes, and the report plans nothing beyond its own year and plan.
    """
    labels: list[str] = []
    for m in _EXPR.finditer(search_form(cn_to_arabic(text))):
        kind = m.lastgroup
        if kind == "year":
            y = int(m.group("year"))
            labels.append(str(y))
            if year is not None and y not in (year - 1, year) and 2021 <= y <= 2040:
                labels.append(plan_of(y))
        elif kind == "plan":
            labels.append(m.group("plan"))
        elif year is None:
            continue
        elif kind == "before":
            labels.append(str(year - 2))
        elif kind == "last":
            labels.append(str(year - 1))
        elif kind == "this":
            labels.append(str(year))
        elif kind == "past" or (kind == "five" and not _PLAN.search(text)):
            # Five years alone are the plan under review, unless the text names a plan ("十三五那五年").
            labels.append(plan_of(year - 1))
        elif kind == "future":
            labels.append(plan_of(year))
    return list(dict.fromkeys(labels))


def heading_period(title: str, year: int | None) -> str | None:
    if any(title.strip().startswith(h) for h in _GLOSSARY_HEADINGS):
        return GLOSSARY
    found = periods_in(title, year)
    return found[0] if found else None
