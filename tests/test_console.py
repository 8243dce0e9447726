"""The one diagnostics writer: `issues` escapes hostile file names and item text as `lint` does."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from postmortem_check.cli import main
from postmortem_check.console import Console
from tests.fake_github import FakeGitHub

HOSTILE = "\x1b[2J\x1b]0;owned\x07 \u202egnp.exe ::error::injected"
DOC = ("# Outage\n\n## Summary\n\nIt broke.\n\n## Corrective actions\n\n"
       f"- [ ] Fix it {HOSTILE}\n- [ ] Rotate keys\n")


def _assert_inert(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    for line in text.splitlines():
        assert not line.startswith("::"), line


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_issues_output_escapes_hostile_names_and_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ops")
    monkeypatch.delenv("GH_TOKEN", raising=False)
    server = FakeGitHub().start()
    monkeypatch.setenv("GITHUB_TOKEN", server.token)
    monkeypatch.setenv("GITHUB_API_URL", server.url)
    name = f"::error::{HOSTILE}.md".replace("/", "_")
    Path(name).write_text(DOC)
    empty = f"{HOSTILE} empty.md"
    Path(empty).write_text("# Nothing\n")  # stderr names it: "no action items found"
    code = main(["issues", "--dry-run", "--format", fmt, "--allow-invalid", name, empty])
    server.stop()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    _assert_inert(captured.err)
    _assert_inert(captured.out)
    assert "\\x1b[2J\\x1b]0;owned\\x07 \\u202egnp.exe ::error::injected empty.md" in captured.err
    if fmt == "json":
        assert any(HOSTILE in record["file"] for record in json.loads(captured.out))  # exact, and inert
    else:
        assert "\\u202e" in captured.out and "::error::injected" in captured.out


def test_console_redacts_the_token_and_escapes() -> None:
    err = io.StringIO()
    console = Console(secret="tok-123", err=err)
    console.error("bad tok-123 \x1b[31m\n::warning::x")
    assert err.getvalue() == ("postmortem-check: error: bad *** \\x1b[31m\n"
                              "postmortem-check: error: ::warning::x\n")
    out = io.StringIO()
    Console(out=out).result("::error::x")
    assert out.getvalue() == "\\x3a:error::x\n"
