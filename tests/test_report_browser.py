"""The HTML report in headless Chromium: it loads with no console message and its charts are drawn.

Skips cleanly when no Chromium is installed (CI installs it with ``apt-get install -y chromium``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from postmortem_check.cli import main
from tests.test_followup_report import FILES

BROWSER = next((shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")
                if shutil.which(name)), None)
pytestmark = pytest.mark.skipif(BROWSER is None, reason="no Chromium installed")


def load(page: Path, *extra: str) -> tuple[str, list[str]]:
    """The DOM after loading ``page``, and the console messages Chromium logged."""
    done = subprocess.run(
        [str(BROWSER), "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
         f"--user-data-dir={page.parent / 'profile'}", *extra, "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    return done.stdout, console


def test_console_messages_are_seen(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>")
    _, console = load(page)
    assert any("undefinedFunction" in line for line in console)


def test_report_loads_without_console_errors_and_draws_its_charts(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "incidents", "--today", "2024-06-30", "--format", "html", "-o", "report.html"]) == 0
    dom, console = load(tmp_path / "report.html")
    assert console == []
    charts = re.findall(r"<svg\b.*?</svg>", dom, re.S)
    assert len(charts) == 5
    for chart in charts:  # every chart has something drawn with a size
        heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([\d.]+)"', chart)]
        points = re.findall(r'class="point"', chart)
        assert any(h > 0 for h in heights) or points, chart[:200]
    shot = tmp_path / "shot.png"
    load(tmp_path / "report.html", f"--screenshot={shot}", "--window-size=1200,900")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
