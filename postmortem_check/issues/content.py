"""What an issue says: its title, its body and the hidden marker that ties it to one action item.

Everything taken from a postmortem is shown inert: item text in a fenced code block, other values in
code spans, so no ``@mention``, ``@org/team``, ``owner/repo#1`` reference, image or HTML in a document
becomes live in an issue, and the body mentions nobody (GitHub notifies the assignees of the
assignment). Every pattern here runs in linear time on any text: repeats are bounded or anchored on a
literal, trailing tokens are trimmed word by word.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from ..action_items import ActionItem

TITLE_LIMIT = 100  # ours; GitHub refuses titles over 256 characters
GITHUB_TITLE_LIMIT = 256
BODY_LIMIT = 65_536  # GitHub refuses longer bodies (422)
LABEL_LIMIT = 50  # GitHub's limit on a label name
LABEL_WORDS = 3  # more words than this after ``labels:`` is a sentence, not label names
CELL_LIMIT = 300
MARKER_NAME = "postmortem-check"
MAX_ASSIGNEES = 10  # GitHub's limit per issue

_COMMENT = re.compile(r"<!--|-->")
_MILESTONE_TEXT = re.compile(r"\bmilestone\s{0,3}:[ \t]{0,3}(?P<name>[^,;()\[\]\n]{1,100})", re.I)
_TRAILING_LABELS = re.compile(r"(?P<sep>[\s,;(]{0,5})labels?[ \t]{0,3}:[ \t]{0,3}(?P<names>[\w ,./-]{1,400})\)? ?",
                              re.I)
_LABEL_WORD = re.compile(r"\blabels?[ \t]{0,3}:", re.I)
_LABEL_NAME = re.compile(r"[\w][\w ./-]{0,49}")
_PERSON_TOKEN = re.compile(r"[,;(]{0,3}(?:@[A-Za-z0-9-]{1,39}(?:/[A-Za-z0-9_.-]{1,100})?|P[0-4])\)?[,;:.]{0,3}")
_EMPTY_BRACKETS = re.compile(r" ?(?:\( ?\)|\[ ?\])")
_LOGIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}")
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.-]{0,19}")  # a date or a priority: nothing to render
_BACKTICKS = re.compile(r"`+")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Marker:
    """What the hidden comment in an issue body says: the file, the item id and its position."""

    file: str
    item: str
    index: int
    rev: str = ""
    closed: str = ""  # "done" or "orphan" when the tool closed the issue (so it may reopen it)


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
    name = found.group("name").strip() if found else ""
    return name or None


def label_problem(label: str) -> str | None:
    """Why ``label`` cannot be a GitHub label name, or None when it can."""
    if not label.strip() or "," in label:
        return f"label '{label}' is not usable: labels must be non-empty and contain no comma"
    if len(label) > LABEL_LIMIT:
        return f"label '{label[:60]}…' is longer than GitHub's {LABEL_LIMIT} characters"
    return None


def _label_names(names: str) -> list[str] | None:
    """The names of a ``labels: a, b`` list, or None when it reads as a sentence rather than names."""
    found = [" ".join(name.split()) for name in names.split(",")]
    found = [name.rstrip(".") for name in found if name]
    if not found or any(len(name.split()) > LABEL_WORDS or not _LABEL_NAME.fullmatch(name) for name in found):
        return None
    return found


def _split_trailing_labels(text: str) -> tuple[str, list[str]]:
    """``text`` without a trailing ``labels: a, b`` and the names it lists (both unchanged if it has none)."""
    lowered = text.lower()
    at = len(text)
    for _ in range(3):  # the list itself may hold the word "label"
        at = lowered.rfind("label", 0, at)
        if at < 0:
            break
        found = _TRAILING_LABELS.fullmatch(text, max(0, at - 5)) or _TRAILING_LABELS.fullmatch(text, at)
        names = _label_names(found.group("names")) if found else None
        if found is None or names is None:
            continue
        if found.start() > 0 and text[found.start() - 1].isalnum() and not found.group("sep"):
            break  # "relabel: ..." is a word, not metadata
        return text[: found.start()], names
    return text, []


def item_labels(item: ActionItem) -> tuple[list[str], list[str]]:
    """The item's own labels, and those refused. Only a trailing ``labels: a, b`` list counts (then the
    item's text no longer holds it), each name at most 50 characters and three words: a ``label:`` in
    the middle of a sentence, or a sentence after it, is prose."""
    kept: list[str] = []
    refused: list[str] = []
    rest, _ = _split_trailing_labels(" ".join(item.text.split()))
    in_prose = _LABEL_WORD.search(rest) is not None
    for label in item.labels:
        name = " ".join(label.split())
        if in_prose or _label_names(name) is None or label_problem(name):
            refused.append(label)
        elif name.lower() not in (x.lower() for x in kept):
            kept.append(name)
    return kept, refused


def _trim_people(text: str) -> str:
    """``text`` without trailing ``@owner``, ``@org/team`` and priority words, one word at a time."""
    words = text.split()
    while words and _PERSON_TOKEN.fullmatch(words[-1]):
        words.pop()
    return " ".join(words)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def issue_title(item: ActionItem, limit: int = TITLE_LIMIT) -> str:
    """The item as plain text on one line, cut at a word boundary to fit ``limit`` characters."""
    text = " ".join(_UNSAFE.sub(" ", item.text).split())
    text, _ = _split_trailing_labels(text)
    text = _EMPTY_BRACKETS.sub("", _MILESTONE_TEXT.sub("", text))
    text = _trim_people(text).strip(" ,;:-")
    text = text or " ".join(_UNSAFE.sub(" ", item.text).split()) or "Action item"
    return _cut(text, min(limit, GITHUB_TITLE_LIMIT))


def _team_only(name: str, text: str) -> bool:
    """True when ``@name`` appears in ``text`` only as the organisation of an ``@name/team`` mention."""
    lowered = text.lower()
    mention = "@" + name.lower()
    if mention + "/" not in lowered:
        return False
    for found in re.finditer(re.escape(mention), lowered):
        after = lowered[found.end(): found.end() + 1]
        if not (after.isalnum() or after in "-_/"):
            return False
    return True


def assignee_logins(item: ActionItem, mapping: dict[str, str]) -> list[str]:
    """GitHub logins for the item's owners: mapped by the config, else the name if it can be a login.
    An organisation named only as ``@org/team`` is never taken for a person."""
    logins: list[str] = []
    lowered = {key.lower().lstrip("@"): value for key, value in mapping.items()}
    for name in item.assignees:
        if _team_only(name.lstrip("@"), item.text):
            continue
        login = mapping.get(name) or lowered.get(name.lower().lstrip("@")) or name
        login = login.strip().lstrip("@")
        if _LOGIN.fullmatch(login) and login.lower() not in (x.lower() for x in logins):
            logins.append(login)
    return logins[:MAX_ASSIGNEES]


def line_link(source: Source, line: int) -> str | None:
    return f"{source.permalink}#L{line}" if source.permalink else None


def permalink(server_url: str, repo: str, sha: str, file: str) -> str:
    return f"{server_url.rstrip('/')}/{repo}/blob/{sha}/{quote(file.lstrip('/'))}"


def fingerprint(item: ActionItem, source: Source, assignees: list[str], milestone: str | None) -> str:
    """A short hash of what the issue shows, apart from line numbers and commit: a change means update."""
    facts = [issue_title(item), item.text, assignees, item.due, item.priority, sorted(item_labels(item)[0]),
             source.title, source.date, milestone]
    return hashlib.sha1(json.dumps(facts, ensure_ascii=True).encode()).hexdigest()[:12]


def render_marker(marker: Marker) -> str:
    """The hidden HTML comment; ``<``, ``>`` and ``&`` are escaped so no file name can end the comment
    (and ``@``, so not even a hidden mention is there)."""
    fields: dict[str, Any] = {"file": marker.file, "item": marker.item, "index": marker.index, "rev": marker.rev}
    if marker.closed:
        fields["closed"] = marker.closed
    data = json.dumps(fields, ensure_ascii=True, sort_keys=True)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("@", "\\u0040")
    return f"<!-- {MARKER_NAME}: {data} -->"


def _comments(body: str) -> list[tuple[int, int]]:
    """Where the HTML comments of ``body`` start and end, in order (one linear pass)."""
    found: list[tuple[int, int]] = []
    opened = -1
    for token in _COMMENT.finditer(body):
        if token.group() == "<!--":
            opened = token.start()
        elif opened >= 0:
            found.append((opened, token.end()))
            opened = -1
    return found


def _marker_comments(body: str) -> list[tuple[int, int, str]]:
    prefix = MARKER_NAME + ":"
    found = []
    for start, end in _comments(body):
        text = body[start + 4: end - 3].strip()
        if text.startswith(prefix):
            found.append((start, end, text[len(prefix):]))
    return found


def replace_marker(body: str, marker: Marker) -> str:
    """``body`` with its marker (the last one) replaced by ``marker``, or the marker appended."""
    found = _marker_comments(body)
    if not found:
        return f"{body}\n\n{render_marker(marker)}\n"
    start, end, _ = found[-1]
    return body[:start] + render_marker(marker) + body[end:]


def parse_marker(body: str | None) -> Marker | None:
    """The marker in an issue body, or None when it has none (or a damaged one)."""
    if not body:
        return None
    markers = [text for _, _, text in _marker_comments(body)]
    if not markers:
        return None
    try:  # the last marker counts: item text quoted above it cannot pose as one
        data: Any = json.loads(markers[-1])
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    file, item, index, rev = data.get("file"), data.get("item"), data.get("index"), data.get("rev", "")
    closed = data.get("closed", "")
    if not isinstance(file, str) or not isinstance(item, str) or not isinstance(index, int) \
            or isinstance(index, bool) or not isinstance(rev, str) or not isinstance(closed, str):
        return None
    return Marker(file, item, index, rev, closed)


def _clean(text: str) -> str:
    """Text without control characters and direction overrides (they could disguise what is shown)."""
    return _UNSAFE.sub("\ufffd", text)


def code_span(text: str, table: bool = False) -> str:
    """``text`` as an inline code span that nothing in it can end: no markup, mention or HTML is live."""
    text = " ".join(_clean(text).split())[:CELL_LIMIT] or " "
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    span = f"{fence} {text} {fence}"
    return span.replace("|", "\\|") if table else span


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fit(text: str, budget: int) -> str:
    """The start of ``text`` within ``budget`` UTF-16 units (GitHub's counting is never above that)."""
    return text.encode("utf-16-le")[: max(0, budget) * 2].decode("utf-16-le", errors="ignore")


def _where(source: Source, line: int) -> str:
    link = line_link(source, line)
    return f"{code_span(source.file)} [line {line}]({link})" if link else f"{code_span(source.file)} line {line}"


def issue_body(item: ActionItem, source: Source, assignees: list[str], milestone: str | None,
               marker: Marker) -> str:
    """The issue body: the item, its details, where it comes from, and the marker; never over
    GitHub's 65,536 characters (a long item is cut, with a note)."""
    rows: list[tuple[str, str]] = []
    if assignees:  # no live mention even here: GitHub tells the assignees through the assignment
        rows.append(("Owner", ", ".join(code_span(f"@{login}", table=True) for login in assignees)))
    elif item.assignees:
        rows.append(("Owner", ", ".join(code_span(name, table=True) for name in item.assignees)))
    for key, value in (("Due", item.due), ("Priority", item.priority), ("Milestone", milestone)):
        if value:
            rows.append((key, value if _PLAIN_VALUE.fullmatch(value) else code_span(value, table=True)))
    postmortem = source.title or source.file
    if source.date:
        postmortem += f" ({source.date})"
    rows.append(("Postmortem", code_span(postmortem, table=True)))
    rows.append(("Source", _where(source, item.line).replace("|", "\\|")))
    table = "\n".join(f"| {key} | {value} |" for key, value in rows)
    tail = (f"\n\n| | |\n|---|---|\n{table}\n\n"
            f"This issue is kept in step with the postmortem by postmortem-check: edit the item in the "
            f"postmortem, or check it done there to close this issue.\n\n{render_marker(marker)}\n")
    head = "Corrective action from a postmortem:\n\n"
    text = _clean(item.text.replace("\r\n", "\n").replace("\r", "\n"))
    fence = "`" * max(3, max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    body = f"{head}{fence}text\n{text}\n{fence}{tail}"
    if _utf16_length(body) <= BODY_LIMIT:
        return body
    note = (f"\n\n*The item is longer than GitHub allows in an issue body ({len(item.text):,} characters); "
            f"it is cut here: read all of it in the postmortem.*")
    frame = f"{head}{fence}text\n\n{fence}{note}{tail}"
    return f"{head}{fence}text\n{_fit(text, BODY_LIMIT - _utf16_length(frame))}\n{fence}{note}{tail}"


def orphan_comment(file: str, link: str | None) -> str:
    """The comment on an issue closed because its item is no longer in the postmortem."""
    where = f"{code_span(file)} ([the file at this commit]({link}))" if link else code_span(file)
    return f"Closed by postmortem-check: this action item is no longer in the postmortem {where}."


def close_comment(item: ActionItem, source: Source) -> str:
    where = _where(source, item.line)
    return f"Closed by postmortem-check: this action item is marked done in the postmortem ({where})."
