"""Timeline facts: dates the entries carry, midnight, sub-bullets, masks and code spans."""

from __future__ import annotations

import pytest

from postmortem_check.lint import lint_text
from postmortem_check.timeline import parse_date

_HEAD = "# Outage\n\n## Summary\n\nThe API was down.\n\n## Timeline\n\n"


def _timeline_findings(body: str) -> list[tuple[str, int, str]]:
    result = lint_text(_HEAD + body)
    return [(f.rule, f.line, f.message) for f in result.findings if f.rule.startswith("timeline")]


@pytest.mark.parametrize("text", ["15:04 martym looks at logs", "15:09 marked resolved", "15:04 decided to roll back",
                                  "10:00 junior on call paged"])
def test_words_that_start_like_a_month_are_not_dates(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Mar 07 00:05 alert", (None, 3, 7)),
    ("February 12, 09:00 deploy", (None, 2, 12)),
    ("22:30 UTC (Oct 29) paged", (None, 10, 29)),
    ("19. April, 11:00", (None, 4, 19)),
    ("_7/6/23_", (2023, 7, 6)),
    ("29-09-2021 (All times CEST)", (2021, 9, 29)),
    ("29.03.2024 10:00 paged.", (2024, 3, 29)),  # each separator a numeric date may use
    ("10:00 paged (2024.03.11).", (2024, 3, 11)),
    ("2024/03/11: paged", (2024, 3, 11)),
    ("10:00 paged. Fixed by 10:30.", None),  # a full stop after a time is no separator of a date
])
def test_dates_entries_carry(text, expected):
    assert parse_date(text) == expected


def test_the_sre_book_style_timeline_is_in_order():
    body = "- 15:01 page fires\n- 15:04 martym looks\n- 15:09 marked resolved\n- 15:12 decided on a fix\n"
    assert _timeline_findings(body) == []


def test_day_first_dates_are_read_day_first_when_that_puts_entries_in_order():
    body = ("| Time | Event |\n|---|---|\n| 03-11-2024 23:58 | alert |\n| 04-11-2024 02:00 | paged |\n"
            "| 09-11-2024 10:00 | fixed |\n")
    assert _timeline_findings(body) == []


def test_dates_on_their_own_line_or_sub_heading_set_the_day():
    body = ("### 29-09-2021 (All times CEST)\n\n- 15:46 change made\n\n### 03-10-2021\n\n- 02:17 outage begins\n\n"
            "_04/10/21_\n\n- 09:23 containers unresponsive\n")
    assert _timeline_findings(body) == []


def test_an_obvious_midnight_crossing_is_the_next_day():
    assert _timeline_findings("- 23:55 disk fills\n- 00:10 paged\n- 07:00 fixed\n") == []


def test_a_real_step_back_is_reported_with_the_dates_it_inferred():
    body = "2024-03-10\n\n- 10:00 paged\n- 09:00 deploy\n"
    findings = _timeline_findings(body)
    assert [(rule, line) for rule, line, _ in findings] == [("timeline-order", 12)]
    assert "2024-03-10 09:00 (date from line 9)" in findings[0][2]


def test_times_in_code_spans_are_read():
    assert _timeline_findings("- `14:02` - alert fires\n- `14:10` - paged\n") == []


def test_sub_bullets_and_notes_are_not_entries():
    body = "- 10:00 paged\n  - looked at the dashboard\n- **Note:** the status page was not updated\n- 10:30 fixed\n"
    assert _timeline_findings(body) == []


def test_a_date_alone_is_enough_in_a_timeline_spanning_days():
    body = "- 2018-01-15 builds fail\n- 2018-01-16 reported upstream\n- investigation continues\n"
    assert [(rule, line) for rule, line, _ in _timeline_findings(body)] == [("timeline-missing-time", 11)]


def test_a_masked_time_is_a_placeholder_not_a_missing_time():
    result = lint_text(_HEAD + "| Time | Event |\n|---|---|\n| 2022-06-02 HH:mm | deploy |\n")
    assert [f.rule for f in result.findings if f.rule in ("placeholder", "timeline-missing-time")] == ["placeholder"]


def test_a_bracketed_time_slot_is_a_placeholder_not_a_missing_time():
    result = lint_text(_HEAD + "- [Start time]: alerts fire\n- [Short event description]\n- 10:05 UTC rolled back\n")
    found = [(f.rule, f.line) for f in result.findings if f.rule in ("placeholder", "timeline-missing-time")]
    start = _HEAD.count("\n") + 1
    assert found == [("placeholder", start), ("timeline-missing-time", start + 1), ("placeholder", start + 1)]
