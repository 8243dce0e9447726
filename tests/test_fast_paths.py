"""The pipeline's fast paths (prefilters and counting without the regex engine) give exactly what the plain
definitions give."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_check import action_items, placeholders, timeline
from postmortem_check.lazy_re import LazyPattern
from postmortem_check.lint import lint_text
from postmortem_check.outline import words
from postmortem_check.parse import Block

# The definition of a word in ASCII text: letters and digits, with one inner apostrophe.
ASCII_WORD = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z0-9]+)?")


@given(st.text(alphabet="ab1' \n\t-_.'", max_size=40))
@settings(max_examples=500, deadline=None)
def test_ascii_word_count_is_the_regex_definition(text: str) -> None:
    assert words(text) == len(ASCII_WORD.findall(text))


def test_apostrophes_join_one_run_to_a_word() -> None:
    assert words("don't stop") == 2
    assert words("a'b'c") == 2  # "a'b", then "c"
    assert words("a''b 'quoted' end'") == 4
    assert words("rock’n’roll café") == 3  # non-ASCII text, the Unicode definition: "rock’n", "roll", "café"


PIECES = ["[", "]", "<", ">", "?", "`", ":", "-", "h", "H", "m", "X", "Y", "D", "M", "1", "4", " ", "a", "TBD",
          "TODO", "FIXME", "date", "describe", "Lorem ipsum"]
PLACEHOLDER_LINES = st.lists(st.lists(st.sampled_from(PIECES), max_size=12).map("".join), max_size=6)


@given(PLACEHOLDER_LINES)
@settings(max_examples=500, deadline=None)
def test_lines_left_out_of_the_placeholder_search_have_no_placeholder(lines: list[str]) -> None:
    hinted = placeholders._hinted_lines(lines)
    for number, line in enumerate(lines, 1):
        if number not in hinted:
            assert placeholders._line_hits(line, set()) == []
            assert "TODO" not in line and "FIXME" not in line


@given(st.text(alphabet="YMDHhmXx?-/.:0123456789 aT", max_size=30))
@settings(max_examples=3000, deadline=None)
def test_every_reported_mask_holds_a_line_hint(line: str) -> None:
    if any(placeholders._MASK_LETTER.search(m.group(0)) for m in placeholders._MASK.finditer(line)):
        assert placeholders._LINE_HINT.search(line), line


def test_each_kind_of_placeholder_is_found_on_its_line() -> None:
    text = ("# Title\n\n## Summary\n\nplain words\nOwner: [owner name]\nplain again at 14:05\nStarted at HH:mm\n"
            "we saw ???\nTBD\nnothing here\nTODO: write\n<add name here>\nat 2X:XX\nby 12:0X\n")
    result = lint_text(text)
    lines = sorted({f.line for f in result.findings if f.rule == "placeholder"})
    assert lines == [6, 8, 9, 10, 12, 13, 14, 15]


def test_wording_in_capitals_or_beyond_ascii_still_implies_a_section() -> None:
    text = ("# Outage\n\n## Summary\n\nThe site went down for an hour on Monday morning.\n\n## Notes\n\n"
            "THE ROOT CAUSE WAS A FULL DISK.\n\nLe café: the fix was DEPLOYED and service RESTORED.\n")
    result = lint_text(text)
    assert (result.sections["root_cause"]["line"], result.sections["root_cause"]["style"]) == (9, "implied")
    assert (result.sections["resolution"]["line"], result.sections["resolution"]["style"]) == (11, "implied")


def test_patterns_are_compiled_when_first_used() -> None:
    lazy = LazyPattern(r"\bdone\b", re.IGNORECASE)
    assert "search" not in vars(lazy)  # nothing compiled yet
    found = lazy.search("All DONE now")
    assert found is not None and found.span() == (4, 8)
    assert "search" in vars(lazy)  # the compiled pattern's own method, from now on
    assert lazy.sub("x", "done, Done") == "x, x" and lazy.subn("x", "done") == ("x", 1)
    assert [m.start() for m in lazy.finditer("done done", 1)] == [5]
    assert lazy.pattern == r"\bdone\b"
    with pytest.raises(AttributeError):
        lazy.groups  # noqa: B018


def test_importing_the_pipeline_compiles_none_of_its_patterns() -> None:
    code = ("import importlib, json, postmortem_check.lazy_re as lazy_re\n"
            f"modules = [importlib.import_module('postmortem_check.' + name) for name in {PATTERN_MODULES!r}]\n"
            "patterns = [v for m in modules for v in vars(m).values() if isinstance(v, lazy_re.LazyPattern)]\n"
            "print(json.dumps([len(patterns), sum('search' in vars(p) for p in patterns)]))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, compiled = json.loads(run.stdout)
    assert count > 120 and compiled == 0


PATTERN_MODULES = ["action_items", "placeholders", "timeline", "vocabulary", "outline", "model", "document", "config",
                   "template_text", "validate", "suppress", "parse", "discover", "schema"]


def _every_pattern_date(text: str, day_first: bool) -> tuple[int | None, int, int] | None:
    """parse_date's definition, every pattern tried."""
    found = []
    for pattern in (timeline._ISO, timeline._ISO_NAMED, timeline._NUMERIC, timeline._DAY_NAMED, timeline._NAMED_DAY):
        for match in pattern.finditer(text):
            day = timeline._date_of(match.groupdict(), day_first)
            if day is not None:
                found.append((match.start(), day))
                break
    return min(found)[1] if found else None


DATE_PIECES = ["2024", "03", "11", "7", "-", "/", ".", " ", "Mar", "MARCH", "ſep", "Sept", "dec", "jUn", "1st", ",",
               "at", "14:05", "day", "é", "٢٠٢٤", "٠٣"]  # Arabic-Indic digits are digits to \d


@given(st.lists(st.sampled_from(DATE_PIECES), max_size=8).map("".join), st.booleans())
@settings(max_examples=1500, deadline=None)
def test_dates_are_read_as_by_every_pattern(text: str, day_first: bool) -> None:
    assert timeline.parse_date(text, day_first) == _every_pattern_date(text, day_first)


def _first_time_tail(tail: str) -> int | None:
    """Where _trailing_cut finds a due time: the first word of the tail that a _TIME_TAIL runs to its end from."""
    for offset in range(len(tail)):
        if (offset == 0 or tail[offset - 1] == " ") and action_items._TIME_TAIL.fullmatch(tail, offset):
            return offset
    return None


TAIL_PIECES = ["due", "DUE", "By", "before", "until", "Till", "ETA", "target", "for", "Deadline", "bY", "forecast",
               "2024-05-01", "friday", "EOD", "next week", "end of Q3", "May 5", "tomorrow", " ", ":", ".", "x",
               "Ünder", "ſ"]


@given(st.lists(st.sampled_from(TAIL_PIECES), max_size=8).map("".join))
@settings(max_examples=1500, deadline=None)
def test_due_times_are_found_where_every_word_is_tried(tail: str) -> None:
    starts = [w.start() for w in action_items._TIME_TAIL_START.finditer(tail)]
    assert next((s for s in starts if action_items._TIME_TAIL.fullmatch(tail, s)), None) == _first_time_tail(tail)


def test_every_due_time_keyword_starts_a_due_time() -> None:
    for keyword in ("due", "BY", "Before", "until", "till", "Deadline", "ETA", "target", "for"):
        tail = f"Rotate keys {keyword} 2024-05-01"
        starts = [w.start() for w in action_items._TIME_TAIL_START.finditer(tail)]
        assert next(s for s in starts if action_items._TIME_TAIL.fullmatch(tail, s)) == _first_time_tail(tail) == 12


@given(st.lists(st.sampled_from(["Proposed", "POSSIBLE", "ſuggested", "potentıal", "fix", "Workarounds", " ", ":", "is",
                                 "x", "\n"]), max_size=8).map("".join))
@settings(max_examples=1000, deadline=None)
def test_paragraphs_without_the_proposal_hint_have_no_proposal(text: str) -> None:
    if not action_items._PROPOSAL_HINT.search(text.casefold()):
        assert not any(action_items._PROPOSAL.search(line) for line in text.split("\n"))


def test_a_proposed_fix_after_its_lead_in_is_an_item() -> None:
    block = Block("paragraph", 3, ["The POSSIBLE workaround is:", "sysctl net.core.somaxconn=4096"])
    assert [item.text for item in action_items._proposals(block, {})] == [
        "The POSSIBLE workaround is: sysctl net.core.somaxconn=4096"]


@given(st.lists(st.sampled_from(["NOW", "we", "Still", " i", " ", "HAVE", "need", "To", "would", "Help", ".", "ſ"]),
                max_size=10).map("".join))
@settings(max_examples=1000, deadline=None)
def test_text_without_the_work_left_hint_states_no_work_left(text: str) -> None:
    if not action_items._LEFT_TO_DO_HINT.search(text.casefold()):
        assert not action_items._LEFT_TO_DO.search(text)
