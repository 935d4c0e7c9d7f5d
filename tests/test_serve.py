"""`qa serve` in a real browser: Debian's headless Chromium, driven by Playwright's Python client.

The page draws the terminal with xterm.js on a canvas, so there is no text in the DOM to read:
an init script keeps a reference to the page's xterm Terminal when textual-serve's script
creates it, and the test reads the screen from that terminal's buffer (its public API), as
a person would read the page. Skipped where Chromium or Playwright is absent.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
QUESTION = "斗门2020年准备建多少座5G基站？"
ANSWER = "重点完成851个基站建设"
TITLE = "珠海市斗门区2020年工作计划"
SCREENSHOT = os.environ.get("QA_SERVE_SCREENSHOT")  # e.g. docs/serve.png, to refresh the README's image

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (the test extra)")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (apt-get install chromium)"
)

# Keeps each xterm Terminal the page creates (textual.js assigns it to `this.terminal`).
KEEP_TERMINAL = """
window.__qaTerminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer) window.__qaTerminals.push(value);
  },
});
"""
SCREEN_TEXT = """() => {
  const terminal = window.__qaTerminals[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active, rows = [];
  for (let i = 0; i < buffer.length; i++) rows.push(buffer.getLine(i).translateToString(true));
  return rows.join("\\n");
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def qa(settings, *args: str) -> list[str]:
    options = ["--index-dir", str(settings.index_dir), "--cache-dir", str(settings.cache_dir)]
    return [sys.executable, "-m", "qa", *args, *options]


@pytest.fixture
def served(settings):
    """`qa serve` on a free localhost port; its address. The whole process group is stopped after."""
    port = free_port()
    process = subprocess.Popen(
        qa(settings, "serve", "--port", str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        assert f"open http://127.0.0.1:{port}" in first, first + process.stdout.read()
        for _ in range(100):  # until it listens
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server and the app processes it started
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(page, text: str, seconds: float = 180) -> str:
    """The screen's text once it shows `text` (the app loads its model on first use)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        screen = page.evaluate(SCREEN_TEXT)
        if text in screen:
            return screen
        time.sleep(0.25)
    raise AssertionError(f"{text!r} never appeared; the screen:\n{page.evaluate(SCREEN_TEXT)}")


def test_browser_asks_and_reads_the_cited_answer(served, tmp_path):
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True)
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served)
            page = context.new_page()
            page.add_init_script(KEEP_TERMINAL)
            page.goto(served)
            wait_for(page, "模型 就绪")  # the status bar: the model has loaded (lexical answers come before)
            page.locator(".xterm-helper-textarea").focus()  # the terminal's keyboard
            page.keyboard.insert_text(QUESTION)
            page.keyboard.press("Enter")
            screen = wait_for(page, ANSWER)
            assert f"答：{ANSWER} — 广东省珠海市斗门区 2020 ¶11" in screen  # the answer, cited
            assert f"{TITLE} · 广东省珠海市斗门区 · 2020" in screen  # its card
            assert "重建索引" not in screen  # re-indexing is off without --allow-reindex
            page.screenshot(path=tmp_path / "serve.png")
            if SCREENSHOT:
                shutil.copy(tmp_path / "serve.png", SCREENSHOT)

            page.keyboard.press("Escape")  # to the first card, and copy it
            wait_for(page, "c 复制", 30)  # the footer's keys of a card: it has the focus
            page.keyboard.press("c")
            deadline = time.monotonic() + 10
            while ANSWER not in (copied := page.evaluate("navigator.clipboard.readText()")):
                assert time.monotonic() < deadline, copied
                time.sleep(0.2)
            assert copied.startswith(TITLE)

            with page.expect_download(timeout=30_000) as download:  # the export comes to this machine
                page.keyboard.press("Control+e")
            assert download.value.suggested_filename.startswith("qa-")
            assert download.value.suggested_filename.endswith(".md")
            exported = Path(download.value.path()).read_text(encoding="utf-8")
            assert f"## {QUESTION}" in exported and ANSWER in exported and TITLE in exported
        finally:
            browser.close()


def test_serve_says_plainly_when_it_is_open_to_others(settings):
    """Another address than localhost (here another loopback one) gets a warning first."""
    port = free_port()
    process = subprocess.Popen(
        qa(settings, "serve", "--host", "127.0.0.2", "--port", str(port)),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        warning, address = process.stdout.readline(), process.stdout.readline()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(10)
    assert warning.startswith("warning:") and "anyone who can reach" in warning
    assert f"open http://127.0.0.2:{port}" in address


def test_serve_refuses_a_busy_port_or_a_missing_index(settings, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = subprocess.run(qa(settings, "serve", "--port", str(port)), capture_output=True, text=True, timeout=60)
    assert taken.returncode == 1 and taken.stderr.startswith("error: cannot serve on 127.0.0.1")
    assert taken.stderr.count("\n") == 1
    missing = subprocess.run(
        [sys.executable, "-m", "qa", "serve", "--index-dir", str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 1 and "run `qa index`" in missing.stderr and missing.stderr.count("\n") == 1
