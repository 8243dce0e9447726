"""Every finding lands on the line a person must edit: fixtures carry ``expect: rule`` on that line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postmortem_check.config import Config
from postmortem_check.document import decode
from postmortem_check.lint import lint_document, schema_for

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("*.md"))
_EXPECT = re.compile(r"expect: ([\w, -]+?)\s*(?:-->|$)")


def expected_findings(text: str) -> set[tuple[int, str]]:
    expected = set()
    for number, line in enumerate(text.split("\n"), 1):
        match = _EXPECT.search(line)
        if match:
            expected.update((number, rule.strip()) for rule in match.group(1).split(","))
    return expected


def found_findings(path: str, data: bytes) -> set[tuple[int, str]]:
    config = Config()
    result = lint_document(decode(path, data), schema_for(config), config)
    return {(f.line, f.rule) for f in result.findings}


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_findings_on_marked_lines(fixture: Path):
    data = fixture.read_bytes()
    expected = expected_findings(data.decode())
    assert expected, "a fixture must expect at least one finding"
    assert found_findings(str(fixture), data) == expected


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_line_endings_do_not_move_findings(fixture: Path, newline: str):
    text = fixture.read_text()
    data = text.replace("\n", newline).encode()
    assert found_findings(str(fixture), data) == expected_findings(text)


def test_bom_and_tabs_do_not_move_findings():
    fixture = FIXTURES[0]
    text = fixture.read_text()
    data = b"\xef\xbb\xbf" + text.replace("    ", "\t").encode()
    assert found_findings(str(fixture), data) == expected_findings(text)


def test_every_finding_line_is_inside_its_file():
    for fixture in FIXTURES:
        count = len(fixture.read_text().split("\n"))
        assert all(1 <= line <= count for line, _ in found_findings(str(fixture), fixture.read_bytes()))
