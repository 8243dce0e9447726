"""The gitlab (Code Quality) and junit (JUnit XML) formats, through the real command line, checked against
the shapes their readers document: for Code Quality the fields GitLab documents, as a JSON Schema; for JUnit
the elements and attributes of the Jenkins xUnit plugin's junit-10.xsd (no JUnit XSD ships in a Python or
Debian package), checked structurally."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from postmortem_check.cli import main
from tests.conftest import ROOT, SEEDS

EXAMPLES = ROOT / "examples"
CLEAN = (EXAMPLES / "2026-03-04-checkout-latency.md").read_text()
HOSTILE = (
    "# Title %0A::warning::x\n\n## Summary\n\n[date] \r\n::error::boom <b>&amp;</b>\n\n## Timeline\n\n"
    "- ::error:: something happened\n- [\r\n]]> x\n\n## Action items\n\n- [ ] <testcase name='x'/> @bob\n"
)

# GitLab's documented Code Quality report: an array of issues with these fields.
CODE_QUALITY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": "^\\.?/"}},
                    "lines": {"type": "object", "required": ["begin"],
                              "properties": {"begin": {"type": "integer", "minimum": 1}}},
                },
            },
        },
    },
}

# junit-10.xsd (Jenkins xUnit plugin): the attributes each element may carry, those it must, its children.
JUNIT = {
    "testsuites": ({"name", "time", "tests", "failures", "disabled", "errors"}, set(), {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp", "hostname",
                   "id", "package", "file", "log", "url", "version"}, {"name", "tests"},
                  {"properties", "testcase", "system-out", "system-err"}),
    "testcase": ({"name", "assertions", "time", "classname", "status", "class", "file", "line", "log", "group",
                  "url"}, {"name"}, {"skipped", "error", "failure", "system-out", "system-err"}),
    "failure": ({"message", "type"}, set(), set()),
    "system-out": (set(), set(), set()),
}
COUNTS = ("tests", "failures", "errors", "skipped", "disabled")


def documents() -> list[Path]:
    found = sorted(EXAMPLES.glob("*.md"))
    if SEEDS.is_dir():
        found += sorted(p for p in SEEDS.iterdir() if p.is_file())
    return found


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def findings_of(paths: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    _, out, _ = run(["lint", "--format", "json", *paths], capsys)
    return [{**f, "path": record["path"]} for record in json.loads(out)["files"] for f in record["findings"]]


def check_code_quality(report: object) -> None:
    errors = sorted(Draft202012Validator(CODE_QUALITY).iter_errors(report), key=str)
    assert not errors, errors[0]
    assert isinstance(report, list)
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints), "fingerprints are unique"


def check_junit(text: str) -> ET.Element:
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))  # refuses what is not well-formed XML 1.0
    assert root.tag == "testsuites"
    for element in root.iter():
        allowed, required, children = JUNIT[element.tag]
        assert set(element.attrib) <= allowed, (element.tag, element.attrib)
        assert required <= set(element.attrib), (element.tag, element.attrib)
        assert {child.tag for child in element} <= children, element.tag
        for name in COUNTS:
            if name in element.attrib:
                assert int(element.attrib[name]) >= 0
        if "time" in element.attrib:
            assert float(element.attrib["time"]) >= 0
    (suite,) = root
    cases = suite.findall("testcase")
    for element in (root, suite):
        assert int(element.get("tests", -1)) == len(cases)
        assert int(element.get("failures", -1)) == sum(1 for case in cases if case.find("failure") is not None)
    for case in cases:
        assert len(case.findall("failure")) <= 1 and case.get("name") == case.get("file")
    return root


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_gitlab_report_of_every_seed_and_example(path, capsys, monkeypatch):
    monkeypatch.chdir(path.parent)
    expected = findings_of([path.name], capsys)
    code, out, err = run(["lint", "--format", "gitlab", path.name], capsys)
    report = json.loads(out)
    check_code_quality(report)
    assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in report] == [
        (f["rule"], f["line"]) for f in expected]
    assert [i["severity"] for i in report] == [{"error": "major", "warning": "minor"}[f["severity"]]
                                               for f in expected]
    assert all(i["location"]["path"] == path.name for i in report)
    assert code == (1 if any(f["severity"] == "error" for f in expected) else 0), err


@pytest.mark.parametrize("path", documents(), ids=lambda p: p.name)
def test_junit_report_of_every_seed_and_example(path, capsys, monkeypatch):
    monkeypatch.chdir(path.parent)
    expected = findings_of([path.name], capsys)
    code, out, _ = run(["lint", "--format", "junit", path.name], capsys)
    (case,) = check_junit(out).iter("testcase")
    assert case.get("name") == path.name
    failure, output = case.find("failure"), case.find("system-out")
    errors = [f for f in expected if f["severity"] == "error"]
    if errors:
        assert failure is not None and failure.get("message", "").startswith(f"{len(errors)} error")
        assert failure.text is not None and len(failure.text.splitlines()) == len(expected)
        assert f"{path.name}:{errors[0]['line']}:{errors[0]['column']}: error {errors[0]['rule']} " in failure.text
    else:
        assert failure is None
        assert (output is not None) == bool(expected)
    assert code == (1 if errors else 0)


def test_several_files_make_one_suite(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    broken = ["tests/fixtures/placeholders.md", "tests/fixtures/timeline-order.md"]
    code, out, _ = run(["lint", "--format", "junit", "examples", *broken], capsys)
    root = check_junit(out)
    assert [case.get("name") for case in root.iter("testcase")] == [
        "examples/2026-03-04-checkout-latency.md", "examples/2026-05-19-internal-dns-outage.md", *broken]
    assert root.get("tests") == "4" and code == 1
    code, out, _ = run(["lint", "--format", "gitlab", "examples", *broken], capsys)
    report = json.loads(out)
    check_code_quality(report)
    assert {i["location"]["path"] for i in report} <= set(broken) and report


def test_clean_run_is_an_empty_report(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run(["lint", "--format", "gitlab", "examples"], capsys)
    assert (code, out) == (0, "[]\n")
    code, out, _ = run(["lint", "--format", "junit", "examples"], capsys)
    root = check_junit(out)
    assert code == 0 and root.get("failures") == "0" and len(list(root.iter("testcase"))) == 2
    assert all(len(case) == 0 for case in root.iter("testcase"))


def test_gitlab_fingerprints_do_not_change_when_a_finding_only_moves(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "pm.md"
    text = CLEAN.replace("in the runbook.", "[TBD]. [TBD].")
    doc.write_text(text)
    before = json.loads(run(["lint", "--format", "gitlab", "pm.md"], capsys)[1])
    doc.write_text(text.replace("\n## ", "\n\nSome more words.\n\n## ", 1))
    after = json.loads(run(["lint", "--format", "gitlab", "pm.md"], capsys)[1])
    assert len(before) == 2 and [i["fingerprint"] for i in before] == [i["fingerprint"] for i in after]
    assert [i["location"]["lines"]["begin"] for i in before] != [i["location"]["lines"]["begin"] for i in after]


@pytest.mark.skipif(os.name != "posix", reason="file names that are not UTF-8")
def test_hostile_text_and_names_stay_valid(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    hostile = HOSTILE + "\n## Lessons\n\n\x01 \x1b[31m \u202e \ufffe \uffff ]]> <failure/> & \"q\"\n"
    folder = tmp_path / "dir <&>"
    folder.mkdir()
    (folder / "a\u202e\x1b.md").write_text(hostile)
    os.mkdir(os.fsencode(tmp_path / "raw") + b"\xff")
    (Path(os.fsdecode(os.fsencode(tmp_path / "raw") + b"\xff")) / "b.md").write_text(hostile)
    code, out, _ = run(["lint", "--format", "gitlab", "."], capsys)
    assert out.isascii()
    report = json.loads(out)
    check_code_quality(report)
    assert code == 1 and {i["location"]["path"].split("/")[0] for i in report} == {"dir <&>", "raw\udcff"}
    code, out, _ = run(["lint", "--format", "junit", "."], capsys)
    root = check_junit(out)
    names = sorted(case.get("name", "") for case in root.iter("testcase"))
    assert names == ["./dir <&>/a\\u202e\\x1b.md", "./raw\\xff/b.md"]
    text = "".join(case.findtext("failure") or "" for case in root.iter("testcase"))
    assert "\x1b" not in text and "\u202e" not in text and code == 1


def test_a_junit_reader_sees_one_case_per_file_and_a_failure_per_file_with_errors(capsys, monkeypatch):
    """junitparser (packaged in PyPI and Debian) reads the report the way CI test-report readers do."""
    junitparser = pytest.importorskip("junitparser")
    monkeypatch.chdir(ROOT)
    broken = ["tests/fixtures/placeholders.md", "tests/fixtures/timeline-order.md"]
    expected = findings_of(["examples", *broken], capsys)
    _, out, _ = run(["lint", "--format", "junit", "examples", *broken], capsys)
    report = junitparser.JUnitXml.fromstring(out)
    (suite,) = list(report)
    assert (suite.name, suite.tests) == ("postmortem-check", 4)
    cases = list(suite)
    failed = {case.name for case in cases if case.is_failure}
    assert failed == {f["path"] for f in expected if f["severity"] == "error"}
    assert suite.failures == len(failed) and suite.errors == 0
    for case in cases:
        assert case.classname == "postmortem-check"
        if case.is_failure:
            (failure,) = case.result
            mine = [f for f in expected if f["path"] == case.name]
            errors = sum(f["severity"] == "error" for f in mine)
            assert failure.message == f"{errors} error{'s' * (errors != 1)}, {len(mine) - errors} warning" + \
                "s" * (len(mine) - errors != 1)
            assert len(failure.text.splitlines()) == len(mine)
        else:
            assert case.is_passed
