"""The web UI: rendering helpers (fast), then a live `python ui.py` through gradio_client and Chromium.

One server is started for this module (tests/ui_fixtures.py); the browser tests drive Debian's Chromium
with Playwright and fail under CI (skip locally) when it cannot start.
"""
from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
for p in (str(HERE.parent), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import ui  # noqa: E402
from qa import QuestionError, render  # noqa: E402
from qa.types import Answer, Chunk, Citation, Hit  # noqa: E402
from ui_fixtures import browser, ui_server  # noqa: E402,F401 - fixtures

GDP_Q = "2025年地区生产总值增长多少？"
JOBS_Q = "2025年新增城镇就业多少人？"
FOLLOW_Q = "那2026年的目标呢？"
OUTSIDE_Q = "孟津区2025年地区生产总值增长多少？"
XSS_Q = "<script>alert(1)</script><img src=x onerror=alert(2)>产值？"
REFUSAL = "报告中未找到相关信息"
VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


# ---- rendering and callbacks, no server --------------------------------------------------------------

def _chunk(cid: str = "doc#1.0.0:p1.3", text: str = "全年地区生产总值增长6.7%，高于全国。",
           section: tuple[str, ...] = ("一、回顾", "<b>稳增长</b>"), paragraph: int = 5) -> Chunk:
    return Chunk(id=cid, doc="doc<1>", section=section, paragraph=paragraph, start=0, end=len(text),
                 period="2025", text=text)


def _answer(refused: bool = False, text: str = "全年地区生产总值增长6.7%[1]", question: str = GDP_Q) -> Answer:
    ch = _chunk()
    cites = [] if refused else [Citation(1, ch, (0, 14), 2.5)]
    return Answer(question, REFUSAL if refused else text, cites, refused, [Hit(ch, 2.5), Hit(_chunk("doc#2", "别的"), 1.0)],
                  question, {"bm25": 0.2, "total": 12.0}, "报告没有提到“<孟津>”" if refused else "")


def test_anchor_ids_are_valid_and_distinct():
    ids = ["a#1.0.0:p1.3", "a#1_0_0:p1.3", "a#1.0.0:p1-3", "报告#1", "x y", "x_20_y"]
    anchors = [render.anchor_id(i) for i in ids]
    assert all(VALID_ID.match(a) for a in anchors), anchors
    assert len(set(anchors)) == len(ids)


def test_answer_message_links_markers_to_cards_and_marks_evidence():
    out = render.answer_message(_answer(), GDP_Q, "k1")
    assert "\n" not in out and out.startswith("<div")
    href = re.search(r'<a class="qa-cite" href="#([^"]+)"[^>]*>\[1\]</a>', out).group(1)
    assert f'<details class="qa-card" id="{href}"' in out
    assert "<mark>全年地区生产总值增长6.7%</mark>" in out
    assert "&lt;b&gt;稳增长&lt;/b&gt;" in out and "doc&lt;1&gt;" in out  # section path and doc escaped
    assert f'href="#{render.anchor_id("doc#1.0.0:p1.3")}"' in out  # jump to the 原文 tab
    assert "合计 12 ms" in out and "理解为" not in out


def test_refusal_is_styled_and_shows_nearest_passages():
    out = render.answer_message(_answer(refused=True), OUTSIDE_Q, "k2")
    assert 'class="qa-a qa-refused"' in out and REFUSAL in out
    assert '<div class="qa-reason">报告没有提到“&lt;孟津&gt;”。</div>' in out  # the reason, escaped
    assert out.count('class="qa-card"') == 2 and "<mark>" not in out


def test_user_text_is_escaped_everywhere():
    out = render.user_message(XSS_Q) + render.answer_message(_answer(text="<script>x</script>[1]"), XSS_Q, "k")
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in out


def test_understood_as_shown_only_when_it_differs():
    assert not render.differs("2025年GDP增长多少？", "2025年GDP增长多少")
    assert render.differs(FOLLOW_Q, "2026年新增城镇就业目标是多少？")


def test_sources_panel_lists_every_hit_with_score_and_cited_flag():
    out = render.sources_panel(_answer())
    assert len(re.findall(r'class="qa-src[ "]', out)) == 2 and "已引用 [1]" in out and "未引用" in out and "2.500" in out


def test_documents_anchor_every_chunk_once():
    chunks = [_chunk("d#0:p1", "序言", ("政府工作报告",), 1), _chunk("d#1:p1", "回顾。", ("一、回顾",), 2),
              _chunk("d#1:p2.1", "<b>稳增长</b>第一句。", paragraph=3), _chunk("d#1:p2.2", "第二句。", paragraph=3)]
    out = render.documents(chunks, {"doc<1>": "政府工作报告\n正文"})
    for ch in chunks:
        assert out.count(f'id="{render.anchor_id(ch.id)}"') == 1
    assert "<strong>&lt;b&gt;稳增长&lt;/b&gt;</strong>" in out and "<b>" not in out
    assert '<h3 class="qa-h"' in out and "一、回顾" in out and out.count("<p ") == 3


class _FakeAssistant:
    modes = ("hybrid", "dense", "bm25")

    def __init__(self):
        self.calls = []

    def ask(self, question, history=None, top_k=None, mode=None, answerer=None):
        self.calls.append((question, list(history or []), top_k, mode) + ((answerer,) if answerer else ()))
        if not question.strip():
            raise QuestionError("问题是空的")
        return _answer(question=question)


def test_respond_keeps_history_per_call_and_turns_question_errors_into_notices():
    fake = _FakeAssistant()
    box, msgs, hist, panel = ui.respond(fake, JOBS_Q, [], [], 5, "bm25", key="k")
    assert box == "" and hist == [JOBS_Q] and len(msgs) == 2 and "qa-sources" in panel
    box, msgs, hist, _ = ui.respond(fake, FOLLOW_Q, msgs, hist, 3, "dense")
    assert fake.calls[-1] == (FOLLOW_Q, [JOBS_Q], 3, "dense") and hist == [JOBS_Q, FOLLOW_Q]
    ui.respond(fake, JOBS_Q, msgs, hist, 3, "dense", "extractive-sentences")
    assert fake.calls[-1][-1] == "extractive-sentences"
    box, msgs2, hist2, _ = ui.respond(fake, "   ", msgs, hist, 5, "hybrid")
    assert hist2 == hist and len(msgs2) == len(msgs) + 1 and "qa-notice" in msgs2[-1]["content"]


# ---- the live server through gradio_client --------------------------------------------------------------

@pytest.fixture(scope="module")
def client(ui_server):
    from gradio_client import Client

    return Client(ui_server, verbose=False)


def _answer_text(message_html: str) -> str:
    """The answer sentence of a rendered assistant message (without its cards and timings)."""
    m = re.search(r'<div class="qa-(?:text|refusal)">(.*?)</div>', message_html)
    return re.sub(r"<[^>]+>", "", m.group(1)) if m else ""


def _texts(messages) -> list[str]:
    """Message strings of a Chatbot value as the client receives it (content: list of text parts)."""
    out = []
    for m in messages:
        content = m["content"]
        parts = content if isinstance(content, list) else [content]
        out.append("".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in parts))
    return out


def test_api_ask_answers_with_cited_evidence(client):
    result = client.predict(GDP_Q, 5, api_name="/ask")
    assert "6.7%" in result["answer"] and not result["refused"]
    first = result["citations"][0]
    assert "6.7%" in first["text"][first["evidence"][0]:first["evidence"][1]]
    assert result["retrieved"] and any(r["cited"] for r in result["retrieved"])


def test_api_ask_follow_up_with_history(client):
    result = client.predict(FOLLOW_Q, 5, [JOBS_Q], api_name="/ask")
    assert "8000" in result["answer"], result


def test_chat_follow_up_uses_the_session_history(client):
    _, msgs, _ = client.predict(JOBS_Q, [], 5, "hybrid", api_name="/chat")
    _, msgs, panel = client.predict(FOLLOW_Q, msgs, 5, "hybrid", api_name="/chat")
    texts = _texts(msgs)
    assert len(texts) == 4 and "8000" in _answer_text(texts[-1]), texts[-1]
    assert "qa-sources" in panel


def test_chat_settings_pass_top_k_and_mode(client):
    _, msgs, panel = client.predict(GDP_Q, [], 3, "bm25", api_name="/chat")
    assert len(re.findall(r'class="qa-src[ "]', panel)) == 3
    assert "6.7%" in _answer_text(_texts(msgs)[-1])
    assert "耗时：" in _texts(msgs)[-1]  # per-stage timings under the answer


def test_api_refuses_questions_outside_the_report(client):
    result = client.predict(OUTSIDE_Q, 5, api_name="/ask")
    assert result["refused"] and result["answer"] == REFUSAL and result["citations"] == []


def test_chat_escapes_script_in_rendered_html(client):
    _, msgs, _ = client.predict(XSS_Q, [], 5, "hybrid", api_name="/chat")
    html = "".join(_texts(msgs))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<script" not in html and "<img" not in html


def test_empty_and_overlong_questions_get_a_message_not_an_error(client):
    box, msgs, _ = client.predict("   ", [], 5, "hybrid", api_name="/chat")
    assert box == "" and len(msgs) == 1 and "qa-notice" in _texts(msgs)[0]
    long_q = "增长" * 300
    box, msgs, _ = client.predict(long_q, [], 5, "hybrid", api_name="/chat")
    assert box == long_q and "qa-notice" in _texts(msgs)[-1]
    with pytest.raises(Exception, match="空"):
        client.predict("", 5, api_name="/ask")


def test_sessions_do_not_share_chats(ui_server):
    from gradio_client import Client

    questions = [JOBS_Q, GDP_Q, "什么是“三化改造”？", FOLLOW_Q]
    clients = [Client(ui_server, verbose=False) for _ in questions]
    with ThreadPoolExecutor(len(clients)) as pool:
        results = list(pool.map(lambda cq: cq[0].predict(cq[1], [], 5, "hybrid", api_name="/chat"),
                                zip(clients, questions)))
    for q, (_, msgs, _) in zip(questions, results):
        texts = _texts(msgs)
        assert len(texts) == 2 and render.esc(q) in texts[0]
    # the follow-up asked first in its own session has no history to lean on
    understood = re.search(r"理解为：([^<]*)", _texts(results[3][1])[1])
    assert understood is None or "就业" not in understood.group(1)


# ---- a real browser -------------------------------------------------------------------------------------

def _open(browser, url):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, timeout=60_000)
    page.locator("#qa-question textarea").wait_for(timeout=60_000)
    return page, dialogs


def _ask(page, question):
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")


def test_browser_citation_opens_highlighted_paragraph(browser, ui_server, tmp_path):
    from playwright.sync_api import expect

    page, _ = _open(browser, ui_server)
    try:
        _ask(page, GDP_Q)
        cite = page.locator("#qa-chat a.qa-cite", has_text="[1]").first
        cite.wait_for(timeout=60_000)
        cite.click()
        card = page.locator("#qa-chat details.qa-card[open]").first
        mark = card.locator("mark").first
        expect(mark).to_be_visible(timeout=10_000)
        expect(mark).to_contain_text("6.7%")
        expect(card.locator(".qa-path")).to_contain_text("一、")
        expect(card.locator(".qa-doc")).to_contain_text("yanshi")
        expect(page.locator("#qa-sources .qa-src-cited").first).to_contain_text("已引用 [1]")
        shot = tmp_path / "citation.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot: {shot}")
        # the card's link jumps to the anchored paragraph in the 原文 tab
        card.locator("a.qa-goto").click()
        anchor_href = card.locator("a.qa-goto").get_attribute("href")
        target = page.locator(f"[id='{anchor_href[1:]}']")
        expect(target).to_be_visible(timeout=10_000)
        expect(target).to_be_in_viewport(timeout=10_000)
        expect(target).to_contain_text("6.7%")
    finally:
        page.close()


def test_browser_shows_markup_in_questions_as_text(browser, ui_server):
    from playwright.sync_api import expect

    page, dialogs = _open(browser, ui_server)
    try:
        _ask(page, XSS_Q)
        user = page.locator("#qa-chat .qa-q").first
        expect(user).to_have_text(XSS_Q, timeout=60_000)
        expect(page.locator("#qa-chat .qa-a").first).to_be_visible(timeout=60_000)
        assert page.locator("#qa-chat img[src='x']").count() == 0
        assert dialogs == []
        # clearing empties the chat and the sources panel; an example question asks itself
        page.locator("#qa-clear").click()
        expect(page.locator("#qa-chat .qa-q")).to_have_count(0, timeout=10_000)
        expect(page.locator("#qa-sources .qa-empty")).to_be_visible(timeout=10_000)
        page.locator("#qa-examples button", has_text="三化改造").click()
        expect(page.locator("#qa-chat .qa-q")).to_have_text("什么是“三化改造”？", timeout=60_000)
        expect(page.locator("#qa-chat .qa-a").first).to_be_visible(timeout=60_000)
    finally:
        page.close()
