"""``postmortem-check issues``: arguments, settings from the environment, and the run (lint, list, sync).

Exit codes: 0 every item in step, 1 any item failed (each listed), 2 usage, config, token, permission or
repository errors. The token comes only from GITHUB_TOKEN or GH_TOKEN and is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ..config import Config
    from ..lint import FileResult
    from .sync import Entry, Outcome, Settings

EXIT_OK, EXIT_FAILED, EXIT_ERROR = 0, 1, 2
DEFAULT_TOOL_LABEL = "postmortem"
DEFAULT_WRITE_SPACING = 1.0
DEFAULT_MAX_WAIT = 300.0
DEFAULT_MAX_CREATE = 50
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..cli import schema_arguments

    parser.add_argument("paths", nargs="+", metavar="PATH", help="postmortem files or directories")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; make no write request")
    parser.add_argument("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY, else the origin remote)")
    parser.add_argument("--api-url",
                        help="GitHub API URL (default: $GITHUB_API_URL or https://api.github.com)")
    parser.add_argument("--label", action="append", default=[],
                        help="extra label for every issue (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    schema_arguments(parser)  # the files are linted first, as `lint` would
    parser.add_argument("--allow-invalid", action="store_true",
                        help="accepted for compatibility: lint errors no longer hold back a file's issues")
    parser.add_argument("--close-orphans", action="store_true",
                        help="close open issues whose item is no longer in the postmortem")
    parser.add_argument("--write-back", action="store_true",
                        help="add the issue reference (#123) to each item's line in the postmortem")
    parser.set_defaults(run=run)


class _Redactor:
    """Writes lines to a stream with the token, should it ever appear in a message, blanked out."""

    def __init__(self, secret: str | None) -> None:
        self.secret = secret

    def __call__(self, text: str, stream: Any) -> None:
        if self.secret:
            text = text.replace(self.secret, "***")
        print(text, file=stream)
        stream.flush()


def _error(say: _Redactor, message: str) -> int:
    say(f"postmortem-check: error: {message}", sys.stderr)
    return EXIT_ERROR


def _repo_root(path: Path) -> Path | None:
    for directory in (path.parent, *path.parent.parents):
        if (directory / ".git").exists():
            return directory
    workspace = os.environ.get("GITHUB_WORKSPACE")
    return Path(workspace).resolve() if workspace else None


def repo_relative(path: str) -> str:
    """The file's path from the repository root, with forward slashes: what markers and permalinks use."""
    absolute = Path(path).resolve()
    root = _repo_root(absolute)
    for base in (root, Path.cwd().resolve()):
        if base is not None and absolute.is_relative_to(base):
            return absolute.relative_to(base).as_posix()
    return Path(os.path.normpath(path)).as_posix()


def _source(result: FileResult, repo: str) -> Any:
    from .content import Source, permalink

    file = repo_relative(result.path)
    date = None
    for key in ("date", "Date", "incident_date"):
        value = (result.front_matter or {}).get(key)
        if value:
            date = str(value)
            break
    sha = os.environ.get("GITHUB_SHA", "").strip()
    server = os.environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    link = permalink(server, repo, sha, file) if sha else None
    return Source(file, result.title, date, link)


def _settings(config: Config, args: argparse.Namespace, repo: str) -> tuple[Settings | None, str]:
    from .sync import Settings

    block = config.issues
    tool_label = str(block.get("tool_label", DEFAULT_TOOL_LABEL))
    labels = [*block.get("labels", []), *args.label]
    from .content import label_problem

    for label in [tool_label, *labels]:
        if label_problem(label):
            return None, str(label_problem(label))
    server = os.environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    return Settings(
        repo=repo, tool_label=tool_label, labels=tuple(dict.fromkeys(labels)),
        milestone=block.get("milestone") or None, assignees=dict(block.get("assignees", {})),
        close_done=bool(block.get("close_done", True)), server_url=server,
        max_create=int(block.get("max_create", DEFAULT_MAX_CREATE)),
    ), ""


def _entries(results: list[FileResult], repo: str, allow_invalid: bool, say: _Redactor) -> list[Entry]:
    from .scope import skip_reason
    from .sync import Entry

    entries: list[Entry] = []
    for result in results:
        skip = skip_reason(result)  # unreadable files and drafts; other lint errors do not hold items back
        if not result.action_items:
            say(f"postmortem-check: {result.path}: no action items found", sys.stderr)
        source = _source(result, repo)
        entries.extend(Entry(result.path, source, item, skip) for item in result.action_items)
    return entries


_VERBS = {"created": "would create", "updated": "would update", "closed": "would close", "reopened": "would reopen"}


def _text_line(outcome: Outcome) -> str:
    action = _VERBS.get(outcome.action, outcome.action) if outcome.planned else outcome.action
    number = outcome.issue.get("number") if outcome.issue else None
    issue = f" #{number}" if number is not None else ""
    title = f" \"{outcome.title}\"" if outcome.action in ("created", "failed") or outcome.planned else ""
    return f"{outcome.file}:{outcome.line}: {action}{issue}{title}: {outcome.reason}"


def _report(outcomes: list[Outcome], fmt: str, say: _Redactor) -> None:
    if fmt == "json":
        say(json.dumps([outcome.as_json() for outcome in outcomes], indent=2), sys.stdout)
        return
    for outcome in outcomes:
        say(_text_line(outcome), sys.stdout)


def _counts(outcomes: list[Outcome], requests: dict[str, int], dry_run: bool) -> str:
    from .sync import ACTIONS

    tally = {action: sum(1 for o in outcomes if o.action == action) for action in ACTIONS}
    said = ", ".join(f"{count} {action}" for action, count in tally.items() if count) or "no action items"
    sent = ", ".join(f"{count} {verb}" for verb, count in sorted(requests.items())) or "none"
    prefix = "dry run (nothing written): " if dry_run else ""
    return f"postmortem-check: issues: {prefix}{said}; requests: {sent}"


def run(args: argparse.Namespace) -> int:
    """Lint the files, list the repository's tool-labelled issues once, and bring the issues in step."""
    token = (os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or "").strip() or None
    say = _Redactor(token)
    try:
        return _run(args, token, say)
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as error:  # the message goes through the redactor, unlike the generic handler's
        return _error(say, f"internal error: {type(error).__name__}: {error}")


def _file_link(file: str, repo: str) -> str | None:
    from .content import permalink

    sha = os.environ.get("GITHUB_SHA", "").strip()
    server = os.environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    return permalink(server, repo, sha, file) if sha and repo else None


def _run(args: argparse.Namespace, token: str | None, say: _Redactor) -> int:
    from .repository import repository_from_remote

    server = os.environ.get("GITHUB_SERVER_URL", "").strip() or "https://github.com"
    repo = (args.repo or os.environ.get("GITHUB_REPOSITORY") or "").strip() \
        or repository_from_remote(Path(args.paths[0]), server) or ""
    offline = token is None and args.dry_run  # plan from the files alone: nothing is read from GitHub
    if not repo and not offline:
        return _error(say, "no repository: pass --repo OWNER/NAME, set GITHUB_REPOSITORY, or run in a "
                           "clone whose origin remote is on GitHub")
    if repo and not _REPO.match(repo):
        return _error(say, f"--repo must look like OWNER/NAME, not '{repo}'")
    api_url = (args.api_url or os.environ.get("GITHUB_API_URL") or "").strip() or "https://api.github.com"
    parts = urlsplit(api_url)
    try:
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:
        usable = False
    if not usable:
        return _error(say, f"the API URL must be an http(s) URL, not '{api_url}'")
    if token is None and not args.dry_run:
        return _error(say, "no token: set GITHUB_TOKEN (or GH_TOKEN) to a token with `issues: write`")

    from ..cli import load_configuration
    from ..lint import lint_paths, lint_text

    config, problems = load_configuration(args.config, args.schema)
    if config is None:
        for line in problems:
            _error(say, line)
        return EXIT_ERROR
    settings, problem = _settings(config, args, repo)
    if settings is None:
        return _error(say, problem)
    results = list(lint_paths(args.paths, config, problems))
    if problems:
        for line in problems:
            _error(say, line)
        return EXIT_ERROR
    entries = _entries(results, repo, args.allow_invalid, say)

    try:
        from .client import GitHubClient
    except ImportError as error:
        return _error(say, f"the issues command needs PyGithub ({error}): "
                           f"pip install 'postmortem-check[github]'")
    from .engine import Hooks, Options, synchronise

    spacing = float(config.issues.get("write_spacing", DEFAULT_WRITE_SPACING))
    max_wait = float(config.issues.get("max_wait", DEFAULT_MAX_WAIT))

    def notify(message: str) -> None:
        say(f"postmortem-check: {message}", sys.stderr)

    client = None if offline else GitHubClient(api_url, repo, token, write_spacing=spacing,
                                               max_wait=max_wait, notify=notify)
    hooks = Hooks(notify, repo_relative, lambda text: lint_text(text, config).action_items,
                  lambda file: _file_link(file, repo))
    try:
        done = synchronise(client, settings, entries, results, args.paths,
                           Options(args.dry_run, args.close_orphans, args.write_back), hooks)
    finally:
        if client is not None:
            client.close()
    outcomes, fatal = done.outcomes, done.fatal

    _report(outcomes, args.format, say)
    for outcome in outcomes:
        for warning in outcome.warnings:
            say(f"postmortem-check: warning: {outcome.file}:{outcome.line}: {warning}", sys.stderr)
    failed = [outcome for outcome in outcomes if outcome.action == "failed"]
    for outcome in failed:  # what a run-stopping error caused is said once, below
        if fatal is None or fatal.message not in outcome.reason:
            say(f"postmortem-check: failed: {outcome.file}:{outcome.line}: {outcome.reason}", sys.stderr)
    say(_counts(outcomes, dict(client.requests) if client else {}, args.dry_run), sys.stderr)
    if fatal is not None:
        say(f"postmortem-check: error: {fatal.message}", sys.stderr)
        if fatal.kind in ("auth", "permission", "not_found", "gone"):
            return EXIT_ERROR
    return EXIT_FAILED if failed or fatal is not None else EXIT_OK
