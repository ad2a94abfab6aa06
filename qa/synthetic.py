"""A synthetic second report for tests that need several: the real one rewritten and clearly labelled.

Its first line says it is test data. The place is renamed (偃师 → `place`, 洛阳 → `parent`), the words
in which the level stands for the government follow a new level (区长 → 县长, 全区 → 全县; not 园区 or
社区), the speaker's name is withheld, and every figure is changed by a rule seeded with `seed`, so an
answer taken from the wrong report shows. Years, dates, list numbers and figures inside names (PM2.5,
5G, "1+3") stay; the structure (headings, paragraphs, line breaks) is untouched.
"""
from __future__ import annotations

import random
import re

LABEL = "（合成测试数据）"
SOURCE_PLACE, SOURCE_PARENT, SOURCE_LEVEL = "偃师", "洛阳", "区"
WITHHELD = "（合成数据）"  # no clause punctuation: the line stays a title line for the chunker
# The level followed by one of these means the government itself (区委, 区长, 区属); 全区/我区 too.
_LEVEL_WORD = re.compile(rf"{SOURCE_LEVEL}(?=人民政府|人大|政协|政府|委|长|属)|(?<=[全我]){SOURCE_LEVEL}")
_SPEAKER = re.compile(r"人民政府[区县市省]长\s*(\S{2,4})")
# A figure: ASCII digits not inside a name (PM_{2.5}, 5G, G310, "1+3").
_FIGURE = re.compile(r"(?<![A-Za-z0-9_.+{])([0-9]+(?:\.[0-9]+)?)(?![A-Za-z0-9_+}])(\s*[%％])?")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_DATE_UNIT = re.compile(r"\s*[年月日]")


def synthetic_report(text: str, place: str, parent: str, seed: int, *, level: str | None = None) -> str:
    """The real report `text` rewritten as a labelled synthetic report about `place` (in `parent`).

    `level` (区/县/市) replaces the report's 区 where it names the government; None keeps 区. The same
    arguments always give the same text.
    """
    level = level or SOURCE_LEVEL
    unsigned = _SPEAKER.sub(lambda m: m.group(0).replace(m.group(1), WITHHELD), text, count=1)
    renamed = _LEVEL_WORD.sub(level, unsigned.replace(f"{SOURCE_PLACE}{SOURCE_LEVEL}", f"{place}{level}"))
    renamed = renamed.replace(SOURCE_PLACE, place).replace(SOURCE_PARENT, parent)
    rng = random.Random(seed)  # figures are changed in order of appearance, one draw sequence per seed
    out = _FIGURE.sub(lambda m: _change(m, renamed, rng), renamed)
    first = re.search(r"\S[^\n]*", out)
    return out[: first.end()] + LABEL + out[first.end():] if first else LABEL


def _change(m: re.Match[str], text: str, rng: random.Random) -> str:
    number, percent = m.group(1), m.group(2)
    line_start = m.start() == 0 or text[m.start() - 1] == "\n"
    if (_YEAR.fullmatch(number) or _DATE_UNIT.match(text, m.end(1))
            or (line_start and text[m.end(1) : m.end(1) + 1] in (".", "．", "、"))):  # years, dates, list numbers
        return m.group(0)
    decimals = len(number.partition(".")[2])
    value = float(number)
    step = 10 ** -decimals
    if percent:  # a rate moves by a few points (tenths for a rate given with decimals), never below 0
        new = max(0.0, value + rng.choice((-1, 1)) * rng.randint(1, 15 if decimals else 5) * (0.1 if decimals else 1))
    else:  # a count or amount is scaled by 0.6–1.6, never to 0
        new = max(step, value * rng.uniform(0.6, 1.6))
    if round(new, decimals) == round(value, decimals):
        new = value + step
    return f"{new:.{decimals}f}" + (percent or "")
