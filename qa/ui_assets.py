"""The web UI's styles and its page script, installed once per page load (ui.py's `demo.load`): rules for
the `qa-*` classes of qa.render's HTML, and one delegated click handler for citations, 原文 links,
"返回对话" and copying an answer."""
from __future__ import annotations

import json

CSS = """
#qa-chat .qa-q{white-space:pre-wrap;word-break:break-word}
.qa-header h1{margin:.1em 0 .15em;font-size:1.6em}
.qa-reports{font-size:1.05em;font-weight:600;color:var(--body-text-color)}
.qa-reports ul{margin:.2em 0 0 1.2em;padding:0;font-weight:400}
.qa-sub{font-size:.88em;color:var(--body-text-color-subdued);margin-top:.2em}
.qa-a{line-height:1.7}
.qa-text{font-size:1.02em}
.qa-understood{font-size:.88em;color:var(--body-text-color-subdued);margin-bottom:.3em}
.qa-note{font-size:.88em;color:#92400e;margin-bottom:.3em}
details.qa-dropped{font-size:.82em;color:var(--body-text-color-subdued);margin-top:.3em}
details.qa-dropped>summary{cursor:pointer}
.qa-derivation{font-size:.88em;color:var(--body-text-color-subdued);margin-top:.2em}
a.qa-cite{display:inline-block;padding:0 .2em;margin:0 .05em;border-radius:4px;font-size:.85em;font-weight:600;
  text-decoration:none;color:var(--color-accent);background:var(--color-accent-soft);cursor:pointer;vertical-align:super;line-height:1.2}
a.qa-cite:hover{text-decoration:underline}
.qa-cards{margin-top:.5em;display:flex;flex-direction:column;gap:.35em}
.qa-cards-title{margin-top:.5em;font-size:.9em;color:var(--body-text-color-subdued)}
details.qa-card,.qa-src details,details.qa-fail{border:1px solid var(--border-color-primary);border-radius:8px;padding:.3em .6em;background:var(--background-fill-secondary)}
details.qa-card>summary,.qa-src summary,details.qa-fail>summary{cursor:pointer;font-size:.88em;list-style-position:inside}
details.qa-card[open]{border-color:var(--color-accent)}
.qa-src details[open]>summary .qa-snippet{display:none}
.qa-n{font-weight:700;color:var(--color-accent)}
.qa-path{color:var(--body-text-color-subdued)}
.qa-para{margin:.4em 0;font-size:.93em;line-height:1.75}
.qa-card-foot{font-size:.8em;color:var(--body-text-color-subdued)}
mark{background:#ffe58f;color:#1f1f1f;padding:0 .1em;border-radius:2px}
body:not(.qa-details) .qa-detail{display:none !important}
.qa-timings{margin-top:.45em;font-size:.75em;color:var(--body-text-color-subdued)}
.qa-tools{margin-top:.4em}
button.qa-copy{font-size:.78em;padding:.1em .6em;border-radius:6px;border:1px solid var(--border-color-primary);
  background:var(--background-fill-primary);color:var(--body-text-color-subdued);cursor:pointer}
button.qa-copy:hover{color:var(--color-accent);border-color:var(--color-accent)}
.qa-refused .qa-refusal{font-weight:600;color:#b45309;background:#fff7ed;border:1px dashed #f59e0b;border-radius:8px;padding:.35em .6em;display:inline-block}
.qa-reason{margin:.3em 0;font-size:.92em;color:var(--body-text-color-subdued)}
/* a notice is the UI talking, not an answer: no 👍/👎 under it */
#qa-chat .message-row:has(.qa-notice) + .message-buttons{display:none}
.qa-notice{color:#1d4ed8;background:#eff6ff;border:1px solid #bfdbfe;border-radius:8px;padding:.35em .6em}
.qa-flash{animation:qa-flash 1.6s ease-out}
@keyframes qa-flash{0%{box-shadow:0 0 0 3px #f59e0b}100%{box-shadow:0 0 0 0 transparent}}
.qa-sources{font-size:.9em}
.qa-src-list{margin:.4em 0;display:flex;flex-direction:column;gap:.35em}
.qa-src-head{font-weight:600}
.qa-empty{color:var(--body-text-color-subdued);padding:1em 0}
.qa-rank{font-weight:700}
.qa-snippet{margin:.15em 0 .1em 1.1em;color:var(--body-text-color);font-size:.95em}
.qa-score{font-family:var(--font-mono);font-size:.9em}
.qa-badge{font-size:.8em;padding:0 .35em;border-radius:4px;background:var(--background-fill-primary);border:1px solid var(--border-color-primary)}
.qa-badge.qa-cited{background:#dcfce7;color:#166534;border-color:#86efac}
.qa-docs{max-width:52em;margin:0 auto;line-height:1.9}
.qa-doc h2{text-align:center;margin-bottom:0}
.qa-doc-name{text-align:center;font-size:.8em;color:var(--body-text-color-subdued)}
.qa-toc{font-size:.9em;border:1px solid var(--border-color-primary);border-radius:8px;padding:.4em 1em;margin:1em 0}
.qa-toc a{text-decoration:none}
.qa-p{text-indent:2em;margin:.5em 0}
.qa-chunk{border-radius:3px}
span.qa-chunk.qa-flash{background:#fff3bf}
mark.qa-ev{background:#ffd666;box-shadow:0 0 0 2px #faad14}
#qa-back{position:fixed;left:50%;bottom:1.2em;transform:translateX(-50%);z-index:1000;display:none;
  padding:.45em 1.1em;border-radius:999px;background:var(--color-accent);color:#fff;font-weight:600;text-decoration:none;
  box-shadow:0 4px 14px rgba(0,0,0,.25)}
body.qa-back-on #qa-back{display:inline-block}
.qa-fb-title{font-weight:600}
.qa-fb-q{font-weight:400;color:var(--body-text-color-subdued)}
.qa-fb-help{font-size:.85em;color:var(--body-text-color-subdued)}
.qa-fb-done{color:#166534;background:#f0fdf4;border:1px solid #86efac;border-radius:8px;padding:.3em .6em}
table.qa-metrics{border-collapse:collapse;font-size:.92em;min-width:18em}
table.qa-metrics th,table.qa-metrics td{padding:.2em .7em;border-bottom:1px solid var(--border-color-primary);text-align:left}
table.qa-metrics td.qa-num{text-align:right;font-family:var(--font-mono)}
.qa-eval-fails{display:flex;flex-direction:column;gap:.35em;font-size:.92em}
details.qa-fail dl{margin:.3em 0;display:grid;grid-template-columns:auto 1fr;gap:.15em .8em}
details.qa-fail dt{color:var(--body-text-color-subdued)}
details.qa-fail dd{margin:0}
.qa-fail-why{color:#b45309}
pre.qa-compare{font-size:.8em;white-space:pre-wrap}
@media (max-width: 640px){.qa-header h1{font-size:1.3em}.qa-reports{font-size:.95em}}
"""

# Runs once per page load with the initial value of "显示检索细节": installs the styles and one delegated
# click handler. `[n]` markers open their card in the same message; "在原文中查看" switches to the 原文
# tab, marks exactly the citation's evidence span inside the paragraph (the card's own <mark> says which
# characters), scrolls to it and shows "返回对话", which goes back to the card it came from.
JS = """
(details) => {
  document.body.classList.toggle('qa-details', !!details);
  if (window.__qaUi) return; window.__qaUi = true;
  const style = document.createElement('style'); style.textContent = %s; document.head.appendChild(style);
  const back = document.createElement('a'); back.id = 'qa-back'; back.href = '#'; back.textContent = '← 返回对话';
  document.body.appendChild(back);
  let origin = null, restore = null;
  const flash = (el) => { el.classList.remove('qa-flash'); void el.offsetWidth; el.classList.add('qa-flash'); };
  const openCard = (el) => { if (el.tagName === 'DETAILS') el.open = true;
    el.scrollIntoView({block: 'nearest'}); flash(el); };
  const tabButton = (name) => [...document.querySelectorAll('button[role="tab"]')].find(b => b.textContent.trim() === name);
  const showTab = (name) => { const tab = tabButton(name);
    if (tab && tab.getAttribute('aria-selected') !== 'true') tab.click(); };
  const whenVisible = (find, then) => { let tries = 0;
    const step = () => { const el = find();
      if (el && el.offsetParent !== null) then(el); else if (tries++ < 180) requestAnimationFrame(step); };
    step(); };
  // Evidence offsets inside the paragraph, read from the <mark> the card (or source row) already shows.
  const evidenceOf = (link) => {
    const box = link.closest('details'); const para = box && box.querySelector('.qa-para');
    const m = para && para.querySelector('mark'); if (!m) return null;
    const r = document.createRange(); r.setStart(para, 0); r.setEnd(m, 0);
    const start = r.toString().length; return [start, start + m.textContent.length];
  };
  const markSpan = (el, start, end) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT); let pos = 0, s = null, so = 0, e = null, eo = 0, n;
    while ((n = walker.nextNode())) { const len = n.nodeValue.length;
      if (!s && start < pos + len) { s = n; so = start - pos; }
      if (s && end <= pos + len) { e = n; eo = end - pos; break; }
      pos += len; }
    if (!s || !e) return null;
    const r = document.createRange(); r.setStart(s, so); r.setEnd(e, eo);
    const mark = document.createElement('mark'); mark.className = 'qa-ev'; mark.appendChild(r.extractContents());
    r.insertNode(mark); return mark;
  };
  const gotoSource = (id, link) => {
    const fromChat = !link.closest('#qa-docs');
    const ev = fromChat ? evidenceOf(link) : null;
    if (fromChat) { origin = (link.closest('details[id]') || link.closest('[id^="a-"]') || link.closest('.qa-src'));
      if (origin && !origin.id) origin.id = 'qa-origin-' + Date.now(); }
    showTab('原文');
    whenVisible(() => document.getElementById(id), (el) => {
      if (restore) { restore.el.innerHTML = restore.html; restore = null; }
      let target = el;
      if (ev) { const html = el.innerHTML; const mark = markSpan(el, ev[0], ev[1]);
        if (mark) { restore = {el, html}; target = mark; } }
      target.scrollIntoView({block: 'center'}); flash(target);
      document.body.classList.toggle('qa-back-on', fromChat && !!origin);
    });
  };
  const backToChat = () => {
    document.body.classList.remove('qa-back-on');
    const id = origin && origin.id; showTab('问答');
    if (!id) return;
    whenVisible(() => document.getElementById(id), (el) => {
      if (el.tagName === 'DETAILS') el.open = true;
      // the chatbot may scroll itself once it is shown again: place the answer after it settles
      el.scrollIntoView({block: 'center'}); flash(el);
      setTimeout(() => el.scrollIntoView({block: 'center'}), 250);
    });
  };
  const copyText = (answer) => {
    const lines = [(answer.querySelector('.qa-text') || answer).innerText.trim()];
    answer.querySelectorAll('details.qa-card').forEach((card) => {
      const n = card.querySelector('.qa-n'), path = card.querySelector('.qa-path'), m = card.querySelector('.qa-para mark');
      const para = card.querySelector('.qa-para'), doc = card.querySelector('.qa-doc');
      lines.push(`${n ? n.textContent : ''} ${path ? path.textContent : ''}（${doc ? doc.textContent.replace(/^文档：/, '') : ''}）：「${(m || para).textContent}」`);
    });
    return lines.join('\\n');
  };
  const copy = async (button) => {
    const answer = button.closest('.qa-a'); if (!answer) return;
    const text = copyText(answer); let ok = false;
    try { if (navigator.clipboard && window.isSecureContext) { await navigator.clipboard.writeText(text); ok = true; } } catch (e) {}
    if (!ok) { const ta = document.createElement('textarea'); ta.value = text; ta.style.position = 'fixed'; ta.style.opacity = '0';
      document.body.appendChild(ta); ta.select(); try { ok = document.execCommand('copy'); } catch (e) {} ta.remove(); }
    button.textContent = ok ? '已复制 ✓' : '复制失败'; setTimeout(() => { button.textContent = '复制回答'; }, 1500);
  };
  document.addEventListener('click', (ev) => {
    const t = ev.target.closest ? ev.target : null; if (!t) return;
    if (t.closest('#qa-back')) { ev.preventDefault(); backToChat(); return; }
    const button = t.closest('button.qa-copy');
    if (button) { ev.preventDefault(); ev.stopPropagation(); copy(button); return; }
    const a = t.closest('a.qa-cite, a.qa-goto');
    if (!a) return;
    const id = (a.getAttribute('href') || '').slice(1);
    if (!id) return;
    ev.preventDefault(); ev.stopPropagation();
    if (a.classList.contains('qa-goto')) { gotoSource(id, a); return; }
    const el = document.getElementById(id); if (el) openCard(el);
  }, true);
  // leaving the 原文 tab by its own button hides "返回对话"
  document.addEventListener('click', (ev) => { const b = ev.target.closest && ev.target.closest('button[role="tab"]');
    if (b && b.textContent.trim() !== '原文') document.body.classList.remove('qa-back-on'); });
}
""" % json.dumps(CSS)

DETAILS_JS = "(v) => { document.body.classList.toggle('qa-details', !!v); }"
