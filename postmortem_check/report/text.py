"""Text output: ``path:line:col: severity rule message``, one finding a line, then a summary line."""

from __future__ import annotations

from typing import TextIO

from ..console import printable
from ..results import FileResult, Totals

__all__ = ["TextReporter", "printable"]

class TextReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def file(self, result: FileResult) -> None:
        for f in result.findings:
            message = printable(" ".join(f.message.split()))
            where = f"{printable(f.path)}:{f.line}:{f.column}"
            self.out.write(f"{where}: {f.severity} {printable(f.rule)} {message}\n")

    def finish(self, totals: Totals) -> None:
        self.out.write(f"{totals}\n")
