"""The GitHub Action (``action.yml``): lint postmortems, annotate, summarise, and open issues on merge.

Inputs arrive as ``INPUT_*`` environment variables (set by ``action.yml`` through ``env:``, never through
``${{ }}`` in a script). On ``pull_request`` only the postmortems the pull request adds or changes are
linted and no issue is written; the job summary previews the issues a merge would open. On ``push`` to
the default branch and on ``workflow_dispatch`` the given paths are linted and, when ``create-issues`` is
on, the issues are synced in this process (``issues.service``). Outputs go to ``$GITHUB_OUTPUT``, the
report to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .app import LintRun, load_configuration, run_lint
from .config import Config
from .console import Console
from .discover import expand_entries, select_changed
from .errors import ExitCode, FailOn, UserError
from .files import open_for_writing
from .issues import service
from .report import Reporter
from .report.github import GithubReporter, escape_data
from .report.sarif import SarifReporter
from .report.summary import LIMIT, Links, SummaryReporter, issue_plan_markdown, md
from .results import FileResult

__all__ = ["ActionError", "expand_entries", "main", "run_action", "select_changed"]

PR_EVENTS = ("pull_request", "pull_request_target")
REPORT_EVENTS = ("push", "schedule", "workflow_dispatch")  # where ``report: true`` adds the report
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
CREATE_ISSUES = ("false", "true", "dry-run")
FAIL_ON = tuple(f.value for f in FailOn)
PREVIEW_LIMIT = 200  # rows of the issue preview shown in the job summary
SUMMARY_RESERVE = 96 * 1024  # job summary bytes kept for the action's own sections
OUTPUT_LIMIT = 1_000_000  # GitHub's limit for one step output (1 MB); a larger value is replaced by a note


class ActionError(UserError):
    """A problem with the inputs or the runner environment: reported as one ``::error`` line."""


@dataclass
class Inputs:
    paths: list[str]
    schema: str | None = None
    config: Path | None = None
    fail_on: str = "error"
    sarif_file: Path | None = None
    create_issues: str = "false"
    labels: list[str] = field(default_factory=list)
    token: str = ""
    report: bool = False
    close_orphans: bool = False
    write_back: bool = False


def _split(value: str, commas: bool = False) -> list[str]:
    lines = value.replace("\r", "\n").split("\n")
    if commas:
        lines = [part for line in lines for part in line.split(",")]
    return [line.strip() for line in lines if line.strip()]


def _flag(env: Mapping[str, str], name: str) -> bool:
    value = env.get(f"INPUT_{name.upper().replace('-', '_')}", "").strip().lower() or "false"
    if value not in ("true", "false"):
        raise ActionError(f"input {name} must be true or false, not {value!r}")
    return value == "true"


def read_inputs(env: Mapping[str, str]) -> Inputs:
    """The action's inputs from the environment, checked."""
    fail_on = env.get("INPUT_FAIL_ON", "").strip().lower() or "error"
    if fail_on not in FAIL_ON:
        raise ActionError(f"input fail-on must be one of {', '.join(FAIL_ON)}, not {fail_on!r}")
    create = env.get("INPUT_CREATE_ISSUES", "").strip().lower() or "false"
    if create not in CREATE_ISSUES:
        raise ActionError(f"input create-issues must be one of {', '.join(CREATE_ISSUES)}, not {create!r}")
    paths = _split(env.get("INPUT_PATHS", ""))
    if not paths:
        raise ActionError("input paths is empty: give one file, directory or glob pattern per line")
    config = env.get("INPUT_CONFIG", "").strip()
    sarif = env.get("INPUT_SARIF_FILE", "").strip()
    return Inputs(
        paths=paths,
        schema=env.get("INPUT_SCHEMA", "").strip() or None,
        config=Path(config) if config else None,
        fail_on=fail_on,
        sarif_file=Path(sarif) if sarif else None,
        create_issues=create,
        labels=_split(env.get("INPUT_LABELS", ""), commas=True),
        token=env.get("INPUT_GITHUB_TOKEN", ""),
        report=_flag(env, "report"),
        close_orphans=_flag(env, "close-orphans"),
        write_back=_flag(env, "write-back"),
    )


def read_event(env: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The event name and its payload (an empty payload when the runner gives none)."""
    name = env.get("GITHUB_EVENT_NAME", "").strip()
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        return name, {}
    try:
        payload = json.loads(Path(path).read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ActionError(f"cannot read the event payload {path}: {error}") from None
    return name, payload if isinstance(payload, dict) else {}


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True, check=False)


def changed_files(base: str, head: str, cwd: Path) -> list[str]:
    """Files the pull request adds, modifies, renames or changes the type of (``git diff base...head``),
    relative to ``cwd``.

    Missing commits (a shallow checkout) are fetched once; with no merge base the two-dot diff is used.
    """
    diff = ["diff", "--name-only", "-z", "--diff-filter=AMRT"]  # T: a link turned into a file, or back
    run = _git([*diff, f"{base}...{head}"], cwd)
    if run.returncode != 0:
        _git(["fetch", "--no-tags", "--quiet", "origin", base, head], cwd)
        run = _git([*diff, f"{base}...{head}"], cwd)
    if run.returncode != 0:
        run = _git([*diff, base, head], cwd)
    if run.returncode != 0:
        message = run.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ActionError(f"cannot list the files changed between {base} and {head}: "
                          f"{message[-1] if message else 'git diff failed'}")
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    root = Path(top.stdout.decode("utf-8", "surrogateescape").strip()) if top.returncode == 0 else cwd
    names = [n for n in run.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return [os.path.relpath(root / name, cwd).replace(os.sep, "/") for name in names]


def write_output(path: str | None, name: str, value: str) -> None:
    """Append one output to ``$GITHUB_OUTPUT`` with a random heredoc delimiter; a value above GitHub's
    1 MB output limit is replaced by a JSON note saying so (the job summary and log keep the details)."""
    if not path:
        return
    if len(value.encode("utf-8", "surrogatepass")) > OUTPUT_LIMIT - 1024:
        value = json.dumps({"truncated": True, "note": f"the {name} output was larger than GitHub's 1 MB "
                            "limit for one output; see the job summary and the log"})
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    _write_runner_file(path, f"{name}<<{delimiter}\n{value}\n{delimiter}\n", "output file")


def relay(text: str, out: TextIO) -> None:
    """Print text that may quote documents with workflow commands switched off around it."""
    if not text.strip():
        return
    token = uuid.uuid4().hex
    out.write(f"::stop-commands::{token}\n{text.rstrip()}\n::{token}::\n")


def preview_markdown(items: Sequence[dict[str, Any]], blocked: Sequence[str], create: str) -> str:
    """The issues a merge would open, as one table whose rows link to the item's line at this commit."""
    if create == "false":
        head = ("### Open action items without an issue\n\n`create-issues` is `false`, so merging opens no "
                "issue for these.\n\n")
    else:
        head = ("### Issues this pull request would open on merge\n\nNothing is written from a pull request. "
                "Items that already have an issue are matched on merge and not opened twice.\n\n")
    if not items and not blocked:
        return head + "None: every action item is done, a placeholder, or linked to an issue.\n\n"
    parts = [head]
    if items:
        links = Links(os.environ)
        parts.append("| Where | Title | Assignees | Labels | Due | Priority |\n"
                     "| --- | --- | --- | --- | --- | --- |\n")
        for item in items[:PREVIEW_LIMIT]:
            parts.append(
                f"| {links.where(item['path'], item['line'])} | {md(item['title'][:200])} | "
                f"{md(', '.join(item['assignees']))} | {md(', '.join(item['labels']))} | "
                f"{md(item['due'] or '')} | {md(item['priority'] or '')} |\n")
        if len(items) > PREVIEW_LIMIT:
            parts.append(f"\n…and {len(items) - PREVIEW_LIMIT} more.\n")
        parts.append("\n")
    if blocked:
        parts.append("Not synced (unreadable files and drafts): "
                     + ", ".join(md(path) for path in blocked[:50]) + "\n\n")
    return "".join(parts)


def _append(path: str | None, text: str) -> None:
    """Append to the job summary, kept under GitHub's 1 MiB step-summary limit with a note when cut."""
    if not path:
        return
    try:
        used = os.path.getsize(path)
    except OSError:
        used = 0
    room = LIMIT - used
    data = text.encode("utf-8", "replace")
    if len(data) > room:
        note = "\n\n> **Job summary truncated** to stay under GitHub's 1 MiB limit; the log has the rest.\n"
        keep = max(0, room - len(note.encode("utf-8")))
        text = data[:keep].decode("utf-8", "ignore") + note if room > len(note.encode("utf-8")) else ""
    if text:
        _write_runner_file(path, text, "job summary")


def _write_runner_file(path: str, text: str, what: str) -> None:
    """Append to a runner file without following a link; ActionError when it cannot be written."""
    try:
        with open_for_writing(path, append=True) as handle:
            handle.write(text)
    except OSError as error:
        raise ActionError(f"{what} {path}: cannot be written: {error.strerror or error}") from None


def _default_branch_push(payload: Mapping[str, Any]) -> bool:
    repository = payload.get("repository") or {}
    default = repository.get("default_branch") or repository.get("master_branch")
    return bool(default) and payload.get("ref") == f"refs/heads/{default}"


@dataclass
class _Run:
    """One run of the action: its inputs, event, output files and log."""

    inputs: Inputs
    event: str
    payload: dict[str, Any]
    out: TextIO
    output_file: str | None
    summary_file: str | None

    @property
    def pull_request(self) -> bool:
        return self.event in PR_EVENTS

    def error(self, message: str, title: str = "postmortem-check") -> None:
        self.out.write(f"::error title={title}::{escape_data(message)}\n")

    def summary(self, text: str) -> None:
        _append(self.summary_file, text)


def _select(run: _Run, config: Config) -> list[str]:
    """The paths to lint: on a pull request the changed files ``paths`` covers, else ``paths`` expanded."""
    inputs = run.inputs
    if run.pull_request:
        pr = run.payload.get("pull_request") or {}
        base, head = (pr.get("base") or {}).get("sha"), (pr.get("head") or {}).get("sha")
        if not base or not head:
            raise ActionError(f"the {run.event} event payload has no pull_request.base.sha / head.sha")
        paths = select_changed(changed_files(str(base), str(head), Path.cwd()), inputs.paths, config)
        number = pr.get("number") or run.payload.get("number")
        run.summary(f"## postmortem-check action\n\nPull request #{md(number)}: {len(paths)} added or changed "
                    f"postmortem file{'' if len(paths) == 1 else 's'} under {md(', '.join(inputs.paths))}.\n\n")
        return paths
    problems: list[str] = []
    paths, pattern_warnings = expand_entries(inputs.paths, config, problems)
    if problems:
        raise ActionError("; ".join(problems))
    for warning in pattern_warnings:
        run.out.write(f"::warning title=postmortem-check::{escape_data(warning)}\n")
    run.summary(f"## postmortem-check action\n\nEvent `{md(run.event or 'local')}`: linting "
                f"{md(', '.join(inputs.paths))}.\n\n")
    return paths


def _open_sarif(path: Path) -> TextIO:
    """The SARIF file, written without following a link; a relative path stays in the repository."""
    if not path.is_absolute():
        parent = os.path.realpath(path.parent)
        if os.path.commonpath([parent, os.path.realpath(os.curdir)]) != os.path.realpath(os.curdir):
            raise ActionError(f"sarif-file {path}: its folder is a link out of the repository; not writing there")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open_for_writing(path)
    except OSError as error:
        raise ActionError(f"sarif-file {path}: cannot be written: {error.strerror or error}") from None


def _lint(run: _Run, config: Config, paths: list[str]) -> LintRun:
    """Lint with annotations, the SARIF log and the job summary; outputs the counts."""
    reporters: list[Reporter] = [GithubReporter(run.out)]
    summary = (SummaryReporter(run.summary_file, limit=LIMIT - SUMMARY_RESERVE, heading=False)
               if run.summary_file else None)
    sarif = run.inputs.sarif_file
    with ExitStack() as stack:
        if sarif is not None:
            reporters.append(SarifReporter(stack.enter_context(_open_sarif(sarif))))
        if summary is not None and paths:
            reporters.append(summary)
        linted = run_lint(paths, config, reporters, keep=True)
    if summary is not None and not paths:
        run.summary("No postmortem file to lint.\n\n")
    for problem in linted.problems:
        run.error(problem)
    write_output(run.output_file, "errors", str(linted.totals.errors))
    write_output(run.output_file, "warnings", str(linted.totals.warnings))
    write_output(run.output_file, "files", str(linted.totals.files))
    return linted


def _preview(run: _Run, config: Config, results: list[FileResult]) -> dict[str, Any]:
    """The issues a merge would open, by the sync's own plan and payloads (nothing is sent)."""
    repo = os.environ.get("GITHUB_REPOSITORY", "").strip() or "owner/repository"
    shown = service.preview(results, service.settings_for(config, repo, run.inputs.labels))
    run.summary(preview_markdown(shown.would_open, shown.blocked, run.inputs.create_issues))
    return {"preview": True, "would_open": shown.would_open}


def _sync(run: _Run, config: Config, results: list[FileResult], paths: list[str]) -> tuple[int, Any]:
    """Sync the issues in this process; its messages go to the log with workflow commands off. Write-back
    (references added to the postmortems) only on a push."""
    inputs = run.inputs
    log = io.StringIO()
    console = Console(secret=inputs.token or None, err=log, out=io.StringIO())
    status: int
    try:
        request = service.SyncRequest(
            repo=service.resolve_repo(None), api_url=service.resolve_api_url(None), token=inputs.token or None,
            dry_run=inputs.create_issues == "dry-run", labels=tuple(inputs.labels),
            close_orphans=inputs.close_orphans, write_back=inputs.write_back and run.event == "push")
        result = service.sync(results, config, request, console, paths)
        service.report(result, "json", console, request.dry_run)
        status, issues = result.exit_code, result.as_json()
    except UserError as error:
        console.error(str(error))
        status, issues = ExitCode.ERROR, None
    except Exception as error:  # said through the redacting console
        console.error(f"internal error: {type(error).__name__}: {error}")
        status, issues = ExitCode.ERROR, None
    relay(log.getvalue(), run.out)
    return status, issues


def _issues(run: _Run, config: Config, results: list[FileResult], paths: list[str], code: int) -> tuple[int, Any]:
    """Sync the issues on a push to the default branch or a workflow_dispatch; the new exit code and output."""
    inputs = run.inputs
    if not (run.event == "workflow_dispatch" or (run.event == "push" and _default_branch_push(run.payload))):
        reason = f"event {run.event or 'local'} is not a push to the default branch or a workflow_dispatch"
        run.summary(f"Issues were not synced: {md(reason)}.\n\n")
        return code, None
    if inputs.write_back and run.event != "push":
        run.summary(f"Write-back is only done on a push; not on {md(run.event)}.\n\n")
    status, issues = _sync(run, config, results, paths)
    if inputs.write_back and run.event == "push" and issues and inputs.create_issues == "true" \
            and not _push_written_back(run, issues):
        code = max(code, ExitCode.ERROR)
    if status != ExitCode.CLEAN:
        run.error(f"postmortem-check issues exited with {status}", "postmortem-check issues")
        code = max(code, status if status in (ExitCode.FINDINGS, ExitCode.ERROR) else ExitCode.ERROR)
    mode = "dry run" if inputs.create_issues == "dry-run" else "created or updated"
    if status != ExitCode.CLEAN and issues is None:
        run.summary(f"### Issues ({mode})\n\nThe issues command failed (exit {status}); "
                    "its messages are in the log.\n\n")
    else:
        run.summary(f"### Issues ({mode})\n\n{issue_plan_markdown(issues or [])}")
    return code, issues


def _report(run: _Run, config: Config, paths: list[str]) -> None:
    """Append the follow-through report (incidents and what became of their action items)."""
    from .followup.command import markdown_report

    run.summary(markdown_report(paths, config) + "\n")


def _push_written_back(run: _Run, issues: list[dict[str, Any]]) -> bool:
    """Commit the postmortems the write-back changed, as the GitHub Actions bot, and push them to the
    branch that was pushed. Only those files are staged; False (after one error line) if that failed."""
    files = sorted({str(record["file"]) for record in issues if record.get("written_back") and record.get("file")})
    if not files:
        return True
    branch = str(run.payload.get("ref") or "")
    if not branch.startswith("refs/heads/"):
        run.error("write-back: the push event names no branch; the changed postmortems were not pushed")
        return False
    top = _git(["rev-parse", "--show-toplevel"], Path.cwd())
    cwd = Path(top.stdout.decode("utf-8", "surrogateescape").strip()) if top.returncode == 0 else Path.cwd()
    identity = ["-c", f"user.name={BOT_NAME}", "-c", f"user.email={BOT_EMAIL}"]
    message = "postmortem-check: link action items to their issues"
    steps = [["add", "--", *files], [*identity, "commit", "--quiet", "-m", message, "--", *files],
             ["push", "--quiet", "origin", f"HEAD:{branch}"]]
    for step in steps:
        done = _git(step, cwd)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            run.error(f"write-back: git {step[0] if step[0] != '-c' else 'commit'} failed: "
                      f"{said[-1] if said else 'no message'}")
            return False
    run.summary(f"Wrote issue references back to {len(files)} postmortem{'' if len(files) == 1 else 's'} "
                f"and pushed them to {md(branch[len('refs/heads/'):])}: {md(', '.join(files))}.\n\n")
    return True


def run_action(env: Mapping[str, str], out: TextIO) -> int:
    """The whole action; returns its exit code. Raises ActionError (a UserError) for bad inputs or environment."""
    inputs = read_inputs(env)
    event, payload = read_event(env)
    run = _Run(inputs, event, payload, out, env.get("GITHUB_OUTPUT") or None, env.get("GITHUB_STEP_SUMMARY") or None)
    config = load_configuration(inputs.config, inputs.schema)
    paths = _select(run, config)
    linted = _lint(run, config, paths)
    code: int = linted.exit_code(inputs.fail_on)
    issues: Any = None
    if run.pull_request:
        issues = _preview(run, config, linted.results)
    elif inputs.create_issues != "false":
        code, issues = _issues(run, config, linted.results, paths, code)
    if inputs.report and run.event in REPORT_EVENTS:
        _report(run, config, paths)
    write_output(run.output_file, "issues", json.dumps(issues, ensure_ascii=False))
    return int(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the action's run step; the exit code fails the step when it is not 0."""
    try:
        return run_action(os.environ, sys.stdout)
    except UserError as error:
        sys.stdout.write(f"::error title=postmortem-check::{escape_data('; '.join(str(error).splitlines()))}\n")
        return ExitCode.ERROR
    except Exception as error:  # never a traceback in a workflow log
        message = f"internal error: {type(error).__name__}: {error}"
        sys.stdout.write(f"::error title=postmortem-check::{escape_data(message)}\n")
        return ExitCode.ERROR


if __name__ == "__main__":
    raise SystemExit(main())
