"""Turn a team's template (or, without one, its common practice) into a team schema."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from ..outline import build_outline
from ..parse import parse_markdown
from ..schema import packaged_text
from ..template_text import TOKEN, cells, line_key
from ..vocabulary import FUZZY, Vocabulary, normalize
from .discover import Candidate

_CUT = re.compile(r"\s*(?:\(|\[|\{\{|\s[-–—]\s|\.\s|:\s).*$")
_SLOT = re.compile(r"\{\{[^{}]{0,200}\}\}|\[[^\[\]\n]{1,200}\]")
_SLOT_LABEL = re.compile(r"\{\{\s*([A-Za-z][A-Za-z ]{2,60}):")
_INSTRUCTION_WORDS = 5
PRACTICE_SHARE = 0.5  # without a template, a section is required when at least this share of documents has it


@dataclass
class TemplateSection:
    """One section the template asks for: its id, the heading as the team writes it, canonical or not."""

    id: str
    title: str
    headings: list[str]
    canonical: bool


def _clean_title(text: str) -> str:
    """A template heading without its instructions: ``Timeline (all times PST) DATE RANGE`` -> ``Timeline``."""
    text = re.sub(r"[*_`#]+", "", text).strip()
    cut = _CUT.sub("", text).strip().rstrip(":?.!;,").strip()
    return cut or text.rstrip(":").strip()


def canonical_id(heading: str, vocabulary: Vocabulary) -> str | None:
    """The built-in section a template heading names, trying its words before any instructions."""
    for text in (heading, _clean_title(heading)):
        ids, _ = vocabulary.match(text)
        if ids:
            return ids[0]
    words = normalize(_clean_title(heading)).split()
    for start in range(1, len(words)):  # "Identified cause" -> "cause"
        ids, quality = vocabulary.match(" ".join(words[start:]))
        if ids and quality >= FUZZY:
            return ids[0]
    return None


def _slug(title: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", normalize(title).replace("&", "and")).strip("_") or "section"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}_{number}", number + 1
    return slug


def template_sections(template: Candidate, vocabulary: Vocabulary) -> list[TemplateSection]:
    """The template's sections in order: each heading below the title, mapped to a canonical id when it is one.

    An unknown heading nested under a known one (``### Process improvements`` under ``## Action items``) is
    part of that section; other unknown headings are sections of their own.
    """
    document = template.document
    body = "\n".join(document.lines[document.body_start - 1:])
    headings = [b for b in parse_markdown(body, document.body_start).blocks if b.kind == "heading"]
    if any(b.level > 1 for b in headings):
        headings = [b for b in headings if b.level > 1]
    out: dict[str, TemplateSection] = {}
    known_level = 0
    for block in headings:
        text = " ".join(block.text.lstrip("#").split()).strip().rstrip("#").strip()
        if not text or "{{" in _clean_title(text) or not re.search(r"[A-Za-z]", _clean_title(text)):
            continue
        title = _clean_title(text)
        section_id = canonical_id(text, vocabulary)
        if section_id is None:
            if known_level and block.level > known_level:
                continue
            known_level = 0
            section_id = _slug(title, set(out) | set(vocabulary.sections))
            out[section_id] = TemplateSection(section_id, title, [title], False)
            continue
        known_level = block.level if not known_level or block.level <= known_level else known_level
        if section_id in out:
            if title not in out[section_id].headings:
                out[section_id].headings.append(title)
        else:
            out[section_id] = TemplateSection(section_id, title, [title], True)
    return list(out.values())


def practice_sections(documents: list[Candidate], vocabulary: Vocabulary) -> list[TemplateSection]:
    """Without a template: the canonical sections at least half the team's documents have, in the usual order."""
    counts: Counter[str] = Counter()
    for document in documents:
        body = "\n".join(document.document.lines[document.document.body_start - 1:])
        outline = build_outline(document.path, body, document.document.body_start, vocabulary)
        counts.update(s for s, section in outline.found.items() if section.style != "implied")  # headed ones
    needed = max(1, int(len(documents) * PRACTICE_SHARE + 0.999))
    return [TemplateSection(s, vocabulary.sections[s].title, [], True)
            for s in vocabulary.order if counts[s] >= needed]


def _heading_share(documents: list[Candidate], section: TemplateSection) -> float:
    """The share of documents with a heading (any level, any markup) naming an extra template section."""
    wanted = {normalize(h) for h in section.headings}
    have = 0
    for document in documents:
        texts = {normalize(_clean_title(line.lstrip("#"))) for line in document.document.lines
                 if line.startswith("#") or line.strip().startswith(("**", "__"))}
        have += bool(texts & wanted)
    return have / len(documents) if documents else 0.0


def _line_texts(line: str, kind: str) -> list[str]:
    """The template text one line of a block holds: its slots, slot labels, format tokens, and (outside
    headings) the instruction line itself and its longer table cells."""
    found: list[str] = []
    for slot in _SLOT.findall(line):
        if len(re.findall(r"[A-Za-z]+", slot)) >= 2:
            found.append(slot)
        label = _SLOT_LABEL.match(slot)
        if label:  # "{{ incident date: yyyy-mm-dd }}": a line still starting "incident date:"
            found.append(label.group(1).strip() + ":")
    found += TOKEN.findall(line)
    if kind == "heading":
        return found
    key = line_key(line)
    if len(key.split()) >= _INSTRUCTION_WORDS:
        found.append(key)
    if kind == "table_row":
        found += [cell for cell in cells(line) if len(cell.split()) >= 3 and not TOKEN.search(cell)]
    return found


def template_text(template: Candidate) -> list[str]:
    """What a postmortem must not keep from the template: its title, instruction lines (five words or more),
    table cells of three words or more, bracketed slots and format tokens (``HH:mm``, ``XXX``)."""
    document = template.document
    body = "\n".join(document.lines[document.body_start - 1:])
    found: list[str] = []
    for block in parse_markdown(body, document.body_start).blocks:
        if block.kind == "heading" and block.level == 1:
            title = line_key(block.lines[0])
            if "{{" not in title and not _SLOT.fullmatch(title):
                found.append(title)
        if block.kind in ("paragraph", "list_item", "table_row", "heading"):
            for line in block.lines:
                found += _line_texts(line, block.kind)
    return [text for text in dict.fromkeys(found) if text]


def build_schema(sections: list[TemplateSection], documents: list[Candidate], base_name: str = "default",
                 template: Candidate | None = None) -> dict[str, Any]:
    """A team schema: the built-in one with the template's sections first, in its order and wording.

    Canonical sections the template names are required; the template's other headings are sections of
    their own, required when most of the team's documents already have them; built-in sections the template
    does not name stay known (so their headings are recognised) but optional.
    """
    base = json.loads(packaged_text(f"{base_name}.json"))
    schema: dict[str, Any] = copy.deepcopy(base)
    schema.pop("$id", None)
    schema["title"] = "Team postmortem template"
    schema["description"] = ("Learned by postmortem-check init from "
                             + (f"the template {template.path}" if template else "the sections most postmortems share")
                             + ". Edit freely: docs/team-schema.md explains every keyword.")
    builtin = base["properties"]["sections"]["properties"]
    properties: dict[str, Any] = {}
    required: list[str] = []
    for section in sections:
        if section.canonical:
            spec = copy.deepcopy(builtin[section.id])
            team = [h for h in section.headings if normalize(h) != normalize(spec.get("title", ""))]
            spec["x-headings"] = list(dict.fromkeys(
                [*team, spec.get("title", ""), *spec.get("x-headings", [])]))
            if section.headings:
                spec["title"] = section.headings[0]
            spec["$ref"] = "urn:postmortem-check:common#/$defs/required_section"
            properties[section.id] = spec
            required.append(section.id)
        else:
            wanted = _heading_share(documents, section) > PRACTICE_SHARE
            properties[section.id] = {
                "$ref": "urn:postmortem-check:common#/$defs/" + ("required_section" if wanted else "section"),
                "title": section.title,
                "description": f"The template's {section.title!r} section.",
                "x-headings": section.headings,
            }
            if wanted:
                required.append(section.id)
    for section_id, spec in builtin.items():
        if section_id not in properties:
            optional = copy.deepcopy(spec)
            optional["$ref"] = "urn:postmortem-check:common#/$defs/section"
            properties[section_id] = optional
    schema["properties"]["sections"]["properties"] = properties
    schema["properties"]["sections"]["required"] = required
    if template is not None:
        schema["x-template-text"] = template_text(template)
    return schema
