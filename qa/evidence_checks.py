"""What the evidence must give: the checks a window passes to answer what the question asks (the foreign place
it names, the asked type, the unit, a change or a total, the period), and for the person asking, why the closest
evidence does not.
"""
from __future__ import annotations

import re
from collections.abc import Collection

from .analysis import (ADDED, AREA, ASK_AT, COMPARISON, DATE, DAY, DEFINITION, FIGURE, LENGTH, LIST, MONTH, PERSON,
                       SHARE, TITLE, TOTAL, YEAR, QuestionAnalysis)
from .averages import average_part
from .periods import GLOSSARY
from .relative_figures import implied
from .restated import adds_a_figure, lists_the_counted
from .text import CLAUSE_BREAK, WRITTEN_YEAR, numbers_in
from .types import Hit
from .windows import TIME_WORDS, Window, WindowScorer, has_figure, unit_pattern, window_text


def answering_windows(q: QuestionAnalysis, hits: list[Hit], windows: list[Window],
                      scorer: WindowScorer) -> tuple[list[Window], str]:
    """The windows that give what is asked, best first, and "" — or, when none does, the windows that come
    closest and what they lack: "place" (not the foreign place named), "type" (no figure or date), "unit" (not
    in the asked unit), "change" (a level, for how much something rose), "total" (only the number added, for
    a total), "per" (a total, for a figure per person or unit), "level" (a growth rate, for an amount), "period"
    (only another period's), "combined" (the best one gives one figure for two things, for one of them),
    "restated" (its only figures are ones the question states), "unlisted" (it counts the things asked for
    without listing them)."""
    ordered = sorted(windows, key=lambda w: -w.score)
    # A question asking what a name means or counts is answered by the report's explanation of that name
    # wherever one was retrieved, not by a sentence that merely uses it ("按照“五共五连”原则，压茬推进…").
    explained = [w for w in ordered if scorer.explains_asked_name(q, hits[w.hit], w)]
    # A window that gives what is asked about something else is no answer: when the best window holds the
    # question's focus, so must the one that answers ("新增高技能人才2000人" is 2026's; 2025's 技能培训8646人
    # does not answer for 2025).
    if explained:
        ordered = explained
    elif ordered and q.focus and q.focus in window_text(hits[ordered[0].hit], ordered[0]):
        ordered = [w for w in ordered if q.focus in window_text(hits[w.hit], w)]
    for problem, keeps in (("place", lambda w: place_ok(q, window_text(hits[w.hit], w))),
                           ("type", lambda w: type_ok(q, hits[w.hit], w)),
                           ("unit", lambda w: unit_ok(q, hits[w.hit], w, scorer)),
                           ("change", lambda w: change_ok(q, window_text(hits[w.hit], w))),
                           ("total", lambda w: total_ok(q, window_text(hits[w.hit], w))),
                           ("per", lambda w: per_ok(q, window_text(hits[w.hit], w), scorer)),
                           ("level", lambda w: level_ok(q, window_text(hits[w.hit], w))),
                           ("period", lambda w: period_ok(q, hits[w.hit], w, scorer))):
        kept = [w for w in ordered if keeps(w)]
        if not kept:
            return ordered, problem
        ordered = kept
    if not ordered:
        return ordered, ""
    # Only the best window is asked whether its figure is a combined one, adds a figure or lists the things it
    # counts: a lower window that passes names something else ("…3家企业获评省级智能车间、智能工厂" for 和美村).
    best = window_text(hits[ordered[0].hit], ordered[0])
    if combined(q, best):
        return ordered, "combined"
    if not adds_a_figure(q, best):
        return ordered, "restated"
    if not lists_the_counted(q, best):
        return ordered, "unlisted"
    return ordered, ""


def best_window(q: QuestionAnalysis, hits: list[Hit], windows: list[Window], scorer: WindowScorer) -> tuple[Window | None, str]:
    """The best window that gives what is asked (else the closest) and what it lacks ("" for nothing)."""
    ordered, problem = answering_windows(q, hits, windows, scorer)
    return (ordered[0] if ordered else None), problem


# A person named with a title ("刘国中副总理", "习近平总书记"); a title after an organ ("区委书记") names nobody.
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,3}(?<![委局府院会部厅办司处区市县室协一])副?" + TITLE)


def _person_named(q: QuestionAnalysis, piece: str) -> bool:
    """The evidence names a person, with the title the question asks about if it names one ("区委书记是谁"
    is not answered by 习近平总书记)."""
    asked = {m.group(1) for m in re.finditer(TITLE, q.folded)}
    return any(not asked or m.group(1) in asked for m in _PERSON.finditer(piece))


# Which ones: the evidence must name more than one thing ("9所学校入选…试点校名单" counts them, names none).
_LISTS = re.compile(r"、|；|;|：|:|和|与|及|等|”“")
_DAY = re.compile(r"\d+月\d+[日号]|\d+[日号](?![文线楼院])")


def _stated(words: Collection[str], piece: str, unit: str | None = None) -> list[str]:
    """The window's clauses that state a figure (in the unit, if one is given) beside one of these words."""
    figure = unit_pattern(unit).search if unit else has_figure
    return [c for c in CLAUSE_BREAK.split(piece) if figure(c) and any(w in c for w in words)]


def _stated_for(names: tuple[str, ...], piece: str, unit: str | None = None) -> bool:
    """A clause of the window names one of these specific things and states a figure (in the unit, if one is
    asked): a project's own investment, not that of the 45 projects the sentence counts it among."""
    return bool(_stated(names, piece, unit))


def unit_ok(q: QuestionAnalysis, hit: Hit, w: Window, scorer: WindowScorer) -> bool:
    """The asked unit's figure is in a clause about the question, and beside the name of the specific thing
    asked about ("…等23个项目投产达效" names 夏都智谷科技产业园 with a count, not an investment)."""
    if not scorer.has_unit_figure(q, hit, w) and not SHARE.search(q.folded):  # a share is computed from amounts
        return False
    return not (q.unit and q.specific and not q.asks_for(COMPARISON)
                and not _stated_for(q.specific, window_text(hit, w), q.unit))


def place_ok(q: QuestionAnalysis, piece: str) -> bool:
    """The window names each foreign place the question does; a figure must be stated for it ("对接郑州、洛阳客源
    市场，确保接待游客人数…增长5%" states 偃师's growth, not 郑州's)."""
    if q.asks_for(FIGURE) and not q.asks_for(COMPARISON):
        return all(_stated_for((p,), piece, q.unit) for p in q.foreign_places)
    return all(p in piece for p in q.foreign_places)


# How much something rose or fell ("同比增长多少", "减产了多少") is answered by a change ("增长13.8%", "较…提高30%"),
# not by a level ("总产4.77亿斤", "增至8.89%"; "由…增至…" and "…倍" are changes).
_ASKS_CHANGE = re.compile(r"(?:提高|增加|增长|减少|下降|降低|上升|减产|增产|涨|降)了?(?:多少|几)")
_CHANGE_STATED = re.compile(r"(?:提高|提升|增长|增加|新增|下降|减少|降低|上升|扩大|缩小|增|降|减)(?![至到])|较|比|由|倍|翻")


def change_ok(q: QuestionAnalysis, piece: str) -> bool:
    """Not a how-much-did-it-rise question, or a clause stating its figure says it is a change."""
    if not (q.asks_for(FIGURE) and not q.asks_for(COMPARISON) and _ASKS_CHANGE.search(q.folded)):
        return True
    stated = _stated(q.terms, piece)
    return not stated or any(_CHANGE_STATED.search(c) for c in stated)


# A question for an amount names no rate: not 增长, 增速, 百分之, 比重, 几个点, 几倍…
_ASKS_RATE = re.compile(r"增|涨|降|提高|提升|减少|百分|%|比例|比重|占比|率|倍|快|慢|点|翻|幅")
_GROWTH = re.compile(r"(?:增长|下降|提高|提升|增加|减少|降低|上升|增|降)了?\d+(?:\.\d+)?%")


def level_ok(q: QuestionAnalysis, piece: str) -> bool:
    """An amount ("2025年固定资产投资总额是多少") is not answered by its growth rate alone ("固定资产投资增长5.2%"):
    some clause stating a figure beside the question's words states one that is not a growth rate."""
    if not q.asks_for(FIGURE) or q.asks_for(COMPARISON) or q.unit or _ASKS_RATE.search(q.folded):
        return True
    stated = _stated(q.terms, piece)
    return not stated or any(has_figure(_GROWTH.sub("", c)) for c in stated)


def total_ok(q: QuestionAnalysis, piece: str) -> bool:
    """Not a how-many-in-all question, or not every figure stated for it is an addition ("新增…高新技术企业6家")."""
    stated = _stated(q.terms, piece)
    return not (q.asks_for(TOTAL) and stated and all(ADDED.search(c) for c in stated))


def _names_kind(q: QuestionAnalysis, piece: str) -> bool:
    """The window names a place of the asked kind ("大口镇" for 哪个镇), in a clause that names the specific thing
    asked about if there is one (上海金帅黑灯工厂's clause names no town)."""
    kind = re.compile(rf"[\u4e00-\u9fff]{{2}}{q.place_kind}")
    return any(kind.search(c) and (not q.specific or any(n in c for n in q.specific))
               for c in CLAUSE_BREAK.split(piece))


# A figure per person, household or unit ("每户能补多少钱", "人均", "个人最高能贷多少"; not 每年, which 年均
# answers) is not answered by a total ("发放创业担保贷款2000万元").
_ASKS_PER = re.compile(r"每(?:[人户亩个位名家]|平米|平方米)|人均|户均|个人最高|最高能")
_PER_STATED = re.compile(r"每|人均|户均|最高|/")


def per_ok(q: QuestionAnalysis, piece: str, scorer: WindowScorer) -> bool:
    """Not a per-unit question, or a clause stating its figure says it is per unit (每, 人均, 户均, 最高), or the
    piece gives a count and a total whose average the question asks ("平均每个项目投资多少"). The report's words
    for the question's count too: "人均GDP" is not answered by "地区生产总值增长6.7%"."""
    if not (q.asks_for(FIGURE) and _ASKS_PER.search(q.folded)):
        return True
    words = scorer.tokenizer.with_alternatives(q.terms)
    stated = _stated(words, piece)
    return not stated or any(_PER_STATED.search(c) for c in stated) or average_part(q, piece, words) is not None


# "…获评省级和美村、富美村": one figure for two things named side by side; "和美村有几个" asks for a part of it.
_SIDE_BY_SIDE = re.compile(r"([\u4e00-\u9fff]{2,8})、([\u4e00-\u9fff]{2,8})")
_ASKED_TAIL = re.compile(r"[^，,。；;中里的]*$")


def combined(q: QuestionAnalysis, piece: str) -> bool:
    """The window states one figure for two things named side by side ("18个村获评省级和美村、富美村") and the
    question asks for one of them alone (named just before its question word, the other not)."""
    ask = ASK_AT.search(q.folded)
    if not (q.asks_for(FIGURE) and ask) or q.asks_for(COMPARISON) or q.asks_for(TOTAL):
        return False
    tail = _ASKED_TAIL.search(q.folded[: ask.start()]).group(0)
    if "、" in tail:  # "煤炭、煤电等…比例": the question asks about the things together
        return False
    for clause in CLAUSE_BREAK.split(piece):
        if len(numbers_in(clause)) != 1:
            continue
        for m in _SIDE_BY_SIDE.finditer(clause):
            a, b = m.group(1), m.group(2)
            # The figure counts what the joined things name ("18个村获评省级和美村、富美村"); a figure after them may
            # be the last one's own ("…、润鑫铝业年产7万吨铝板带"). A's head word ends it, B's begins it.
            if numbers_in(clause[: m.start()]) and (a[-3:] in tail) != (b[:3] in tail):
                return True
    return False


def type_ok(q: QuestionAnalysis, hit: Hit, w: Window) -> bool:
    piece = window_text(hit, w)
    if q.asks_for(FIGURE) and not has_figure(piece):
        return False
    if q.asks_for(FIGURE) and not q.asks_for(COMPARISON) and q.specific and not _stated_for(q.specific, piece):
        return False
    if q.place_kind and not _names_kind(q, piece):
        return False
    if q.asks_for(PERSON) and not _person_named(q, piece):
        return False
    if q.asks_for(LIST) and not q.asks_for(DEFINITION) and not _LISTS.search(piece):
        return False
    if q.asks_for(DAY):
        return bool(_DAY.search(piece))
    if q.asks_for(MONTH):
        return bool(TIME_WORDS.search(piece))
    if q.asks_for(YEAR):
        # The year written in the window. A section's year was tried too (the 2025 review does not repeat its
        # year): in the fitting and report sets it answered more unanswerable "since which year" questions
        # ("免费学前教育是从哪年开始") than it saved.
        return bool(WRITTEN_YEAR.search(piece))
    return not (q.asks_for(DATE) and not TIME_WORDS.search(piece) and not numbers_in(piece))


# The question measures against a period ("比十三五末增长多少"); 比重, 比例 and 比率 are no comparison.
_AGAINST = re.compile(r"比(?!重|例|率)|较|相比|对比|以来|翻")


def period_ok(q: QuestionAnalysis, hit: Hit, w: Window, scorer: WindowScorer) -> bool:
    """The window reports on a period the question names: its section's, or one the window itself names
    ("较“十三五”增长57%" in the 十四五 review answers a question measured against 十三五)."""
    period = hit.chunk.period
    if not q.periods or period in q.periods or period in ("", GLOSSARY):
        return True
    piece = window_text(hit, w)
    # "较“十三五”末增长20.2%" names 十三五 as what 十四五 is measured against: it answers "比十三五末增长多少", not
    # what happened in 十三五 itself ("十三五那五年平均每年增长多少"), unless the gap can be undone
    # ("较“十三五”末提高25.3个百分点" gives 十三五's level).
    against = _AGAINST.search(q.folded)

    def baseline_only(p: str) -> bool:
        return (not against and bool(re.search(rf"较“?{p}", piece))
                and all(r.reference != p for r in implied(q, piece, scorer.tokenizer.alternatives)))

    return any(p in piece and not baseline_only(p) for p in q.periods)


def key_term(q: QuestionAnalysis) -> str:
    """What the question is about: its focus, else its weightiest key term ("" for none)."""
    return q.focus or max(q.terms, key=q.terms.get, default="")


# What the evidence lacks, for the problems whose reason does not depend on the question.
_LACKS = {"change": "报告中只有总量，没有增减的数字", "combined": "报告中只有几项合计的数字，没有其中单独一项的",
          "level": "报告中只有增长率，没有总量数字", "unlisted": "报告只给出了数量或其中几个，没有全部列出是哪些",
          "restated": "报告中只有问题里已经提到的数字，没有所问的这一部分",
          "per": "报告中只有总数，没有人均或每一份的数字", "total": "报告中只有新增的数量，没有总数"}


def lacking(problem: str, q: QuestionAnalysis, unused: bool = False) -> str:
    """Why the evidence does not answer, for the person asking; `unused`: no document uses the question's
    focus (or its weightiest term) at all, so the reason may say so of the whole report."""
    if problem == "unit":
        if q.unit in (LENGTH, AREA):
            return f"报告中没有相关的{q.unit}数字"
        return f"报告中没有以“{q.unit}”为单位的相关数字"
    if problem == "place":
        return f"报告只提到{q.foreign_places[0]}，没有它的相关情况"
    if problem in _LACKS:
        return _LACKS[problem]
    if problem == "period":
        named = "、".join(f"{p}年" if p.isdigit() else f"“{p}”时期" for p in q.periods)
        return f"报告中没有{named}的相关情况"
    if problem == "terms":
        key = key_term(q)
        if unused and key:
            return f"报告中没有提到“{key}”"
        return f"找到的段落里没有“{key}”等问题中的关键词" if key else "报告中没有足以回答这个问题的依据"
    if q.asks_for(PERSON):
        return "报告中没有提到具体是谁"
    if q.place_kind:
        return f"报告中没有列出具体是哪些{q.place_kind}" if q.asks_for(LIST) else f"报告中没有提到具体是哪个{q.place_kind}"
    precision = next((word for kind, word in ((DAY, "日期"), (MONTH, "月份"), (YEAR, "年份")) if q.asks_for(kind)), None)
    if precision:
        return f"报告中没有给出具体{precision}"
    if q.asks_for(LIST) and not q.asks_for(FIGURE):
        return "报告中没有列出具体是哪些"
    if q.asks_for(FIGURE) and q.specific:
        return f"报告中没有给出“{max(q.specific, key=len)}”的相关数字"
    return "报告中没有回答这个问题所需的数字或日期"
