"""When an incident started, was detected, mitigated and resolved: the rules, in this one place.

The rules (docs/report.md repeats them for readers):

- Front matter wins: ``start``/``started``/``started_at``, ``detected``/``detected_at``, ``mitigated``/
  ``mitigated_at`` and ``resolved``/``resolved_at``/``ended``/``end`` holding a date and time, and
  ``duration`` (``90m``, ``2h 30m``, ``1:30``, ``45 minutes``).
- Otherwise the timeline: its first entry with a time is the start; the first entry at or after it whose
  text says detected/alerted/paged/noticed/reported is the detection; the first that says mitigated/
  rolled back/reverted/failed over/workaround is the mitigation; the first that says resolved/recovered/
  restored/back to normal/all clear is the resolution.
- An entry without a date is on the day of the entry before it (the first one: the incident date). A
  timeline without any date keeps to one day, so a time earlier than the one before it makes every
  figure unknown; so do entries in two different time zones (offsets, or names such as UTC, PDT, CET).
- A figure that comes out negative or above 30 days is unknown, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

MAX_SPAN = timedelta(days=30)

DETECTED = re.compile(r"\b(detect(ed|s)?|alert(ed|s)?|alarm(ed|s)?|paged|paging|pager|notic(ed|es)|"
                      r"pages (the |an? )?(on-?call|engineer|team|sre)|"
                      r"report(ed|s)|noticed|on-?call (was )?(notified|engaged))\b", re.I)
MITIGATED = re.compile(r"\b(mitigat(ed|es|ion)|roll(ed)?[ -]?back|revert(ed|s)?|fail(ed)?[ -]?over|"
                       r"workaround|hotfix(ed)?)\b", re.I)
RESOLVED = re.compile(r"\b(resolved|recover(ed|y)|restored|back to normal|all clear|fully operational|is back|"
                      r"back (up|online)|"
                      r"incident (is )?(closed|over))\b", re.I)

_FRONT_KEYS = {
    "start": ("start", "started", "started_at", "start_time", "began"),
    "detected": ("detected", "detected_at", "detection_time"),
    "mitigated": ("mitigated", "mitigated_at"),
    "resolved": ("resolved", "resolved_at", "ended", "end", "end_time"),
}
# Zone names the timeline stage may take from words ("ROOT CAUSE", "NFT") are not zones: only these count.
_ZONES = {"UTC", "GMT", "Z", "PST", "PDT", "MST", "MDT", "CST", "CDT", "EST", "EDT", "AKST", "AKDT", "HST", "BST",
          "CET", "CEST", "EET", "EEST", "WET", "WEST", "MSK", "IST", "JST", "KST", "SGT", "HKT", "AEST", "AEDT",
          "ACST", "AWST", "NZST", "NZDT", "WAT", "CAT", "EAT", "SAST", "BRT", "ART"}
_STAMP = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})")
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?)\b", re.I)
_CLOCK = re.compile(r"^\s*(\d{1,3}):([0-5]\d)\s*$")


@dataclass(frozen=True)
class Moments:
    """Minutes from the start to each milestone, None when unknown; the lines they come from."""

    duration: int | None = None
    detect: int | None = None
    mitigate: int | None = None
    resolve: int | None = None
    source: str = "unknown"  # front_matter, timeline or unknown


def parse_duration(value: Any) -> int | None:
    """Minutes in a written duration (``90m``, ``2h 30m``, ``1:30``, ``45 minutes``); None if not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if 0 <= value <= MAX_SPAN.total_seconds() / 60 else None
    text = str(value)[:100]
    clock = _CLOCK.match(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    total = 0.0
    parts = _DURATION_PART.findall(text)
    if not parts:
        return None
    for number, unit in parts:
        scale = {"d": 1440, "h": 60, "m": 1}[unit[0].lower()]
        total += float(number) * scale
    minutes = round(total)
    return minutes if minutes <= MAX_SPAN.total_seconds() / 60 else None


def _stamp(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    match = _STAMP.match(str(value)[:40]) if value is not None else None
    if not match:
        return None
    try:
        year, month, day, hour, minute = (int(g) for g in match.groups())
        return datetime(year, month, day, hour, minute)
    except ValueError:
        return None


def _span(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    delta = end - start
    if delta < timedelta(0) or delta > MAX_SPAN:
        return None
    return int(delta.total_seconds() // 60)


def _zone(value: Any) -> str | None:
    """A time zone as written on an entry (an offset or a known name), else None."""
    if not isinstance(value, str):
        return None
    if value[:1] in "+-":
        return value.replace(":", "")
    return value.upper() if value.upper() in _ZONES else None


def _timeline_times(entries: list[dict[str, Any]], incident_date: str | None) -> list[tuple[datetime, str]] | None:
    """Each timed entry as a moment, or None when the timeline cannot be put on a clock."""
    zones = {_zone(e.get("zone")) for e in entries if e.get("time") and _zone(e.get("zone"))}
    if len(zones) > 1:
        return None
    day = incident_date
    undated = True
    out: list[tuple[datetime, str]] = []
    for entry in entries:
        time, date = entry.get("time"), entry.get("date")
        if isinstance(date, str) and len(date) == 10 and date[0] != "-":
            day, undated = date, False
        elif isinstance(date, str) and date.startswith("--") and day:
            day, undated = day[:4] + date[1:], False
        if not isinstance(time, str):
            continue
        try:
            moment = datetime.fromisoformat(f"{day or '2000-01-01'}T{time}")
        except ValueError:
            return None
        if out and undated and moment < out[-1][0]:
            return None  # an undated timeline going backwards: which day is not known
        out.append((moment, str(entry.get("text") or "")))
    return out


def moments(front_matter: dict[str, Any] | None, entries: list[dict[str, Any]], incident_date: str | None) -> Moments:
    """The incident's figures by the rules in this module's docstring."""
    front = front_matter or {}
    stamps = {name: next((_stamp(front[k]) for k in keys if k in front and _stamp(front[k])), None)
              for name, keys in _FRONT_KEYS.items()}
    written = next((parse_duration(front[k]) for k in ("duration", "time_to_resolve") if k in front), None)
    if stamps["start"] is not None:
        start = stamps["start"]
        resolve = _span(start, stamps["resolved"])
        return Moments(written if written is not None else resolve, _span(start, stamps["detected"]),
                       _span(start, stamps["mitigated"]), resolve, "front_matter")
    timed = _timeline_times(entries, incident_date) or []
    if not timed:
        return Moments(written, source="front_matter" if written is not None else "unknown")
    start = timed[0][0]

    def first(pattern: re.Pattern[str], skip: int = 1) -> datetime | None:
        return next((moment for moment, text in timed[skip:] if pattern.search(text)), None)

    resolve = _span(start, first(RESOLVED))
    detect = _span(start, first(DETECTED, 0))  # the first entry may be the alert itself
    mitigate = _span(start, first(MITIGATED))
    duration = written if written is not None else resolve
    known = any(x is not None for x in (duration, detect, mitigate, resolve))
    return Moments(duration, detect, mitigate, resolve, "timeline" if known else "unknown")
