"""Inline configuration comments and draft mode: the last word on a file's findings.

``<!-- postmortem-check-disable-next-line RULE -->``, ``<!-- postmortem-check-disable RULE -->`` ...
``<!-- postmortem-check-enable RULE -->`` and ``<!-- postmortem-check-disable-file RULE -->`` silence
findings (no RULE: every rule), as markdownlint's comments do; an unknown rule name is a finding.
A postmortem whose front matter marks it a draft (``status: draft`` by default) gets its errors as warnings.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .document import Document
from .findings import RULES, Finding
from .lazy_re import LazyPattern

_DIRECTIVE = LazyPattern(
    r"<!--\s*postmortem-check-(?P<kind>disable-next-line|disable-line|disable-file|disable|enable)"
    r"(?P<rules>(?:[ \t]+[\w.:/-]{1,80}){0,50})[ \t]*-->")
DRAFT_FIELD = "status"
DRAFT_VALUES = ("draft", "wip", "work in progress", "in progress", "in-progress")
ALL = "*"


def schema_rules(node: Any) -> set[str]:
    """Every ``x-rule`` a schema names (team schemas add rules of their own)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            rule = item.get("x-rule")
            if isinstance(rule, str):
                found.add(rule)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _directives(document: Document) -> Iterable[tuple[int, str, list[str]]]:
    for number, line in enumerate(document.lines, 1):
        if "postmortem-check-" in line:
            for match in _DIRECTIVE.finditer(line):
                yield number, match.group("kind"), match.group("rules").split()


def _silenced(document: Document, known: set[str]) -> tuple[dict[str, list[tuple[int, int]]], list[Finding]]:
    """Per rule (or ALL), the line ranges silenced; and a finding for each unknown rule name."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    open_since: dict[str, int] = {}
    problems: list[Finding] = []
    end = len(document.lines) + 1
    for number, kind, rules in _directives(document):
        unknown = [r for r in rules if r not in known]
        for rule in unknown:
            problems.append(Finding(document.path, number, 1, "inline-config", "error",
                                    f"unknown rule {rule!r} in a postmortem-check comment; "
                                    "`postmortem-check rules` lists them"))
        names = [r for r in rules if r in known] or ([] if unknown else [ALL])
        for rule in names:
            if kind == "disable-file":
                ranges.setdefault(rule, []).append((1, end))
            elif kind == "disable-next-line":
                ranges.setdefault(rule, []).append((number + 1, number + 1))
            elif kind == "disable-line":
                ranges.setdefault(rule, []).append((number, number))
            elif kind == "disable":
                open_since.setdefault(rule, number)
            elif rule == ALL:
                for name, start in list(open_since.items()):
                    ranges.setdefault(name, []).append((start, number))
                open_since.clear()
            elif rule in open_since:
                ranges.setdefault(rule, []).append((open_since.pop(rule), number))
    for rule, start in open_since.items():
        ranges.setdefault(rule, []).append((start, end))
    return ranges, problems


def _draft(document: Document, settings: dict[str, Any]) -> bool:
    front = document.front_matter
    if not isinstance(front, dict):
        return False
    field = str(settings.get("field", DRAFT_FIELD))
    values = {str(v).strip().lower() for v in settings.get("values", DRAFT_VALUES)}
    value = front.get(field)
    return isinstance(value, (str, bool)) and str(value).strip().lower() in values


def adjust_findings(document: Document, findings: list[Finding], schema: dict[str, Any],
                    draft: dict[str, Any] | None = None) -> list[Finding]:
    """The findings after the file's inline comments and draft status (already sorted; order kept)."""
    out = findings
    if "postmortem-check-" in document.text:
        known = set(RULES) | schema_rules(schema) | {f.rule for f in findings}
        ranges, problems = _silenced(document, known)

        def silenced(finding: Finding) -> bool:
            spans = ranges.get(finding.rule, []) + ranges.get(ALL, [])
            return any(start <= finding.line <= stop for start, stop in spans)

        out = sorted([f for f in findings if not silenced(f)] + problems, key=Finding.sort_key)
    if _draft(document, draft or {}):
        field = str((draft or {}).get("field", DRAFT_FIELD))
        note = Finding(document.path, 1, 1, "draft", "warning",
                       f"draft ({field}: {document.front_matter.get(field) if document.front_matter else ''}): "
                       "errors are reported as warnings until it is final")
        out = sorted([Finding(f.path, f.line, f.column, f.rule, "warning", f.message, f.section)
                      if f.severity == "error" else f for f in out] + [note], key=Finding.sort_key)
    return out
