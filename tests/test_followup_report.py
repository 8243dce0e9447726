"""The follow-through report over a repository of our own with known postmortems: every figure checked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from postmortem_check.action_items import item_id
from postmortem_check.cli import main
from postmortem_check.followup.facts import incident_date
from postmortem_check.followup.times import moments, parse_duration
from postmortem_check.issues.content import Marker, render_marker
from tests.conftest import ROOT
from tests.fake_github import FakeGitHub

TODAY = "2024-06-30"
DB = """---
date: 2024-01-10
severity: SEV1
---
# Database failover

## Summary
Writes failed after a deploy.

## Timeline
All times UTC.

- 10:00 Deploy of version 42 starts
- 10:12 Error-rate alert pages the on-call engineer
- 10:30 Rolled back to version 41
- 11:15 Service fully recovered

## Root Cause
A migration locked the table.

## Resolution
Rolled back.

## Corrective and Preventative Measures
- [ ] Alert on replication lag @alice due 2024-02-01
- [x] Roll back version 42 @bob
- [ ] Write the failover runbook @alice due 2024-12-01
"""
DNS = """# DNS outage (SEV-2)

## Summary
Lookups failed overnight.

## Timeline
- 2024-03-05 23:50 UTC Resolver upgrade starts
- 2024-03-06 00:05 UTC Alert fires for failed lookups
- 2024-03-06 01:20 UTC Service restored

## Root Cause
A bad resolver build.

## Resolution
Reverted the build.

## Corrective and Preventative Measures
| Action | Owner | Due | Status |
| --- | --- | --- | --- |
| Add a DNS canary | carol | 2024-04-01 | done |
| Pin the resolver version | | | open |
"""
QUEUE = """---
date: 2024-06-20
duration: 2h 30m
---
# Queue backlog

## Summary
Jobs waited.

## Timeline
- The backlog grew in the morning.
- It drained after lunch.

## Root Cause
Slow consumer.

## Resolution
Scaled consumers.

## Corrective and Preventative Measures
- [ ] Add a queue depth alert @dave
"""
CACHE = """# Cache incident

## Summary
The cache was flushed.

## Timeline
- 10:00 Cache flush
- 09:00 Alert fires

## Root Cause
A script.

## Resolution
Warmed the cache.

## Corrective and Preventative Measures
- [ ] Guard the flush script @erin
"""
FILES = {"incidents/2024-01-10-db.md": DB, "incidents/2024-03-05-dns.md": DNS,
         "incidents/2024-06-20-queue.md": QUEUE, "incidents/notes.md": CACHE}
SCHEMA = json.loads((ROOT / "schemas" / "report.json").read_text())


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    for name in ("GITHUB_TOKEN", "GH_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "GITHUB_SHA",
                 "GITHUB_SERVER_URL", "GITHUB_WORKSPACE"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def report(capsys: pytest.CaptureFixture[str], *args: str, fmt: str = "json") -> Any:
    code = main(["report", "incidents", "--today", TODAY, "--format", fmt, *args])
    out = capsys.readouterr().out
    assert code == 0
    if fmt != "json":
        return out
    data = json.loads(out)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    return data


def by_path(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {Path(p["path"]).name: p for p in data["postmortems"]}


def test_per_postmortem_facts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    found = by_path(report(capsys))
    db, dns, queue, cache = (found[n] for n in ("2024-01-10-db.md", "2024-03-05-dns.md", "2024-06-20-queue.md",
                                               "notes.md"))
    assert (db["date"], db["date_source"], db["severity"], db["title"]) == (
        "2024-01-10", "front_matter", "SEV1", "Database failover")
    assert (db["duration_minutes"], db["time_to_detect_minutes"], db["time_to_mitigate_minutes"],
            db["time_to_resolve_minutes"], db["times_from"]) == (75, 12, 30, 75, "timeline")
    assert db["action_items"] == {"total": 3, "open": 2, "done": 1, "overdue": 1}
    assert db["owners"] == ["alice", "bob"]
    # dated entries across midnight; severity from the title; date from the file name
    assert (dns["date"], dns["date_source"], dns["severity"]) == ("2024-03-05", "file_name", "SEV-2")
    assert (dns["duration_minutes"], dns["time_to_detect_minutes"], dns["time_to_mitigate_minutes"]) == (90, 15, None)
    assert dns["action_items"] == {"total": 2, "open": 1, "done": 1, "overdue": 0}
    assert dns["owners"] == ["carol"]
    # the front matter's duration; a timeline without times says nothing about detection
    assert (queue["duration_minutes"], queue["time_to_detect_minutes"], queue["times_from"]) == (
        150, None, "front_matter")
    # an undated timeline going backwards: unknown, not a guess
    assert (cache["date"], cache["duration_minutes"], cache["time_to_detect_minutes"], cache["times_from"]) == (
        None, None, None, "unknown")


def test_figures_across_postmortems(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fig = report(capsys)["figures"]
    assert (fig["postmortems"], fig["undated"]) == (4, 1)
    assert [(m["month"], m["count"]) for m in fig["incidents_per_month"]] == [
        ("2024-01", 1), ("2024-02", 0), ("2024-03", 1), ("2024-04", 0), ("2024-05", 0), ("2024-06", 1)]
    assert [(r["date"], r["minutes"]) for r in fig["duration_over_time"]] == [
        ("2024-01-10", 75), ("2024-03-05", 90), ("2024-06-20", 150)]
    assert [(r["date"], r["minutes"]) for r in fig["detect_over_time"]] == [("2024-01-10", 12), ("2024-03-05", 15)]
    assert fig["action_items"] == {"total": 7, "open": 5, "done": 2, "overdue": 1}
    assert {a["age"]: a["count"] for a in fig["open_by_age"]} == {
        "0-30 days": 1, "31-90 days": 0, "91-180 days": 3, "181-365 days": 0, "over a year": 0, "unknown": 1}
    assert fig["open_by_owner"] == [{"owner": "alice", "count": 2}, {"owner": "(no owner)", "count": 1},
                                    {"owner": "dave", "count": 1}, {"owner": "erin", "count": 1}]
    # items of incidents at least 30 days old: db (3) and dns (2); two are done on a date no checkbox tells
    assert fig["done_within_30_days"] == {"eligible": 5, "done": 0, "done_date_unknown": 2, "share": 0.0}
    oldest = [(Path(o["path"]).name, o["line"], o["age_days"], o["overdue"]) for o in fig["oldest_open"]]
    assert oldest == [("2024-01-10-db.md", 25, 172, True), ("2024-01-10-db.md", 27, 172, False),
                      ("2024-03-05-dns.md", 21, 117, False), ("2024-06-20-queue.md", 21, 10, False)]


def test_markdown_has_tables_mermaid_and_line_links(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = report(capsys, fmt="markdown")
    assert text.count("```mermaid") == 4  # per month, duration, time to detect, owners
    assert "xychart-beta" in text and "pie title Open items by owner" in text
    assert "| 172 | Alert on replication lag | alice | 2024-02-01 (overdue) | " \
           "[incidents/2024-01-10-db.md:25](incidents/2024-01-10-db.md#L25) |" in text
    assert "| 2024-01-10 | [Database failover](incidents/2024-01-10-db.md#L1) | SEV1 | 1h 15m | 12m | 30m |" in text


def test_html_is_self_contained_with_non_empty_charts(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = report(capsys, fmt="html")
    assert page.count("<svg") == 5 and page.count('class="bar"') == 6 + 6 + 4
    assert page.count('class="point"') == 3 + 2
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page


def test_text_from_documents_is_escaped(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "incidents" / "2024-02-01-x.md").write_text(
        '# Outage <script>alert(1)</script> "quoted" | pipe\n\n## Corrective and Preventative Measures\n'
        '- [ ] Fix <img src=x onerror=alert(1)> @"owner";\n')
    page = report(capsys, fmt="html")
    assert "<script>" not in page and "<img src" not in page and "&lt;img src=x" in page
    text = report(capsys, fmt="markdown")
    assert "<script>" not in text and "<img" not in text and "&lt;img src=x" in text
    assert "Outage alert(1) \"quoted\" \\| pipe" in text  # the pipe cannot end the table cell
    mermaid = [line for line in text.split("\n") if line.startswith('    "')]
    assert all(line.count('"') == 2 for line in mermaid)


def test_output_file_and_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "incidents", "--today", TODAY, "--format", "html", "-o", "out.html"]) == 0
    assert (repo / "out.html").read_text().startswith("<!DOCTYPE html>")
    assert main(["report", "missing-dir"]) == 2
    assert "missing-dir: no such file or directory" in capsys.readouterr().err
    assert main(["report", "incidents", "--today", "2024-13-01"]) == 2
    assert main(["report", "incidents", "--issues"]) == 2
    assert "needs a token" in capsys.readouterr().err


def test_issue_states_count_instead_of_the_checkbox(repo: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    github = FakeGitHub().start()
    try:
        file = "incidents/2024-01-10-db.md"
        for index, (text, state, closed) in enumerate([
                ("Alert on replication lag", "closed", "2024-01-25T10:00:00Z"),  # closed, box unchecked
                ("Roll back version 42", "closed", "2024-03-01T10:00:00Z"),  # done after 51 days
                ("Write the failover runbook", "open", None)]):
            body = render_marker(Marker(file, item_id(text), index))
            issue = github.add_issue(text, body, ("postmortem",), state)
            issue["closed_at"] = closed
        monkeypatch.setenv("GITHUB_TOKEN", github.token)
        monkeypatch.setenv("GITHUB_REPOSITORY", "acme/ops")
        data = report(capsys, "--issues", "--api-url", github.url)
    finally:
        github.stop()
    db = by_path(data)["2024-01-10-db.md"]
    assert db["action_items"] == {"total": 3, "open": 1, "done": 2, "overdue": 0}
    assert [i["issue_state"] for i in db["items"]] == ["closed", "closed", "open"]
    assert [(c["line"], c["text"]) for c in data["closed_unchecked"]] == [(25, "Alert on replication lag")]
    assert data["figures"]["done_within_30_days"] == {"eligible": 5, "done": 1, "done_date_unknown": 1,
                                                      "share": 0.25}
    assert len(github.requests("GET", "list")) == 1


@pytest.mark.parametrize(("front", "title", "path", "entries", "expected"), [
    ({"date": "2024-05-01"}, "2023-01-01 x", "2022-01-01.md", [], ("2024-05-01", "front_matter")),
    ({}, "Outage on March 3, 2023", "2022-01-01.md", [], ("2023-03-03", "title")),
    ({}, "Outage", "pm/2022-01-02-x.md", [], ("2022-01-02", "file_name")),
    ({}, "Outage", "pm/x.md", [{"date": "--03-04"}, {"date": "2021-03-05"}], ("2021-03-05", "timeline")),
    ({}, "Outage", "pm/x.md", [{"date": "--03-04"}], (None, "unknown")),
])
def test_incident_date_sources(front: dict[str, Any], title: str, path: str, entries: list[dict[str, Any]],
                               expected: tuple[str | None, str]) -> None:
    assert incident_date(front, title, path, entries) == expected


def test_times_rules() -> None:
    assert [parse_duration(x) for x in ("90m", "2h 30m", "1:30", "45 minutes", "1 day", "soon", True, 99999)] == [
        90, 150, 90, 45, 1440, None, None, None]
    mixed = [{"time": "10:00", "date": None, "zone": "UTC", "text": "start"},
             {"time": "10:05", "date": None, "zone": "PST", "text": "alert fired"}]
    assert moments(None, mixed, None).detect is None  # two zones: no clock
    long = [{"time": "10:00", "date": "2024-01-01", "zone": None, "text": "start"},
            {"time": "10:00", "date": "2024-03-01", "zone": None, "text": "resolved"}]
    assert moments(None, long, None).duration is None  # above 30 days: unknown
    stamps = {"start": "2024-01-01 10:00", "detected": "2024-01-01 10:20", "resolved": "2024-01-01 12:00"}
    got = moments(stamps, [], None)
    assert (got.duration, got.detect, got.mitigate, got.source) == (120, 20, None, "front_matter")


def test_markdown_report_for_the_action_summary(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from datetime import date

    from postmortem_check.followup.command import markdown_report

    assert markdown_report(["incidents"], today=date(2024, 6, 30)) == report(capsys, fmt="markdown")
    assert "0 postmortems" in markdown_report(["no-such-dir"], today=date(2024, 6, 30))


def _folders() -> list[Path]:
    from tests.conftest import SEEDS, SHARED

    real = SHARED / "realrepos"
    repos = sorted(d for d in real.iterdir() if d.is_dir() and d.name != "labels") if real.is_dir() else []
    return [ROOT / "examples", SEEDS, *repos]


@pytest.mark.parametrize("folder", _folders(), ids=lambda p: p.name)
def test_report_over_real_folders_in_every_format(folder: Path, tmp_path: Path) -> None:
    from tests.conftest import need_shared

    need_shared(folder)
    paths = [str(p) for p in sorted(folder.iterdir())] if folder.name == "seeds" else [str(folder)]
    for fmt in ("markdown", "html", "json"):
        out = tmp_path / f"report.{fmt}"
        assert main(["report", *paths, "--today", TODAY, "--format", fmt, "-o", str(out)]) == 0
    data = json.loads((tmp_path / "report.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["figures"]["postmortems"] == len(data["postmortems"]) > 0


def test_words_that_look_like_zones_or_pages_are_not_taken_for_them() -> None:
    entries = [{"time": "10:00", "date": None, "zone": "ROOT", "text": "ROOT CAUSE deploy"},
               {"time": "10:01", "date": None, "zone": None, "text": "Repo pages setting changed"},
               {"time": "10:05", "date": None, "zone": "UTC", "text": "Health check fails and pages the on-call"},
               {"time": "10:30", "date": None, "zone": "UTC", "text": "Service restored"}]
    got = moments(None, entries, "2024-01-01")
    assert (got.detect, got.duration) == (5, 30)


def test_unreadable_files_are_left_out_with_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "incidents" / "2024-02-02-binary.md").write_bytes(b"\xff\xfe\x00bad\x00" * 100)
    (repo / "incidents" / "2024-02-03-empty.md").write_bytes(b"")
    data = report(capsys)
    assert data["figures"]["postmortems"] == 5  # the empty file counts, with nothing known
    assert main(["report", "incidents", "--today", TODAY]) == 0
    assert "2024-02-02-binary.md: not UTF-8 text; left out of the report" in capsys.readouterr().err


def test_a_line_chart_shows_the_latest_incidents_that_fit() -> None:
    from postmortem_check.followup.render import CHART_POINTS, _md_over_time

    rows = [{"date": f"2024-{1 + i // 28:02d}-{1 + i % 28:02d}", "minutes": i} for i in range(CHART_POINTS + 6)]
    figures = {"incidents_per_month": [], "duration_over_time": rows, "detect_over_time": rows[:3]}
    text = "\n".join(_md_over_time(figures))
    duration, detect = [block for block in text.split("```mermaid")[1:]]
    assert f'title "Duration in minutes: last {CHART_POINTS} incidents"' in duration
    assert '"2024-01-07"' in duration and '"2024-01-06"' not in duration  # the six oldest are left out
    assert f"line [{', '.join(str(i) for i in range(6, CHART_POINTS + 6))}]" in duration
    assert 'title "Time to detect in minutes"' in detect and "line [0, 1, 2]" in detect
