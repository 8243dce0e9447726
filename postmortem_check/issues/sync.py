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
from .actions import Outcome as OutcomeAction
from .actions import Step as StepAction
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
    orphan_comment,
    parse_marker,
    replace_marker,
)
from .errors import GitHubError

SIMILAR = 0.5  # share of words an edited item keeps with its issue's title to keep that issue
_PAIRING_LIMIT = 250_000  # item-issue pairs compared per file at most (a hostile file cannot stall a run)
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
    title: str = ""
    body: str = ""

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Existing | None:
        body = data.get("body") if isinstance(data.get("body"), str) else None
        marker = parse_marker(body)
        number = data.get("number")
        if marker is None or not isinstance(number, int):
            return None
        labels = tuple(str(x.get("name")) for x in data.get("labels") or [] if isinstance(x, dict))
        return cls(number, str(data.get("html_url") or ""), str(data.get("state") or "open"), marker, labels,
                   str(data.get("title") or ""), body or "")


@dataclass(frozen=True)
class Scope:
    """Which files this run knows completely: an open issue of one of them whose item is gone is an
    orphan. ``files``: files read (not drafts, not unreadable); ``deleted``: marker files that were
    under a directory given and no longer exist."""

    files: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()

    def covers(self, file: str) -> bool:
        return file in self.files or file in self.deleted


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
    edited: bool = False


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
    written_back: str | None = None  # the reference added to the item's line (--write-back)

    def as_json(self) -> dict[str, Any]:
        record: dict[str, Any] = {"file": self.file, "line": self.line, "item_id": self.item_id,
                                  "action": self.action, "issue": self.issue, "reason": self.reason}
        if self.planned:
            record["dry_run"] = True
        if self.written_back:
            record["written_back"] = self.written_back
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
        url = f"{settings.server_url.rstrip('/')}/{settings.repo}/issues/{number}" if settings.repo else None
        return {"number": number, "url": url}
    found = _ISSUE_URL_NUMBER.search(item.issue)
    return {"number": int(found.group(1)) if found else None, "url": item.issue}


def _milestone(entry: Entry, settings: Settings) -> str | None:
    return item_milestone(entry.item) or settings.milestone


def _revision(entry: Entry, settings: Settings) -> str:
    logins = assignee_logins(entry.item, settings.assignees)
    return fingerprint(entry.item, entry.source, logins, _milestone(entry, settings))


def _words(text: str) -> set[str]:
    return set(text.lower().split())


def _similarity(entry: Entry, issue: Existing) -> float:
    ours, theirs = _words(issue_title(entry.item)), _words(issue.title)
    return len(ours & theirs) / len(ours | theirs) if ours and theirs else 0.0


def _pair_edited(waiting: list[Entry], candidates: list[Existing]) -> dict[int, Existing]:
    """Items whose text changed, paired with the unclaimed issues of their file, the most similar title
    first (so deleting one item and rewording another keeps each issue with its item). Position alone
    never pairs: after a deletion the next item takes the deleted one's place. An item rewritten beyond
    recognition gets a new issue and its old one is reported as an orphan."""
    pairs: dict[int, Existing] = {}
    if not waiting or not candidates:
        return pairs
    if len(waiting) * len(candidates) <= _PAIRING_LIMIT:
        scored = sorted(((_similarity(entry, issue), -abs(entry.item.position - issue.marker.index), n, issue)
                         for n, entry in enumerate(waiting) for issue in candidates),
                        key=lambda x: (x[0], x[1]), reverse=True)
        taken: set[int] = set()
        for score, _, n, issue in scored:
            if score >= SIMILAR and n not in pairs and issue.number not in taken:
                pairs[n] = issue
                taken.add(issue.number)
    return pairs


def plan(entries: list[Entry], issues: list[Existing], settings: Settings, *, checked: bool = True) -> list[Step]:
    """Decide, for every item, what its issue needs. Pure: no requests.

    Items find their issue by the link they carry (``#123`` naming one of the tool's issues for the
    same file), else by file and item id, else, for an item whose text changed, among the file's
    unclaimed issues by title and position. ``checked`` False: the issues were not listed (no token).
    """
    steps, matched, used = _match_known(entries, issues, settings)
    edited = _match_edited(entries, issues, steps, matched, used)
    done: list[Step] = []
    for n, step in enumerate(steps):
        if step is None:
            step = _decide(entries[n], matched.get(n), n in edited, settings)
            if step.action == StepAction.CREATE and not checked:
                step.reason = "new action item (existing issues were not checked: no token)"
        done.append(step)
    return done


def _match_known(entries: list[Entry], issues: list[Existing],
                 settings: Settings) -> tuple[list[Step | None], dict[int, Existing], set[int]]:
    """Skips and links decided, and the issues found by the link an item carries or by its id; None
    where the step is still to be decided."""
    by_number = {existing.number: existing for existing in issues}
    by_id: dict[tuple[str, str], Existing] = {}
    for existing in issues:
        by_id.setdefault((existing.marker.file, existing.marker.item), existing)
    steps: list[Step | None] = []
    matched: dict[int, Existing] = {}
    used: set[int] = set()
    for n, entry in enumerate(entries):
        item, file = entry.item, entry.source.file
        if entry.skip_reason or item.placeholder:
            reason = entry.skip_reason or "template placeholder: fill it in to open an issue"
            steps.append(Step(entry, StepAction.SKIP, reason))
            continue
        link = _link(item, settings)
        ours = by_number.get(link["number"]) if link and link["number"] is not None else None
        if link is not None and (ours is None or ours.marker.file != file):
            steps.append(Step(entry, StepAction.LINK, f"the item names its issue ({item.issue})", link=link))
            if link["number"] is not None:
                used.add(link["number"])
            continue
        match = ours or by_id.get((file, item.id))
        if match is not None and match.number not in used:
            matched[n] = match
            used.add(match.number)
        steps.append(None)
    return steps, matched, used


def _match_edited(entries: list[Entry], issues: list[Existing], steps: list[Step | None],
                  matched: dict[int, Existing], used: set[int]) -> set[int]:
    """Pair the items still without an issue with their file's unclaimed issues (an edited item keeps
    its issue); returns the indexes of the items paired so."""
    ids_in_file: dict[str, set[str]] = {}
    for entry in entries:
        ids_in_file.setdefault(entry.source.file, set()).add(entry.item.id)
    waiting: dict[str, list[int]] = {}
    for n, step in enumerate(steps):
        if step is None and n not in matched:
            waiting.setdefault(entries[n].source.file, []).append(n)
    edited: set[int] = set()
    for file, numbers in waiting.items():
        candidates = [issue for issue in issues if issue.marker.file == file and issue.number not in used
                      and issue.marker.item not in ids_in_file[file]]
        for index, issue in _pair_edited([entries[n] for n in numbers], candidates).items():
            matched[numbers[index]] = issue
            used.add(issue.number)
            edited.add(numbers[index])
    return edited


def orphans(steps: list[Step], issues: list[Existing], scope: Scope) -> list[Existing]:
    """Open issues of files this run knows completely whose item is gone (twins of a matched issue,
    which the run warns about on their own, left out)."""
    used = {step.issue.number for step in steps if step.issue is not None}
    used |= {step.link["number"] for step in steps if step.link is not None and step.link.get("number")}
    kept = {(issue.marker.file, issue.marker.item) for issue in issues if issue.number in used}
    return [issue for issue in issues if issue.state == "open" and issue.number not in used
            and scope.covers(issue.marker.file) and (issue.marker.file, issue.marker.item) not in kept]


def _decide(entry: Entry, match: Existing | None, edited: bool, settings: Settings) -> Step:
    if entry.item.done:
        if match is None:
            return Step(entry, StepAction.SKIP, "done; no issue to close")
        if match.state != "open":
            return Step(entry, StepAction.EXISTS, "done; its issue is closed", match)
        if not settings.close_done:
            return Step(entry, StepAction.EXISTS, "done, but close_done is off; its issue stays open", match)
        return Step(entry, StepAction.CLOSE, "the item is checked done", match, edited=edited)
    if match is None:
        return Step(entry, StepAction.CREATE, "new action item")
    if match.state != "open":
        if match.marker.closed in ("done", "orphan"):
            why = "unchecked again" if match.marker.closed == "done" else "back in the postmortem"
            return Step(entry, StepAction.REOPEN, f"the item is {why}", match, edited=edited)
        return Step(entry, StepAction.EXISTS, "issue is closed on GitHub; not reopened", match)
    if edited:
        return Step(entry, StepAction.UPDATE, "the item's text changed", match, edited=True)
    if match.marker.rev != _revision(entry, settings) or match.marker.index != entry.item.position:
        return Step(entry, StepAction.UPDATE, "the item's details changed", match)
    return Step(entry, StepAction.EXISTS, "issue is open", match)


_PAST = {step.value: step.outcome.value for step in StepAction}
_WRITES = tuple(step.value for step in StepAction if step.writes)


class Syncer:
    """Carries out a plan: one write at a time, and no create sent twice without listing in between."""

    def __init__(self, client: Client | None, settings: Settings, notify: Callable[[str], None]) -> None:
        self.client = client  # None: a dry run without a token (nothing is read from GitHub either)
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

    def _payload(self, entry: Entry, warnings: list[str], closed: str = "") -> dict[str, Any]:
        item = entry.item
        logins = assignee_logins(item, self.settings.assignees)
        milestone = _milestone(entry, self.settings)
        marker = Marker(entry.source.file, item.id, item.position, _revision(entry, self.settings), closed)
        payload: dict[str, Any] = {
            "title": issue_title(item),
            "body": issue_body(item, entry.source, logins, milestone, marker),
            "labels": self._labels(item, warnings),
        }
        if logins:
            payload["assignees"] = logins
        if milestone and self.client is not None:
            number = self._milestone_number(milestone)
            if number is None:
                warnings.append(f"milestone '{milestone}' does not exist in {self.settings.repo}; left out")
            else:
                payload["milestone"] = number
        return payload

    def _milestone_number(self, name: str) -> int | None:
        if self._milestones is None and self.client is not None:
            self._milestones = self.client.milestones()
        return (self._milestones or {}).get(name)

    def run(self, steps: list[Step], dry_run: bool) -> list[Outcome]:
        outcomes = []
        for step in steps:
            if self.fatal is not None and step.action in _WRITES:
                outcomes.append(self._outcome(step, OutcomeAction.FAILED, f"not attempted: {self.fatal.message}"))
                continue
            if step.action == StepAction.CREATE and self._created >= self.settings.max_create:
                self.fatal = GitHubError(self.cap_message(), kind="cap", fatal=True)
                outcomes.append(self._outcome(step, OutcomeAction.FAILED, f"not attempted: {self.fatal.message}"))
                continue
            if step.action == StepAction.CREATE:
                self._created += 1  # counted when sent: an ambiguous create may have opened its issue
            try:
                outcomes.append(self._plan_only(step) if dry_run else self._apply(step))
            except GitHubError as error:
                if error.fatal:
                    self.fatal = error
                outcomes.append(self._outcome(step, OutcomeAction.FAILED, error.message))
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
        if step.action == StepAction.CREATE:
            payload = self._payload(step.entry, warnings)
            extras = [f"labels: {', '.join(payload['labels'])}"]
            if payload.get("assignees"):
                extras.append(f"assignees: {', '.join(payload['assignees'])}")
            reason = f"{step.reason} ({'; '.join(extras)})"
        else:
            reason = step.reason
        outcome = self._outcome(step, _PAST[step.action], reason, warnings=warnings)
        outcome.planned = step.action in _WRITES
        return outcome

    def _apply(self, step: Step) -> Outcome:
        assert self.client is not None, "only a dry run goes without GitHub"
        if step.action == StepAction.CREATE:
            return self._create(step)
        warnings: list[str] = []
        if step.action in (StepAction.UPDATE, StepAction.REOPEN) and step.issue is not None:
            payload = self._payload(step.entry, warnings)
            change = {"title": payload["title"], "body": payload["body"]}
            if step.action == StepAction.REOPEN:
                change["state"] = "open"
            self.client.update_issue(step.issue.number, change)
            return self._outcome(step, _PAST[step.action], step.reason, warnings=warnings)
        if step.action == StepAction.CLOSE and step.issue is not None:
            payload = self._payload(step.entry, warnings, closed="done")  # so unchecking it reopens it
            self.client.update_issue(step.issue.number, {"state": "closed", "state_reason": "completed",
                                                         "title": payload["title"], "body": payload["body"]})
            try:
                self.client.add_comment(step.issue.number, close_comment(step.entry.item, step.entry.source))
            except GitHubError as error:
                if error.fatal:
                    raise
                warnings.append(f"closed #{step.issue.number}, but the closing comment failed: "
                                f"{error.message}")
            return self._outcome(step, OutcomeAction.CLOSED, step.reason, warnings=warnings)
        return self._outcome(step, _PAST[step.action], step.reason)

    def _post(self, payload: dict[str, Any], warnings: list[str]) -> dict[str, Any]:
        """POST the issue; a 422 naming assignees or the milestone (nothing was created) drops them and
        sends it again, so one unassignable person never blocks the issue."""
        assert self.client is not None
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
                    return self._outcome(step, OutcomeAction.CREATED, reason,
                                         {"number": found.number, "url": found.url}, warnings)
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
                return self._outcome(step, OutcomeAction.FAILED, self.fatal.message, issue, warnings)
            return self._outcome(step, OutcomeAction.CREATED, step.reason, issue, warnings)
        message = last.message if last else "could not create the issue"
        return self._outcome(step, OutcomeAction.FAILED, f"{message}; listed twice and the issue is not there", None,
                             warnings)

    def orphans(self, issues: list[Existing], close: bool, dry_run: bool,
                link: Callable[[str], str | None]) -> list[Outcome]:
        """Report each orphan; with ``close``, close it as not planned with a comment linking its file."""
        outcomes = []
        for issue in issues:
            marker = issue.marker
            record = Outcome(marker.file, 0, marker.item, OutcomeAction.ORPHANED,
                             {"number": issue.number, "url": issue.url}, "its item is no longer in the postmortem",
                             issue.title)
            if not close:
                record.reason += "; close it with --close-orphans"
            elif dry_run or self.client is None:
                record.action, record.planned = OutcomeAction.CLOSED, True
            elif self.fatal is not None:
                record.action, record.reason = OutcomeAction.FAILED, f"not attempted: {self.fatal.message}"
            else:
                try:
                    body = replace_marker(issue.body, Marker(marker.file, marker.item, marker.index, marker.rev,
                                                             "orphan"))
                    self.client.update_issue(issue.number, {"state": "closed", "state_reason": "not_planned",
                                                            "body": body})
                    record.action = OutcomeAction.CLOSED
                    self.client.add_comment(issue.number, orphan_comment(marker.file, link(marker.file)))
                except GitHubError as error:
                    if error.fatal:
                        self.fatal = error
                    if record.action == OutcomeAction.CLOSED:
                        record.warnings.append(f"closed #{issue.number}, but the comment failed: {error.message}")
                    else:
                        record.action, record.reason = OutcomeAction.FAILED, error.message
            outcomes.append(record)
        return outcomes

    def _find(self, entry: Entry) -> Existing | None:
        assert self.client is not None
        for existing in index_issues(self.client.list_issues(self.settings.tool_label)):
            if (existing.marker.file, existing.marker.item) == (entry.source.file, entry.item.id):
                return existing
        return None
