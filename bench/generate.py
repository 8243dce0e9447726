"""Generate realistic postmortems for the benchmark: varied heading styles, sections and sizes (1–20 KB).

Usage: python bench/generate.py DIR N [--seed S]

The documents are our own, written from a fixed seed, so every run of the benchmark sees the same files.
They mix what real postmortems do: ATX, setext, bold-label, bare-label, numbered and HTML headings,
front matter or none, timelines as lists or tables, action items with owners, the odd missing section,
leftover placeholder or out-of-order timeline entry.
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Callable
from pathlib import Path

MIN_BYTES, MAX_BYTES = 1024, 20 * 1024

HEADINGS = {
    "summary": [
        "Summary",
        "Issue Summary",
        "Incident Summary",
        "Executive Summary",
        "Overview",
        "What happened",
    ],
    "impact": ["Impact", "Customer Impact", "User Impact", "Summary of impact", "Impact Assessment"],
    "timeline": ["Timeline", "Timeline of Events", "Incident Timeline", "Chronology", "Sequence of events"],
    "detection": ["Detection", "How was the incident detected?", "Detection & Response"],
    "root_cause": [
        "Root Cause",
        "Root Causes",
        "Root Cause Analysis",
        "What caused the incident?",
        "Contributing Factors",
    ],
    "resolution": ["Resolution", "Resolution and Recovery", "Mitigation", "Recovery", "Steps to Resolution"],
    "corrective_actions": [
        "Action Items",
        "Corrective Actions",
        "Corrective and Preventative Measures",
        "Follow-up Actions",
        "Next Steps",
        "Remediation",
    ],
    "lessons_learned": ["Lessons Learned", "Lessons Learnt", "What went well", "Takeaways", "Learnings"],
}
ORDER = [
    "summary",
    "impact",
    "detection",
    "timeline",
    "root_cause",
    "resolution",
    "corrective_actions",
    "lessons_learned",
]
REQUIRED = ["summary", "timeline", "root_cause", "resolution", "corrective_actions"]

SERVICES = [
    "checkout",
    "search",
    "payments",
    "login",
    "the API gateway",
    "the billing worker",
    "image upload",
    "the notification service",
    "internal DNS",
    "the build farm",
    "the session cache",
    "the CDN edge",
]
CAUSES = [
    "a configuration change",
    "an expired TLS certificate",
    "a full disk on the primary database",
    "a bad deploy of the routing layer",
    "connection pool exhaustion",
    "a runaway cron job",
    "a schema migration that locked a hot table",
    "a DNS record with a one-second TTL",
    "a memory leak in the new client library",
    "a retry storm after a brief network partition",
]
EFFECTS = [
    "requests timed out",
    "error rates rose to 30%",
    "latency climbed above eight seconds",
    "users could not sign in",
    "orders were queued but not processed",
    "pages returned 502 errors",
]
ACTORS = [
    "the on-call engineer",
    "the SRE team",
    "the database team",
    "an engineer on the platform team",
    "the incident commander",
    "customer support",
]
ACTIONS = [
    "acknowledges the page",
    "rolls back the deploy",
    "adds a read replica",
    "restarts the workers",
    "raises the connection limit",
    "opens an incident channel",
    "posts a status page update",
    "finds the failing health check",
    "reverts the configuration change",
    "drains the bad node",
]
FIXES = [
    "Add an alert on",
    "Write a runbook for",
    "Load test",
    "Add a canary stage for",
    "Document the limits of",
    "Remove the shared config for",
    "Automate the renewal of",
    "Add a dashboard for",
]
OWNERS = ["@maria-okafor", "@dev-patel", "@li-wei", "@sam-jones", "@ana-silva", "@tom-berg", "platform team"]
FILLER = [
    "We confirmed this in the logs afterwards.",
    "Nobody noticed the change at first.",
    "The graphs made the problem look like a network issue.",
    "This had happened once before, in staging.",
    "The alert threshold was set for a much larger fleet.",
    "Monitoring covered latency but not saturation.",
    "The runbook described an older version of the service.",
    "Retries made the load on the database worse.",
    "Traffic was at its daily peak at the time.",
    "The change had been reviewed and approved the day before.",
]


def _sentence(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return (
            f"{rng.choice(CAUSES).capitalize()} in {rng.choice(SERVICES)} meant that {rng.choice(EFFECTS)}."
        )
    if kind == 1:
        return f"{rng.choice(ACTORS).capitalize()} {rng.choice(ACTIONS)} while {rng.choice(EFFECTS)}."
    if kind == 2:
        return f"For {rng.randint(3, 90)} minutes {rng.choice(EFFECTS)} in {rng.choice(SERVICES)}."
    return rng.choice(FILLER)


def _paragraph(rng: random.Random, sentences: int | None = None) -> str:
    count = sentences or rng.randint(2, 6)
    words = " ".join(_sentence(rng) for _ in range(count))
    lines, line = [], ""
    for word in words.split():  # wrap like a person's editor would
        if line and len(line) + len(word) > 100:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def _heading(style: str, level: int, text: str, number: int) -> str:
    if style == "atx":
        return f"{'#' * level} {text}"
    if style == "numbered":
        return f"{'#' * level} {number}. {text}"
    if style == "setext":
        return f"{text}\n{('=' if level == 1 else '-') * max(len(text), 3)}"
    if style == "bold":
        return f"**{text}:**"
    if style == "label":
        return f"{text}:"
    if style == "html":
        return f"<h{level}>{text}</h{level}>"
    return f"# {text}"  # "h1": every section an H1


STYLES = ["atx", "atx", "atx", "numbered", "setext", "bold", "label", "html", "h1"]


def _timeline(rng: random.Random, entries: int, placeholder: bool, disorder: bool) -> str:
    minute = rng.randint(0, 23 * 60 - entries * 20)
    times = []
    for _ in range(entries):
        minute += rng.randint(1, 20)
        times.append(f"{minute // 60 % 24:02d}:{minute % 60:02d}")
    if disorder and len(times) > 2:
        times[1], times[2] = times[2], times[1]
    texts = [f"{rng.choice(ACTORS).capitalize()} {rng.choice(ACTIONS)}." for _ in times]
    if placeholder:
        times[-1] = "[Time]"
    if rng.random() < 0.3:
        cells = (f"| {t} | {x} |" for t, x in zip(times, texts, strict=True))
        rows = ["| Time (UTC) | Event |", "|---|---|", *cells]
        return "\n".join(rows)
    return "All times are UTC.\n\n" + "\n".join(f"- {t} {x}" for t, x in zip(times, texts, strict=True))


def _actions(rng: random.Random, count: int) -> str:
    items = []
    for index in range(count):
        box = rng.choice(["- [ ] ", "- [x] ", "- ", f"{index + 1}. "])
        due = f" due 2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.5 else ""
        items.append(
            f"{box}{rng.choice(FIXES)} {rng.choice(SERVICES)}. {rng.choice(OWNERS)} P{rng.randint(1, 3)}{due}"
        )
    return "\n".join(items)


def _front_matter(rng: random.Random, title: str, day: str) -> str:
    authors = ", ".join(rng.sample(["maria.okafor", "dev.patel", "li.wei", "sam.jones"], rng.randint(1, 2)))
    return (
        f"---\ntitle: {title}\ndate: {day}\nauthors: [{authors}]\nstatus: final\n"
        f"severity: SEV-{rng.randint(1, 3)}\n---\n\n"
    )


def document(rng: random.Random, target: int) -> str:
    """One postmortem of roughly ``target`` bytes."""
    style = rng.choice(STYLES)
    day = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    service = rng.choice(SERVICES)
    title = f"{service.capitalize()} outage after {rng.choice(CAUSES)}"
    sections = [s for s in ORDER if s in REQUIRED or rng.random() < 0.6]
    if rng.random() < 0.1:  # now and then a required section is forgotten
        sections.remove(rng.choice(REQUIRED))
    placeholder = rng.random() < 0.1
    disorder = rng.random() < 0.1
    level = 1 if style == "h1" else 2
    entries = max(4, min(60, target // 400))
    bodies: dict[str, Callable[[], str]] = {
        "timeline": lambda: _timeline(rng, entries, placeholder, disorder),
        "corrective_actions": lambda: _actions(rng, rng.randint(1, 8)),
        "impact": lambda: (
            f"- {rng.randint(2, 60)}% of requests failed\n- Duration: {rng.randint(5, 240)} minutes"
        ),
    }
    parts = [] if rng.random() < 0.4 else [_front_matter(rng, title, day)]
    parts.append(f"# {title}\n" if style not in ("setext", "html") else _heading(style, 1, title, 0) + "\n")
    blocks: dict[str, list[str]] = {}
    for section in sections:
        maker = bodies.get(section)
        blocks[section] = [maker() if maker else _paragraph(rng)]
    size = sum(len(p) for p in parts) + sum(len(b[0]) + 40 for b in blocks.values())
    prose = [s for s in sections if s not in ("timeline", "corrective_actions")] or sections
    while size < target:  # grow the prose sections until the document reaches its size
        text = _paragraph(rng)
        blocks[rng.choice(prose)].append(text)
        size += len(text) + 2
    for number, section in enumerate(sections, 1):
        parts.append(_heading(style, level, rng.choice(HEADINGS[section]), number) + "\n")
        parts.append("\n\n".join(blocks[section]) + "\n")
    return "\n".join(parts)


def sizes(rng: random.Random, count: int) -> list[int]:
    """Document sizes, log-uniform between 1 KB and 20 KB (most postmortems are short)."""
    low, high = math.log(MIN_BYTES), math.log(MAX_BYTES)
    return [int(math.exp(rng.uniform(low, high))) for _ in range(count)]


def generate(directory: Path, count: int, seed: int = 6) -> list[Path]:
    """Write ``count`` postmortems into ``directory``; returns their paths in sorted order."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, target in enumerate(sizes(rng, count)):
        path = directory / f"pm-{index:05d}.md"
        path.write_text(document(rng, target), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    paths = generate(args.directory, args.count, args.seed)
    total = sum(p.stat().st_size for p in paths)
    print(
        f"{len(paths)} files, {total / 1024:.0f} KiB, {total / max(len(paths), 1) / 1024:.1f} KiB each"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
