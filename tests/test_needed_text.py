"""The text a wording pattern cannot match without: taken from the parsed pattern, never missing a line the
pattern matches (every built-in schema's patterns over every line of our example documents), and the lines
without it are not searched."""

from __future__ import annotations

import json
import re

import pytest

from postmortem_check import outline, pattern_store
from postmortem_check.needed_text import anchors, finder, needed_text
from postmortem_check.parse import Block
from postmortem_check.pattern_store import _parser
from postmortem_check.vocabulary import IMPLIED_FLAGS, implied_anchors, implied_finder, implied_patterns
from tests.conftest import ROOT, SHARED


def _needed(pattern: str) -> tuple[str, ...] | None:
    return needed_text(_parser.parse(pattern, IMPLIED_FLAGS))


@pytest.mark.parametrize(("pattern", "words"), [
    (r"\bcaused by\b|\bdue to\b", ("caused by", "due to")),
    (r"\bRoot Cause\b", ("root cause",)),  # lowercased
    (r"(?:was|were) caused", ("was caused", "were caused")),
    (r"colou?r", ("color", "colour")),
    (r"fix(?:ed)?\b", ("fix",)),  # "fixed" holds "fix": one is enough
    (r"\d+ (?:users|customers)", (" customers", " users")),  # the most selective part of the match
    (r"(?:^|[.!] )at \d", ("at ",)),
    (r"(?:outage)+ over", ("outage",)),  # a repeat's text is needed once, and does not join its neighbours
    (r"(?:outages)* over", (" over",)),
    (r"a(?=bc)", ("a",)),  # what a lookahead asks for is not part of the match
])
def test_the_text_every_match_contains(pattern: str, words: tuple[str, ...]) -> None:
    assert _needed(pattern) == words


@pytest.mark.parametrize("pattern", [r"\d+", r"cause|\w+", r"(?:fixed)?\s", "é+", r"(a)?\1", r"x*"])
def test_no_text_is_claimed_where_a_match_can_do_without(pattern: str) -> None:
    assert _needed(pattern) is None


def test_patterns_kept_apart_are_found_by_either_finder() -> None:
    found = implied_finder((r"(w)\1x", r"\bcaused by\b"))  # a reference by number: not joined
    assert found is not None and len(implied_patterns((r"(w)\1x", r"\bcaused by\b"))) == 2
    assert [bool(found.search(text)) for text in ("wwx", "caused by", "neither")] == [True, True, False]
    assert implied_finder((r"(w)\1x", r"\d+")) is None  # one of them needs no text: every line is searched


def test_the_finder_finds_exactly_the_words() -> None:
    words = ("caused by", "cause of", "due to", "n.b.")
    found = re.compile(finder(words))
    for text in ("it was caused by x", "the cause of it", "due to y", "because", "caused  by", "n.b. this", "nxbx"):
        assert bool(found.search(text)) == any(word in text for word in words), text


def _lines() -> list[str]:
    """Every line of our example documents and test fixtures, and of the shared real postmortems when they
    are beside the checkout; also upper-cased (the patterns ignore case)."""
    paths = [*(ROOT / "examples").rglob("*.md"), *(ROOT / "tests").rglob("*.md"), *SHARED.rglob("*.md"),
             *SHARED.glob("seeds/*.txt")]
    lines = [line for path in sorted(paths) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    return lines + [line.upper() for line in lines]


def _builtin_sources() -> list[tuple[str, ...]]:
    sources = []
    for path in (ROOT / "schemas" / "default.json", ROOT / "schemas" / "google-sre.json"):
        for section in json.loads(path.read_text(encoding="utf-8"))["properties"]["sections"]["properties"].values():
            sources += [tuple(value) for key, value in section.items() if key.startswith("x-implied")]
    return sources


def test_no_line_a_builtin_pattern_matches_is_skipped() -> None:
    lines = _lines()
    sources = _builtin_sources()
    assert len(lines) > 900 and len(sources) > 10
    matched = 0
    for patterns in sources:
        found, anchored = implied_finder(patterns), implied_anchors(patterns)
        assert found is not None and anchored, patterns
        for line in lines:
            if line.isascii() and any(p.search(line) for p in implied_patterns(patterns)):
                matched += 1
                assert found.search(line.lower()), (patterns, line)
                assert any(anchor in line.lower() for anchor in anchored), (patterns, line)
    assert matched > 50


@pytest.mark.parametrize(("words", "expected"), [
    (("was detected", "alerted us"), ("alerted", "detected")),  # each word's longest run without a space
    (("caused by", "cause"), ("cause",)),  # "caused" holds "cause"
    ((" error", "fault "), ("error", "fault")),
    (("a b", " "), None),  # a word of white space alone: nothing to look for
])
def test_anchors_are_runs_without_white_space(words: tuple[str, ...], expected: tuple[str, ...] | None) -> None:
    assert anchors(words) == expected


def test_a_section_without_any_anchor_is_not_searched_and_wrapped_wording_is_still_found(
        monkeypatch: pytest.MonkeyPatch) -> None:
    detection = (r"\b(?:was|were) (?:first )?(?:noticed|detected)\b",)
    # "was" ends one line and "detected" starts the next: found in the two lines joined
    assert outline._first_match([_paragraph(4, "Nothing yet.", "The fault was", "detected by a probe.")],
                                detection) == 5
    searched: list[str] = []
    real = implied_patterns
    monkeypatch.setattr(outline, "implied_patterns", lambda found: tuple(_Counted(p, searched) for p in real(found)))
    assert outline._first_match([_paragraph(4, "Nothing was noted.", "We were told.")], detection) is None
    assert searched == []  # neither "noticed" nor "detected" is in the text: no line is searched


def test_a_line_of_other_characters_is_always_searched() -> None:
    # "İ" lowercases to two characters, yet the engine matches it to "i" when ignoring case
    assert outline._first_match([_paragraph(5, "The İMPACT was wide.")], (r"\bimpact\b",)) == 5
    assert outline._first_match([_paragraph(5, "The IMPACT was wide.")], (r"\bimpact\b",)) == 5
    assert outline._first_match([_paragraph(5, "The İMPACT was wide.")], (r"\bdowntime\b",)) is None


def _paragraph(line: int, *lines: str) -> Block:
    block = Block("paragraph", line, list(lines))
    block.quoted = False
    return block


class _Counted:
    """A compiled pattern that counts the lines it searches."""

    def __init__(self, pattern: re.Pattern[str], searched: list[str]) -> None:
        self.pattern, self.searched = pattern, searched

    def search(self, text: str) -> re.Match[str] | None:
        self.searched.append(text)
        return self.pattern.search(text)


def test_lines_without_the_needed_text_are_not_searched(monkeypatch: pytest.MonkeyPatch) -> None:
    searched: list[str] = []
    real = implied_patterns

    def counted(sources: tuple[str, ...]) -> tuple[_Counted, ...]:
        return tuple(_Counted(p, searched) for p in real(sources))

    monkeypatch.setattr(outline, "implied_patterns", counted)
    block = _paragraph(3, "The queue stalled.", "Nobody knew why.", "It was caused by a flag.")
    assert outline._first_match([block], (r"\bcaused by\b", r"\bdue to\b")) == 5
    # the second line is searched joined with the third (wording may wrap), the first not at all
    assert searched == ["Nobody knew why. It was caused by a flag.", "It was caused by a flag."]


def test_kept_entries_start_afresh_when_the_code_deriving_them_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = pattern_store._path()
    monkeypatch.setattr(pattern_store, "_source", lambda name: b"# another version")
    assert pattern_store._path() != before


def test_each_kind_of_wording_is_looked_for_in_its_own_text() -> None:
    """The summary's wording, the timeline's and quoted text's are checked each against their own text: a
    fix the timeline records implies the resolution, a cause named only in a quote the root cause."""
    from postmortem_check.lint import lint_text

    text = ("# Outage\n\n## Summary\n\nAn API outage of an hour.\n\n## Timeline\n\n"
            "- 10:00 errors start\n- 10:40 the release was rolled back\n\n## Impact\n\nAll users.\n\n"
            "## Notes\n\n> Vendor ticket: the disk controller was broken.\n")
    sections = lint_text(text).sections
    assert sections["resolution"]["style"] == "implied" and sections["resolution"]["line"] == 10
    assert sections["root_cause"]["style"] == "implied" and sections["root_cause"]["line"] == 18
    assert "detection" not in sections
