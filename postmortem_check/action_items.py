"""Action items: what the corrective actions sections ask people to do, one record per item."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from .parse import Block

_PREFIX = re.compile(r"^\s*(?:[•·▪◦‣∙o*+\-–—](?=\s)|\d{1,3}\s*[.)]?\s*[*•\-]|\d{1,3}[.)]|\(\d{1,3}\))\s*")
_TASK_BOX = re.compile(r"^\s*\[(?P<mark>[ xX]?)\]\s*")
_DONE_WORD = re.compile(
    r"^\s*(?:\*\*)?(?:DONE|FIXED|COMPLETED?)\b(?:\*\*)?[:\s-]*|\s*\b(?:DONE|FIXED|COMPLETED?)\s*$"
    r"|\s*[(\[](?i:done|fixed|completed?)[)\]]\s*$"
)
_TODO_WORD = re.compile(r"^\s*(?:\*\*)?(?:TODO|OPEN)\b(?:\*\*)?[:\s-]*")
_STRIKE = re.compile(r"^\s*~~.+~~\s*$")
_MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\b")
_DUE = re.compile(r"\b(?:due|by|deadline|until)\s*:?\s*(\d{4}-\d{2}-\d{2})\b", re.I)
_ISO_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_PRIORITY = re.compile(r"\b(P[0-4])\b")
_ISSUE_URL = re.compile(r"https?://[^\s)\]>]+/(?:issues|pull)/\d+")
_ISSUE_NUMBER = re.compile(r"(?<![\w&/])#(\d{1,7})\b")
_LABELS = re.compile(r"\blabels?\s*:\s*([\w ,./-]+)", re.I)
_CLOSING = re.compile(
    r"^\s*(?:in conclusion|in summary|to conclude|to sum up|overall|in the end|and remember|remember,|note:|"
    r"this (?:postmortem|incident|outage)|we are confident|by (?:identifying|implementing))",
    re.I,
)
_PLACEHOLDER_ONLY = re.compile(r"^\s*\[[^\]]+\][\s.]*$")
_MARKUP = re.compile(r"(\*\*|__|~~|`)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_ACTION_HEADER = re.compile(r"action|item|task|what|description|measure|todo|to do", re.I)
_OWNER_HEADER = re.compile(r"owner|assignee|who|responsible", re.I)
_STATUS_HEADER = re.compile(r"status|state|done", re.I)
_ISSUE_HEADER = re.compile(r"bug|issue|ticket|link|tracking", re.I)
_DUE_HEADER = re.compile(r"due|deadline|date|when", re.I)
_PRIORITY_HEADER = re.compile(r"priority|prio|severity", re.I)
_DONE_STATUS = re.compile(r"^\s*(?:\[x\]|done|fixed|closed|complete[d]?|resolved|finished|✅|✔)", re.I)
_TRAILING_METADATA = re.compile(
    r"[\s,;(]*(?:(?:owner|assignee)s?\s*:?\s*)?(?:@[A-Za-z0-9-]+|\bP[0-4]\b|\b(?:due|by)\s*:?\s*\d{4}-\d{2}-\d{2}"
    r"|#\d+|https?://\S+/(?:issues|pull)/\d+|\blabels?\s*:\s*[\w ,./-]+)[)\]]?\s*$", re.I)
_NON_WORD = re.compile(r"[^\w]+")
_KEY_VALUE = re.compile(r"^\W*(?:\*\*|__)?[\w ()/-]{1,30}(?:\*\*|__)?\s*:")


@dataclass(frozen=True)
class ActionItem:
    """One action item: its text as written, where it is, and what it says about itself."""

    id: str
    text: str
    line: int
    done: bool
    assignees: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    due: str | None = None
    priority: str | None = None
    issue: str | None = None
    placeholder: bool = False
    index: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id, "text": self.text, "line": self.line, "done": self.done,
            "assignees": list(self.assignees), "labels": list(self.labels), "due": self.due,
            "priority": self.priority, "issue": self.issue, "placeholder": self.placeholder,
        }


def plain(text: str) -> str:
    """Item text without Markdown markup, links reduced to their text, on one line."""
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", _IMAGE.sub("", text))
    text = _MARKUP.sub("", text)
    return " ".join(text.split())


def item_id(text: str) -> str:
    """A stable id from the item's words, unchanged by markup, case, spacing or done markers."""
    key = _NON_WORD.sub(" ", plain(text).lower()).strip()
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


@dataclass
class _Draft:
    line: int
    text: str
    done: bool = False
    owner: str = ""
    status_issue: str = ""
    due: str = ""
    priority: str = ""
    extra: list[str] = field(default_factory=list)


def extract(blocks: list[Block]) -> list[ActionItem]:
    """Action items of a corrective-actions section, from lists, tables, headings or one-per-line text."""
    drafts: list[_Draft] = []
    has_list = any(b.kind == "list_item" for b in blocks)
    has_table = any(b.kind == "table_row" and b.info != "head" for b in blocks)
    grouped = _heading_items(blocks)
    columns: dict[str, int] = {}
    top_depth = min((b.depth for b in blocks if b.kind == "list_item"), default=1)
    parent_is_heading = False  # nested items under "Label:" items are its details, otherwise items too
    for block in blocks:
        if grouped is not None:
            break
        if block.kind == "list_item" and (block.depth == top_depth or not parent_is_heading):
            text = " ".join(line.strip() for line in block.lines)
            if block.depth == top_depth:
                parent_is_heading = plain(text).endswith(":")
            drafts.append(_Draft(block.line, text))
        elif block.kind == "table_row":
            if block.info == "head":
                columns = _table_columns(block.cells)
            elif "action" in columns:
                drafts.append(_row_draft(block, columns))
        elif block.kind == "paragraph" and not has_list and not has_table:
            drafts.extend(_paragraph_drafts(block))
    if grouped is not None:
        drafts = grouped
    return [_finish(draft, index) for index, draft in enumerate(drafts) if plain(draft.text)]


def _heading_items(blocks: list[Block]) -> list[_Draft] | None:
    """Sub-headings whose lists are mostly ``key: value`` fields are the items (one heading, one item)."""
    headings = [b for b in blocks if b.kind == "heading"]
    items = [b for b in blocks if b.kind == "list_item"]
    if not headings or not items:
        return None
    key_value = sum(1 for b in items if _KEY_VALUE.match(b.lines[0]))
    if key_value * 10 < len(items) * 6:
        return None
    return [_Draft(h.line, h.text) for h in headings]


def _table_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        for name, pattern in (("owner", _OWNER_HEADER), ("status", _STATUS_HEADER), ("issue", _ISSUE_HEADER),
                              ("priority", _PRIORITY_HEADER), ("due", _DUE_HEADER), ("action", _ACTION_HEADER)):
            if name not in columns and pattern.search(cell):
                columns[name] = index
                break
    return columns


def _row_draft(block: Block, columns: dict[str, int]) -> _Draft:
    cells = block.cells

    def cell(name: str) -> str:
        index = columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    status = cell("status")
    return _Draft(block.line, cell("action"), done=bool(_DONE_STATUS.match(status)), owner=cell("owner"),
                  status_issue=cell("issue"), due=cell("due"), priority=cell("priority"))


def _paragraph_drafts(block: Block) -> list[_Draft]:
    """Items written one per line; an unprefixed line that does not start a sentence continues the last one."""
    drafts: list[_Draft] = []
    prefixed = any(_PREFIX.match(line) for line in block.lines)
    for offset, raw in enumerate(block.lines):
        line = raw.strip()
        if not line:
            continue
        has_prefix = bool(_PREFIX.match(line))
        text = _PREFIX.sub("", line) if has_prefix else line
        previous = drafts[-1] if drafts else None
        continues = previous is not None and not has_prefix and (
            text[:1].islower() or (prefixed and not previous.text.rstrip().endswith((".", "!", "?", ":")))
        )
        if continues and previous is not None:
            previous.text += " " + text
            continue
        if text.endswith(":") or _CLOSING.match(text) or (text.startswith("(") and text.endswith(")")):
            continue
        drafts.append(_Draft(block.line + offset, text))
    return drafts


def _may_end_in_metadata(text: str) -> bool:
    """False when ``_TRAILING_METADATA`` cannot match: each of its kinds needs one of these characters or words."""
    if "@" in text or "#" in text or "-" in text:  # a mention, an issue number, a date
        return True
    low = text.lower()
    return "http" in low or "label" in low or any(f"p{n}" in low for n in "01234")


def _finish(draft: _Draft, index: int) -> ActionItem:
    text = draft.text.strip()
    done = draft.done
    box = _TASK_BOX.match(text)
    if box:
        done = done or box.group("mark").lower() == "x"
        text = text[box.end():]
    if _DONE_WORD.search(text) or _STRIKE.match(text):
        done = True
        text = _DONE_WORD.sub("", text).strip()
    text = _TODO_WORD.sub("", text)
    whole = " ".join([text, draft.owner, draft.status_issue, draft.due, draft.priority, *draft.extra])
    assignees = tuple(dict.fromkeys(_MENTION.findall(whole)))
    if not assignees and draft.owner.strip() and " " not in draft.owner.strip():
        assignees = (draft.owner.strip().lstrip("@"),)
    due = _DUE.search(whole) or _ISO_DATE.search(draft.due)
    priority = _PRIORITY.search(whole)
    issue = _ISSUE_URL.search(whole) or _ISSUE_NUMBER.search(whole)
    labels_match = _LABELS.search(text)
    labels = tuple(x.strip() for x in labels_match.group(1).split(",") if x.strip()) if labels_match else ()
    shown = plain(text)
    while _may_end_in_metadata(shown) and (trimmed := _TRAILING_METADATA.sub("", shown)) != shown and trimmed:
        shown = trimmed
    return ActionItem(
        id=item_id(shown),
        text=shown,
        line=draft.line,
        done=done,
        assignees=assignees,
        labels=labels,
        due=due.group(1) if due else None,
        priority=priority.group(1) if priority else None,
        issue=(issue.group(0) if issue else None),
        placeholder=bool(_PLACEHOLDER_ONLY.match(text)),
        index=index,
    )
