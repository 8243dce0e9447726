"""``report --issues``: each action item's GitHub issue and its state, from one listing as the sync makes."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..issues.content import parse_marker
from ..issues.service import repo_relative
from .facts import Postmortem

_NUMBER = re.compile(r"(?:/(?:issues|pull)/|^#)(\d+)$")


def apply_states(postmortems: list[Postmortem], listing: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """Set each item's done state from its issue (matched by the issue's marker, else by the issue the item
    names); returns the items whose issue is closed while their box is unchecked."""
    by_marker: dict[tuple[str, str], dict[str, Any]] = {}
    by_number: dict[int, dict[str, Any]] = {}
    for issue in listing:
        number = issue.get("number")
        if isinstance(number, int):
            by_number[number] = issue
        body = issue.get("body")
        marker = parse_marker(body if isinstance(body, str) else None)
        if marker is not None:
            by_marker.setdefault((marker.file, marker.item), issue)
    closed_unchecked: list[dict[str, Any]] = []
    for postmortem in postmortems:
        file = repo_relative(postmortem.path)
        for item, item_id in zip(postmortem.items, postmortem.item_ids, strict=True):
            found = by_marker.get((file, item_id))
            named = _NUMBER.search(item.issue or "")
            if found is None and named:
                found = by_number.get(int(named.group(1)))
            if found is None:
                continue
            state = str(found.get("state") or "open")
            item.issue = str(found.get("html_url") or item.issue or f"#{found.get('number')}")
            item.issue_state = state
            item.done = state == "closed"
            closed = found.get("closed_at")
            item.closed_at = str(closed)[:10] if item.done and isinstance(closed, str) else None
            item.overdue = bool(item.due) and not item.done and str(item.due) < today.isoformat()
            if item.done and not item.checkbox_done:
                closed_unchecked.append({"path": postmortem.path, "line": item.line, "text": item.text,
                                         "issue": item.issue})
    return closed_unchecked
