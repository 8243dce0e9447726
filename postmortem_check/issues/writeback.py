"""``--write-back``: the issue reference ``(#123)`` added to the item's line in the postmortem.

Only the line changes: the rest of it, every line ending and the UTF-8 byte order mark are kept. Each
edit is checked by reading the items again (the item keeps its id and now names its issue), the file
is replaced atomically, and only a regular file inside the paths being synced is written.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..action_items import ActionItem
from ..files import ChangedDuringRun, write_atomic
from .sync import Outcome, Step

BOM = b"\xef\xbb\xbf"
NEARBY_LINES = 10  # an item wrapped over several lines gets the reference on one of its next lines
MAX_CELLS = 20  # table cells tried for the reference
_BREAK = re.compile(r"(\r\n|\r|\n)")


@dataclass
class Target:
    """One item and the number of the tool's issue to write into its line."""

    path: str  # the file as the user named it
    item: ActionItem
    number: int
    written: int | None = None  # the line that now carries the reference
    problem: str | None = None


_KEPT = ("created", "exists", "updated", "closed", "reopened")


def write_back_targets(steps: list[Step], outcomes: list[Outcome]) -> list[Target]:
    """The items that have one of the tool's issues but do not name it yet (``outcomes[i]`` is what
    happened to ``steps[i]``)."""
    targets = []
    for step, outcome in zip(steps, outcomes, strict=True):
        number = (outcome.issue or {}).get("number")
        if step.action != "link" and outcome.action in _KEPT and isinstance(number, int) \
                and not step.entry.item.issue:
            targets.append(Target(step.entry.display, step.entry.item, number))
    return targets


def _inside(path: str, roots: list[str]) -> bool:
    """True when ``path`` is a regular file (not a link) inside one of ``roots`` (files or directories)."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    real = Path(os.path.realpath(path))
    for root in roots:
        base = Path(os.path.realpath(root))
        if real == base or (base.is_dir() and real.is_relative_to(base)):
            return True
    return False


def _edits(line: str, reference: str) -> list[str]:
    """Ways to add ``reference`` to ``line``: at its end (before trailing spaces), or, in a table row,
    at the end of one of its cells (the check after each edit picks the cell that holds the item)."""
    content = line.rstrip(" \t")
    trailing = line[len(content):]
    found = [f"{content} {reference}{trailing}"]
    if content.endswith("|") and content.count("|") >= 2:
        pipes = [at for at, char in enumerate(content) if char == "|" and at > 0 and content[at - 1] != "\\"]
        for at in pipes[:MAX_CELLS]:
            cell = content[:at].rstrip(" \t")
            if cell.strip("|"):
                found.append(f"{cell} {reference} {content[at:]}{trailing}")
    return found


def _names(items: list[ActionItem], target: Target) -> bool:
    """Whether the items read again still hold the target item, now naming its issue."""
    item = target.item
    again = next((x for x in items if x.position == item.position), None)
    return again is not None and again.id == item.id and again.issue == f"#{target.number}"


def write_back(targets: list[Target], roots: list[str], read_items: Callable[[str], list[ActionItem]],
               dry_run: bool = False) -> None:
    """Add each target's reference to its file, one atomic write per file; sets ``written`` or ``problem``."""
    by_file: dict[str, list[Target]] = {}
    for target in targets:
        by_file.setdefault(target.path, []).append(target)
    for path, group in by_file.items():
        problem = _write_file(path, group, roots, read_items, dry_run)
        for target in group:
            if problem and target.problem is None and target.written is None:
                target.problem = problem


def _write_file(path: str, group: list[Target], roots: list[str],
                read_items: Callable[[str], list[ActionItem]], dry_run: bool) -> str | None:
    if not _inside(path, roots):
        return "not written back: the file is a link or lies outside the paths being synced"
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        text = data[len(BOM):].decode("utf-8") if data.startswith(BOM) else data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"not written back: the file cannot be read again ({type(error).__name__})"
    parts = _BREAK.split(text)  # line, break, line, break, ..., line
    count = len(read_items(text))
    for target in group:
        target.problem = "not written back: no line of the item could carry the reference; add it by hand"
        for offset in range(NEARBY_LINES):
            at = 2 * (target.item.line - 1 + offset)
            if at >= len(parts) or (offset and not parts[at].strip()):
                break
            for edited in _edits(parts[at], f"(#{target.number})"):
                trial = [*parts[:at], edited, *parts[at + 1:]]
                items = read_items("".join(trial))
                if len(items) == count and _names(items, target):
                    parts, target.written, target.problem = trial, target.item.line + offset, None
                    break
            if target.written is not None:
                break
    if dry_run or not any(target.written for target in group):
        return None
    new = (BOM if data.startswith(BOM) else b"") + "".join(parts).encode("utf-8")
    return _replace(path, data, new)


def _replace(path: str, old: bytes, new: bytes) -> str | None:
    """Write ``new`` over ``path`` atomically, unless ``path`` changed since it was read; why not, or None."""
    try:
        write_atomic(path, new, expected=old)
    except ChangedDuringRun:
        return "not written back: the file changed during the run"
    except OSError as error:
        return f"not written back: {type(error).__name__}: {error.strerror or error}"
    return None
