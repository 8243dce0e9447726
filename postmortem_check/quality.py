"""Action-item and timeline quality rules, off unless a team enables them in its config.

Each rule reads facts the model already holds (action items, timeline entries, section text) and the
follow-up facts built on them (owners, incident date, duration); nothing here changes the model.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from .document import Document
from .findings import Finding
from .followup.facts import owners_of
from .followup.times import moments, parse_duration
from .model import Model

DURATION_TOLERANCE_MINUTES = 15
DURATION_TOLERANCE_PERCENT = 25

# vague-action-item: the words, and the shape (docs/rules/vague-action-item.md shows both)
_LEAD_IN = re.compile(r"^(?:(?:we|team|you)\s+(?:should|will|must|need to|needs to)\s+|(?:need|needs|try) to\s+|"
                      r"to\s+|action:\s*)", re.I)
VAGUE_OPENERS = ("improve", "enhance", "better", "be more", "be careful", "be aware", "increase awareness",
                 "raise awareness", "review", "revisit", "consider", "look into", "think about", "ensure",
                 "make sure", "continue", "keep", "conduct", "regularly", "monitor", "educate", "strengthen",
                 "optimise", "optimize", "streamline", "double-check", "double check", "pay more attention",
                 "communicate", "focus on", "prioritise", "prioritize")
VAGUE_QUALIFIERS = ("more", "better", "regular", "regularly", "careful", "carefully", "continuous",
                    "continuously", "proper", "properly", "periodic", "periodically", "general", "generally",
                    "overall", "where possible", "as needed", "going forward", "in future", "in the future")
_OPENER = re.compile(r"^(?:" + "|".join(re.escape(w) for w in VAGUE_OPENERS) + r")\b", re.I)
_QUALIFIER = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in VAGUE_QUALIFIERS) + r")\b", re.I)
# something a reviewer can check: a number, code, a link or issue, a file or identifier, a quoted name
_ANCHOR = re.compile(r"\d|`|https?://|#\d|\w[./_]\w|[a-z][A-Z]|\"[^\"]+\"|'[^']+'")
VAGUE_MAX_WORDS = 5

_ZONE_ANYWHERE = re.compile(r"\b(?:UTC|GMT|Z|[A-Z]{1,3}[SD]T|CET|CEST|EET|EEST|IST|JST|AEST|AEDT|WAT|CAT|EAT|SAST)\b|"
                            r"\b(?:time ?zone|local time|Pacific|Eastern|Central|Mountain|Atlantic)\b|"
                            r"(?<=\d)[+-]\d{2}:?\d{2}\b")
_AMOUNT = r"(\d{1,3}(?:\.\d+)?|an?|one|two|three|four|five|six|ten|twelve)"
_UNIT = r"(minutes?|mins?|hours?|hrs?|h|days?)"
_STATED = re.compile(
    r"\b(?:lasted|lasting|for|duration(?: of)?:?|outage of|downtime of)\s+(?:about|approximately|around|"
    r"roughly|nearly|almost|just over|just under|~)?\s*" + _AMOUNT + r"\s*" + _UNIT +
    r"(?:\s*(?:and\s*)?(\d{1,2})\s*(?:minutes?|mins?))?\b"
    r"|\b" + _AMOUNT + r"[- ]" + _UNIT + r"\s+(?:outage|incident|downtime|disruption|window)",
    re.I)
_WINDOW = re.compile(r"\b(?:between|from)\s+(\d{1,2}:\d{2})\s*(?:[A-Z]{2,4}\s*)?(?:and|to|until|-|–)\s*"
                     r"(\d{1,2}:\d{2})\b")
_CUMULATIVE = re.compile(r"\b(?:cumulative|in total|totall?ing|combined|separate (?:incidents|outages)|"
                         r"recurring|multiple (?:incidents|outages))\b", re.I)
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10,
                 "twelve": 12}


def is_vague(text: str) -> bool:
    """An item that names no finishable, checkable piece of work (the word list and shape above)."""
    body = _LEAD_IN.sub("", " ".join(text.split())).strip(" -*:")
    if not _OPENER.match(body) or _ANCHOR.search(body):
        return False
    return len(body.split()) <= VAGUE_MAX_WORDS or bool(_QUALIFIER.search(body))


def stated_duration(text: str) -> int | None:
    """Minutes the text says the incident lasted ("lasted 2 hours", "a 45-minute outage",
    "between 10:05 and 11:20"), or None."""
    window = _WINDOW.search(text)
    if window:
        start, end = (datetime.strptime(t, "%H:%M") if int(t.split(":")[0]) < 24 else None for t in window.groups())
        if start is not None and end is not None and end >= start:
            return int((end - start).total_seconds() // 60)
    found = _STATED.search(text)
    if not found:
        return None
    amount, unit, extra = (found.group(1), found.group(2), found.group(3)) if found.group(1) else \
        (found.group(4), found.group(5), None)
    number = _WORD_NUMBERS.get(amount.lower()) if not amount[0].isdigit() else float(amount)
    minutes = parse_duration(f"{number}{unit[0].lower() if unit[0].lower() != 'm' else 'm'}")
    if minutes is not None and extra:
        minutes += int(extra)
    return minutes


def _finding(path: str, line: int, rule: str, message: str, section: str) -> Finding:
    return Finding(path, line, 1, rule, "warning", message, section)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item_findings(document: Document, instance: dict[str, Any], today: date) -> list[Finding]:
    path = document.path
    found: list[Finding] = []
    for item in instance["action_items"]:
        if item.get("placeholder") or item.get("done"):
            continue
        line = int(item["line"])
        source_line = document.lines[line - 1] if 0 < line <= len(document.lines) else ""
        text = _short(str(item["text"]))
        if not owners_of(item, source_line):
            found.append(_finding(path, line, "action-item-owner",
                                  f"action item has no owner: \"{text}\"; name one (@login or an Owner column)",
                                  "corrective_actions"))
        if not item.get("due") and not item.get("issue"):
            found.append(_finding(path, line, "action-item-due",
                                  f"action item has no due date and no tracking issue: \"{text}\"; add "
                                  f"\"due: YYYY-MM-DD\" or link its issue", "corrective_actions"))
        due = item.get("due")
        if due and str(due) < today.isoformat():
            found.append(_finding(path, line, "overdue-action-item",
                                  f"action item was due {due} and is not done: \"{text}\"", "corrective_actions"))
        if is_vague(str(item["text"])):
            found.append(_finding(path, line, "vague-action-item",
                                  f"action item is too vague to finish or check: \"{text}\"; say what will "
                                  f"change, where, and how anyone can tell it is done", "corrective_actions"))
    return found


def _timeline_findings(document: Document, instance: dict[str, Any], settings: dict[str, int]) -> list[Finding]:
    entries = [e for e in instance["timeline"]["entries"] if e.get("time")]
    found: list[Finding] = []
    if entries and not any(e.get("zone") for e in entries) and not _ZONE_ANYWHERE.search(document.text):
        found.append(_finding(document.path, int(entries[0]["line"]), "timeline-zone",
                              "timeline times have no time zone anywhere in the document; write it once "
                              "(\"All times UTC\") or on each entry", "timeline"))
    summary = instance["sections"].get("summary")
    if not summary:
        return found
    text = str(summary.get("text") or "")[:5000]
    if _CUMULATIVE.search(text):
        return found  # several outages in one document: their total is not the timeline's span
    stated = stated_duration(text)
    computed = moments(None, instance["timeline"]["entries"], None).duration
    if stated is None or computed is None:
        return found
    minutes = settings.get("duration_tolerance_minutes", DURATION_TOLERANCE_MINUTES)
    share = settings.get("duration_tolerance_percent", DURATION_TOLERANCE_PERCENT) / 100
    tolerance = max(minutes, share * max(stated, computed))
    if abs(stated - computed) > tolerance:
        found.append(_finding(document.path, int(summary["line"]), "duration-mismatch",
                              f"the summary says the incident lasted {stated} minutes; the timeline from its first "
                              f"entry to resolution spans {computed} minutes", "summary"))
    return found


def quality_findings(document: Document, model: Model, rules: dict[str, str], today: date | None = None,
                     settings: dict[str, int] | None = None) -> list[Finding]:
    """Findings of the quality rules the config enables (severity is applied by the caller); ``settings``
    is the config's ``quality:`` block."""
    today = today or datetime.now(timezone.utc).date()
    found = _item_findings(document, model.instance, today) + _timeline_findings(document, model.instance,
                                                                                  settings or {})
    return [f for f in found if rules.get(f.rule, "off") != "off"]
