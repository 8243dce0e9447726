"""The GitHub Action for real: its script in a git repository with a runner's event, output and summary files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft4Validator

from tests.conftest import ROOT, SHARED, need_shared
from tests.fake_github import FakeGitHub

CHECKOUT = (ROOT / "examples" / "2026-03-04-checkout-latency.md").read_text()
DNS = (ROOT / "examples" / "2026-05-19-internal-dns-outage.md").read_text()
BROKEN = ("# DB outage\n\n## Summary\n\nOn [date] the database fell over.\n\n## Timeline\n\n- 10:00 paged\n\n"
          "## Action items\n\n- [ ] Add a replica @kim\n")
ANNOTATION = re.compile(r"^::(error|warning) file=[^,:]*,line=\d+,col=\d+,title=[^,:]*::")


def _git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.invalid",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.invalid")
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout.strip()


def _write(repo: Path, name: str, text: str) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A repository with a base commit, a pull request head commit and a later notes-only commit."""
    root = tmp_path_factory.mktemp("repo")
    _git(root, "init", "-q", "-b", "main")
    _write(root, "postmortems/2026-03-04-checkout.md", CHECKOUT)
    _write(root, "postmortems/renamed-before.md", DNS)
    _write(root, "postmortems/untouched.md", BROKEN)  # broken, but not part of the pull request
    _write(root, "postmortems/deleted.md", BROKEN)
    _write(root, "notes/plan.md", BROKEN)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    _write(root, "postmortems/2026-03-04-checkout.md", CHECKOUT + "\nReviewed on 2026-03-06.\n")
    _write(root, "postmortems/2026-05-19 dns outage.md", DNS)
    _git(root, "mv", "postmortems/renamed-before.md", "postmortems/renamed-after.md")
    _git(root, "rm", "-q", "postmortems/deleted.md")
    _write(root, "postmortems/broken.md", BROKEN)
    _write(root, "postmortems/diagram.txt.png", "not a postmortem")
    _write(root, "notes/new.md", BROKEN)  # outside paths
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "pull request")
    head = _git(root, "rev-parse", "HEAD")
    _write(root, "notes/later.md", BROKEN)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "notes only")
    later = _git(root, "rev-parse", "HEAD")
    return {"root": root, "base": base, "head": head, "later": later}


def parse_outputs(path: Path) -> dict[str, str]:
    """Read ``$GITHUB_OUTPUT`` back the way the runner does (``name=value`` and heredoc blocks)."""
    outputs: dict[str, str] = {}
    lines = path.read_text().split("\n") if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            assert delimiter.startswith("ghadelimiter_") and len(delimiter) > 30, "random delimiter"
            end = lines.index(delimiter, index)
            outputs[name] = "\n".join(lines[index:end])
            index = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
    return outputs


def run_action(repo: dict[str, Any], tmp_path: Path, event: str, payload: dict[str, Any],
               api_url: str = "http://127.0.0.1:9", **inputs: str) -> tuple[int, str, dict[str, str], str]:
    """Run the action's script in the repository; exit code, stdout, outputs and job summary."""
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(payload))
    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_"))}
    env.update(GITHUB_ACTIONS="true", GITHUB_EVENT_NAME=event, GITHUB_EVENT_PATH=str(event_path),
               GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), GITHUB_REPOSITORY="acme/ops",
               GITHUB_API_URL=api_url, GITHUB_WORKSPACE=str(repo["root"]))
    env.update({"INPUT_PATHS": "postmortems", "INPUT_GITHUB_TOKEN": "not-a-token"})
    env.update({f"INPUT_{key.upper()}": value for key, value in inputs.items()})
    run = subprocess.run([sys.executable, "-m", "postmortem_check.action"], cwd=repo["root"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.stderr == "", run.stderr
    text = summary.read_text() if summary.exists() else ""
    return run.returncode, run.stdout, parse_outputs(output), text


def _pr(repo: dict[str, Any], base: str, head: str) -> dict[str, Any]:
    return {"number": 7, "pull_request": {"number": 7, "base": {"sha": repo[base]}, "head": {"sha": repo[head]}}}


def _annotated_files(stdout: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^::(?:error|warning) file=([^,]*),", stdout, re.M)}


def test_pull_request_lints_only_changed_postmortems_and_previews_issues(repo, tmp_path):
    code, stdout, outputs, summary = run_action(repo, tmp_path, "pull_request", _pr(repo, "base", "head"),
                                                create_issues="true", labels="postmortem, follow-up")
    assert code == 1  # broken.md has errors
    assert outputs["files"] == "4"  # checkout (M), dns outage (A), renamed-after (R), broken (A)
    assert int(outputs["errors"]) >= 2
    assert _annotated_files(stdout) == {"postmortems/broken.md"}
    assert "untouched.md" not in summary and "notes/" not in summary and "deleted.md" not in summary
    assert "postmortems/2026\\-05\\-19 dns outage.md" in summary or "postmortems/2026-05-19 dns outage.md" in summary
    # no issue was written: the issues command never ran
    assert "issues exited" not in stdout
    issues = json.loads(outputs["issues"])
    assert issues["preview"] is True
    titles = [item["title"] for item in issues["would_open"]]
    assert titles.count("Roll resolver upgrades out one host at a time") == 2  # dns outage and renamed-after
    assert "Alert on cache eviction rate, not only on latency." in titles
    assert not any("Pin the resolver cache" in t for t in titles)  # done
    assert any("replica" in t for t in titles)  # lint errors do not hold a file's items back
    assert {tuple(item["labels"][:2]) for item in issues["would_open"]} == {("postmortem", "follow-up")}
    assert "### Issues this pull request would open on merge" in summary
    assert "Not synced" not in summary  # no file is unreadable or a draft
    assert "| Roll resolver upgrades out one host at a time |" in summary
    for line in stdout.splitlines():
        assert not line.startswith("::") or ANNOTATION.match(line) or line.startswith("postmortem-check"), line


def test_pull_request_without_postmortem_changes(repo, tmp_path):
    code, stdout, outputs, summary = run_action(repo, tmp_path, "pull_request", _pr(repo, "head", "later"))
    assert code == 0
    assert outputs["files"] == "0" and outputs["errors"] == "0"
    assert json.loads(outputs["issues"]) == {"preview": True, "would_open": []}
    assert "No postmortem file to lint." in summary
    assert "`create-issues` is `false`" in summary
    assert not _annotated_files(stdout)


def test_pull_request_with_unknown_commit_is_a_clear_error(repo, tmp_path):
    payload = {"pull_request": {"base": {"sha": "0" * 40}, "head": {"sha": repo["head"]}}}
    code, stdout, _, _ = run_action(repo, tmp_path, "pull_request", payload)
    assert code == 2
    assert stdout.startswith("::error title=postmortem-check::cannot list the files changed between 0000")
    assert "Traceback" not in stdout


def test_push_to_default_branch_lints_paths_and_writes_sarif(repo, tmp_path):
    payload = {"ref": "refs/heads/main", "repository": {"default_branch": "main"}}
    code, stdout, outputs, summary = run_action(repo, tmp_path, "push", payload, fail_on="never",
                                                sarif_file=str(tmp_path / "out" / "results.sarif"))
    assert code == 0  # fail-on: never
    assert outputs["files"] == "5"  # every postmortem under postmortems/ at HEAD
    assert int(outputs["errors"]) >= 4
    assert json.loads(outputs["issues"]) is None
    assert _annotated_files(stdout) == {"postmortems/broken.md", "postmortems/untouched.md"}
    log = json.loads((tmp_path / "out" / "results.sarif").read_text())
    schema = json.loads(need_shared(SHARED / "schemas" / "sarif-schema-2.1.0.json").read_text())
    assert not list(Draft4Validator(schema).iter_errors(log))
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"postmortems/broken.md", "postmortems/untouched.md"}
    assert [line for line in summary.splitlines() if line.startswith("## ")] == ["## postmortem-check action"]
    assert "**5 files checked:" in summary
    assert summary.index("| File | Status | Errors | Warnings | Issues it would open |") < summary.index("### ")


def test_push_to_other_branch_does_not_sync_issues(repo, tmp_path):
    payload = {"ref": "refs/heads/feature", "repository": {"default_branch": "main"}}
    code, _, outputs, summary = run_action(repo, tmp_path, "push", payload, paths="postmortems/2026-*.md",
                                                create_issues="true")
    assert code == 0
    assert outputs["files"] == "2"
    assert json.loads(outputs["issues"]) is None
    assert "Issues were not synced" in summary


@pytest.fixture()
def github() -> Iterator[FakeGitHub]:
    server = FakeGitHub().start()
    yield server
    server.stop()


PUSH = {"ref": "refs/heads/main", "repository": {"default_branch": "main"}}
CHECKOUT_PATH = "postmortems/2026-03-04-checkout.md"


def test_push_dry_run_plans_issues_and_writes_nothing(repo, tmp_path, github):
    code, stdout, outputs, summary = run_action(repo, tmp_path, "push", PUSH, paths=CHECKOUT_PATH, api_url=github.url,
                                                github_token=github.token, create_issues="dry-run",
                                                labels="postmortem")
    assert code == 0, stdout
    assert github.writes() == []
    plan = json.loads(outputs["issues"])
    writes = [record for record in plan if record["action"] != "skipped"]
    assert [(record["action"], record.get("dry_run")) for record in writes] == [("created", True)] * 2
    assert outputs["files"] == "1" and outputs["errors"] == "0"
    assert "### Issues (dry run)" in summary
    plan = summary[summary.index("### Issues (dry run)"):]
    assert "| Where | Action | Issue | Reason |" in plan and "```" not in plan and '"item_id"' not in plan
    assert plan.count("| created |") == 2


def test_push_creates_issues_and_hands_their_json_on(repo, tmp_path, github):
    code, stdout, outputs, summary = run_action(repo, tmp_path, "push", PUSH, paths=CHECKOUT_PATH, api_url=github.url,
                                                github_token=github.token, create_issues="true")
    assert code == 0, stdout
    created = [record for record in json.loads(outputs["issues"]) if record["action"] == "created"]
    assert [record["issue"]["number"] for record in created] == [1, 2]
    assert len(github.real_issues()) == 2
    assert github.token not in stdout and github.token not in summary
    code, _, outputs, _ = run_action(repo, tmp_path, "push", PUSH, paths=CHECKOUT_PATH, api_url=github.url,
                                     github_token=github.token, create_issues="true")
    assert code == 0
    assert {record["action"] for record in json.loads(outputs["issues"])} == {"exists", "skipped"}
    assert len(github.real_issues()) == 2  # a re-run opens nothing twice


def test_issues_command_failure_fails_the_step_without_leaking_the_token(repo, tmp_path, github):
    code, stdout, _, _ = run_action(repo, tmp_path, "push", PUSH, paths=CHECKOUT_PATH, api_url=github.url,
                                    github_token="wrong-token-0123456789", create_issues="true")
    assert code == 2
    assert "::error title=postmortem-check issues::postmortem-check issues exited with 2" in stdout
    assert "wrong-token-0123456789" not in stdout
    assert github.writes() == []


def test_bad_inputs_are_one_clear_error(repo, tmp_path):
    code, stdout, outputs, _ = run_action(repo, tmp_path, "push", {}, fail_on="sometimes")
    assert code == 2 and outputs == {}
    assert stdout == ("::error title=postmortem-check::input fail-on must be one of error, warning, never, "
                      "not 'sometimes'\n")
    code, stdout, _, _ = run_action(repo, tmp_path, "workflow_dispatch", {}, create_issues="yes")
    assert code == 2 and "input create-issues must be one of false, true, dry-run" in stdout
    code, stdout, _, _ = run_action(repo, tmp_path, "workflow_dispatch", {}, paths="missing-dir")
    assert code == 2 and "::error title=postmortem-check::missing-dir: no such file or directory" in stdout
    code, stdout, _, _ = run_action(repo, tmp_path, "workflow_dispatch", {}, schema="no-such-schema")
    assert code == 2 and stdout.startswith("::error title=postmortem-check::schema 'no-such-schema'")


# --- action.yml itself ----------------------------------------------------------------------------------

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def test_action_metadata_validates():
    run = subprocess.run([str(Path(sys.executable).with_name("check-jsonschema")), "--builtin-schema",
                          "vendor.github-actions", str(ROOT / "action.yml")], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_inputs_reach_scripts_only_through_env():
    steps = ACTION["runs"]["steps"]
    assert ACTION["runs"]["using"] == "composite"
    passed: set[str] = set()
    for step in steps:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "no expression inside a run script"
        for value in step.get("env", {}).values():
            passed.update(m.group(1).removeprefix("inputs.") for m in EXPRESSION.finditer(str(value)))
    assert passed == set(ACTION["inputs"])
    assert ACTION["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert set(ACTION["outputs"]) == {"errors", "warnings", "files", "issues"}
    for name, spec in ACTION["outputs"].items():
        assert spec["value"] == f"${{{{ steps.check.outputs.{name} }}}}"


def test_run_step_as_the_runner_would(repo, tmp_path):
    """Expand the check step's ``env:`` like the runner, then run its script with bash in the repository."""
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    (runner_temp / "postmortem-check-venv").symlink_to(sys.prefix)  # stands for the install step's venv
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "check")
    given = {"paths": "postmortems/2026-*.md\npostmortems/broken.md", "fail-on": "warning"}

    context = {"github.token": "ghs_token"}
    context.update({f"inputs.{name}": given.get(name, str(spec.get("default", "")))
                    for name, spec in ACTION["inputs"].items()})

    def expand(value: str) -> str:
        for _ in range(2):  # an input's default may itself be an expression
            value = EXPRESSION.sub(lambda m: context[m.group(1)], value)
        return value

    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.update({key: expand(str(value)) for key, value in step["env"].items()})
    (tmp_path / "event.json").write_text(json.dumps({"ref": "refs/heads/main"}))
    env.update(RUNNER_TEMP=str(runner_temp), GITHUB_EVENT_NAME="push", GITHUB_ACTIONS="true",
               GITHUB_EVENT_PATH=str(tmp_path / "event.json"), GITHUB_OUTPUT=str(tmp_path / "out"),
               GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"))
    assert env["INPUT_GITHUB_TOKEN"] == "ghs_token" and env["INPUT_CREATE_ISSUES"] == "false"
    run = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo["root"], env=env, capture_output=True,
                         text=True, timeout=300)
    outputs = parse_outputs(tmp_path / "out")
    assert run.returncode == 1, run.stdout + run.stderr
    assert outputs["files"] == "3"
    assert _annotated_files(run.stdout) == {"postmortems/broken.md"}


def test_pull_request_selection_filters_like_the_directory_walk(tmp_path, monkeypatch):
    """A pull request lints the changed files that `lint DIR` would lint: same include and exclude globs."""
    from postmortem_check.action import select_changed
    from postmortem_check.config import Config
    from postmortem_check.discover import expand_paths

    names = ["postmortems/a.md", "postmortems/drafts/b.md", "postmortems/c.txt", "notes/d.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("# x\n")
    monkeypatch.chdir(tmp_path)
    config = Config(exclude=("drafts/*",))
    walked = list(expand_paths(["postmortems"], config, []))
    assert select_changed(names, ["postmortems"], config) == walked == ["postmortems/a.md"]


def test_issue_sync_runs_in_process_on_the_lint_results(tmp_path, monkeypatch, github):
    """workflow_dispatch with create-issues: one lint, the sync in this process, no child process at all."""
    import io

    from postmortem_check import action, app

    calls: list[object] = []
    real_lint_paths = app.lint_paths
    monkeypatch.setattr(app, "lint_paths", lambda *a, **k: calls.append(a) or real_lint_paths(*a, **k))
    (tmp_path / "postmortems").mkdir()
    (tmp_path / "postmortems" / "checkout.md").write_text(CHECKOUT)
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("GITHUB_", "INPUT_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("GITHUB_REPOSITORY", github.repo)
    monkeypatch.setenv("GITHUB_API_URL", github.url)

    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a child process was started: {args}")

    monkeypatch.setattr(subprocess, "run", no_child)
    monkeypatch.setattr(subprocess, "Popen", no_child)
    env = {"GITHUB_EVENT_NAME": "workflow_dispatch", "GITHUB_OUTPUT": str(tmp_path / "out"),
           "INPUT_PATHS": "postmortems", "INPUT_CREATE_ISSUES": "true", "INPUT_GITHUB_TOKEN": github.token}
    out = io.StringIO()
    assert action.run_action(env, out) == 0, out.getvalue()
    outputs = parse_outputs(tmp_path / "out")
    assert [r["action"] for r in json.loads(outputs["issues"]) if r["action"] == "created"] == ["created"] * 2
    assert len(github.real_issues()) == 2 and github.token not in out.getvalue()
    assert len(calls) == 1  # the files were linted once


def test_globstar_paths_select_on_pull_requests_as_on_pushes(repo, tmp_path):
    """`paths: postmortems/**/*.md` selects the changed postmortems on a pull request (it once selected none)."""
    _, _, outputs, _ = run_action(repo, tmp_path, "pull_request", _pr(repo, "base", "head"),
                                  paths="postmortems/**/*.md")
    assert outputs["files"] == "4"
    _, _, pushed, _ = run_action(repo, tmp_path, "push", {"ref": "refs/heads/feature"}, paths="postmortems/**/*.md")
    assert pushed["files"] == "5"  # every postmortem at HEAD: the same matcher over all files


SECRET = "# SECRET-TITLE-7f3a\n\n## Summary\n\nextraheader = c2VjcmV0\n"


@pytest.fixture
def link_repo(tmp_path: Path) -> dict[str, Any]:
    """A pull request that adds links out of the repository and turns a linked postmortem into a file."""
    root = tmp_path / "links"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    (tmp_path / "outside.md").write_text(SECRET)
    _write(root, "notes/shared.md", DNS)
    (root / "postmortems").mkdir()
    (root / "postmortems" / "typed.md").symlink_to("../notes/shared.md")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    base = _git(root, "rev-parse", "HEAD")
    (root / "postmortems" / "typed.md").unlink()
    _write(root, "postmortems/typed.md", BROKEN)  # git diff status T: a link became a file
    (root / "postmortems" / "passwd.md").symlink_to(tmp_path / "outside.md")
    (root / "postmortems" / "gitconfig.md").symlink_to("../.git/config")
    (root / "report.sarif").symlink_to(tmp_path / "outside.md")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "pull request")
    return {"root": root, "base": base, "head": _git(root, "rev-parse", "HEAD"), "outside": tmp_path / "outside.md"}


def test_pull_request_links_out_of_the_repository_are_findings_never_read(link_repo, tmp_path):
    code, stdout, outputs, summary = run_action(link_repo, tmp_path, "pull_request", _pr(link_repo, "base", "head"))
    assert code == 1
    assert re.search(r"^::error file=postmortems/passwd\.md,line=1,col=1,title=postmortem-check symlink-outside::",
                     stdout, re.M)
    assert re.search(r"^::error file=postmortems/gitconfig\.md,.*symlink-outside::", stdout, re.M)
    assert "postmortems/typed.md" in _annotated_files(stdout), "a type-changed file is linted"
    assert outputs["files"] == "3"
    for text in (stdout, summary, json.dumps(outputs)):
        assert "SECRET" not in text and "c2VjcmV0" not in text and "extraheader" not in text


def test_a_committed_link_at_the_sarif_path_is_refused(link_repo, tmp_path):
    code, stdout, _, _ = run_action(link_repo, tmp_path, "pull_request", _pr(link_repo, "base", "head"),
                                    sarif_file="report.sarif")
    assert code == 2
    assert "::error title=postmortem-check::sarif-file report.sarif: cannot be written: is a symbolic link" in stdout
    assert link_repo["outside"].read_text() == SECRET


def test_outputs_and_summary_stay_within_githubs_limits(tmp_path):
    from postmortem_check.action import OUTPUT_LIMIT, _append, write_output
    from postmortem_check.report.summary import LIMIT

    output, summary = tmp_path / "output.txt", tmp_path / "summary.md"
    write_output(str(output), "issues", json.dumps(["x" * 1000] * 2000))  # 2 MB
    value = parse_outputs(output)["issues"]
    assert len(value.encode()) < OUTPUT_LIMIT
    assert json.loads(value)["truncated"] is True
    summary.write_text("a" * (LIMIT - 5000))
    _append(str(summary), "b" * 100_000)
    text = summary.read_text()
    assert len(text.encode()) <= LIMIT <= 1024 * 1024
    assert text.endswith("> **Job summary truncated** to stay under GitHub's 1 MiB limit; the log has the rest.\n")


# --- report, close-orphans, write-back -------------------------------------------------------------------

ITEMS_DOC = ("# Cache outage\n\n## Summary\n\nThe cache fell over for an hour.\n\n## Timeline\n\n- 10:00 UTC paged\n"
             "- 11:00 UTC fixed\n\n## Root cause\n\nA bad deploy.\n\n## Action items\n\n"
             "- [ ] Alert on cache eviction rate @kim\n- [ ] Add a canary stage for cache deploys @lee\n")


@pytest.fixture
def pushed_repo(tmp_path: Path) -> dict[str, Any]:
    """A clone of a bare origin holding one postmortem with two open action items."""
    origin, root = tmp_path / "origin.git", tmp_path / "clone"
    _git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    _git(tmp_path, "clone", "-q", str(origin), str(root))
    _write(root, "postmortems/cache.md", ITEMS_DOC)
    _write(root, "notes/other.md", "unrelated\n")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "postmortem")
    _git(root, "push", "-q", "origin", "HEAD:main")
    return {"root": root, "origin": origin}


def test_write_back_on_push_commits_only_the_changed_postmortems_as_the_bot(pushed_repo, tmp_path, github):
    root = pushed_repo["root"]
    (root / "notes" / "other.md").write_text("an uncommitted local change\n")
    code, stdout, outputs, summary = run_action(pushed_repo, tmp_path, "push", PUSH, api_url=github.url,
                                                github_token=github.token, create_issues="true", write_back="true")
    assert code == 0, stdout
    records = json.loads(outputs["issues"])
    assert [r["written_back"] for r in records if r.get("written_back")] == ["#1", "#2"]
    log = _git(pushed_repo["origin"], "log", "-1", "--format=%an <%ae>%n%s", "main")
    assert log == ("github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n"
                   "postmortem-check: link action items to their issues")
    changed = _git(pushed_repo["origin"], "show", "--name-only", "--format=", "main")
    assert changed == "postmortems/cache.md"
    assert "#1" in _git(pushed_repo["origin"], "show", "main:postmortems/cache.md")
    assert "Wrote issue references back to 1 postmortem and pushed them to main" in summary


def test_write_back_never_runs_outside_a_push(pushed_repo, tmp_path, github):
    root = pushed_repo["root"]
    code, _, outputs, summary = run_action(pushed_repo, tmp_path, "workflow_dispatch", {}, api_url=github.url,
                                           github_token=github.token, create_issues="true", write_back="true")
    assert code == 0
    assert not any(r.get("written_back") for r in json.loads(outputs["issues"]))
    assert "Write-back is only done on a push" in summary
    assert (root / "postmortems" / "cache.md").read_text() == ITEMS_DOC
    head = _git(root, "rev-parse", "HEAD")
    _git(root, "checkout", "-q", "-b", "feature")
    _write(root, "postmortems/new.md", ITEMS_DOC)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "pull request")
    payload = {"pull_request": {"number": 3, "base": {"sha": head}, "head": {"sha": _git(root, "rev-parse", "HEAD")}}}
    writes = len(github.writes())
    code, _, outputs, _ = run_action(pushed_repo, tmp_path, "pull_request", payload, api_url=github.url,
                                     github_token=github.token, create_issues="true", write_back="true")
    assert json.loads(outputs["issues"])["preview"] is True
    assert len(github.writes()) == writes and (root / "postmortems" / "new.md").read_text() == ITEMS_DOC


def test_close_orphans_reaches_the_sync(pushed_repo, tmp_path, github):
    root = pushed_repo["root"]
    inputs = {"api_url": github.url, "github_token": github.token, "create_issues": "true"}
    assert run_action(pushed_repo, tmp_path, "workflow_dispatch", {}, **inputs)[0] == 0
    kept = ITEMS_DOC.replace("- [ ] Add a canary stage for cache deploys @lee\n", "")
    (root / "postmortems" / "cache.md").write_text(kept)
    _, _, outputs, _ = run_action(pushed_repo, tmp_path, "workflow_dispatch", {}, **inputs)
    assert [r["action"] for r in json.loads(outputs["issues"]) if r["issue"] and r["issue"]["number"] == 2] == [
        "orphaned"]
    code, _, outputs, _ = run_action(pushed_repo, tmp_path, "workflow_dispatch", {}, close_orphans="true", **inputs)
    assert code == 0
    assert [r["issue"]["number"] for r in json.loads(outputs["issues"]) if r["action"] == "closed"] == [2]
    assert github.real_issues()[1]["state"] == "closed"


@pytest.mark.parametrize("event", ["push", "schedule", "workflow_dispatch", "pull_request"])
def test_report_input_appends_the_follow_through_report(pushed_repo, tmp_path, event):
    root = pushed_repo["root"]
    head = _git(root, "rev-parse", "HEAD")
    payload = PUSH if event == "push" else ({"pull_request": {"base": {"sha": head}, "head": {"sha": head}}}
                                            if event == "pull_request" else {})
    code, _, _, summary = run_action(pushed_repo, tmp_path, event, payload, report="true")
    assert code == 0
    shown = "# Postmortem follow-through" in summary
    assert shown == (event != "pull_request")
    if shown:
        assert "1 postmortems; 2 action items: 2 open" in summary


def test_flag_inputs_take_true_or_false(pushed_repo, tmp_path):
    code, stdout, _, _ = run_action(pushed_repo, tmp_path, "push", PUSH, write_back="yes")
    assert code == 2
    assert stdout == "::error title=postmortem-check::input write-back must be true or false, not 'yes'\n"


def test_a_failed_write_back_push_fails_the_step(pushed_repo, tmp_path, github):
    _git(pushed_repo["root"], "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    code, stdout, _, _ = run_action(pushed_repo, tmp_path, "push", PUSH, api_url=github.url,
                                    github_token=github.token, create_issues="true", write_back="true")
    assert code == 2
    assert re.search(r"^::error title=postmortem-check::write-back: git push failed: ", stdout, re.M)
    assert len(github.real_issues()) == 2


def test_runner_files_are_not_written_through_links(tmp_path):
    from postmortem_check.action import ActionError, _append, write_output

    target = tmp_path / "target"
    target.write_text("kept\n")
    (tmp_path / "summary").symlink_to(target)
    with pytest.raises(ActionError, match=r"job summary .*: cannot be written: is a symbolic link"):
        _append(str(tmp_path / "summary"), "text")
    with pytest.raises(ActionError, match=r"output file .*: cannot be written: is a symbolic link"):
        write_output(str(tmp_path / "summary"), "files", "1")
    assert target.read_text() == "kept\n"
