"""The pre-commit hook for real: ``pre-commit run`` of this repository's hook (the working tree as ``try-repo``
would commit it) inside a temporary git repository."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

CLEAN = (ROOT / "examples" / "2026-03-04-checkout-latency.md").read_text()
BROKEN = "# DB outage\n\n## Summary\n\nOn [date] the database fell over.\n\n## Timeline\n\n- 10:00 paged\n"


def _pre_commit() -> list[str]:
    exe = Path(sys.executable).with_name("pre-commit")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pre_commit"]


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def hook_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config naming this repository's hook at a commit of the working tree as it is, as ``try-repo`` makes.

    ``try-repo`` builds the hook environment again on every call (a temporary store each time); one shadow
    commit and one ``PRE_COMMIT_HOME`` for the session build it once and every test runs the real hook.
    """
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout of this repository")
    shadow = tmp_path_factory.mktemp("shadow") / "repo"
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(ROOT), str(shadow)], check=True)
    _git("checkout", "-q", _git("rev-parse", "HEAD", cwd=ROOT).strip(), cwd=shadow)
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=ROOT, check=True, capture_output=True).stdout
    if diff:
        subprocess.run(["git", "apply", "-"], cwd=shadow, input=diff, check=True)
    for name in _git("ls-files", "-z", "--others", "--exclude-standard", cwd=ROOT).split("\0"):
        if name:
            (shadow / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, shadow / name)
    _git("add", "-A", cwd=shadow)
    _git("-c", "user.name=test", "-c", "user.email=test@example.invalid", "commit", "-q", "--allow-empty",
         "--no-verify", "-m", "shadow", cwd=shadow)
    rev = _git("rev-parse", "HEAD", cwd=shadow).strip()
    config = shadow.parent / "pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": str(shadow), "rev": rev,
                                                 "hooks": [{"id": "postmortem-check"}]}]}))
    return config


@pytest.fixture(scope="module")
def work_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("work")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "postmortems").mkdir()
    (repo / "postmortems" / "2026-03-04-checkout.md").write_text(CLEAN)
    (repo / "postmortems" / "2026-04-01 db outage.md").write_text(BROKEN)
    (repo / "docs").mkdir()
    (repo / "docs" / "Incident-Report-2026.md").write_text(BROKEN)
    (repo / "notes.md").write_text(BROKEN)  # does not match the hook's files pattern
    (repo / "postmortems" / "README.md").write_text(BROKEN)  # excluded: an index page
    return repo


def _run_hook(repo: Path, config: Path, stage: str, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PRE_COMMIT"))}
    env.update(PRE_COMMIT_HOME=str(config.parent / "home"), NO_COLOR="1")
    return subprocess.run(
        [*_pre_commit(), "run", "--config", str(config), "postmortem-check", "--verbose", "--color", "never",
         "--hook-stage", stage, "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=570,
    )


@pytest.mark.parametrize("stage", ["pre-commit", "pre-push"])
def test_clean_postmortem_passes_and_other_files_are_not_passed(stage, work_repo, hook_config):
    run = _run_hook(work_repo, hook_config, stage,
                    "postmortems/2026-03-04-checkout.md", "notes.md", "postmortems/README.md")
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"postmortem-check\.+Passed", run.stdout), run.stdout
    assert "1 file checked: 0 errors" in run.stdout  # notes.md and README.md were never handed over


@pytest.mark.parametrize("stage", ["pre-commit", "pre-push"])
def test_broken_postmortem_fails_with_its_findings(stage, work_repo, hook_config):
    run = _run_hook(work_repo, hook_config, stage, "postmortems/2026-03-04-checkout.md",
                    "postmortems/2026-04-01 db outage.md", "docs/Incident-Report-2026.md", "notes.md")
    assert run.returncode == 1, run.stdout + run.stderr
    assert re.search(r"postmortem-check\.+Failed", run.stdout), run.stdout
    assert "postmortems/2026-04-01 db outage.md:5:4: error placeholder" in run.stdout
    assert "docs/Incident-Report-2026.md:5:4: error placeholder" in run.stdout
    assert "missing section 'Root Cause'" in run.stdout
    assert "notes.md" not in run.stdout
    assert "3 files checked" in run.stdout


def test_hook_definition_matches_the_command_line():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "postmortem-check" and hook["entry"] == "postmortem-check lint"
    assert hook["language"] == "python"
    assert {"pre-commit", "pre-push"} <= set(hook["stages"])
    assert hook.get("pass_filenames", True)
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])

    def matches(path: str) -> bool:
        return bool(files.search(path)) and not exclude.search(path)

    for path in ("postmortems/2024-01-01.md", "Post-Mortems/x.markdown", "incident-reports/a/b.txt",
                 "docs/2024-POSTMORTEM-db.md", "post-mortem.md", "incident_reports/X.MD"):
        assert matches(path), path
    for path in ("README.md", "postmortems/README.md", "notes.md", "postmortems/graph.png",
                 "src/postmortem.py", "postmortems/template.md"):
        assert not matches(path), path


def test_every_subpackage_is_shipped():
    """A non-editable install (pre-commit, the action) must contain every package directory."""
    tomllib = pytest.importorskip("tomllib")
    shipped = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "postmortem_check").rglob("__init__.py")}
    assert found <= shipped, found - shipped


def test_default_pattern_covers_the_other_common_folders():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
    for path in ("incidents/2026-01-01-db.md", "docs/incident/a.markdown", "RCA/b.txt", "pir/c.md",
                 "Post-Mortem/d.md", "rcas/e.md", "team/PIRs/f.md"):
        assert files.search(path) and not exclude.search(path), path
    for path in ("incidents/README.md", "rca/index.md", "pir/template.md", "incident/CHANGELOG.md",
                 "incidents/graph.png", "src/incidents.py", "docs/incidents.md", "incidentsx/a.md", "xrca/a.md"):
        assert not (files.search(path) and not exclude.search(path)), path


def test_hook_lints_postmortems_in_the_other_common_folders(tmp_path_factory, hook_config):
    repo = tmp_path_factory.mktemp("folders")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    linted = ["incidents/2026-01-01.md", "incident/b.md", "rca/c.md", "pir/d.txt", "post-mortem/e.md"]
    skipped = ["incidents/README.md", "rca/template.md", "notes/f.md"]
    for name in linted + skipped:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(BROKEN)
    run = _run_hook(repo, hook_config, "pre-commit", *linted, *skipped)
    assert run.returncode == 1, run.stdout + run.stderr
    checked = re.findall(r"^(\d+) files? checked", run.stdout, re.MULTILINE)  # pre-commit may split the files
    assert sum(map(int, checked)) == len(linted), run.stdout
    for name in linted:
        assert f"{name}:5:4: error placeholder" in run.stdout
    for name in skipped:
        assert name not in run.stdout
