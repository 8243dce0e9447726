"""Report stage: one module per output format. Each reporter sees every file result, then the totals."""

from __future__ import annotations

from typing import Protocol, TextIO

from ..results import FileResult, Totals, plural

__all__ = ["FORMATS", "Reporter", "Totals", "make_reporter", "plural"]

FORMATS = ("text", "json", "github", "sarif", "gitlab", "junit")


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
