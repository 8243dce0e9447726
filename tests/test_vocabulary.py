"""Heading matching: markup, numbering, emoji, suffixes and typos do not hide a section."""

from __future__ import annotations

import pytest

from postmortem_check.schema import load_schema
from postmortem_check.vocabulary import normalize

VOCABULARY = load_schema("default").vocabulary


@pytest.mark.parametrize(("heading", "ids"), [
    ("**Issue Summary:**", ("summary",)),
    ("### Sumary", ("summary",)),
    ("Timeline 🕰️", ("timeline",)),
    ("Timeline (all times UTC)", ("timeline",)),
    ("2. Root Cause Analysis", ("root_cause",)),
    ("•\tCorrective Measures:", ("corrective_actions",)),
    ("Root Cause and Resolution 🧐🔧", ("root_cause", "resolution")),
    ("Lessons Learnt", ("lessons_learned",)),
    ("Corrective and Preventative Measure", ("corrective_actions",)),
    ("What was the impact identified?", ("impact",)),
    ("<h2>Resolution and recovery</h2>", ("resolution",)),
    ("_History_", ("timeline",)),
    ("Action Items (Updated for Grafana Alert Rule system)", ("corrective_actions",)),
])
def test_headings_map_to_sections(heading, ids):
    assert VOCABULARY.match(heading)[0] == ids


@pytest.mark.parametrize("heading", ["Resources", "Debugging Process", "Owner: @someone", "Postmortem"])
def test_other_headings_map_to_nothing(heading):
    assert VOCABULARY.match(heading)[0] == ()


def test_normalize():
    assert normalize("  1. **Root Cause(s):** ") == "root cause"
    assert normalize("Impact & Metrics") == "impact and metrics"


@pytest.mark.parametrize("code", range(128))
def test_an_ascii_heading_is_read_as_any_other(code: int) -> None:
    """ASCII text takes a table of the symbols and control characters that read as spaces; the same text
    with a letter beyond ASCII is read character by character: both read each character alike."""
    text = f"Impact{chr(code)}x"
    assert normalize(text) + "é" == normalize(text + "é")


def test_a_heading_that_begins_like_no_variant_is_not_a_prefix_match() -> None:
    assert VOCABULARY.match("Heading number 7 about topic 1234")[0] == ()
    assert VOCABULARY.match("Imp")[0] == ()  # shorter than any variant
    assert VOCABULARY.match("Impact on customers")[0] == ("impact",)


@pytest.mark.parametrize(("heading", "ids"), [
    # an annotation after a known heading, however long
    ("Timeline (all times PST)  12/01/2022 - 05/07/2023. All times approximations", ("timeline",)),
    ("Root cause of the outage", ("root_cause",)),
    ("Lessons Learned and Future Improvements", ("lessons_learned", "corrective_actions")),
    ("How are we preventing it from happening again?", ("corrective_actions",)),
    ("Immediate Actions (Completed)", ("resolution", "corrective_actions")),
    ("Why this happens", ("root_cause",)),
    ("What was done", ("resolution",)),
    ("Solving (temporarily)", ("resolution",)),
    ("Possible causes", ("root_cause",)),
    ("Post operations", ("corrective_actions",)),
    ("Timelnie", ("timeline",)),
    ("Corective Actions", ("corrective_actions",)),
    ("CVE - Description of the Vulnerability", ("root_cause",)),  # a one-word tag, then the heading
])
def test_more_ways_to_name_a_section(heading, ids):
    assert VOCABULARY.match(heading)[0] == ids


def test_no_real_word_becomes_another():
    assert VOCABULARY.match("Stats")[0] == ()  # figures about the incident, a heading of its own
    assert VOCABULARY.match("Status")[0] == ()  # one edit from "Stats", but a word of its own
    assert VOCABULARY.match("Event")[0] == ("summary",)  # not "Events" (the timeline)


def test_a_short_variant_is_not_the_start_of_a_heading_about_another_section():
    assert VOCABULARY.match("Details of the fix")[0] == ()
    assert VOCABULARY.match("Details: what broke")[0] == ("summary",)


def test_a_tag_before_a_dash_does_not_make_an_unknown_heading_known():
    assert VOCABULARY.match("CWE - How to Recreate the Vulnerability")[0] == ()


@pytest.mark.parametrize(("heading", "ids"), [
    ("Why was this hard to detect?", ("detection",)),
    ("Alert", ("detection",)),
    ("Mitigation steps taken", ("corrective_actions",)),
    ("How was it detected", ("detection",)),
    ("Conclusion", ("root_cause",)),
    ("Conclusions", ("root_cause",)),
])
def test_headings_teams_use_for_detection_and_the_cause(heading, ids):
    assert VOCABULARY.match(heading)[0] == ids


def test_a_word_saying_how_a_section_is_written_does_not_make_it_another_section():
    assert VOCABULARY.match("Timeline summary")[0] == ("timeline",)
    assert VOCABULARY.match("Impact overview")[0] == ("impact",)
    assert VOCABULARY.match("Details of the fix")[0] == ()  # still not the summary
