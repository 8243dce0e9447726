"""Screenshots of the follow-through report, for docs/: the HTML report and a job summary's Mermaid charts.

    python bench/report_screenshots.py [PATHS...] [--mermaid PATH/TO/mermaid.min.js] [--out docs/images]

PATHS default to each repository folder in ../shared/realrepos. The HTML report needs only Chromium
(``apt-get install -y chromium``). The job summary is the Markdown report rendered the way GitHub
renders it (markdown-it-py for the text, Mermaid for the charts); Mermaid is loaded from a local file, never fetched:
``npm install --prefix /tmp/mermaid mermaid@11`` gives ``/tmp/mermaid/node_modules/mermaid/dist/mermaid.min.js``.
Without it the summary screenshot is skipped.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from postmortem_check.config import Config  # noqa: E402
from postmortem_check.followup.command import build  # noqa: E402
from postmortem_check.followup.read import collect  # noqa: E402
from postmortem_check.followup.render import html as html_report  # noqa: E402
from postmortem_check.followup.render import markdown  # noqa: E402

_MERMAID_BLOCK = re.compile(r'<pre><code class="language-mermaid">(.*?)</code></pre>', re.S)
_SUMMARY_STYLE = """body{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",sans-serif;max-width:60em;
margin:1em auto;padding:1em 2em;border:1px solid #d0d7de;border-radius:6px;color:#1f2328;font-size:14px}
table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:4px 10px}
h1{font-size:1.6em;border-bottom:1px solid #d0d7de}h2{font-size:1.3em;border-bottom:1px solid #d0d7de}"""


def browser() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
                 None)
    if found is None:
        raise SystemExit("no Chromium found: apt-get install -y chromium")
    return found


def screenshot(page: Path, out: Path, width: int, height: int, wait_ms: int = 0) -> None:
    with tempfile.TemporaryDirectory() as profile:
        command = [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                   f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={out}"]
        if wait_ms:
            command.append(f"--virtual-time-budget={wait_ms}")
        subprocess.run([*command, page.as_uri()], check=True, capture_output=True, timeout=180)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


def summary_page(text: str, mermaid_js: Path) -> str:
    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark").enable("table").render(text)
    body = _MERMAID_BLOCK.sub(lambda m: f'<pre class="mermaid">{m.group(1)}</pre>', body)
    script = mermaid_js.read_text("utf-8").replace("</script", "<\\/script")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{_SUMMARY_STYLE}</style></head><body>"
            f"{body}<script>{script}</script><script>mermaid.initialize({{startOnLoad:true}});</script>"
            f"</body></html>")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="*", help="postmortem folders (default: each repository in ../shared/realrepos)")
    parser.add_argument("--mermaid", type=Path, help="a local mermaid.min.js for the job summary screenshot")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 12, 1))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    shared = ROOT.parent / "shared" / "realrepos"
    paths = args.paths or [str(d) for d in sorted(shared.iterdir()) if d.is_dir() and d.name != "labels"]
    problems: list[str] = []
    found = collect(paths, Config(), args.today, problems, [])
    if problems:
        raise SystemExit("\n".join(problems))
    report = build(found, args.today)
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "report.html"
        page.write_text(html_report(report), encoding="utf-8")
        screenshot(page, args.out / "report-html.png", 1400, 1500)
        if args.mermaid is None or not args.mermaid.is_file():
            print("no --mermaid file: the job summary screenshot is skipped", file=sys.stderr)
            return 0
        text = markdown(report)
        summary = Path(work) / "summary.html"
        summary.write_text(summary_page(text, args.mermaid), encoding="utf-8")
        screenshot(summary, args.out / "report-job-summary.png", 1100, 2200, wait_ms=10000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
