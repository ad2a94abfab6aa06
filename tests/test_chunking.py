from pathlib import Path

import pytest

from qa.chunking import chunk_document, paragraphs, sentences
from qa.ingest import read_source

from .conftest import DOC, REPORT


@pytest.fixture(scope="module")
def chunked():
    return chunk_document(read_source(REPORT), max_chars=200)


@pytest.fixture(scope="module")
def by_id(chunked):
    return {c.id: c for c in chunked.chunks}


def test_a_word_broken_across_a_page_is_rejoined(chunked):
    assert "固定资产投资增长5.2%" in chunked.display_text


def test_a_paragraph_without_terminal_punctuation_continues_on_the_next_line():
    assert paragraphs("城市更新，城\n\n乡融合发展。\n\n二、下一节") == ["城市更新，城乡融合发展。", "二、下一节"]


def test_every_chunk_span_slices_the_display_text(chunked):
    assert all(chunked.display_text[c.start : c.end] == c.text for c in chunked.chunks)


def test_chunk_ids_are_unique_and_stable_across_runs(chunked):
    again = chunk_document(read_source(REPORT), max_chars=200)
    assert [c.id for c in chunked.chunks] == [c.id for c in again.chunks]
    assert len({c.id for c in chunked.chunks}) == len(chunked.chunks)


def test_lead_phrase_of_a_2026_work_area_is_a_section(by_id):
    chunk = by_id[f"{DOC}#3.1.1:p1"]
    assert chunk.section == ("三、2026年重点工作", "（一）全力以赴稳定经济运行，实现高质量发展", "全力扩大有效投资")
    assert chunk.text.startswith("全力扩大有效投资。聚焦提高投资效益")
    assert chunk.period == "2026"


def test_2025_review_paragraph_has_its_lead_clause_as_section(by_id):
    chunk = by_id[f"{DOC}#1.0.3:p2"]
    assert chunk.section == ("一、2025年和“十四五”时期工作回顾", "坚持提品质优功能，城市能级持续提升")
    assert "新增停车位395个、充电桩106个" in chunk.text
    assert chunk.period == "2025"


def test_five_year_review_after_the_address_to_delegates_is_the_14th_plan_period(by_id):
    chunk = by_id[f"{DOC}#1.0.7:p1.1"]
    assert chunk.section[-1] == "综合实力显著增强"
    assert chunk.period == "十四五"


def test_dash_goal_items_of_the_15th_plan_are_sections(by_id):
    chunk = by_id[f"{DOC}#2.1.0:p1"]
    assert chunk.section == ("二、“十五五”时期经济社会发展主要目标任务", "高质量发展迈上新台阶")
    assert chunk.period == "十五五"


def test_numbered_glossary_entries_are_sections(by_id):
    chunk = by_id[f"{DOC}#4.4.0:p1"]
    assert chunk.section == ("名词解释", "三化改造")
    assert chunk.text == "4.三化改造。即智能化、绿色化、融合化改造。"
    assert chunk.period == "glossary"


def test_long_paragraphs_are_cut_between_whole_sentences(chunked):
    parts = [c for c in chunked.chunks if c.id.startswith(f"{DOC}#1.0.8:p1.")]
    assert len(parts) > 1
    assert all(p.text[-1] in "。！？；”" for p in parts)
    assert "".join(p.text for p in parts) == chunked.display_text[parts[0].start : parts[-1].end]


def test_zero_max_chars_keeps_paragraphs_whole():
    whole = chunk_document(read_source(REPORT), max_chars=0)
    assert all("." not in c.id.split(":p")[1] for c in whole.chunks)


def test_sentences_keep_closing_quotes():
    assert sentences("实现“两降一升。”下一句。") == ["实现“两降一升。”", "下一句。"]


def test_a_new_markdown_document_needs_no_code_change(tmp_path: Path):
    doc = tmp_path / "other.md"
    doc.write_text("政府工作报告\n\n——2024年2月1日\n\n一、2023年工作回顾\n\n稳增长。全年增长5%。\n", encoding="utf-8")
    chunks = chunk_document(read_source(doc)).chunks
    assert [(c.id, c.section, c.period) for c in chunks][-1] == ("other#1.0.1:p1", ("一、2023年工作回顾", "稳增长"), "2023")


def test_a_glossary_entry_longer_than_a_passage_stays_whole(by_id):
    entry = [c for c in by_id.values() if c.section[-1] == "“1+2+10+6”工作部署"]
    assert len(entry) == 1 and len(entry[0].text) > 200
    assert entry[0].text.endswith("干部作风能力提升6个高效能治理专项行动。")
