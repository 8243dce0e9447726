"""JSON output: the stable contract described by schemas/output.json (version 1)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..results import FileResult, Totals

VERSION = 1


def file_json(result: FileResult) -> dict[str, Any]:
    return {
        "path": result.path,
        "ok": result.ok,
        "schema": result.schema,
        "title": result.title,
        "front_matter": result.front_matter,
        "sections": result.sections,
        "action_items": [item.as_json() for item in result.action_items],
        "findings": [
            {"rule": f.rule, "severity": f.severity, "line": f.line, "column": f.column, "section": f.section,
             "message": f.message}
            for f in result.findings
        ],
    }


def _indent(text: str, prefix: str) -> str:
    """Indent JSON text by line feeds only: U+2028 and friends inside strings are not line breaks here."""
    return "\n".join(prefix + line for line in text.split("\n"))


class JsonReporter:
    """Writes each file's record as it comes, so memory does not grow with the number of files; the bytes
    are those of ``json.dump(document, indent=2)`` of the whole document."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def file(self, result: FileResult) -> None:
        record = json.dumps(file_json(result), indent=2, ensure_ascii=False)
        self.out.write(",\n" if self.count else f'{{\n  "version": {VERSION},\n  "files": [\n')
        self.out.write(_indent(record, "    "))
        self.count += 1

    def finish(self, totals: Totals) -> None:
        summary = {"files": totals.files, "errors": totals.errors, "warnings": totals.warnings}
        if self.count:
            self.out.write("\n  ],\n")
        else:
            self.out.write(f'{{\n  "version": {VERSION},\n  "files": [],\n')
        self.out.write('  "summary": ' + _indent(json.dumps(summary, indent=2), "  ").lstrip() + "\n}\n")
