"""The development QA set is only useful if its gold evidence really is in the report."""
import json

from qa.text import search_form

from .conftest import ROOT


def test_every_evidence_string_is_in_the_report(report_text):
    folded = search_form(report_text)
    missing = []
    for line in (ROOT / "eval" / "sets" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        missing += [(item["id"], e) for e in item["evidence"] if search_form(e) not in folded]
    assert missing == []


def test_unanswerable_items_carry_no_evidence():
    items = [json.loads(line) for line in (ROOT / "eval" / "sets" / "dev.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(not i["evidence"] for i in items if not i["answerable"])
    assert sum(not i["answerable"] for i in items) >= 12 and len(items) >= 100
