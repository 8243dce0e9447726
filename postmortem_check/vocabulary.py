"""Section vocabulary: the heading variants a schema declares, and how a heading is matched to them."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .lazy_re import LazyPattern
from .pattern_store import compile_pattern, needed

if TYPE_CHECKING:
    from .pattern_store import Needed


class SectionSpec(NamedTuple):
    """What a schema says about one canonical section. The ``implied_*`` patterns are kept as written
    (compiled by ``implied_patterns`` when a document lacks the section)."""

    id: str
    title: str
    description: str
    headings: tuple[str, ...]
    implied_by: tuple[str, ...]
    implied_in_timeline: tuple[str, ...] = ()  # wording that implies it in a timeline entry
    implied_in_quotes: tuple[str, ...] = ()  # wording that implies it in quoted text (a vendor's ticket)


IMPLIED_FLAGS = re.IGNORECASE  # how a schema's x-implied-* patterns are matched
_GROUP_REFERENCE = LazyPattern(r"\\[1-9]|\(\?P=|\(\?\(")
_NOT_FLAGS = ("(?:", "(?=", "(?!", "(?<")  # groups a pattern may start with that set no flags


@lru_cache(maxsize=64)
def implied_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """A section's ``x-implied-*`` patterns compiled, as one alternation, which finds a match in a line exactly
    when one of them does (and compiles once instead of once per pattern).

    Kept apart when joining them could change what they mean: references to groups by number, or flags
    that must stay at the start of a pattern.
    """
    joinable = len(patterns) > 1 and not any(
        _GROUP_REFERENCE.search(p) or (p.lstrip().startswith("(?") and not p.lstrip().startswith(_NOT_FLAGS))
        for p in patterns)
    if joinable:
        try:
            return (compile_pattern("|".join(f"(?:{p})" for p in patterns), IMPLIED_FLAGS),)
        except re.error:
            pass
    return tuple(compile_pattern(p, IMPLIED_FLAGS) for p in patterns)


@lru_cache(maxsize=64)
def _implied_needed(patterns: tuple[str, ...]) -> tuple[Needed, ...] | None:
    """For each of the patterns, what its matches need (``pattern_store.needed``). None when one of the patterns
    needs no text: then every line is searched."""
    found: list[Needed] = []
    for pattern in implied_patterns(patterns):
        kept = needed(pattern.pattern, IMPLIED_FLAGS)
        if kept is None:
            return None
        found.append(kept)
    return tuple(found)


@lru_cache(maxsize=64)
def implied_finder(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """A pattern that finds, in a line of ASCII text lowercased, one of the words a match of the patterns
    needs: a line where it finds none need not be searched. None when nothing is known."""
    found = _implied_needed(patterns)
    if found is None:
        return None
    sources = [source for _, source in found]
    return compile_pattern(sources[0] if len(sources) == 1 else "|".join(f"(?:{source})" for source in sources))


@lru_cache(maxsize=64)
def implied_anchors(patterns: tuple[str, ...]) -> tuple[str, ...] | None:
    """Strings without white space (``needed_text.anchors``): any line, or two lines joined, in which one of the
    patterns finds a match holds one of them once lowercased, if it is ASCII. A cheap test of a whole section's
    text; None when nothing is known."""
    found = _implied_needed(patterns)
    if found is None or any(runs is None for runs, _ in found):
        return None
    return tuple(sorted({run for runs, _ in found for run in runs or ()}))


_TAGS = LazyPattern(r"<[^>]{0,200}>")
_LEADING = LazyPattern(
    r"^(?:[#>]+\s*|\d{1,3}(?:\.\d{1,3})*[.)]?\s+|\d{1,3}[.)]|[ivx]{1,4}[.)]\s+|[a-h][.)]\s+|"
    r"[•o·▪◦‣∙*+\-–—=](?:\s+|(?=\S))|\(\d{1,3}\)\s*)"
)
_PAREN = LazyPattern(r"[(\[][^()\[\]]{0,300}[)\]]")  # used with fullmatch from the last bracket
_UNDERSCORES = LazyPattern(r"_+")
_AND = LazyPattern(r" (?:and|/) |/")  # on normalized text: single spaces
_ESCAPE = LazyPattern(r"\\([\\`*_{}\[\]()#+\-.!|])")


def _blank(char: str) -> bool:
    """A symbol or control character (emoji, arrows, ``|``) reads as a space; ``&``, ``/`` and apostrophes
    are read by ``normalize``."""
    return unicodedata.category(char)[0] in "SC" and char not in "&/'’"


_ASCII_BLANKS = {code: " " for code in range(128) if _blank(chr(code))}  # for str.translate


def normalize(text: str) -> str:
    """Lowercased words of a heading, without markup, numbering, emoji, brackets or end punctuation."""
    text = _ESCAPE.sub(r"\1", _TAGS.sub(" ", text))
    text = text.translate(_ASCII_BLANKS) if text.isascii() else "".join(" " if _blank(ch) else ch for ch in text)
    text = text.replace("*", " ").replace("`", " ").replace("~", " ")
    if "_" in text:
        text = _UNDERSCORES.sub(lambda m: _underscores(text, m), text)
    text = text.strip()
    for _ in range(3):
        stripped = _LEADING.sub("", text.strip()).strip()
        if stripped == text:
            break
        text = stripped
    text = text.strip().rstrip(":?.!;,-–— ").strip()
    for _ in range(2):
        text = _without_trailing_brackets(text).rstrip(":?.!;,-–— ").strip()
    text = text.replace("&", " and ").replace("’", "'")
    return " ".join(text.lower().split())


def _underscores(text: str, match: re.Match[str]) -> str:
    """A run of underscores is emphasis (a space) unless it joins two words (``snake_case``)."""
    before = text[match.start() - 1] if match.start() else ""
    after = text[match.end()] if match.end() < len(text) else ""
    return match.group(0) if before.isalnum() and after.isalnum() else " "


def _without_trailing_brackets(text: str) -> str:
    """``text`` without a bracketed part at its end: ``Timeline (UTC)`` is ``Timeline``."""
    text = text.rstrip()
    start = max(text.rfind("("), text.rfind("["))
    if start >= 0 and _PAREN.fullmatch(text, start):
        return text[:start].rstrip()
    return text


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of two neighbours as one edit, giving up (limit + 1) past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]


# A typo is only assumed in a word of a variant this long: a short word is too often one edit away from
# another real word ("Status" is not "Stats", "Event" is not "Events").
_TYPO_MIN = 7
# What may follow a known heading as an annotation: "Timeline (all times PST) 12/01 - 05/07. Approximate".
_ANNOTATION = LazyPattern(r"[(\[:,.;|/\-–—]|\d")
_MAX_TAIL_WORDS = 4
# Words that only say how a section is written: "Timeline summary" is a timeline, "Impact overview" the impact.
_QUALIFIERS = frozenset({"summary", "overview", "details", "description", "notes"})


def _typo_of(key: list[str], variant: list[str]) -> bool:
    """True when the heading's words are the variant's words with at most one typo in each long word, or
    another form of it ("Investigating" for "Investigation")."""
    if len(key) != len(variant) or key == variant:
        return False
    for word, known in zip(key, variant, strict=True):
        if word != known and (len(known) < _TYPO_MIN or _distance(word, known, 1) > 1) and not _other_form(word, known):
            return False
    return True


_NOUN_ENDINGS = ("ion", "ions")
_STEM_MIN = 5  # "detect-ing" and "detect-ion"; never "act-ing" and "act-ion"


def _other_form(word: str, known: str) -> bool:
    """True when one word is the -ing form of the other's -ion noun: the same stem of five letters or more."""
    for verb, noun in ((word, known), (known, word)):
        if verb.endswith("ing") and noun.endswith(_NOUN_ENDINGS):
            stem = verb[:-3]
            return len(stem) >= _STEM_MIN and noun.removesuffix("s")[:-3] == stem
    return False


def _fuzzy_keys(words_count: int, first: str) -> tuple[tuple[int, str], ...]:
    """Where a variant starting with ``first`` is filed. One edit in a word of at least ``_TYPO_MIN`` (> 6)
    letters leaves its first three or its last three letters as they were, so a heading's first word shares
    one of these keys with every variant it can be a typo of."""
    return (words_count, "=" + first), (words_count, "<" + first[:3]), (words_count, ">" + first[-3:])


def _fuzzy_index(fuzzy: list[tuple[list[str], list[str]]]) -> dict[tuple[int, str], list[int]]:
    index: dict[tuple[int, str], list[int]] = {}
    for position, (words, _) in enumerate(fuzzy):
        keys = _fuzzy_keys(len(words), words[0]) if len(words[0]) >= _TYPO_MIN else ((len(words), "=" + words[0]),)
        for key in keys:
            index.setdefault(key, []).append(position)
    return index


def _fuzzy_candidates(index: dict[tuple[int, str], list[int]], words: list[str]) -> list[int]:
    """Positions of the variants a heading of ``words`` can be a typo of, in the vocabulary's order."""
    if not words:
        return []
    found: set[int] = set()
    for key in _fuzzy_keys(len(words), words[0]):
        found.update(index.get(key, ()))
    return sorted(found)


EXACT, FUZZY, PREFIX = 3, 2, 1
_CACHE_SIZE = 20_000


class Vocabulary:
    """Maps heading text to canonical section ids using the variants a schema declares."""

    def __init__(self, sections: list[SectionSpec]) -> None:
        self.sections = {spec.id: spec for spec in sections}
        self.order = [spec.id for spec in sections]
        self.variants: dict[str, list[str]] = {}
        for spec in sections:
            for heading in (spec.title, *spec.headings):
                key = normalize(heading)
                if key and spec.id not in self.variants.setdefault(key, []):
                    self.variants[key].append(spec.id)
        # variants with a word long enough for a typo, as words
        self._fuzzy = [(variant.split(), ids) for variant, ids in self.variants.items()
                       if max(len(word) for word in variant.split()) >= _TYPO_MIN]
        self._fuzzy_index = _fuzzy_index(self._fuzzy)
        self._longest = max((len(variant) for variant in self.variants), default=0)
        self._shortest = min((len(variant) for variant in self.variants), default=0)
        self._beginnings = {variant[:self._shortest] for variant in self.variants}  # what a variant's key begins with
        self._cache: dict[str, tuple[tuple[str, ...], int]] = {}  # by heading as written

    def match(self, heading: str) -> tuple[tuple[str, ...], int]:
        """Canonical ids a heading names, and how well (EXACT, FUZZY, PREFIX; 0 for no match)."""
        found = self._cache.get(heading)
        if found is None:
            key = normalize(heading)
            found = self._match(key) if key else ((), 0)
            if len(self._cache) >= _CACHE_SIZE:  # bounded: memory must not grow with the number of files
                self._cache.clear()
            self._cache[heading] = found
        return found

    def _match(self, key: str) -> tuple[tuple[str, ...], int]:
        if key in self.variants:
            return tuple(self.variants[key]), EXACT
        words = key.split()
        for position in _fuzzy_candidates(self._fuzzy_index, words):
            variant_words, ids = self._fuzzy[position]
            if _typo_of(words, variant_words):
                return tuple(ids), FUZZY
        # "X and Y" naming two known sections
        parts = [p.strip() for p in _AND.split(key) if p.strip()]
        if len(parts) > 1:
            found: list[str] = []
            for part in parts:
                part_ids, quality = self._match(part)
                if quality < FUZZY:
                    break
                found.extend(i for i in part_ids if i not in found)
            else:
                return tuple(found), FUZZY
        found_prefix = self._prefix(key)
        head, dash, tail = key.partition(" - ")
        if not found_prefix[0] and dash and len(head.split()) == 1 and tail:
            tagged = self._match(tail)[0]  # "CVE - Description of the vulnerability"
            return (tagged, PREFIX) if tagged else ((), 0)
        return found_prefix

    def _prefix(self, key: str) -> tuple[tuple[str, ...], int]:
        """The longest variant the heading starts with, followed by an annotation or a few words that name
        no other section ("Root cause of the outage"; not "Details of the fix")."""
        if key[:self._shortest] not in self._beginnings:
            return (), 0  # no variant begins the key (most headings of sections the schema does not know)
        # only the key's own beginnings can be variants: looked up from the longest, the first that qualifies
        # is the longest variant (two variants of one length cannot both begin the key)
        for size in range(min(len(key) - 1, self._longest), 0, -1):
            variant = key[:size]
            ids = self.variants.get(variant)
            if ids is None:
                continue
            tail = key[size:]
            if tail[0] != " " and not _ANNOTATION.match(tail):
                continue  # the variant ends inside a word
            tail = tail.strip()
            if tail not in _QUALIFIERS and not _ANNOTATION.match(tail) and (
                    len(tail.split()) > _MAX_TAIL_WORDS or self._names_other(tail, ids)):
                continue
            return tuple(ids), PREFIX
        return (), 0

    def _names_other(self, tail: str, ids: list[str]) -> bool:
        """True when some run of words in ``tail`` is a variant of another section."""
        words = tail.split()
        for size in (1, 2, 3):
            for start in range(len(words) - size + 1):
                other = self.variants.get(" ".join(words[start:start + size]))
                if other and other != ids:
                    return True
        return False
