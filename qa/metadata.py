"""Which place, level and year a report is about: from its header, or from a sidecar `<stem>.meta.json`.

A work report names its government in its first lines: `洛阳市偃师区人民政府区长 赵玉勋` and
`——2026年1月31日在洛阳市偃师区第二届人民代表大会第六次会议上`. The last administrative unit there is
the place (偃师, level 区), the one before it the parent (洛阳). When the header says something else, a
sidecar overrides it: `{"place": "新安", "level": "县", "parent": "洛阳", "year": 2026}`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from .errors import DocumentError
from .periods import report_year
from .schema import schema_problem

HEADER_CHARS = 300
LEVELS = ("区", "县", "市", "省")
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_MAX_BYTES = 64_000

_UNIT = rf"[\u4e00-\u9fff]{{2,}}?[{''.join(LEVELS)}]"
# The government's own line first (it starts with the units), then the people's congress "在…召开" line.
_HEADER_PATTERNS = (
    re.compile(rf"^\s*((?:{_UNIT})+)人民政府", re.MULTILINE),
    re.compile(rf"在((?:{_UNIT})+)(?:第[一二三四五六七八九十]+届)?人民代表大会"),
)
_NAME = {"type": "string", "pattern": "^[\u4e00-\u9fff]{1,20}$"}
SIDECAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,  # a misspelt key ("palce") is an error, not silently ignored
    "properties": {
        "place": _NAME,
        "place_full": _NAME,
        "level": {"enum": list(LEVELS)},
        "parent": _NAME,
        "year": {"type": "integer", "minimum": 1949, "maximum": 2100},
    },
}


@dataclass(frozen=True)
class DocumentMeta:
    place: str | None  # "偃师": the name without its administrative suffix
    place_full: str | None  # "偃师区"
    level: str | None  # one of LEVELS
    parent: str | None  # "洛阳", when the header names the unit above
    year: int | None  # the year the report was delivered


def document_metadata(text: str, overrides: Mapping[str, Any] | None = None) -> DocumentMeta:
    """Metadata from the report's header, with `overrides` (a validated sidecar) taking precedence."""
    header = text[:HEADER_CHARS]
    units: list[str] = []
    for pattern in _HEADER_PATTERNS:
        m = pattern.search(header)
        if m:
            units = re.findall(_UNIT, m.group(1))
            break
    found: dict[str, Any] = {"year": report_year(text)}
    if units:
        found.update(place=units[-1][:-1], place_full=units[-1], level=units[-1][-1],
                     parent=units[-2][:-1] if len(units) > 1 else None)
    given = dict(overrides or {})
    if ("place" in given or "level" in given) and "place_full" not in given:
        # The full name follows an overridden place or level, never the header's.
        place, level = given.get("place", found.get("place")), given.get("level", found.get("level"))
        given["place_full"] = f"{place}{level}" if place and level else place
    merged = {**found, **given}
    return DocumentMeta(merged.get("place"), merged.get("place_full"), merged.get("level"), merged.get("parent"), merged["year"])


def sidecar_path(document: Path) -> Path:
    return document.with_name(document.stem + SIDECAR_SUFFIX)


def parse_sidecar(name: str, data: bytes) -> dict[str, Any]:
    """The overrides in a sidecar's bytes; DocumentError naming the file when it is not valid."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{name}: not valid UTF-8 JSON ({exc})") from None
    problem = schema_problem(value, SIDECAR_SCHEMA)
    if problem:
        raise DocumentError(f"{name}: {problem} (expected e.g. {{\"place\": \"新安\", \"level\": \"县\", \"year\": 2026}})")
    return value
