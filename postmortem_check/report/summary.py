"""Markdown report for ``$GITHUB_STEP_SUMMARY``, as a reviewer reads it: one heading, an overview table
of the files first (errors first), then every finding and every action item, each linked to its line at
the commit being checked; and the issues command's plan as a table.

Everything taken from a document is escaped for Markdown and HTML, and the report is kept under the
1 MiB a job summary step allows (with a note saying what was left out).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from ..action_items import ActionItem
from ..console import printable
from ..errors import UserError
from ..files import open_for_writing
from ..findings import RULES
from ..issues.scope import skip_reason
from ..results import FileResult, Totals, plural
from .gitlab import repository_path

LIMIT = 1024 * 1024 - 24 * 1024  # a margin under GitHub's 1 MiB per step, for whatever else the step writes
_REPO = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_SHA = re.compile(r"[0-9a-fA-F]{7,64}")
_SERVER = re.compile(r"https?://[A-Za-z0-9.:-]+(/[A-Za-z0-9._~/-]*)?")
_URL = re.compile(r"https?://[A-Za-z0-9._~:/?#@!$&'*+,;=%-]+")
_SPECIAL = re.compile(r"([\\`*_{}\[\]|~$])")  # md() never starts a line, so - + # . need no escape


def md(text: object) -> str:
    """Text safe inside Markdown (and a table cell): one line, HTML escaped, Markdown punctuation escaped."""
    flat = printable(" ".join(str(text).split()))  # ESC, bidi overrides, non-UTF-8 name bytes as escapes
    return _SPECIAL.sub(r"\\\1", html.escape(flat, quote=False)).replace("@", "@\u200b")


def _commit_base(env: Mapping[str, str]) -> str | None:
    """``SERVER/OWNER/REPO/blob/SHA/`` for the commit being checked, or None outside GitHub Actions."""
    repo, sha = env.get("GITHUB_REPOSITORY", "").strip(), env.get("GITHUB_SHA", "").strip()
    if not (_REPO.fullmatch(repo) and _SHA.fullmatch(sha)):
        return None
    server = env.get("GITHUB_SERVER_URL", "").strip().rstrip("/") or "https://github.com"
    return f"{server}/{repo}/blob/{sha}/" if _SERVER.fullmatch(server) else None


def would_open(result: FileResult) -> int:
    """How many issues syncing this file would open if none existed: its open items that are not template
    placeholders and name no issue, none at all for a file that cannot be read or is a draft."""
    if skip_reason(result):
        return 0
    return sum(1 for item in result.action_items if not (item.done or item.placeholder or item.issue))


def _status(result: FileResult) -> str:
    if result.errors:
        return "❌ errors"
    return "⚠️ warnings" if result.warnings else "✅ clean"


class Links:
    """Links to a file's lines at the commit being checked, and to each registered rule's page."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self.base = _commit_base(env)

    def where(self, path: str, line: int | None = None, column: int | None = None) -> str:
        text = md(path if line is None else f"{path}:{line}" + (f":{column}" if column else ""))
        relative = repository_path(path)
        if self.base is None or relative.startswith("/"):
            return text
        anchor = f"#L{line}" if line else ""
        return f"[{text}]({self.base}{quote(relative, errors='surrogateescape')}{anchor})"

    @staticmethod
    def rule(rule_id: str) -> str:
        rule = RULES.get(rule_id)
        return f"[{md(rule_id)}]({rule.help_uri})" if rule else md(rule_id)


def _item_status(item: ActionItem) -> str:
    return "done" if item.done else ("placeholder" if item.placeholder else "open")


class SummaryReporter:
    """Appends a Markdown report to ``path`` when the run finishes: one heading (``heading`` False when the
    caller writes its own), the totals, an overview table of the files (errors first), then one table of
    every finding and one of every action item, each row linking to its line at the commit being checked
    (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY``, ``GITHUB_SHA``) and each rule to its page."""

    def __init__(self, path: Path | str, limit: int = LIMIT, *, heading: bool = True,
                 env: Mapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.limit = limit
        self.heading = heading
        self.links = Links(os.environ if env is None else env)
        self.results: list[FileResult] = []

    def file(self, result: FileResult) -> None:
        self.results.append(result)

    def _ordered(self) -> list[FileResult]:
        """Files with errors first, then with warnings, then clean; in the order linted within each."""
        return sorted(self.results, key=lambda r: (0 if r.errors else 1 if r.warnings else 2))

    def _rows(self, ordered: list[FileResult]) -> list[tuple[int, str]]:
        """Every chunk after the totals, with the index of the file it belongs to (-1: a table head)."""
        rows: list[tuple[int, str]] = [(-1, "| File | Status | Errors | Warnings | Issues it would open |\n"
                                            "| --- | --- | ---: | ---: | ---: |\n")]
        rows += [(n, f"| {self.links.where(r.path)} | {_status(r)} | {r.errors} | {r.warnings} "
                     f"| {would_open(r)} |\n") for n, r in enumerate(ordered)]
        if any(r.findings for r in ordered):
            rows.append((-1, "\n### Findings\n\n| Where | Severity | Rule | Message |\n| --- | --- | --- | --- |\n"))
            rows += [(n, f"| {self.links.where(f.path, f.line, f.column)} | {f.severity} | {self.links.rule(f.rule)} "
                         f"| {md(f.message)} |\n") for n, r in enumerate(ordered) for f in r.findings]
        if any(r.action_items for r in ordered):
            rows.append((-1, "\n### Action items\n\n| Where | Status | Action item | Assignees | Due | Issue |\n"
                             "| --- | --- | --- | --- | --- | --- |\n"))
            rows += [(n, f"| {self.links.where(r.path, item.line)} | {_item_status(item)} | {md(item.text)} "
                         f"| {md(', '.join(item.assignees))} | {md(item.due or '')} | {md(item.issue or '')} |\n")
                     for n, r in enumerate(ordered) for item in r.action_items]
        return rows

    def render(self, totals: Totals, budget: int) -> str:
        head = ("## postmortem-check\n\n" if self.heading else "") + f"**{totals}**\n\n"
        parts = [head]
        size = len(head.encode("utf-8"))
        reserve = 400  # room for the truncation note
        cut: set[int] = set()
        for owner, chunk in self._rows(self._ordered()):
            length = len(chunk.encode("utf-8"))
            if cut or size + length > budget - reserve:
                cut.add(owner)
                continue
            parts.append(chunk)
            size += length
        parts.append("\n")
        if cut:
            left = len(cut - {-1}) or len(self.results)
            parts.append(
                f"\n> **Report truncated** to stay under the job summary limit of 1 MiB: "
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



def _issue_cell(issue: Mapping[str, object] | None) -> str:
    if not issue:
        return ""
    number, url = issue.get("number"), str(issue.get("url") or "")
    text = f"#{number}" if isinstance(number, int) else md(url)
    return f"[{text}]({url})" if _URL.fullmatch(url) else text


def issue_plan_markdown(records: Sequence[Mapping[str, object]], links: Mapping[str, str] | None = None,
                        limit: int = 200) -> str:
    """The issues command's records (what was done, or planned in a dry run) as one table."""
    if not records:
        return "No action item needs an issue.\n\n"
    where = Links(os.environ if links is None else links)
    parts = ["| Where | Action | Issue | Reason |\n| --- | --- | --- | --- |\n"]
    for record in records[:limit]:
        line = record.get("line")
        issue = record.get("issue")
        parts.append(f"| {where.where(str(record.get('file', '')), line if isinstance(line, int) and line else None)} "
                     f"| {md(record.get('action', ''))} | {_issue_cell(issue if isinstance(issue, dict) else None)} "
                     f"| {md(record.get('reason', ''))} |\n")
    if len(records) > limit:
        parts.append(f"\n…and {len(records) - limit} more (the action's `issues` output has them all).\n")
    return "".join(parts) + "\n"

