"""Report stage: one module per output format. Each reporter sees every file result, then the totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, TextIO

from ..lint import FileResult

FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class Totals:
    files: int = 0
    errors: int = 0
    warnings: int = 0

    def add(self, result: FileResult) -> None:
        self.files += 1
        self.errors += result.errors
        self.warnings += result.warnings

    def __str__(self) -> str:
        """The closing line every format shows: ``3 files checked: 1 error, 2 warnings``."""
        counts = f"{plural(self.errors, 'error')}, {plural(self.warnings, 'warning')}"
        return f"{plural(self.files, 'file')} checked: {counts}"


class Reporter(Protocol):
    def file(self, result: FileResult) -> None: ...

    def finish(self, totals: Totals) -> None: ...


def make_reporter(name: str, out: TextIO) -> Reporter:
    """The reporter for an output format, imported only when asked for."""
    if name == "json":
        from .json import JsonReporter

        return JsonReporter(out)
    if name == "github":
        from .github import GithubReporter

        return GithubReporter(out)
    if name == "sarif":
        from .sarif import SarifReporter

        return SarifReporter(out)
    if name == "gitlab":
        from .gitlab import GitlabReporter

        return GitlabReporter(out)
    if name == "junit":
        from .junit import JunitReporter

        return JunitReporter(out)
    from .text import TextReporter

    return TextReporter(out)
