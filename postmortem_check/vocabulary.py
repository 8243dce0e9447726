"""Section vocabulary: the heading variants a schema declares, and how a heading is matched to them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionSpec:
    """What a schema says about one canonical section."""

    id: str
    title: str
    description: str
    headings: tuple[str, ...]
    implied_by: tuple[re.Pattern[str], ...]


_TAGS = re.compile(r"<[^>]{0,200}>")
_LEADING = re.compile(
    r"^(?:[#>]+\s*|\d{1,3}(?:\.\d{1,3})*[.)]?\s+|\d{1,3}[.)]|[ivx]{1,4}[.)]\s+|[a-h][.)]\s+|"
    r"[•o·▪◦‣∙*+\-–—=](?:\s+|(?=\S))|\(\d{1,3}\)\s*)"
)
_PAREN = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
_UNDERSCORES = re.compile(r"(?<![a-z0-9])_+|_+(?![a-z0-9])", re.I)
_AND = re.compile(r"\s+(?:and|/)\s+|/")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])")


def normalize(text: str) -> str:
    """Lowercased words of a heading, without markup, numbering, emoji, brackets or end punctuation."""
    text = _ESCAPE.sub(r"\1", _TAGS.sub(" ", text))
    text = "".join(
        " " if unicodedata.category(ch)[0] in "SC" and ch not in "&/'’" else ch for ch in text
    )
    text = text.replace("*", " ").replace("`", " ").replace("~", " ")
    if "_" in text:
        text = _UNDERSCORES.sub(" ", text)
    text = text.strip()
    for _ in range(3):
        stripped = _LEADING.sub("", text.strip()).strip()
        if stripped == text:
            break
        text = stripped
    text = text.strip().rstrip(":?.!;,-–— ").strip()
    for _ in range(2):
        text = _PAREN.sub("", text).rstrip(":?.!;,-–— ").strip()
    text = text.replace("&", " and ").replace("’", "'")
    return " ".join(text.lower().split())


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it exceeds ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


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
        # variants long enough for a fuzzy match, in order, with their lengths
        self._fuzzy = [(variant, len(variant), ids) for variant, ids in self.variants.items() if len(variant) >= 5]
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
        size = len(key)
        if size >= 5:
            limit = 1 if size < 9 else 2
            for variant, length, ids in self._fuzzy:
                if abs(length - size) <= limit and _distance(key, variant, limit) <= limit:
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
        words = key.split()
        best: tuple[str, ...] = ()
        best_len = 0
        for variant, ids in self.variants.items():
            variant_words = variant.split()
            n = len(variant_words)
            if n > best_len and len(words) <= n + 4 and words[:n] == variant_words:
                best, best_len = tuple(ids), n
        return (best, PREFIX) if best else ((), 0)
