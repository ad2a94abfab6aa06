"""Names in questions: coined names ("五基四化", "362", "两河三渠") and whether the reports explain them, the
names of specific things ("夏都智谷科技产业园") and of places the reports are not about (郑州), whose figures
must be stated beside them.

Reports coin names in quotes and explain few of them: the glossary's entries and the odd "“X”即……" in the
body. A question asking what such a name means or which items it counts can only be answered where the report
explains it; elsewhere the best passage merely mentions the name, and quoting that back is a confident
non-answer. Both sides are read from the documents' structure, not from a word list.
"""
from __future__ import annotations

import re
from typing import Callable

from .periods import periods_in
from .text import QUOTED
# Right after the name (a glossary heading's full stop may come between): 即, 是指, 指的是, a colon or a bracket explains it.
_EXPLAINS = re.compile(r"^[”\"》]?[^,，;；]{0,12}?(?:即|是指|指的是|:|：|\(|（)")
_SENTENCE = re.compile(r"[。;；!！?？]")
_CLAUSE = re.compile(r"[,，:：]")
_LAST_JOINED = re.compile(r"[\u4e00-\u9fff]{2}(?:与|和|及)[\u4e00-\u9fff]{2}")
_NUMERAL = {"一": 1, "两": 2, "二": 2, "双": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# What a question asks of a name: its meaning, or the items its numeral counts ("哪三条", "包括哪些").
_ASKS_MEANING = (r"什么意思|是什么|指什么|指的是|是指|代表什么|含义|怎么理解|怎么划分|包括哪些|包括什么|"
                 r"具体(?:有|是)哪些|干什么|做什么|怎么回事")
# "哪三条", "指哪几条" ask for the items only of a name that counts them ("四张清单"); of another name
# ("“瞪羚”企业是哪两家") they ask for the things it names, which the report may list.
_ASKS_ITEMS = r"哪[两二三四五六七八九十几1-9]|指哪"
# Between the name and the asking phrase: the thing it names ("养老服务体系") or 具体, not one of its attributes
# ("“万人助万企”活动的满意率目标是什么", "偃师布鞋注册的是什么商标" ask about a 的-phrase, which the report may state).
_FILLER = r"[”\"》]?[^,，。?？;；的]{0,10}?"
# "是指哪个派出所" asks which one, which a sentence naming it answers ("岳滩派出所成功创建…“枫桥式公安派出所”").
_WHICH_ONE = r"(?!哪[个家位里座所条])"
# A quoted name of any length: a question may ask about one figure of a coined name ("“1+2+4+N”里的“4”").
_QUOTED_ANY = re.compile(r"[“\"]([^”\"]{1,20})[”\"]")
_COMPOUND = re.compile(r"[\da-z]+(?:\+[\da-z]+)+", re.IGNORECASE)


def _counts(name: str) -> set[int]:
    """How many items a name may count: the numeral it opens with ("三医一张网" → 3) and the sum of its
    numerals ("两降一升" → 3); one item is no list."""
    numerals = [_NUMERAL[ch] for ch in name if ch in _NUMERAL] or ([int(name[0])] if name[:1].isdigit() else [])
    return {n for n in (numerals[:1] + [sum(numerals)]) if n > 1} if numerals else set()


def _distinctive(name: str) -> bool:
    """A name a question may write without quotes and still mean the report's: a numeral in it, or three
    characters or more."""
    return len(name) >= 3 or bool(_counts(name))


def _items(clause: str) -> int:
    """How many items a listing clause names: one more than its 、, and one more if its last item joins two
    with 与, 和 or 及 ("高速公路、干线路网与桥梁建设" names three)."""
    return clause.count("、") + 1 + bool(_LAST_JOINED.search(clause.rsplit("、", 1)[-1]))


class CoinedNames:
    """The quoted names of a set of passages, and which of them some passage explains. Passages and questions
    come in the folded form (`text.fold`) the Analyzer already holds them in."""

    def __init__(self, folded_passages: list[str]) -> None:
        self._texts = folded_passages
        quoted = {n for t in folded_passages for n in QUOTED.findall(t)}
        # A five-year plan's name ("十五五") is a period, not a coined name; figures joined by + ("1+2+10+6") are
        # one, which a question may write without quotes.
        self.names = frozenset(n for n in quoted if (re.search(r"[\u4e00-\u9fff]", n) or _COMPOUND.fullmatch(n))
                               and not periods_in(n, None))
        self._explained: dict[str, bool] = {}

    def explained(self, name: str) -> bool:
        """Some passage explains the name: a marker right after it, or, in the last listing clause of its
        sentence before it or the clause right after it, as many items as it counts ("确保PM2.5、PM10、优良天数…，
        实现“两降一升”")."""
        if name not in self._explained:
            found = any(self._explains(text, name) for text in self._texts if name in text)
            if name not in self.names:  # a name only a question quotes: not kept, so questions cannot grow it
                return found
            self._explained[name] = found
        return self._explained[name]

    @staticmethod
    def _explains(text: str, name: str) -> bool:
        counts = _counts(name)
        for m in re.finditer(re.escape(name), text):
            if _EXPLAINS.match(text[m.end():m.end() + 16]):
                return True
            sentence = _SENTENCE.split(text[max(0, m.start() - 80):m.start()])[-1]
            before = next((c for c in reversed(_CLAUSE.split(sentence)) if "、" in c), "")
            # Or, when the name opens its clause, the rest of that clause: "“三位一体”推进高速公路、干线路网与桥梁建设"
            # (not "民营经济“两个健康”实践创新示范县、…", where the name is inside the clause's own words).
            opens = not re.sub(r"[“\"]$", "", _CLAUSE.split(sentence)[-1])
            after = _CLAUSE.split(_SENTENCE.split(text[m.end():m.end() + 80])[0])[0] if opens else ""
            if any(_items(c) in counts for c in (before, after) if "、" in c):
                return True
        return False

    def written_in(self, question: str) -> list[str]:
        """The report's distinctive coined names (a numeral in them, or three characters or more) a question
        writes without quotes, longest first and none inside another found."""
        found: list[str] = []
        for name in sorted(self.names, key=len, reverse=True):
            if _distinctive(name) and name in question and not any(name in f for f in found):
                found.append(name)
        quoted = set(QUOTED.findall(question))
        return [n for n in found if n not in quoted]

    def asked_name(self, folded: str) -> str | None:
        """The name a what-is or which-items question asks about: the last one it writes, quoted or a report's
        coined name ("“1+2+10+6”中的“6”是指哪6个行动" asks about “6”)."""
        names = _QUOTED_ANY.findall(folded) + self.written_in(folded)
        name = max(names, key=lambda n: (folded.rfind(n) + len(n), len(n)), default=None)
        if name and "+" in name:
            # One part of a compound name the question names on its own: "“1+2+10+6”里管治理的那6个专项行动",
            # "“1+2+4+N”里的N代表什么" ask about “6” and “N”.
            rest = folded.replace(name, "，")
            counted = [p for p in name.split("+") if re.search(rf"(?<![\da-z+.]){re.escape(p)}(?![\da-z+.%])", rest)]
            # Several parts named ("哪1哪3") ask about the whole.
            return counted[0] if len(counted) == 1 else name
        return name

    def asked_unexplained(self, folded: str) -> str | None:
        """The coined name whose meaning or items the (folded) question asks for, when no passage explains it."""
        asked = {n for n in QUOTED.findall(folded) if not periods_in(n, None)}
        # Unquoted in a question, a report's name must be distinctive.
        asked |= set(self.written_in(folded))
        for name in sorted(asked, key=len, reverse=True):
            esc = re.escape(name)
            asks = _ASKS_MEANING + ("|" + _ASKS_ITEMS if re.search(r"[\d一两二三四五六七八九十]", name) else "")
            if (re.search(esc + _FILLER + f"(?:{asks}){_WHICH_ONE}", folded)
                    or re.search(r"什么(?:是|叫)[“\"]?" + esc, folded)) and not self.explained(name):
                return name
        return None


def explanation(text: str, name: str) -> re.Match[str] | None:
    """Where `text` explains `name` right after it ("“6”即党建引领基层、…", "三化改造。即…"), up to the end of
    that explanation (a semicolon or a full stop). The name written in quotes comes first: "两河三渠。“两河”即…，
    “三渠”即…" explains 三渠 at its quoted form; a figure inside another name ("1+2+10+6") is not the name."""
    esc = re.escape(name)
    tail = r"[^,，;；]{0,12}?(?:即|是指|指的是)[^;；。]*[;；。]?"
    # Questions are folded to lower case ("n"), passages may not be ("“N”即…").
    return (re.search(rf"[“\"]{esc}[”\"]" + tail, text, re.IGNORECASE)
            or re.search(rf"(?<![\d+]){esc}(?![\d+.])" + tail, text, re.IGNORECASE))


def specific_names(folded: str, terms: dict[str, float], nouns: set[str], df: Callable[[str], int],
                   rare: int) -> tuple[str, ...]:
    """Names of specific things in a question: key terms few passages use (df at most `rare`). A rare word
    stands for the longest stretch of adjacent nouns around it that the documents use ("口袋" → 口袋公园,
    "智谷" → 智谷科技产业园; a verb ends it: 城镇化率 is no part of "城镇化率达到"); alone, a
    two-character word is too often a common word cut short, so it counts only as part of a longer name."""
    covered, starts, ends = [False] * len(folded), set(), set()
    for term in terms:
        for m in re.finditer(re.escape(term), folded):
            starts.add(m.start())
            ends.add(m.end())
            if term in nouns:
                covered[m.start() : m.end()] = [True] * len(term)
    names = []
    for term in terms:
        at = folded.find(term)
        # A rare verb ("供养") names nothing; a word of three characters or more counts however jieba tags it.
        if at < 0 or not 0 < df(term) <= rare or (len(term) < 3 and term not in nouns) or _generic(term, df, rare):
            continue
        first, last = at, at + len(term)
        while first > 0 and covered[first - 1]:
            first -= 1
        while last < len(folded) and covered[last]:
            last += 1
        # Whole words only: "农村产权交" is no name, though the documents use it (交易额).
        name = max((folded[a:b] for a in range(first, at + 1) for b in range(at + len(term), last + 1)
                    if a in starts and b in ends and df(folded[a:b])), key=len)
        if len(name) >= 3:
            names.append(name)
    return tuple(dict.fromkeys(names))


def _generic(term: str, df: Callable[[str], int], rare: int) -> bool:
    """Two common words run together ("外贸出口": 外贸 and 出口, "空气优良天数": 空气 and 优良天数, each in many
    passages) name no one thing, however few passages write them together; a name's halves seldom stand alone
    (中岳耐材, 智谷)."""
    return any(df(term[:i]) > rare and df(term[i:]) > rare for i in range(2, len(term) - 1))


def foreign_places(named: list[str], suffixed: list[str], df: Callable[[str], int], home: frozenset[str],
                   rare: int) -> tuple[str, ...]:
    """Places the documents mention but are not about (not in `home`), of the places a question names (`named`,
    bare names included; `suffixed`, those written with their suffix). A name written without its suffix
    ("郑州") counts when at most `rare` passages use it, as for a specific thing's name: a common word that is
    also a county's name (新建县) is in many."""
    return tuple(dict.fromkeys(p for p in named
                               if p not in home and 0 < df(p) and (p in suffixed or df(p) <= rare)))
