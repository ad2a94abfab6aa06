"""Lists given by the report's structure: a passage announcing "六方面工作" is answered by the titles of the
sections that follow it, each cited where its section opens."""
from qa.outline import Outline
from qa.types import Chunk


def _chunk(section: tuple[str, ...], period: str, text: str, n: int) -> Chunk:
    return Chunk(f"r#{n}", "r", section, n, 0, len(text), period, text)


def test_the_parts_of_a_section_are_its_subsections_of_the_same_period():
    top = ("一、2025年和“十四五”时期工作回顾",)
    chunks = [_chunk(top, "2025", "主要抓了两方面工作：", 0),
              _chunk((*top, "坚持稳增长提质效，经济发展稳中有进"), "2025", "坚持稳增长提质效，经济发展稳中有进。实施…", 1),
              _chunk((*top, "坚持稳增长提质效，经济发展稳中有进"), "2025", "第二段。", 2),
              _chunk((*top, "坚持抓创新强动能，产业发展向新向好"), "2025", "坚持抓创新强动能，产业发展向新向好。…", 3),
              _chunk((*top, "综合实力显著增强"), "十四五", "综合实力显著增强。…", 4)]
    assert [c.id for c in Outline(chunks).parts(chunks[0])] == ["r#1", "r#3"]


def test_which_aspects_are_the_announced_sections_titles(assistant):
    answer = assistant.ask("“十五五”时期主要目标有哪几个方面？")
    assert answer.text.startswith("高质量发展迈上新台阶[1]；高效能治理打造新标杆[2]；现代化产业体系建设取得新成效[3]；")
    assert len(answer.citations) == 8 and answer.citations[7].evidence_text == "深化改革开放取得新突破"


def test_a_list_number_is_no_part_of_a_title(assistant):
    answer = assistant.ask("今年重点工作有哪几个方面")
    assert answer.text.startswith("全力以赴稳定经济运行，实现高质量发展[1]；全力以赴提升创新能力，构建创新高地[2]；")
    assert len(answer.citations) == 10
