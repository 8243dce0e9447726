"""Render the job summary of some postmortems to HTML, as GitHub shows it, and screenshot it.

    python docs/summary_screenshot.py [FILE ...] [--out docs/images/job-summary.png]

Without files, the examples and (when present) the seed postmortems beside the repository
(``../shared/seeds/*.txt``) are used. The files are copied to a temporary folder and linted there with
``postmortem-check lint --summary`` under a made-up ``GITHUB_REPOSITORY`` and ``GITHUB_SHA``, so the
rows show their links as in a real run. The Markdown is rendered with markdown-it-py (the test extras)
and the page is screenshot with headless Chromium (``chromium``, ``chromium-browser`` or ``google-chrome``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "docs" / "images" / "job-summary.png"
FAKE_ENV = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/postmortems",
            "GITHUB_SHA": "4f2c9a1e0b7d3c5a8e6f1b2d4c6a8e0f1a3b5c7d"}
STYLE = """
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328;
       max-width: 1180px; margin: 24px auto; padding: 0 16px; }
h2 { border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; }
table { border-collapse: collapse; margin: 0 0 16px; display: block; overflow: auto; }
th, td { border: 1px solid #d1d9e0; padding: 6px 13px; vertical-align: top; }
tr:nth-child(2n) { background: #f6f8fa; }
a { color: #0969da; text-decoration: none; }
"""


def default_files() -> list[Path]:
    seeds = ROOT.parent / "shared" / "seeds"
    return sorted((ROOT / "examples").glob("*.md")) + sorted(seeds.glob("*.txt"))


def browser() -> str | None:
    return next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)


def summary_markdown(files: list[Path], work: Path) -> str:
    """The job summary ``lint --summary`` writes for ``files`` (copied under ``work/postmortems``)."""
    from postmortem_check.cli import main

    folder = work / "postmortems"
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for file in files:
        shutil.copyfile(file, folder / file.name)
        names.append(f"postmortems/{file.name}")
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    os.environ.update(FAKE_ENV)
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            main(["lint", "--quiet", "--summary", "summary.md", *names])
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return (work / "summary.md").read_text("utf-8")


def to_html(markdown: str) -> str:
    """The Markdown as GitHub renders a job summary: CommonMark with tables."""
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Job summary</title>'
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def chromium(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with ``args`` (``--dump-dom``, ``--screenshot=...``)."""
    found = browser()
    if found is None:
        raise FileNotFoundError("no Chromium found (chromium, chromium-browser or google-chrome)")
    return subprocess.run([found, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           f"--user-data-dir={page.parent / 'profile'}", *args, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)


def screenshot(files: list[Path], out: Path, size: str = "1280,1400") -> Path:
    """Write the summary of ``files`` as HTML beside a temporary copy of them and screenshot it to ``out``."""
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        page = work / "summary.html"
        page.write_text(to_html(summary_markdown(files, work)), "utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        chromium(page, f"--screenshot={out.resolve()}", f"--window-size={size}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="postmortems to summarise")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="the PNG to write")
    args = parser.parse_args(argv)
    try:
        shot = screenshot(args.files or default_files(), args.out)
    except FileNotFoundError as error:
        print(f"summary_screenshot: {error}", file=sys.stderr)
        return 2
    print(f"wrote {shot}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
