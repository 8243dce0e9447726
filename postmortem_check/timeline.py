"""Timeline facts: entries with their parsed time, date and zone, and where the order goes backwards."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parse import Block

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<y>\d{4})-" + _MONTH + r"-(?P<d>\d{1,2})(?!\d)", re.I),
    re.compile(r"(?<![\w])(?P<d>\d{1,2})(?:st|nd|rd|th)?[ /-]" + _MONTH + r"(?:[ /,-]+(?P<y>\d{4}))?", re.I),
    re.compile(r"(?<![\w])" + _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(?P<y>\d{4}))?", re.I),
]
_TIME = re.compile(
    r"(?<![\d:.])(?P<h>[01]?\d|2[0-3])\s?(?::|h)\s?(?P<min>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d])"
    r"(?:\s?(?P<ampm>[ap]\.?m\.?)(?![a-z]))?"
    r"|(?<![\d:.])(?P<h2>1[0-2]|0?[1-9])\s?(?P<ampm2>[ap]\.?m\.?)(?![a-z])",
    re.I,
)
_ZONE = re.compile(r"\b(UTC|GMT|Z|[A-Z]{2,4}T|CET|CEST|IST|WAT|CAT|EAT|SAST)\b|(?<=\d)(?P<off>[+-]\d{2}:?\d{2})\b")
_NEXT_DAY = re.compile(r"\b(next|following) day\b|\(\+1\)|\bday 2\b", re.I)


@dataclass(frozen=True)
class Entry:
    line: int
    text: str
    time: str | None  # HH:MM, 24-hour
    date: str | None  # YYYY-MM-DD, or --MM-DD without a year
    zone: str | None

    def as_json(self) -> dict[str, object]:
        return {"line": self.line, "text": self.text, "time": self.time, "date": self.date, "zone": self.zone}


def parse_date(text: str) -> tuple[int | None, int, int] | None:
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            groups = match.groupdict()
            month = _MONTHS.get(groups["mon"][:3].lower()) if groups.get("mon") else int(groups["m"])
            day = int(groups["d"])
            if month and 1 <= month <= 12 and 1 <= day <= 31:
                return (int(groups["y"]) if groups.get("y") else None), month, day
    return None


def parse_time(text: str) -> tuple[int, int] | None:
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


def make_entry(line: int, text: str, stamp: str | None = None) -> Entry:
    """An entry from its text; ``stamp`` is where to look for the time (a table's time cells)."""
    stamp = text if stamp is None else stamp
    time = parse_time(stamp)
    day = parse_date(stamp)
    zone = _ZONE.search(stamp)
    return Entry(
        line,
        " ".join(text.split())[:200],
        f"{time[0]:02d}:{time[1]:02d}" if time else None,
        _date_text(day) if day else None,
        (zone.group(1) or zone.group("off")) if zone else None,
    )


def _date_text(day: tuple[int | None, int, int]) -> str:
    year, month, dom = day
    return f"{year:04d}-{month:02d}-{dom:02d}" if year else f"--{month:02d}-{dom:02d}"


_TIME_HEADER = re.compile(r"time|date|when|day|hour|utc|timestamp", re.I)


def entries_from_blocks(blocks: list[Block]) -> list[Entry]:
    """Timeline entries: list items, table rows, timed headings and timed paragraph lines.

    A heading or paragraph with only a date sets the day of the entries under it.
    """
    timed_headings = [b for b in blocks if b.kind == "heading" and parse_time(b.text)]
    entries: list[Entry] = []
    table_time_columns: list[int] = []
    day: str | None = None
    for block in blocks:
        if block.kind == "heading":
            if timed_headings:
                entries.append(_with_day(make_entry(block.line, block.text), day))
            elif parse_date(block.text):
                day = make_entry(block.line, block.text).date
        elif timed_headings:
            continue
        elif block.kind == "list_item" and block.text.strip():
            entries.append(_with_day(make_entry(block.line, block.text), day))
        elif block.kind == "table_row":
            if block.info == "head":
                table_time_columns = [i for i, c in enumerate(block.cells) if _TIME_HEADER.search(c)]
                continue
            cells = block.cells
            stamp_cells = [cells[i] for i in table_time_columns if i < len(cells)] or cells[:-1] or cells
            text = " | ".join(c for c in cells if c)
            entries.append(_with_day(make_entry(block.line, text, " ".join(stamp_cells)), day))
        elif block.kind == "paragraph":
            for offset, line in enumerate(block.lines):
                if parse_time(line[:40]):
                    entries.append(_with_day(make_entry(block.line + offset, line), day))
                elif not entries and parse_date(line) and len(line.split()) <= 4:
                    day = make_entry(block.line, line).date
    return entries


def _with_day(entry: Entry, day: str | None) -> Entry:
    if entry.date or day is None:
        return entry
    return Entry(entry.line, entry.text, entry.time, day, entry.zone)


def order_problems(entries: list[Entry]) -> list[dict[str, object]]:
    """Entries whose time is earlier than the entry before them, on the same (or an unknown) day."""
    problems: list[dict[str, object]] = []
    previous: Entry | None = None
    current_date: str | None = None
    for entry in entries:
        if entry.time is None:
            continue
        if entry.date is None:  # an entry without a date is on the day of the entry before it
            entry = Entry(entry.line, entry.text, entry.time, current_date, entry.zone)
        current_date = entry.date
        if previous is not None and previous.time is not None and entry.time is not None:
            same_day = entry.date is None or previous.date is None or entry.date == previous.date
            earlier_day = entry.date is not None and previous.date is not None and entry.date < previous.date
            backwards = same_day and entry.time < previous.time and not _NEXT_DAY.search(entry.text)
            if backwards or earlier_day:
                problems.append({
                    "line": entry.line, "text": entry.text, "time": entry.time, "date": entry.date,
                    "previous_line": previous.line, "previous_time": previous.time, "previous_date": previous.date,
                })
        previous = entry
    return problems
