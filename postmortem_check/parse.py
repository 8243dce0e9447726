"""Parse stage: Markdown text to a flat list of blocks, each knowing its source lines.

mistune has no line numbers (lepture/mistune#218). We stamp them ourselves: every block token
is given the line of the offset where the block parser started it, and every child state (list
item, block quote) knows the absolute line of its first source line. Child sources keep one line
per source line, so a line inside a child is its base line plus the newlines before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple

from .lazy_re import LazyPattern


class Block:
    """One block of the document, flattened: lists and quotes become their leaf blocks.

    ``lines`` holds the block's source text, one entry per source line starting at ``line``.
    ``depth`` is the list nesting depth (0 outside lists); ``kind`` is one of
    heading, paragraph, list_item, table_row, code, html, rule.
    """

    __slots__ = ("cells", "closed", "depth", "info", "kind", "level", "line", "lines", "ordered", "quoted")

    def __init__(self, kind: str, line: int, lines: list[str], level: int = 0, depth: int = 0,
                 ordered: bool = False, info: str = "", cells: list[str] | None = None, closed: bool = True) -> None:
        self.kind, self.line, self.lines, self.level, self.depth = kind, line, lines, level, depth
        self.ordered, self.info, self.closed = ordered, info, closed
        self.cells: list[str] = [] if cells is None else cells
        self.quoted = False  # inside a block quote: quoted text, not the document's own structure

    @property
    def end_line(self) -> int:
        return self.line + max(len(self.lines), 1) - 1

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class ParsedDocument(NamedTuple):
    blocks: list[Block]
    ref_links: set[str]


def parse_markdown(text: str, first_line: int = 1) -> ParsedDocument:
    """Parse Markdown ``text`` whose first line is file line ``first_line`` into line-stamped blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    tokens, ref_links = _block_tokens()(text, first_line)
    source_lines = text.split("\n")
    blocks: list[Block] = []
    _flatten(tokens, blocks, 0, source_lines, first_line)
    return ParsedDocument(blocks, ref_links)


@lru_cache(maxsize=1)
def _block_tokens() -> Callable[[str, int], tuple[list[dict[str, Any]], set[str]]]:
    """``blockparser.block_tokens``, imported when a document is first parsed: mistune with it, the patterns
    it compiles when imported built from the pattern store."""
    from .pattern_store import compiled_from_store

    with compiled_from_store():
        from .blockparser import block_tokens
    return block_tokens


def _mark_quoted(blocks: list[Block], start: int) -> None:
    for block in blocks[start:]:
        block.quoted = True


def _text_lines(raw: str) -> list[str]:
    return raw.rstrip("\n").split("\n")


def _flatten(
    tokens: list[dict[str, Any]], out: list[Block], depth: int, source: list[str], first_line: int
) -> None:
    for token in tokens:
        kind = token["type"]
        line = token.get("line", first_line)
        if kind == "heading":
            level = token["attrs"]["level"]
            out.append(Block("heading", line, _text_lines(token["text"]), level=level, depth=depth))
        elif kind in ("paragraph", "block_text"):
            out.append(Block("paragraph", line, _text_lines(token["text"]), depth=depth))
        elif kind == "list":
            ordered = bool(token["attrs"].get("ordered"))
            for item in token["children"]:
                _flatten_item(item, out, depth + 1, ordered, source, first_line)
        elif kind == "block_quote":
            start = len(out)
            _flatten(token["children"], out, depth, source, first_line)
            _mark_quoted(out, start)
        elif kind == "block_code":
            out.append(_code_block(token, line, depth, source, first_line))
        elif kind == "block_html":
            out.extend(html_blocks(token["raw"], line, depth))
        elif kind == "table":
            out.extend(_table_rows(token, line, depth))
        elif kind == "thematic_break":
            out.append(Block("rule", line, ["---"], depth=depth))


def _flatten_item(
    item: dict[str, Any], out: list[Block], depth: int, ordered: bool, source: list[str], first_line: int
) -> None:
    children = item.get("children", [])
    first = children[0] if children else None
    if first is not None and first["type"] in ("paragraph", "block_text"):
        out.append(
            Block("list_item", first.get("line", first_line), _text_lines(first["text"]), depth=depth,
                  ordered=ordered)
        )
        children = children[1:]
    else:
        line = first.get("line", first_line) if first else first_line
        out.append(Block("list_item", line, [""], depth=depth, ordered=ordered))
    _flatten(children, out, depth, source, first_line)


_FENCE_OPEN = LazyPattern(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _code_block(token: dict[str, Any], line: int, depth: int, source: list[str], first_line: int) -> Block:
    raw = token.get("raw", "")
    if token.get("style") != "fenced":
        return Block("code", line, _text_lines(raw), depth=depth)
    info = (token.get("attrs") or {}).get("info", "") or ""
    body = raw.split("\n")[:-1] if raw.endswith("\n") else _text_lines(raw) if raw else []  # blank lines too
    # A fence is closed when the line after its body is a closing fence of the same kind.
    opening = source[line - first_line] if 0 <= line - first_line < len(source) else ""
    fence = _FENCE_OPEN.match(opening.lstrip(" \t>-*+0123456789.)"))
    marker = fence.group(1) if fence else "```"
    after = line - first_line + 1 + len(body)
    closing = source[after].lstrip(" \t>").strip() if after < len(source) else ""  # also in a block quote
    closed = closing.startswith(marker[0] * len(marker)) and not closing.strip(marker[0])
    return Block("code", line, ["", *body], depth=depth, info=info.strip(), closed=closed)


def _table_rows(token: dict[str, Any], line: int, depth: int) -> Iterator[Block]:
    header, body = token["children"][0], token["children"][1:]
    yield Block("table_row", line, ["|".join(c["text"] for c in header["children"])], depth=depth,
                cells=[c["text"].strip() for c in header["children"]], info="head")
    rows = body[0]["children"] if body else []
    for index, row in enumerate(rows):
        cells = [c["text"].strip() for c in row["children"]]
        yield Block("table_row", line + 2 + index, ["|".join(cells)], depth=depth, cells=cells)


_HEADING_TAGS = {f"h{n}": n for n in range(1, 7)}
_TEXT_TAGS = {"p", "li", "td", "th", "dt", "dd", "pre", "blockquote"}
_SKIP_TAGS = {"style", "script", "head", "title"}


class _HTMLBlocks:
    """Turns an HTML block into headings, paragraphs and list items with their lines: the handlers of an
    ``html.parser.HTMLParser``, mixed into one by ``_html_parser`` when a document first has an HTML block
    (plain Markdown never imports html.parser)."""

    getpos: Callable[[], tuple[int, int]]  # the parser's position: (line, column)

    def __init__(self, first_line: int, depth: int) -> None:
        self.first_line = first_line
        self.depth = depth
        self.blocks: list[Block] = []
        self.current: tuple[str, int, int] | None = None  # tag, level, line
        self.buffer: list[str] = []
        self.skipping = 0
        self.list_depth = 0

    def _flush(self) -> None:
        if self.current is not None:
            tag, level, line = self.current
            text = " ".join("".join(self.buffer).split())
            if text:
                if tag in _HEADING_TAGS:
                    self.blocks.append(Block("heading", line, [text], level=level, depth=self.depth))
                elif tag == "li":
                    self.blocks.append(Block("list_item", line, [text], depth=self.depth + self.list_depth))
                else:
                    self.blocks.append(Block("paragraph", line, [text], depth=self.depth))
        self.current = None
        self.buffer = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_depth += 1
        elif tag in _HEADING_TAGS or tag in _TEXT_TAGS:
            self._flush()
            self.current = (tag, _HEADING_TAGS.get(tag, 0), self.first_line + self.getpos()[0] - 1)
        elif tag == "br":
            self.buffer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_depth = max(0, self.list_depth - 1)
        elif self.current is not None and tag == self.current[0]:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        if self.current is None and data.strip():
            self.current = ("p", 0, self.first_line + self.getpos()[0] - 1 + _leading_newlines(data))
        if self.current is not None:
            self.buffer.append(data)


def _leading_newlines(data: str) -> int:
    return len(data) - len(data.lstrip("\n")) if data.strip() else 0


@lru_cache(maxsize=1)
def _html_parser() -> Callable[[int, int], Any]:
    """The HTML block parser: ``_HTMLBlocks`` on ``html.parser.HTMLParser`` (imported here, once)."""
    from html.parser import HTMLParser

    class _Parser(_HTMLBlocks, HTMLParser):
        def __init__(self, first_line: int, depth: int) -> None:
            HTMLParser.__init__(self, convert_charrefs=True)
            _HTMLBlocks.__init__(self, first_line, depth)

    return _Parser


def html_blocks(raw: str, line: int, depth: int) -> list[Block]:
    """Headings, paragraphs and list items found in an HTML block starting on ``line``."""
    parser = _html_parser()(line, depth)
    try:
        parser.feed(raw)
        parser.close()
    except (AssertionError, ValueError):  # malformed markup: keep what was read
        pass
    parser._flush()
    lines = _text_lines(raw)
    return [Block("html", line, lines, depth=depth), *parser.blocks]
