"""Issue titles, bodies, markers and the rate-limit arithmetic, without a server."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from postmortem_check.action_items import ActionItem
from postmortem_check.issues.client import next_link, rate_limit_wait
from postmortem_check.issues.content import (
    TITLE_LIMIT,
    Marker,
    Source,
    assignee_logins,
    issue_body,
    issue_title,
    parse_marker,
    render_marker,
)


def item(text: str, **fields: object) -> ActionItem:
    return ActionItem(id="0123456789ab", text=text, line=7, done=False, **fields)  # type: ignore[arg-type]


def test_title_is_cut_at_a_word_boundary() -> None:
    words = "Replace the replication credentials on every database host " * 4
    title = issue_title(item(words))
    assert len(title) <= TITLE_LIMIT and title.endswith("…")
    assert words.startswith(title[:-1]) and words[len(title) - 1] == " "


def test_title_leaves_out_labels_and_trailing_people() -> None:
    text = "Add a disk forecast @bob P2 labels: monitoring, dashboards"
    assert issue_title(item(text)) == "Add a disk forecast"
    assert issue_title(item("Ask @carol about the WAL archive")) == "Ask @carol about the WAL archive"


def test_assignees_are_mapped_and_checked() -> None:
    found = item("x", assignees=("Dana", "alice", "Jane Doe", "ALICE", "-bad"))
    assert assignee_logins(found, {"dana": "dana-gh"}) == ["dana-gh", "alice"]


def test_marker_survives_a_file_name_that_would_end_the_comment() -> None:
    marker = Marker("docs/a-->b <x> & y.md", "0123456789ab-2", 3, "rev")
    rendered = render_marker(marker)
    assert rendered.count("-->") == 1 and rendered.endswith("-->")
    assert parse_marker(f"text\n{rendered}\n") == marker


def test_quoted_fake_marker_does_not_win() -> None:
    fake = render_marker(Marker("other.md", "ffffffffffff", 0))
    body = issue_body(item(f"copy {fake}"), Source("pm.md"), [], None, Marker("pm.md", "0123456789ab", 0))
    found = parse_marker(body)
    assert found is not None and found.file == "pm.md"


def test_damaged_markers_are_ignored() -> None:
    for body in (None, "", "<!-- postmortem-check: {nope} -->", '<!-- postmortem-check: {"file": 1} -->',
                 '<!-- postmortem-check: {"file": "a", "item": "b", "index": true} -->'):
        assert parse_marker(body) is None


@given(st.text(min_size=1, max_size=80), st.text(max_size=20), st.integers(0, 10_000))
def test_marker_round_trip(file: str, item_id: str, index: int) -> None:
    marker = Marker(file, item_id, index, "r")
    assert parse_marker("before " + render_marker(marker) + " after") == marker


def test_rate_limit_waits() -> None:
    assert rate_limit_wait(403, {"retry-after": "7"}, "secondary rate limit", 0) == 7
    assert rate_limit_wait(429, {}, "Too Many Requests", 0) == 60
    assert rate_limit_wait(403, {}, "You have exceeded a secondary rate limit", 2) == 240
    reset = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1030"}
    assert rate_limit_wait(403, reset, "API rate limit exceeded", 0, now=1000) == 31
    assert rate_limit_wait(403, {}, "Resource not accessible by integration", 0) is None
    assert rate_limit_wait(502, {"retry-after": "1"}, "", 0) is None


def test_next_link() -> None:
    header = ('<http://127.0.0.1:1/repos/a/b/issues?page=2>; rel="next", '
              '<http://127.0.0.1:1/repos/a/b/issues?page=5>; rel="last"')
    assert next_link(header) == "http://127.0.0.1:1/repos/a/b/issues?page=2"
    assert next_link('<http://x/issues?page=1>; rel="prev"') is None
    assert next_link(None) is None
