"""Model stage: the outline turned into a JSON instance of facts, with a map from JSON pointer to line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from . import action_items, timeline
from .action_items import ActionItem
from .document import Document
from .lazy_re import LazyPattern
from .outline import Outline, Section, placement, words
from .parse import Block
from .placeholders import find as find_placeholders
from .template_text import line_key, template_placeholders

_REF_TARGET = LazyPattern(r"^ {0,3}\[(?P<label>[^\[\]]{1,200})\]:[ \t]*<?(?P<url>[^\s<>]+)")
_HTML_COMMENT = LazyPattern(r"<!--.*?(?:-->|$)", re.S)


class Model(NamedTuple):
    """The JSON instance validated against the schema, and the line each pointer stands for."""

    instance: dict[str, Any]
    lines: dict[str, int]
    expected_lines: dict[str, int]
    action_items: list[ActionItem]


def _content_text(block: Block) -> str:
    """What a reader sees of a block: HTML comments (template instructions) are not content."""
    return _HTML_COMMENT.sub(" ", block.text) if block.kind == "html" else block.text


def _section_json(blocks: list[Block], first: Section) -> dict[str, Any]:
    content = "\n".join(_content_text(block) for block in blocks)
    count = words(content)
    return {"heading": first.heading, "line": first.line, "style": first.style, "text": content, "words": count,
            "empty": count == 0 and first.explicit}


def _with_subsections(outline: Outline, sections: list[Section]) -> list[Block]:
    """The blocks of these sections and of the sections nested under them (deeper markers that follow),
    each block once, in document order: "## Remediation" holds "### Immediate actions" and its list."""
    chosen = {id(section) for section in sections}
    blocks: list[Block] = []
    seen: set[int] = set()
    parent_level: int | None = None
    start = next((index for index, section in enumerate(outline.sections) if id(section) in chosen),
                 len(outline.sections))  # an implied section is none of them: it has no blocks
    for section in outline.sections[start:]:  # nothing is taken before the first chosen section
        if parent_level is not None and section.level <= parent_level and id(section) not in chosen:
            parent_level = None
        if id(section) in chosen:
            parent_level = section.level if parent_level is None else min(parent_level, section.level)
        if parent_level is not None:
            if id(section) not in chosen:  # a nested section's heading is part of its parent's content
                blocks.append(Block("heading", section.line, [section.heading], level=section.level))
            for block in section.blocks:
                if id(block) not in seen:
                    seen.add(id(block))
                    blocks.append(block)
    return blocks


def _timeline_blocks(outline: Outline) -> list[Block]:
    """The blocks of the timeline sections, each preceded by the last dated heading before it (the day of
    "### October 24, 2025 - Rate limiting" holds for the "**Timeline:**" under it)."""
    blocks: list[Block] = []
    dated: Section | None = None
    for section in outline.sections:
        if "timeline" in section.ids:
            if dated is not None:
                blocks.append(Block("heading", dated.line, [dated.heading], level=dated.level))
                dated = None
            blocks.extend(section.blocks)
        elif section.explicit and timeline.parse_date(section.heading):
            dated = section
    return blocks


def build_model(document: Document, outline: Outline, order: list[str],
                template_text: Sequence[str] = ()) -> Model:
    lines: dict[str, int] = {"": 1}
    sections_json: dict[str, Any] = {}
    for section_id, first in outline.found.items():
        occurrences = [s for s in outline.sections if section_id in s.ids] if first.explicit else [first]
        sections_json[section_id] = _section_json(_with_subsections(outline, occurrences), first)
        for key in ("", "/heading", "/empty", "/words", "/style"):
            lines[f"/sections/{section_id}{key}"] = first.line

    unknown = [{"heading": s.heading, "line": s.line} for s in outline.sections if not s.ids]

    timeline_blocks = _timeline_blocks(outline)
    entries = timeline.entries_from_blocks(timeline_blocks)
    problems = timeline.order_problems(entries)
    for index, entry in enumerate(entries):
        lines[f"/timeline/entries/{index}"] = entry.line
        lines[f"/timeline/entries/{index}/time"] = entry.line
    for index, problem in enumerate(problems):
        lines[f"/timeline/order_problems/{index}"] = int(str(problem["line"]))

    items: list[ActionItem] = []
    seen: dict[str, int] = {}
    instructions = {t for t in template_text if isinstance(t, str) and t.strip()}
    for item in _action_items(document, outline):
        if item.line <= len(document.lines) and line_key(document.lines[item.line - 1]) in instructions:
            continue  # the team template's own instruction sentence, left in: not work to track
        count = seen.get(item.id, 0)
        seen[item.id] = count + 1
        if count:
            item = item._replace(id=f"{item.id}-{count + 1}")
        items.append(item._replace(position=len(items)))
    for index, item in enumerate(items):
        lines[f"/action_items/{index}"] = item.line
    if "corrective_actions" in outline.found:
        lines["/action_items"] = outline.found["corrective_actions"].line

    placeholders = find_placeholders(document.lines, outline, document.template_lines)
    if template_text:
        placeholders = template_placeholders(document, outline, template_text, placeholders)
    for index, placeholder in enumerate(placeholders):
        lines[f"/placeholders/{index}"] = placeholder["line"]

    if document.front_matter is not None:
        lines["/front_matter"] = 1
        key_lines = _front_matter_lines(document)
        for key in document.front_matter:
            lines[f"/front_matter/{key}"] = key_lines.get(key, 1)

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
    off ("### What went wrong" between two action groups) or that a bold line names ("**In progress:**"),
    and elsewhere status lines (``**TODO**: …``), announced lists, to-do lists under headings the schema
    does not know and the work left that a sentence states."""
    refs = _reference_links(document)
    found: list[ActionItem] = []
    level: int | None = None  # the level of the corrective-actions section we are in
    named = False  # a bold line there named another known section ("**Lessons learned**")
    above: list[int] = []  # levels of the headings the section is nested in
    for index, section in enumerate(outline.sections):
        while section.style == "heading" and above and above[-1] >= section.level:
            above.pop()
        top = section.style == "heading" and not above
        above += [section.level] if section.style == "heading" else []
        if level is not None and section.level <= level:
            level = None
        if "corrective_actions" in section.ids:
            level = section.level if level is None else level  # a nested one stays in the outer section
            named = False
            after = outline.sections[index + 1] if index + 1 < len(outline.sections) else None
            introduces = after is not None and after.style == "heading" and after.level > section.level \
                and "corrective_actions" in after.ids
            found.extend(action_items.extract(section.blocks, section.heading, refs, introduces))
            continue
        if section.style == "heading":
            named = False
        elif section.explicit and not set(section.ids) <= {"resolution"}:
            named = True
        # "### Investigation" there asks for an investigation: what it names is work, not the root cause
        asks = section.style == "heading" and set(section.ids) <= {"resolution", "root_cause"}
        if level is not None and section.explicit and not named and (asks or set(section.ids) <= {"resolution"}):
            heading = Block("heading", section.line, [section.heading], level=section.level)
            found.extend(action_items.extract([heading, *section.blocks], "", refs))
        elif set(section.ids) <= {"lessons_learned", "resolution"}:  # not a summary's "**TODO**: fill in"
            found.extend(action_items.status_items(section.blocks, refs))
            found.extend(action_items.announced_lists(section.blocks, refs))
            if not section.ids and not timeline.parse_date(section.heading):  # not a diary's day
                found.extend(action_items.task_lists(section.blocks, refs, section.heading) if top else [])
                found.extend(action_items.work_left(section.blocks, refs))
        elif set(section.ids) <= {"root_cause"}:  # a conclusion that names the cause, then work to come
            found.extend(action_items.announced_lists(section.blocks, refs))
            found.extend(action_items.work_left(section.blocks, refs))
    corrective = outline.found.get("corrective_actions")
    if corrective is None or not corrective.explicit:  # without a section for them, work is announced in prose
        for section in outline.sections:
            if "resolution" in section.ids and section.explicit:
                found.extend(action_items.prose_items(section.blocks, refs))
        if not any(section.explicit for section in outline.sections):  # a letter: no sections at all
            found.extend(action_items.prose_items(outline.blocks, refs))
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


_FRONT_MATTER_KEY = LazyPattern(r"^[ \t]{0,40}['\"]?(?P<key>[^'\":\s][^'\":\n]{0,199}?)['\"]?[ \t]{0,8}:")


def _front_matter_lines(document: Document) -> dict[str, int]:
    """The line of each top-level front matter key, in one pass over the front matter."""
    found: dict[str, int] = {}
    for number in range(2, document.body_start - 1):
        match = _FRONT_MATTER_KEY.match(document.lines[number - 1])
        if match:
            found.setdefault(match.group("key").strip(), number)
    return found


def _expected_lines(outline: Outline, order: list[str], document: Document) -> dict[str, int]:
    """Where each missing section belongs: the line ``lint --fix`` would insert it before (or the end)."""
    missing = [section_id for section_id in order
               if section_id not in outline.found or not outline.found[section_id].explicit]
    last_line = max(1, len(document.lines) - (1 if document.lines and document.lines[-1] == "" else 0))
    return {section_id: line or last_line for section_id, line in placement(outline, order, missing).items()}
