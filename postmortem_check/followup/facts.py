"""Per-postmortem facts for the report: date, title, severity, durations and action items, from the model."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..timeline import parse_date
from .times import Moments

_DATE_KEYS = ("date", "incident_date", "started", "start", "started_at", "created", "published")
_SEVERITY_KEYS = ("severity", "sev", "level", "priority", "impact_level")
_TITLE_SEVERITY = re.compile(r"\b(SEV[- ]?[0-5]|P[0-4])\b", re.I)
_OWNER_TEXT = re.compile(r"\b(?i:owner)\s*:\s*([A-Za-z][\w.-]{0,38}(?: [A-Z][\w.-]{0,38})?)")


@dataclass
class Item:
    """One action item as the report counts it."""

    text: str
    line: int
    done: bool
    owners: list[str]
    due: str | None
    issue: str | None
    overdue: bool = False
    issue_state: str | None = None  # open/closed, with --issues
    closed_at: str | None = None  # when its issue was closed, with --issues
    checkbox_done: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"text": self.text, "line": self.line, "done": self.done, "overdue": self.overdue,
                "owners": self.owners, "due": self.due, "issue": self.issue, "issue_state": self.issue_state,
                "closed_at": self.closed_at}


@dataclass
class Postmortem:
    """What the report knows about one postmortem."""

    path: str
    title: str | None
    date: str | None
    date_source: str
    severity: str | None
    moments: Moments
    items: list[Item] = field(default_factory=list)
    item_ids: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "path": self.path, "title": self.title, "date": self.date, "date_source": self.date_source,
            "severity": self.severity, "duration_minutes": self.moments.duration,
            "time_to_detect_minutes": self.moments.detect, "time_to_mitigate_minutes": self.moments.mitigate,
            "time_to_resolve_minutes": self.moments.resolve, "times_from": self.moments.source,
            "action_items": {"total": len(self.items), "open": sum(not i.done for i in self.items),
                             "done": sum(i.done for i in self.items), "overdue": sum(i.overdue for i in self.items)},
            "owners": sorted({o for i in self.items for o in i.owners}, key=str.lower),
            "items": [i.as_json() for i in self.items],
        }


def _full_date(text: str) -> str | None:
    found = parse_date(text[:300])
    if found is None:
        return None
    year, month, day = found
    if year is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def incident_date(front: dict[str, Any], title: str | None, path: str,
                  entries: list[dict[str, Any]]) -> tuple[str | None, str]:
    """The incident's date and where it came from: front matter, title, file name, first timeline date."""
    for key in _DATE_KEYS:
        value = front.get(key)
        if isinstance(value, date):
            return value.isoformat()[:10], "front_matter"
        if value is not None and (found := _full_date(str(value))):
            return found, "front_matter"
    if title and (found := _full_date(title)):
        return found, "title"
    if found := _full_date(os.path.basename(path)):
        return found, "file_name"
    for entry in entries:
        text = entry.get("date")
        if isinstance(text, str) and len(text) == 10 and not text.startswith("-"):
            return text, "timeline"
    return None, "unknown"


def severity(front: dict[str, Any], title: str | None) -> str | None:
    for key in _SEVERITY_KEYS:
        value = front.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return " ".join(str(value).split())[:40]
    found = _TITLE_SEVERITY.search(title or "")
    return found.group(1).upper().replace(" ", "-") if found else None


def owners_of(item: dict[str, Any], source_line: str) -> list[str]:
    """The item's owners: its @-mentions and owner column, else an ``Owner: Name`` in its line."""
    people = [str(x) for x in item.get("assignees") or []]
    if not people and (found := _OWNER_TEXT.search(source_line)):
        people = [found.group(1)]
    return people
