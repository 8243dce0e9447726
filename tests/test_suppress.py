"""Inline configuration comments and draft mode."""

from __future__ import annotations

from postmortem_check.lint import lint_text

BODY = ("# Outage\n\n## Summary\n\nThe API failed on [date].\n\n## Timeline\n\n- 10:00 UTC alert\n\n"
        "## Root Cause\n\nA bad disk.\n\n## Resolution\n\nReplaced it.\n\n"
        "## Corrective and Preventative Measures\n\n- Add a disk alert\n")


def _rules(text: str) -> list[tuple[str, int, str]]:
    return [(f.rule, f.line, f.severity) for f in lint_text(text).findings]


def test_placeholder_is_reported_without_a_comment():
    assert _rules(BODY) == [("placeholder", 5, "error")]


def test_disable_next_line_silences_only_that_rule_on_the_next_line():
    text = BODY.replace("The API", "<!-- postmortem-check-disable-next-line placeholder -->\nThe API")
    assert _rules(text) == []
    other = BODY.replace("The API", "<!-- postmortem-check-disable-next-line timeline-order -->\nThe API")
    assert _rules(other) == [("placeholder", 6, "error")]


def test_disable_enable_range_and_disable_file():
    text = BODY.replace("## Summary", "<!-- postmortem-check-disable placeholder -->\n## Summary").replace(
        "## Timeline", "<!-- postmortem-check-enable placeholder -->\n## Timeline")
    assert _rules(text) == []
    after = BODY.replace("## Summary", "<!-- postmortem-check-disable placeholder -->\n"
                         "<!-- postmortem-check-enable placeholder -->\n## Summary")
    assert [r for r, _, _ in _rules(after)] == ["placeholder"]
    assert _rules(BODY + "\n<!-- postmortem-check-disable-file -->\n") == []


def test_unknown_rule_in_a_comment_is_a_finding():
    text = BODY.replace("## Summary", "<!-- postmortem-check-disable-next-line no-such-rule -->\n## Summary")
    assert ("inline-config", 3, "error") in _rules(text)


def test_draft_turns_errors_into_warnings_and_says_so():
    rules = _rules("---\nstatus: Draft\n---\n" + BODY)
    assert ("placeholder", 8, "warning") in rules
    assert ("draft", 1, "warning") in rules
    assert all(severity == "warning" for _, _, severity in rules)
    assert _rules("---\nstatus: final\n---\n" + BODY) == [("placeholder", 8, "error")]
