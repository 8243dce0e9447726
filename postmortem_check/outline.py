"""Outline stage: find the section markers a person sees, whatever their style, and what each section holds.

Marker styles, from strongest to weakest: headings (ATX, setext, HTML, levels 1-6), lines that are
only emphasis (``**Timeline:**``, ``_History_``; level 7), bare label lines (``Timeline:`` alone on a
line, also inside a paragraph; level 8). A marker naming a known section always starts it; an unknown
marker deeper than the current known section is a subsection of it. Inline labels (``Impact: text``,
``- **Impact:** text``) and sections implied by the wording of the summary are *mentions*: they show
that a section's content is there, without moving the outline.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .findings import Finding
from .lazy_re import LazyPattern
from .parse import Block, parse_markdown
from .vocabulary import FUZZY, Vocabulary, implied_anchors, implied_finder, implied_patterns

EMPHASIS_LEVEL = 7
LABEL_LEVEL = 8

# Matched against stripped lines, with bounded repeats only: every one of these is linear in the line.
_EMPHASIS_LINE = LazyPattern(
    r"^(?:[-*+•][ \t]{1,4}|\d{1,3}[.)][ \t]{1,4})?(\*\*|__|\*|_)(?P<text>[^*_\n]{1,120}?)\1[ \t]{0,8}(?P<colon>:)?$"
)
_INLINE_LABEL = LazyPattern(
    r"^(?:[-*+•=][ \t]{0,4}|\d{1,3}[.)][ \t]{0,4})?(?:\*\*|__)?(?P<label>[A-Za-z][\w &/'’()-]{0,40}?)[ \t]{0,3}"
    r"(?:\*\*|__)?[ \t]{0,3}:[ \t]{0,3}(?:\*\*|__)?[ \t]{0,3}(?P<rest>\S.*)$"
)
_BARE_LABEL = LazyPattern(
    r"^(?:[•o·▪][ \t]{1,4}|\d{1,3}[.)][ \t]{0,4})?(?P<text>[^\s:][^:]{0,58}?)[ \t]{0,4}(?P<colon>:)?$"
)
_TAG = LazyPattern(r"<[^>]{0,200}>")
_WORD = LazyPattern(r"[^\W_]+(?:['’][^\W_]+)?")
_MARKDOWN_FENCE = {"markdown", "md"}
# Sections whose wording says nothing about the others (a timeline mentions detection, fixes, impact).
_NOT_IMPLYING = {"timeline", "corrective_actions", "lessons_learned"}
# ... except that a timeline which records the fix does document the resolution.
_IMPLIED_BY_TIMELINE = {"resolution", "root_cause"}
# Unknown sections whose text is not the team's account of the incident.
_ASIDE = LazyPattern(r"\b(?:faq|q ?& ?a|questions|appendix|logs?|references?|glossary)\b", re.I)
_FILL_ME = LazyPattern(r"^\W{0,2}(?:todo|to do|tbd|fixme)\W{0,2}$", re.I)
_CODE_SPAN = LazyPattern(r"(`{1,8})[^`\n]{0,2000}?\1")


class Section:
    """A run of the document under one marker. ``ids`` is empty for a section the schema does not know.
    ``style`` is one of heading, emphasis, label, inline, lead, implied."""

    __slots__ = ("blocks", "heading", "ids", "level", "line", "style")

    def __init__(self, ids: tuple[str, ...], heading: str, line: int, level: int, style: str) -> None:
        self.ids, self.heading, self.line, self.level, self.style = ids, heading, line, level, style
        self.blocks: list[Block] = []

    @property
    def explicit(self) -> bool:
        return self.style in ("heading", "emphasis", "label")


class Outline(NamedTuple):
    title: str | None
    title_line: int | None
    sections: list[Section]
    found: dict[str, Section]
    blocks: list[Block]
    ref_links: set[str]
    findings: list[Finding]


# Byte tables for ASCII text: letters and digits kept (and, in the second, apostrophes), any other byte a space;
# in the third, letters and digits are all "a" (a run of them starts where " a" is, or at the start).
_RUNS = bytes(byte if chr(byte).isascii() and chr(byte).isalnum() else 32 for byte in range(256))
_RUNS_AND_APOSTROPHES = bytes(byte if byte == 39 else _RUNS[byte] for byte in range(256))
_RUN_MARKS = bytes(32 if byte == 32 else 97 for byte in _RUNS)


def words(text: str) -> int:
    """The number of words (letters and digits, with one inner apostrophe) in ``text``."""
    if not text.isascii():
        return len(_WORD.findall(text))
    # What _WORD finds in ASCII text ([A-Za-z0-9]+(?:'[A-Za-z0-9]+)?), counted without the regex engine: each
    # run of letters and digits is a word, less the runs an apostrophe joins to the word before ("don't").
    data = text.encode("ascii")
    marks = data.translate(_RUN_MARKS)
    count = marks.count(b" a") + marks.startswith(b"a")
    if b"'" in data:  # each space-separated token with an apostrophe, found from its apostrophes
        tokens = data.translate(_RUNS_AND_APOSTROPHES)
        at = tokens.find(b"'")
        while at >= 0:
            end = tokens.find(b" ", at)
            end = len(tokens) if end < 0 else end
            count -= _joined_runs(tokens[tokens.rfind(b" ", 0, at) + 1:end])
            at = tokens.find(b"'", end)
    return count


def _joined_runs(token: bytes) -> int:
    """How many runs of letters and digits in ``token`` (which holds only those and apostrophes) continue the
    word before them: in a chain of runs linked by single apostrophes, every second one ("a'b'c" is "a'b", "c")."""
    joined = chain = 0
    for part in token.split(b"'"):
        if part:
            chain += 1
        else:  # two apostrophes in a row, or one at an end: the chain is broken
            joined += chain // 2
            chain = 0
    return joined + chain // 2


def heading_text(text: str) -> str:
    """A heading as a person reads it: without markup around it and without a trailing colon."""
    match = _EMPHASIS_LINE.match(text.strip()) if "*" in text or "_" in text else None
    if match:
        text = match.group("text")
    if "<" in text:
        text = _TAG.sub("", text)
    text = text.strip().strip("*_").strip()
    return text.rstrip(":").strip()


def build_outline(path: str, body: str, first_line: int, vocabulary: Vocabulary) -> Outline:
    parsed = parse_markdown(body, first_line)
    findings: list[Finding] = []
    blocks = _expand_fences(path, parsed.blocks, findings, parsed.ref_links)
    items = list(_markers_and_content(blocks, vocabulary))
    title, title_line, items = _take_title(items, vocabulary)

    sections: list[Section] = []
    mentions: list[Section] = []
    lead = Section(("summary",) if "summary" in vocabulary.sections else (), "", 0, 0, "lead")
    current: Section | None = None
    seen_known = False
    for item in items:
        if isinstance(item, Section):
            if item.style == "inline":
                mentions.append(item)
                continue
            if item.ids or current is None or not current.ids or current.level >= item.level:
                current = item
                sections.append(item)
                seen_known = seen_known or bool(item.ids)
            else:  # a subsection of the current known section: its heading is part of the content
                current.blocks.append(Block("heading", item.line, [item.heading], level=item.level))
            continue
        if current is not None:
            current.blocks.append(item)
        if not seen_known and item.kind in ("paragraph", "list_item") and (current is None or not current.ids):
            if lead.line == 0:
                lead.line = item.line
            lead.blocks.append(item)

    found: dict[str, Section] = {}
    for section in sections:
        for section_id in section.ids:
            found.setdefault(section_id, section)
    for mention in mentions:
        for section_id in mention.ids:
            found.setdefault(section_id, mention)
    if lead.ids and lead.line and words(" ".join(b.text for b in lead.blocks)) >= 5:
        found.setdefault("summary", lead)
    _find_implied(found, sections, lead, vocabulary)
    return Outline(title, title_line, sections, found, blocks, parsed.ref_links, findings)


def _expand_fences(path: str, blocks: list[Block], findings: list[Finding], refs: set[str]) -> list[Block]:
    """Parse ``markdown`` fences as Markdown, and report fences left open."""
    out: list[Block] = []
    for block in blocks:
        if block.kind != "code" or (not block.info and block.closed):
            out.append(block)
            continue
        if not block.closed:
            findings.append(Finding(path, block.line, 1, "unclosed-fence", "warning",
                                    "code fence opened here is never closed; the rest of the file is code"))
        language = block.info.split()[0].lower() if block.info else ""
        if language in _MARKDOWN_FENCE:
            findings.append(Finding(path, block.line, 1, "fenced-document", "warning",
                                    f"text inside this ```{language} fence was read as Markdown; remove the fence"))
            inner = parse_markdown("\n".join(block.lines[1:]), block.line + 1)
            refs.update(inner.ref_links)
            out.extend(_expand_fences(path, inner.blocks, findings, refs))
        else:
            out.append(block)
    return out


def _markers_and_content(blocks: list[Block], vocabulary: Vocabulary) -> list[Section | Block]:
    """Blocks in order, with markers turned into Sections and paragraphs split around label lines."""
    out: list[Section | Block] = []
    for block in blocks:
        if block.quoted:  # a quoted ticket's "Actions:" is not one of the document's sections
            out.append(block)
        elif block.kind == "heading":
            ids, _ = vocabulary.match(block.text)
            out.append(Section(ids, heading_text(block.text), block.line, block.level, "heading"))
        elif block.kind == "paragraph" and block.depth == 0:
            out.extend(_split_paragraph(block, vocabulary))
        elif block.kind == "table_row" and block.info != "head":
            out.extend(_cell_labels(block, vocabulary))
            out.append(block)
        elif block.kind in ("paragraph", "list_item"):
            mention = _inline_label(block, 0, vocabulary)
            if mention is not None:
                mention.blocks.append(block)
                out.append(mention)
            out.append(block)
        else:
            out.append(block)
    return out


def _split_paragraph(block: Block, vocabulary: Vocabulary) -> list[Section | Block]:
    out: list[Section | Block] = []
    start = 0
    lines = block.lines
    for index, line in enumerate(lines):
        marker = _line_marker(line, index, len(lines), vocabulary)
        if marker is None:
            continue
        if index > start:
            out.extend(_content(Block("paragraph", block.line + start, lines[start:index]), vocabulary))
        marker.line = block.line + index
        out.append(marker)
        start = index + 1
    if start < len(lines):
        rest = Block("paragraph", block.line + start, lines[start:]) if start else block
        out.extend(_content(rest, vocabulary))
    return out


def _content(block: Block, vocabulary: Vocabulary) -> list[Section | Block]:
    """A paragraph, preceded by the inline-label mentions its lines carry."""
    out: list[Section | Block] = []
    for index in range(len(block.lines)):
        mention = _inline_label(block, index, vocabulary)
        if mention is not None:
            mention.blocks.append(Block("paragraph", block.line + index, [block.lines[index]]))
            out.append(mention)
    out.append(block)
    return out


def _line_marker(line: str, index: int, count: int, vocabulary: Vocabulary) -> Section | None:
    """A Section if this paragraph line is an emphasis-only line or a bare label line."""
    line = line.strip()
    emphasis = _EMPHASIS_LINE.match(line) if "*" in line or "_" in line else None  # it needs one of them
    if emphasis:
        ids, _ = vocabulary.match(emphasis.group("text"))
        return Section(ids, heading_text(line), 0, EMPHASIS_LEVEL, "emphasis")
    label = _BARE_LABEL.match(line) if _may_be_bare_label(line) else None
    if not label or "](" in line or "http" in line:
        return None
    text = label.group("text")
    ids, quality = vocabulary.match(text)
    if ids and quality >= FUZZY:
        return Section(ids, text.strip(), 0, LABEL_LEVEL, "label")
    if (label.group("colon") and index == 0 and count > 1 and len(text.split()) <= 4
            and text[:1].isupper() and not text.rstrip().endswith((".", "!", "?"))):
        return Section((), text.strip(), 0, LABEL_LEVEL, "label")
    return None


def _may_be_bare_label(line: str) -> bool:
    """False for lines ``_BARE_LABEL`` cannot match: without a leading bullet or number, its text is at most
    59 characters, followed only by white space and one colon."""
    core = line.strip()
    if core.endswith(":"):
        core = core[:-1].rstrip()
    return len(core) <= 59 or core[:1] in "•o·▪0123456789"


def _inline_label(block: Block, index: int, vocabulary: Vocabulary) -> Section | None:
    line = block.lines[index] if block.lines else ""
    match = _INLINE_LABEL.match(line.strip()) if ":" in line else None  # a label ends with a colon
    if not match:
        return None
    ids, quality = vocabulary.match(match.group("label"))
    if not ids or quality < FUZZY or _FILL_ME.match(match.group("label")):
        return None  # "**TODO**: ..." is a note to do something, not a section
    return Section(ids, match.group("label").strip(), block.line + index, LABEL_LEVEL + 1, "inline")


def _cell_labels(block: Block, vocabulary: Vocabulary) -> list[Section | Block]:
    """Mentions made by labels that start a table cell: ``| 15:00 | **Recovery:** node uncordoned |``."""
    out: list[Section | Block] = []
    for cell in block.cells:
        mention = _inline_label(Block("paragraph", block.line, [cell]), 0, vocabulary) if ":" in cell else None
        if mention is not None:
            mention.blocks.append(block)
            out.append(mention)
    return out


def _take_title(
    items: list[Section | Block], vocabulary: Vocabulary
) -> tuple[str | None, int | None, list[Section | Block]]:
    """The document title: its first heading or emphasis line before any content, or a short first line."""
    for index, item in enumerate(items):
        if isinstance(item, Section):
            if item.ids or item.style not in ("heading", "emphasis"):
                return None, None, items
            return item.heading, item.line, items[:index] + items[index + 1:]
        if item.kind == "html":
            continue
        if item.kind == "paragraph" and len(item.lines) == 1 and words(item.text) <= 10:
            text = item.text.strip()
            if not text.endswith(":") and not vocabulary.match(text)[0]:
                return heading_text(text), item.line, items[:index] + items[index + 1:]
        return None, None, items
    return None, None, items


def _find_implied(found: dict[str, Section], sections: list[Section], lead: Section, vocabulary: Vocabulary) -> None:
    """Sections the schema can recognise from wording in the summary, lead or unknown sections
    (``x-implied-by``), in timeline entries (``x-implied-in-timeline``: a timeline that records the fix),
    or in text they quote (``x-implied-in-quotes``: a vendor's ticket that names the faulty part)."""
    missing = [spec for spec in vocabulary.sections.values() if spec.id not in found and
               (spec.implied_by or spec.implied_in_timeline or spec.implied_in_quotes)]
    if not missing:
        return
    scope: list[Block] = list(lead.blocks)
    timeline: list[Block] = []
    for section in sections:
        if "timeline" in section.ids:
            timeline.extend(section.blocks)
        if not set(section.ids) & _NOT_IMPLYING and not (not section.ids and _ASIDE.search(section.heading)):
            scope.extend(section.blocks)
    for spec in missing:
        hits = [_first_match(scope, spec.implied_by), _first_match(timeline, spec.implied_in_timeline),
                _first_match(scope, spec.implied_in_quotes, quoted=True)]
        hit = min((line for line in hits if line is not None), default=None)
        if hit is not None:
            found[spec.id] = Section((spec.id,), spec.title, hit, LABEL_LEVEL + 1, "implied")


def _first_match(blocks: list[Block], sources: tuple[str, ...], quoted: bool = False) -> int | None:
    """The first line of the document's own prose (or, with ``quoted``, of the text it quotes; never code)
    that one of the patterns finds."""
    if not sources:
        return None
    anchors = implied_anchors(sources)
    if anchors is not None:  # a match holds one of them, in a line or in two joined: is any in the blocks?
        text = "\n".join(block.text for block in blocks
                         if block.kind in ("paragraph", "list_item", "table_row") and block.quoted == quoted)
        lowered = text.lower() if text.isascii() else None
        if lowered is not None and not any(anchor in lowered for anchor in anchors):
            return None
    patterns = implied_patterns(sources)
    finder = implied_finder(sources)

    def may_match(text: str) -> bool:  # False: a line of ASCII text without any word the patterns need
        return finder is None or not text.isascii() or finder.search(text.lower()) is not None

    for block in blocks:
        if block.kind not in ("paragraph", "list_item", "table_row") or block.quoted != quoted:
            continue
        lines = [_CODE_SPAN.sub(" ", line) if "`" in line else line for line in block.lines]
        for offset, line in enumerate(lines):
            if may_match(line) and any(p.search(line) for p in patterns):
                return block.line + offset
            # wording wrapped onto the next line of the paragraph ("... causing" / "the outage")
            if offset + 1 < len(lines) and block.kind != "table_row":
                first = line.rstrip()
                joined = first + " " + lines[offset + 1].strip()
                if may_match(joined) and any((m := p.search(joined)) and m.start() < len(first) for p in patterns):
                    return block.line + offset
    return None


def placement(outline: Outline, order: list[str], missing: list[str]) -> dict[str, int | None]:
    """For each missing section, the line of the known marker to insert it before (None: the end).

    Among the gaps between the document's section markers, take the one that puts the fewest existing
    sections on the wrong side of the new one by schema order; on a tie, the latest. In a document that
    follows the schema's order this is exactly the slot between its neighbours in that order.
    """
    rank = {section_id: index for index, section_id in enumerate(order)}
    anchors: list[tuple[int, list[int]]] = []
    for section in outline.sections:
        ranks = [rank[i] for i in section.ids if i in rank]
        if ranks and section.explicit:
            anchors.append((section.line, ranks))
    result: dict[str, int | None] = {}
    for section_id in missing:
        r = rank[section_id]
        later_lower = sum(1 for _, ranks in anchors if max(ranks) < r)
        earlier_higher = 0
        best, best_gap = later_lower, 0
        for gap in range(1, len(anchors) + 1):
            ranks = anchors[gap - 1][1]
            later_lower -= max(ranks) < r
            earlier_higher += min(ranks) > r
            cost = later_lower + earlier_higher
            if cost <= best:
                best, best_gap = cost, gap
        result[section_id] = anchors[best_gap][0] if best_gap < len(anchors) else None
    return result
