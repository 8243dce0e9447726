"""The text a regular expression cannot match without: a cheap test that skips most searches of a line.

A schema's wording patterns (``x-implied-*``) are searched in every line of a document that lacks their
section; most lines hold none of their words, yet the engine tries each of a pattern's dozens of
alternatives at each position. From the parsed pattern, ``needed_text`` takes literal strings one of which
every match contains: ``\\bcaused by\\b|\\bdue to\\b`` needs "caused by" or "due to". A line (of ASCII
text, lowercased) that contains none of them cannot match, and is not searched. ``finder`` writes one
pattern that finds any of the strings, as a tree of their shared beginnings, which the engine searches about
ten times faster than the wording patterns themselves. ``anchors`` cuts each string to its longest run
without white space: a section whose whole text holds none of them has no line, alone or joined with the
next, that the patterns match, and is not searched line by line.

Only ASCII literals are taken, lowercased: in ASCII text, a literal matches a character, with or without
``re.IGNORECASE``, only where their lowercase forms are equal. A line with other characters is always
searched (``İ`` matches ``i`` when ignoring case, and its lowercase form is two characters).
"""

from __future__ import annotations

import re
import sys

if sys.version_info >= (3, 11):
    from re import _constants as _c
else:  # pragma: no cover (3.10)
    import sre_constants as _c

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_REPEATS = tuple(getattr(_c, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_c, name))
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)


def needed_text(parsed: Any) -> tuple[str, ...] | None:
    """Lowercase ASCII strings one of which every match of ``parsed`` (a parsed pattern: ``re._parser.parse``)
    contains, sorted, none containing another; None when no such strings are known."""
    found = _needed(parsed)
    return None if found is None else _fewest(found)


def anchors(words: tuple[str, ...]) -> tuple[str, ...] | None:
    """The longest run without white space of each of ``words``, fewest: a text that holds none of them holds
    none of the words, however its lines are joined or cut at white space. None when a word has no such run."""
    runs = [max(word.split(), key=len, default="") for word in words]
    return None if not runs or "" in runs else _fewest(frozenset(runs))


def _fewest(words: frozenset[str]) -> tuple[str, ...]:
    """The words none of which contains another of them (a line holding that one holds the other), sorted."""
    kept: list[str] = []
    for word in sorted(words, key=len):  # a word that contains another is longer than it
        if not any(shorter in word for shorter in kept):
            kept.append(word)
    return tuple(sorted(kept))


_MAX_STRINGS = 64  # a run's strings are not multiplied beyond this


def _needed(items: Any) -> frozenset[str] | None:
    """For a sequence of parsed items: the best set of strings one of which every match contains."""
    candidates: list[frozenset[str]] = []
    run: frozenset[str] = frozenset(("",))  # what the items since the last break match, one after another

    def end_run() -> frozenset[str]:
        if min(map(len, run)):
            candidates.append(run)
        return frozenset(("",))

    for item in items:
        exact = _exact([item])
        if exact is not None and len(run) * len(exact) <= _MAX_STRINGS:
            run = frozenset(before + after for before in run for after in exact)
            continue
        run = end_run()
        op, value = item
        inner: frozenset[str] | None = None
        if op is _c.SUBPATTERN:
            inner = _needed(value[-1])
        elif op in _REPEATS and value[0] >= 1:
            inner = _needed(value[2])
        elif op is _ATOMIC:
            inner = _needed(value)
        elif op is _c.BRANCH:
            alternatives = [_needed(alternative) for alternative in value[1]]
            if all(alternative is not None for alternative in alternatives):
                inner = frozenset().union(*alternatives)  # type: ignore[arg-type]
        if inner:
            candidates.append(inner)
    end_run()
    # the set whose shortest string is longest is the most selective; among those, the smallest
    return max(candidates, key=lambda words: (min(map(len, words)), -len(words)), default=None)


def _exact(items: Any) -> frozenset[str] | None:
    """Every string a sequence of ASCII literals, and of groups, alternatives and optional parts made of
    them, matches (lowercased); None for a sequence with anything else or too many strings."""
    strings = frozenset(("",))
    for op, value in items:
        if op is _c.LITERAL and value < 128:
            part: frozenset[str] | None = frozenset((chr(value).lower(),))
        elif op is _c.SUBPATTERN:
            part = _exact(value[-1])
        elif op is _c.BRANCH:
            alternatives = [_exact(alternative) for alternative in value[1]]
            part = None if None in alternatives else frozenset().union(*alternatives)  # type: ignore[arg-type]
        elif op in _REPEATS and value[0] <= 1 and value[1] == 1:
            once = _exact(value[2])
            part = None if once is None else once | {""} if value[0] == 0 else once
        else:
            return None
        if part is None or len(strings) * len(part) > _MAX_STRINGS:
            return None
        strings = frozenset(before + after for before in strings for after in part)
    return strings


def finder(words: tuple[str, ...]) -> str:
    """A pattern (no flags; for lowercased text) that finds any of ``words``, none of which begins another."""
    tree: dict[str, Any] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})

    def alternatives(node: dict[str, Any]) -> str:
        branches = [(char if char.isalnum() else re.escape(char)) + alternatives(child)
                    for char, child in sorted(node.items())]
        return "" if not branches else branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"

    return alternatives(tree)
