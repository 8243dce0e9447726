"""The pipeline's fast paths (prefilters and counting without the regex engine) give exactly what the plain
definitions give."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from postmortem_check import placeholders
from postmortem_check.lint import lint_text
from postmortem_check.outline import words

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


def test_each_kind_of_placeholder_is_found_on_its_line() -> None:
    text = ("# Title\n\n## Summary\n\nplain words\nOwner: [owner name]\nplain again\nStarted at HH:mm\n"
            "we saw ???\nTBD\nnothing here\nTODO: write\n<add name here>\n")
    result = lint_text(text)
    lines = sorted({f.line for f in result.findings if f.rule == "placeholder"})
    assert lines == [6, 8, 9, 10, 12, 13]
