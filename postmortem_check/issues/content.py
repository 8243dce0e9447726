"""What an issue says: its title, its body and the hidden marker that ties it to one action item."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..action_items import ActionItem

TITLE_LIMIT = 100
MARKER_NAME = "postmortem-check"
_MARKER = re.compile(r"<!--\s*" + MARKER_NAME + r":\s*(\{.*?\})\s*-->", re.S)
_LABELS_TEXT = re.compile(r"[\s,;(]*\blabels?\s*:\s*[\w ,./-]+\)?", re.I)
_MILESTONE_TEXT = re.compile(r"\bmilestone\s*:\s*(?P<name>[^,;()\[\]]+?)\s*(?=$|[,;)\]])", re.I)
_TRAILING_PEOPLE = re.compile(r"(?:[\s,;(]*(?:@[A-Za-z0-9-]+|\bP[0-4]\b)[)]?)+\s*$")
_EMPTY_BRACKETS = re.compile(r"\s*(?:\(\s*\)|\[\s*\])")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
MAX_ASSIGNEES = 10  # GitHub's limit per issue


@dataclass(frozen=True)
class Marker:
    """What the hidden comment in an issue body says: the file, the item id and its position."""

    file: str
    item: str
    index: int
    rev: str = ""


@dataclass(frozen=True)
class Source:
    """The postmortem an item comes from, as the issue body shows it."""

    file: str  # path relative to the repository root, with forward slashes
    title: str | None = None
    date: str | None = None
    permalink: str | None = None  # link to the file at a commit; "#L<line>" is appended per item


def item_milestone(item: ActionItem) -> str | None:
    """A milestone named in the item (``milestone: 2024-Q3``), if any."""
    found = _MILESTONE_TEXT.search(item.text)
    return found.group("name").strip() if found else None


def issue_title(item: ActionItem, limit: int = TITLE_LIMIT) -> str:
    """The item as plain text on one line, cut at a word boundary to fit ``limit`` characters."""
    text = _EMPTY_BRACKETS.sub("", _MILESTONE_TEXT.sub("", _LABELS_TEXT.sub("", item.text)))
    text = _TRAILING_PEOPLE.sub("", " ".join(text.split())).strip(" ,;:-")
    text = text or item.text.strip() or "Action item"
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def assignee_logins(item: ActionItem, mapping: dict[str, str]) -> list[str]:
    """GitHub logins for the item's people: mapped by the config, else the name if it can be a login."""
    logins: list[str] = []
    lowered = {key.lower().lstrip("@"): value for key, value in mapping.items()}
    for name in item.assignees:
        login = mapping.get(name) or lowered.get(name.lower().lstrip("@")) or name
        login = login.strip().lstrip("@")
        if _LOGIN.match(login) and login.lower() not in (x.lower() for x in logins):
            logins.append(login)
    return logins[:MAX_ASSIGNEES]


def line_link(source: Source, line: int) -> str | None:
    return f"{source.permalink}#L{line}" if source.permalink else None


def permalink(server_url: str, repo: str, sha: str, file: str) -> str:
    return f"{server_url.rstrip('/')}/{repo}/blob/{sha}/{quote(file.lstrip('/'))}"


def fingerprint(item: ActionItem, source: Source, assignees: list[str], milestone: str | None) -> str:
    """A short hash of what the issue shows, apart from line numbers and commit: a change means update."""
    facts = [issue_title(item), item.text, assignees, item.due, item.priority, sorted(item.labels),
             source.title, source.date, milestone]
    return hashlib.sha1(json.dumps(facts, ensure_ascii=True).encode()).hexdigest()[:12]


def render_marker(marker: Marker) -> str:
    """The hidden HTML comment; ``<``, ``>`` and ``&`` are escaped so no file name can end the comment."""
    data = json.dumps({"file": marker.file, "item": marker.item, "index": marker.index, "rev": marker.rev},
                      ensure_ascii=True, sort_keys=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f"<!-- {MARKER_NAME}: {data} -->"


def parse_marker(body: str | None) -> Marker | None:
    """The marker in an issue body, or None when it has none (or a damaged one)."""
    if not body:
        return None
    found = list(_MARKER.finditer(body))
    if not found:
        return None
    try:  # the last marker counts: item text quoted above it cannot pose as one
        data: Any = json.loads(found[-1].group(1))
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    file, item, index, rev = data.get("file"), data.get("item"), data.get("index"), data.get("rev", "")
    if not isinstance(file, str) or not isinstance(item, str) or not isinstance(index, int) \
            or isinstance(index, bool) or not isinstance(rev, str):
        return None
    return Marker(file, item, index, rev)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def issue_body(item: ActionItem, source: Source, assignees: list[str], milestone: str | None,
               marker: Marker) -> str:
    """The issue body: the item, its details, where it comes from, and the marker."""
    link = line_link(source, item.line)
    where = f"[{source.file} line {item.line}]({link})" if link else f"`{source.file}` line {item.line}"
    rows: list[tuple[str, str]] = []
    people = ", ".join(f"@{login}" for login in assignees) or ", ".join(item.assignees)
    if people:
        rows.append(("Owner", people))
    if item.due:
        rows.append(("Due", item.due))
    if item.priority:
        rows.append(("Priority", item.priority))
    if milestone:
        rows.append(("Milestone", milestone))
    postmortem = source.title or source.file
    if source.date:
        postmortem += f" ({source.date})"
    rows.append(("Postmortem", _cell(postmortem)))
    rows.append(("Source", where))
    quoted = "\n".join(f"> {line}" for line in item.text.splitlines() or [""])
    table = "\n".join(f"| {key} | {_cell(value)} |" for key, value in rows)
    return (
        f"Corrective action from a postmortem:\n\n{quoted}\n\n| | |\n|---|---|\n{table}\n\n"
        f"This issue is kept in step with the postmortem by postmortem-check: edit the item in the "
        f"postmortem, or check it done there to close this issue.\n\n{render_marker(marker)}\n"
    )


def close_comment(item: ActionItem, source: Source) -> str:
    link = line_link(source, item.line)
    where = f"[{source.file} line {item.line}]({link})" if link else f"`{source.file}` line {item.line}"
    return f"Closed by postmortem-check: this action item is marked done in the postmortem ({where})."
