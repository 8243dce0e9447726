"""The pull-request preview is the real sync's plan and payloads: the issues it shows are the issues a
merge opens, title for title and label for label."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from postmortem_check.app import run_lint
from postmortem_check.config import Config
from postmortem_check.console import Console
from postmortem_check.issues import service
from tests.conftest import ROOT, SEEDS, SHARED, need_shared
from tests.fake_github import FakeGitHub

OWN = """# Retry storm

## Summary

The payment client retried without a cap.

## Corrective actions

- [ ] Cap the retries at three milestone: 2024-Q3 @alice
- [ ] Add a retry budget to the dashboard labels: monitoring P2 due 2024-07-01
- [x] Roll back the client
- [ ] Write the runbook (#7)
"""
CONFIG = Config(rules={"missing-section": "off"}, issues={"labels": ["incident"], "write_spacing": 0, "max_wait": 5,
                                                          "max_create": 10_000,
                        "assignees": {"alice": "alice-gh"}})


@pytest.fixture()
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    monkeypatch.delenv("GITHUB_SHA", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", server.repo)
    yield server
    server.stop()


def _compare(paths: list[str], github: FakeGitHub) -> int:
    """Preview the files, sync them for real against the fake server, and compare; the number of issues."""
    linted = run_lint(paths, CONFIG, [], keep=True, jobs=1)
    settings = service.settings_for(CONFIG, github.repo, ["follow-up"])
    shown = service.preview(linted.results, settings)
    request = service.SyncRequest(repo=github.repo, api_url=github.url, token=github.token, labels=("follow-up",))
    result = service.sync(linted.results, CONFIG, request, Console(err=io.StringIO()))
    assert result.fatal is None
    opened = [(issue["title"], [label["name"] for label in issue["labels"]]) for issue in github.real_issues()]
    assert [(item["title"], item["labels"]) for item in shown.would_open] == opened
    created = [o for o in result.outcomes if o.action == "created"]
    assert [(o.file, o.line) for o in created] == [(i["path"], i["line"]) for i in shown.would_open]
    return len(opened)


def test_own_document_preview_is_what_the_sync_opens(tmp_path: Path, github: FakeGitHub, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("pm.md").write_text(OWN)
    linted = run_lint(["pm.md"], CONFIG, [], keep=True)
    shown = service.preview(linted.results, service.settings_for(CONFIG, github.repo, ["follow-up"]))
    first = shown.would_open[0]
    assert first["title"] == "Cap the retries at three"  # the milestone is not part of the title
    assert first["labels"][:3] == ["postmortem", "incident", "follow-up"]  # tool and config labels too
    assert first["assignees"] == ["alice-gh"]
    assert _compare(["pm.md"], github) == 2


def test_examples_preview_is_what_the_sync_opens(github: FakeGitHub) -> None:
    paths = sorted(str(p) for p in (ROOT / "examples").glob("*.md"))
    assert _compare(paths, github) > 0


def test_seeds_preview_is_what_the_sync_opens(github: FakeGitHub) -> None:
    paths = sorted(str(p) for p in need_shared(SEEDS).glob("*.txt"))
    _compare(paths, github)


@pytest.mark.parametrize("folder", ["Chia-Network__post-mortem", "PostHog__post-mortems", "dfds__postmortems",
                                    "jupyterhub__mybinder.org-deploy", "kubernetes__test-infra",
                                    "openfoodfacts__openfoodfacts-infrastructure"])
def test_real_repositories_preview_is_what_the_sync_opens(github: FakeGitHub, folder: str) -> None:
    root = need_shared(SHARED / "realrepos" / folder)
    _compare([str(root)], github)
