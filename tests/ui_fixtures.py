"""Fixtures for the UI tests: one real `python ui.py` server per test module, and a headless Chromium.

Import them into a test module with `from tests.ui_fixtures import live_ui, ui_server, browser  # noqa: F401`
(or `from ui_fixtures import ...` when tests/ is on sys.path).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from qa.loadtest import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
# The first start may build the index (about a minute on two cores); later starts take seconds.
START_TIMEOUT_S = float(os.environ.get("QA_UI_START_TIMEOUT", "600"))
CHROMIUM = os.environ.get("QA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SHOTS_DIR = Path(os.environ.get("QA_UI_SHOTS", "/tmp/ui-shots"))  # screenshots are copied here too


def _tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:]
    except OSError:
        return "(no log)"


def start_server(log_path: Path, timeout_s: float = START_TIMEOUT_S, args: Sequence[str] = (),
                 env: dict[str, str] | None = None, index_dir: Path | None = None) -> tuple[subprocess.Popen, str]:
    """Start `python ui.py` on a free loopback port and wait (bounded) until it answers HTTP.

    The index lives in `index_dir` (default: an `index` folder beside the log, built by this start);
    `env` adds variables (QA_AUTH, QA_FEEDBACK_PATH, ...); `args` are extra command-line arguments.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    environ = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "PYTHONUNBUFFERED": "1"}
    for name in ("QA_HOST", "QA_PORT", "QA_AUTH", "QA_DEBUG"):
        environ.pop(name, None)
    environ["QA_INDEX_DIR"] = str(index_dir or log_path.parent / "index")  # a private index
    environ.update(env or {})
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process below
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "ui.py", "--host", "127.0.0.1", "--port", str(port), *args],
                            cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)
    proc._qa_log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            raise RuntimeError(f"ui.py exited with {proc.returncode} before serving:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    proc._qa_ready_s = time.monotonic() - started  # type: ignore[attr-defined]
                    return proc, url
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        try:
            proc.wait(timeout=0.5)  # a bounded pause that also notices an early exit
        except subprocess.TimeoutExpired:
            pass
    stop_server(proc)
    raise RuntimeError(f"ui.py did not answer {url} within {timeout_s:.0f}s:\n{_tail(log_path)}")


def stop_server(proc: subprocess.Popen) -> None:
    stop(proc)
    log = getattr(proc, "_qa_log", None)
    if log is not None:
        log.close()


@dataclass(frozen=True)
class LiveUI:
    url: str
    index_dir: Path  # built by this server; reuse it to start another one quickly
    feedback_path: Path  # QA_FEEDBACK_PATH of this server
    log_path: Path
    ready_s: float  # seconds from start to the first HTTP 200


@pytest.fixture(scope="module")
def live_ui(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveUI]:
    """A live `python ui.py` started once for the module (private index and feedback file); stopped at the end."""
    folder = tmp_path_factory.mktemp("ui-server")
    log_path, feedback = folder / "ui.log", folder / "feedback.jsonl"
    try:
        proc, url = start_server(log_path, env={"QA_FEEDBACK_PATH": str(feedback)})
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield LiveUI(url, folder / "index", feedback, log_path, proc._qa_ready_s)  # type: ignore[attr-defined]
    finally:
        stop_server(proc)
        print(f"\nui server log: {log_path}")


@pytest.fixture(scope="module")
def ui_server(live_ui: LiveUI) -> str:
    """URL of the module's live UI."""
    return live_ui.url


def save_shot(page, tmp_path: Path, name: str, full_page: bool = False) -> Path:
    """A screenshot under the test's tmp dir, copied to SHOTS_DIR (/tmp/ui-shots) for a person to look at."""
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    try:
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS_DIR / path.name)
    except OSError:
        pass
    print(f"\nscreenshot: {path}")
    return path


def unavailable(reason: str) -> None:
    """A missing browser fails under CI (CI=... set) and skips locally, saying why."""
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run: {reason}")
    pytest.skip(f"browser test skipped: {reason}")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Debian Chromium driven by Playwright (sync API)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        unavailable(f"playwright is not installed ({exc})")
    if not os.path.exists(CHROMIUM):
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set QA_CHROMIUM)")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
    except Exception as exc:  # noqa: BLE001 - any launch failure is reported with its reason
        pw.stop()
        unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
    try:
        yield chromium
    finally:
        chromium.close()
        pw.stop()
