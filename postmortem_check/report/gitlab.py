"""GitLab Code Quality report: a JSON array with one issue per finding, for ``artifacts:reports:codequality``.

Each issue has the fields GitLab documents: ``description``, ``check_name``, ``fingerprint``, ``severity``
and ``location`` (``path`` relative to the repository, ``lines.begin``). The fingerprint does not depend on
the line, so a finding that only moves is not shown as new in a merge request.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from typing import Any, TextIO

from ..findings import Finding
from ..results import FileResult, Totals

SEVERITIES = {"error": "major", "warning": "minor"}


def repository_path(path: str, base: str | None = None) -> str:
    """``path`` relative to the working directory (the repository root in CI), with ``/``; else absolute."""
    full = os.path.abspath(path)
    relative = os.path.relpath(full, os.path.abspath(base or os.curdir))
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        relative = full
    return relative.replace(os.sep, "/")


def fingerprint(finding: Finding, occurrence: int) -> str:
    """Stable across runs and line moves: the file, rule, message and how many times they came before."""
    key = "\0".join((finding.path, finding.rule, finding.message, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def issues(result: FileResult, base: str | None = None) -> list[dict[str, Any]]:
    """The Code Quality issues of one file."""
    seen: Counter[tuple[str, str]] = Counter()
    found = []
    for finding in result.findings:
        seen[finding.rule, finding.message] += 1
        found.append({
            "description": f"{finding.rule}: {' '.join(finding.message.split()) or finding.rule}",
            "check_name": finding.rule,
            "fingerprint": fingerprint(finding, seen[finding.rule, finding.message]),
            "severity": SEVERITIES.get(finding.severity, "major"),
            "location": {"path": repository_path(finding.path, base), "lines": {"begin": max(1, finding.line)}},
        })
    return found


class GitlabReporter:
    """Writes each file's issues as they come; ASCII only, so any file name is written safely."""

    def __init__(self, out: TextIO, base: str | None = None) -> None:
        self.out = out
        self.base = base
        self.count = 0

    def file(self, result: FileResult) -> None:
        for issue in issues(result, self.base):
            self.out.write(",\n  " if self.count else "[\n  ")
            self.out.write(json.dumps(issue, ensure_ascii=True))
            self.count += 1

    def finish(self, totals: Totals) -> None:
        self.out.write("\n]\n" if self.count else "[]\n")
