"""Chinese word tokens for BM25, and the everyday-words → report-vocabulary synonym table."""
from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .text import cn_to_arabic, search_form

# Function words and question words carry no topic; everything else counts.
STOPWORDS = frozenset(
    "的 了 是 在 和 与 及 等 有 为 对 把 被 将 也 都 就 还 又 并 或 而 之 其 这 那 这个 那个 这些 那些 "
    "吗 呢 啊 吧 呀 么 多少 什么 哪些 哪个 哪 几 几个 怎么 怎么样 怎样 如何 是否 有没有 是不是 请问 "
    "我们 我 你 他 她 它 他们 一下 一共 共 多 少 个 了解 知道 告诉 情况 方面 报告 提到 里 中 上 下 "
    "区里 政府 今年 去年 明年 年 要 会 能 可以 打算 计划 目标 名字 名称 叫 叫做 具体".split()
)
ADMIN_SUFFIXES = "区县市省镇乡"
_PUNCT_TOKEN = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class Synonym:
    phrase: str  # everyday wording, in search form
    terms: tuple[str, ...]  # report vocabulary it stands for
    whole: bool = False  # stands only for a question word that is the whole phrase (colloquial rows)


def synonyms_text(path: Path | None = None, bundled: str = "synonyms.tsv") -> str:
    """A table's text: a file of the user's, or the one bundled with the package (synonyms.tsv, colloquial.tsv)."""
    if path:
        return Path(path).read_text(encoding="utf-8")
    return resources.files("qa.data").joinpath(bundled).read_text(encoding="utf-8")


def lexical_setup(synonyms: str = "", colloquial: str = "") -> tuple["Tokenizer", str]:
    """The tokenizer for the two tables (paths; "" = the bundled ones) and the sha256 of the synonym table,
    which the index records: its terms enter the word list BM25 cuts passages with. The colloquial table
    only widens questions, so changing it needs no rebuild."""
    table = synonyms_text(Path(synonyms) if synonyms else None)
    everyday = synonyms_text(Path(colloquial) if colloquial else None, "colloquial.tsv")
    return (Tokenizer(parse_synonyms(table), parse_synonyms(everyday, whole=True)),
            hashlib.sha256(table.encode("utf-8")).hexdigest())


def parse_synonyms(text: str, whole: bool = False) -> list[Synonym]:
    """One line per everyday phrase, `phrase<TAB>term term …`; `#` starts a comment."""
    table = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        phrase, _, terms = line.partition("\t")
        if terms.strip():
            table.append(Synonym(search_form(phrase), tuple(search_form(t) for t in terms.split()), whole))
    return table


class Tokenizer:
    """jieba (rjieba) search-mode tokens over the folded text, stopwords and punctuation dropped."""

    def __init__(self, synonyms: list[Synonym], colloquial: list[Synonym] = ()) -> None:
        import rjieba

        # A dictionary of its own: words added for one synonym table must not change how another assistant in
        # the same process cuts its passages and questions (rjieba's module functions share one dictionary).
        self._jieba = rjieba.Jieba()
        self._lock = threading.Lock()
        # Both tables widen questions; only the synonym table's terms join jieba's word list. The colloquial
        # table's terms are phrases of the report ("规上工业增加值"): as words they would change how every
        # question and passage is cut (tried: the comparisons that name 规上工业 lost their sides). Its rows
        # stand only for a question word that is the whole phrase: "增速" is no "投资增速".
        self.synonyms = list(synonyms) + list(colloquial)
        with self._lock:
            # Five-year plan names are single words ("十五五", not "十五" + "五").
            for plan in (f"十{d}五" for d in "一二三四五六七八九"):
                self._jieba.add_word(plan, None, None)
            for syn in synonyms:
                for term in syn.terms:
                    if len(term) > 1 and not self._jieba.has_word(term):
                        self._jieba.add_word(term, None, None)

    def tokens(self, text: str) -> list[str]:
        folded = search_form(cn_to_arabic(text))
        with self._lock:
            words = self._jieba.cut_for_search(folded)
        return [w for w in words if w not in STOPWORDS and not _PUNCT_TOKEN.match(w)]

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """Distinct content words with their part of speech, for weighing what a question asks about."""
        folded = search_form(cn_to_arabic(text))
        with self._lock:
            pairs = self._jieba.tag(folded)
        seen: dict[str, str] = {}
        for word, tag in pairs:
            if word not in STOPWORDS and not _PUNCT_TOKEN.match(word):
                seen.setdefault(word, tag)
        return list(seen.items())

    def parts(self, word: str) -> list[str]:
        """Sub-words of a word (search-mode cut), for words the documents do not use whole."""
        with self._lock:
            return [w for w in self._jieba.cut_for_search(word) if w not in STOPWORDS and len(w) > 1]

    def places(self, text: str, bare: bool = False) -> list[str]:
        """Administrative place names in a text ("孟津区", "伊川县", "郑州市"), suffix dropped.

        Only jieba `ns` words that carry, or are followed by, an administrative suffix count: "外国" or
        "城里" name no place the documents could be about. With `bare`, so does a name written without
        its suffix that jieba's dictionary knows with one ("郑州" for 郑州市); this also admits the odd
        verb that is a county's name (新建县), so callers use it where such a word does no harm.
        """
        folded = search_form(text)
        with self._lock:
            tagged = self._jieba.tag(folded)
        names, pos = [], 0
        for word, tag in tagged:
            pos = folded.find(word, pos)
            after = folded[pos + len(word) : pos + len(word) + 1]
            name = word[:-1] if word[-1] in ADMIN_SUFFIXES else word
            # A name keeps two characters without its suffix: "城镇" is no town called 城.
            if tag == "ns" and len(name) >= 2 and (name != word or after in ADMIN_SUFFIXES
                                                   or (bare and self._known_with_suffix(word))):
                names.append(name)
            pos += len(word)
        return names

    def _known_with_suffix(self, word: str) -> bool:
        with self._lock:
            return any(self._jieba.has_word(word + suffix) for suffix in "市省县区")

    def alternatives(self, term: str) -> list[str]:
        """The report words an everyday term stands for (GDP → 地区生产总值)."""
        return [t for syn in self.synonyms if (term == syn.phrase if syn.whole else term in syn.phrase)
                for t in syn.terms]

    def with_alternatives(self, terms: Iterable[str]) -> list[str]:
        """The terms and the report words each stands for: where the report may say a question word its own way."""
        return [x for t in terms for x in (t, *self.alternatives(t))]

    def expand(self, question: str) -> str:
        """The question with report vocabulary appended for each everyday phrase it uses."""
        folded = search_form(cn_to_arabic(question))
        added: list[str] = []
        for syn in self.synonyms:
            if syn.phrase in folded:
                added.extend(t for t in syn.terms if t not in folded and t not in added)
        return f"{question} {' '.join(added)}" if added else question
