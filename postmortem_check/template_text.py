"""Template text left unchanged in a postmortem: the instruction lines, table cells, bracketed slots and
format tokens (``HH:mm``, ``XXX``) that ``init`` recorded in the team schema (``x-template-text``),
reported as placeholders."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .document import Document
from .lazy_re import LazyPattern
from .outline import Outline

_TEXT_BLOCKS = ("paragraph", "list_item", "table_row", "heading")
_FORMAT = r"(?:[HMYDhmyds]{2,4}|\d\dxx|[XYZ]{2,4})"
TOKEN = LazyPattern(rf"(?<![\w])(?:{_FORMAT}(?:[-:/.]{_FORMAT})+|YYYY|[XYZ]{{3,4}})(?![\w])")


_MARKUP = LazyPattern(r"^(?:[#>|*+\s-]|\d{1,3}[.)]\s)+")


def line_key(line: str) -> str:
    """A line as compared with the template: without heading, quote, list, table and emphasis markup."""
    return " ".join(_MARKUP.sub("", line.strip()).strip(" _*").split())


def cells(line: str) -> list[str]:
    """The cells of a table row, as keys."""
    return [line_key(c) for c in line.strip().strip("|").split("|")] if "|" in line else []


def _kind(text: str) -> str:
    if text.startswith(("[", "{{")):
        return "slot"
    if text.endswith(":") and len(text.split()) >= 2:
        return "label"
    return "token" if TOKEN.fullmatch(text) else "line"


def template_placeholders(document: Document, outline: Outline, template_text: Sequence[str],
                          found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``found`` plus each prose line that repeats a template instruction, slot or token, in line order."""
    texts = [t for t in template_text if isinstance(t, str) and t.strip()]
    lines_text = {t for t in texts if _kind(t) == "line"}
    slots = [t for t in texts if _kind(t) == "slot"]
    labels = tuple(t.lower() for t in texts if _kind(t) == "label")
    tokens = sorted({t for t in texts if _kind(t) == "token"}, key=len, reverse=True)
    token_re = re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, tokens)) + r")(?![\w])") if tokens else None
    taken = {p["line"] for p in found}
    extra: list[dict[str, Any]] = []
    for block in outline.blocks:
        if block.kind not in _TEXT_BLOCKS:
            continue
        wrapped = False  # an instruction paragraph wrapped over lines is one placeholder, on its first line
        for offset in range(max(1, len(block.lines)) if block.kind != "heading" else 1):
            number = block.line + offset
            if number > len(document.lines):
                continue
            line = document.lines[number - 1]
            key = line_key(line)
            if number in taken:  # already reported (a copied first line): the lines it wraps onto are not new
                wrapped = wrapped or key in lines_text
                continue
            hit: str | None = None
            if key in lines_text:
                hit = None if wrapped else key
                wrapped = True
            elif block.kind == "table_row":
                hit = next((c for c in cells(line) if c in lines_text), None)
            if hit is None and key not in lines_text:
                hit = next((s for s in slots if s in line), None)
            label = next((lab for lab in labels if key.lower().startswith(lab)), None) if hit is None else None
            if label is not None:
                hit = key[:len(label)]
            if hit is None and key not in lines_text and token_re is not None and (match := token_re.search(line)):
                hit = match.group(0)
            if hit is not None:
                extra.append({"text": hit[:120], "line": number, "column": max(1, line.find(hit) + 1)})
                taken.add(number)
    return sorted(found + extra, key=lambda p: (p["line"], p["column"])) if extra else found
