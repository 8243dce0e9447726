"""Markdown report for ``$GITHUB_STEP_SUMMARY``: per file the sections, findings and action items.

Everything taken from a document is escaped for Markdown and HTML, and the report is kept under the
1 MiB a job summary step allows (with a note saying what was left out).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from ..console import printable
from ..errors import UserError
from ..files import open_for_writing
from ..results import FileResult, Totals, plural
from ..schema import SchemaError, load_schema

LIMIT = 1024 * 1024 - 24 * 1024  # a margin under GitHub's 1 MiB per step, for whatever else the step writes
_SPECIAL = re.compile(r"([\\`*_{}\[\]|~$])")  # md() never starts a line, so - + # . need no escape


def md(text: object) -> str:
    """Text safe inside Markdown (and a table cell): one line, HTML escaped, Markdown punctuation escaped."""
    flat = printable(" ".join(str(text).split()))  # ESC, bidi overrides, non-UTF-8 name bytes as escapes
    return _SPECIAL.sub(r"\\\1", html.escape(flat, quote=False)).replace("@", "@\u200b")


def section_title(schema: str, section_id: str) -> str:
    try:
        spec = load_schema(schema).vocabulary.sections.get(section_id)
    except SchemaError:  # a schema that cannot load here was already reported by lint
        spec = None
    return spec.title if spec else section_id


def file_markdown(result: FileResult) -> list[str]:
    """The report of one file as a list of Markdown chunks (so it can be cut between them)."""
    mark = "❌" if result.errors else ("⚠️" if result.warnings else "✅")
    head = f"### {mark} {md(result.path)}"
    if result.title:
        head += f" — {md(result.title)}"
    chunks = [head + "\n\n" + f"{plural(result.errors, 'error')}, {plural(result.warnings, 'warning')}; "
              f"schema {md(result.schema)}\n\n"]
    if result.sections:
        found = ", ".join(f"{md(section_title(result.schema, sid))} (line {data['line']})"
                          for sid, data in sorted(result.sections.items(), key=lambda kv: kv[1]["line"]))
        chunks.append(f"**Sections found:** {found}\n\n")
    missing = sorted({f.section for f in result.findings if f.rule == "missing-section" and f.section})
    if missing:
        chunks.append("**Sections missing:** "
                      + ", ".join(md(section_title(result.schema, sid)) for sid in missing) + "\n\n")
    if result.findings:
        chunks.append("| Line | Severity | Rule | Message |\n| ---: | --- | --- | --- |\n")
        for f in result.findings:
            chunks.append(f"| {f.line}:{f.column} | {f.severity} | {md(f.rule)} | {md(f.message)} |\n")
        chunks.append("\n")
    if result.action_items:
        chunks.append("| Line | Status | Action item | Assignees | Due | Issue |\n"
                      "| ---: | --- | --- | --- | --- | --- |\n")
        for item in result.action_items:
            status = "done" if item.done else ("placeholder" if item.placeholder else "open")
            chunks.append(
                f"| {item.line} | {status} | {md(item.text)} | {md(', '.join(item.assignees))} "
                f"| {md(item.due or '')} | {md(item.issue or '')} |\n")
        chunks.append("\n")
    return chunks


class SummaryReporter:
    """Appends a Markdown report to ``path`` when the run finishes."""

    def __init__(self, path: Path | str, limit: int = LIMIT) -> None:
        self.path = Path(path)
        self.limit = limit
        self.files: list[list[str]] = []

    def file(self, result: FileResult) -> None:
        self.files.append(file_markdown(result))

    def render(self, totals: Totals, budget: int) -> str:
        head = f"## postmortem-check\n\n**{totals}**\n\n"
        parts = [head]
        size = len(head.encode("utf-8"))
        reserve = 400  # room for the truncation note
        shown_files = 0
        cut = False
        for chunks in self.files:
            for chunk in chunks:
                length = len(chunk.encode("utf-8"))
                if size + length > budget - reserve:
                    cut = True
                    break
                parts.append(chunk)
                size += length
            if cut:
                break
            shown_files += 1
        if cut:
            left = len(self.files) - shown_files
            parts.append(
                f"\n\n> **Report truncated** to stay under the job summary limit of 1 MiB: "
                f"{plural(left, 'file')} not shown in full. "
                "The log and the SARIF file have every finding.\n")
        return "".join(parts)

    def finish(self, totals: Totals) -> None:
        try:
            used = os.path.getsize(self.path)
        except OSError:
            used = 0
        text = self.render(totals, max(0, self.limit - used))
        try:
            with open_for_writing(self.path, append=True) as handle:  # never through a link
                handle.write(text)
        except OSError as error:
            raise UserError(f"summary {self.path}: cannot be written: {error.strerror or error}") from None
