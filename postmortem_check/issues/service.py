"""The issue path's application layer: from lint results to sync entries, the offline preview, and a real
run (list once, plan, carry out, report). ``issues/command.py`` and ``action.py`` both call it.

The preview is the real ``sync.plan`` over no existing issues, with the real payload builder and a client
that never makes a request: what it shows is what a merge would send.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Config
from ..console import Console
from ..errors import ExitCode, UsageError
from ..results import FileResult
from .actions import Outcome, Step
from .content import Source, label_problem, permalink
from .engine import Hooks, Options, synchronise
from .errors import GitHubError
from .repository import repository_from_remote
from .scope import skip_reason
from .sync import Entry, Settings, Syncer, plan
from .sync import Outcome as ItemOutcome

DEFAULT_TOOL_LABEL = "postmortem"
DEFAULT_WRITE_SPACING = 1.0
DEFAULT_MAX_WAIT = 300.0
DEFAULT_MAX_CREATE = 50
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_SERVER_URL = "https://github.com"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_STOPPING = ("auth", "permission", "not_found", "gone")  # GitHubError kinds that make the exit code 2


@dataclass(frozen=True)
class SyncRequest:
    """Where and how to sync: the repository, the API, the token and the command-line switches."""

    repo: str
    api_url: str = DEFAULT_API_URL
    token: str | None = None
    dry_run: bool = False
    labels: tuple[str, ...] = ()
    close_orphans: bool = False
    write_back: bool = False

    @property
    def offline(self) -> bool:
        """A dry run without a token plans from the files alone: nothing is read from GitHub."""
        return self.token is None and self.dry_run


def resolve_repo(given: str | None, near: str = ".", required: bool = True) -> str:
    """``--repo``, ``$GITHUB_REPOSITORY`` or the ``origin`` remote of the git repository around ``near``,
    checked; empty only when not ``required`` (an offline dry run)."""
    repo = (given or os.environ.get("GITHUB_REPOSITORY") or "").strip() \
        or repository_from_remote(Path(near), _server_url()) or ""
    if not repo and required:
        raise UsageError("no repository: pass --repo OWNER/NAME, set GITHUB_REPOSITORY, or run in a "
                         "clone whose origin remote is on GitHub")
    if not repo:
        return repo
    if not _REPO.match(repo):
        raise UsageError(f"--repo must look like OWNER/NAME, not '{repo}'")
    return repo


def resolve_api_url(given: str | None) -> str:
    """``--api-url``, ``$GITHUB_API_URL`` or the public API, checked to be an http(s) URL."""
    api_url = (given or os.environ.get("GITHUB_API_URL") or "").strip() or DEFAULT_API_URL
    parts = urlsplit(api_url)
    try:
        usable = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:
        usable = False
    if not usable:
        raise UsageError(f"the API URL must be an http(s) URL, not '{api_url}'")
    return api_url


def token_from_env() -> str | None:
    """The token: only ever ``$GITHUB_TOKEN`` or ``$GH_TOKEN``."""
    return (os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or "").strip() or None


def _server_url() -> str:
    return os.environ.get("GITHUB_SERVER_URL", "").strip() or DEFAULT_SERVER_URL


def settings_for(config: Config, repo: str, extra_labels: Iterable[str] = ()) -> Settings:
    """The sync settings from the config's ``issues:`` block and the extra labels."""
    block = config.issues
    tool_label = str(block.get("tool_label", DEFAULT_TOOL_LABEL))
    labels = [*block.get("labels", []), *extra_labels]
    for label in [tool_label, *labels]:
        if problem := label_problem(label):
            raise UsageError(problem)
    return Settings(
        repo=repo, tool_label=tool_label, labels=tuple(dict.fromkeys(labels)),
        milestone=block.get("milestone") or None, assignees=dict(block.get("assignees", {})),
        close_done=bool(block.get("close_done", True)), server_url=_server_url(),
        max_create=int(block.get("max_create", DEFAULT_MAX_CREATE)),
    )


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


def source_for(result: FileResult, repo: str) -> Source:
    """The postmortem an item comes from, as the issue body names it."""
    file = repo_relative(result.path)
    date = None
    for key in ("date", "Date", "incident_date"):
        value = (result.front_matter or {}).get(key)
        if value:
            date = str(value)
            break
    sha = os.environ.get("GITHUB_SHA", "").strip()
    link = permalink(_server_url(), repo, sha, file) if sha else None
    return Source(file, result.title, date, link)


def entries_for(results: Iterable[FileResult], repo: str, console: Console | None = None) -> list[Entry]:
    """One sync entry per action item, skipped (with the reason) for unreadable files and drafts; lint
    errors that do not concern the items hold nothing back. Files without items are said on ``console``."""
    entries: list[Entry] = []
    for result in results:
        skip = skip_reason(result)
        if console is not None and not result.action_items and not skip:
            console.say(f"{result.path}: no action items found")
        source = source_for(result, repo)
        entries.extend(Entry(result.path, source, item, skip) for item in result.action_items)
    return entries


class _Offline:
    """A client for the preview: no issue exists, no milestone is known, and nothing is ever sent."""

    def list_issues(self, label: str) -> list[dict[str, Any]]:
        return []

    def milestones(self) -> dict[str, int]:
        return {}

    def create_issue(self, payload: dict[str, Any]) -> dict[str, Any]:
        raise GitHubError("the preview sends nothing", kind="other")

    def update_issue(self, number: int, payload: dict[str, Any]) -> dict[str, Any]:
        raise GitHubError("the preview sends nothing", kind="other")

    def add_comment(self, number: int, body: str) -> None:
        raise GitHubError("the preview sends nothing", kind="other")


class _Payloads(Syncer):
    """The sync's own payload builder, offline."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(_Offline(), settings, lambda message: None)

    def build(self, entry: Entry) -> dict[str, Any]:
        return self._payload(entry, [])


@dataclass(frozen=True)
class Preview:
    """What a merge would open: one record per issue, and the files whose items are held back (unreadable
    files and drafts)."""

    would_open: list[dict[str, Any]]
    blocked: list[str]


def preview(results: Sequence[FileResult], settings: Settings) -> Preview:
    """The issues a sync would create for these files if none existed yet (no request is made)."""
    entries = entries_for(results, settings.repo)
    payloads = _Payloads(settings)
    would_open: list[dict[str, Any]] = []
    blocked: list[str] = []
    for step in plan(entries, [], settings):
        path = step.entry.display
        if step.entry.skip_reason:
            blocked.append(path)
        if step.action != Step.CREATE:
            continue
        item = step.entry.item
        payload = payloads.build(step.entry)
        would_open.append({
            "path": path, "line": item.line, "id": item.id, "title": payload["title"],
            "assignees": list(payload.get("assignees", [])), "labels": list(payload["labels"]),
            "due": item.due, "priority": item.priority,
        })
    return Preview(would_open, list(dict.fromkeys(blocked)))


@dataclass
class SyncResult:
    """What a run did: every item's outcome, the run-stopping error if any, and the requests sent."""

    outcomes: list[ItemOutcome]
    fatal: GitHubError | None
    requests: dict[str, int]

    @property
    def exit_code(self) -> ExitCode:
        if self.fatal is not None and self.fatal.kind in _STOPPING:
            return ExitCode.ERROR
        failed = any(outcome.action == Outcome.FAILED for outcome in self.outcomes)
        return ExitCode.FINDINGS if failed or self.fatal is not None else ExitCode.CLEAN

    def as_json(self) -> list[dict[str, Any]]:
        return [outcome.as_json() for outcome in self.outcomes]


def _file_link(file: str, repo: str) -> str | None:
    sha = os.environ.get("GITHUB_SHA", "").strip()
    return permalink(_server_url(), repo, sha, file) if sha and repo else None


def sync(results: Sequence[FileResult], config: Config, request: SyncRequest, console: Console,
         paths: Sequence[str] = ()) -> SyncResult:
    """Bring the repository's issues in step with the items: list once, plan, carry out (or only plan),
    then the orphans and the write-back. An offline dry run plans from the files alone."""
    if request.token is None and not request.dry_run:
        raise UsageError("no token: set GITHUB_TOKEN (or GH_TOKEN) to a token with `issues: write`")
    settings = settings_for(config, request.repo, request.labels)
    entries = entries_for(results, request.repo, console)
    try:
        from .client import GitHubClient
    except ImportError as error:
        raise UsageError(f"the issues command needs PyGithub ({error}): "
                         f"pip install 'postmortem-check[github]'") from None
    from ..lint import lint_text

    spacing = float(config.issues.get("write_spacing", DEFAULT_WRITE_SPACING))
    max_wait = float(config.issues.get("max_wait", DEFAULT_MAX_WAIT))
    client = None if request.offline else GitHubClient(request.api_url, request.repo, request.token,
                                                       write_spacing=spacing, max_wait=max_wait, notify=console.say)
    hooks = Hooks(console.say, repo_relative, lambda text: lint_text(text, config).action_items,
                  lambda file: _file_link(file, request.repo))
    options = Options(request.dry_run, request.close_orphans, request.write_back)
    try:
        done = synchronise(client, settings, entries, list(results), list(paths), options, hooks)
    finally:
        if client is not None:
            client.close()
    return SyncResult(done.outcomes, done.fatal, dict(client.requests) if client is not None else {})


def outcome_line(outcome: ItemOutcome) -> str:
    """One outcome as a line of the text report."""
    said = Outcome(outcome.action)
    action = said.planned if outcome.planned else said.value
    number = outcome.issue.get("number") if outcome.issue else None
    issue = f" #{number}" if number is not None else ""
    title = f" \"{outcome.title}\"" if said in (Outcome.CREATED, Outcome.FAILED) or outcome.planned else ""
    return f"{outcome.file}:{outcome.line}: {action}{issue}{title}: {outcome.reason}"


def counts_line(result: SyncResult, dry_run: bool) -> str:
    """The closing line: how many items took each action, and the requests sent."""
    tally = {action: sum(1 for o in result.outcomes if o.action == action) for action in Outcome}
    said = ", ".join(f"{count} {action}" for action, count in tally.items() if count) or "no action items"
    sent = ", ".join(f"{count} {verb}" for verb, count in sorted(result.requests.items())) or "none"
    prefix = "dry run (nothing written): " if dry_run else ""
    return f"issues: {prefix}{said}; requests: {sent}"


def report(result: SyncResult, fmt: str, console: Console, dry_run: bool) -> None:
    """The outcomes on stdout (text or JSON), warnings, failures and the counts on stderr."""
    if fmt == "json":
        console.raw(json.dumps(result.as_json(), indent=2))
    else:
        for outcome in result.outcomes:
            console.result(outcome_line(outcome))
    for outcome in result.outcomes:
        for warning in outcome.warnings:
            console.warning(f"{outcome.file}:{outcome.line}: {warning}")
    fatal = result.fatal
    for outcome in result.outcomes:  # what a run-stopping error caused is said once, below
        if outcome.action == Outcome.FAILED and (fatal is None or fatal.message not in outcome.reason):
            console.say(f"failed: {outcome.file}:{outcome.line}: {outcome.reason}")
    console.say(counts_line(result, dry_run))
    if fatal is not None:
        console.error(fatal.message)
