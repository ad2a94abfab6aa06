"""Key terms of a question: its content words weighted by idf over the documents' passages, and which of them
name things. Asking phrases ("多少双", "什么意思"), function words and the documents' own places are no key terms;
a quoted name, or a report's coined name, is one term however jieba would cut it.
"""
from __future__ import annotations

import re
from typing import Protocol

from .lexical import ADMIN_SUFFIXES, Tokenizer
from .names import CoinedNames
from .text import QUOTED, cn_to_arabic, search_form

# Units specific enough that a figure in another unit cannot be the answer (个 is not: it counts anything).
# 人次 before 人: "6.78万人次" counts visits, not the people of "4.23万人".
MEASURE_UNITS = "美元|元|家|项|天|所|座|条|人次|次|户|人|亩|吨|平方公里|公里|平方米|斤|场|套|辆|张|棵|株|台|头|间|栋|处|件|名|微克|双"
# A figure with its measure word, magnitude apart: "243亿元" → 243, 亿, 元; "60.3万亩" → 60.3, 万, 亩.
AMOUNT = re.compile(rf"(\d+(?:\.\d+)?)([万亿]?)({MEASURE_UNITS}|个)")
# An asking phrase with the measure word it counts in ("多少双鞋", "几件事", "多少钱", "多大比例"), cut out whole: jieba
# takes 双鞋 for a word, and the 钱 of 多少钱 and the 比例 of 多大比例 are the unit asked for (元, %), not what the
# question is about.
_ASKING = re.compile(rf"(?:百分之(?:几|多少)|百分比是?多少|(?:多少|多大)的?比例|多少|几成|几(?!乎|何))[万亿]?(?:{MEASURE_UNITS}|个|位|只|本|支|种|批|类|块?钱)?")
# Words that ask for a meaning or a list, not what it is of: "什么意思" would make 意思 a key term no passage holds.
_DEFINING = re.compile(r"什么(?:意思|含义)|含义|(?:哪些|什么)(?:具体)?内容")
# A quantity the asker states ("既然…增长了10%"): a premise, not what the question is about.
_QUANTITY = re.compile(rf"\d+(?:\.\d+)?(?:%|[万亿]?(?:{MEASURE_UNITS}|个))")
# jieba tags with no topic: time, pronoun, adverb, numeral, measure word, localiser, particle,
# preposition, conjunction, modal particle ("eng", a Latin word such as GDP, is a topic word).
_FUNCTION_TAGS = set("trdmqfupcyexz")
_NOUN_TAGS = set("nlbgj")


class Documents(Protocol):
    """What weighing a question's words needs to know of the documents (the `Analyzer` holds it)."""

    tokenizer: Tokenizer
    names: CoinedNames
    home_places: frozenset[str]
    absent_word_weight: float

    def df(self, token: str) -> int: ...

    def idf(self, token: str) -> float: ...


def key_terms(question: str, documents: Documents) -> tuple[dict[str, float], set[str]]:
    """Key terms with their idf weights, and which of them name things (nouns, Latin words, quoted names)."""
    terms: dict[str, float] = {}
    nouns: set[str] = set()
    # A quoted name ("“瞪羚”企业", "“1+2+10+6”") is one term, however jieba would cut it, and so is a report's
    # coined name written without its quotes (三医一张网指的是什么: jieba cuts 网指).
    coined = documents.names.written_in(question)
    for quoted in QUOTED.findall(question) + coined:
        term = search_form(cn_to_arabic(quoted))
        terms[term] = documents.idf(term)
        nouns.add(term)
    places = set(documents.tokenizer.places(question))
    # Asking phrases and quoted names are cut out with a comma, not a space: the search form drops spaces,
    # and "多多少人" would otherwise close up into the word 多人. For that reason a space the person typed
    # between words ("偃师 2026 GDP 增长") becomes a comma too, or 2026gdp would be one word.
    rest = re.sub(r"\s+", "，", QUOTED.sub("，", question.strip()))
    for name in coined:
        rest = rest.replace(name, "，")
    for word, tag in documents.tokenizer.tagged(_DEFINING.sub("，", _ASKING.sub("，", rest))):
        if tag.startswith("u") and len(word) > 1 and word[-1] in "了过着":
            # jieba takes "交了" for one particle: the verb in it is a key word (累计交房10388套).
            word, tag = word[:-1], "v"
        if re.fullmatch(r"\d{4}", word) or (tag[:1] in _FUNCTION_TAGS and tag != "eng" and not re.search(r"\d", word)):
            continue
        if _QUANTITY.fullmatch(word):
            continue
        if word in documents.home_places or word.rstrip(ADMIN_SUFFIXES) in documents.home_places:
            continue
        # jieba's dictionary tags some verbs as place names (新建 is a county): a place counts as a noun
        # only when the question names it as one (with its admin suffix).
        noun = (tag[:1] in _NOUN_TAGS and (tag != "ns" or word in places)) or tag in ("eng", "vn")
        if documents.df(word):
            terms[word] = documents.idf(word)
            nouns.update([word] if noun else [])
            continue
        # A word the documents never use counts through the parts they do use ("清华北大" → 清华, 北大).
        parts = [p for p in documents.tokenizer.parts(word) if p != word] if len(word) > 2 else []
        known = [p for p in parts if documents.df(p)]
        for part in known:
            terms[part] = documents.idf(part)
        if not known:
            # Absent from every document: a noun is probably the subject (evidence must hold it),
            # anything else is everyday phrasing that should not sink the answer.
            terms[word] = documents.idf(word) if noun else documents.absent_word_weight
        if noun:
            # The focus may be a part the report never uses: in "平均工资" it is 工资.
            nouns.update(parts or [word])
    return terms, nouns
