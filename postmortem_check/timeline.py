"""Timeline facts: entries with their parsed time, date and zone, and where the order goes backwards.

Dates come from the entry itself or from the nearest date before it (a date line, a dated sub-heading,
a date-only list item); a date alone is enough in a timeline that spans several days. Numeric dates
such as ``03-11-2024`` are read month-first or day-first, whichever the document's own dates allow and
puts its entries in order. Every pattern here is linear: bounded repeats, no two adjacent quantifiers
over the same characters.
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import timedelta
from typing import NamedTuple

from .lazy_re import LazyPattern
from .parse import Block
from .placeholders import has_time_mask, has_time_slot

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
# Whole month names only: "15:04 martym looks" and "15:09 marked resolved" name no month.
_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?![a-z])")
_ISO = LazyPattern(r"(?<![\d/.-])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
_ISO_NAMED = LazyPattern(r"(?<!\d)(?P<y>\d{4})-" + _MONTH + r"-(?P<d>\d{1,2})(?!\d)", re.I)
# 03-11-2024, 07/27/2023, 4/24/23: month-first or day-first, decided for the whole timeline
_NUMERIC = LazyPattern(
    r"(?<![\d/.:-])(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2})(?![\d/.:-])")
_DAY_NAMED = LazyPattern(
    r"(?<![\w:.])(?P<d>\d{1,2})(?:st|nd|rd|th)?\.?[ /-]{1,2}" + _MONTH + r"(?:[ /,-]{1,3}(?P<y>\d{4}))?", re.I)
_NAMED_DAY = LazyPattern(
    r"(?<![\w])" + _MONTH + r"[ \t]{1,3}(?P<d>\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?[ \t]{1,3}(?P<y>\d{4}))?", re.I)
_TIME = LazyPattern(
    r"(?<![\d:.])(?P<h>[01]?\d|2[0-3])\s?(?::|h)\s?(?P<min>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d])"
    r"(?:\s?(?P<ampm>[ap]\.?m\.?)(?![a-z]))?"
    r"|(?<![\d:.])(?P<h2>1[0-2]|0?[1-9])\s?(?P<ampm2>[ap]\.?m\.?)(?![a-z])",
    re.I,
)
_ZONE = LazyPattern(r"\b(UTC|GMT|Z|[A-Z]{2,4}T|CET|CEST|IST|WAT|CAT|EAT|SAST)\b|(?<=\d)(?P<off>[+-]\d{2}:?\d{2})\b")
_NEXT_DAY = LazyPattern(r"\b(next|following) day\b|\(\+1\)|\bday 2\b", re.I)
_NOTE = LazyPattern(r"^[\W_]{0,4}(?:note|nb|n\.b\.|context|aside)\b", re.I)
_DATE_LINE_WORDS = 6  # a line this short that holds a date and no time is a date line
# A backwards step this short, across midnight, is the next day: 23:55 then 07:00.
_MIDNIGHT_GAP = timedelta(hours=12)


class Entry(NamedTuple):
    line: int
    text: str
    time: str | None  # HH:MM, 24-hour
    date: str | None  # YYYY-MM-DD, or --MM-DD without a year
    zone: str | None
    masked: bool = False  # the time is a template mask (HH:mm, 14:??): the placeholder rule reports it
    date_line: int | None = None  # where the date came from, when not from the entry itself
    needs_time: bool = False  # True when the entry has no time and needs one (``_mark_needs_time``)

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "text": self.text, "time": self.time, "date": self.date, "zone": self.zone,
                "needs_time": self.needs_time}


_DIGIT = LazyPattern(r"\d")  # every date and time pattern here needs one
_DIGIT_THEN_SEPARATOR = LazyPattern(r"\d[-/.]")  # what a numeric date (_ISO, _NUMERIC) needs
_MONTH_START = LazyPattern("|".join(_MONTHS))  # the first three letters of every month's name


def parse_date(text: str, day_first: bool = False) -> tuple[int | None, int, int] | None:
    """The first date in ``text`` as (year or None, month, day)."""
    if not _DIGIT.search(text):
        return None
    # Only the patterns the text can hold: numbers need a digit followed by a separator (a sentence's full
    # stop is not one), names a month's first three letters (looked for in the case-folded text, where
    # "ſep" is "sep" as it is to an IGNORECASE pattern).
    separated = _DIGIT_THEN_SEPARATOR.search(text) is not None
    named = _MONTH_START.search(text.casefold()) is not None
    found: list[tuple[int, tuple[int | None, int, int]]] = []
    for pattern, possible in ((_ISO, separated), (_ISO_NAMED, named), (_NUMERIC, separated), (_DAY_NAMED, named),
                              (_NAMED_DAY, named)):
        for match in pattern.finditer(text) if possible else ():
            day = _date_of(match.groupdict(), day_first)
            if day is not None:
                found.append((match.start(), day))
                break
    return min(found)[1] if found else None


def _date_of(groups: dict[str, str | None], day_first: bool) -> tuple[int | None, int, int] | None:
    written_year = groups.get("y")
    year = int(written_year) if written_year else None
    if year is not None and year < 100:
        year += 2000
    if groups.get("a"):
        first, second = int(groups["a"] or 0), int(groups["b"] or 0)
        if first > 12 or (day_first and second <= 12):
            day, month = first, second
        else:
            month, day = first, second
    else:
        mon = groups.get("mon")
        month = _MONTHS.get(mon[:3].lower(), 0) if mon else int(groups["m"] or 0)
        day = int(groups["d"] or 0)
    if 1 <= month <= 12 and 1 <= day <= 31:
        return year, month, day
    return None


def _ambiguous_match(match: re.Match[str]) -> bool:
    """True for a numeric date (a ``_NUMERIC`` match) that reads differently month-first and day-first."""
    return int(match.group("a")) <= 12 and int(match.group("b")) <= 12 and match.group("a") != match.group("b")


def parse_time(text: str) -> tuple[int, int] | None:
    if not _DIGIT.search(text):
        return None
    for match in _TIME.finditer(text):
        if match.group("h") is not None:
            hour, minute = int(match.group("h")), int(match.group("min"))
            ampm = match.group("ampm")
        else:
            hour, minute, ampm = int(match.group("h2")), 0, match.group("ampm2")
        if ampm and hour <= 12:
            is_pm = ampm[0].lower() == "p"
            hour = (hour % 12) + (12 if is_pm else 0)
        return hour, minute
    return None


def make_entry(line: int, text: str, stamp: str | None = None, day_first: bool = False) -> Entry:
    """An entry from its text; ``stamp`` is where to look for the time (a table's time cells)."""
    stamp = (text if stamp is None else stamp).replace("`", " ")  # "`14:02` - alert fires"
    time = parse_time(stamp)
    day = parse_date(stamp, day_first)
    zone = _ZONE.search(stamp)
    return Entry(
        line,
        " ".join(text.split())[:200],
        f"{time[0]:02d}:{time[1]:02d}" if time else None,
        _date_text(day) if day else None,
        (zone.group(1) or zone.group("off")) if zone else None,
        masked=time is None and (has_time_mask(stamp) or has_time_slot(stamp)),
    )


def _date_text(day: tuple[int | None, int, int]) -> str:
    year, month, dom = day
    return f"{year:04d}-{month:02d}-{dom:02d}" if year else f"--{month:02d}-{dom:02d}"


_TIME_HEADER = LazyPattern(r"time|date|when|day|hour|utc|timestamp", re.I)


def entries_from_blocks(blocks: list[Block]) -> list[Entry]:
    """Timeline entries: list items, table rows, timed headings and timed paragraph lines.

    Numeric dates are read month-first unless the document's dates are only valid day-first, or reading
    them day-first puts more of its entries in order.
    """
    written = list(_NUMERIC.finditer("\n".join(block.text for block in blocks)))  # a date is on one line
    if any(int(m.group("a")) > 12 for m in written) and not any(int(m.group("b")) > 12 for m in written):
        return _mark_needs_time(_entries(blocks, day_first=True))  # "29-09-2021": the document is day-first
    entries = _entries(blocks, day_first=False)
    if any(_ambiguous_match(m) for m in written):
        day_first = _entries(blocks, day_first=True)
        if len(order_problems(day_first)) < len(order_problems(entries)):
            entries = day_first
    return _mark_needs_time(entries)


def _is_date_line(text: str, day_first: bool) -> bool:
    return parse_time(text) is None and parse_date(text, day_first) is not None and (
        len(text.split()) <= _DATE_LINE_WORDS)


class _Reader:
    """Reads a timeline's blocks in order, keeping the date in force and the line it came from."""

    def __init__(self, blocks: list[Block], day_first: bool) -> None:
        self.day_first = day_first
        self.timed_headings = any(b.kind == "heading" and parse_time(b.text) for b in blocks)
        self.top_depth = min((b.depth for b in blocks if b.kind == "list_item"), default=0)
        self.entries: list[Entry] = []
        self.time_columns: list[int] = []
        self.day: tuple[str, int] | None = None

    def add(self, entry: Entry) -> None:
        if entry.date:
            self.day = (entry.date, entry.line)  # a date an entry carries holds for the entries after it
        self.entries.append(_with_day(entry, self.day))

    def heading(self, block: Block) -> None:
        heading = make_entry(block.line, block.text, day_first=self.day_first)
        if self.timed_headings and heading.time:
            self.add(heading)
        elif heading.date:
            self.day = (heading.date, block.line)

    def list_item(self, block: Block) -> None:
        entry = make_entry(block.line, block.text, day_first=self.day_first)
        if entry.time is None and entry.date and _is_date_line(block.text, self.day_first):
            self.day = (entry.date, block.line)  # "- 2018-01-15" heading the items below it
        elif entry.time is None and (block.depth > self.top_depth or _NOTE.match(block.text)):
            return  # a sub-bullet or note under an entry
        else:
            self.add(entry)

    def table_row(self, block: Block) -> None:
        if block.info == "head":
            self.time_columns = [i for i, c in enumerate(block.cells) if _TIME_HEADER.search(c)]
            return
        cells = block.cells
        stamp_cells = [cells[i] for i in self.time_columns if i < len(cells)] or cells[:-1] or cells
        text = " | ".join(c for c in cells if c)
        self.add(make_entry(block.line, text, " ".join(stamp_cells), self.day_first))

    def paragraph(self, block: Block) -> None:
        for offset, line in enumerate(block.lines):
            if parse_time(line[:40].replace("`", " ")):
                entry = make_entry(block.line + offset, line, day_first=self.day_first)
                if not self.timed_headings or entry.date:
                    self.add(entry)
            elif _is_date_line(line, self.day_first):
                date = make_entry(block.line + offset, line, day_first=self.day_first).date or ""
                self.day = (date, block.line + offset)

    def read(self, block: Block) -> None:
        if block.kind == "heading":
            self.heading(block)
        elif block.kind == "paragraph":
            self.paragraph(block)
        elif self.timed_headings:
            return  # under timed sub-headings, only their paragraphs hold entries
        elif block.kind == "list_item" and block.text.strip():
            self.list_item(block)
        elif block.kind == "table_row":
            self.table_row(block)


def _entries(blocks: list[Block], day_first: bool) -> list[Entry]:
    reader = _Reader(blocks, day_first)
    for block in blocks:
        reader.read(block)
    return reader.entries


def _with_day(entry: Entry, day: tuple[str, int] | None) -> Entry:
    if entry.date or day is None or not day[0]:
        return entry
    return entry._replace(date=day[0], date_line=day[1])


def _mark_needs_time(entries: list[Entry]) -> list[Entry]:
    """A date alone is enough in a timeline that spans days; a masked time is the placeholder rule's."""
    days = {entry.date for entry in entries if entry.date}
    return [entry._replace(needs_time=True) if entry.time is None and not entry.masked
            and not (entry.date and entry.date_line is None and len(days) > 1) else entry for entry in entries]


def _ordinal(text: str | None) -> int | None:
    if not text or text.startswith("--"):
        return None
    try:
        return Date.fromisoformat(text).toordinal()
    except ValueError:
        return None


def order_problems(entries: list[Entry]) -> list[dict[str, object]]:
    """Entries whose time is earlier than the entry before them, on the same (or an unknown) day.

    An entry without a date is on the day of the entry before it, or the next day when its time is a
    short step back across midnight (23:55, then 07:00).
    """
    problems: list[dict[str, object]] = []
    previous: tuple[Entry, int | None, int] | None = None  # entry, its day, its shift past midnight
    for entry in entries:
        time = entry.time
        if time is None:
            continue
        inferred = entry.date is None or entry.date_line is not None
        if entry.date is None and previous is not None and previous[0].date is not None:
            entry = entry._replace(date=previous[0].date)
        day = _ordinal(entry.date)
        shift = 0
        if previous is not None:
            before, before_day, before_shift = previous
            same_date = entry.date == before.date
            shift = before_shift if same_date and inferred else 0
            if day is not None and before_day is not None and day < before_day:
                problems.append(_problem(entry, before))
            elif same_date and shift == before_shift and before.time is not None and time < before.time \
                    and not _NEXT_DAY.search(entry.text):
                if inferred and _crosses_midnight(before.time, time):
                    shift += 1
                else:
                    problems.append(_problem(entry, before))
        previous = (entry, day, shift)
    return problems


def _crosses_midnight(before: str, after: str) -> bool:
    hours, minutes = (int(part) for part in before.split(":"))
    later_hours, later_minutes = (int(part) for part in after.split(":"))
    gap = timedelta(hours=24 + later_hours - hours, minutes=later_minutes - minutes)
    return gap <= _MIDNIGHT_GAP


def _problem(entry: Entry, previous: Entry) -> dict[str, object]:
    return {
        "line": entry.line, "text": entry.text, "time": entry.time, "date": entry.date,
        "date_line": entry.date_line, "previous_line": previous.line, "previous_time": previous.time,
        "previous_date": previous.date, "previous_date_line": previous.date_line,
    }
