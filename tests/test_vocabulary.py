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


@pytest.mark.parametrize("heading", ["Conclusion", "Resources", "Debugging Process", "Owner: @someone", "Postmortem"])
def test_other_headings_map_to_nothing(heading):
    assert VOCABULARY.match(heading)[0] == ()


def test_normalize():
    assert normalize("  1. **Root Cause(s):** ") == "root cause"
    assert normalize("Impact & Metrics") == "impact and metrics"
