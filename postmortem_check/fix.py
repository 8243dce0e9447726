"""``lint --fix``: insert each missing required section, in the document's own heading style, where the
schema's order puts it. Only inserts: every original character stays, in order, and the line endings,
byte order mark and file mode are kept. Files are written atomically (temporary file, then rename).
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass

from .authoring import comment
from .document import Document, decode
from .files import escapes_tree, read_regular, write_atomic
from .outline import Outline, build_outline, placement
from .parse import parse_markdown
from .schema import LoadedSchema
from .vocabulary import normalize

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ATX = re.compile(r"^ {0,3}(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(?P<marks>=+|-+)[ \t]*$")
_HTML_HEADING = re.compile(r"<h(?P<level>[1-6])\b[^>]*>(?P<text>.*?)(?:</h(?P=level)\s*>|$)", re.I)
_EMPHASIS = re.compile(
    r"^\s*(?:[-*+•]\s+|\d{1,3}[.)]\s+)?(?P<d>\*\*|__|\*|_)(?P<text>.+?)(?P=d)\s*(?P<colon>:)?\s*$"
)
_TAGS = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Style:
    """How a document marks its sections: kind (atx, setext, html, emphasis, label), level, markup."""

    kind: str
    level: int = 2
    delimiter: str = ""
    colon: str = ""  # "" none, "in" inside the emphasis (``**X:**``), "out" after it (``**X**:``, ``X:``)

    def render(self, title: str) -> list[str]:
        """The lines of a heading for ``title`` in this style."""
        inner = title + (":" if self.colon else "")
        if self.kind == "setext":
            return [inner, ("=" if self.level == 1 else "-") * max(3, len(inner))]
        if self.kind == "html":
            return [f"<h{self.level}>{inner}</h{self.level}>"]
        if self.kind == "emphasis":
            d = self.delimiter
            if self.colon == "in":
                return [f"{d}{title}:{d}"]
            return [f"{d}{title}{d}" + (":" if self.colon else "")]
        if self.kind == "label":
            return [inner]
        return ["#" * self.level + " " + inner]


ATX2 = Style("atx", 2)


@dataclass(frozen=True)
class Insertion:
    """One section the fix added: its id, the heading written, and the line it is on in the new text."""

    section: str
    heading: str
    line: int


def _ends_with_colon(text: str) -> bool:
    return _TAGS.sub("", text).strip().rstrip("*_ ").endswith(":")


def style_of(lines: list[str], line: int, level: int, kind: str) -> Style | None:
    """The style of the section marker on 1-based ``line``; ``kind`` and ``level`` come from the outline."""
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    if kind == "heading":
        atx = _ATX.match(source)
        if atx:
            colon = "out" * _ends_with_colon(atx.group("text") or "")
            return Style("atx", len(atx.group("marks")), colon=colon)
        html = _HTML_HEADING.search(source)
        if html:
            return Style("html", int(html.group("level")), colon="out" * _ends_with_colon(html.group("text")))
        following = lines[line] if line < len(lines) else ""
        underline = _SETEXT_UNDERLINE.match(following)
        if underline:
            return Style("setext", 1 if underline.group("marks")[0] == "=" else 2,
                         colon="out" * _ends_with_colon(source))
        return Style("atx", min(max(level, 1), 6)) if 1 <= level <= 6 else None
    if kind == "emphasis":
        emphasis = _EMPHASIS.match(source)
        if emphasis:
            inside = emphasis.group("text").rstrip().endswith(":")
            colon = "in" if inside else "out" * bool(emphasis.group("colon"))
            return Style("emphasis", delimiter=emphasis.group("d"), colon=colon)
        return None
    if kind == "label":
        return Style("label", colon="out" * source.rstrip().endswith(":"))
    return None


def document_style(document: Document, outline: Outline) -> Style:
    """The most common marker style of the document's known sections (the first one seen on a tie)."""
    styles: Counter[Style] = Counter()
    for known_only in (True, False):
        for section in outline.sections:
            if section.explicit and (bool(section.ids) or not known_only):
                style = style_of(document.lines, section.line, section.level, section.style)
                if style is not None:
                    styles[style] += 1
        if styles:
            return styles.most_common(1)[0][0]
    return ATX2


def _newline(text: str) -> str:
    """The file's usual line break: the most frequent of CRLF, LF and CR (LF when there is none)."""
    counts = Counter(_LINE_BREAK.findall(text))
    return counts.most_common(1)[0][0] if counts else "\n"


def _line_starts(text: str) -> list[int]:
    """Offset of the start of each line, split on LF, CRLF and CR like the rest of the pipeline."""
    return [0, *(m.end() for m in _LINE_BREAK.finditer(text))]


def _outline(document: Document, schema: LoadedSchema) -> Outline:
    body = "\n".join(document.lines[document.body_start - 1:])
    return build_outline(document.path, body, document.body_start, schema.vocabulary)


def _named_by_a_heading(outline: Outline, schema: LoadedSchema) -> set[str]:
    """Sections some heading of the document starts with (``## Timeline (all times PST) Monday ...``),
    even when the outline did not take the heading for them: a fix must not add them a second time."""
    texts = [s.heading for s in outline.sections if s.explicit]
    texts += [block.text for block in outline.blocks if block.kind == "heading"]
    named: set[str] = set()
    variants = schema.vocabulary.variants
    for text in texts:
        words = normalize(text).split()
        for size in range(1, min(len(words), 8) + 1):
            named.update(variants.get(" ".join(words[:size]), ()))
    return named


def missing_sections(outline: Outline, schema: LoadedSchema) -> list[str]:
    """Required sections the outline does not find at all (in schema order), that a heading can add."""
    return [s for s in schema.section_order if s in schema.required_sections and s not in outline.found]


_OPEN_ENDED_HTML = re.compile(r"^ {0,3}<(?:!--|pre\b|script\b|style\b|textarea\b|\?|![A-Za-z]|!\[CDATA\[)", re.I)


def _quoted(line: str) -> bool:
    return line.lstrip().startswith(">")


def _unsafe_lines(document: Document) -> tuple[set[int], bool]:
    """Lines a heading must not be inserted before (inside or continuing a quote, list, table, fence, HTML
    block or paragraph), and whether appending at the end is unsafe (an open fence or HTML block there)."""
    lines = document.lines
    unsafe: set[int] = set()
    previous = None
    last = None
    body = "\n".join(lines[document.body_start - 1:])
    for block in parse_markdown(body, document.body_start).blocks:  # fences as written, not expanded
        unsafe.update(range(block.line + 1, block.end_line + 1))  # inside the block
        raw = lines[block.line - 1] if 0 < block.line <= len(lines) else ""
        before = lines[block.line - 2] if 1 < block.line <= len(lines) + 1 else ""
        in_list = block.kind in ("list_item", "table_row") or block.depth > 0
        continues = (before.strip() != "" and previous is not None and previous.end_line >= block.line - 1) or (
            in_list and previous is not None and (previous.kind in ("list_item", "table_row") or previous.depth > 0)
        ) or (_quoted(raw) and _quoted(before))
        if continues:
            unsafe.add(block.line)
        previous = block
        if last is None or block.end_line >= last.end_line:
            last = block
    end_unsafe = last is not None and (
        (last.kind == "code" and not last.closed)
        or (last.kind == "html" and bool(_OPEN_ENDED_HTML.match(lines[last.line - 1] if last.line <= len(lines)
                                                                 else ""))))
    return unsafe, end_unsafe


Plan = list[tuple[int | None, str, list[str], str]]  # before line (None: end), id, heading lines, note


def _insert(text: str, lines: list[str], plan: Plan, newline: str) -> tuple[str, list[tuple[str, str, int]]]:
    """Insert each planned heading with a comment under it; the new text and where each heading went."""
    starts = _line_starts(text)
    groups: dict[int | None, list[tuple[str, list[str], str]]] = {}
    for before, section_id, heading, note in plan:
        groups.setdefault(before, []).append((section_id, heading, note))
    pieces: list[tuple[int, str, list[tuple[str, str, int]]]] = []  # offset, text, (id, heading, line offset)
    for before, sections in groups.items():
        if before is None:
            offset = len(text)
            previous = next((line for line in reversed(lines[:-1] if lines[-1] == "" else lines)), "")
            out = [] if text == "" or lines[-1] == "" else [""]  # end the last line first
            if previous.strip():
                out.append("")
        else:
            offset = starts[before - 1]
            out = [""] if before > 1 and lines[before - 2].strip() else []
        marks: list[tuple[str, str, int]] = []
        for section_id, heading, note in sections:
            marks.append((section_id, heading[0], len(out)))
            out += [*heading, "", comment(f"TODO: {note}"), ""]
        if before is None:
            out.pop()  # the final block ends with its own line break, not a blank line
        pieces.append((offset, newline.join(out) + newline if out else "", marks))
    result: list[str] = []
    where: list[tuple[str, str, int]] = []
    cursor = 0
    lines_so_far = 0
    for offset, chunk, marks in sorted(pieces, key=lambda p: p[0]):
        before_text = text[cursor:offset]
        result.append(before_text)
        lines_so_far += len(_LINE_BREAK.findall(before_text))
        for section_id, first_line, index in marks:
            where.append((section_id, first_line, lines_so_far + 1 + index))
        result.append(chunk)
        lines_so_far += len(_LINE_BREAK.findall(chunk))
        cursor = offset
    result.append(text[cursor:])
    return "".join(result), where


@dataclass
class FixResult:
    """The fixed text and what was inserted; ``skipped`` lists sections a heading could not add."""

    text: str
    inserted: list[Insertion]
    skipped: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.inserted)


def fix_document(document: Document, schema: LoadedSchema) -> FixResult:
    """Insert the missing required sections into a decoded document (no file system)."""
    text = document.text
    if not document.readable or document.empty:
        return FixResult(text, [], [])
    outline = _outline(document, schema)
    missing = missing_sections(outline, schema)
    if not missing:
        return FixResult(text, [], [])
    style = document_style(document, outline)
    where = placement(outline, schema.section_order, missing)
    unsafe, end_unsafe = _unsafe_lines(document)
    named = _named_by_a_heading(outline, schema)
    skipped = [s for s in missing if s in named]
    missing = [s for s in missing if s not in named]
    for section_id in list(missing):
        before = where[section_id]
        if before is not None and before in unsafe:
            where[section_id] = before = None  # never inside a quote, list, table, fence or HTML block
        if before is None and end_unsafe:
            missing.remove(section_id)
            skipped.append(section_id)
    if not missing:
        return FixResult(text, [], skipped)
    styles = dict.fromkeys(missing, style)
    specs = schema.vocabulary.sections
    newline = _newline(text)
    while missing:  # a heading the outline would not read back is written as ATX; failing that, skipped
        plan = [(where[s], s, styles[s].render(specs[s].title), specs[s].description or "write this section.")
                for s in missing]
        new_text, marks = _insert(text, document.lines, plan, newline)
        after = _outline(decode(document.path, new_text.encode("utf-8")), schema)
        found = after.found
        twice = {s for s in missing if sum(s in section.ids for section in after.sections if section.explicit) > 1}
        lost = [s for s in missing if s not in found or not found[s].explicit or s in twice]
        if not lost:
            inserted = [Insertion(s, heading, line) for s, heading, line in marks]
            return FixResult(new_text, sorted(inserted, key=lambda i: i.line), skipped)
        for s in lost:
            if styles[s] == ATX2:
                missing.remove(s)
                skipped.append(s)
            else:
                styles[s] = ATX2
    return FixResult(text, [], skipped)


def fix_file(path: str, schema: LoadedSchema, max_size: int) -> FixResult:
    """Fix one file in place; an unreadable or too large file, and a symbolic link out of the tree (lint
    reports it), are left alone. OSError for I/O problems, a file that is not regular included."""
    if escapes_tree(path):
        return FixResult("", [], [])
    data, size = read_regular(path, max_size)
    if size > max_size:
        return FixResult("", [], [])
    document = decode(path, data)
    result = fix_document(document, schema)
    if result.changed:
        bom = codecs.BOM_UTF8 if data.startswith(codecs.BOM_UTF8) else b""
        write_atomic(path, bom + result.text.encode("utf-8"))
    return result
