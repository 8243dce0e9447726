"""Authoring help: a postmortem skeleton generated from the schema, the rule list, the built-in schemas."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from .findings import RULES, rule_for
from .schema import BUILTIN_SCHEMAS, LoadedSchema, SchemaError, packaged_text, schema_rules

# Packaged schema files that ``postmortem-check schema NAME`` prints: the templates and their building blocks.
PRINTABLE_SCHEMAS = (*BUILTIN_SCHEMAS, "common")
TITLE_PLACEHOLDER = "[Incident title]"
TIMELINE_ENTRY = "- 00:00 [What happened first, and how it was noticed]"
ACTION_ITEM = "- [ ] [Describe the action] @[owner] P2 due YYYY-MM-DD"


def comment(text: str) -> str:
    """``text`` as a one-line HTML comment (a ``--`` inside would end it early, so it is spaced out)."""
    text = " ".join(text.split()).replace("--", "- -")
    return f"<!-- {text} -->"


# --- schema walking -------------------------------------------------------------------------------


def _resolve(schema: LoadedSchema, node: dict[str, Any], resolver: Any) -> tuple[dict[str, Any], Any]:
    """``node`` with its ``$ref`` (if any) merged in: the referenced keywords first, the node's own on top."""
    ref = node.get("$ref")
    if not isinstance(ref, str) or resolver is None:
        return node, resolver
    resolved = resolver.lookup(ref)
    target = resolved.contents if isinstance(resolved.contents, dict) else {}
    target, inner = _resolve(schema, target, resolved.resolver)
    merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    merged["properties"] = {**target.get("properties", {}), **node.get("properties", {})}
    return merged, inner


def front_matter_fields(schema: LoadedSchema) -> dict[str, dict[str, Any]] | None:
    """The front matter fields the schema describes, in its order; None when it has no front matter."""
    node = schema.schema.get("properties", {}).get("front_matter")
    if not isinstance(node, dict):
        return None
    merged, resolver = _resolve(schema, node, schema.resolver())
    fields: dict[str, dict[str, Any]] = {}
    for name, spec in merged.get("properties", {}).items():
        if isinstance(spec, dict):
            fields[str(name)] = _resolve(schema, spec, resolver)[0]
    return fields


# --- new ------------------------------------------------------------------------------------------


_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _yaml_scalar(value: Any) -> str:
    """A JSON value written as YAML flow (JSON is valid YAML), dates left bare so YAML reads them as dates."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    plain_word = isinstance(value, str) and re.fullmatch(r"[A-Za-z][\w.-]*", value)
    if plain_word and str(value).lower() not in _YAML_WORDS:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _field_value(name: str, spec: dict[str, Any], title: str, day: str) -> Any:
    if name == "title":
        return title
    if name == "date":
        return day
    for key in ("const", "default"):
        if key in spec:
            return spec[key]
    for key in ("enum", "examples"):
        if isinstance(spec.get(key), list) and spec[key]:
            return spec[key][0]
    if name == "status":
        return "draft"
    kinds = spec.get("type", "string")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if name.endswith("s") and "array" in kinds:
        return []
    for kind, value in (("string", ""), ("array", []), ("integer", 0), ("number", 0), ("boolean", False),
                        ("object", {})):
        if kind in kinds:
            return value
    return ""


def skeleton(schema: LoadedSchema, title: str | None = None, day: str | None = None) -> str:
    """A postmortem to fill in: front matter, title, every section of the schema in its order."""
    title = title or TITLE_PLACEHOLDER
    day = day or date.today().isoformat()
    required = set(schema.required_sections)
    out: list[str] = []
    fields = front_matter_fields(schema)
    if fields:
        out.append("---")
        for name, spec in fields.items():
            line = f"{name}: {_yaml_scalar(_field_value(name, spec, title, day))}"
            choices = spec.get("enum")
            if isinstance(choices, list) and len(choices) > 1 and name not in ("title", "date"):
                line += "  # one of: " + ", ".join(str(c) for c in choices)
            out.append(line)
        out += ["---", ""]
    out += [f"# {title}", ""]
    for section_id in schema.section_order:
        section = schema.vocabulary.sections[section_id]
        note = section.description or f"Write the {section.title.lower()} here."
        if section_id not in required:
            note += " (Optional: delete this section if it does not apply.)"
        out += [f"## {section.title}", "", comment(note), ""]
        if section_id == "timeline":
            out += [f"All times are UTC on {day}.", "", TIMELINE_ENTRY, ""]
        elif section_id == "corrective_actions":
            out += [ACTION_ITEM, ""]
    return "\n".join(out[:-1]) + "\n"


def check_date(text: str) -> str | None:
    """An error message when ``text`` is not a YYYY-MM-DD date, else None."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) and date.fromisoformat(text):
            return None
    except ValueError:
        pass
    return f"--date {text!r} is not a date in the form YYYY-MM-DD"


# --- rules and schema -----------------------------------------------------------------------------


def rules_text(schema: LoadedSchema, overrides: dict[str, str] | None = None) -> str:
    """Every rule with its severity and summary, then the schema's sections and the headings each accepts."""
    overrides = overrides or {}
    declared = schema_rules(schema)
    schema_severity: dict[str, str] = {}
    schema_message: dict[str, str] = {}
    for rule in declared:
        if rule.severity:
            schema_severity.setdefault(rule.id, rule.severity)
        if rule.message:
            schema_message.setdefault(rule.id, rule.message)
    ids = list(RULES) + [r.id for r in declared if r.id not in RULES]
    ids = list(dict.fromkeys(ids))
    width = max(len(i) for i in ids)
    lines = [f"Rules (schema {schema.name}):", ""]
    for rule_id in ids:
        known = rule_for(rule_id)
        severity = overrides.get(rule_id) or schema_severity.get(rule_id) or known.default
        summary = known.summary if rule_id in RULES else schema_message.get(rule_id, known.summary)
        origin = "" if rule_id in RULES else " (team schema rule)"
        lines.append(f"  {rule_id:<{width}}  {severity:<7}  {summary}{origin}")
    lines += ["", "Sections, in template order (* required):", ""]
    required = set(schema.required_sections)
    for section_id in schema.section_order:
        spec = schema.vocabulary.sections[section_id]
        mark = "*" if section_id in required else " "
        lines.append(f"{mark} {section_id}: {spec.title}")
        accepted = list(dict.fromkeys([spec.title, *spec.headings]))
        lines.append(f"      headings: {', '.join(accepted)}")
        if spec.implied_by:
            lines.append(f"      implied by: {', '.join(spec.implied_by)}")
    return "\n".join(lines) + "\n"


def builtin_schema_text(name: str) -> str:
    """The text of a packaged schema by name; SchemaError naming the choices for an unknown name."""
    if name not in PRINTABLE_SCHEMAS:
        raise SchemaError(f"no built-in schema named {name!r}; choose one of: {', '.join(PRINTABLE_SCHEMAS)}")
    return packaged_text(f"{name}.json")
