"""JSON output: the stable contract described by schemas/output.json (version 1)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..lint import FileResult
from . import Totals

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


class JsonReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.files: list[dict[str, Any]] = []

    def file(self, result: FileResult) -> None:
        self.files.append(file_json(result))

    def finish(self, totals: Totals) -> None:
        document = {
            "version": VERSION,
            "files": self.files,
            "summary": {"files": totals.files, "errors": totals.errors, "warnings": totals.warnings},
        }
        json.dump(document, self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")
