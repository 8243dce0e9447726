"""Reading postmortems for the report: each file through the lint pipeline's stages, into its facts."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date

from ..config import Config
from ..document import decode
from ..lint import expand_paths, schema_for
from ..model import build_model
from ..outline import build_outline
from .facts import Item, Postmortem, incident_date, owners_of, severity
from .times import moments


def facts_from_text(path: str, data: bytes, config: Config, today: date) -> Postmortem | None:
    """The facts of one postmortem, or None when the file cannot be read as text."""
    document = decode(path, data)
    if not document.readable:
        return None
    schema = schema_for(config)
    body = "\n".join(document.lines[document.body_start - 1:])
    outline = build_outline(document.path, body, document.body_start, schema.vocabulary)
    instance = build_model(document, outline, schema.section_order).instance
    front = document.front_matter or {}
    entries = instance["timeline"]["entries"]
    when, source = incident_date(front, outline.title, path, entries)
    items = []
    ids = []
    for raw in instance["action_items"]:
        if raw.get("placeholder"):
            continue
        line = int(raw["line"])
        source_line = document.lines[line - 1] if 0 < line <= len(document.lines) else ""
        due = raw.get("due")
        overdue = bool(due) and not raw["done"] and str(due) < today.isoformat()
        items.append(Item(str(raw["text"]), line, bool(raw["done"]), owners_of(raw, source_line), due,
                          raw.get("issue"), overdue, checkbox_done=bool(raw["done"])))
        ids.append(str(raw["id"]))
    return Postmortem(path, outline.title, when, source, severity(front, outline.title),
                      moments(front, entries, when), items, ids)


def collect(paths: Iterable[str], config: Config, today: date, problems: list[str],
            skipped: list[str]) -> list[Postmortem]:
    """Facts of every postmortem under ``paths``: paths that do not exist go to ``problems``, files
    that cannot be read (too large, not text) to ``skipped``."""
    found: list[Postmortem] = []
    for path in expand_paths(paths, config, problems):
        try:
            if os.stat(path).st_size > config.max_file_size:
                skipped.append(f"{path}: larger than max_file_size; left out of the report")
                continue
            with open(path, "rb") as handle:
                data = handle.read(config.max_file_size + 1)
        except OSError as error:
            skipped.append(f"{path}: cannot be read: {error.strerror or error}")
            continue
        facts = facts_from_text(path, data, config, today)
        if facts is None:
            skipped.append(f"{path}: not UTF-8 text; left out of the report")
        else:
            found.append(facts)
    return found
