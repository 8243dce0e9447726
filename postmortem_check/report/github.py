"""GitHub Actions output: one workflow annotation per finding, escaped exactly as the Actions toolkit does.

Without escaping, a postmortem line such as ``::add-mask::x`` or ``%0A::error::`` inside a message or a file
name would become a workflow command of its own.
"""

from __future__ import annotations

import os
from typing import TextIO

from ..console import printable
from ..findings import Finding, Severity
from ..results import FileResult, Totals


def escape_data(value: str) -> str:
    """Escape a command's message (``toCommandValue`` + ``escapeData`` in @actions/core)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a command property value (``escapeProperty`` in @actions/core)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding) -> str:
    """The ``::error`` or ``::warning`` workflow command for one finding (no trailing newline)."""
    command = "error" if finding.severity == Severity.ERROR else "warning"
    path = finding.path
    if not os.path.isabs(path):
        path = os.path.normpath(path).replace(os.sep, "/")
    properties = {
        "file": printable(path),  # ESC and bidi overrides in a name shown as escapes
        "line": str(finding.line),
        "col": str(finding.column),
        "title": f"postmortem-check {finding.rule}",
    }
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{command} {props}::{escape_data(finding.message)}"


class GithubReporter:
    """Annotations on stdout, one a line, then a plain summary line."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def file(self, result: FileResult) -> None:
        for finding in result.findings:
            self.out.write(annotation(finding) + "\n")

    def finish(self, totals: Totals) -> None:
        self.out.write(f"postmortem-check: {totals}\n")
