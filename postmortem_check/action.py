"""The GitHub Action (``action.yml``): lint postmortems, annotate, summarise, and open issues on merge.

Inputs arrive as ``INPUT_*`` environment variables (set by ``action.yml`` through ``env:``, never through
``${{ }}`` in a script). On ``pull_request`` only the postmortems the pull request adds or changes are
linted and no issue is written; the job summary previews the issues a merge would open. On ``push`` to
the default branch and on ``workflow_dispatch`` the given paths are linted and, when ``create-issues`` is
on, ``postmortem-check issues`` runs. Outputs go to ``$GITHUB_OUTPUT``, the report to ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import fnmatch
import glob
import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .config import Config
from .lint import FileResult, included
from .report.summary import md

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
PR_EVENTS = ("pull_request", "pull_request_target")
CREATE_ISSUES = ("false", "true", "dry-run")
FAIL_ON = ("error", "warning", "never")
PREVIEW_LIMIT = 200  # rows of the issue preview shown in the job summary
SUMMARY_RESERVE = 96 * 1024  # job summary bytes kept for the action's own sections


class ActionError(Exception):
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


def _split(value: str, commas: bool = False) -> list[str]:
    lines = value.replace("\r", "\n").split("\n")
    if commas:
        lines = [part for line in lines for part in line.split(",")]
    return [line.strip() for line in lines if line.strip()]


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


def is_glob(entry: str) -> bool:
    return any(char in entry for char in "*?[")


def _clean(entry: str) -> str:
    entry = entry.replace("\\", "/")
    while entry.startswith("./"):
        entry = entry[2:]
    return entry.rstrip("/") or "."


def _git(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True, check=False)


def changed_files(base: str, head: str, cwd: Path) -> list[str]:
    """Files the pull request adds, modifies or renames (``git diff base...head``), relative to ``cwd``.

    Missing commits (a shallow checkout) are fetched once; with no merge base the two-dot diff is used.
    """
    diff = ["diff", "--name-only", "-z", "--diff-filter=AMR"]
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


def select_changed(changed: Sequence[str], entries: Sequence[str], config: Config) -> list[str]:
    """Changed files that ``paths`` covers: named, under a named directory (by the config's include and
    exclude globs) or matched by a glob pattern."""
    chosen = []
    for name in changed:
        for raw in entries:
            entry = _clean(raw)
            if is_glob(entry):
                hit = fnmatch.fnmatch(name, entry)
            elif name == entry:
                hit = True
            elif entry == "." or name.startswith(entry + "/"):
                hit = included(name if entry == "." else name[len(entry) + 1:], config)
            else:
                hit = False
            if hit:
                chosen.append(name)
                break
    return sorted(dict.fromkeys(n for n in chosen if os.path.isfile(n)))


def expand_entries(entries: Sequence[str]) -> tuple[list[str], list[str]]:
    """Paths to lint for ``paths`` (globs expanded), and warnings for globs that match nothing."""
    out: list[str] = []
    warnings = []
    for entry in entries:
        if is_glob(entry):
            matches = sorted(m for m in glob.glob(entry, recursive=True) if os.path.isfile(m))
            if not matches:
                warnings.append(f"paths pattern {entry!r} matches no file")
            out += matches
        else:
            out.append(entry)
    return list(dict.fromkeys(out)), warnings


def issue_preview(
        results: Sequence[FileResult], labels: Sequence[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The issues a merge would open: open, non-placeholder action items with no linked issue, from files
    without lint errors; and the files whose errors keep their items from being synced."""
    items = []
    blocked = []
    for result in results:
        candidates = [i for i in result.action_items if not i.done and not i.placeholder and not i.issue]
        if result.errors:
            if candidates:
                blocked.append(result.path)
            continue
        for item in candidates:
            items.append({
                "path": result.path, "line": item.line, "id": item.id, "title": item.text,
                "assignees": list(item.assignees), "labels": list(dict.fromkeys([*labels, *item.labels])),
                "due": item.due, "priority": item.priority,
            })
    return items, blocked


def write_output(path: str | None, name: str, value: str) -> None:
    """Append one output to ``$GITHUB_OUTPUT`` with a random heredoc delimiter."""
    if not path:
        return
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    while delimiter in value:
        delimiter = f"ghadelimiter_{uuid.uuid4()}"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")


def relay(text: str, out: TextIO) -> None:
    """Print text that may quote documents with workflow commands switched off around it."""
    if not text.strip():
        return
    token = uuid.uuid4().hex
    out.write(f"::stop-commands::{token}\n{text.rstrip()}\n::{token}::\n")


def _cli() -> list[str]:
    script = Path(sys.executable).with_name("postmortem-check")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from postmortem_check.cli import run; run()"]


def run_issue_command(inputs: Inputs, paths: Sequence[str], env: Mapping[str, str]) -> tuple[int, Any, str]:
    """Run ``postmortem-check issues --format json``; its exit code, parsed JSON and stderr."""
    command = [*_cli(), "issues", "--format", "json"]
    if inputs.create_issues == "dry-run":
        command.append("--dry-run")
    if inputs.schema:
        command += ["--schema", inputs.schema]
    if inputs.config:
        command += ["--config", str(inputs.config)]
    for label in inputs.labels:
        command += ["--label", label]
    command += ["--", *paths]
    child_env = dict(env)
    if inputs.token:
        child_env["GITHUB_TOKEN"] = inputs.token
    run = subprocess.run(command, env=child_env, capture_output=True, text=True, check=False)
    try:
        data = json.loads(run.stdout) if run.stdout.strip() else None
    except json.JSONDecodeError:
        data = None
        if run.returncode == 0:
            return EXIT_ERROR, None, run.stderr + "\nthe issues command printed no valid JSON"
    return run.returncode, data, run.stderr


def _fence(text: str) -> str:
    """A fenced code block longer than any run of backticks in ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}json\n{text}\n{ticks}\n"


def preview_markdown(items: Sequence[dict[str, Any]], blocked: Sequence[str], create: str) -> str:
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
        parts.append("| File | Line | Title | Assignees | Labels | Due | Priority |\n"
                     "| --- | ---: | --- | --- | --- | --- | --- |\n")
        for item in items[:PREVIEW_LIMIT]:
            parts.append(
                f"| {md(item['path'])} | {item['line']} | {md(item['title'][:200])} | "
                f"{md(', '.join(item['assignees']))} | {md(', '.join(item['labels']))} | "
                f"{md(item['due'] or '')} | {md(item['priority'] or '')} |\n")
        if len(items) > PREVIEW_LIMIT:
            parts.append(f"\n…and {len(items) - PREVIEW_LIMIT} more.\n")
        parts.append("\n")
    if blocked:
        parts.append("Not synced until their lint errors are fixed: "
                     + ", ".join(md(path) for path in blocked[:50]) + "\n\n")
    return "".join(parts)


def _append(path: str | None, text: str) -> None:
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)


def _default_branch_push(payload: Mapping[str, Any]) -> bool:
    repository = payload.get("repository") or {}
    default = repository.get("default_branch") or repository.get("master_branch")
    return bool(default) and payload.get("ref") == f"refs/heads/{default}"


def run_action(env: Mapping[str, str], out: TextIO) -> int:
    """The whole action; returns its exit code. Raises ActionError for bad inputs or environment."""
    from .cli import load_configuration
    from .lint import lint_paths
    from .report import Totals
    from .report.github import GithubReporter, escape_data
    from .report.sarif import SarifReporter
    from .report.summary import LIMIT, SummaryReporter

    inputs = read_inputs(env)
    event, payload = read_event(env)
    output_file = env.get("GITHUB_OUTPUT") or None
    summary_file = env.get("GITHUB_STEP_SUMMARY") or None
    config, errors = load_configuration(inputs.config, inputs.schema)
    if config is None:
        raise ActionError("; ".join(errors))

    cwd = Path.cwd()
    pull_request = event in PR_EVENTS
    header = ["## postmortem-check action\n\n"]
    if pull_request:
        pr = payload.get("pull_request") or {}
        base, head = (pr.get("base") or {}).get("sha"), (pr.get("head") or {}).get("sha")
        if not base or not head:
            raise ActionError(f"the {event} event payload has no pull_request.base.sha / head.sha")
        paths = select_changed(changed_files(str(base), str(head), cwd), inputs.paths, config)
        number = pr.get("number") or payload.get("number")
        header.append(f"Pull request #{md(number)}: {len(paths)} added or changed postmortem "
                      f"file{'' if len(paths) == 1 else 's'} under {md(', '.join(inputs.paths))}.\n\n")
    else:
        paths, pattern_warnings = expand_entries(inputs.paths)
        for warning in pattern_warnings:
            out.write(f"::warning title=postmortem-check::{escape_data(warning)}\n")
        header.append(f"Event `{md(event or 'local')}`: linting {md(', '.join(inputs.paths))}.\n\n")
    _append(summary_file, "".join(header))

    reporter = GithubReporter(out)
    sarif_out = None
    sarif: SarifReporter | None = None
    if inputs.sarif_file is not None:
        inputs.sarif_file.parent.mkdir(parents=True, exist_ok=True)
        sarif_out = open(inputs.sarif_file, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        sarif = SarifReporter(sarif_out)
    summary = SummaryReporter(summary_file, limit=LIMIT - SUMMARY_RESERVE) if summary_file else None
    totals = Totals()
    problems: list[str] = []
    results: list[FileResult] = []
    try:
        for result in lint_paths(paths, config, problems) if paths else ():
            totals.add(result)
            results.append(result)
            reporter.file(result)
            if sarif is not None:
                sarif.file(result)
            if summary is not None:
                summary.file(result)
        reporter.finish(totals)
        if sarif is not None:
            sarif.finish(totals)
    finally:
        if sarif_out is not None:
            sarif_out.close()
    if summary is not None:
        if paths:
            summary.finish(totals)
        else:
            _append(summary_file, "No postmortem file to lint.\n\n")
    for problem in problems:
        out.write(f"::error title=postmortem-check::{escape_data(problem)}\n")

    write_output(output_file, "errors", str(totals.errors))
    write_output(output_file, "warnings", str(totals.warnings))
    write_output(output_file, "files", str(totals.files))

    code = EXIT_ERROR if problems else EXIT_CLEAN
    failing = totals.errors + (totals.warnings if inputs.fail_on == "warning" else 0)
    if code == EXIT_CLEAN and failing and inputs.fail_on != "never":
        code = EXIT_FINDINGS

    issues: Any = None
    if pull_request:
        items, blocked = issue_preview(results, inputs.labels)
        issues = {"preview": True, "would_open": items}
        _append(summary_file, preview_markdown(items, blocked, inputs.create_issues))
    elif inputs.create_issues != "false":
        if event == "workflow_dispatch" or (event == "push" and _default_branch_push(payload)):
            status, issues, stderr = run_issue_command(inputs, paths, env)
            relay(stderr, out)
            if status != EXIT_CLEAN:
                failed = f"postmortem-check issues exited with {status}"
                out.write(f"::error title=postmortem-check issues::{escape_data(failed)}\n")
                code = max(code, status if status in (EXIT_FINDINGS, EXIT_ERROR) else EXIT_ERROR)
            mode = "dry run" if inputs.create_issues == "dry-run" else "created or updated"
            if status != EXIT_CLEAN and issues is None:
                _append(summary_file, f"### Issues ({mode})\n\nThe issues command failed (exit {status}); "
                                      "its messages are in the log.\n\n")
            else:
                text = json.dumps(issues, indent=2, ensure_ascii=False)
                if len(text) > 60_000:
                    text = text[:60_000] + "\n… (cut; the issues output has all of it)"
                _append(summary_file, f"### Issues ({mode})\n\n<details><summary>postmortem-check issues "
                                      f"output</summary>\n\n{_fence(text)}\n</details>\n\n")
        else:
            reason = f"event {event or 'local'} is not a push to the default branch or a workflow_dispatch"
            _append(summary_file, f"Issues were not synced: {md(reason)}.\n\n")
    write_output(output_file, "issues", json.dumps(issues, ensure_ascii=False))
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the action's run step; the exit code fails the step when it is not 0."""
    from .report.github import escape_data

    try:
        return run_action(os.environ, sys.stdout)
    except ActionError as error:
        sys.stdout.write(f"::error title=postmortem-check::{escape_data(str(error))}\n")
        return EXIT_ERROR
    except Exception as error:  # never a traceback in a workflow log
        message = f"internal error: {type(error).__name__}: {error}"
        sys.stdout.write(f"::error title=postmortem-check::{escape_data(message)}\n")
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
