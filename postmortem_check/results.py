"""What lint learns about a file, and the running totals: the types every reporter and entry point share."""

from __future__ import annotations

from typing import Any, NamedTuple

from .findings import Finding, Severity


class ActionItem(NamedTuple):
    """One action item: its text as written, where it is, and what it says about itself (``position``: its
    place among the document's items, from 0)."""

    id: str
    text: str
    line: int
    done: bool
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    due: str | None = None
    priority: str | None = None
    issue: str | None = None
    placeholder: bool = False
    position: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id, "text": self.text, "line": self.line, "done": self.done,
            "assignees": list(self.assignees), "labels": list(self.labels), "due": self.due,
            "priority": self.priority, "issue": self.issue, "placeholder": self.placeholder,
        }


class FileResult(NamedTuple):
    """Everything lint learned about one file: ``sections`` maps a section id to its heading, line and style."""

    path: str
    schema: str
    findings: list[Finding]
    sections: dict[str, dict[str, Any]]
    action_items: list[ActionItem]
    title: str | None = None
    front_matter: dict[str, Any] | None = None

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.WARNING)

    @property
    def ok(self) -> bool:
        return self.errors == 0


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class Totals:
    """Files checked, errors and warnings so far."""

    __slots__ = ("errors", "files", "warnings")

    def __init__(self, files: int = 0, errors: int = 0, warnings: int = 0) -> None:
        self.files, self.errors, self.warnings = files, errors, warnings

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.errors += result.errors
        self.warnings += result.warnings

    def __str__(self) -> str:
        """The closing line every format shows: ``3 files checked: 1 error, 2 warnings``."""
        counts = f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"
        return f"{plural(self.files, 'file')} checked: {counts}"
