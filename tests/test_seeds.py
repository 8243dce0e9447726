"""The expected results on the five seed documents (the table in the lint core's specification)."""

from __future__ import annotations

import json

import pytest

from postmortem_check.cli import main
from tests.conftest import SEEDS, need_shared

# seed prefix, exit code, sections that must be found, placeholder lines, lines that must not be
# placeholders, action item count, rules that must be reported
SEEDS_TABLE = [
    ("000", 1, {"summary", "timeline", "root_cause", "corrective_actions"}, {4, 7, 8, 9}, set(), 6, set()),
    ("001", 0, {"summary", "timeline", "root_cause", "resolution", "corrective_actions"}, set(), set(), 6, set()),
    ("002", 0, {"summary", "timeline", "root_cause", "resolution", "corrective_actions"}, set(), set(), 8, set()),
    ("003", 1, {"summary", "timeline", "root_cause", "resolution", "corrective_actions"},
     {15, 18, 19, 20, 21, 22, 25, 29, 30, 31, 33}, {38}, 3, set()),
    ("004", 1, {"impact", "root_cause", "corrective_actions"}, set(), set(), 8, {"missing-section"}),
]


def _lint_seed(prefix: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    seeds = need_shared(SEEDS)
    path = next(seeds.glob(f"{prefix}_*"))
    code = main(["lint", "--format", "json", str(path)])
    return code, json.loads(capsys.readouterr().out)["files"][0]


@pytest.mark.parametrize(("prefix", "exit_code", "sections", "placeholder_lines", "clean_lines", "items", "rules"),
                         SEEDS_TABLE, ids=[row[0] for row in SEEDS_TABLE])
def test_seed(prefix, exit_code, sections, placeholder_lines, clean_lines, items, rules, capsys):
    code, result = _lint_seed(prefix, capsys)
    assert code == exit_code
    assert sections <= set(result["sections"])
    found_lines = {f["line"] for f in result["findings"] if f["rule"] == "placeholder"}
    assert placeholder_lines <= found_lines
    assert not clean_lines & found_lines
    assert len(result["action_items"]) == items
    assert rules <= {f["rule"] for f in result["findings"]}


def test_seed_000_placeholders_only_where_expected(capsys):
    _, result = _lint_seed("000", capsys)
    assert {f["line"] for f in result["findings"] if f["rule"] == "placeholder"} == {4, 7, 8, 9}


def test_seed_001_warns_about_untimed_timeline_entries(capsys):
    code, result = _lint_seed("001", capsys)
    untimed = sorted(f["line"] for f in result["findings"] if f["rule"] == "timeline-missing-time")
    assert code == 0
    assert untimed == [10, 11, 12, 14]
    assert all(f["severity"] == "warning" for f in result["findings"])


def test_seed_001_excludes_closing_paragraph_from_action_items(capsys):
    _, result = _lint_seed("001", capsys)
    assert not any(item["text"].startswith("In conclusion") for item in result["action_items"])
    assert [item["line"] for item in result["action_items"]] == [24, 25, 26, 27, 28, 29]


def test_seed_002_label_glued_to_paragraph_starts_sections(capsys):
    _, result = _lint_seed("002", capsys)
    assert result["sections"]["root_cause"]["line"] == 19
    assert result["sections"]["resolution"]["line"] == 19
    assert not any("remember" in item["text"] for item in result["action_items"])


def test_seed_003_items_are_all_placeholders(capsys):
    _, result = _lint_seed("003", capsys)
    assert all(item["placeholder"] for item in result["action_items"])


def test_seed_004_missing_timeline_and_wrapped_items(capsys):
    _, result = _lint_seed("004", capsys)
    missing = {f["section"] for f in result["findings"] if f["rule"] == "missing-section"}
    assert "timeline" in missing
    assert "timeline" not in result["sections"]
    first = result["action_items"][0]
    assert first["line"] == 33
    second = result["action_items"][1]
    assert second["text"].endswith("does not introduce new issues.")  # wrapped line joined
