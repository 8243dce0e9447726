"""``new``, ``rules`` and ``schema``, and the worked team schema in docs/examples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from postmortem_check.cli import main
from postmortem_check.config import Config
from postmortem_check.document import split_lines
from postmortem_check.findings import RULES
from postmortem_check.lint import lint_text
from postmortem_check.schema import load_schema, packaged_text
from tests.conftest import ROOT

EXAMPLES = ROOT / "docs" / "examples"
TEAM_SCHEMA = EXAMPLES / "acme-postmortem.schema.json"
FILL_IN_RULES = {"placeholder", "empty-section", "draft"}  # a new postmortem is a draft: errors are warnings


def _new(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["new", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _lint(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["lint", "--format", "json", *args, str(path)])
    return code, json.loads(capsys.readouterr().out)["files"][0]


# --- new ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["default", "google-sre"])
def test_new_then_lint_reports_only_fill_in_findings_each_on_its_line(schema, tmp_path, capsys):
    target = tmp_path / "postmortem.md"
    code, _, err = _new(capsys, "--schema", schema, "--date", "2026-04-01", "-o", str(target))
    assert code == 0 and str(target) in err
    lines = split_lines(target.read_text(encoding="utf-8"))
    loaded = load_schema(schema)

    code, result = _lint(target, capsys, "--schema", schema, "--fail-on", "warning")
    assert code == 1
    assert {f["rule"] for f in result["findings"]} == FILL_IN_RULES
    for finding in result["findings"]:
        line = lines[finding["line"] - 1]
        if finding["rule"] == "draft":
            assert line == "---"
        elif finding["rule"] == "placeholder":
            placeholder = re.search(r"placeholder (.+?) left in", finding["message"]).group(1)
            assert line[finding["column"] - 1:].startswith(placeholder)
        else:
            assert line == f"## {loaded.vocabulary.sections[finding['section']].title}"
    # every section without an example in it is reported empty, and nothing else is
    empty = {f["section"] for f in result["findings"] if f["rule"] == "empty-section"}
    assert empty == set(loaded.section_order) - {"timeline", "corrective_actions"}
    # the example timeline entry and action item are read as such
    assert len(result["action_items"]) == 1
    assert result["front_matter"]["date"] == "2026-04-01"
    assert result["title"] == "[Incident title]"


@pytest.mark.parametrize("schema", ["default", "google-sre"])
def test_new_writes_every_section_in_schema_order_with_its_description(schema, capsys):
    code, out, _ = _new(capsys, "--schema", schema, "--title", "Checkout down", "--date", "2026-04-01")
    assert code == 0
    loaded = load_schema(schema)
    lines = split_lines(out)
    positions = []
    for section_id in loaded.section_order:
        spec = loaded.vocabulary.sections[section_id]
        index = lines.index(f"## {spec.title}")
        positions.append(index)
        assert lines[index + 2].startswith(f"<!-- {spec.description}")
    assert positions == sorted(positions)
    assert lines[:3] == ["---", "date: 2026-04-01", 'title: "Checkout down"']
    assert "# Checkout down" in lines
    result = lint_text(out, Config(schema=schema))
    assert result.title == "Checkout down"
    title_line = lines.index("# Checkout down") + 1
    assert not [f for f in result.findings if f.rule == "placeholder" and f.line == title_line]


def test_new_refuses_to_overwrite(tmp_path, capsys):
    target = tmp_path / "existing.md"
    target.write_text("my notes\n", encoding="utf-8")
    code, _, err = _new(capsys, "-o", str(target))
    assert code == 2
    assert "already exists" in err and "Traceback" not in err
    assert target.read_text(encoding="utf-8") == "my notes\n"


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "11/02/2026"], "YYYY-MM-DD"),
    (["--date", "2026-02-30"], "YYYY-MM-DD"),
    (["--schema", "no-such-schema"], "neither a built-in schema"),
    (["-o", "/dev/null/p.md"], "cannot write"),
])
def test_new_bad_input_is_a_clear_error(args, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = _new(capsys, *args)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert out == ""


def test_new_for_the_team_schema_fills_front_matter_from_it(capsys):
    code, out, _ = _new(capsys, "--schema", str(TEAM_SCHEMA), "--date", "2026-04-01")
    assert code == 0
    assert "severity: SEV1  # one of: SEV1, SEV2, SEV3" in out.splitlines()
    assert "## Customer Impact" in out.splitlines()
    result = lint_text(out, Config(schema=str(TEAM_SCHEMA)))
    # the example action item has no owner yet: the team's own rule asks for one, on the item's line
    assert {f.rule for f in result.findings} == FILL_IN_RULES | {"acme-action-owner"}
    owner = next(f for f in result.findings if f.rule == "acme-action-owner")
    assert out.splitlines()[owner.line - 1].startswith("- [ ] [Describe the action]")


def test_schema_without_front_matter_gives_no_front_matter(tmp_path, capsys):
    schema = tmp_path / "plain.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"sections": {
        "type": "object", "required": ["summary"], "x-rule": "missing-section",
        "properties": {"summary": {"title": "Summary", "description": "What happened."}}}}}),
        encoding="utf-8")
    code, out, _ = _new(capsys, "--schema", str(schema), "--title", "Outage")
    assert code == 0
    assert out.startswith("# Outage\n\n## Summary\n\n<!-- What happened. -->\n")


# --- rules and schema -----------------------------------------------------------------------------


def test_rules_lists_every_rule_and_the_accepted_headings(capsys):
    assert main(["rules", "--schema", "google-sre"]) == 0
    out = capsys.readouterr().out
    for rule in RULES.values():
        line = rf"^\s+{re.escape(rule.id)}\s+{rule.default}\s+{re.escape(rule.summary)}$"
        assert re.search(line, out, re.M)
    assert "* root_cause: Root Causes" in out
    assert re.search(r"^\s+headings: Root Causes, Root Cause, .*\bFive Whys\b", out, re.M)
    sections = re.findall(r"^[* ] (\w+): ", out, re.M)
    assert sections == load_schema("google-sre").section_order


def test_rules_shows_config_and_team_schema_severities(tmp_path, capsys, monkeypatch):
    (tmp_path / ".postmortem-check.yaml").write_text(
        f"schema: {TEAM_SCHEMA}\nrules:\n  timeline-order: error\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^\s+timeline-order\s+error\s", out, re.M)
    assert re.search(r"^\s+acme-action-owner\s+warning\s+.*\(team schema rule\)$", out, re.M)
    assert re.search(r"^\s+acme-severity\s+error\s", out, re.M)
    assert "  communication: Customer Communication" in out


@pytest.mark.parametrize("name", ["default", "google-sre", "common"])
def test_schema_prints_a_builtin_schema(name, capsys):
    assert main(["schema", name]) == 0
    out = capsys.readouterr().out
    assert out == packaged_text(f"{name}.json")
    json.loads(out)


def test_schema_unknown_name_lists_the_names(capsys):
    assert main(["schema", "sre"]) == 2
    err = capsys.readouterr().err
    assert "default, google-sre" in err and "Traceback" not in err


def test_printed_schema_works_as_a_team_schema(tmp_path, capsys):
    main(["schema", "google-sre"])
    copy = tmp_path / "ours.json"
    copy.write_text(capsys.readouterr().out, encoding="utf-8")
    example = ROOT / "examples" / "2026-05-19-internal-dns-outage.md"
    code, result = _lint(example, capsys, "--schema", str(copy))
    assert code == 0, result["findings"]


# --- the worked team schema -----------------------------------------------------------------------


def test_worked_example_document_passes_its_schema(capsys):
    code, result = _lint(EXAMPLES / "acme-postmortem.md", capsys, "--schema", str(TEAM_SCHEMA))
    assert code == 0
    assert result["findings"] == []
    assert {"summary", "customer_impact", "timeline", "root_cause", "communication", "corrective_actions"} \
        == set(result["sections"])


def test_worked_example_schema_reports_its_own_rules_on_their_lines(tmp_path, capsys):
    text = (EXAMPLES / "acme-postmortem.md").read_text(encoding="utf-8")
    text = text.replace("severity: SEV2", "severity: major").replace(" @sam-ortiz", "")
    text = text.replace("## Customer Impact", "## Effects")
    path = tmp_path / "bad.md"
    path.write_text(text, encoding="utf-8")
    lines = split_lines(text)
    code, result = _lint(path, capsys, "--schema", str(TEAM_SCHEMA))
    assert code == 1
    found = {f["rule"]: f for f in result["findings"]}
    assert set(found) == {"acme-severity", "acme-action-owner", "missing-section"}
    assert found["acme-severity"]["line"] == lines.index("severity: major") + 1
    assert found["acme-severity"]["message"] == (
        "severity 'major' is not an ACME level; use SEV1, SEV2 or SEV3")
    owner = found["acme-action-owner"]
    assert owner["severity"] == "warning"
    assert lines[owner["line"] - 1].startswith("- [ ] Alert when the export queue")
    assert owner["message"].startswith('action item "Alert when the export queue is older than 30 minutes."')
    assert found["missing-section"]["section"] == "customer_impact"


def test_worked_example_schema_requires_front_matter(tmp_path, capsys):
    text = (EXAMPLES / "acme-postmortem.md").read_text(encoding="utf-8")
    path = tmp_path / "no-front-matter.md"
    path.write_text(text.split("---\n", 2)[2].lstrip(), encoding="utf-8")
    code, result = _lint(path, capsys, "--schema", str(TEAM_SCHEMA))
    assert code == 1
    assert [(f["rule"], f["line"]) for f in result["findings"]] == [("front-matter", 1)]
    assert "date, severity and authors" in result["findings"][0]["message"]


def test_fix_with_the_team_schema_adds_its_own_section(tmp_path, capsys):
    text = (EXAMPLES / "acme-postmortem.md").read_text(encoding="utf-8")
    start, end = text.index("## Customer Impact"), text.index("## Timeline")
    path = tmp_path / "p.md"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    main(["lint", "--fix", "--schema", str(TEAM_SCHEMA), str(path)])
    lines = split_lines(path.read_text(encoding="utf-8"))
    assert lines.index("## Summary") < lines.index("## Customer Impact") < lines.index("## Timeline")
    assert lines[lines.index("## Customer Impact") + 2] == (
        "<!-- TODO: Which customers were affected, how many, for how long, and what it cost them. -->")


# --- HTML comments are not content ----------------------------------------------------------------


def test_section_holding_only_a_comment_is_empty():
    text = ("# Outage\n\n## Summary\n\n<!-- What happened, in a few sentences. -->\n\n"
            "## Impact\n\nUsers saw errors.\n")
    result = lint_text(text)
    empty = [(f.section, f.line) for f in result.findings if f.rule == "empty-section"]
    assert empty == [("summary", 3)]
