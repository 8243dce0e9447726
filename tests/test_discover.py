"""What is linted: one matcher for `lint DIR`, the action's push and pull-request paths, and the hook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from postmortem_check.cli import main
from postmortem_check.config import Config, load_config
from postmortem_check.discover import (
    NOT_POSTMORTEM,
    expand_entries,
    expand_paths,
    glob_regex,
    select_changed,
)
from tests.conftest import ROOT

NOT_POSTMORTEMS = ["README.md", "readme.markdown", "index.md", "_index.md", "CONTRIBUTING.md", "CHANGELOG.md",
                   "template.md", "TEMPLATE.md", "_template.md", "postmortem-template.md",
                   "template-incident-report.md", "PMyyyy-nnn - Postmortem template.md", "templates/db.md"]
POSTMORTEMS = ["2024-03-01-db-outage.md", "PM2022-007 - Grafana alerts.md", "contemplated-rollback.md",
               "templated-emails-down.md", "indexer-outage.md", "readmes-lost.md"]
DOC = "# Outage\n\n## Summary\n\nIt broke.\n"


def _tree(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / "postmortems" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(DOC)


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _tree(tmp_path, NOT_POSTMORTEMS + POSTMORTEMS)
    monkeypatch.chdir(tmp_path)
    return tmp_path


EXPECTED = sorted(f"postmortems/{name}" for name in POSTMORTEMS)


def test_default_exclusion_names():
    for name in NOT_POSTMORTEMS:
        assert NOT_POSTMORTEM.search(f"docs/postmortems/{name}"), name
    for name in POSTMORTEMS:
        assert not NOT_POSTMORTEM.search(f"docs/postmortems/{name}"), name


def test_walk_push_glob_and_pull_request_select_the_same_files(repo):
    every = sorted(str(p.relative_to(repo).as_posix()) for p in repo.rglob("*.md"))
    config = Config()
    walked = sorted(expand_paths(["postmortems"], config, []))
    globbed, warnings = expand_entries(["postmortems/**/*.md"], config)
    assert walked == EXPECTED
    assert sorted(globbed) == EXPECTED and warnings == []
    assert select_changed(every, ["postmortems/**/*.md"], config) == EXPECTED
    assert select_changed(every, ["postmortems"], config) == EXPECTED


def test_globstar_matches_no_folder_too():
    assert glob_regex("postmortems/**/*.md").match("postmortems/a.md")
    assert glob_regex("postmortems/**/*.md").match("postmortems/2024/q1/a.md")
    assert not glob_regex("postmortems/*.md").match("postmortems/2024/a.md")
    assert not glob_regex("postmortems/**/*.md").match("notes/postmortems/a.md")
    assert glob_regex("p/[!a]?.md").match("p/bc.md") and not glob_regex("p/[!a]?.md").match("p/ab.md")


def test_a_named_file_is_always_linted(repo, capsys):
    assert list(expand_paths(["postmortems/README.md"], Config(), [])) == ["postmortems/README.md"]


def test_lint_dir_skips_readme_and_templates(repo, capsys):
    main(["lint", "--format", "json", "postmortems"])
    out = capsys.readouterr().out
    for name in NOT_POSTMORTEMS:
        assert f'"postmortems/{name}"' not in out, name
    for name in POSTMORTEMS:
        assert f'"postmortems/{name}"' in out, name


def test_exclude_is_relative_to_the_config_file(repo):
    (repo / "postmortems" / "drafts").mkdir()
    (repo / "postmortems" / "drafts" / "wip.md").write_text(DOC)
    (repo / ".postmortem-check.yaml").write_text(
        "exclude: ['postmortems/drafts/*', 'postmortems/indexer-outage.md']\n")
    config = load_config(repo / ".postmortem-check.yaml")
    walked = list(expand_paths(["postmortems"], config, []))
    assert "postmortems/drafts/wip.md" not in walked and "postmortems/indexer-outage.md" not in walked
    assert "postmortems/2024-03-01-db-outage.md" in walked
    # the same from another working directory, the config found upward
    names = ["postmortems/drafts/wip.md", "postmortems/indexer-outage.md", "postmortems/readmes-lost.md"]
    assert select_changed(names, ["postmortems"], config) == ["postmortems/readmes-lost.md"]


def test_exclude_patterns_still_match_below_the_walked_directory(repo):
    (repo / "postmortems" / "drafts").mkdir()
    (repo / "postmortems" / "drafts" / "wip.md").write_text(DOC)
    walked = list(expand_paths(["postmortems"], Config(exclude=("drafts/*",)), []))
    assert "postmortems/drafts/wip.md" not in walked and walked


def test_the_hook_excludes_with_the_same_pattern():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "postmortem-check")
    assert hook["exclude"] == NOT_POSTMORTEM.pattern
    files = re.compile(hook["files"])
    for name in NOT_POSTMORTEMS:
        path = f"postmortems/{name}"
        assert not (files.search(path) and not re.search(hook["exclude"], path)), name
    for name in POSTMORTEMS:
        path = f"postmortems/{name}"
        assert files.search(path) and not re.search(hook["exclude"], path), name


def test_a_folder_named_like_a_project_document_is_still_walked(tmp_path, monkeypatch):
    for folder in ("security", "index", "changes"):
        _tree(tmp_path, [f"{folder}/2024-01-02-leak.md", f"{folder}/README.md"])
    monkeypatch.chdir(tmp_path)
    walked = list(expand_paths(["postmortems"], Config(), []))
    assert walked == [f"postmortems/{f}/2024-01-02-leak.md" for f in ("changes", "index", "security")]
    assert select_changed([*walked, "postmortems/security/README.md"], ["postmortems/**/*.md"], Config()) == walked
