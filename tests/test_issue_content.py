"""Issue titles, bodies, markers and the rate-limit arithmetic, without a server."""

from __future__ import annotations

import re
from pathlib import Path

import mistune
from hypothesis import given
from hypothesis import strategies as st

from postmortem_check.action_items import ActionItem
from postmortem_check.issues.client import next_link, rate_limit_wait
from postmortem_check.issues.content import (
    BODY_LIMIT,
    TITLE_LIMIT,
    Marker,
    Source,
    assignee_logins,
    issue_body,
    issue_title,
    item_labels,
    item_milestone,
    parse_marker,
    render_marker,
)
from tests.test_linear_patterns import cpu_seconds


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


# --- hostile item text: linear time, inert bodies, GitHub's limits ------------------------------------

SIZE = 64 * 1024


def _run_all(text: str) -> None:
    """Every function of the issue path that reads item text or an issue body."""
    found = item(text, assignees=("acme", "bob"), labels=(text[:200],))
    issue_title(found)
    item_labels(found)
    item_milestone(found)
    assignee_logins(found, {})
    body = issue_body(found, Source(text[:300], text, text), ["bob"], text[:80], Marker("f", "i", 0))
    parse_marker(body)
    parse_marker(text)
    next_link(text)


def _cost(text: str) -> float:
    return cpu_seconds(_run_all, text)


def _fill(unit: str) -> str:
    return (unit * (SIZE // len(unit) + 1))[:SIZE]


HOSTILE = {
    "trailing people": "Fix " + _fill("@a-P1 ") + "x",
    "people at the end": "Fix " + _fill("@a-P1 "),
    "teams": _fill("@acme/security-team, "),
    "spaces before labels": "Fix" + _fill(" ") + "labels x",
    "separators": "Fix" + _fill(",;( ") + "label: ",
    "milestones": _fill("milestone: " + " " * 20),
    "label words": _fill("labels: a, "),
    "spaces after labels": "Fix label: a" + _fill(" ") + "x",
    "open comments": _fill("<!-- postmortem-check: {"),
    "open links": _fill("<http://x/"),
    "backticks": _fill("`` ` "),
    "brackets": _fill("( [ ] ) "),
}


def test_every_pattern_of_the_issue_path_is_linear() -> None:
    """64 KB of each hostile shape costs at most a few times 64 KB of prose, measured in the same run
    (the trailing-people pattern used to backtrack exponentially: 191 characters hung for hours)."""
    normal = _cost(_fill("Replace the replication credentials on every database host. "))
    for name, text in HOSTILE.items():
        assert _cost(text) <= 10 * normal + 0.02, name


def _outside_code(markdown: str) -> str:
    """The rendered HTML of ``markdown`` with every code span and code block taken out."""
    html = str(mistune.create_markdown(escape=False, plugins=["table"])(markdown))
    return re.sub(r"<pre>.*?</pre>|<code>.*?</code>|<!--.*?-->", "", html, flags=re.S)


def test_bodies_are_inert() -> None:
    text = ("Tell @dana and @acme/security-team, see owner/repo#1 and <details><summary>x</summary>"
            "<a href=https://evil.example>click</a></details> ![t](https://t.example/p.png) ```` ``` done")
    body = issue_body(item(text, assignees=("dana", "acme")), Source("x` @eve <b>|.md", "<img src=x>"),
                      ["dana"], None, Marker("x.md", "0123456789ab", 0))
    live = _outside_code(body)
    for trace in ("@", "#1", "<details", "<a ", "<img", "<b>", "evil", "t.example"):
        assert trace not in live, trace
    html = str(mistune.create_markdown(escape=False, plugins=["table"])(body))
    assert "<code>x` @eve &lt;b&gt;\\|.md</code>" in html  # one span holds the whole name (GFM drops the \\)


def test_body_is_cut_to_fit_with_a_note() -> None:
    long = "word " * 20_000 + "🙂" * 5_000
    body = issue_body(item(long), Source("pm.md"), [], None, Marker("pm.md", "0123456789ab", 0))
    assert len(body.encode("utf-16-le")) // 2 <= BODY_LIMIT
    assert "it is cut here" in body and parse_marker(body) == Marker("pm.md", "0123456789ab", 0)
    short = issue_body(item("Fix it"), Source("pm.md"), [], None, Marker("pm.md", "0123456789ab", 0))
    assert "cut" not in short


def test_title_never_passes_githubs_limit() -> None:
    assert len(issue_title(item("@a " * 500))) <= TITLE_LIMIT
    assert len(issue_title(item("x" * 1000), limit=1000)) <= 256


def test_labels_only_from_a_trailing_list_of_names() -> None:
    prose = item("Change the alert", labels=("it currently says DB and should say Primary DB",))
    assert item_labels(prose) == ([], ["it currently says DB and should say Primary DB"])
    assert item_labels(item("Add a forecast", labels=("monitoring", "good first issue")))[0] == \
        ["monitoring", "good first issue"]
    assert item_labels(item("Add a forecast", labels=("x" * 51,)))[0] == []
    middle = item("Change the label: it says DB, and fix the alert", labels=("it says DB",))
    assert item_labels(middle)[0] == []
    assert issue_title(item("Add a forecast labels: monitoring, dashboards")) == "Add a forecast"
    assert issue_title(item("Relabel: the alert")) == "Relabel: the alert"


def test_an_organisation_of_a_team_mention_is_not_an_assignee() -> None:
    found = item("Tell @acme/security-team and @bob", assignees=("acme", "bob"))
    assert assignee_logins(found, {}) == ["bob"]
    assert assignee_logins(item("@acme and @acme/sre", assignees=("acme",)), {}) == ["acme"]


def test_github_repository_from_remote_urls() -> None:
    from postmortem_check.issues.repository import github_repository

    for url in ("https://github.com/acme/ops.git", "https://github.com/acme/ops/", "git@github.com:acme/ops.git",
                "ssh://git@github.com/acme/ops.git", "ssh://git@github.com:22/acme/ops",
                "https://x-access-token:secret@github.com/acme/ops.git", "git://github.com/acme/ops"):
        assert github_repository(url) == "acme/ops", url
    for url in ("https://gitlab.com/acme/ops", "git@github.com:acme/ops/extra.git", "/srv/git/ops.git",
                "file:///srv/acme/ops", "https://github.com/acme", "git@github.com:../ops", "https://[::1"):
        assert github_repository(url) is None, url
    assert github_repository("git@ghe.example.com:acme/ops.git", ("github.com", "ghe.example.com")) == "acme/ops"


def test_origin_of_a_worktree(tmp_path: Path) -> None:
    from postmortem_check.issues.repository import repository_from_remote

    main_git = tmp_path / "main" / ".git"
    (main_git / "worktrees" / "wt").mkdir(parents=True)
    (main_git / "config").write_text('[remote "origin"]\n  url = git@github.com:acme/ops.git\n')
    (main_git / "worktrees" / "wt" / "commondir").write_text("../..\n")
    tree = tmp_path / "wt"
    (tree / "postmortems").mkdir(parents=True)
    (tree / ".git").write_text(f"gitdir: {main_git / 'worktrees' / 'wt'}\n")
    assert repository_from_remote(tree / "postmortems" / "x.md") == "acme/ops"
    assert repository_from_remote(tmp_path / "elsewhere.md") is None


def test_write_back_finds_the_cell_or_the_line_that_ends_the_item(tmp_path: Path) -> None:
    from postmortem_check.issues.writeback import Target, write_back
    from postmortem_check.lint import lint_text

    text = ("# Outage\n\n## Action items\n\n| Action | Owner | Status |\n|---|---|---|\n"
            "| Fix the alert | @bob | open |\n\n1. Page the on-call\n2. Tune paging that\n   wraps\n")
    document = tmp_path / "pm.md"
    document.write_text(text)
    items = lint_text(text).action_items
    targets = [Target(str(document), found, 10 + n) for n, found in enumerate(items)]
    write_back(targets, [str(tmp_path)], lambda again: lint_text(again).action_items)
    assert [target.written for target in targets] == [7, 9, 11]
    assert document.read_text() == (text.replace("alert |", "alert (#10) |").replace("on-call", "on-call (#11)")
                                    .replace("   wraps", "   wraps (#12)"))
    again = lint_text(document.read_text()).action_items
    assert [(x.id, x.issue) for x in again] == [(x.id, f"#{10 + n}") for n, x in enumerate(items)]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    before = document.read_bytes()
    targets = [Target(str(document), items[0], 99)]
    write_back(targets, [str(outside)], lambda again: lint_text(again).action_items)
    assert targets[0].problem and "outside" in targets[0].problem and document.read_bytes() == before


def test_a_draft_by_the_configs_own_field_is_skipped_by_the_sync() -> None:
    from postmortem_check.config import Config
    from postmortem_check.issues.scope import skip_reason
    from postmortem_check.lint import lint_text

    text = "---\nstate: wip\n---\n# Outage\n\n## Action items\n\n- [ ] Add an alert\n"
    config = Config(draft={"field": "state", "values": ["wip"]})
    reason = skip_reason(lint_text(text, config))
    assert reason is not None and reason.startswith("draft (state: wip)")
    assert skip_reason(lint_text(text.replace("wip", "final"), config)) is None
