"""Text output: ``path:line:col: severity rule message``, one finding a line, then a summary line.

Options: ``quiet`` (findings only, no closing line), ``statistics`` (a count per rule before the closing
line) and ``color`` (ANSI colours, for a terminal; see ``use_color``). Everything taken from a document
goes through ``printable`` first, so a document can never send an escape sequence of its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import TextIO

from ..console import printable
from ..findings import rule_for
from ..results import FileResult, Totals

__all__ = ["TextReporter", "printable", "use_color"]

_RESET = "\x1b[0m"
_STYLES = {"path": "\x1b[1m", "where": "\x1b[2m", "error": "\x1b[31m", "warning": "\x1b[33m", "rule": "\x1b[36m"}


def use_color(stream: TextIO, env: Mapping[str, str]) -> bool:
    """Colour when ``stream`` is a terminal; ``NO_COLOR`` (non-empty) turns it off, else ``FORCE_COLOR``
    (non-empty) turns it on even when piped. ``TERM=dumb`` is no colour."""
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


class TextReporter:
    def __init__(self, out: TextIO, *, quiet: bool = False, statistics: bool = False, color: bool = False) -> None:
        self.out = out
        self.quiet = quiet
        self.statistics = statistics
        self.color = color
        self.counts: Counter[tuple[str, str]] = Counter()

    def _paint(self, style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.color and style in _STYLES else text

    def file(self, result: FileResult) -> None:
        for f in result.findings:
            self.counts[(f.rule, str(f.severity))] += 1
            message = printable(" ".join(f.message.split()))
            where = self._paint("path", printable(f.path)) + self._paint("where", f":{f.line}:{f.column}")
            severity = self._paint(str(f.severity), str(f.severity))
            self.out.write(f"{where}: {severity} {self._paint('rule', printable(f.rule))} {message}\n")

    def statistics_lines(self) -> list[str]:
        """One line per rule with findings, most first: count, severity, rule, what the rule checks."""
        ordered = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        width = max((len(str(count)) for count in self.counts.values()), default=1)
        rule_width = max((len(rule) for rule, _ in self.counts), default=0)
        return [f"{count:>{width}}  {self._paint(severity, f'{severity:<7}')}  "
                f"{self._paint('rule', printable(rule).ljust(rule_width))}  {rule_for(rule).summary}"
                for (rule, severity), count in ordered]

    def finish(self, totals: Totals) -> None:
        if self.statistics:
            for line in self.statistics_lines():
                self.out.write(line + "\n")
        if not self.quiet:
            self.out.write(f"{totals}\n")


PROGRESS_AFTER = 20  # files linted before the progress line appears: short runs print nothing


def use_progress(stream: TextIO, env: Mapping[str, str]) -> bool:
    """A progress line only on a terminal, never in a CI log (``CI`` or ``GITHUB_ACTIONS`` set)."""
    if env.get("CI") or env.get("GITHUB_ACTIONS"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and env.get("TERM") != "dumb"


class ProgressReporter:
    """``postmortem-check: N files checked`` on one terminal line (stderr), redrawn after each file once
    ``PROGRESS_AFTER`` files are done, and cleared before any finding is written and when the run ends.

    Put it first among the reporters, so the line is gone before another reporter writes; ``tick`` goes
    in the run's ``after_file``.
    """

    def __init__(self, err: TextIO, after: int = PROGRESS_AFTER) -> None:
        self.err = err
        self.after = after
        self.files = 0
        self.errors = 0
        self.shown = False

    def _clear(self) -> None:
        if self.shown:
            self.err.write("\r\x1b[K")
            self.err.flush()
            self.shown = False

    def file(self, result: FileResult) -> None:
        self._clear()
        self.files += 1
        self.errors += result.errors

    def tick(self) -> None:
        if self.files >= self.after:
            self.err.write(f"\r\x1b[Kpostmortem-check: {self.files} files checked, {self.errors} errors so far")
            self.err.flush()
            self.shown = True

    def finish(self, totals: Totals) -> None:
        self._clear()
