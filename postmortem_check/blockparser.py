"""mistune's block parser with source lines: every block token is stamped with the line where the block
parser started it (mistune has none, lepture/mistune#218). Kept apart from ``parse`` so that mistune is
imported only when a document is parsed, never by a run whose results all come from the cache.
"""

from __future__ import annotations

import re
import string
from typing import Any

import mistune
from mistune import list_parser
from mistune.block_parser import BlockParser
from mistune.core import BlockState

from .pattern_store import compile_pattern, compiled_from_store

_MAX_NESTING = 64
_INDENT_STARTS = frozenset(" \t")  # indented code starts with one of these


class _LinedState(BlockState):
    """A block state that knows the absolute line of its first source line."""

    base_line: int

    def __init__(self, parent: Any | None = None) -> None:
        super().__init__(parent)
        self.base_line = 1
        self.in_method = 0
        # Container contexts opened by parse_method (list / block_quote), innermost last.
        self.containers: list[dict[str, int]] = []
        self._seen = (0, 0)  # an offset in src and the newlines before it: counting goes on from there

    def process(self, src: str) -> None:
        super().process(src)
        self._seen = (0, 0)

    def line_at(self, pos: int) -> int:
        seen, newlines = self._seen
        if pos >= seen:
            newlines += self.src.count("\n", seen, pos)
        else:
            newlines -= self.src.count("\n", pos, seen)
        self._seen = (pos, newlines)
        return self.base_line + newlines

    def child_state(self, src: str, lazy_line_starts: set[int] | None = None) -> BlockState:
        child = super().child_state(src, lazy_line_starts)
        assert isinstance(child, _LinedState)
        context = self.containers[-1] if self.containers else None
        if context is None:
            child.base_line = self.line_at(self.cursor)
        elif context["kind"] == 0:  # block quote: its first line is where the method started
            child.base_line = context["line"]
        else:  # list: the first item starts at the list, each next item on the line before the cursor
            child.base_line = context["line"]
            context["line"] = self.line_at(self.cursor) - 1
        return child

    def append_token(self, token: dict[str, Any]) -> None:
        if not self.in_method and "line" not in token:
            token["line"] = self.line_at(self.cursor)
        super().append_token(token)

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        if not (last and last["type"] == "paragraph"):
            self.tokens.append({"type": "paragraph", "text": text, "line": self.line_at(self.cursor)})
        else:
            last["text"] += text


def _without_closing_hashes(text: str) -> str:
    """An ATX heading's text without its closing ``#`` run (``## Summary ##``), as mistune's
    ``(\\s+|^)#+\\s*$`` does, in linear time: that pattern backtracks over a long run of spaces."""
    stripped = text.rstrip(string.whitespace)
    without = stripped.rstrip("#")
    if without == stripped:
        return text
    if not without:
        return ""
    return without.rstrip(string.whitespace) if without[-1] in string.whitespace else text


class _LineScanner:
    """A block scanner whose rules all start with ``^`` (multi-line), so that a match starts where a line
    does. Its ``search`` finds the match the pattern's own finds, trying line starts only: the engine finds
    each newline followed by a match with a fast scan for the newline, where the pattern's own search tries
    every rule at every character (mistune searches the rest of a list item's text that starts with
    punctuation, ``[ ] Fix it``, to the end: 0.34 ms of the 1.4 ms it parses a generated postmortem in)."""

    __slots__ = ("match", "next_line")

    def __init__(self, pattern: re.Pattern[str], flags: int) -> None:
        self.match = pattern.match
        self.next_line = compile_pattern(f"\\n(?={pattern.pattern})", flags).search  # a newline before a match

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        if pos == 0 or text[pos - 1 : pos] == "\n":
            found = self.match(text, pos)
            if found is not None:
                return found
        newline = self.next_line(text, pos)
        return None if newline is None else self.match(text, newline.end())


class _LinedBlockParser(BlockParser):
    state_cls = _LinedState

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._scanners: dict[str, re.Pattern[str] | _LineScanner] = {}
        self._break_scanners: dict[int, re.Pattern[str]] = {}

    def break_scanner(self, leading_width: int) -> re.Pattern[str]:
        """mistune's scanner of the blocks that end a list item indented ``leading_width``, made once per
        width: mistune builds it again for every list item (its rules are this parser's, which never change)."""
        scanner = self._break_scanners.get(leading_width)
        if scanner is None:
            with compiled_from_store():
                scanner = self._break_scanners[leading_width] = _list_break_scanner(self, leading_width)
        return scanner

    def compile_sc(  # type: ignore[override]  # mistune calls a scanner's match and search only
            self, rules: list[str] | None = None) -> re.Pattern[str] | _LineScanner:
        """mistune's scanner of the block rules (one alternation of a named group per rule), compiled by
        ``compile_pattern`` (from the program an earlier run kept, when there is one); a ``_LineScanner``
        when every rule starts at a line start, as mistune's own do."""
        names = self.rules if rules is None else rules
        key = "|".join(names)
        scanner = self._scanners.get(key)
        if scanner is None:
            regex = "|".join(f"(?P<{name}>{self.specification[name]})" for name in names)
            scanner = compile_pattern(regex, self.sc_flag)
            if self.sc_flag & re.MULTILINE and all(
                    self.specification[name].startswith(("^", "(^")) for name in names):
                scanner = _LineScanner(scanner, self.sc_flag)
            self._scanners[key] = scanner
        return scanner

    def _parse_indent_code_fast(self, state: BlockState) -> int | None:
        """mistune's indented-code check, which it makes before every block, skipped where the line does
        not start with a space or a tab: indented code cannot start there."""
        if state.src[state.cursor : state.cursor + 1] not in _INDENT_STARTS:
            return None
        return super()._parse_indent_code_fast(state)

    def parse_atx_heading(self, m: re.Match[str], state: BlockState) -> int:
        level = len(m.group("atx_1"))
        text = _without_closing_hashes(m.group("atx_2").strip(string.whitespace))
        state.append_token({"type": "heading", "text": text, "attrs": {"level": level}, "style": "atx"})
        return m.end() + 1

    def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
        assert isinstance(state, _LinedState)
        start_line = state.line_at(m.start())
        kind = m.lastgroup
        first_new = len(state.tokens)
        if kind in ("block_quote", "list"):
            state.containers.append({"kind": 0 if kind == "block_quote" else 1, "line": start_line})
        state.in_method += 1
        try:
            end = super().parse_method(m, state)
        finally:
            state.in_method -= 1
            if kind in ("block_quote", "list"):
                state.containers.pop()
        for token in state.tokens[first_new:]:
            token.setdefault("line", start_line)
        return end


_list_break_scanner = list_parser._compile_list_break_sc


def _break_scanner(block: BlockParser, leading_width: int) -> re.Pattern[str]:
    """What mistune's list parser asks for each item: the scanner our parser made once, or mistune's own."""
    if isinstance(block, _LinedBlockParser):
        return block.break_scanner(leading_width)
    return _list_break_scanner(block, leading_width)


list_parser._compile_list_break_sc = _break_scanner  # the same scanner; only our parser keeps it


def _create_markdown() -> mistune.Markdown:
    block = _LinedBlockParser(max_nested_level=_MAX_NESTING)
    return mistune.Markdown(block=block, plugins=[mistune.plugins.import_plugin("table")])


_MARKDOWN = _create_markdown()


def block_tokens(text: str, first_line: int) -> tuple[list[dict[str, Any]], set[str]]:
    """mistune's block tokens of ``text`` (newline-normalised, ending in a newline), each with its line, and
    the reference-link labels it defines."""
    state = _LinedState()
    state.base_line = first_line
    state.process(text)
    _MARKDOWN.block.parse(state)
    return state.tokens, set(state.env["ref_links"])
