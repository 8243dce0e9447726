"""The pipeline's fast paths (prefilters and counting without the regex engine) give exactly what the plain
definitions give."""

from __future__ import annotations

import re
import string
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_check import action_items, outline, placeholders, timeline
from postmortem_check.lint import lint_text
from postmortem_check.outline import words
from postmortem_check.parse import Block
from postmortem_check.schema import load_schema

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


def _implied_patterns() -> list[re.Pattern[str]]:
    found: list[re.Pattern[str]] = []
    for name in ("default", "google-sre"):
        for spec in load_schema(name).vocabulary.sections.values():
            for patterns in (spec.implied_by, spec.implied_in_timeline, spec.implied_in_quotes):
                found.extend(patterns)
                if len(patterns) > 1:
                    found.append(re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE))
    return found


IMPLIED = _implied_patterns()
WORDING = ["ROOT CAUSE", "root cause", "Caused By", "was RESTORED", "Had ", "Due To ", "is unknown", "RolLed Back",
           "USERS were", "50 %", " of ", "Bug", "in", " ", ".", "-", "\n", "*", "12:30", "Monitoring Detected"]


@given(st.lists(st.sampled_from(WORDING), max_size=10).map("".join), st.sampled_from(IMPLIED))
@settings(max_examples=1500, deadline=None)
def test_the_lowercase_twin_finds_what_the_schema_pattern_finds(text: str, pattern: re.Pattern[str]) -> None:
    twin = outline._lowercase_twin(pattern.pattern, pattern.flags)
    assert twin is not None, pattern.pattern  # every built-in pattern has one
    expected = pattern.search(text)
    got = twin.search(text.lower())
    assert (got and got.span()) == (expected and expected.span())


@pytest.mark.parametrize("source", [r"Root cause", r"\x41bc", r"(?-i:abc)", r"(?P<x>a)", r"caf\u00e9", "café",
                                    r"[A-Z]+", r"\101", "ſ", "\u212a"])
def test_a_pattern_whose_case_cannot_be_read_from_its_source_has_no_twin(source: str) -> None:
    assert outline._lowercase_twin(source, re.IGNORECASE | re.UNICODE) is None


@pytest.mark.parametrize("source", [r"\bcaused by\b", r"[\w-]{1,20}\W\S\D\\\.", r"(?<!had )was(?= )", "we[’']ll"])
def test_a_caseless_pattern_has_a_twin_and_other_flags_none(source: str) -> None:
    assert outline._lowercase_twin(source, re.IGNORECASE | re.UNICODE) is not None
    assert outline._lowercase_twin(source, re.IGNORECASE | re.UNICODE | re.MULTILINE) is None
    assert outline._lowercase_twin(source, re.UNICODE) is None


def test_wording_in_capitals_or_beyond_ascii_still_implies_a_section() -> None:
    text = ("# Outage\n\n## Summary\n\nThe site went down for an hour on Monday morning.\n\n## Notes\n\n"
            "THE ROOT CAUSE WAS A FULL DISK.\n\nLe café: the fix was DEPLOYED and service RESTORED.\n")
    result = lint_text(text)
    assert (result.sections["root_cause"]["line"], result.sections["root_cause"]["style"]) == (9, "implied")
    assert (result.sections["resolution"]["line"], result.sections["resolution"]["style"]) == (11, "implied")


def test_action_item_patterns_are_compiled_when_first_used() -> None:
    lazy = action_items._Lazy(r"\bdone\b", re.IGNORECASE)
    assert "search" not in vars(lazy)  # nothing compiled yet
    found = lazy.search("All DONE now")
    assert found is not None and found.span() == (4, 8)
    assert "search" in vars(lazy)  # the compiled pattern's own method, from now on
    assert lazy.sub("x", "done, Done") == "x, x"
    assert [m.start() for m in lazy.finditer("done done", 1)] == [5]
    with pytest.raises(AttributeError):
        lazy.groups  # noqa: B018


def test_importing_action_items_compiles_none_of_its_patterns() -> None:
    code = ("import postmortem_check.action_items as a\n"
            "print(sum(isinstance(v, a._Lazy) for v in vars(a).values()),"
            " sum('search' in vars(v) for v in vars(a).values() if isinstance(v, a._Lazy)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) > 50 and out[1] == "0"


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
               "at", "14:05", "day", "é"]


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


TAIL_PIECES = ["due", "DUE", "By", "before", "until", "Till", "ETA", "target", "for", "2024-05-01", "friday", "EOD",
               "next week", "end of Q3", "May 5", "tomorrow", " ", ":", ".", "x", "Ünder", "ſ"]


@given(st.lists(st.sampled_from(TAIL_PIECES), max_size=8).map("".join))
@settings(max_examples=1500, deadline=None)
def test_due_times_are_found_where_every_word_is_tried(tail: str) -> None:
    starts = [w.start() for w in action_items._TIME_TAIL_START.finditer(tail)]
    assert next((s for s in starts if action_items._TIME_TAIL.fullmatch(tail, s)), None) == _first_time_tail(tail)


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


def test_lowering_keeps_what_ignorecase_matches_at_every_code_point() -> None:
    """What _Search relies on for text beyond ASCII: each character that lowers to one character (other than
    "ı" and "ſ") is, once lowered, in the same classes and matches the same ASCII characters case-sensitively
    as it does under IGNORECASE."""
    kept = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    kept = [char for char in kept if len(char.lower()) == 1 and not outline._OTHER_CASE.match(char)]
    text, lowered = "".join(kept), "".join(char.lower() for char in kept)
    for source in [r"\w", r"\d", r"\s", r"\W", r"\b\w", r"[a-z]", r"[^a-z]", r"[^\W_]", r"[-*+\s\d:/.|]", "[’']",
                   *(re.escape(char) for char in string.printable if not char.isupper())]:
        folding = [m.start() for m in re.compile(source, re.IGNORECASE).finditer(text)]
        assert folding == [m.start() for m in re.compile(source).finditer(lowered)], source


def test_text_that_lowering_would_shift_is_searched_with_the_pattern_itself() -> None:
    search = outline._Search(r"\bwas restored\b", re.IGNORECASE | re.UNICODE)
    for text in ["İ service WAS RESTORED", "ſervice was reſtored", "Service was Restored ı", "café WAS restored"]:
        expected = re.search(r"\bwas restored\b", text, re.IGNORECASE)
        found = search(text)
        assert (found and found.span()) == (expected and expected.span()), text


@given(st.lists(st.sampled_from(WORDING), max_size=8).map("".join),
       st.lists(st.sampled_from(WORDING), max_size=8).map("".join), st.sampled_from(IMPLIED))
@settings(max_examples=1500, deadline=None)
def test_one_search_of_the_joined_lines_finds_what_two_searches_find(line: str, after: str,
                                                                     pattern: re.Pattern[str]) -> None:
    line, after = line.replace("\n", " "), after.replace("\n", " ")
    search = outline._Search(pattern.pattern, pattern.flags)
    first = line.rstrip()
    joined = first + " " + after.strip()
    both = pattern.search(line) is not None or any(m.start() < len(first) for m in [pattern.search(joined)] if m)
    assert outline._finds(search, line, joined, len(first)) == both


@pytest.mark.parametrize(("source", "extends"), [
    (r"\bcaused by\b", True), (r"(?<!had )\bwas restored", True), (r"[*+$]x", True), (r"foo\$", True),
    (r"foo$", False), (r"(?=x)a", False), (r"root cause(?! is unknown)", False), (r"a*+b", False), (r"a\Z", False),
    (r"(?#[)x$]", False), (r"(?x) a $", False)])
def test_patterns_that_look_past_the_end_of_a_line_are_searched_in_it_alone_too(source: str, extends: bool) -> None:
    assert outline._extends(source, re.IGNORECASE) is extends


def test_wording_that_only_holds_at_the_end_of_its_line_is_still_found() -> None:
    search = outline._Search(r"root cause(?! is unknown)", re.IGNORECASE | re.UNICODE)
    assert outline._finds(search, "The root cause", "The root cause is unknown to us", len("The root cause"))


def test_a_match_that_takes_no_text_at_the_end_of_a_wrapped_line_is_found() -> None:
    search = outline._Search(r"(?<=c)", re.IGNORECASE | re.UNICODE)
    assert search.extends
    assert outline._finds(search, "abc", "abc next", 3)
    assert not outline._finds(outline._Search(r"(?<=q)", re.IGNORECASE | re.UNICODE), "abc", "abc next", 3)
