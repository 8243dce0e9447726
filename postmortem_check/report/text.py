"""Text output: ``path:line:col: severity rule message``, one finding a line, then a summary line."""

from __future__ import annotations

from typing import TextIO

from ..lint import FileResult
from . import Totals


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class TextReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def file(self, result: FileResult) -> None:
        for f in result.findings:
            message = " ".join(f.message.split())
            self.out.write(f"{f.path}:{f.line}:{f.column}: {f.severity} {f.rule} {message}\n")

    def finish(self, totals: Totals) -> None:
        self.out.write(
            f"{_plural(totals.files, 'file')} checked: {_plural(totals.errors, 'error')}, "
            f"{_plural(totals.warnings, 'warning')}\n"
        )
