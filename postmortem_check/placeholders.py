"""Placeholder facts: template text left in a document.

A placeholder is text a template put there for the author to replace: an instruction (``[describe the
impact]``, ``<add name here>``), a generic slot name (``[Start time]``, ``Short event description.``), a
format mask (``HH:mm``, ``YYYY-MM-DD``, ``14:??``, ``--:--``) or a fill-me mark (``TBD``, ``???``, a field
whose value is only ``?``). Bracketed real content is not: chat timestamps (``[8:27 AM]``), names,
citations, setting names, JSON arrays.

Every pattern here is linear: its repeats are bounded, and no two adjacent quantifiers can take the same
characters.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Any

from .document import template_key
from .lazy_re import LazyPattern
from .outline import Outline

# Fill-me marks written as words, in the case templates write them: the one list they are matched from.
MARKS = ("TBD", "TBA", "DATE RANGE", "Incident Title", "Lorem ipsum")
_MARK = LazyPattern(r"(?<![\w-])(?:" + "|".join(re.escape(mark) for mark in MARKS) + r")(?![\w-])")
_MARK_HINT = LazyPattern("|".join(re.escape(mark) for mark in MARKS))  # a line without one has no _MARK
# "What 'high' is TBD": a mark used as a predicate is the author's own words, not a slot left empty.
_PREDICATE = LazyPattern(r"\b(?:is|are|was|were|be|been|remains?|still)[ '\"‘’“”]{1,3}$", re.I)

# Slot names: the head word of a slot, and the words that may come before it.
SLOT_WORDS = frozenset({
    "date", "time", "timezone", "tz", "duration", "name", "owner", "title", "link", "url", "impact",
    "description", "service", "team", "number", "severity", "status", "author", "authors", "summary", "cause",
    "details", "company", "product", "email", "ticket", "id", "percentage", "value", "version", "person",
    "component", "reason", "explanation", "n", "x", "xx", "tbd", "todo",
})
_SLOT_MODIFIERS = frozenset({
    "a", "an", "the", "of", "and", "or", "with", "for", "to", "in", "your", "our", "here", "short", "brief",
    "start", "middle", "end", "first", "last", "exact", "approximate", "affected", "event", "incident", "issue",
    "outage", "postmortem", "service", "team", "root", "action", "owner's", "user", "customer",
})
_TITLE_HEADS = frozenset({"name", "title", "date"})
_INSTRUCTION = LazyPattern(
    r"^(?:describe|insert|add|provide|list|specify|mention|include|briefly|enter|explain|your|fill|put|write|"
    r"give|state|outline|summari[sz]e|e\.g\.|example)\b", re.I)

_BRACKET = LazyPattern(r"(?<![\\!\]])\[(?P<body>[^\[\]\n]{1,200})\](?![ \t]{0,3}[(\[])")
_ANGLE = LazyPattern(r"<(?P<body>[A-Za-z][^<>=/\"'\n]{1,80})>")
_MASK = LazyPattern(
    r"(?<![\w:/.-])(?:"
    r"(?:YYYY|YY|DD|MM)(?:[-/.](?:YYYY|YY|MM|DD)){1,2}"  # YYYY-MM-DD, DD/MM/YYYY
    r"|\d{4}[-/.](?:\d{1,2}|MM|XX|\?\?)[-/.](?:DD|XX|\?\?)"  # 2022-05-??
    r"|(?:HH|hh|XX|xx|--|\?\?|[0-2]?[0-9X?])[:h](?:mm|MM|--|[0-5X?][0-9X?])"  # HH:mm, 14:??, --:--, 2X:XX
    r")(?![\w:/])"
)
_MASK_LETTER = LazyPattern(r"[YMDHmXx?]|--")  # a mask, not a real time or date, has one of these
# What every _MASK match holds (a date part's letters, or a time's separator between the characters each
# side of it may be): a line without it is not searched with _MASK, which is slower to fail.
_MASK_HINT = LazyPattern(r"YY|DD|MM|XX|\?\?|[-Hhx\dX?][:h][-mM0-5X?]")
_QUESTION_RUN = LazyPattern(r"(?<![\w)\"'’?!.])\?{2,12}(?!\?)")
_REF_DEFINITION = LazyPattern(r"^ {0,3}\[[^\]\n]{1,500}\]:")
_CODE_SPAN = LazyPattern(r"(`{1,8})[^`\n]{0,2000}?\1")
_WORD = LazyPattern(r"[a-z']+|\d+")
# "TODO: k-dev email" on a prose line of its own: content still to be written (a longer sentence after the
# mark, or a list item, is a follow-up the author noted, not a gap).
_TODO_NOTE = LazyPattern(r"^[ \t*_]{0,4}(?:TODO|FIXME)[*_]{0,2}[ \t]{0,2}:[ \t]{0,4}(?:[^\s.!?]{1,30}[ \t]{1,4}){0,2}"
                         r"[^\s.!?]{0,30}[ \t]{0,4}$")
_TEXT_KINDS = ("paragraph", "list_item", "heading", "table_row")
# What a line needs before _line_hits or the TODO note can find anything in it: a bracket, an angle bracket,
# a question mark, a code span (which masks text), TODO or FIXME, a mark, a date mask's letters, or a time
# mask's letter beside its separator (a time mask is reported only with a _MASK_LETTER, and one is always
# there: "HH:", "x:", "-:", ":m", ":-", ":X", ":5X"; "?" is a hint of its own). Every alternative starts with
# a literal character, so that the regex engine skips from one candidate character to the next.
_TIME_MASK_HINTS = [f"{before}[:h]" for before in "-HxX"] + [f"{sep}[-mMX?]" for sep in ":h"] + [
    f"{sep}[0-5][X?]" for sep in ":h"]
_LINE_HINT = LazyPattern("|".join([r"\[", "<", r"\?", "`", "TODO", "FIXME", *(re.escape(mark) for mark in MARKS),
                                  "YY", "DD", "MM", "XX", *_TIME_MASK_HINTS]))


def has_time_mask(text: str) -> bool:
    """True when ``text`` holds a time or date mask such as ``HH:mm``, ``14:??`` or ``--:--``."""
    return any(_MASK_LETTER.search(m.group(0)) for m in _MASK.finditer(text))


_LEADING_SLOT = LazyPattern(r"^[\s*_`|-]{0,6}[\[<](?P<body>[^\]<>\n]{1,60})[\]>]")
_TIME_SLOT_WORDS = frozenset({"time", "date", "timezone", "tz"})


def has_time_slot(text: str) -> bool:
    """True when ``text`` starts with a bracketed slot for a time or date (``[Start time]: alerts fire``),
    which the placeholder rule reports."""
    slot = _LEADING_SLOT.match(text)
    body = slot.group("body") if slot else ""
    return bool(set(_WORD.findall(body.lower())) & _TIME_SLOT_WORDS) and slot_phrase(body)


def slot_phrase(text: str) -> bool:
    """True for a generic slot name: ``Start time``, ``Short event description``, ``Owner name``."""
    words = _WORD.findall(text.lower().rstrip(" .:"))
    if not words or any(w.isdigit() for w in words) or len(words) > 8:
        return False
    return words[-1] in SLOT_WORDS and all(w in SLOT_WORDS or w in _SLOT_MODIFIERS for w in words)


def _bracket_is_placeholder(body: str, ref_links: set[str]) -> bool:
    text = body.strip()
    if not text or text.lower() == "x" or text.startswith("^"):
        return False  # an empty or ticked task box, a footnote
    if " ".join(text.split()).upper() in ref_links:
        return False  # a shortcut reference link
    if _INSTRUCTION.match(text) or text.strip("?") == "" or (_MASK.fullmatch(text) and _MASK_LETTER.search(text)):
        return True
    return slot_phrase(text)


def _angle_is_placeholder(body: str) -> bool:
    words = body.split()
    return len(words) >= 2 and (bool(_INSTRUCTION.match(body)) or "here" in (w.lower() for w in words))


def _field_value_unknown(line: str) -> int | None:
    """The column of a lone ``?`` given as a field's value (``Time to detection: ?``), or None."""
    stripped = line.rstrip()
    if not stripped.endswith("?") or ":" not in stripped:
        return None
    label, _, value = stripped.rpartition(":")
    if value.strip() in ("?", "??") and label.strip(" -*+") and len(label) <= 80:
        return len(stripped) - len(value.lstrip()) if value.strip() else None
    return None


def _line_hits(line: str, ref_links: set[str]) -> list[tuple[int, str]]:
    masked = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line
    hits: list[tuple[int, str]] = []
    if "[" in masked:
        hits += [(m.start(), m.group(0)) for m in _BRACKET.finditer(masked)
                 if _bracket_is_placeholder(m.group("body"), ref_links)]
    if "<" in masked:
        hits += [(m.start(), m.group(0)) for m in _ANGLE.finditer(masked) if _angle_is_placeholder(m.group("body"))]
    if _MASK_HINT.search(masked):
        hits += [(m.start(), m.group(0)) for m in _MASK.finditer(masked) if _MASK_LETTER.search(m.group(0))]
    if "?" in masked:
        hits += [(m.start(), m.group(0)) for m in _QUESTION_RUN.finditer(masked)]
        column = _field_value_unknown(masked)
        if column is not None:
            hits.append((column, "?"))
    if _MARK_HINT.search(masked):
        hits += [(m.start(), m.group(0)) for m in _MARK.finditer(masked)
                 if not _PREDICATE.search(masked[max(0, m.start() - 12):m.start()])]
    return _outermost(hits) if hits else hits


def _outermost(hits: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Hits not inside another hit ("[TBD]" is one placeholder), in order."""
    kept: list[tuple[int, str]] = []
    for start, text in sorted(hits, key=lambda hit: (hit[0], -len(hit[1]))):
        if kept and start < kept[-1][0] + len(kept[-1][1]):
            continue
        kept.append((start, text))
    return kept


def find(lines: list[str], outline: Outline, template: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Placeholders in prose, headings and table cells (not in code, links, task boxes or footnotes), and
    instruction lines of the team's ``template`` left unchanged (the first line of each block)."""
    slot_cells: dict[int, str] = {}
    for block in outline.blocks:
        if block.kind == "table_row" and block.info != "head":
            for cell in block.cells:
                if len(cell.split()) >= 2 and slot_phrase(cell):
                    slot_cells.setdefault(block.line, cell)
    hinted = _hinted_lines(lines)
    text_lines, prose_lines = _text_and_prose(outline, sorted(hinted | slot_cells.keys()))
    found: list[dict[str, Any]] = []
    for number in sorted((text_lines & hinted) | slot_cells.keys()):
        if number > len(lines):
            continue
        line = lines[number - 1]
        if _REF_DEFINITION.match(line):
            continue
        hits = _line_hits(line, outline.ref_links)
        if number in prose_lines and ("TODO" in line or "FIXME" in line):
            note = _TODO_NOTE.match(line)
            if note is not None and not hits:
                hits = [(len(line) - len(line.lstrip()), line.strip())]
        slot = slot_cells.get(number)
        if slot is not None and slot in line:
            hits = _outermost([*hits, (line.index(slot), slot)])
        found.extend({"text": text, "line": number, "column": column + 1} for column, text in hits)
    if template:
        found = _copied(outline, lines, template, found)
    title_line = outline.title_line
    if outline.title and title_line and _title_is_slot(outline.title) and all(f["line"] != title_line for f in found):
        found.append({"text": outline.title, "line": title_line, "column": 1})
        found.sort(key=lambda f: (f["line"], f["column"]))
    return found


def _text_and_prose(outline: Outline, asked: list[int]) -> tuple[set[int], set[int]]:
    """Of the ``asked`` line numbers (sorted), those in text (prose, headings, table cells, HTML other than
    comments, styles and scripts) and those in the document's own paragraphs."""
    text_lines: set[int] = set()
    prose_lines: set[int] = set()
    for block in outline.blocks:
        prose = block.kind == "paragraph" and not block.quoted
        text = block.kind in _TEXT_KINDS or (
            block.kind == "html" and not block.lines[0].lstrip().lower().startswith(("<!--", "<style", "<script")))
        if prose or text:
            inside = asked[bisect_left(asked, block.line):bisect_right(asked, block.end_line)]
            if prose:
                prose_lines.update(inside)
            if text:
                text_lines.update(inside)
    return text_lines, prose_lines


def _hinted_lines(lines: list[str]) -> set[int]:
    """The numbers of the lines that hold a ``_LINE_HINT``, found in one pass over the text: the others have
    no placeholder."""
    text = "\n".join(lines)
    found: set[int] = set()
    number, at = 1, 0
    while (hint := _LINE_HINT.search(text, at)) is not None:
        number += text.count("\n", at, hint.start())
        found.add(number)
        at = text.find("\n", hint.start())
        if at < 0:
            break
        at += 1
        number += 1
    return found


def _copied(outline: Outline, lines: list[str], template: frozenset[str],
            found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``found`` plus the first line of each paragraph or list item copied unchanged from the template."""
    taken = {f["line"] for f in found}
    for block in outline.blocks:
        if block.kind not in ("paragraph", "list_item") or block.quoted:
            continue
        for offset, text in enumerate(block.lines):
            number = block.line + offset
            if template_key(text) in template and number not in taken and number <= len(lines):
                line = lines[number - 1]
                found.append({"text": text.strip(), "line": number, "column": len(line) - len(line.lstrip()) + 1})
                break
    return sorted(found, key=lambda f: (f["line"], f["column"]))


def _title_is_slot(title: str) -> bool:
    """A title that is only a slot name (``ISSUE NAME``, ``Incident Title``, ``[Incident title]``)."""
    text = title.strip().strip("[]<>").strip()
    words = _WORD.findall(text.lower())
    return len(words) >= 2 and words[-1] in _TITLE_HEADS and slot_phrase(text)
