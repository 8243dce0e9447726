"""Placeholders: template text left behind is found; bracketed real content is not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_check import placeholders
from postmortem_check.lint import lint_text

_DOC = """# Cache outage

## Summary

{line}

## Timeline

- 09:00 UTC alert fires
"""


def _placeholders(line: str) -> list[str]:
    result = lint_text(_DOC.format(line=line))
    return [f.message.split(" placeholder ", 1)[1].rsplit(" left in", 1)[0]
            for f in result.findings if f.rule == "placeholder"]


@pytest.mark.parametrize(("line", "expected"), [
    ("On [date] the cache filled.", ["[date]"]),
    ("It began at [Start time] and hit [Date and time with timezone].",
     ["[Start time]", "[Date and time with timezone]"]),
    ("The effect was [describe the impact, e.g. revenue].", ["[describe the impact, e.g. revenue]"]),
    ("**Authors**: alice, <add name here>", ["<add name here>"]),
    ("| 2022-06-02 HH:mm | deploy |", ["HH:mm"]),
    ("Started 2024-03-13 14:?? and ended --:--.", ["14:??", "--:--"]),
    ("Window: YYYY-MM-DD to 2022-05-??.", ["YYYY-MM-DD", "2022-05-??"]),
    ("The cause is ????? for now.", ["?????"]),
    ("- Time to detection: ?", ["?"]),
    ("Owner: TBD", ["TBD"]),
    ("Root cause [TBD].", ["[TBD]"]),
])
def test_template_text_is_a_placeholder(line: str, expected: list[str]) -> None:
    assert _placeholders(line) == expected


@pytest.mark.parametrize("line", [
    "> alice [8:27 AM] the deploy is stuck",
    "[03-20 16:46] bob: restarting now",
    "Thanks to [Sen Lu] for the report, [3 hours ago].",
    "The panel showed [No Data] for an hour.",
    'The apiGroups were ["", "apps", "batch"].',
    "We turned on [Require approval for first-time contributors].",
    "See the discussion [Discussion in #ops] and [Action Item] tags.",
    "Why did it page at all????",
    "The threshold (what 'high' is TBD) needs a decision.",
    "The fix landed at 12:00 and 9:05 and 10h30.",
])
def test_real_bracketed_content_is_not_a_placeholder(line: str) -> None:
    assert _placeholders(line) == []


def test_slot_name_cell_and_title_are_placeholders() -> None:
    text = ("# ISSUE NAME\n\n## Timeline\n\n| Time | Event |\n|---|---|\n"
            "| 2024-03-13 10:00 | Short event description. |\n")
    found = [(f.line, f.column) for f in lint_text(text).findings if f.rule == "placeholder"]
    assert found == [(1, 1), (7, 22)]


def test_one_definition_of_the_marks() -> None:
    from postmortem_check import placeholders

    for mark in placeholders.MARKS:
        assert _placeholders(f"The value is left as {mark} here.") == [mark]


def test_instruction_lines_copied_from_the_team_template_are_placeholders(tmp_path, capsys):
    from postmortem_check.cli import main

    (tmp_path / "template-incident-report.md").write_text(
        "# Template\n\n## Lessons learnt\n\nList of things that went well. For example,\n\n"
        "1. We were alerted to the outage by automated bots\n\nMore details.\n", encoding="utf-8")
    (tmp_path / "2024-05-01-outage.md").write_text(
        "# Outage\n\n## Summary\n\nThe API was down.\n\n## Lessons learnt\n\n"
        "List of things that went well. For example,\n\n1. We were alerted to the outage by automated bots\n"
        "2. The pager worked as it should, well before users noticed\n\nMore details.\n", encoding="utf-8")
    main(["lint", str(tmp_path / "2024-05-01-outage.md")])
    out = capsys.readouterr().out
    lines = sorted(int(line.split(":")[1]) for line in out.splitlines() if " placeholder " in line)
    assert lines == [9, 11]  # the two copied instructions, not the team's own words nor short lines


def test_a_short_todo_note_on_a_prose_line_is_content_still_to_write():
    from postmortem_check.lint import lint_text

    text = ("# Outage\n\n## Summary\n\nThe disk filled up.\n\n## Appendix\n\n[Discussion in chat]\nTODO: team email\n\n"
            "**TODO**: we really need close monitoring of systemd to avoid services down without noticing.\n\n"
            "- TODO: add an alert\n")
    found = [(f.line, f.rule) for f in lint_text(text).findings if f.rule == "placeholder"]
    assert found == [(10, "placeholder")]  # not the noted follow-up, not the list item


# The cheap searches that decide whether a line is searched for masks and fill-me marks at all: every line
# the full patterns find something in must pass them (they only skip lines, never change what is found).
_MASK_ALPHABET = "YMDHhmXx?-/.:0123456789 aTBDATERNGIcidntlLorempsu\t"


@given(st.text(alphabet=_MASK_ALPHABET, max_size=40))
@settings(max_examples=3000, deadline=None)
def test_the_mask_and_mark_hints_never_skip_a_line_with_a_match(line: str) -> None:
    if placeholders._MASK.search(line):
        assert placeholders._MASK_HINT.search(line), line
    if placeholders._MARK.search(line):
        assert placeholders._MARK_HINT.search(line), line


@pytest.mark.parametrize("line", ["HH:mm", "14:??", "--:--", "2X:XX", "YYYY-MM-DD", "2022-05-??", "DD/MM/YYYY",
                                  "9hXX", "at 14h?? UTC", "Owner: TBD", "DATE RANGE", "Lorem ipsum dolor"])
def test_the_hints_pass_every_kind_of_mask_and_mark(line: str) -> None:
    assert placeholders._MASK.search(line) or placeholders._MARK.search(line), line
    assert placeholders._MASK_HINT.search(line) or placeholders._MARK_HINT.search(line), line
