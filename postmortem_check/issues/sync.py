"""Issue sync: plan what each action item needs (pure), then carry the plan out through a client.

The plan matches items to the repository's issues by the hidden marker in their bodies (file and item
id, else file and position for an edited item), never by title and never through the search API.
Carrying it out never sends a create twice blindly: after an ambiguous answer the issues are listed
again, and only when the issue is not there is the create sent once more.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..action_items import ActionItem
from .content import (
    Marker,
    Source,
    assignee_logins,
    close_comment,
    fingerprint,
    issue_body,
    issue_title,
    item_labels,
    item_milestone,
    parse_marker,
)
from .errors import GitHubError

ACTIONS = ("created", "exists", "updated", "closed", "linked", "skipped", "failed")
_ISSUE_URL_NUMBER = re.compile(r"/(?:issues|pull)/(\d+)")


class Client(Protocol):
    """What the sync needs from GitHub (``client.GitHubClient`` provides it)."""

    def list_issues(self, label: str) -> list[dict[str, Any]]: ...
    def milestones(self) -> dict[str, int]: ...
    def create_issue(self, payload: dict[str, Any]) -> dict[str, Any]: ...
    def update_issue(self, number: int, payload: dict[str, Any]) -> dict[str, Any]: ...
    def add_comment(self, number: int, body: str) -> None: ...


@dataclass(frozen=True)
class Settings:
    """The ``issues:`` config block and command-line options that shape issues."""

    repo: str
    tool_label: str = "postmortem"
    labels: tuple[str, ...] = ()
    milestone: str | None = None
    assignees: dict[str, str] = field(default_factory=dict)
    close_done: bool = True
    server_url: str = "https://github.com"
    max_create: int = 50  # issues one run may open; the rest wait for a raised cap or the next run


@dataclass(frozen=True)
class Existing:
    """An issue the tool opened earlier, as the listing shows it."""

    number: int
    url: str
    state: str
    marker: Marker
    labels: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Existing | None:
        marker = parse_marker(data.get("body") if isinstance(data.get("body"), str) else None)
        number = data.get("number")
        if marker is None or not isinstance(number, int):
            return None
        labels = tuple(str(x.get("name")) for x in data.get("labels") or [] if isinstance(x, dict))
        return cls(number, str(data.get("html_url") or ""), str(data.get("state") or "open"), marker, labels)


@dataclass(frozen=True)
class Entry:
    """One action item to sync, with the postmortem it comes from."""

    display: str  # the path as the user gave it
    source: Source
    item: ActionItem
    skip_reason: str | None = None  # set when the whole file is skipped (lint errors)


@dataclass
class Step:
    """What one item needs: create, update, close, exists, link or skip, and why."""

    entry: Entry
    action: str
    reason: str
    issue: Existing | None = None
    link: dict[str, Any] | None = None


@dataclass
class Outcome:
    """What happened to one item (the ``--format json`` record)."""

    file: str
    line: int
    item_id: str
    action: str
    issue: dict[str, Any] | None
    reason: str
    title: str = ""
    planned: bool = False  # a dry run: the action is what would be done
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"file": self.file, "line": self.line, "item_id": self.item_id,
                                  "action": self.action, "issue": self.issue, "reason": self.reason}
        if self.planned:
            record["dry_run"] = True
        return record


def index_issues(issues: Iterable[dict[str, Any]]) -> list[Existing]:
    """Issues that carry a marker, lowest number first (so an accidental twin never wins)."""
    found = [existing for data in issues if (existing := Existing.from_json(data)) is not None]
    return sorted(found, key=lambda existing: existing.number)


def _link(item: ActionItem, settings: Settings) -> dict[str, Any] | None:
    if not item.issue:
        return None
    if item.issue.startswith("#"):
        number = int(item.issue[1:])
        return {"number": number, "url": f"{settings.server_url.rstrip('/')}/{settings.repo}/issues/{number}"}
    found = _ISSUE_URL_NUMBER.search(item.issue)
    return {"number": int(found.group(1)) if found else None, "url": item.issue}


def _milestone(entry: Entry, settings: Settings) -> str | None:
    return item_milestone(entry.item) or settings.milestone


def _revision(entry: Entry, settings: Settings) -> str:
    logins = assignee_logins(entry.item, settings.assignees)
    return fingerprint(entry.item, entry.source, logins, _milestone(entry, settings))


def plan(entries: list[Entry], issues: list[Existing], settings: Settings) -> list[Step]:
    """Decide, for every item, what its issue needs. Pure: no requests."""
    by_id: dict[tuple[str, str], Existing] = {}
    by_index: dict[tuple[str, int], list[Existing]] = {}
    for existing in issues:
        key = (existing.marker.file, existing.marker.item)
        by_id.setdefault(key, existing)
        by_index.setdefault((existing.marker.file, existing.marker.index), []).append(existing)
    ids_in_file: dict[str, set[str]] = {}
    for entry in entries:
        ids_in_file.setdefault(entry.source.file, set()).add(entry.item.id)
    claimed = {by_id[key].number for key in by_id if key[1] in ids_in_file.get(key[0], set())}

    steps: list[Step] = []
    for entry in entries:
        item, file = entry.item, entry.source.file
        if entry.skip_reason:
            steps.append(Step(entry, "skip", entry.skip_reason))
            continue
        if item.placeholder:
            steps.append(Step(entry, "skip", "template placeholder: fill it in to open an issue"))
            continue
        link = _link(item, settings)
        if link is not None:
            steps.append(Step(entry, "link", f"the item names its issue ({item.issue})", link=link))
            continue
        match = by_id.get((file, item.id))
        edited = False
        if match is None:  # an edited item keeps the issue opened for its position, if nothing else claims it
            for candidate in by_index.get((file, item.index), []):
                if candidate.number not in claimed and candidate.marker.item not in ids_in_file[file]:
                    match, edited = candidate, True
                    claimed.add(candidate.number)
                    break
        steps.append(_decide(entry, match, edited, settings))
    return steps


def _decide(entry: Entry, match: Existing | None, edited: bool, settings: Settings) -> Step:
    if entry.item.done:
        if match is None:
            return Step(entry, "skip", "done; no issue to close")
        if match.state != "open":
            return Step(entry, "exists", "done; its issue is closed", match)
        if not settings.close_done:
            return Step(entry, "exists", "done, but close_done is off; its issue stays open", match)
        return Step(entry, "close", "the item is checked done", match)
    if match is None:
        return Step(entry, "create", "new action item")
    if edited:
        return Step(entry, "update", "the item's text changed", match)
    if match.marker.rev != _revision(entry, settings) or match.marker.index != entry.item.index:
        return Step(entry, "update", "the item's details changed", match)
    state = "open" if match.state == "open" else "closed on GitHub; not reopened"
    return Step(entry, "exists", f"issue is {state}", match)


_PAST = {"create": "created", "update": "updated", "close": "closed", "exists": "exists", "link": "linked",
         "skip": "skipped"}


class Syncer:
    """Carries out a plan: one write at a time, and no create sent twice without listing in between."""

    def __init__(self, client: Client, settings: Settings, notify: Callable[[str], None]) -> None:
        self.client = client
        self.settings = settings
        self.notify = notify
        self.fatal: GitHubError | None = None
        self._created = 0
        self._milestones: dict[str, int] | None = None

    def _labels(self, item: ActionItem, warnings: list[str]) -> list[str]:
        """The tool label, the configured ones and the item's own, each once whatever its case."""
        own, refused = item_labels(item)
        if refused:
            warnings.append(f"not used as labels (only a trailing 'labels: a, b' list of names of at most "
                            f"50 characters counts): {', '.join(repr(x[:60]) for x in refused)}")
        labels: dict[str, str] = {}
        for label in [self.settings.tool_label, *self.settings.labels, *own]:
            if label:
                labels.setdefault(label.lower(), label)
        return list(labels.values())

    def _payload(self, entry: Entry, warnings: list[str]) -> dict[str, Any]:
        item = entry.item
        logins = assignee_logins(item, self.settings.assignees)
        milestone = _milestone(entry, self.settings)
        marker = Marker(entry.source.file, item.id, item.index, _revision(entry, self.settings))
        payload: dict[str, Any] = {
            "title": issue_title(item),
            "body": issue_body(item, entry.source, logins, milestone, marker),
            "labels": self._labels(item, warnings),
        }
        if logins:
            payload["assignees"] = logins
        if milestone:
            number = self._milestone_number(milestone)
            if number is None:
                warnings.append(f"milestone '{milestone}' does not exist in {self.settings.repo}; left out")
            else:
                payload["milestone"] = number
        return payload

    def _milestone_number(self, name: str) -> int | None:
        if self._milestones is None:
            self._milestones = self.client.milestones()
        return self._milestones.get(name)

    def run(self, steps: list[Step], dry_run: bool) -> list[Outcome]:
        outcomes = []
        for step in steps:
            if self.fatal is not None and step.action in ("create", "update", "close"):
                outcomes.append(self._outcome(step, "failed", f"not attempted: {self.fatal.message}"))
                continue
            if step.action == "create" and self._created >= self.settings.max_create:
                self.fatal = GitHubError(self.cap_message(), kind="cap", fatal=True)
                outcomes.append(self._outcome(step, "failed", f"not attempted: {self.fatal.message}"))
                continue
            if step.action == "create":
                self._created += 1  # counted when sent: an ambiguous create may have opened its issue
            try:
                outcomes.append(self._plan_only(step) if dry_run else self._apply(step))
            except GitHubError as error:
                if error.fatal:
                    self.fatal = error
                outcomes.append(self._outcome(step, "failed", error.message))
        return outcomes

    def cap_message(self) -> str:
        cap = self.settings.max_create
        return (f"the run stopped after opening {cap} issues, the cap per run (issues.max_create: {cap}); "
                f"raise issues.max_create in .postmortem-check.yaml to open more in one run, or run again "
                f"to open the next {cap}")

    def _outcome(self, step: Step, action: str, reason: str, issue: dict[str, Any] | None = None,
                 warnings: list[str] | None = None) -> Outcome:
        entry = step.entry
        if issue is None and step.issue is not None:
            issue = {"number": step.issue.number, "url": step.issue.url}
        if issue is None and step.link is not None:
            issue = step.link
        return Outcome(entry.display, entry.item.line, entry.item.id, action, issue, reason,
                       issue_title(entry.item), warnings=warnings or [])

    def _plan_only(self, step: Step) -> Outcome:
        warnings: list[str] = []
        if step.action == "create":
            payload = self._payload(step.entry, warnings)
            extras = [f"labels: {', '.join(payload['labels'])}"]
            if payload.get("assignees"):
                extras.append(f"assignees: {', '.join(payload['assignees'])}")
            reason = f"{step.reason} ({'; '.join(extras)})"
        else:
            reason = step.reason
        outcome = self._outcome(step, _PAST[step.action], reason, warnings=warnings)
        outcome.planned = step.action in ("create", "update", "close")
        return outcome

    def _apply(self, step: Step) -> Outcome:
        if step.action == "create":
            return self._create(step)
        if step.action == "update" and step.issue is not None:
            warnings: list[str] = []
            payload = self._payload(step.entry, warnings)
            self.client.update_issue(step.issue.number, {"title": payload["title"], "body": payload["body"]})
            return self._outcome(step, "updated", step.reason, warnings=warnings)
        if step.action == "close" and step.issue is not None:
            self.client.update_issue(step.issue.number, {"state": "closed", "state_reason": "completed"})
            warnings = []
            try:
                self.client.add_comment(step.issue.number, close_comment(step.entry.item, step.entry.source))
            except GitHubError as error:
                if error.fatal:
                    raise
                warnings.append(f"closed #{step.issue.number}, but the closing comment failed: "
                                f"{error.message}")
            return self._outcome(step, "closed", step.reason, warnings=warnings)
        return self._outcome(step, _PAST[step.action], step.reason)

    def _post(self, payload: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        """POST the issue; a 422 naming assignees or the milestone (nothing was created) drops them and
        sends it again, so one unassignable person never blocks the issue."""
        while True:
            try:
                return self.client.create_issue(payload)
            except GitHubError as error:
                invalid = error.invalid if error.kind == "validation" else {}
                if "assignees" in invalid and payload.get("assignees"):
                    refused = {value.lower() for value in invalid["assignees"]}
                    kept = [x for x in payload["assignees"] if refused and x.lower() not in refused]
                    left_out = [x for x in payload["assignees"] if x not in kept]
                    warnings.append(f"could not assign {', '.join('@' + x for x in left_out)} "
                                    f"(not assignable in {self.settings.repo}); issue created without them")
                    payload = {**payload, "assignees": kept} if kept else \
                        {k: v for k, v in payload.items() if k != "assignees"}
                    continue
                if "milestone" in invalid and "milestone" in payload:
                    warnings.append("GitHub refused the milestone; issue created without it")
                    payload = {k: v for k, v in payload.items() if k != "milestone"}
                    continue
                raise

    def _create(self, step: Step) -> Outcome:
        warnings: list[str] = []
        entry = step.entry
        payload = self._payload(entry, warnings)
        last: GitHubError | None = None
        for attempt in (1, 2):
            try:
                data = self._post(payload, warnings)
            except GitHubError as failure:
                if failure.fatal or not failure.ambiguous:
                    raise
                last = failure
                where = f"{entry.display}:{entry.item.line}"
                self.notify(f"{where}: {failure.message}; listing the issues to see whether it was created")
                found = self._find(entry)
                if found is not None:
                    reason = f"created (confirmed by listing after: {failure.message})"
                    return self._outcome(step, "created", reason, {"number": found.number, "url": found.url},
                                         warnings)
                if attempt == 1:
                    self.notify(f"{where}: not created; sending it once more")
                continue
            issue = {"number": data.get("number"), "url": data.get("html_url")}
            labels = {str(label.get("name")).lower() for label in data.get("labels") or []
                      if isinstance(label, dict)}
            if data.get("labels") is not None and self.settings.tool_label.lower() not in labels:
                self.fatal = GitHubError(
                    f"issue #{issue['number']} was created without the label '{self.settings.tool_label}' "
                    f"(the token cannot set labels), so later runs could not find it; no further issues "
                    f"are created",
                    kind="permission", fatal=True)
                return self._outcome(step, "failed", self.fatal.message, issue, warnings)
            return self._outcome(step, "created", step.reason, issue, warnings)
        message = last.message if last else "could not create the issue"
        return self._outcome(step, "failed", f"{message}; listed twice and the issue is not there", None,
                             warnings)

    def _find(self, entry: Entry) -> Existing | None:
        for existing in index_issues(self.client.list_issues(self.settings.tool_label)):
            if (existing.marker.file, existing.marker.item) == (entry.source.file, entry.item.id):
                return existing
        return None
