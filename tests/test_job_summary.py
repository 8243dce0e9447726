"""The job summary as a reviewer reads it, checked on its rendered structure (markdown-it-py tokens, and
the DOM headless Chromium builds): one heading, the overview table first with files with errors first,
rows linked to their line at the commit and to their rule's page, the issue plan as a table."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from postmortem_check.action import preview_markdown
from postmortem_check.cli import main
from postmortem_check.config import Config
from postmortem_check.findings import RULES
from postmortem_check.issues import service
from postmortem_check.lint import lint_file, schema_for
from postmortem_check.report.summary import issue_plan_markdown, would_open
from tests.conftest import ROOT, SEEDS, need_shared

markdown_it = pytest.importorskip("markdown_it")

CLEAN = (ROOT / "examples" / "2026-03-04-checkout-latency.md").read_text()
WARNED = CLEAN.replace("- 14:10 Database", "- Later the database", 1)
BROKEN = "# Outage\n\n## Summary\n\nThe database ran out of disk.\n\n## Action items\n\n- [ ] Add a disk alert\n"
GITHUB = {"GITHUB_SERVER_URL": "https://git.example.com", "GITHUB_REPOSITORY": "acme/ops",
          "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567"}
OVERVIEW = ["File", "Status", "Errors", "Warnings", "Issues it would open"]


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table as rows of cell texts (the head row first), links reduced to their text."""
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    found: list[list[list[str]]] = []
    inside = False
    for token in tokens:
        if token.type in ("table_open", "table_close"):
            inside = token.type == "table_open"
            if inside:
                found.append([])
        elif token.type == "tr_open":
            found[-1].append([])
        elif token.type == "inline" and inside:
            found[-1][-1].append("".join(child.content for child in token.children or []
                                         if child.type in ("text", "text_special", "code_inline")))
    return found


def headings(markdown: str) -> list[tuple[str, str]]:
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    return [(token.tag, tokens[n + 1].content) for n, token in enumerate(tokens) if token.type == "heading_open"]


def hrefs(markdown: str) -> list[str]:
    tokens = markdown_it.MarkdownIt("commonmark").enable("table").parse(markdown)
    return [str(child.attrs["href"]) for token in tokens if token.type == "inline"
            for child in token.children or [] if child.type == "link_open"]


def summarise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> str:
    for name, text in {"clean.md": CLEAN, "warned.md": WARNED, "broken.md": BROKEN}.items():
        (tmp_path / "pm" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "pm" / name).write_text(text)
    for key in GITHUB:
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert main(["lint", "-q", "--summary", "summary.md", "pm/clean.md", "pm/warned.md", "pm/broken.md"]) == 1
    return (tmp_path / "summary.md").read_text()


def test_one_heading_and_the_overview_table_first(tmp_path, monkeypatch, capsys):
    text = summarise(tmp_path, monkeypatch, GITHUB)
    assert [h for h in headings(text) if h[0] in ("h1", "h2")] == [("h2", "postmortem-check")]
    first = tables(text)[0]
    assert first[0] == OVERVIEW
    assert [row[0] for row in first[1:]] == ["pm/broken.md", "pm/warned.md", "pm/clean.md"]  # errors first
    assert [row[2:] for row in first[1:]] == [["2", "1", "1"], ["0", "1", "2"], ["0", "0", "2"]]
    assert text.index("| File |") < text.index("### ")  # before any other section
    capsys.readouterr()


def test_no_table_is_repeated_and_nothing_is_raw_json(tmp_path, monkeypatch, capsys):
    text = summarise(tmp_path, monkeypatch, GITHUB)
    heads = [table[0] for table in tables(text)]
    assert len(heads) == len({tuple(head) for head in heads}) == 3
    assert "```" not in text and "<details>" not in text
    capsys.readouterr()


def test_rows_link_to_their_line_at_the_commit_and_to_the_rule_page(tmp_path, monkeypatch, capsys):
    text = summarise(tmp_path, monkeypatch, GITHUB)
    base = "https://git.example.com/acme/ops/blob/0123456789abcdef0123456789abcdef01234567/"
    links = hrefs(text)
    assert base + "pm/broken.md" in links  # the overview's file cell
    assert any(re.fullmatch(re.escape(base) + r"pm/broken\.md#L\d+", link) for link in links)
    assert base + "pm/broken.md#L9" in links  # the action item's line
    assert RULES["missing-section"].help_uri in links and RULES["timeline-missing-time"].help_uri in links
    capsys.readouterr()


@pytest.mark.parametrize("env", [{}, {**GITHUB, "GITHUB_REPOSITORY": "acme/ops) [x](https://evil.example"},
                                 {**GITHUB, "GITHUB_SHA": "main"}])
def test_no_line_links_without_a_commit_to_point_at(tmp_path, monkeypatch, capsys, env):
    text = summarise(tmp_path, monkeypatch, env)
    assert [link for link in hrefs(text) if "/blob/" in link and "/docs/rules/" not in link] == []
    assert "evil" not in " ".join(hrefs(text))
    assert tables(text)[0][0] == OVERVIEW
    capsys.readouterr()


def test_issue_plan_is_a_table(monkeypatch):
    for key, value in GITHUB.items():
        monkeypatch.setenv(key, value)
    records: list[dict[str, Any]] = [
        {"file": "pm/a.md", "line": 9, "item_id": "x", "action": "created", "dry_run": True, "issue": None,
         "reason": "new action item"},
        {"file": "pm/a.md", "line": 10, "item_id": "y", "action": "linked",
         "issue": {"number": 12, "url": "https://git.example.com/acme/ops/issues/12"}, "reason": "names | it"}]
    text = issue_plan_markdown(records)
    (table,) = tables(text)
    assert table[0] == ["Where", "Action", "Issue", "Reason"]
    assert [row[1] for row in table[1:]] == ["created", "linked"]
    assert table[2][3] == "names | it"
    assert "https://git.example.com/acme/ops/issues/12" in hrefs(text)
    assert issue_plan_markdown([]) == "No action item needs an issue.\n\n"


def test_preview_rows_link_to_the_item_line(monkeypatch):
    for key, value in GITHUB.items():
        monkeypatch.setenv(key, value)
    item = {"path": "pm/a.md", "line": 9, "title": "Add a disk alert", "assignees": ["ana"], "labels": ["pm"],
            "due": None, "priority": None}
    text = preview_markdown([item], [], "true")
    (table,) = tables(text)
    assert table[0][:2] == ["Where", "Title"] and table[1][:2] == ["pm/a.md:9", "Add a disk alert"]
    assert hrefs(text) == [f"https://git.example.com/acme/ops/blob/{GITHUB['GITHUB_SHA']}/pm/a.md#L9"]


def test_issues_it_would_open_match_the_preview(tmp_path):
    files = sorted((ROOT / "examples").glob("*.md")) + sorted(SEEDS.glob("*.txt"))
    (tmp_path / "broken.md").write_text(BROKEN)
    config = Config()
    results = [lint_file(str(path), schema_for(config), config) for path in [*files, tmp_path / "broken.md"]]
    shown = service.preview(results, service.settings_for(config, "acme/ops"))
    for result in results:
        assert would_open(result) == sum(1 for item in shown.would_open if item["path"] == result.path)


# --- rendered in a browser ------------------------------------------------------------------------------

def _script() -> Any:
    spec = importlib.util.spec_from_file_location("summary_screenshot", ROOT / "docs" / "summary_screenshot.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("summary_screenshot", module)
    spec.loader.exec_module(module)
    return module


def test_seeds_and_examples_in_chromium_show_the_overview_first(tmp_path, capsys):
    script = _script()
    if script.browser() is None:
        pytest.skip("no Chromium installed")
    files = sorted((ROOT / "examples").glob("*.md")) + sorted(need_shared(SEEDS).glob("*.txt"))
    page = tmp_path / "summary.html"
    page.write_text(script.to_html(script.summary_markdown(files, tmp_path / "work")))
    dom = script.chromium(page, "--dump-dom").stdout
    body = dom[dom.index("<body"):]
    assert len(re.findall(r"<h[12]\b", body)) == 1
    first_table = body.index("<table")
    assert body.index("<h2") < first_table < body.index("<h3")
    head = re.findall(r"<th[^>]*>(.*?)</th>", body[first_table:body.index("</tr>", first_table)])
    assert head == OVERVIEW
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>\s*<td>(.*?)</td>",
                      body[first_table:body.index("</table>", first_table)], re.S)
    statuses = [status for _, status in rows]
    assert len(rows) == len(files) and statuses == sorted(statuses, key=("❌ errors", "⚠️ warnings",
                                                                          "✅ clean").index)
    shot = script.screenshot(files, tmp_path / "shot.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    capsys.readouterr()
