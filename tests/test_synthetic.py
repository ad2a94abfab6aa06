import re
from pathlib import Path

from qa.chunking import chunk_document
from qa.ingest import Source
from qa.synthetic import LABEL, synthetic_report
from qa.text import numbers_in


def _make(report_text, seed=7, parent="洛阳"):
    return synthetic_report(report_text, "新安", parent, seed=seed, level="县")


def _first_line(text):
    return next(line for line in text.splitlines() if line.strip())


def test_the_first_line_says_it_is_synthetic_test_data(report_text):
    assert _first_line(_make(report_text)) == "政府工作报告" + LABEL == "政府工作报告（合成测试数据）"


def test_the_same_seed_gives_the_same_text_and_another_seed_other_figures(report_text):
    assert _make(report_text, seed=7) == _make(report_text, seed=7)
    assert numbers_in(_make(report_text, seed=7)) != numbers_in(_make(report_text, seed=8))


def test_the_place_and_its_government_words_are_renamed(report_text):
    synthetic = _make(report_text)
    assert "偃师" not in synthetic and "区长" not in synthetic and "区委" not in synthetic
    assert "洛阳市新安县人民政府县长" in synthetic and "在县委的坚强领导下" in synthetic and "全县" in synthetic
    # 区 in ordinary words is not the government: 园区, 社区, 城区 stay.
    assert all(synthetic.count(w) == report_text.count(w) for w in ("园区", "社区", "城区"))


def test_the_speakers_name_is_withheld(report_text):
    assert "赵玉勋" in report_text and "赵玉勋" not in _make(report_text)


def test_a_new_parent_replaces_luoyang(report_text):
    synthetic = _make(report_text, parent="郑州")
    assert "洛阳" not in synthetic and "郑州市新安县人民政府" in synthetic


def test_figures_change_but_years_dates_and_names_with_digits_do_not(report_text):
    synthetic = _make(report_text)
    assert "新增停车位 395 个、充电桩 106 个" in report_text
    assert "新增停车位 261 个、充电桩 85 个" in synthetic  # seed 7's draws: fixed forever by random.Random(7)
    assert "全年地区生产总值增长7.0%" in synthetic  # a rate moves by tenths of a point (6.7% in the report)
    for kept in ("——2026年1月31日", "2025 年 4 月", "PM_{2.5}", "PM₁₀", "“1+2+10+6”", "“十四五”"):
        assert kept in report_text and kept in synthetic, kept


def test_every_paragraph_keeps_its_place_in_the_structure(report_text):
    real = chunk_document(Source("r", Path("r.txt"), report_text, "utf-8", ""), 0).chunks
    fake = chunk_document(Source("r", Path("r.txt"), _make(report_text), "utf-8", ""), 0).chunks
    assert [c.id for c in fake] == [c.id for c in real]
    assert [len(c.section) for c in fake] == [len(c.section) for c in real]
    # Headings carry no figures here, so only the title changed: the label is part of every section path.
    assert {c.section[0] for c in fake} == {"政府工作报告（合成测试数据）"} | {c.section[0] for c in real} - {"政府工作报告"}
    assert len(re.findall(r"\n", _make(report_text))) == len(re.findall(r"\n", report_text))


def test_the_two_report_fixture_holds_the_real_report_and_a_synthetic_one_about_xinan(two_report_seeds):
    from qa.ingest import read_sources
    from qa.metadata import document_metadata

    from .conftest import DOC, SYNTHETIC_DOC

    sources, problems = read_sources(two_report_seeds)
    assert problems == [] and [s.name for s in sources] == [SYNTHETIC_DOC, DOC]  # in name order
    places = [(m.place, m.level, m.parent, m.year) for m in (document_metadata(s.text, s.meta) for s in sources)]
    assert places == [("新安", "县", "洛阳", 2026), ("偃师", "区", "洛阳", 2026)]
