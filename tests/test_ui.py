"""The web UI: rendering helpers (fast), then a live `python ui.py` through gradio_client and Chromium.

One server is started for this module (tests/ui_fixtures.py) with a private index and feedback file; a
second one, with a login, reuses that index. The browser tests drive Debian's Chromium with Playwright
and fail under CI (skip locally) when it cannot start. Screenshots (1400×1000 and 390 px wide) go to the
test's tmp dir and to /tmp/ui-shots/.
"""
from __future__ import annotations

import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
for p in (str(HERE.parent), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import ui  # noqa: E402
from qa import QuestionError, render  # noqa: E402
from qa.evaluation import load_set  # noqa: E402
from qa.types import Answer, Chunk, Citation, Hit  # noqa: E402
from ui_fixtures import browser, live_ui, save_shot, start_server, stop_server, ui_server  # noqa: E402,F401

GDP_Q = "2025年地区生产总值增长多少？"
JOBS_Q = "2025年新增城镇就业多少人？"
FOLLOW_Q = "那2026年的目标呢？"
OUTSIDE_Q = "孟津区2025年地区生产总值增长多少？"
XSS_Q = "<script>alert(1)</script><img src=x onerror=alert(2)>产值？"
ENGLISH_Q = "What was the GDP growth in 2025?"
REFUSAL = "报告中未找到相关信息"
VALID_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
DEV_SET = HERE.parent / "eval" / "sets" / "dev.jsonl"


# ---- rendering and callbacks, no server --------------------------------------------------------------

def _chunk(cid: str = "doc#1.0.0:p1.3", text: str = "全年地区生产总值增长6.7%，高于全国。",
           section: tuple[str, ...] = ("一、回顾", "<b>稳增长</b>"), paragraph: int = 5) -> Chunk:
    return Chunk(id=cid, doc="doc<1>", section=section, paragraph=paragraph, start=0, end=len(text),
                 period="2025", text=text)


def _answer(refused: bool = False, text: str = "全年地区生产总值增长6.7%[1]", question: str = GDP_Q) -> Answer:
    ch = _chunk()
    cites = [] if refused else [Citation(1, ch, (0, 14), 2.5)]
    return Answer(question, REFUSAL if refused else text, cites, refused,
                  [Hit(ch, 2.5, {"bm25": 1, "dense": 4}), Hit(_chunk("doc#2", "别的"), 1.0)],
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
    assert "理解为" not in out and 'class="qa-copy"' in out
    assert render.answer_key(out) == "k1"  # feedback finds the answer by the id of its outer element


def test_details_are_marked_so_the_toggle_can_hide_them():
    out = render.answer_message(_answer(), GDP_Q, "k1")
    assert re.search(r'<div class="qa-timings qa-detail">耗时：[^<]*合计 12 ms', out)
    assert re.search(r'<span class="qa-detail"> · 相关度 2\.500</span>', out)
    panel = render.sources_panel(_answer())
    assert '<span class="qa-detail"><span class="qa-score">2.500</span></span>' in panel
    assert "BM25 第1 · 向量 第4" in panel and "qa-detail" in panel.split("BM25 第1")[0][-80:]
    assert ".qa-detail{display:none" in ui.CSS.replace(" ", "").replace("body:not(.qa-details)", "")


def test_note_and_dropped_statements_are_shown():
    answer = _answer()
    answer.note, answer.dropped = "生成式回答不可用（连接被拒绝），以下为摘录式回答", ["增长15.2%[1]（数字15.2无法在引用的原文中核实）<x>"]
    out = render.answer_message(answer, GDP_Q, "k")
    assert '<div class="qa-note">ⓘ 生成式回答不可用（连接被拒绝），以下为摘录式回答</div>' in out
    assert "已删除 1 句无法核实的内容" in out and "&lt;x&gt;" in out


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


def _doc(text="政府工作报告\n——2026年1月31日", **meta):
    return SimpleNamespace(name="r", text=text, **meta)


def test_report_label_comes_from_the_index_metadata():
    full = _doc(place="偃师", place_full="偃师区", level="区", parent="洛阳", year=2026)
    assert render.report_label(full) == "洛阳市偃师区 · 2026年政府工作报告"
    county = _doc("某县政府工作报告", place="新安", place_full="新安县", level="县", parent="洛阳", year=2025)
    assert render.report_label(county) == "洛阳市新安县 · 2025年某县政府工作报告"
    city = _doc(place="洛阳", level="市", parent="河南", year=2026)  # place_full derived from place + level
    assert render.report_label(city) == "河南省洛阳市 · 2026年政府工作报告"
    assert render.report_label(_doc(year=None), "r") == "政府工作报告"  # no metadata: the title alone
    head = render.header("问答", ["<甲>", "乙"])
    assert "已载入 2 份报告" in head and "&lt;甲&gt;" in head
    # with several reports, a card names its report by place and year (the file name stays in its title)
    labelled = render.answer_message(_answer(), GDP_Q, "k", {"doc<1>": "洛阳市偃师区 · 2026年政府工作报告"})
    assert '<span class="qa-doc" title="doc&lt;1&gt;">文档：洛阳市偃师区 · 2026年政府工作报告</span>' in labelled
    assert "文档：洛阳市偃师区" in render.sources_panel(_answer(), {"doc<1>": "洛阳市偃师区 · 2026年政府工作报告"})


class _FakeAssistant:
    modes = ("hybrid", "dense", "bm25")
    styles = ("sentence", "clauses")
    answerers = ["extractive"]

    def __init__(self):
        self.calls = []
        self.config = SimpleNamespace(top_k=5, mode="hybrid", answer_style="sentence", answerer="extractive",
                                      max_history_turns=3, max_history_chars=40)
        self.index = SimpleNamespace(documents={"a": _doc(place="偃师", place_full="偃师区", level="区", parent="洛阳", year=2026),
                                                "b": _doc(place="新安", place_full="新安县", level="县", parent="洛阳", year=2026)})

    def ask(self, question, history=None, top_k=None, mode=None, answerer=None, style=None, docs=None):
        self.calls.append({"q": question, "history": list(history or []), "top_k": top_k, "mode": mode,
                           "style": style, "docs": docs})
        if not question.strip():
            raise QuestionError("问题是空的")
        return _answer(refused="GDP" in question and "Zhengzhou" in question, question=question)


def test_respond_keeps_history_per_call_and_turns_question_errors_into_notices():
    fake = _FakeAssistant()
    box, msgs, hist, panel, shown = ui.respond(fake, JOBS_Q, [], [], 5, "bm25", key="k")
    assert box == "" and hist == [JOBS_Q] and len(msgs) == 2 and "qa-sources" in panel
    assert shown["k"]["cited"] == ["doc#1.0.0:p1.3"] and shown["k"]["evidence"] == ["全年地区生产总值增长6.7%"]
    box, msgs, hist, _, shown = ui.respond(fake, FOLLOW_Q, msgs, hist, 3, "dense", "clauses", None, "b", shown)
    assert fake.calls[-1] == {"q": FOLLOW_Q, "history": [JOBS_Q], "top_k": 3, "mode": "dense", "style": "clauses",
                              "docs": ["b"]}
    assert hist == [JOBS_Q, FOLLOW_Q] and len(shown) == 2
    box, msgs2, hist2, panel2, _ = ui.respond(fake, "   ", msgs, hist, 5, "hybrid")
    assert hist2 == hist and len(msgs2) == len(msgs) + 1 and "qa-notice" in msgs2[-1]["content"]
    assert msgs2[-1]["role"] == "assistant" and "qa-text" not in msgs2[-1]["content"]  # a message of its own


def test_history_is_kept_within_the_library_limits():
    fake = _FakeAssistant()  # max 3 turns, 40 characters
    long_ago = ["很早的问题" * 10, "问题一？", "问题二？", "问题三？", "问题四？"]
    ui.respond(fake, GDP_Q, [], long_ago, 5, "hybrid")
    assert fake.calls[-1]["history"] == ["问题二？", "问题三？", "问题四？"]
    assert ui.trim_history(fake, ["长" * 30, "短？", "长" * 20]) == ["短？", "长" * 20]


def test_non_chinese_question_gets_a_hint_and_the_answer():
    assert ui.is_non_chinese(ENGLISH_Q) and not ui.is_non_chinese(GDP_Q) and not ui.is_non_chinese("GDP增长多少")
    assert not ui.is_non_chinese("2025?")
    fake = _FakeAssistant()
    _, msgs, hist, _, _ = ui.respond(fake, ENGLISH_Q, [], [], 5, "hybrid")
    assert [m["role"] for m in msgs] == ["user", "assistant", "assistant"]
    assert "请用中文提问" in msgs[1]["content"] and "qa-notice" in msgs[1]["content"] and "6.7%" in msgs[2]["content"]
    _, msgs, _, _, _ = ui.respond(fake, "GDP of Zhengzhou?", [], [], 5, "hybrid")  # refused: the hint alone
    assert len(msgs) == 2 and "请用中文提问" in msgs[1]["content"]


def test_report_choices_and_scope():
    fake = _FakeAssistant()
    assert ui.report_choices(fake) == [("洛阳市偃师区 · 2026年政府工作报告", "a"), ("洛阳市新安县 · 2026年政府工作报告", "b")]
    assert ui.scope_docs("") is None and ui.scope_docs("a") == ["a"]
    with pytest.raises(Exception, match="未知的报告"):
        ui.ask_json(fake, GDP_Q, 5, docs=["c"])
    ui.ask_json(fake, GDP_Q, 5, docs=["a"], style="clauses")
    assert fake.calls[-1]["docs"] == ["a"] and fake.calls[-1]["style"] == "clauses"


def test_host_warning_and_auth_parsing():
    assert ui.host_warning("127.0.0.1") is None and ui.host_warning("localhost") is None
    assert "--auth" in ui.host_warning("0.0.0.0")
    assert ui.parse_auth("reader:pa:ss") == ("reader", "pa:ss") and ui.parse_auth(None) is None
    for bad in ("reader", ":pw", "reader:"):
        with pytest.raises(ValueError):
            ui.parse_auth(bad)
    assert ui._parse_args(["--debug"]).debug and not ui._parse_args([]).debug


def test_eval_sets_are_only_files_of_the_folder(tmp_path):
    (tmp_path / "a.jsonl").write_text("", encoding="utf-8")
    assert ui.eval_sets(tmp_path) == ["a.jsonl"]
    with pytest.raises(Exception, match="没有这个题集"):
        ui._set_path("../secret.jsonl", None, 1000, tmp_path)
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"x" * 2000)
    with pytest.raises(Exception, match="题集太大"):
        ui._set_path(ui.UPLOAD, str(big), 1000, tmp_path)


def test_ui_refuses_to_start_a_slow_build(tmp_path):
    import os
    import subprocess

    env = {**os.environ, "QA_INDEX_DIR": str(tmp_path / "index"), "QA_BUILD_PASSAGES_PER_SECOND": "0.01",
           "GRADIO_ANALYTICS_ENABLED": "False"}
    done = subprocess.run([sys.executable, "ui.py", "--port", "1"], cwd=HERE.parent, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode != 0 and "qa build" in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


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
    assert "耗时：" in _texts(msgs)[-1]  # per-stage timings are in the message (shown by the details toggle)


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
    with pytest.raises(Exception, match="返回段落数"):  # checked before any work
        client.predict(GDP_Q, 1000, api_name="/ask")
    with pytest.raises(Exception, match="minimum"):  # the chat's slider is range-checked by Gradio itself
        client.predict(GDP_Q, [], 0, "hybrid", api_name="/chat")


def test_chat_hints_that_questions_are_expected_in_chinese(client):
    _, msgs, _ = client.predict(ENGLISH_Q, [], 5, "hybrid", api_name="/chat")
    texts = _texts(msgs)
    assert "请用中文提问" in texts[1] and "qa-notice" in texts[1]
    assert len(texts) in (2, 3)  # the hint, and the answer when one was found
    if len(texts) == 3:
        assert "qa-text" in texts[2]


def test_api_feedback_appends_a_qa_set_line(client, live_ui):
    before = live_ui.feedback_path.read_text(encoding="utf-8").count("\n") if live_ui.feedback_path.exists() else 0
    answer = client.predict(GDP_Q, 5, api_name="/ask")
    record = client.predict(answer, "up", "", False, True, api_name="/feedback")
    lines = live_ui.feedback_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == before + 1 and json.loads(lines[-1]) == record
    assert record["id"].startswith("fb-") and record["verdict"] == "up" and record["type"] == "feedback"
    assert record["cited"] == [c["chunk_id"] for c in answer["citations"]]
    assert record["evidence"] == [c["evidence_text"] for c in answer["citations"]]
    items, errors = load_set(live_ui.feedback_path)  # `qa eval` can run it
    assert record["id"] in {i.id for i in items}, errors
    with pytest.raises(Exception, match="更正太长"):
        client.predict(answer, "down", "错" * 5000, False, False, api_name="/feedback")
    with pytest.raises(Exception, match="未知的评价"):
        client.predict(answer, "meh", api_name="/feedback")
    assert len(live_ui.feedback_path.read_text(encoding="utf-8").splitlines()) == before + 1


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


@pytest.fixture(scope="module")
def auth_server(live_ui, tmp_path_factory):
    """A second server that requires a login; it reuses the first server's index, so it starts in seconds."""
    log_path = tmp_path_factory.mktemp("ui-auth") / "ui.log"
    proc, url = start_server(log_path, env={"QA_AUTH": "reader:s3cret:pw"}, index_dir=live_ui.index_dir)
    print(f"\nui.py with a built index answered HTTP after {proc._qa_ready_s:.1f} s")
    try:
        yield url
    finally:
        stop_server(proc)


def test_auth_is_required_when_set(auth_server):
    from gradio_client import Client

    with pytest.raises(Exception):
        Client(auth_server, verbose=False).predict(GDP_Q, 5, api_name="/ask")
    with pytest.raises(Exception):
        Client(auth_server, verbose=False, auth=("reader", "wrong")).predict(GDP_Q, 5, api_name="/ask")
    result = Client(auth_server, verbose=False, auth=("reader", "s3cret:pw")).predict(GDP_Q, 5, api_name="/ask")
    assert "6.7%" in result["answer"]


def test_the_plain_json_route_answers_beside_the_page_as_gradios_ask_does(ui_server):
    from gradio_client import Client

    from qa.load_clients import JsonAsker

    routed = JsonAsker(ui_server).ask(GDP_Q, 5)
    through_gradio = Client(ui_server, verbose=False).predict(GDP_Q, 5, api_name="/ask")
    assert "6.7%" in routed["answer"] and routed["answer"] == through_gradio["answer"]
    assert [c["chunk_id"] for c in routed["citations"]] == [c["chunk_id"] for c in through_gradio["citations"]]


def test_the_json_route_needs_the_login_too(auth_server):
    from qa.load_clients import JsonAsker

    for auth in (None, ("reader", "wrong")):
        with pytest.raises(RuntimeError, match="HTTP 401"):
            JsonAsker(auth_server, auth).ask(GDP_Q)
    assert "6.7%" in JsonAsker(auth_server, ("reader", "s3cret:pw")).ask(GDP_Q)["answer"]


# ---- a real browser -------------------------------------------------------------------------------------

def _open(browser, url, width=1400, height=1000, **context):
    ctx = browser.new_context(viewport={"width": width, "height": height}, **context)
    page = ctx.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, timeout=60_000)
    page.locator("#qa-question textarea").wait_for(timeout=60_000)
    return page, dialogs


def _close(page):
    ctx = page.context
    page.close()
    ctx.close()


def _ask(page, question):
    box = page.locator("#qa-question textarea")
    box.fill(question)
    box.press("Enter")


def _last_answer(page):
    """The latest answer (not a notice) of the chat, once it is there."""
    answer = page.locator("#qa-chat .qa-a[id^='a-']").last
    answer.wait_for(timeout=60_000)
    return answer


def test_browser_header_shows_place_and_year(browser, ui_server, tmp_path):
    from playwright.sync_api import expect

    page, _ = _open(browser, ui_server)
    try:
        header = page.locator("#qa-header")
        expect(header).to_contain_text("偃师区", timeout=10_000)
        expect(header).to_contain_text("2026年")
        assert re.search(r"洛阳市偃师区 · 2026年", header.inner_text()), header.inner_text()
        expect(page.locator("#qa-scope")).to_be_hidden()  # one report: no selector
        assert "偃师" in page.title()
        # the chat has no floating "对话" label over its first line
        assert page.locator("#qa-chat [data-testid='block-label']").count() == 0
        save_shot(page, tmp_path, "start-1400")
    finally:
        _close(page)


def test_browser_citation_marks_exactly_the_evidence_in_the_source_and_returns(browser, ui_server, client, tmp_path):
    from playwright.sync_api import expect

    # the chat's default settings: hybrid retrieval, the configured answer style
    expected = client.predict(GDP_Q, 5, None, "hybrid", None, "sentence", api_name="/ask")["citations"][0]
    page, _ = _open(browser, ui_server)
    try:
        _ask(page, GDP_Q)
        cite = page.locator("#qa-chat a.qa-cite", has_text="[1]").first
        cite.wait_for(timeout=60_000)
        cite.click()
        card = page.locator("#qa-chat details.qa-card[open]").first
        mark = card.locator("mark").first
        expect(mark).to_be_visible(timeout=10_000)
        expect(mark).to_have_text(expected["evidence_text"])
        expect(card.locator(".qa-path")).to_contain_text("一、")
        expect(card.locator(".qa-doc")).to_contain_text("yanshi")
        expect(page.locator("#qa-sources .qa-src-cited").first).to_contain_text("已引用 [1]")
        save_shot(page, tmp_path, "answer-1400")
        card_id = card.get_attribute("id")
        # "在原文中查看": the 原文 tab, exactly the evidence span marked inside the anchored passage
        card.locator("a.qa-goto").click()
        target = page.locator(f"[id='{render.anchor_id(expected['chunk_id'])}']")
        expect(target).to_be_visible(timeout=10_000)
        ev = target.locator("mark.qa-ev")
        expect(ev).to_have_count(1, timeout=10_000)
        assert ev.text_content() == expected["evidence_text"]
        assert target.text_content() == expected["text"]  # marking changed no character of the passage
        expect(ev).to_be_in_viewport(timeout=10_000)
        assert page.locator("#qa-docs mark.qa-ev").count() == 1
        back = page.locator("#qa-back")
        expect(back).to_be_visible()
        save_shot(page, tmp_path, "source-marked-1400")
        # "返回对话": back in the chat, at the same answer's card
        back.click()
        expect(page.locator("button[role='tab'][aria-selected='true']")).to_have_text("问答", timeout=10_000)
        expect(page.locator(f"[id='{card_id}']")).to_be_in_viewport(timeout=10_000)
        expect(back).to_be_hidden()
    finally:
        _close(page)


def test_browser_details_hidden_by_default_and_toggled_in_settings(browser, ui_server, tmp_path):
    from playwright.sync_api import expect

    page, _ = _open(browser, ui_server)
    try:
        _ask(page, GDP_Q)
        answer = _last_answer(page)
        timings = answer.locator(".qa-timings")
        expect(timings).to_have_count(1)
        expect(timings).to_be_hidden()
        expect(page.locator("#qa-sources .qa-score").first).to_be_hidden()
        page.locator("#qa-settings").get_by_text("设置").first.click()
        page.locator("#qa-details input[type=checkbox]").check()
        expect(timings).to_be_visible(timeout=5_000)
        expect(timings).to_contain_text("合计")
        expect(page.locator("#qa-sources .qa-score").first).to_be_visible()
        page.locator("#qa-details input[type=checkbox]").uncheck()
        expect(timings).to_be_hidden(timeout=5_000)
    finally:
        _close(page)


def test_browser_notice_is_its_own_message_and_sources_do_not_repeat_snippets(browser, ui_server, tmp_path):
    from playwright.sync_api import expect

    page, _ = _open(browser, ui_server)
    try:
        _ask(page, GDP_Q)
        _last_answer(page)
        _ask(page, "   ")
        notice_row = page.locator("#qa-chat .message-row", has=page.locator(".qa-notice"))
        expect(notice_row).to_have_count(1, timeout=30_000)
        assert notice_row.locator(".qa-text").count() == 0  # not inside the previous answer's bubble
        answer_row = page.locator("#qa-chat .message-row", has=page.locator(".qa-text"))
        assert answer_row.locator(".qa-notice").count() == 0
        # an expanded source shows its paragraph once (no snippet above it)
        src = page.locator("#qa-sources .qa-src details").first
        snippet = src.locator(".qa-snippet")
        expect(snippet).to_be_visible()
        src.locator("summary").click()
        expect(src.locator(".qa-para")).to_be_visible()
        expect(snippet).to_be_hidden()
        save_shot(page, tmp_path, "notice-and-source-1400")
    finally:
        _close(page)


def test_browser_copy_button_copies_answer_and_evidence(browser, ui_server):
    page, _ = _open(browser, ui_server, permissions=["clipboard-read", "clipboard-write"])
    try:
        _ask(page, GDP_Q)
        answer = _last_answer(page)
        answer.locator("button.qa-copy").click()
        page.wait_for_function("() => document.querySelector('button.qa-copy').textContent.includes('已复制')", timeout=5_000)
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert "6.7%" in copied.splitlines()[0] and "「全年地区生产总值增长6.7%" in copied and "[1]" in copied
    finally:
        _close(page)


def test_browser_feedback_appends_a_line(browser, live_ui, tmp_path):
    from playwright.sync_api import expect

    page, _ = _open(browser, live_ui.url)
    try:
        _ask(page, GDP_Q)
        _last_answer(page)
        before = len(live_ui.feedback_path.read_text(encoding="utf-8").splitlines()) if live_ui.feedback_path.exists() else 0
        page.locator("#qa-chat button[aria-label='Dislike']").last.click()
        form = page.locator("#qa-feedback").first  # Gradio 6 puts a group's id on two nested divs
        expect(form).to_be_visible(timeout=10_000)
        expect(form).to_contain_text("这个回答有问题")
        page.locator("#qa-fb-correction textarea").fill("6.7%，高于全省1.1个百分点")
        page.locator("#qa-fb-confirm input[type=checkbox]").check()
        save_shot(page, tmp_path, "feedback-1400")
        page.locator("#qa-fb-submit").click()
        expect(page.locator("#qa-fb-status")).to_contain_text("已记录反馈", timeout=10_000)
        expect(form).to_be_hidden()
        lines = live_ui.feedback_path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == before + 1
        record = json.loads(lines[-1])
        assert record["question"] == GDP_Q and record["verdict"] == "down" and record["answer"] == "6.7%，高于全省1.1个百分点"
        assert record["answerable"] is True and record["cited"] and record["evidence"] and "6.7%" in record["shown"]
        assert page.locator("#qa-fb-status code").text_content() == record["id"]
    finally:
        _close(page)


def test_browser_eval_tab_runs_a_five_question_set(browser, ui_server, tmp_path):
    from playwright.sync_api import expect

    small = tmp_path / "five.jsonl"
    small.write_text("".join(DEV_SET.read_text(encoding="utf-8").splitlines(keepends=True)[:5]), encoding="utf-8")
    page, _ = _open(browser, ui_server)
    try:
        page.locator("button[role='tab']", has_text="评测").click()
        page.locator("#qa-eval-upload input[type=file]").set_input_files(str(small))
        expect(page.locator("#qa-eval-set input")).to_have_value(ui.UPLOAD, timeout=20_000)
        page.locator("#qa-eval-run").click()
        table = page.locator("#qa-eval-metrics table.qa-metrics")
        expect(table).to_be_visible(timeout=120_000)
        expect(page.locator("#qa-eval-summary")).to_contain_text("共 5 题")
        hit1 = table.locator("tr[data-key='retrieval.hit@1'] td")
        assert re.fullmatch(r"[01]\.\d{3}", hit1.text_content()), hit1.text_content()
        expect(table.locator("tr[data-key='answer.accuracy']")).to_be_visible()
        chart = page.locator("#qa-eval-chart img")
        expect(chart).to_be_visible(timeout=20_000)
        assert page.evaluate("(img) => img.naturalWidth", chart.element_handle()) > 300
        expect(page.locator("#qa-eval-failures .qa-eval-fails")).to_be_visible()
        save_shot(page, tmp_path, "eval-tab-1400", full_page=True)
    finally:
        _close(page)


def test_browser_phone_width_has_no_sideways_scroll(browser, ui_server, tmp_path):
    from playwright.sync_api import expect

    page, _ = _open(browser, ui_server, width=390, height=844)
    try:
        expect(page.locator("#qa-header")).to_contain_text("偃师区")
        _ask(page, GDP_Q)
        answer = _last_answer(page)
        answer.locator("a.qa-cite").first.click()
        expect(answer.locator("details.qa-card[open] mark")).to_be_visible(timeout=10_000)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 392
        save_shot(page, tmp_path, "answer-390")
        save_shot(page, tmp_path, "answer-390-full", full_page=True)
    finally:
        _close(page)


def test_browser_login_when_auth_is_set(browser, auth_server, tmp_path):
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        page.goto(auth_server, timeout=60_000)
        user = page.locator("input[type=text], input:not([type])").first
        expect(user).to_be_visible(timeout=30_000)
        assert page.locator("#qa-question").count() == 0
        save_shot(page, tmp_path, "login-1400")
        user.fill("reader")
        page.locator("input[type=password]").fill("s3cret:pw")
        page.locator("input[type=password]").press("Enter")
        expect(page.locator("#qa-question textarea")).to_be_visible(timeout=60_000)
    finally:
        page.close()
        ctx.close()


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
        _close(page)
