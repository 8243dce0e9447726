"""GitHub annotations, SARIF and the job summary, on real documents through the real command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from jsonschema import Draft4Validator

from postmortem_check.cli import main
from postmortem_check.findings import RULES, Finding
from postmortem_check.report.github import annotation, escape_data, escape_property
from postmortem_check.report.summary import SummaryReporter, md
from tests.conftest import CORPUS, ROOT, SEEDS, SHARED, need_shared

HOSTILE = (
    "# Title %0A::warning::x\n\n"
    "## Summary %0A::warning::x\n\n"
    "## ::add-mask::y\n\n"
    "Some text ::add-mask::y and [::add-mask::y] here.\r\n::error::boom\r\n\n"
    "## Impact\n\n"
    "## Timeline\n\n"
    "- ::error:: something %0A::warning::x happened\n"
    "- [\r\n::error::] x\n\n"
    "## Root cause\n\n"
    "::add-mask::y\n\n"
    "## Action items\n\n"
    "- [ ] ::add-mask::y fix it @bob\n"
)
ANNOTATION = re.compile(
    r"^::(error|warning) file=(?P<file>[^,:]*),line=(\d+),col=(\d+),title=(?P<title>[^,:]*)::(?P<msg>.*)$")


def _unescape(value: str) -> str:
    return (value.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r")
            .replace("%25", "%"))


def test_escaping_matches_the_actions_toolkit():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("%0A::warning::x") == "%250A::warning::x"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    finding = Finding("dir/x,y:z.md", 3, 2, "placeholder", "warning", "bad\r\n::error::x %0A::add-mask::y")
    line = annotation(finding)
    assert "\n" not in line and "\r" not in line
    match = ANNOTATION.match(line)
    assert match and match.group(1) == "warning"
    assert _unescape(match.group("file")) == "dir/x,y:z.md"
    assert _unescape(match.group("msg")) == finding.message


def test_hostile_document_yields_only_our_annotations(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "weird,name:1.md").write_bytes(HOSTILE.encode())
    code = main(["lint", "--format", "github", "weird,name:1.md"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.endswith("\n") and "\r" not in out
    lines = out.splitlines()
    commands = [line for line in lines if line.lstrip().startswith("::")]
    assert commands == lines[:-1], "every line but the closing summary is one of our annotations"
    assert lines[-1].startswith("postmortem-check: 1 file checked")
    assert len(commands) >= 4
    for line in commands:
        match = ANNOTATION.match(line)
        assert match, line
        assert _unescape(match.group("file")) == "weird,name:1.md"
        assert _unescape(match.group("title")).startswith("postmortem-check ")
        # a message may quote the document, but never leaves its own line or starts a command
        assert "%0A::" not in match.group("msg")
    assert any("%250A::warning::x" in line for line in commands), "document text was escaped, not dropped"


def test_github_is_the_default_format_inside_actions(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    path = tmp_path / "p.md"
    path.write_text("# Incident\n\n## Summary\n\nText.\n")
    assert main(["lint", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("::error file=")
    assert all(ANNOTATION.match(line) for line in lines[:-1])


def test_warnings_stay_warnings(capsys):
    path = need_shared(SEEDS) / next(p.name for p in SEEDS.glob("001_*"))
    assert main(["lint", "--format", "github", str(path)]) == 0  # seed 001 has only warnings
    lines = capsys.readouterr().out.splitlines()[:-1]
    assert lines and all(line.startswith("::warning ") for line in lines)


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    schema = json.loads(need_shared(SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _fixtures() -> list[Path]:
    found = sorted((ROOT / "examples").glob("*.md")) + sorted((ROOT / "tests" / "fixtures").glob("*.md"))
    for folder in (SEEDS, CORPUS):
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.suffix in (".md", ".txt"))
    return found


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.name)
def test_sarif_of_every_fixture_validates(path, sarif_validator, capsys, monkeypatch):
    monkeypatch.chdir(path.parent)
    code = main(["lint", "--format", "sarif", path.name])
    log = json.loads(capsys.readouterr().out)
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][: len(RULES)] == list(RULES)
    assert all(r["helpUri"].endswith(f"/docs/rules/{r['id']}.md") for r in rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not location["artifactLocation"]["uri"].startswith("/")
        assert location["region"]["startLine"] >= 1
    assert code == (1 if any(r["level"] == "error" for r in run["results"]) else 0)


def test_sarif_hostile_names_team_rules_and_levels(tmp_path, sarif_validator, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir with space").mkdir()
    (tmp_path / "dir with space" / "ü,x#1.md").write_bytes(HOSTILE.encode())
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "required": ["sections"],
        "properties": {"sections": {"type": "object", "required": ["detection"],
                                    "x-rule": "needs-detection", "x-severity": "warning"}},
    }
    (tmp_path / "team.json").write_text(json.dumps(schema))
    code = main(["lint", "--format", "sarif", "--schema", "team.json", "dir with space"])
    log = json.loads(capsys.readouterr().out)
    assert not list(sarif_validator.iter_errors(log))
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids[-1] == "needs-detection" and ids.count("needs-detection") == 1
    results = [r for r in run["results"] if r["ruleId"] == "needs-detection"]
    assert results and results[0]["level"] == "warning" and results[0]["ruleIndex"] == len(ids) - 1
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20with%20space/%C3%BC%2Cx%231.md"
    assert code == 0


def test_markdown_escape():
    assert md("a|b <script>x</script> *y* [l](u) `c` $x$\n@bob") == (
        "a\\|b &lt;script&gt;x&lt;/script&gt; \\*y\\* \\[l\\](u) \\`c\\` \\$x\\$ @\u200bbob")


def test_summary_report_per_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.md").write_bytes(HOSTILE.encode())
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step output\n")
    example = ROOT / "examples" / "2026-03-04-checkout-latency.md"
    assert main(["lint", "--format", "text", "--summary", str(summary), "bad.md", str(example)]) == 1
    text = summary.read_text()
    assert text.startswith("earlier step output\n## postmortem-check\n")
    assert "**2 files checked: 3 errors, 2 warnings**" in text
    assert "| bad.md | ❌ errors | 3 | 2 | 1 |" in text
    assert "2026-03-04-checkout-latency.md | ✅ clean | 0 | 0 | 2 |" in text
    assert "| open | Split the cache settings per service" in text
    assert "| done | Add the eviction dashboard" in text
    assert "<script" not in text
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.count("|") - line.count("\\|") in (5, 6, 7), line  # no cell leaks into another


def test_summary_is_capped_with_a_note(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    entries = "".join(f"- entry {i} " + "w" * 300 + "\n" for i in range(3000))
    body = "# X\n\n## Summary\n\n## Timeline\n\n" + entries
    for i in range(3):
        (tmp_path / f"big{i}.md").write_text(body)
    summary = tmp_path / "summary.md"
    assert main(["lint", "--format", "json", "--summary", str(summary), "big0.md", "big1.md", "big2.md"]) == 1
    size = summary.stat().st_size
    assert 900_000 < size < 1024 * 1024
    text = summary.read_text()
    note = re.search(r"\*\*Report truncated\*\* .*: (\d) files? not shown in full", text)
    assert note and int(note.group(1)) >= 1
    assert text.rstrip().endswith("The log and the SARIF file have every finding.")
    capsys.readouterr()


def test_summary_reporter_limit_counts_existing_content(tmp_path):
    path = tmp_path / "s.md"
    path.write_text("x" * 5000)
    reporter = SummaryReporter(path, limit=6000)
    from postmortem_check.lint import lint_text
    from postmortem_check.report import Totals

    result = lint_text(HOSTILE, path="a.md")
    for _ in range(20):
        reporter.file(result)
    reporter.finish(Totals(20, 60, 40))
    assert path.stat().st_size <= 6000
    assert "Report truncated" in path.read_text()
