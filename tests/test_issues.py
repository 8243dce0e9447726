"""``postmortem-check issues`` against a real local GitHub API server (tests/fake_github.py).

PyGithub talks to the server unchanged over HTTP on 127.0.0.1; every scenario checks what ended up in
the repository and how many requests it took.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from postmortem_check.cli import main
from postmortem_check.issues.content import parse_marker
from tests.fake_github import FakeGitHub

HEAD = """---
date: 2024-05-02
---
# Database outage on 2024-05-02

## Summary

The primary database ran out of disk space and writes failed for forty minutes across the product.

## Impact

Customers could not save changes for forty minutes; about 2,000 requests failed.

## Timeline

- 10:02 UTC: disk usage alert fires
- 10:10 UTC: on-call engineer starts investigating
- 10:42 UTC: old WAL files removed, writes recover

## Root cause

WAL archiving had silently failed for a week, so WAL files piled up on the primary's disk.

## Resolution

The on-call engineer removed archived WAL files and restarted archiving.

## Action items

"""
TAIL = """
## Lessons learned

Archiving failures need alerts of their own.
"""
ITEMS = [
    "- [ ] Alert when WAL archiving fails @alice P1 due 2024-06-01",
    "- [ ] Add a disk usage forecast to the dashboard @bob labels: monitoring",
    "- [x] Restart WAL archiving",
    "- [ ] Document the WAL cleanup runbook (#12)",
    "- [ ] Review backup retention with the storage team",
]
ENV_VARS = ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_SHA",
            "GITHUB_SERVER_URL", "GITHUB_WORKSPACE", "GITHUB_ACTIONS")


def postmortem(items: list[str]) -> str:
    return HEAD + "\n".join(items) + "\n" + TAIL


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, github: FakeGitHub) -> Path:
    """A repository checkout with a config that does not space writes, the token and repo in the env."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0\n  max_wait: 30\n")
    (tmp_path / "postmortems").mkdir()
    monkeypatch.chdir(tmp_path)
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_TOKEN", github.token)
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ops")
    return tmp_path


PM = "postmortems/2024-05-02-db.md"


def write(items: list[str], path: str = PM) -> None:
    Path(path).write_text(postmortem(items))


def sync(github: FakeGitHub, capsys: pytest.CaptureFixture[str], *extra: str,
         paths: tuple[str, ...] = (PM,)) -> tuple[int, list[dict[str, Any]], str]:
    code = main(["issues", "--api-url", github.url, "--format", "json", *extra, *paths])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out.strip() else [], captured.err


def actions(records: list[dict[str, Any]]) -> list[str]:
    return [record["action"] for record in records]


def counts(github: FakeGitHub) -> dict[str, int]:
    tally: dict[str, int] = {}
    for logged in github.log:
        key = f"{logged.method} {logged.route}"
        tally[key] = tally.get(key, 0) + 1
    return tally


# --- first run, re-run, edits, done items -----------------------------------------------------------

def test_first_run_opens_one_issue_per_open_item(workspace: Path, github: FakeGitHub,
                                                 capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SHA", "0123abcd")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.example")
    Path(".postmortem-check.yaml").write_text(
        "issues:\n  write_spacing: 0\n  labels: [incident]\n  milestone: 2024-Q3\n")
    write(ITEMS)
    code, records, err = sync(github, capsys, "--label", "from-ci")
    assert code == 0, err
    assert actions(records) == ["created", "created", "skipped", "linked", "created"]
    assert records[3]["issue"] == {"number": 12, "url": "https://github.example/acme/ops/issues/12"}
    assert records[2]["reason"] == "done; no issue to close"
    issues = github.real_issues()
    assert [i["title"] for i in issues] == ["Alert when WAL archiving fails",
                                            "Add a disk usage forecast to the dashboard",
                                            "Review backup retention with the storage team"]
    first = issues[0]
    assert [label["name"] for label in first["labels"]] == ["postmortem", "incident", "from-ci"]
    assert [x["name"] for x in issues[1]["labels"]] == ["postmortem", "incident", "from-ci", "monitoring"]
    assert [a["login"] for a in first["assignees"]] == ["alice"]
    assert first["milestone"]["title"] == "2024-Q3"
    assert "| Due | 2024-06-01 |" in first["body"] and "| Priority | P1 |" in first["body"]
    assert "Database outage on 2024-05-02 (2024-05-02)" in first["body"]
    assert f"https://github.example/acme/ops/blob/0123abcd/{PM}#L{records[0]['line']}" in first["body"]
    marker = parse_marker(first["body"])
    assert marker is not None and (marker.file, marker.item) == (PM, records[0]["item_id"])
    assert records[0]["issue"] == {"number": 1, "url": first["html_url"]}
    # one listing, one milestone lookup, one POST per created issue, nothing else
    assert counts(github) == {"GET list": 1, "GET milestones": 1, "POST create": 3}


def test_rerun_opens_nothing_and_costs_one_listing(workspace: Path, github: FakeGitHub,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    assert sync(github, capsys)[0] == 0
    github.log.clear()
    code, records, err = sync(github, capsys)
    assert code == 0
    assert actions(records) == ["exists", "exists", "skipped", "linked", "exists"]
    assert len(github.real_issues()) == 3
    assert counts(github) == {"GET list": 1}
    assert "requests: 1 GET" in err


def test_edited_item_updates_its_issue_and_keeps_what_people_set(workspace: Path, github: FakeGitHub,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    issue = github.real_issues()[4 - 2]  # "Review backup retention..." is the third issue
    issue["labels"].append({"name": "team-storage"})  # set by a person on GitHub
    issue["assignees"].append({"login": "carol"})
    edited = [*ITEMS[:4], "- [ ] Review backup retention and restore drills with the storage team"]
    write(edited)
    github.log.clear()
    code, records, _ = sync(github, capsys)
    assert code == 0
    assert actions(records) == ["exists", "exists", "skipped", "linked", "updated"]
    assert records[4]["issue"]["number"] == issue["number"]
    assert len(github.real_issues()) == 3
    assert issue["title"] == "Review backup retention and restore drills with the storage team"
    assert {label["name"] for label in issue["labels"]} == {"postmortem", "team-storage"}
    assert [a["login"] for a in issue["assignees"]] == ["carol"]
    marker = parse_marker(issue["body"])
    assert marker is not None and marker.item == records[4]["item_id"]
    assert counts(github) == {"GET list": 1, "PATCH update": 1}
    # and the next run finds it in step
    assert actions(sync(github, capsys)[1]) == ["exists", "exists", "skipped", "linked", "exists"]


def test_changed_details_update_the_body(workspace: Path, github: FakeGitHub,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    write([ITEMS[0].replace("2024-06-01", "2024-07-15"), *ITEMS[1:]])
    code, records, _ = sync(github, capsys)
    assert code == 0 and records[0]["action"] == "updated"
    assert "| Due | 2024-07-15 |" in github.real_issues()[0]["body"]


def test_inserted_item_is_created_and_others_keep_their_issues(workspace: Path, github: FakeGitHub,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    write(["- [ ] Page the database team on WAL archive lag", *ITEMS])
    code, records, _ = sync(github, capsys)
    assert code == 0
    assert actions(records) == ["created", "updated", "updated", "skipped", "linked", "updated"]
    assert [r["issue"]["number"] for r in records if r["action"] == "updated"] == [1, 2, 3]
    assert len(github.real_issues()) == 4
    assert actions(sync(github, capsys)[1]) == ["exists", "exists", "exists", "skipped", "linked", "exists"]


def test_item_checked_done_closes_its_issue_with_a_comment(workspace: Path, github: FakeGitHub,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    write([ITEMS[0].replace("[ ]", "[x]"), *ITEMS[1:]])
    github.log.clear()
    code, records, _ = sync(github, capsys)
    assert code == 0
    assert records[0]["action"] == "closed" and records[0]["issue"]["number"] == 1
    issue = github.real_issues()[0]
    assert issue["state"] == "closed" and issue["state_reason"] == "completed"
    assert github.comments[1] and PM in github.comments[1][0] and "done" in github.comments[1][0]
    assert counts(github) == {"GET list": 1, "PATCH update": 1, "POST comment": 1}
    github.log.clear()
    code, records, _ = sync(github, capsys)
    assert records[0]["action"] == "exists" and records[0]["reason"] == "done; its issue is closed"
    assert github.writes() == []


def test_close_done_off_leaves_the_issue_open(workspace: Path, github: FakeGitHub,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    Path(".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0\n  close_done: false\n")
    write(ITEMS)
    sync(github, capsys)
    write([ITEMS[0].replace("[ ]", "[x]"), *ITEMS[1:]])
    code, records, _ = sync(github, capsys)
    assert code == 0 and records[0]["action"] == "exists"
    assert github.real_issues()[0]["state"] == "open"


def test_lint_errors_do_not_hold_back_items_but_placeholders_drafts_and_unreadable_files_are_skipped(
        workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    without_timeline = postmortem([*ITEMS, "- [ ] [owner name]"]).replace("## Timeline", "## Notes")
    Path(PM).write_text(without_timeline)
    draft = "postmortems/draft.md"
    Path(draft).write_text("---\nstatus: Draft\n---\n" + postmortem(ITEMS[:1]).split("---\n", 2)[2])
    broken = "postmortems/broken.md"
    Path(broken).write_bytes(b"# Outage\n\n## Action items\n\n- [ ] Fix \xff\xfe it\n")
    assert main(["lint", PM]) == 1  # the file has lint errors...
    capsys.readouterr()
    code, records, _ = sync(github, capsys, paths=(PM, draft, broken))
    assert code == 0
    by_file = {file: [r for r in records if r["file"] == file] for file in (PM, draft, broken)}
    assert actions(by_file[PM]) == ["created", "created", "skipped", "linked", "created", "skipped"]  # ...yet
    assert "placeholder" in by_file[PM][-1]["reason"]
    assert actions(by_file[draft]) == ["skipped"] and "draft" in by_file[draft][0]["reason"]
    assert actions(by_file[broken]) == ["skipped"] and "cannot be read" in by_file[broken][0]["reason"]
    assert len(github.real_issues()) == 3


def test_unassignable_user_is_a_warning_and_the_issue_is_created(workspace: Path, github: FakeGitHub,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    Path(".postmortem-check.yaml").write_text(
        "issues:\n  write_spacing: 0\n  assignees:\n    Dana: mallory\n")
    write(["- [ ] Rotate the replication credentials @alice @mallory", "- [ ] Audit cron jobs @Dana"])
    code, records, err = sync(github, capsys)
    assert code == 0
    assert actions(records) == ["created", "created"]
    first, second = github.real_issues()
    assert [a["login"] for a in first["assignees"]] == ["alice"]
    assert second["assignees"] == []
    assert "could not assign @mallory" in err
    assert counts(github) == {"GET list": 1, "POST create": 4}  # each 422 is followed by one more POST


def test_unknown_milestone_is_a_warning(workspace: Path, github: FakeGitHub,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    Path(".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0\n  milestone: Someday\n")
    write(ITEMS[:1])
    code, records, err = sync(github, capsys)
    assert code == 0 and records[0]["action"] == "created"
    assert "milestone 'Someday' does not exist" in err


def test_pull_requests_and_unmarked_issues_are_ignored(workspace: Path, github: FakeGitHub,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS[:1])
    from postmortem_check.lint import lint_text

    item = lint_text(postmortem(ITEMS[:1])).action_items[0]
    marker = f'<!-- postmortem-check: {{"file": "{PM}", "item": "{item.id}", "index": 0, "rev": ""}} -->'
    github.add_issue("A pull request", marker, ("postmortem",), pull_request=True)
    github.add_issue("Hand-made issue", "no marker here", ("postmortem",))
    code, records, _ = sync(github, capsys)
    assert code == 0 and records[0]["action"] == "created" and records[0]["issue"]["number"] == 3
    assert counts(github).get("GET get", 0) == 0  # no per-issue fetches


# --- faults ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "posts"), [("502-after", 1), ("drop-after", 1), ("502", 2), ("drop", 2)])
def test_ambiguous_create_lists_again_and_never_duplicates(workspace: Path, github: FakeGitHub,
                                                           capsys: pytest.CaptureFixture[str], kind: str,
                                                           posts: int) -> None:
    write(ITEMS)
    github.fault("POST", "create", kind, after=1)  # the second create fails
    code, records, err = sync(github, capsys)
    assert code == 0, err
    assert actions(records) == ["created", "created", "skipped", "linked", "created"]
    titles = [i["title"] for i in github.real_issues()]
    assert len(titles) == len(set(titles)) == 3
    assert counts(github) == {"GET list": 2, "POST create": 2 + posts}
    assert "listing the issues to see whether it was created" in err
    assert ("confirmed by listing" in records[1]["reason"]) == (posts == 1)


def test_create_failing_twice_is_reported_and_the_next_run_completes(
        workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    github.fault("POST", "create", "502", times=2)
    code, records, err = sync(github, capsys)
    assert code == 1
    assert actions(records) == ["failed", "created", "skipped", "linked", "created"]
    assert "listed twice and the issue is not there" in records[0]["reason"]
    assert f"failed: {PM}:{records[0]['line']}" in err
    assert counts(github) == {"GET list": 3, "POST create": 4}
    code, records, _ = sync(github, capsys)
    assert code == 0 and actions(records) == ["created", "exists", "skipped", "linked", "exists"]
    assert len(github.real_issues()) == 3


@pytest.mark.parametrize("kind", ["403-secondary", "429", "403-primary"])
def test_rate_limit_is_waited_out(workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str],
                                  kind: str) -> None:
    write(ITEMS)
    github.fault("POST", "create", kind, after=1, seconds=1)
    code, records, err = sync(github, capsys)
    assert code == 0, err
    assert actions(records) == ["created", "created", "skipped", "linked", "created"]
    assert len(github.real_issues()) == 3
    assert "rate limited while trying to create issues" in err and "waiting" in err
    creates = github.requests("POST", "create")
    assert [c.status for c in creates] == [201, 403 if kind != "429" else 429, 201, 201]
    assert creates[2].at - creates[1].at >= 0.9  # the wait GitHub asked for happened before the retry


def test_rate_limit_beyond_max_wait_stops_without_waiting(workspace: Path, github: FakeGitHub,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    github.fault("POST", "create", "403-secondary", after=1, seconds=3600)
    code, records, err = sync(github, capsys)
    assert code == 1
    assert actions(records) == ["created", "failed", "skipped", "linked", "failed"]
    assert "max_wait" in err and "max_wait" in records[1]["reason"]
    assert records[4]["reason"].startswith("not attempted")
    assert counts(github) == {"GET list": 1, "POST create": 2}
    assert sync(github, capsys)[0] == 0  # the next run (after the limit) completes
    assert len(github.real_issues()) == 3


def test_listing_500_is_retried(workspace: Path, github: FakeGitHub,
                                capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    github.fault("GET", "list", "500")
    code, records, _ = sync(github, capsys)
    assert code == 0 and actions(records).count("created") == 3
    assert counts(github) == {"GET list": 2, "POST create": 3}


def test_listing_failing_every_time_writes_nothing(workspace: Path, github: FakeGitHub,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    github.fault("GET", "list", "500", times=10)
    code, records, err = sync(github, capsys)
    assert code == 1
    assert actions(records) == ["failed", "failed", "skipped", "linked", "failed"]
    assert "could not list the issues: GitHub answered 500" in err
    assert github.writes() == [] and counts(github) == {"GET list": 3}


def test_crash_halfway_then_rerun_completes_without_duplicates(workspace: Path, github: FakeGitHub,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    items = [f"- [ ] Follow-up task number {n} for the storage team" for n in range(1, 21)]
    write(items)
    held = github.fault("POST", "create", "hold", after=7)  # the 8th create is held open
    env = {**os.environ, "GITHUB_TOKEN": github.token, "GITHUB_REPOSITORY": "acme/ops"}
    process = subprocess.Popen(
        [sys.executable, "-c", "from postmortem_check.cli import run; run()", "issues",
         "--api-url", github.url, PM], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert held.arrived.wait(60), "the run never reached the 8th create"
        process.kill()  # the run dies while its request is in flight...
        process.wait(30)
    finally:
        held.release.set()  # ...and GitHub completes that create anyway
    assert held.finished.wait(30)
    assert len(github.real_issues()) == 8
    code, records, _ = sync(github, capsys)
    assert code == 0
    assert actions(records) == ["exists"] * 8 + ["created"] * 12
    titles = [i["title"] for i in github.real_issues()]
    assert len(titles) == len(set(titles)) == 20


# --- dry run, tokens, permissions, usage --------------------------------------------------------------

def test_dry_run_makes_no_write_and_prints_the_plan(workspace: Path, github: FakeGitHub,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    write([ITEMS[0].replace("[ ]", "[x]"), ITEMS[1], ITEMS[2], ITEMS[3],
           "- [ ] Review backup retention and restore drills with the storage team",
           "- [ ] Add a runbook link to the WAL alert"])
    github.log.clear()
    code, records, err = sync(github, capsys, "--dry-run")
    assert code == 0
    assert actions(records) == ["closed", "exists", "skipped", "linked", "updated", "created"]
    assert [r.get("dry_run", False) for r in records] == [True, False, False, False, True, True]
    assert github.writes() == [] and counts(github) == {"GET list": 1}
    assert "dry run (nothing written)" in err
    code = main(["issues", "--api-url", github.url, "--dry-run", PM])
    text = capsys.readouterr().out
    assert "would close #1" in text and "would update #3" in text
    assert 'would create "Add a runbook link to the WAL alert"' in text
    assert github.writes() == []


def test_bad_token_gives_one_clear_line_and_never_prints_the_token(workspace: Path, github: FakeGitHub,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "ghp_wrongwrongwrong1234567890"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    write(ITEMS)
    code = main(["issues", "--api-url", github.url, PM])
    captured = capsys.readouterr()
    assert code == 2
    assert secret not in captured.out + captured.err
    errors = [line for line in captured.err.splitlines() if "error:" in line]
    assert len(errors) == 1 and "401" in errors[0] and "GITHUB_TOKEN" in errors[0]
    assert github.writes() == []


def test_read_only_token_stops_at_the_first_write(workspace: Path, github: FakeGitHub,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    github.read_only = True
    write(ITEMS)
    code, records, err = sync(github, capsys)
    assert code == 2
    assert "issues: write" in err and len([line for line in err.splitlines() if "issues: write" in line]) == 1
    assert actions(records) == ["failed", "failed", "skipped", "linked", "failed"]
    assert counts(github) == {"GET list": 1, "POST create": 1}


def test_unknown_repository(workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    code, _, err = sync(github, capsys, "--repo", "acme/nope")
    assert code == 2
    assert "acme/nope" in err and "GITHUB_REPOSITORY" in err and "404" in err


def test_labels_dropped_by_github_stop_further_creates(workspace: Path, github: FakeGitHub,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    github.drop_labels = True
    write(ITEMS)
    code, records, err = sync(github, capsys)
    assert code == 2
    assert actions(records) == ["failed", "failed", "skipped", "linked", "failed"]
    assert "without the label 'postmortem'" in err
    assert counts(github) == {"GET list": 1, "POST create": 1}


def test_item_names_its_milestone(workspace: Path, github: FakeGitHub,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    github.milestones.append({"number": 2, "title": "2024-Q4", "state": "open"})
    Path(".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0\n  milestone: 2024-Q3\n")
    write(["- [ ] Move backups to a second region (milestone: 2024-Q4)", "- [ ] Test restores monthly"])
    assert sync(github, capsys)[0] == 0
    first, second = github.real_issues()
    assert first["title"] == "Move backups to a second region"
    assert first["milestone"]["title"] == "2024-Q4" and second["milestone"]["title"] == "2024-Q3"


def test_missing_pygithub_is_a_clear_error(workspace: Path, github: FakeGitHub) -> None:
    write(ITEMS)
    script = ("import sys\nsys.modules['github'] = None\nfrom postmortem_check.cli import main\n"
              "raise SystemExit(main(sys.argv[1:]))\n")
    done = subprocess.run([sys.executable, "-c", script, "issues", "--api-url", github.url, PM],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "needs PyGithub" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("argv", "env", "message"), [
    ([], {"GITHUB_REPOSITORY": ""}, "no repository"),
    (["--repo", "not a repo"], {}, "OWNER/NAME"),
    (["--api-url", "ftp://example"], {}, "http(s) URL"),
    ([], {"GITHUB_TOKEN": ""}, "no token"),
])
def test_usage_errors_exit_2(workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch, argv: list[str], env: dict[str, str],
                             message: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    write(ITEMS)
    argv = argv if "--api-url" in argv else ["--api-url", github.url, *argv]
    assert main(["issues", *argv, PM]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert github.log == []


def test_bad_label_in_config_exits_2(workspace: Path, github: FakeGitHub,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    Path(".postmortem-check.yaml").write_text("issues:\n  tool_label: 'a,b'\n")
    write(ITEMS)
    assert main(["issues", "--api-url", github.url, PM]) == 2
    assert "comma" in capsys.readouterr().err


# --- scale ----------------------------------------------------------------------------------------

FIFTY = [f"- [ ] Corrective action {n}: harden component {n} against disk exhaustion" for n in range(1, 51)]


def test_fifty_items_request_counts(workspace: Path, github: FakeGitHub,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    write(FIFTY)
    code, records, first_err = sync(github, capsys)
    assert code == 0 and actions(records) == ["created"] * 50
    first = counts(github)
    github.log.clear()
    code, records, rerun_err = sync(github, capsys)
    assert code == 0 and actions(records) == ["exists"] * 50
    rerun = counts(github)
    assert "requests: 1 GET, 50 POST" in first_err and "requests: 1 GET" in rerun_err
    print(f"\n50 items: first run {first}, re-run {rerun}")
    assert first == {"GET list": 1, "POST create": 50}
    assert rerun == {"GET list": 1}


def test_listing_follows_link_pagination(workspace: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeGitHub(page_cap=10).start()
    try:
        monkeypatch.setenv("GITHUB_TOKEN", server.token)
        for n in range(7):
            server.add_issue(f"Not ours {n}", "", ("other",))
            server.add_issue(f"A pull request {n}", "", ("postmortem",), pull_request=True)
        write(FIFTY)
        assert sync(server, capsys)[0] == 0
        server.log.clear()
        code, records, _ = sync(server, capsys)
        assert code == 0 and actions(records) == ["exists"] * 50
        assert counts(server) == {"GET list": 6}  # 57 labelled issues and pull requests, 10 a page
    finally:
        server.stop()


def test_lint_never_imports_pygithub(tmp_path: Path) -> None:
    document = tmp_path / "pm.md"
    document.write_text(postmortem(ITEMS))
    script = ("import sys\nfrom postmortem_check.cli import main\nmain(['lint', sys.argv[1]])\n"
              "assert 'github' not in sys.modules, 'lint imported PyGithub'\n")
    done = subprocess.run([sys.executable, "-c", script, str(document)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_gh_token_and_another_working_directory_find_the_same_issues(
        workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    write(ITEMS)
    assert sync(github, capsys)[0] == 0
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.setenv("GH_TOKEN", github.token)
    monkeypatch.chdir(workspace / "postmortems")
    code, records, _ = sync(github, capsys, paths=("../postmortems/./2024-05-02-db.md",))
    assert code == 0 and actions(records) == ["exists", "exists", "skipped", "linked", "exists"]


def test_twin_issues_are_reported_and_the_oldest_is_used(workspace: Path, github: FakeGitHub,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS[:1])
    sync(github, capsys)
    github.add_issue("twin", github.real_issues()[0]["body"], ("postmortem",))
    code, records, err = sync(github, capsys)
    assert code == 0 and records[0]["issue"]["number"] == 1
    assert "issues #1 and #2 are both for item" in err


def test_writes_are_spaced(workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    Path(".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0.3\n")
    write(ITEMS)
    assert sync(github, capsys)[0] == 0
    creates = github.requests("POST", "create")
    assert len(creates) == 3
    assert all(later.at - earlier.at >= 0.25 for earlier, later in itertools.pairwise(creates))


# --- hostile items and GitHub's limits --------------------------------------------------------------

def test_hostile_items_finish_and_fit_githubs_limits(workspace: Path, github: FakeGitHub,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    write(["- [ ] Fix " + "@a-P1 " * 30 + "x",  # used to backtrack exponentially
           "- [ ] Rewrite " + "the failover runbook step by step " * 2_000])
    code, records, err = sync(github, capsys)
    assert code == 0, err
    assert actions(records) == ["created", "created"]
    long = github.real_issues()[1]
    assert len(long["body"]) <= 65_536 and "it is cut here" in long["body"] and len(long["title"]) <= 100
    assert parse_marker(long["body"]) is not None
    assert actions(sync(github, capsys)[1]) == ["exists", "exists"]


def test_label_in_prose_is_not_a_label(workspace: Path, github: FakeGitHub,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    write(["- [ ] Change the alert label: it currently says DB and should say Primary DB",
           "- [ ] Tune the paging policy labels: " + "x" * 51,
           "- [ ] Add a disk forecast labels: monitoring, capacity planning"])
    code, _, err = sync(github, capsys)
    assert code == 0, err
    first, second, third = github.real_issues()
    assert [x["name"] for x in first["labels"]] == ["postmortem"]
    assert [x["name"] for x in second["labels"]] == ["postmortem"]
    assert [x["name"] for x in third["labels"]] == ["postmortem", "monitoring", "capacity planning"]
    assert first["title"] == "Change the alert label: it currently says DB and should say Primary DB"
    assert set(github.labels) == {"postmortem", "monitoring", "capacity planning"}


def test_githubs_validation_message_is_reported(github: FakeGitHub) -> None:
    from postmortem_check.issues.client import GitHubClient
    from postmortem_check.issues.errors import GitHubError

    client = GitHubClient(github.url, "acme/ops", github.token, write_spacing=0)
    try:
        with pytest.raises(GitHubError) as raised:
            client.create_issue({"title": "t" * 300, "body": "b" * 70_000, "labels": ["l" * 60]})
    finally:
        client.close()
    message = raised.value.message
    for said in ("body is too long (maximum is 65536 characters)", "title is too long (maximum is 256",
                 "name is too long (maximum is 50"):
        assert said in message
    assert github.real_issues() == []


def test_tool_label_in_another_case_is_the_same_label(workspace: Path, github: FakeGitHub,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    github.labels["postmortem"] = "Postmortem"
    write(ITEMS)
    code, records, err = sync(github, capsys)
    assert code == 0, err
    assert actions(records) == ["created", "created", "skipped", "linked", "created"]
    assert {x["name"] for i in github.real_issues() for x in i["labels"]} >= {"Postmortem"}
    assert actions(sync(github, capsys)[1]) == ["exists", "exists", "skipped", "linked", "exists"]


def test_issue_bodies_mention_nobody_and_link_nothing(workspace: Path, github: FakeGitHub,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from tests.test_issue_content import _outside_code

    write(["- [ ] Tell @carol, @everyone and @acme/security-team; see acme/other#1 "
           "<img src=https://t.example/p.png> ![x](https://t.example/q.png) @alice"])
    Path("postmortems/we`ird <b>@eve.md").write_text(postmortem(["- [ ] Rotate keys @bob"]))
    code, _, err = sync(github, capsys, paths=(PM, "postmortems/we`ird <b>@eve.md"))
    assert code == 0, err
    for issue in github.real_issues():
        live = _outside_code(issue["body"])
        for trace in ("@", "#1", "<img", "t.example", "<b>"):
            assert trace not in live, (trace, live)
    first = github.real_issues()[0]
    assert "acme" not in [a["login"] for a in first["assignees"]]
    assert "@acme" not in err  # never even tried as an assignee


def test_pagination_that_links_to_itself_stops(workspace: Path, github: FakeGitHub,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    github.loop_pages = True
    write(ITEMS)
    code, _, err = sync(github, capsys)
    assert code == 1
    assert "links back to a page already read" in err
    assert counts(github) == {"GET list": 2} and github.writes() == []


def test_pagination_stops_after_a_page_cap(workspace: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from postmortem_check.issues import client

    monkeypatch.setattr(client, "MAX_PAGES", 3)
    server = FakeGitHub(page_cap=1).start()
    try:
        monkeypatch.setenv("GITHUB_TOKEN", server.token)
        for n in range(5):
            server.add_issue(f"Ours {n}", "", ("postmortem",))
        write(ITEMS)
        code, _, err = sync(server, capsys)
        assert code == 1 and "more than 3 pages" in err
        assert counts(server) == {"GET list": 3} and server.writes() == []
    finally:
        server.stop()


def test_truncated_json_after_a_create_is_ambiguous(workspace: Path, github: FakeGitHub,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    github.fault("POST", "create", "truncated-after", after=1)
    github.fault("GET", "list", "truncated-after")  # the first listing is read again
    code, records, err = sync(github, capsys)
    assert code == 0, err
    assert actions(records) == ["created", "created", "skipped", "linked", "created"]
    assert "confirmed by listing" in records[1]["reason"] and "could not be read" in err
    assert len(github.real_issues()) == 3
    assert counts(github) == {"GET list": 3, "POST create": 3}


def test_truncated_json_every_time_is_a_per_item_failure(workspace: Path, github: FakeGitHub,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS[:2])
    github.fault("POST", "create", "truncated", times=2)  # the first item's two creates: nothing made
    code, records, err = sync(github, capsys)
    assert code == 1 and actions(records) == ["failed", "created"], err
    assert "could not be read" in records[0]["reason"] and "listed twice" in records[0]["reason"]
    assert "Traceback" not in err and "internal error" not in err
    assert counts(github) == {"GET list": 3, "POST create": 3}
    code, records, _ = sync(github, capsys)  # the next run completes
    assert code == 0 and actions(records) == ["created", "exists"] and len(github.real_issues()) == 2


def test_per_run_cap_stops_the_run_and_says_how_to_raise_it(workspace: Path, github: FakeGitHub,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    Path(".postmortem-check.yaml").write_text("issues:\n  write_spacing: 0\n  max_create: 2\n")
    write(ITEMS)
    code, records, err = sync(github, capsys)
    assert code == 1
    assert actions(records) == ["created", "created", "skipped", "linked", "failed"]
    assert "raise issues.max_create in .postmortem-check.yaml" in err
    assert len(github.real_issues()) == 2
    code, records, _ = sync(github, capsys)
    assert code == 0 and actions(records) == ["exists", "exists", "skipped", "linked", "created"]


def test_default_cap_is_fifty(workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    write([*FIFTY, "- [ ] One more corrective action for the storage team"])
    code, records, err = sync(github, capsys)
    assert code == 1 and actions(records).count("created") == 50 and actions(records)[-1] == "failed"
    assert "issues.max_create: 50" in err and len(github.real_issues()) == 50


# --- the sync a team can trust: offline plans, the remote, orphans, rewording, reopening, write-back --

def test_dry_run_without_token_plans_from_the_files(workspace: Path, github: FakeGitHub,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_TOKEN")
    monkeypatch.delenv("GITHUB_REPOSITORY")
    write(ITEMS)
    code = main(["issues", "--dry-run", "--format", "json", "--api-url", "http://127.0.0.1:9", PM])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    records = json.loads(captured.out)
    assert actions(records) == ["created", "created", "skipped", "linked", "created"]
    assert all(r["dry_run"] for r in records if r["action"] == "created")
    assert "existing issues were not checked" in captured.err
    assert "not checked" in records[0]["reason"]
    assert github.log == []
    monkeypatch.setenv("GITHUB_TOKEN", github.token)  # with a token it lists, as before
    code, records, err = sync(github, capsys, "--dry-run", "--repo", "acme/ops")
    assert code == 0 and counts(github) == {"GET list": 1} and "not checked" not in err


@pytest.mark.parametrize("url", ["https://github.com/acme/ops.git", "git@github.com:acme/ops.git",
                                 "ssh://git@github.com/acme/ops", "https://token@github.com/acme/ops/"])
def test_repo_defaults_to_the_origin_remote(workspace: Path, github: FakeGitHub,
                                            capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                            url: str) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY")
    (workspace / ".git" / "config").write_text(
        f'[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/other/repo\n'
        f'[remote "origin"]\n\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n')
    write(ITEMS)
    code, _, err = sync(github, capsys)
    assert code == 0, err
    assert len(github.real_issues()) == 3  # the fake answers only for acme/ops


def test_no_remote_on_github_is_a_usage_error(workspace: Path, github: FakeGitHub,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_REPOSITORY")
    (workspace / ".git" / "config").write_text('[remote "origin"]\n\turl = https://gitlab.com/acme/ops\n')
    write(ITEMS)
    assert main(["issues", "--api-url", github.url, PM]) == 2
    assert "origin remote" in capsys.readouterr().err and github.log == []


def test_orphans_are_reported_and_closed_on_request(workspace: Path, github: FakeGitHub,
                                                    capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_SHA", "0123abcd")
    other = "postmortems/2024-06-01-dns.md"
    write(ITEMS)
    write(["- [ ] Lower the DNS TTL before migrations"], other)
    assert sync(github, capsys, paths=("postmortems",))[0] == 0
    write([ITEMS[0], *ITEMS[2:]])  # the forecast item is gone...
    Path(other).unlink()  # ...and so is a whole postmortem
    code, records, err = sync(github, capsys, paths=("postmortems",))
    assert code == 0, err
    orphaned = [r for r in records if r["action"] == "orphaned"]
    assert sorted(r["issue"]["number"] for r in orphaned) == [2, 4]
    assert all("--close-orphans" in r["reason"] for r in orphaned)
    assert all(i["state"] == "open" for i in github.real_issues())
    # a single file named on its own does not make the other postmortem's issues orphans
    code, records, _ = sync(github, capsys)
    assert [r["issue"]["number"] for r in records if r["action"] == "orphaned"] == [2]
    github.log.clear()
    code, records, err = sync(github, capsys, "--close-orphans", paths=("postmortems",))
    assert code == 0, err
    assert sorted(r["issue"]["number"] for r in records if r["action"] == "closed") == [2, 4]
    closed = github.real_issues()[1]
    assert closed["state"] == "closed" and closed["state_reason"] == "not_planned"
    assert "no longer in the postmortem" in github.comments[2][0]
    assert f"https://github.com/acme/ops/blob/0123abcd/{PM}" in github.comments[2][0]
    assert counts(github) == {"GET list": 1, "PATCH update": 2, "POST comment": 2}
    assert [r["action"] for r in sync(github, capsys, paths=("postmortems",))[1]
            if r["action"] in ("orphaned", "closed")] == []


def test_deleting_one_item_and_rewording_another_keeps_each_issue(workspace: Path, github: FakeGitHub,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    items = ["- [ ] Alert when WAL archiving fails",
             "- [ ] Add a disk usage forecast to the dashboard",
             "- [ ] Review backup retention with the storage team"]
    write(items)
    sync(github, capsys)
    write([items[1].replace("disk usage forecast", "disk usage forecast and alert"), items[2]])
    code, records, err = sync(github, capsys, "--close-orphans")
    assert code == 0, err
    assert [(r["action"], r["issue"]["number"]) for r in records] == [("updated", 2), ("updated", 3),
                                                                     ("closed", 1)]
    assert records[2]["reason"].startswith("its item is no longer")
    assert len(github.real_issues()) == 3
    assert github.real_issues()[1]["title"] == "Add a disk usage forecast and alert to the dashboard"
    assert github.real_issues()[0]["state"] == "closed"
    assert actions(sync(github, capsys)[1]) == ["exists", "exists"]


def test_unchecked_item_reopens_its_issue(workspace: Path, github: FakeGitHub,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    write([ITEMS[0].replace("[ ]", "[x]"), *ITEMS[1:]])
    assert sync(github, capsys)[1][0]["action"] == "closed"
    write(ITEMS)
    github.log.clear()
    code, records, _ = sync(github, capsys)
    assert code == 0 and records[0]["action"] == "reopened" and records[0]["issue"]["number"] == 1
    assert github.real_issues()[0]["state"] == "open"
    assert counts(github) == {"GET list": 1, "PATCH update": 1}
    assert actions(sync(github, capsys)[1]) == ["exists", "exists", "skipped", "linked", "exists"]
    github.real_issues()[2]["state"] = "closed"  # closed by a person on GitHub: left closed
    assert sync(github, capsys)[1][4]["reason"] == "issue is closed on GitHub; not reopened"


def test_write_back_adds_the_reference_and_a_second_run_changes_nothing(
        workspace: Path, github: FakeGitHub, capsys: pytest.CaptureFixture[str]) -> None:
    items = ["- [ ] Alert when WAL archiving fails @alice  ",  # trailing spaces are kept
             "- [x] Restart WAL archiving",
             "- [ ] Add a disk usage forecast to the dashboard that",
             "  wraps over two lines",
             "- [ ] Document the WAL cleanup runbook (#12)"]
    original = "\ufeff" + postmortem(items).replace("\n", "\r\n")
    Path(PM).write_bytes(original.encode("utf-8"))
    code, records, err = sync(github, capsys, "--write-back")
    assert code == 0, err
    assert [r.get("written_back") for r in records] == ["#1", None, "#2", None]
    data = Path(PM).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\r\n") == original.count("\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    expected = original.replace("@alice  ", "@alice (#1)  ").replace("two lines", "two lines (#2)")
    assert data.decode("utf-8") == expected
    github.log.clear()
    code, records, _ = sync(github, capsys, "--write-back")
    assert code == 0 and actions(records) == ["exists", "skipped", "exists", "linked"]
    assert Path(PM).read_bytes() == data and github.writes() == []
    assert counts(github) == {"GET list": 1}
    write_again = Path(PM).read_text("utf-8-sig").replace("- [ ] Alert", "- [x] Alert")
    Path(PM).write_text(write_again)
    assert sync(github, capsys)[1][0]["action"] == "closed"  # matched by its link, kept in step


def test_write_back_stays_inside_the_tree_and_off_links(workspace: Path, github: FakeGitHub,
                                                        capsys: pytest.CaptureFixture[str],
                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "pm.md"
    outside.write_text(postmortem(ITEMS[:1]))
    link = Path("postmortems/linked.md")
    link.symlink_to(outside)
    before = outside.read_bytes()
    code, records, err = sync(github, capsys, "--write-back", paths=(str(link),))
    assert records == [] and github.writes() == [], "a link out of the tree is never read (symlink-outside)"
    assert outside.read_bytes() == before
    assert code == 0, err


def test_write_back_dry_run_writes_nothing(workspace: Path, github: FakeGitHub,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    write(ITEMS)
    sync(github, capsys)
    before = Path(PM).read_bytes()
    code, records, _ = sync(github, capsys, "--write-back", "--dry-run")
    assert code == 0 and records[0].get("written_back") == "#1"
    assert Path(PM).read_bytes() == before
