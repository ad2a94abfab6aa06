"""Computed comparisons: a difference or sum of two cited figures, with the derivation shown.

"2025年规上工业增加值增速比地区生产总值增速高多少个百分点？" → 高7.1个百分点（13.8% − 6.7%）[1].
Each side is found as its own question (two things, or one thing in two periods); its figure is chosen by
the words around it, of the kind it asks for (a growth, not a share), and the two figures must carry the same
unit (a difference of two percentages is in 个百分点). When no two of the sides' best windows give such a
pair, nothing is computed and the answer states the facts.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from ..analysis import (EXCEPT, FIGURE, GAP, NOW, RATIO, SHARE, SUM, WHICH_MORE, Analyzer, QuestionAnalysis,
                        asks_change)
from ..key_terms import MEASURE_UNITS
from ..periods import last_year, plan_of
from ..text import MAGNITUDE
from ..types import AnswerPart, Hit
from ..windows import Window, WindowScorer, same_units, window_text

# A figure and its unit; a number glued to Latin letters is part of a name (PM2.5), not a figure.
_FIGURE = re.compile(rf"(?<![a-z\d.])(\d+(?:\.\d+)?)(%|个百分点|[万亿]?(?:个|{MEASURE_UNITS})|万|亿|倍)?")
# Rate words ask for a percentage even when the question names no unit ("年均增速高多少").
_RATE = re.compile(r"百分点|增速|增幅|增长率|比重|占比|(?<!效)率(?!先)")
_ADDED = re.compile(r"增加(?!值)|减少")
# What a figure measures, read from the words before it ("增长13.8%" a growth, "占…比重达72%" a share), and
# what a side asks for, read from its nouns only: in "比重要提高多少" the verb compares, the noun is a share.
_FIGURE_KINDS = {"growth": re.compile(r"增长|增速|增幅|涨|提高|下降|降幅|降低"), "share": re.compile(r"比重|占比|占")}
_ASKED_KINDS = {"growth": re.compile(r"增长|增速|增幅|涨幅|降幅"), "share": re.compile(r"比重|占比")}


def _scaled(unit: str) -> tuple[Decimal, str]:
    """A unit's magnitude and the unit it scales ("万亩" → 10⁴, "亩": 2.2万亩 and 500亩 are both in 亩); a bare 万
    or 亿 scales nothing named."""
    if unit[:1] in MAGNITUDE and unit[1:] and unit[1:] not in ("%", "倍"):
        return MAGNITUDE[unit[0]], unit[1:]
    return Decimal(1), unit


# Measure words that count the same things, so one may be added to or taken from the other ("20项" of "132件").
_SAME_COUNT = (frozenset({"件", "项"}),)


def comparable(a: str, b: str) -> bool:
    """Two units a computation may combine: the same, or one unit at two magnitudes (万亩 and 亩), or two measure
    words for one count (件 and 项)."""
    x, y = _scaled(a)[1], _scaled(b)[1]
    return x == y or any({x, y} <= same for same in _SAME_COUNT)


def kinds(text: str, patterns: dict[str, re.Pattern[str]]) -> frozenset[str]:
    """Which kinds of measure ("growth", "share") the text names, by `patterns`."""
    return frozenset(k for k, pattern in patterns.items() if pattern.search(text))


_TARGET_OR_RESULT = re.compile(r"目标|计划|预期|实际")


def _sides(q: QuestionAnalysis, analyzer: Analyzer) -> list[QuestionAnalysis]:
    """Each compared thing as a figure question of its own, in the question's periods."""
    # Where things stand: the year and the plan the report reviews.
    now = (str(q.year - 1), plan_of(q.year - 1)) if q.year else ()
    sides = [analyzer.analyse(s, split=False) for s in q.sides or ()]
    known = [{t: v for t, v in s.terms.items() if analyzer.df(t)} for s in sides]
    # "2025年和2026年一共新增多少个充电桩": sides that name only periods are the question's thing in each.
    if any(known):
        # "铝基新材料产值2026年目标比2025年高多少": a side that names only a period compares the other side's thing;
        # "比现在高出几个百分点": a side that says now is where things stand.
        # A side whose only words of its own say target or result ("2026年目标增速" beside "规上工业增加值2025年实际
        # 增速") names no thing either: it is the other side's thing against its target.
        named = [bool(mine) and not (_TARGET_OR_RESULT.search(s.text) and all(t in other.terms for t in mine))
                 for s, mine, other in zip(sides, known, sides[::-1])]
        return [replace(s, terms=s.terms if own else {**other.terms, **s.terms},
                        periods=s.periods or (now if NOW.search(s.text) and now else q.periods),
                        asks=s.asks | {FIGURE}, focus=s.focus if own else other.focus)
                for s, own, other in zip(sides, named, sides[::-1])]
    if now and analyzer.is_gap(q.folded, q.periods, q.year):
        # The target's periods against where things stand.
        return [replace(q, periods=periods, asks=q.asks | {FIGURE}) for periods in (q.periods, now)]
    if len(set(q.periods)) >= 2:
        periods = list(dict.fromkeys(q.periods))
        if _is_change(q):  # from the earlier period to the later: later − earlier
            periods.sort(key=last_year, reverse=True)
        elif EXCEPT.search(q.folded):  # the total is the plan's, the part a year of it
            periods.sort(key=lambda p: p.isdigit())
        return [replace(q, periods=(p,), asks=q.asks | {FIGURE}) for p in periods]
    return []


def _is_change(q: QuestionAnalysis) -> bool:
    """"从“十四五”末到“十五五”末要提高多少", "到2030年还要提高多少": a change from one period to another, not
    "A比B高多少"."""
    return not q.sides and (asks_change(q.folded) or bool(GAP.search(q.folded)))


def _with_context(own: dict[str, float], other: dict[str, float], weight: float) -> dict[str, float]:
    """A side's own terms, plus the other side's at a lower weight (WindowWeights.other_side_weight)."""
    return {**{t: v * weight for t, v in other.items()}, **own}


@dataclass(frozen=True)
class Figure:
    """A figure of a side's window, as read for a comparison."""

    value: Decimal
    unit: str
    clause: str
    start: int  # in the clause: tells two equal figures of one clause apart
    weight: float  # the side's terms around it
    kinds: frozenset[str]  # what it measures, from the words before it

    def measures(self, wanted: frozenset[str]) -> bool:
        """Not a figure of another kind than the side asks for (either may be unknown)."""
        return not (self.kinds and wanted) or bool(self.kinds & wanted)


def figures(text: str, terms: dict[str, tuple[float, list[str]]]) -> list[Figure]:
    """Every figure of a folded text with the weight of the side's terms around it: its clause, cut at the
    neighbouring figures ("实施2万亩高标准农田和2万亩亚行贷款绿色农田项目": each 2万亩 has its own words); a
    figure with none of them takes the words before it in its sentence part ("地区生产总值突破480亿元、年均增长4.7%":
    4.7% is GDP's too). `terms` maps each term to its weight and the report words that stand for it."""
    def weight(context: str) -> float:
        return sum(v for t, (v, alts) in terms.items() if t in context or any(a in context for a in alts))

    found = []
    for part in re.finditer(r"[^，,；;。：:]+", text):
        for clause in re.finditer(r"[^、]+", part.group(0)):
            c = clause.group(0)
            ms = [m for m in _FIGURE.finditer(c) if not re.fullmatch(r"(?:19|20)\d\d", m.group(1)) or m.group(2)]
            for i, m in enumerate(ms):
                before = ms[i - 1].end() if i else 0
                own = weight(c[before : ms[i + 1].start() if i + 1 < len(ms) else len(c)])
                lead = part.group(0)[: clause.start() + m.start()]
                found.append(Figure(Decimal(m.group(1)), m.group(2) or "", c, m.start(), own or weight(lead),
                                    kinds(c[before : m.start()], _FIGURE_KINDS)))
    return found


def _unit_fits(unit: str, q: QuestionAnalysis) -> bool:
    """A figure in the unit the question asks for (or one counting the same things: 件 and 项): 百分点 or a rate
    asks for percentages, 增加 or 减少 without one for an amount, 多少亿 for a figure in 亿, 多少亿元 for 亿元 (not
    亿美元); a share is computed from two amounts."""
    if SHARE.search(q.folded):
        return unit not in ("%", "个百分点", "倍")
    if _RATE.search(q.folded):
        return unit in ("%", "个百分点")
    if not q.unit and _ADDED.search(q.folded):  # "地区生产总值还要增加多少": an amount added, not a rate
        return unit not in ("%", "个百分点", "倍")
    if q.unit in ("万", "亿"):
        return unit.startswith(q.unit)
    return not q.unit or unit.lstrip("万亿") in same_units(q.unit)


def figure_pair(q: QuestionAnalysis, texts: list[str], terms: list[dict[str, tuple[float, list[str]]]],
                wanted: list[frozenset[str]], same_passage: bool) -> tuple[Figure, Figure] | None:
    """The two figures, one per side, that hold most of their sides' terms (some at least), of the kind each
    side asks for, in one unit the question accepts, and not of two kinds (a share less a growth, "45% − 6.7%");
    two sides are two figures (a figure minus itself, "72% − 72%", answers nothing)."""
    # A figure none of whose side's words are around it is some other thing's ("全国平均" has no figure here).
    ones, others = ([f for f in figures(t, w) if f.measures(k) and f.weight > 0] for t, w, k in zip(texts, terms, wanted))
    pairs = [(a, b) for a in ones for b in others if comparable(a.unit, b.unit) and _unit_fits(a.unit, q)
             and _unit_fits(b.unit, q) and a.measures(b.kinds)
             and not (same_passage and (a.clause, a.start) == (b.clause, b.start))]
    # Ties go to the figures stated first, as a reader would take them.
    return max(pairs, key=lambda p: p[0].weight + p[1].weight, default=None)


def _side_windows(side: QuestionAnalysis, hits: list[Hit], scorer: WindowScorer, sims: list,
                  wanted: frozenset[str]) -> list[Window]:
    """The side's best separate windows that state a figure of the asked kind in the side's period, best first
    (the question already passed the answerability checks; units must still agree before anything is computed)."""
    windows = [w for w in scorer.windows(side, hits, sims) if w.coverage > 0
               and (not side.periods or hits[w.hit].chunk.period in side.periods)
               and any(f.measures(wanted) for f in figures(window_text(hits[w.hit], w), {}))]
    # Windows that overlap a better one mostly repeat its figures: each side gets its best separate ones.
    kept: list[Window] = []
    for w in sorted(windows, key=lambda w: -w.score):
        if not any(k.hit == w.hit and k.start < w.end and w.start < k.end for k in kept):
            kept.append(w)
    return kept[: scorer.w.side_windows]


def comparison_part(q: QuestionAnalysis, hits: list[Hit], scorer: WindowScorer, analyzer: Analyzer,
                    sims: list) -> tuple[AnswerPart, list[Window]] | None:
    """The computed statement and the two windows it rests on, or None when it cannot be computed."""
    sides = _sides(q, analyzer)
    if len(sides) != 2:
        return None
    # Each side's own terms: what the two sides share ("增速") does not tell their figures apart.
    own = [{t: v for t, v in s.terms.items() if t not in o.terms} or s.terms for s, o in zip(sides, sides[::-1])]
    terms = [_with_context(mine, theirs, scorer.w.other_side_weight) for mine, theirs in zip(own, own[::-1])]
    # A side that names no kind ("今年的目标") asks for the question's ("增速比今年的目标高几个百分点").
    wanted = [kinds(s.text, _ASKED_KINDS) or kinds(q.text, _ASKED_KINDS) for s in sides]
    candidates = [_side_windows(replace(s, terms={**t, **s.terms}), hits, scorer, sims, k)
                  for s, t, k in zip(sides, terms, wanted)]
    weighed = [{t: (v, scorer.tokenizer.alternatives(t)) for t, v in side.items()} for side in terms]
    # The best two windows, one per side, whose figures can be compared (the best window of a side may state
    # only a figure of another unit or kind: "比重达72%，较“十三五”末提高25.3个百分点").
    for windows in sorted(itertools.product(*candidates), key=lambda ws: -(ws[0].score + ws[1].score)):
        if windows[0] == windows[1] and not q.sides:
            continue
        texts = [window_text(hits[w.hit], w) for w in windows]
        pair = figure_pair(q, texts, weighed, wanted, same_passage=windows[0].hit == windows[1].hit)
        if pair:
            break
    else:
        return None
    (a, ua), (b, ub) = ((f.value, f.unit) for f in pair)
    # Figures at two magnitudes are computed in the smaller one (2.2万亩 − 500亩 = 21500亩).
    sa, sb = _scaled(ua)[0], _scaled(ub)[0]
    small = min(sa, sb)
    unit = ua if sa <= sb else ub
    x, y = (a * sa / small).normalize(), (b * sb / small).normalize()
    # As precise as the figures are written; scaled ones as their scaled values are (8418.6万元 and 1.3亿元).
    shown_a, shown_b = (a, b) if sa == sb else (x, y)
    places = max(-shown_a.as_tuple().exponent, -shown_b.as_tuple().exponent, 0)
    if RATIO.search(q.folded):
        return (_ratio(x, y, f"{a}{ua} ÷ {b}{ub}"), windows) if b else None
    if SHARE.search(q.folded):  # the part is the side before 占: at most the whole
        return (_share(x, y, f"{a}{ua} ÷ {b}{ub}"), windows) if 0 < x <= y else None
    which = WHICH_MORE.search(q.folded)
    if which and q.sides:
        # 多, 快, 少…: the last character says which one is asked for (a question may ask for the smaller one).
        return _which(q.sides, which.group(0)[-1], (x, f"{a}{ua}"), (y, f"{b}{ub}"), unit, places), windows
    if EXCEPT.search(q.folded):  # a total less one part of it: nothing left is no answer
        value, op, word = x - y, "−", "其余"
        if value <= 0:
            return None
    elif SUM.search(q.folded):
        value, op, word = x + y, "+", "合计"
    else:
        value, op = x - y, "−"
        rate = unit in ("%", "个百分点")
        up, down = (("提高", "下降") if rate else ("增加", "减少")) if _is_change(q) else (("高", "低") if rate else ("多", "少"))
        word = up if value >= 0 else down
    shown = "个百分点" if unit == "%" and op == "−" else unit
    value = abs(value)
    # A result under one of its magnitude is said in the next one down (4.8亿斤 − 4.77亿斤 = 300万斤, not 0.03亿斤),
    # unless the question asks in that magnitude ("多多少亿斤").
    while shown[:1] in MAGNITUDE and shown[1:] and 0 < value < 1 and not re.search(f"[多几]少?{shown[0]}", q.folded):
        value, places = value * MAGNITUDE["万"], max(places - 4, 0)
        shown = shown[1:] if shown[0] == "万" else "万" + shown[1:]
    result = value.quantize(Decimal(1).scaleb(-places))
    derivation = f"{a}{ua} {op} {b}{ub}"
    return AnswerPart(f"{word}{result}{shown}（{derivation}）", (), derivation), windows


def _ratio(a: Decimal, b: Decimal, derivation: str) -> AnswerPart:
    """"A是B的几倍": a ÷ b to two decimals at most, "约" when that rounds."""
    exact = a / b
    shown = Decimal(f"{exact:.2f}".rstrip("0").rstrip("."))
    about = "" if shown == exact else "约"
    return AnswerPart(f"{about}是{shown}倍（{derivation}）", (), derivation)


def _share(part: Decimal, whole: Decimal, derivation: str) -> AnswerPart:
    """"A占B的多大比例": part ÷ whole as a percentage to one decimal, "约" when that rounds."""
    exact = part / whole * 100
    shown = exact.quantize(Decimal("0.1"))
    about = "" if shown == exact else "约"
    return AnswerPart(f"{about}占{shown}%（{derivation}）", (), derivation)


def _which(sides: tuple[str, str], word: str, a: tuple[Decimal, str], b: tuple[Decimal, str], unit: str,
           places: int) -> AnswerPart:
    """"A和B哪个多": the one asked for (`word`: 多, 少…), named as the question names it, and by how much.
    Each figure comes as its value in `unit` and as the report writes it."""
    if a[0] == b[0]:
        return AnswerPart(f"两者相同，都是{a[1]}", ())
    smaller = word in "少小慢低"
    pick = int((a[0] > b[0]) == smaller)  # the side asked for
    name = re.sub(r"(?:19|20)\d\d年|[去今明前]年|的$", "", sides[pick]).strip("，, ")
    # Grounding checks every figure of an answer: a name with one ("PM2.5") is called by its place in the question.
    if not name or re.search(r"\d", name):
        name = ("前者", "后者")[pick]
    rate = unit in ("%", "个百分点")
    by = ("低" if rate else "少") if smaller else ("高" if rate else "多")
    big, small = max(a, b), min(a, b)
    result = (big[0] - small[0]).quantize(Decimal(1).scaleb(-places))
    shown = "个百分点" if unit == "%" else unit
    derivation = f"{big[1]} − {small[1]}"
    return AnswerPart(f"{name}更{word}，{by}{result}{shown}（{derivation}）", (), derivation)
