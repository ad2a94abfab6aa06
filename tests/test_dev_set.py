"""The QA sets are only useful if their gold evidence really is in the report."""
import json

import pytest

from qa.text import search_form

from .conftest import ROOT

SETS = ["dev.jsonl", "fresh.jsonl", "train.jsonl", "train2.jsonl", "train3.jsonl"]


def _items(name: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / "eval" / "sets" / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("name", SETS)
def test_every_evidence_string_is_in_the_report(report_text, name):
    folded = search_form(report_text)
    assert [(i["id"], e) for i in _items(name) for e in i["evidence"] if search_form(e) not in folded] == []


@pytest.mark.parametrize("name", SETS)
def test_unanswerable_items_carry_no_evidence(name):
    items = _items(name)
    assert all(not i["evidence"] for i in items if not i["answerable"])
    assert sum(not i["answerable"] for i in items) >= 12 and len(items) >= 100


def test_no_question_of_the_held_out_sets_is_in_the_fitting_sets():
    held_out = {i["question"] for i in _items("fresh.jsonl")} | {i["question"] for i in _items("dev.jsonl") if int(i["id"][1:]) % 2 == 0}
    fitted = {i["question"] for name in ("train.jsonl", "train2.jsonl", "train3.jsonl") for i in _items(name)}
    assert held_out & fitted == set()
