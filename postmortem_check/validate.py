"""Validate stage: the model against the schema; every schema error becomes a finding on its line."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any

from jsonschema.exceptions import ValidationError

from .findings import Finding, rule_for
from .model import Model
from .schema import LoadedSchema

_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def _line(model: Model, pointer: str) -> int:
    while pointer:
        if pointer in model.lines:
            return model.lines[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return model.lines.get("", 1)


def _rule_of(error: ValidationError) -> tuple[str, str | None, str | None]:
    """The rule id, severity and message template the failing subschema declares."""
    for candidate in (error, error.parent):
        schema = getattr(candidate, "schema", None)
        if isinstance(schema, Mapping) and "x-rule" in schema:
            return str(schema["x-rule"]), schema.get("x-severity"), schema.get("x-message")
    if error.absolute_path and error.absolute_path[0] == "front_matter":
        return "front-matter", None, None
    return "schema-violation", None, None


def _value_at(instance: Any, path: Any) -> Any:
    for part in path:
        try:
            instance = instance[part]
        except (KeyError, IndexError, TypeError):
            return None
    return instance


def _section_title(schema: LoadedSchema, section_id: str | None) -> str:
    spec = schema.vocabulary.sections.get(section_id or "")
    return spec.title if spec else str(section_id)


def _message(rule: str, error: ValidationError, model: Model, schema: LoadedSchema, section: str | None) -> str:
    instance = model.instance
    path = list(error.absolute_path)
    parent = _value_at(instance, path[:-1]) if path else instance
    value = _value_at(instance, path)
    if rule == "missing-section":
        spec = schema.vocabulary.sections.get(section or "")
        accepted = ", ".join(dict.fromkeys([spec.title, *spec.headings][:6])) if spec else section
        return f"missing section '{_section_title(schema, section)}'; add a heading such as: {accepted}"
    if rule == "empty-section" and isinstance(parent, dict):
        return f"section '{parent.get('heading')}' has a heading but no content"
    if rule == "implied-section":
        title = _section_title(schema, section)
        return f"'{title}' is only implied by the text here; give it its own '{title}' heading"
    if rule == "placeholder" and isinstance(value, dict):
        return f"template placeholder {value.get('text')} left in the document; replace it with the real value"
    if rule == "timeline-missing-time" and isinstance(parent, dict):
        return f"timeline entry has no time: \"{_short(parent.get('text'))}\""
    if rule == "timeline-order" and isinstance(value, dict):
        return (f"timeline entry at {_when(value, '')} comes after the entry at {_when(value, 'previous_')} "
                f"(line {value.get('previous_line')}); put entries in order or give their dates")
    if rule == "no-action-items":
        heading = instance.get("sections", {}).get("corrective_actions", {}).get("heading", "")
        return f"section '{heading}' lists no action items; write each as a list item or on its own line"
    if rule == "section-length" and isinstance(parent, dict):
        bound = "at least" if error.validator in ("minimum", "exclusiveMinimum") else "at most"
        return (f"section '{parent.get('heading')}' has {value} words; the schema asks for {bound} "
                f"{error.validator_value}")
    if rule == "front-matter":
        field = path[1] if len(path) > 1 else None
        return f"front matter field '{field}': {error.message}" if field else f"front matter: {error.message}"
    return str(error.message)


def _when(problem: dict[str, Any], prefix: str) -> str:
    """An entry's date and time as the timeline rule read them, naming where an inferred date came from."""
    time, date, source = problem.get(f"{prefix}time"), problem.get(f"{prefix}date"), problem.get(f"{prefix}date_line")
    if not date:
        return str(time)
    return f"{date} {time}" + (f" (date from line {source})" if source else "")


def _short(text: Any, limit: int = 60) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _custom_message(template: str, error: ValidationError, model: Model) -> str:
    path = list(error.absolute_path)
    parent = _value_at(model.instance, path[:-1]) if path else model.instance
    fields = _Fields(parent if isinstance(parent, dict) else {})
    fields["value"] = _value_at(model.instance, path)
    try:
        return str(string.Formatter().vformat(template, (), fields))
    except (ValueError, IndexError, AttributeError):
        return template


def _section_of(error: ValidationError, rule: str) -> str | None:
    path = list(error.absolute_path)
    if rule == "missing-section":
        match = _REQUIRED.match(error.message)
        return match.group("name") if match else None
    if len(path) >= 2 and path[0] == "sections":
        return str(path[1])
    if path and path[0] == "timeline":
        return "timeline"
    if path and path[0] == "action_items":
        return "corrective_actions"
    return None


def validate(path: str, model: Model, schema: LoadedSchema) -> list[Finding]:
    findings: list[Finding] = []
    for error in schema.validator.iter_errors(model.instance):
        if error.validator in ("if", "then", "allOf", "anyOf", "oneOf", "$ref") and error.context:
            errors = list(error.context)
        else:
            errors = [error]
        for item in errors:
            rule, severity, template = _rule_of(item)
            section = _section_of(item, rule)
            pointer = _pointer(item.absolute_path)
            if rule == "missing-section" and section is not None:
                line = model.expected_lines.get(section, 1)
            else:
                line = _line(model, pointer)
            column = 1
            value = _value_at(model.instance, item.absolute_path)
            if rule == "placeholder" and isinstance(value, dict):
                column = int(value.get("column", 1))
            if template:
                message = _custom_message(template, item, model)
            else:
                message = _message(rule, item, model, schema, section)
            findings.append(Finding(path, line, column, rule, severity or rule_for(rule).severity, message, section))
    return findings
