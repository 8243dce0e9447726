"""Figures across postmortems: incidents per month, durations over time, open items by age and owner."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from .facts import Item, Postmortem

AGE_BUCKETS = ("0-30 days", "31-90 days", "91-180 days", "181-365 days", "over a year", "unknown")
NO_OWNER = "(no owner)"
OLDEST = 10


@dataclass(frozen=True)
class OpenItem:
    path: str
    line: int
    text: str
    owners: tuple[str, ...]
    age_days: int | None
    due: str | None
    overdue: bool

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "text": self.text, "owners": list(self.owners),
                "age_days": self.age_days, "due": self.due, "overdue": self.overdue}


def age_bucket(days: int | None) -> str:
    if days is None:
        return AGE_BUCKETS[-1]
    for limit, name in zip((30, 90, 180, 365), AGE_BUCKETS, strict=False):
        if days <= limit:
            return name
    return AGE_BUCKETS[4]


def _days(since: str | None, until: date) -> int | None:
    if since is None:
        return None
    try:
        return (until - date.fromisoformat(since)).days
    except ValueError:
        return None


def _months(counts: Counter[str]) -> list[dict[str, Any]]:
    """Every month from the first incident to the last, months without one at zero."""
    if not counts:
        return []
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        key = f"{year:04d}-{month:02d}"
        out.append({"month": key, "count": counts.get(key, 0)})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _done_within(item: Item, incident: str | None, days: int) -> bool | None:
    """Whether the item was done within ``days`` of the incident; None when when is not known."""
    if not item.done:
        return False
    if item.closed_at is None or incident is None:
        return None
    taken = _days(incident, date.fromisoformat(item.closed_at[:10]))
    return taken is not None and taken <= days


def figures(postmortems: list[Postmortem], today: date) -> dict[str, Any]:
    """Every figure of the report, as plain JSON data."""
    dated = sorted((p for p in postmortems if p.date), key=lambda p: (p.date or "", p.path))
    per_month = Counter((p.date or "")[:7] for p in dated)
    items = [(p, item) for p in postmortems for item in p.items]
    open_items = [
        OpenItem(p.path, i.line, i.text, tuple(i.owners), _days(p.date, today), i.due, i.overdue)
        for p, i in items if not i.done
    ]
    by_age = Counter(age_bucket(o.age_days) for o in open_items)
    by_owner = Counter(owner for o in open_items for owner in (o.owners or (NO_OWNER,)))
    # "within 30 days" is asked of items whose incident is at least 30 days old; the share leaves out
    # items marked done on a date not known (a checkbox says whether, not when)
    eligible = [(p, i) for p, i in items if (age := _days(p.date, today)) is not None and age >= 30]
    verdicts = [_done_within(i, p.date, 30) for p, i in eligible]
    within = sum(v is True for v in verdicts)
    unknown = sum(v is None for v in verdicts)
    known = len(verdicts) - unknown
    oldest = sorted((o for o in open_items if o.age_days is not None),
                    key=lambda o: (-(o.age_days or 0), o.path, o.line))[:OLDEST]
    return {
        "postmortems": len(postmortems),
        "undated": len(postmortems) - len(dated),
        "incidents_per_month": _months(per_month),
        "duration_over_time": [{"date": p.date, "path": p.path, "minutes": p.moments.duration}
                               for p in dated if p.moments.duration is not None],
        "detect_over_time": [{"date": p.date, "path": p.path, "minutes": p.moments.detect}
                             for p in dated if p.moments.detect is not None],
        "action_items": {"total": len(items), "open": len(open_items), "done": len(items) - len(open_items),
                         "overdue": sum(o.overdue for o in open_items)},
        "open_by_age": [{"age": b, "count": by_age.get(b, 0)} for b in AGE_BUCKETS],
        "open_by_owner": [{"owner": o, "count": n}
                          for o, n in sorted(by_owner.items(), key=lambda kv: (-kv[1], kv[0].lower()))],
        "done_within_30_days": {"eligible": len(eligible), "done": within, "done_date_unknown": unknown,
                                "share": round(within / known, 3) if known else None},
        "oldest_open": [o.as_json() for o in oldest],
    }
