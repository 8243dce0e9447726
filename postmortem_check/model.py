"""Model stage: the outline turned into a JSON instance of facts, with a map from JSON pointer to line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from . import action_items, timeline
from .action_items import ActionItem
from .document import Document
from .outline import Outline, Section, placement, words
from .parse import Block
from .template_text import template_placeholders

_BRACKET = re.compile(r"(?<![\\!\]])\[(?P<body>[^\[\]\n]{1,200})\](?!\s*[(\[])")
_REF_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_REF_TARGET = re.compile(r"^ {0,3}\[(?P<label>[^\[\]]{1,200})\]:[ \t]*<?(?P<url>[^\s<>]+)")
_CODE_SPAN = re.compile(r"(`+)[^`]*?\1")
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)
_PLACEHOLDER_WORDS = re.compile(
    r"\bTBD\b|\bTBA\b|\?{3,}|\bDATE RANGE\b|\bIncident Title\b|\bXX:XX\b|\bYYYY-MM-DD\b|\bHH:MM\b|\bLorem ipsum\b"
)
# Text every match of _PLACEHOLDER_WORDS contains: a cheap test before the (slow) regular expression.
_PLACEHOLDER_LITERALS = ("TBD", "TBA", "???", "DATE RANGE", "Incident Title", "XX:XX", "YYYY-MM-DD", "HH:MM",
                         "Lorem ipsum")
_PLACEHOLDER_TERMS = {
    "date", "time", "duration", "name", "owner", "title", "link", "url", "impact", "description", "service",
    "team", "number", "n", "x", "xx", "tbd", "todo", "timezone", "tz", "severity", "status", "author", "authors",
    "summary", "cause", "details", "company", "product", "email", "ticket", "id", "percentage", "start", "end",
}
_TEMPLATE_VERBS = re.compile(
    r"^(describe|insert|add|provide|list|specify|mention|include|briefly|enter|explain|your|fill|put|write|"
    r"give|state|outline|summari[sz]e|e\.g\.|example)\b", re.I)


@dataclass
class Model:
    """The JSON instance validated against the schema, and the line each pointer stands for."""

    instance: dict[str, Any]
    lines: dict[str, int]
    expected_lines: dict[str, int]
    action_items: list[ActionItem]


def _is_placeholder(body: str, ref_links: set[str]) -> bool:
    text = body.strip()
    if not text or text.lower() in ("x", " ") or text.startswith("^"):
        return False
    if " ".join(text.split()).lower().upper() in ref_links:
        return False  # a shortcut reference link
    if len(text.split()) >= 2:
        return True  # "[Start time]", "[describe the impact]": template instructions
    return text.lower().rstrip(".:") in _PLACEHOLDER_TERMS or bool(_TEMPLATE_VERBS.match(text))


def find_placeholders(document: Document, outline: Outline) -> list[dict[str, Any]]:
    """Leftover template text in prose lines (not in code, links, task boxes or footnotes)."""
    text_lines: set[int] = set()
    for block in outline.blocks:
        if block.kind in ("paragraph", "list_item", "heading", "table_row") or (
                block.kind == "html" and not block.lines[0].lstrip().lower().startswith(("<!--", "<style", "<script"))):
            text_lines.update(range(block.line, block.end_line + 1))
    found: list[dict[str, Any]] = []
    # A line can hold a placeholder only if it has a bracket or a placeholder word; search the words once.
    words_anywhere = any(word in document.text for word in _PLACEHOLDER_LITERALS) and bool(
        _PLACEHOLDER_WORDS.search(document.text))
    for number in sorted(text_lines):
        if number > len(document.lines):
            continue
        line = document.lines[number - 1]
        if not words_anywhere and "[" not in line:
            continue
        if _REF_DEFINITION.match(line):
            continue
        masked = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        hits = [(m.start(), m.group(0)) for m in _BRACKET.finditer(masked)
                if _is_placeholder(m.group("body"), outline.ref_links)]
        spans = [(start, start + len(text)) for start, text in hits]
        hits += [(m.start(), m.group(0)) for m in _PLACEHOLDER_WORDS.finditer(masked)
                 if not any(start <= m.start() < end for start, end in spans)]  # "[TBD]" is one placeholder
        for column, text in sorted(hits):
            found.append({"text": text, "line": number, "column": column + 1})
    return found


def _content_text(block: Block) -> str:
    """What a reader sees of a block: HTML comments (template instructions) are not content."""
    return _HTML_COMMENT.sub(" ", block.text) if block.kind == "html" else block.text


def _section_json(sections: list[Section], first: Section) -> dict[str, Any]:
    content = "\n".join(_content_text(block) for section in sections for block in section.blocks)
    count = words(content)
    return {"heading": first.heading, "line": first.line, "style": first.style, "text": content, "words": count,
            "empty": count == 0 and first.explicit}


def build_model(document: Document, outline: Outline, order: list[str],
                template_text: Sequence[str] = ()) -> Model:
    lines: dict[str, int] = {"": 1}
    sections_json: dict[str, Any] = {}
    for section_id, first in outline.found.items():
        occurrences = [s for s in outline.sections if section_id in s.ids] if first.explicit else [first]
        sections_json[section_id] = _section_json(occurrences, first)
        for key in ("", "/heading", "/empty", "/words", "/style"):
            lines[f"/sections/{section_id}{key}"] = first.line

    unknown = [{"heading": s.heading, "line": s.line} for s in outline.sections if not s.ids]

    timeline_blocks = [b for s in outline.sections if "timeline" in s.ids for b in s.blocks]
    entries = timeline.entries_from_blocks(timeline_blocks)
    problems = timeline.order_problems(entries)
    for index, entry in enumerate(entries):
        lines[f"/timeline/entries/{index}"] = entry.line
        lines[f"/timeline/entries/{index}/time"] = entry.line
    for index, problem in enumerate(problems):
        lines[f"/timeline/order_problems/{index}"] = int(str(problem["line"]))

    items: list[ActionItem] = []
    seen: dict[str, int] = {}
    for item in _action_items(document, outline):
        count = seen.get(item.id, 0)
        seen[item.id] = count + 1
        if count:
            item = ActionItem(**{**item.__dict__, "id": f"{item.id}-{count + 1}"})
        items.append(ActionItem(**{**item.__dict__, "index": len(items)}))
    for index, item in enumerate(items):
        lines[f"/action_items/{index}"] = item.line
    if "corrective_actions" in outline.found:
        lines["/action_items"] = outline.found["corrective_actions"].line

    placeholders = find_placeholders(document, outline)
    if template_text:
        placeholders = template_placeholders(document, outline, template_text, placeholders)
    for index, placeholder in enumerate(placeholders):
        lines[f"/placeholders/{index}"] = placeholder["line"]

    if document.front_matter is not None:
        lines["/front_matter"] = 1
        for key in document.front_matter:
            lines[f"/front_matter/{key}"] = _front_matter_line(document, key)

    instance: dict[str, Any] = {
        "title": outline.title,
        "front_matter": document.front_matter,
        "sections": sections_json,
        "unknown_sections": unknown,
        "timeline": {"entries": [e.as_json() for e in entries], "order_problems": problems},
        "action_items": [item.as_json() for item in items],
        "placeholders": placeholders,
        "words": words(document.text),
    }
    return Model(instance, lines, _expected_lines(outline, order, document), items)


def _action_items(document: Document, outline: Outline) -> list[ActionItem]:
    """Items of the corrective-actions sections, of their sub-sections that another known sub-section split
    off ("### What went wrong" between two action groups), and status lines (``**TODO**: …``) elsewhere."""
    refs = _reference_links(document)
    found: list[ActionItem] = []
    level: int | None = None  # the level of the corrective-actions section we are in
    for section in outline.sections:
        if "corrective_actions" in section.ids:
            level = section.level
            found.extend(action_items.extract(section.blocks, section.heading, refs))
            continue
        if level is not None and section.level <= level:
            level = None
        if level is not None and section.style == "heading" and set(section.ids) <= {"resolution"}:
            heading = Block("heading", section.line, [section.heading], level=section.level)
            found.extend(action_items.extract([heading, *section.blocks], "", refs))
        elif set(section.ids) <= {"lessons_learned", "resolution"}:  # not a summary's "**TODO**: fill in"
            found.extend(action_items.status_items(section.blocks, refs))
    return found


def _reference_links(document: Document) -> dict[str, str]:
    """Reference-link definitions (``[label]: url``), label in lower case."""
    refs: dict[str, str] = {}
    for line in document.lines:
        if "]:" in line:
            match = _REF_TARGET.match(line)
            if match:
                refs.setdefault(" ".join(match.group("label").split()).lower(), match.group("url"))
    return refs


def _front_matter_line(document: Document, key: str) -> int:
    pattern = re.compile(rf"^\s*['\"]?{re.escape(key)}['\"]?\s*:")
    for number in range(2, document.body_start - 1):
        if pattern.match(document.lines[number - 1]):
            return number
    return 1


def _expected_lines(outline: Outline, order: list[str], document: Document) -> dict[str, int]:
    """Where each missing section belongs: the line ``lint --fix`` would insert it before (or the end)."""
    missing = [section_id for section_id in order
               if section_id not in outline.found or not outline.found[section_id].explicit]
    last_line = max(1, len(document.lines) - (1 if document.lines and document.lines[-1] == "" else 0))
    return {section_id: line or last_line for section_id, line in placement(outline, order, missing).items()}
