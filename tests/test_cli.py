"""The lint command as users meet it: exit codes, output contract, config, schemas, diagnostics."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from postmortem_check.cli import COMMANDS, _build_parser, main
from postmortem_check.schema import packaged_text
from tests.conftest import ROOT, SEEDS, need_shared

EXAMPLES = ROOT / "examples"
CLEAN = (EXAMPLES / "2026-03-04-checkout-latency.md").read_text()


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_examples_are_clean(capsys):
    code, out, _ = run(["lint", str(EXAMPLES)], capsys)
    assert code == 0
    assert out.strip() == "2 files checked: 0 errors, 0 warnings"


def test_text_output_format(tmp_path, capsys):
    broken = tmp_path / "pm.md"
    broken.write_text(CLEAN.replace("## Timeline", "## Chronicle"))
    code, out, _ = run(["lint", str(broken)], capsys)
    assert code == 1
    first = out.splitlines()[0]
    assert first.startswith(f"{broken}:") and " error missing-section missing section 'Timeline'" in first
    assert out.splitlines()[-1] == "1 file checked: 1 error, 0 warnings"


def test_json_output_follows_the_published_contract(capsys):
    seeds = need_shared(SEEDS)
    files = [str(p) for p in sorted(seeds.iterdir())]
    code, out, _ = run(["lint", "--format", "json", *files, str(EXAMPLES)], capsys)
    document = json.loads(out)
    contract = json.loads(packaged_text("output.json"))
    Draft202012Validator(contract, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(document)
    assert code == 1
    assert document["summary"]["files"] == 7
    assert document["summary"]["errors"] == sum(
        1 for f in document["files"] for finding in f["findings"] if finding["severity"] == "error")


def test_directories_are_walked_for_markdown_only_and_named_files_whatever_their_extension(tmp_path, capsys):
    (tmp_path / "a.md").write_text(CLEAN)
    (tmp_path / "notes.txt").write_text("not linted when walking")
    named = tmp_path / "pm.txt"
    named.write_text(CLEAN)
    code, out, _ = run(["lint", "--format", "json", str(tmp_path), str(named)], capsys)
    paths = [f["path"] for f in json.loads(out)["files"]]
    assert code == 0
    assert paths == [str(tmp_path / "a.md"), str(named)]


def test_missing_path_is_a_usage_error_but_other_files_are_still_checked(tmp_path, capsys):
    good = tmp_path / "a.md"
    good.write_text(CLEAN)
    code, out, err = run(["lint", str(tmp_path / "nope.md"), str(good)], capsys)
    assert code == 2
    assert "1 file checked" in out
    assert "nope.md: no such file or directory" in err
    assert "Traceback" not in err


def test_binary_file_is_a_finding_and_the_next_file_is_checked(tmp_path, capsys):
    binary = tmp_path / "a.md"
    binary.write_bytes(b"# Title\n\x00\x01")
    invalid = tmp_path / "b.md"
    invalid.write_bytes(b"# Title\n\nsome text \xff\xfe here\n")
    code, out, _ = run(["lint", str(binary), str(invalid)], capsys)
    assert code == 1
    assert f"{binary}:2:1: error unreadable-file file is not text: NUL byte at offset 8" in out
    assert f"{invalid}:3:1: error unreadable-file file is not valid UTF-8: byte 0xff at offset 19" in out


def test_fail_on_warning_and_never(tmp_path, capsys):
    doc = tmp_path / "pm.md"
    doc.write_text(CLEAN.replace("- 14:10 Database", "- Database"))
    assert run(["lint", str(doc)], capsys)[0] == 0
    assert run(["lint", "--fail-on", "warning", str(doc)], capsys)[0] == 1
    broken = tmp_path / "broken.md"
    broken.write_text("# Nothing here\n")
    assert run(["lint", "--fail-on", "never", str(broken)], capsys)[0] == 0


def test_config_turns_rules_off_and_changes_severity(tmp_path, capsys):
    doc = tmp_path / "pm.md"
    doc.write_text(CLEAN.replace("## Lessons Learned", "## Chronicle").replace("in the runbook.", "[TBD]."))
    config = tmp_path / "cfg.yaml"
    config.write_text("rules:\n  placeholder: warning\n")
    code, out, _ = run(["lint", "--config", str(config), str(doc)], capsys)
    assert code == 0 and "warning placeholder" in out
    config.write_text("rules:\n  placeholder: 'off'\n")
    code, out, _ = run(["lint", "--config", str(config), str(doc)], capsys)
    assert code == 0 and "placeholder" not in out


def test_config_is_found_upward(tmp_path, capsys, monkeypatch):
    (tmp_path / ".postmortem-check.yaml").write_text("schema: google-sre\n")
    sub = tmp_path / "deep" / "er"
    sub.mkdir(parents=True)
    doc = sub / "pm.md"
    doc.write_text(CLEAN)
    monkeypatch.chdir(sub)
    code, out, _ = run(["lint", "--format", "json", str(doc)], capsys)
    result = json.loads(out)["files"][0]
    assert result["schema"] == "google-sre"
    assert {f["section"] for f in result["findings"] if f["rule"] == "missing-section"} == {"detection"}
    assert code == 1


def test_config_errors_name_file_and_line(tmp_path, capsys):
    config = tmp_path / "cfg.yaml"
    config.write_text("schema: default\nrulez:\n  placeholder: off\nrules:\n  placeholder: loud\n")
    code, _, err = run(["lint", "--config", str(config), str(tmp_path)], capsys)
    assert code == 2
    assert f"{config}:2: unknown setting 'rulez'" in err
    assert f"{config}:5: /rules/placeholder: 'loud' is not one of" in err


def test_word_count_bounds_from_config(tmp_path, capsys):
    doc = tmp_path / "pm.md"
    doc.write_text(CLEAN)
    config = tmp_path / "cfg.yaml"
    config.write_text("word_counts:\n  summary: {min: 100}\n  impact: {max: 10}\n")
    code, out, _ = run(["lint", "--config", str(config), str(doc)], capsys)
    assert code == 0
    assert ":11:1: warning section-length section 'Issue Summary' has 55 words; the schema asks for at least 100" in out
    assert ":17:1: warning section-length section 'Impact' has 24 words; the schema asks for at most 10" in out


def test_unknown_schema_name_is_a_usage_error(capsys):
    code, _, err = run(["lint", "--schema", "nope", str(EXAMPLES)], capsys)
    assert code == 2
    assert "neither a built-in schema (default, google-sre) nor a file" in err


def test_usage_errors_exit_2(capsys):
    assert run(["lint"], capsys)[0] == 2
    assert run(["frobnicate"], capsys)[0] == 2


def test_team_schema_brings_its_own_headings(tmp_path, capsys):
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"sections": {
            "type": "object",
            "required": ["blast_radius"],
            "x-rule": "missing-section",
            "properties": {"blast_radius": {
                "$ref": "urn:postmortem-check:common#/$defs/section",
                "title": "Blast Radius", "x-headings": ["Who got hit"]}},
        }},
    }
    path = tmp_path / "team.json"
    path.write_text(json.dumps(schema))
    doc = tmp_path / "pm.md"
    doc.write_text("# Outage\n\n## Who got hit?\n\nEveryone in eu-west.\n")
    code, out, _ = run(["lint", "--schema", str(path), "--format", "json", str(doc)], capsys)
    assert code == 0
    assert json.loads(out)["files"][0]["sections"]["blast_radius"]["line"] == 3
    doc.write_text("# Outage\n\n## Summary\n\nEveryone in eu-west.\n")
    code, out, _ = run(["lint", "--schema", str(path), str(doc)], capsys)
    assert code == 1 and "missing section 'Blast Radius'; add a heading such as: Blast Radius, Who got hit" in out


@pytest.mark.parametrize(("ref", "message"), [
    ("https://example.com/s.json", "points to the network; remote schemas are never fetched"),
    ("../outside.json", "points outside the schema's directory"),
    ("missing.json", "does not exist"),
])
def test_schema_refs_are_offline_and_local(tmp_path, capsys, ref, message):
    (tmp_path / "outside.json").write_text("{}")
    inner = tmp_path / "team"
    inner.mkdir()
    schema = inner / "schema.json"
    schema.write_text(json.dumps({"$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": ref}))
    code, _, err = run(["lint", "--schema", str(schema), str(EXAMPLES)], capsys)
    assert code == 2
    assert message in err


def test_schema_may_refer_to_a_local_file(tmp_path, capsys):
    (tmp_path / "parts.json").write_text(json.dumps({"$defs": {"need_impact": {"required": ["impact"],
                                                                               "x-rule": "missing-section"}}}))
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({
        "properties": {"sections": {"$ref": "parts.json#/$defs/need_impact",
                                    "properties": {"impact": {"title": "Impact", "x-headings": ["Impact"]}}}},
    }))
    doc = tmp_path / "pm.md"
    doc.write_text("# T\n\n## Summary\n\ntext\n")
    code, out, _ = run(["lint", "--schema", str(schema), str(doc)], capsys)
    assert code == 1 and "missing section 'Impact'" in out


def test_invalid_team_schema_is_reported(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "objekt"}')
    code, _, err = run(["lint", "--schema", str(bad), str(EXAMPLES)], capsys)
    assert code == 2 and "is not a valid JSON Schema" in err
    bad.write_text("{nope")
    code, _, err = run(["lint", "--schema", str(bad), str(EXAMPLES)], capsys)
    assert code == 2 and "is not valid JSON: line 1 column 2" in err


@pytest.mark.parametrize(("patterns", "message"), [
    ('"disk"', "x-implied-in-quotes must be a list of regular expressions"),
    ('["(disk"]', "x-implied-in-quotes has a bad pattern: missing ), unterminated subpattern"),
])
def test_a_bad_pattern_list_in_a_team_schema_is_reported(tmp_path, capsys, patterns, message):
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "object", "properties": {"sections": {"properties": {"root_cause": '
                   f'{{"x-implied-in-quotes": {patterns}}}}}}}}}}}')
    code, _, err = run(["lint", "--schema", str(bad), str(EXAMPLES)], capsys)
    assert code == 2 and f"section 'root_cause': {message}" in err


def test_builtin_schemas_are_valid_and_carry_headings():
    for name in ("default.json", "google-sre.json"):
        schema = json.loads(packaged_text(name))
        Draft202012Validator.check_schema(schema)
        sections = schema["properties"]["sections"]["properties"]
        assert all(spec.get("x-headings") for spec in sections.values())


def test_package_ships_its_schemas():
    files = {p.name for p in Path(ROOT / "schemas").glob("*.json")}
    assert {"default.json", "google-sre.json", "common.json", "config.json", "output.json"} <= files


@pytest.mark.parametrize("count", [0, 1, 3])
def test_streamed_json_is_the_same_bytes_as_one_dump(count):
    import io

    from postmortem_check.lint import lint_text
    from postmortem_check.report import Totals
    from postmortem_check.report.json import JsonReporter, file_json

    results = [lint_text(CLEAN.replace("Checkout", f"Checkout {n} \u00e9 \"q\" \u2028 \x85"), path=f"pm{n}.md")
               for n in range(count)]
    out, totals = io.StringIO(), Totals()
    reporter = JsonReporter(out)
    for result in results:
        totals.add(result)
        reporter.file(result)
    reporter.finish(totals)
    document = {"version": 1, "files": [file_json(r) for r in results],
                "summary": {"files": totals.files, "errors": totals.errors, "warnings": totals.warnings}}
    assert out.getvalue() == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_a_command_named_first_is_the_only_one_built() -> None:
    """Each parser costs a few gettext lookups: ``lint x`` builds the lint command alone; a command line that
    does not start with a known command lists every one, in ``--help`` and in the error a wrong name gets."""
    def built(words: list[str]) -> list[str]:
        subparsers = next(a for a in _build_parser(words)._actions if isinstance(a, argparse._SubParsersAction))
        return list(subparsers.choices)

    every = [name for name, *_ in COMMANDS]
    assert built(["lint", "x.md"]) == ["lint"]
    assert built(["rules", "--schema", "google-sre"]) == ["rules"]
    for words in (["--help"], ["lnt", "x.md"], ["--", "lint", "x.md"], ["--bogus", "lint", "x.md"], []):
        assert built(words) == every


def test_a_wrong_command_name_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    for words in (["lnt", "x.md"], ["--", "lint", "x.md"]):
        assert main(words) == 2
        assert "(choose from 'lint', 'new', 'rules', 'schema', 'issues', 'init', 'report')" in capsys.readouterr().err
