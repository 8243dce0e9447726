"""Block line numbers agree with markdown-it-py's source maps (mistune itself has none)."""

from __future__ import annotations

import random

from markdown_it import MarkdownIt

from postmortem_check.parse import parse_markdown

# Pieces on which both parsers agree about the block structure, so that only line numbers are
# compared (they split setext-after-lazy-lines, raw HTML and table ends differently).
PIECES = [
    "# Heading", "para line\ncontinued", "- item\n  more", "1. one\n2. two", "> quote\n> more",
    "```\ncode\n```", "    indented code", "- a\n  - b\n    - c", "> - q1\n>   q2", "text\n- interrupt",
    "---", "* x\n\n  para in item", "> a\nlazy", "1) x\n   > y",
    "\nTitle\n=====", "## Closed ##", "- [x] done\n- [ ] open",
]


def _ours(text: str) -> list[int]:
    lines = {b.line for b in parse_markdown(text).blocks
             if (b.kind in ("heading", "paragraph", "list_item") and b.text.strip()) or b.kind == "code"}
    return sorted(lines)


def _theirs(text: str) -> list[int]:
    lines = {t.map[0] + 1 for t in MarkdownIt("commonmark").enable("table").parse(text)
             if t.type in ("heading_open", "paragraph_open", "fence", "code_block") and t.map}
    return sorted(lines)


def test_block_lines_match_markdown_it_on_random_documents():
    rng = random.Random(20261122)
    mismatches = []
    for _ in range(1500):
        text = "\n".join(rng.choice(PIECES) + rng.choice(["\n", ""]) for _ in range(rng.randint(1, 9)))
        if _ours(text) != _theirs(text):
            mismatches.append(text)
    assert mismatches == []


def test_first_line_offset_is_respected():
    blocks = parse_markdown("# A\n\ntext\n", first_line=10).blocks
    assert [(b.kind, b.line) for b in blocks] == [("heading", 10), ("paragraph", 12)]


def test_html_block_headings_have_their_own_lines():
    blocks = parse_markdown("<html>\n<body>\n<h2>Impact</h2>\n<p>All users.</p>\n</body>\n</html>\n").blocks
    assert [(b.kind, b.line, b.text) for b in blocks if b.kind != "html"] == [
        ("heading", 3, "Impact"), ("paragraph", 4, "All users."),
    ]


def test_unclosed_fence_is_marked():
    (block,) = parse_markdown("```markdown\n# inside\n").blocks
    assert block.kind == "code" and not block.closed and block.info == "markdown"


def test_table_rows_know_their_lines():
    rows = [b for b in parse_markdown("intro\n\n| Time | Event |\n|---|---|\n| 10:00 | a |\n| 11:00 | b |\n").blocks
            if b.kind == "table_row"]
    assert [(b.line, b.cells) for b in rows] == [(3, ["Time", "Event"]), (5, ["10:00", "a"]), (6, ["11:00", "b"])]


def test_a_list_items_break_scanner_is_made_once_per_indent_and_is_mistunes_own() -> None:
    import mistune
    from mistune.core import BlockState

    from postmortem_check import blockparser

    parser = blockparser._MARKDOWN.block
    parser._break_scanners.clear()
    text = "".join(f"- item {n}\n  - nested {n}\n    1. deep {n}\n" for n in range(50))
    blocks = parse_markdown(text, 1).blocks
    assert [b.kind for b in blocks].count("list_item") == 150
    assert 1 <= len(parser._break_scanners) <= 3  # one per indent, not one per item
    for width, scanner in parser._break_scanners.items():
        assert scanner == blockparser._list_break_scanner(parser, width)
    # a parser of someone else's is left to mistune, and reads lists as before
    other = mistune.create_markdown(plugins=["table"])
    state = BlockState()
    state.process(text)
    other.block.parse(state)
    assert len(state.tokens) == 1 and state.tokens[0]["type"] == "list"
    assert not hasattr(other.block, "_break_scanners")


def test_a_block_scanner_finds_from_line_starts_what_mistunes_finds() -> None:
    """Every rule starts with ``^``: the scanner tries line starts only, and finds the same match (where, which
    rule, every group) from every position of documents made of every kind of block, and of random text."""
    import re

    from postmortem_check import blockparser

    parser = blockparser._MARKDOWN.block
    parse_markdown("- item\n\n> quote\n\n1. one\n", 1)  # the scanners of list items and quotes are made too
    rng = random.Random(20261203)
    texts = ["\n".join(rng.choice(PIECES) + rng.choice(["\n", ""]) for _ in range(rng.randint(1, 9)))
             for _ in range(100)]
    alphabet = ["\n", " ", "\t", "#", "-", "*", ">", "|", "`", "~~~", "1.", "a", "b c", "[x]:", "<div>", "=", "    "]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(1000)]
    assert len(parser._scanners) >= 3
    for scanner in parser._scanners.values():
        assert isinstance(scanner, blockparser._LineScanner)
        own = re.compile(scanner.match.__self__.pattern, parser.sc_flag)  # re's own, of mistune's rules
        for text in texts:
            for pos in range(len(text) + 1):
                ours, theirs = scanner.search(text, pos), own.search(text, pos)
                assert (ours and (ours.span(), ours.lastgroup, ours.groups())) == (
                    theirs and (theirs.span(), theirs.lastgroup, theirs.groups())), (text, pos)


def test_a_rule_that_may_start_inside_a_line_keeps_the_patterns_own_search() -> None:
    from postmortem_check import blockparser

    parser = blockparser._create_markdown().block
    parser.register("inline_marker", r"<<(?P<marker>\w+)>>", lambda block, m, state: None)
    assert isinstance(parser.compile_sc(["blank_line", "list"]), blockparser._LineScanner)
    scanner = parser.compile_sc(["blank_line", "inline_marker"])
    assert not isinstance(scanner, blockparser._LineScanner)
    found = scanner.search("text <<here>>\n", 0)
    assert found is not None and found.group("marker") == "here"


def _without_lines(tokens: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{key: _without_lines(value) if key == "children" else value  # type: ignore[arg-type]
             for key, value in token.items() if key != "line"} for token in tokens]


def test_our_block_parser_gives_mistunes_own_tokens() -> None:
    """Line stamps aside, the tokens are those of mistune's own parser, indented code included: the check for
    it is skipped where a line starts with neither a space nor a tab (fails if a tab were left out)."""
    import mistune
    from mistune.core import BlockState

    from postmortem_check import blockparser

    stock = mistune.create_markdown(renderer=None, plugins=["table"])
    indents = ["    code", "\tcode", "  \tcode", "   \tcode", "     five", "para\n    lazy",
               "- item\n\n      code in item", "- item\n\t\tcode in item", "> \tquoted code", "    ", "\t",
               "| a | b |\n|---|---|\n|\tc | d |"]
    rng = random.Random(20261204)
    checked = 0
    for _ in range(600):
        text = "\n".join(rng.choice(PIECES + indents) + rng.choice(["\n", ""]) for _ in range(rng.randint(1, 9)))
        text += "\n"
        state = BlockState()
        state.process(text)
        stock.block.parse(state)
        ours, _ = blockparser.block_tokens(text, 1)
        assert _without_lines(ours) == state.tokens, text
        checked += any(token["type"] == "block_code" and token.get("style") == "indent" for token in state.tokens)
    assert checked > 100
    # mistune's own check, from every line start, finds what the guarded one does
    from mistune.block_parser import BlockParser

    parser = blockparser._MARKDOWN.block
    found = 0
    for text in ["".join(rng.choice(indents) + "\n" for _ in range(5)) for _ in range(200)]:
        starts = [0] + [i + 1 for i, char in enumerate(text[:-1]) if char == "\n"]
        for start in starts:
            ours_state, own_state = blockparser._LinedState(), BlockState()
            ours_state.process(text)
            own_state.process(text)
            ours_state.cursor = own_state.cursor = start
            end = parser._parse_indent_code_fast(ours_state)
            assert end == BlockParser._parse_indent_code_fast(parser, own_state), (text, start)
            found += end is not None
    assert found > 100
