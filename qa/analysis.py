"""Question analysis, computed once per question and carried on the query to every later stage.

What the question is about (idf-weighted key terms), what it asks for (a figure, a unit, a date, a
definition, a list, a comparison), which periods and places it names, and its sub-questions.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

from .followup import merge
from .key_terms import MEASURE_UNITS, key_terms
from .lexical import Tokenizer
from .names import CoinedNames, foreign_places, specific_names
from .periods import last_year, periods_in, plan_less_its_last_year
from .question_parts import (HOW_MANY, QUESTION_WORDS, asking_clauses, context_weighted, unit_word, without_greeting,
                             without_the_speaker)
from .text import cn_to_arabic, fold, search_form, to_simplified, written_asking

FIGURE, DATE, DEFINITION, LIST, NAME, YESNO, COMPARISON = "figure", "date", "definition", "list", "name", "yesno", "comparison"
PERSON = "person"
# How many there are in all ("现在一共有多少家", "总数"), not how many were added: a 新增 figure is no answer.
TOTAL = "total"
_TOTAL = re.compile(r"(?:一共|总共|现在|目前|现)有?(?:多少|几)|总数")
ADDED = re.compile(r"新增|新建|新开|新认定|新培育|新引进|增加|多了")
_HOW_MUCH = re.compile(r"多少|(?<!哪)几|多大|多高|多长|多快|多远|比重|比例|增速|增幅|百分之|涨了|降了|提高了|下降了")
_WHEN = re.compile(r"什么时候|何时|哪一年|哪年|几月|哪天|哪一天|几号|哪个月|什么日子|哪几天")
# How precise a date is asked for: a day ("哪天", "几月几号"), a month ("几月", "哪个月"), a year ("哪一年").
DAY, MONTH, YEAR = "day", "month", "year"
_DATE_PRECISION = ((DAY, re.compile(r"哪天|哪一天|哪几天|几号|几日|什么日子")), (MONTH, re.compile(r"几月|哪个月|哪月")),
                   (YEAR, re.compile(r"哪一年|哪年|哪个年份")))
_DEFINE = re.compile(r"什么是|是什么|是(?:个|一个)什么(?=$|[？?。，,！!啊呀呢吗哈])|什么意思|指什么|指的是|是指|代表什么|代表的是|含义|什么叫|怎么理解|怎么回事")
# "哪些" and "哪三条" (which + a count) ask for every item of an enumeration.
_LIST = re.compile(r"哪些|包括什么|哪几|哪[两三四五六七八九十1-9]|都有什么|分别叫什么")
_WHICH = re.compile(r"什么|哪|谁")
# "几张文化名片是哪些", "那几条国道省道是哪几条": 几 and a measure word before a noun name the things a which-ones
# question asks about; they do not ask how many.
_SOME = re.compile(rf"(?<![多少第哪])几(?:{MEASURE_UNITS})(?=[\u4e00-\u9fff])")
# 什么人才 and 什么人群 ask for a kind of people, not a person; "借鉴谁的模式" asks whose, often a firm's (胖东来).
# "谁给翻译翻译", "谁知道" ask the listeners, not for a person.
_WHO = re.compile(r"谁(?!的|给|知道)|哪位|什么人(?![才群员口士])")
# Titles a person is named with ("刘国中副总理"); "区委书记叫什么名字" asks for a person too.
TITLE = r"(同志|总书记|书记|总理|主席|省长|市长|区长|县长|部长|局长|主任|董事长|总经理|院士|教授)"
# "哪个镇", "哪条路", "哪家银行": one place or body of a kind whose names end in the kind (大口镇, 高辛路, 人民医院);
# the answer must name one.
_WHICH_PLACE = re.compile(r"哪(?:一|几|些)?[个条座家所]?(镇|乡|村|县|区|市|省|路|街|社区|银行|公司|医院)")
_NAME_OF = re.compile(r"叫什么|姓什么|名字")
_YESNO = re.compile(r"吗[？?]?$|是否|有没有|是不是|能不能|会不会")
_CHANGE_VERBS = "提高|增加|增长|减少|下降|降低|上升|扩大|缩小|多出来?"
# A change between two named periods ("从“十四五”末到“十五五”末要提高多少").
CHANGE = re.compile(rf"(?:{_CHANGE_VERBS})了?(?:多少|几)")
# Without a 比 that orders two sides, "去年…今年…少了多少人" and "多打多少斤" ask for the change as well.
_MORE_OR_LESS = re.compile(r"(?<![至最多])(?:多|少)了?[\u4e00-\u9fff]?(?:多少|几)")
_THAN = re.compile(r"比(?![例重较])")
# "到“十五五”末还要提高多少", "还差多少": the gap from where things stand now to a target of a later period
# (a plain "还有多少人要安置" asks for a figure, not a gap).
GAP = re.compile(rf"还(?:要|需要?|得|有)再?(?:{_CHANGE_VERBS})(?:多少|几)|还差(?:多少|几)")
# A side or a question that says now ("比现在高出几个百分点", "从现在到“十五五”末要提高多少") means where things
# stand: the year and plan the report reviews.
NOW = re.compile(r"现在|目前|当前|如今|眼下")
SUM = re.compile(r"之和|总和|合计|共计|总计|加起来|加在一起|加一块|一共|总共|两项共|共有")
# "十四五累计接待的游客，除去2025年的，其余年份多少", "不算去年交的，前四年交了多少套": a total less one part of
# it (a verb that leaves a part out, then what is asked; 除了 is not one: "除了A还有B" adds).
EXCEPT = re.compile(r"(?:扣掉|扣除|除去|去掉|刨去|不算)[^，,。？?]*[，,]?.*(?:其余|其他|剩下|剩余|还有|多少|几)")
_TARGET = "目标|计划|预期"
# "A比B高多少" (not 比较, "rather"): the two sides are what comes before 比 and between 比 and the word.
_MORE_THAN = r"比(?!较)(.{1,30}?)(?:高|低|多|少|快|慢|大|小)[^，。？?]{0,3}?(?:多少|几)"
# "A跑赢B多少", "A高出B几个百分点": the same comparison with its verb before the other side.
_BEATS = r"(?:跑赢|跑输|高于|低于|高出|快于|慢于|多于|少于|领先)(.{2,30}?)(?:多少|几)"
_DIFFER = r"相差|差距|差了?(?:多少|几)"
# "A是B的几倍": a ratio; "A和B哪个多": which of two is bigger, and by how much.
RATIO = re.compile(r"(?:是|为|相当于)(.{1,30}?)的(?:几|多少)倍")
# "A占B的多大比例", "A占B的比例是多少": A's share of B, computed when the report gives both amounts, not the share.
SHARE = re.compile(r"占(?!比)([^，,。？?]{1,30}?)的?(?:(?:多大|多少)的?(?:比例|比重|份额|百分比)|百分之几|几成"
                   r"|(?:比例|比重|份额|百分比)(?:是|为|有|大约是|大概是)?(?:多少|几))")
WHICH_MORE = re.compile(r"哪(?:个|一个|项|一项|样)[^，,。？?多少大小快慢高低]{0,3}?更?(?:多|大|快|高|少|小|慢|低)")
# A computed comparison ("A比B高多少", "相差多少", "超额多少"; a sum of two things or periods); "比上年增长" is a rate.
_COMPARE = re.compile("|".join((_MORE_THAN, _BEATS, _DIFFER, r"超额|超[出过].{0,8}目标|比目标", EXCEPT.pattern,
                                 RATIO.pattern, SHARE.pattern, WHICH_MORE.pattern)))
# Units a question may ask for by dimension: any unit of length, any of area.
LENGTH, AREA = "长度", "面积"
# "第几名" asks a rank and "哪几件" which ones, not a count; "没几棵树", "好几个", "十几个" are remarks, not asks.
_UNIT = re.compile(rf"(?<![第哪没好十])(?:多少|几)[万亿]?({MEASURE_UNITS})")
# Asking for an amount of money, a length, an area or a percentage names the unit without saying it: 多少钱 and
# 总投资是多少 are in 元, 百分之几 and 几成 in %; 多长 asks for a length and 面积 for an area, in any unit of it
# (LENGTH, AREA); 多少亿 / 多少万 with no unit after it asks for a figure of that magnitude.
_IMPLIED_UNIT = ((re.compile(r"多少钱|几块钱|(?:投资|投入|资金|金额)(?:一共|总共|合计|共)?(?:是|为|有|达到?)?多少"), "元"),
                 (re.compile(r"多长(?!时间)|多远|长度|里程|全长"), LENGTH), (re.compile(r"面积"), AREA),
                 (re.compile(r"百分之(?:几|多少)|几成|(?:率|占比|比重|比例|增速|增幅|涨幅)[^，,。？?多几]{0,6}(?:多少|几)"
                             r"|(?:多少|多大)(?:的)?比例"), "%"),
                 (re.compile(r"(?:多少|几)亿"), "亿"), (re.compile(r"(?:多少|几)万"), "万"))
_WHOLE_UNIT = re.compile(r"([\u4e00-\u9fff]{2,3})全([省市])")
_SUBQUESTION = re.compile(r"[^？?]+[？?]?")
ASK_AT = re.compile(r"多少|几|什么|哪|谁|是否|有没有|吗|如何|怎么|怎样")
KEYWORD_MAX_CHARS = 12


@dataclass(frozen=True)
class QuestionAnalysis:
    text: str  # as understood, Traditional characters folded to Simplified
    folded: str  # search form with Arabic figures
    terms: dict[str, float]  # key terms and their idf weights
    asks: frozenset[str]
    unit: str | None  # the unit a figure must carry ("公里" in 多少公里)
    periods: tuple[str, ...]
    unknown_places: tuple[str, ...]  # places named that no document mentions
    wider_places: tuple[str, ...]  # units above the reports' own (洛阳 for 偃师区) named without any report's own place
    uncovered_year: str | None  # a year the documents do not report on
    keyword: bool  # a bare keyword query ("充电桩")
    parts: tuple["QuestionAnalysis", ...] = field(default=())  # sub-questions of a multi-part question
    sides: tuple[str, str] | None = None  # the two things a comparison compares ("A比B…")
    focus: str | None = None  # the key term nearest the question word: what is asked about ("平均工资")
    year: int | None = None  # the report year its relative words (去年, 今年) were read against
    unexplained_name: str | None = None  # a coined name whose meaning it asks and no report explains ("五基四化")
    defines: str | None = None  # the name a what-is or which-items question asks about (“6” in “1+2+10+6”中的“6”)
    specific: tuple[str, ...] = ()  # key terms naming one specific thing (few passages use them: "华夏路东延")
    place_kind: str | None = None  # the kind of place a which-place question asks for ("镇" in 哪个镇)
    # Places the documents mention but are not about (郑州 in the Yanshi report): the evidence must name them.
    foreign_places: tuple[str, ...] = ()

    def asks_for(self, kind: str) -> bool:
        return kind in self.asks


class Analyzer:
    """Everything about a question that needs the documents: term weights, known places and years."""

    def __init__(self, tokenizer: Tokenizer, passages: list[str], home_places: frozenset[str],
                 report_year: int | None, absent_word_weight: float, own_places: frozenset[str] = frozenset(),
                 specific_passages: int = 0, context_weight: float = 1.0) -> None:
        self.tokenizer = tokenizer
        # The places the documents are about ("偃师" in the Yanshi report, and the units above it that its
        # header names, "洛阳"): a question naming them asks nothing more specific, so they are not key terms.
        self.home_places = home_places
        # The reports' own places: a question that names a unit above them and none of these asks about
        # that unit ("洛阳市2025年地区生产总值" is the city's figure, which a district's report does not give).
        self.own_places = own_places
        self.report_year = report_year
        self.absent_word_weight = absent_word_weight
        self.specific_passages = specific_passages
        self.context_weight = context_weight
        self._corpus = [search_form(cn_to_arabic(t)) for t in passages]
        self._df_cache: dict[str, int] = {}
        self.names = CoinedNames(self._corpus)

    @staticmethod
    def fold(text: str) -> str:
        return fold(text)

    @property
    def passages(self) -> int:
        """How many passages the document frequencies count over."""
        return len(self._corpus)

    def df(self, token: str) -> int:
        if token not in self._df_cache:
            self._df_cache[token] = sum(token in text for text in self._corpus)
        return self._df_cache[token]

    def idf(self, token: str) -> float:
        # A word absent from every document counts like a rare one; single characters carry little.
        return math.log((len(self._corpus) + 1) / (max(self.df(token), 1) + 0.5)) * (0.3 if len(token) == 1 else 1.0)

    def analyse(self, question: str, split: bool = True, year: int | None = None) -> QuestionAnalysis:
        """`year`: the report year relative words resolve against (default: the newest report's)."""
        year = year or self.report_year
        text = without_greeting(written_asking(to_simplified(question.strip()))) or question.strip()
        text = plan_less_its_last_year(text, year)
        folded = search_form(cn_to_arabic(text))
        asks = set()
        counted = _SOME.sub("", text) if _LIST.search(text) else text  # the question without the things it names
        if _HOW_MUCH.search(counted):
            asks.add(FIGURE)
        if _WHEN.search(text):
            asks.add(DATE)
            asks.update(next(([kind] for kind, pattern in _DATE_PRECISION if pattern.search(text)), []))
        if _DEFINE.search(text):
            asks.add(DEFINITION)
        if _LIST.search(text):
            asks.add(LIST)
        if _WHICH.search(text):
            asks.add(NAME)
        if _WHO.search(text) or (_NAME_OF.search(text) and re.search(TITLE, text)):
            asks.add(PERSON)
        if _TOTAL.search(text) and not ADDED.search(text):
            asks.add(TOTAL)
        if _YESNO.search(text):
            asks.add(YESNO)
        periods = tuple(periods_in(text, year))
        # A sum adds two things or two periods ("A和B一共多少"; one thing's "一共交了多少套" asks for its figure); a
        # change between two named periods is computed from each's figure ("2025年GDP增长多少" is a reported rate).
        sums = SUM.search(folded) and (len(set(periods)) >= 2 or self._sides(text))
        compare = (_COMPARE.search(folded) or sums or (len(set(periods)) >= 2 and asks_change(folded))
                   or self.is_gap(folded, periods, year))
        if compare:
            asks.add(COMPARISON)
        else:
            periods = self._asked_periods(text, year, periods)
        fragment = unit_word(text)
        if fragment:
            asks.add(FIGURE)
        unit = _UNIT.search(search_form(cn_to_arabic(counted))) or fragment
        unit_name = unit.group(1) if unit else next((u for pattern, u in _IMPLIED_UNIT if pattern.search(folded)), None)
        parts = tuple(self.analyse(p, split=False, year=year) for p in self._subquestions(text)) if split else ()
        # "去年新增就业多少人？技能培训多少人？": a part that names no period asks about the first part's.
        parts = tuple(p if p.periods or i == 0 else replace(p, periods=parts[0].periods) for i, p in enumerate(parts))
        terms, nouns = self.terms_and_nouns(text)
        terms = context_weighted(text, terms, self.absent_word_weight, self.context_weight)
        about = without_the_speaker(text)
        named, suffixed = self.tokenizer.places(about, bare=True), self.tokenizer.places(about)
        # "洛阳全市", "河南全省" ask about the whole city or province, whichever it is.
        whole = self.tokenizer.places(_WHOLE_UNIT.sub(r"\1\2", about)) if _WHOLE_UNIT.search(about) else []
        return QuestionAnalysis(
            text=text, folded=folded, terms=terms, asks=frozenset(asks),
            # In the order the question names them: a tie in weight goes to the first, whatever the hash seed.
            focus=_focus(folded, {t: self.idf(t) for t in sorted(nouns, key=lambda t: (folded.find(t), t))} or terms),
            unit=unit_name, periods=periods,
            unknown_places=tuple(p for p in named if not self.df(p)),
            wider_places=() if any(p in folded for p in self.own_places)
            else tuple(dict.fromkeys(p for p in named + whole if p not in self.own_places
                                     and (p in self.home_places or p in whole) and not self._in_a_name(p, folded))),
            uncovered_year=self._uncovered_year(folded),
            keyword=len(folded) <= KEYWORD_MAX_CHARS and not QUESTION_WORDS.search(text),
            parts=parts if len(parts) > 1 else (), sides=self._sides(text) if compare else None, year=year,
            unexplained_name=self.names.asked_unexplained(folded),
            defines=self.names.asked_name(folded) if asks & {DEFINITION, LIST} else None,
            specific=specific_names(search_form(cn_to_arabic(about)), terms, nouns, self.df, self.specific_passages),
            foreign_places=foreign_places(named, suffixed, self.df, self.home_places | self.own_places,
                                          self.specific_passages),
            place_kind=next(iter(_WHICH_PLACE.findall(text)), None),
        )

    def _in_a_name(self, place: str, folded: str) -> bool:
        """The place begins a name the documents use ("河南省创新龙头企业", an award): the question asks about
        the name, not the place."""
        at = folded.find(place)
        return at >= 0 and bool(self.df(folded[at : at + len(place) + 3]))

    @staticmethod
    def is_gap(folded: str, periods: tuple[str, ...], year: int | None) -> bool:
        """Asks how far a later period's target is from now: every period it names is after the report's."""
        asks = GAP.search(folded) or (NOW.search(folded) and CHANGE.search(folded))
        return bool(asks and periods and year and all(last_year(p) >= year for p in periods))

    def key_terms(self, question: str) -> dict[str, float]:
        """Content words weighted by idf; a word the documents never use is backed off to its parts."""
        return self.terms_and_nouns(question)[0]

    def terms_and_nouns(self, question: str) -> tuple[dict[str, float], set[str]]:
        """Key terms with their weights, and which of them name things (nouns, Latin words, quoted names)."""
        return key_terms(question, self)

    def _subquestions(self, question: str) -> list[str]:
        """"A是多少？B呢？" asks two things; a part without its own subject borrows the first part's."""
        parts = [p.strip() for p in _SUBQUESTION.findall(question) if len(p.strip("？? ")) > 1]
        # A remark after the question ("…总投资多少？想给群里算个总账") asks nothing.
        parts = [p for p in parts if QUESTION_WORDS.search(p)] or parts
        # Two how-much clauses joined by a comma ask two things ("一共多少个，总投资多少"); the second, without a
        # subject of its own, asks about the first one's subject, not about its count.
        if len(parts) <= 1:
            clauses = asking_clauses(parts[0]) if parts else []
            if len(clauses) <= 1:
                return [question]
            subject = clauses[0][: HOW_MANY.search(clauses[0]).start()]
            return clauses[:1] + [c if self._own_subject(c) else subject + c for c in clauses[1:]]
        first = parts[0]
        return [first] + [p if self._own_subject(p) else merge(p, first) for p in parts[1:]]

    def _own_subject(self, part: str) -> bool:
        # One-character words ("总") name no subject: "总投资多少？" asks about the first part's projects.
        return len([t for t in self.key_terms(part) if self.df(t) and len(t) > 1]) >= 2

    @staticmethod
    def _asked_periods(text: str, year: int | None, periods: tuple[str, ...]) -> tuple[str, ...]:
        """The periods a question that compares nothing asks about: when only one clause asks ("既然去年GDP增长了
        10%，今年目标是多少"), a period named only in another clause is the asker's premise."""
        asking = [c for c in re.split(r"[，,；;]", text) if QUESTION_WORDS.search(c)]
        own = tuple(periods_in(asking[0], year)) if len(asking) == 1 else ()
        return own if len(set(own)) == 1 and len(set(periods)) > 1 else periods

    def _uncovered_year(self, folded: str) -> str | None:
        """A year the documents never name and that ends no five-year plan (2024, 2027) is not reported on;
        a plan's last year (2025, 2030) is, through the plan's targets and results."""
        years = re.findall(r"((?:19|20)\d\d)年", folded)
        return next((y for y in years if not self.df(f"{y}年") and (int(y) - 2020) % 5), None)

    def _sides(self, text: str) -> tuple[str, str] | None:
        """The two things compared: "A比B高多少" or "A跑赢B多少" → (A, B); "A和B一共多少" → (A, B); else None (one thing
        across periods, e.g. a result against its target: "去年的增速比今年的目标高多少"; a target that names its
        own thing, "比地区生产总值目标高几个点", is another thing)."""
        for pattern in (_MORE_THAN, _BEATS, RATIO.pattern, SHARE.pattern):
            m = re.search(r"^(.*?)" + pattern, text)
            if m and m.group(2) and (not re.search(_TARGET, m.group(2)) or any(
                    len(t) > 1 and self.df(t) and not re.search(_TARGET, t) for t in self.key_terms(m.group(2)))):
                return m.group(1), m.group(2)
        # 和 before 加: "规上工业增加值增速和GDP增速" is not cut at the 加 of 增加值.
        for conjunction in ("和|与|及|跟", "加上|加"):
            m = re.search(rf"^(.*?)(?:{conjunction})(.*?)(?:{_DIFFER}|{SUM.pattern}|{WHICH_MORE.pattern})", text)
            if m and (SUM.search(text) or re.search(_DIFFER, text) or WHICH_MORE.search(text)):
                return m.group(1), m.group(2)
        return None


def asks_change(folded: str) -> bool:
    """Whether a question naming two periods asks how a figure changed between them."""
    return bool(CHANGE.search(folded) or (not _THAN.search(folded) and _MORE_OR_LESS.search(folded)))


def _focus(folded: str, terms: dict[str, float]) -> str | None:
    """The key term that ends nearest before the question word ("职工平均工资是多少" → 平均工资), else the
    first one after it; a keyword query's focus is its rarest term."""
    placed = [(folded.find(t), t) for t in terms if folded.find(t) >= 0]
    if not placed:
        return max(terms, key=terms.get) if terms else None
    ask = ASK_AT.search(folded)
    if not ask:
        return max(placed, key=lambda p: terms[p[1]])[1]
    before = [(pos + len(t), t) for pos, t in placed if pos + len(t) <= ask.start()]
    if before:
        return max(before, key=lambda p: (p[0], len(p[1])))[1]
    return min(placed)[1]
