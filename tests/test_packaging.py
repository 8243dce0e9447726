"""Release hygiene: ``python -m``, one version, ``py.typed`` in what is built, the changelog, the CI workflow."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from postmortem_check import __version__
from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"


def _module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "postmortem_check", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_python_dash_m_is_the_command_line():
    run = _module("--version")
    assert (run.returncode, run.stdout) == (0, f"postmortem-check {__version__}\n")
    run = _module("lint", "examples")
    assert (run.returncode, run.stdout) == (0, "2 files checked: 0 errors, 0 warnings\n")
    run = _module("lint", "--format", "nope", "examples")
    assert run.returncode == 2 and "invalid choice" in run.stderr


def test_the_version_is_written_once():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "postmortem_check.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    run = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "--version"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.stdout.strip().splitlines()[-1] == __version__, run.stderr


def test_the_built_package_ships_py_typed_and_main(tmp_path):
    """What build_py copies is what goes into the wheel."""
    run = subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                          "-d", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    built = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert {"postmortem_check/py.typed", "postmortem_check/__main__.py",
            "postmortem_check/schemas/config.json"} <= built


def test_changelog_keeps_a_changelog():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert text.startswith("# Changelog\n") and "[Keep a Changelog](https://keepachangelog.com/" in text
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.MULTILINE)
    assert [name for name, _ in releases][:2] == ["Unreleased", __version__]
    for name, _ in releases:
        assert re.search(rf"^\[{re.escape(name)}\]: https://", text, re.MULTILINE), name
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        kinds = re.findall(r"^### (.+)$", block, re.MULTILINE)
        assert kinds and set(kinds) <= {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def test_ci_workflow_validates():
    run = subprocess.run([str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema",
                          "vendor.github-workflows", str(WORKFLOW)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_ci_workflow_runs_the_readme_test_command_and_the_action_from_this_repository():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    readme = (ROOT / "README.md").read_text()
    tests = workflow["jobs"]["tests"]
    assert tests["strategy"]["matrix"]["python-version"] == ["3.10", "3.11", "3.12", "3.13"]
    runs = [step.get("run", "") for step in tests["steps"]]
    assert "python -m pytest -q" in runs and "python -m pytest -q" in readme
    assert any("pip install -e '.[test]'" in run for run in runs) and "pip install -e '.[test]'" in readme
    local = [step for job in workflow["jobs"].values() for step in job["steps"] if step.get("uses") == "./"]
    assert len(local) == 1 and local[0]["with"]["paths"] == "examples"
