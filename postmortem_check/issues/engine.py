"""One issue sync from start to end: list the tool's issues once, plan, carry the plan out, then the
orphans and the write-back. The command (or any caller in the same process) supplies the client, the
entries and the few callbacks that touch the terminal and the files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..action_items import ActionItem
from .errors import GitHubError
from .scope import scope, skipped_files
from .sync import Client, Entry, Existing, Outcome, Settings, Syncer, index_issues, orphans, plan
from .writeback import Target, write_back, write_back_targets

if TYPE_CHECKING:
    from ..results import FileResult


@dataclass(frozen=True)
class Options:
    """What the user asked of this run."""

    dry_run: bool = False
    close_orphans: bool = False
    write_back: bool = False


@dataclass(frozen=True)
class Hooks:
    """What the sync needs from its caller: messages out, paths, items of a text, links to files."""

    notify: Callable[[str], None]  # one line for stderr, without the program name
    relative: Callable[[str], str]  # a path as given -> the path from the repository root
    read_items: Callable[[str], list[ActionItem]]  # the action items of a postmortem's text
    file_link: Callable[[str], str | None]  # a repository-relative file -> its permalink, if any


@dataclass
class Result:
    outcomes: list[Outcome]
    fatal: GitHubError | None  # the error that stopped the run, if one did


def twins(existing: list[Existing]) -> list[str]:
    """Warnings about two issues carrying the same marker (e.g. from two runs at the same moment)."""
    seen: dict[tuple[str, str], int] = {}
    said = []
    for issue in existing:
        key = (issue.marker.file, issue.marker.item)
        if key in seen:
            said.append(f"warning: issues #{seen[key]} and #{issue.number} are both for item {key[1]} of "
                        f"{key[0]}; #{seen[key]} is kept in step, close the other by hand")
        else:
            seen[key] = issue.number
    return said


def synchronise(client: Client | None, settings: Settings, entries: list[Entry], results: list[FileResult],
                paths: list[str], options: Options, hooks: Hooks) -> Result:
    """Bring the issues in step with ``entries``. ``client`` None: a dry run from the files alone."""
    fatal: GitHubError | None = None
    existing: list[Existing] = []
    if client is not None:
        try:
            existing = index_issues(client.list_issues(settings.tool_label))
            for warning in twins(existing):
                hooks.notify(warning)
        except GitHubError as error:
            fatal = error
    else:
        hooks.notify("no token: existing issues were not checked; the plan comes from the files alone")
    steps = plan(entries, existing, settings, checked=client is not None)
    syncer = Syncer(client, settings, hooks.notify)
    syncer.fatal = fatal
    planned = syncer.run(steps, options.dry_run)
    outcomes = skipped_files(results) + planned
    if fatal is None and client is not None:
        gone = orphans(steps, existing, scope(results, paths, existing, hooks.relative))
        outcomes += syncer.orphans(gone, options.close_orphans, options.dry_run, hooks.file_link)
    if options.write_back:
        targets = write_back_targets(steps, planned)
        write_back(targets, paths, hooks.read_items, options.dry_run)
        _written(targets, outcomes, hooks.notify)
    return Result(outcomes, syncer.fatal)


def _written(targets: list[Target], outcomes: list[Outcome], notify: Callable[[str], None]) -> None:
    """Mark the outcomes whose item line now carries its issue reference; warn about the others."""
    by_item = {(outcome.file, outcome.item_id): outcome for outcome in outcomes}
    for target in targets:
        outcome = by_item.get((target.path, target.item.id))
        if target.written is not None and outcome is not None:
            outcome.written_back = f"#{target.number}"
        elif target.problem:
            notify(f"warning: {target.path}:{target.item.line}: {target.problem}")
