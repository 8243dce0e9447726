"""Which files a run knows completely, and which are skipped (unreadable, drafts), each with its reason.

An open issue of a file this run read, or of a file deleted from a directory it was given, whose
item is gone is an orphan; the issues of skipped files and of files outside the paths are left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from .sync import Existing, Outcome, Scope

if TYPE_CHECKING:
    from ..results import FileResult

UNREADABLE_RULES = ("unreadable-file", "file-too-large")


def skip_reason(result: FileResult) -> str | None:
    """Why none of a file's items get issues (it cannot be read, or it is a draft), or None."""
    unreadable = [finding for finding in result.findings if finding.rule in UNREADABLE_RULES]
    if unreadable:
        return f"the file cannot be read: {unreadable[0].message}"
    draft = next((finding for finding in result.findings if finding.rule == "draft"), None)
    if draft is not None:  # lint's draft mode, with the config's field and values
        return f"{draft.message.partition('): ')[0]}): its items get issues once the status changes"
    return None


def skipped_files(results: Iterable[FileResult]) -> list[Outcome]:
    """A plan line for each file that cannot be read (a draft's items are each listed as skipped)."""
    return [Outcome(result.path, 1, "", "skipped", None, reason) for result in results
            if not result.action_items and (reason := skip_reason(result))]


def scope(results: Iterable[FileResult], paths: Iterable[str], issues: Iterable[Existing],
          relative: Callable[[str], str]) -> Scope:
    """The files read (not skipped) and the marker files deleted from a directory in ``paths``."""
    files = frozenset(relative(result.path) for result in results if skip_reason(result) is None)
    directories = []
    for path in paths:
        if os.path.isdir(path):
            rel = relative(path)
            directories.append(("" if rel in ("", ".") else rel.rstrip("/") + "/", Path(path)))
    deleted = set()
    for issue in issues:
        file = issue.marker.file
        for prefix, directory in directories:
            inside = file[len(prefix):]
            if file.startswith(prefix) and ".." not in Path(inside).parts and not Path(inside).is_absolute() \
                    and not os.path.lexists(directory / inside):
                deleted.add(file)
    return Scope(files, frozenset(deleted))
