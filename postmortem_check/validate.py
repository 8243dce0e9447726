"""Validate stage: the model against the schema; every schema error becomes a finding on its line."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeAlias

from .findings import Finding, rule_for
from .lazy_re import LazyPattern
from .model import Model
from .quickcheck import Undecided
from .schema import LoadedSchema, SchemaError
from .schema_errors import Violation, schema_errors

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

    SchemaErrorLike: TypeAlias = ValidationError | Violation  # both have what findings are made of

_REQUIRED = LazyPattern(r"^'(?P<name>.+)' is a required property$")


def _pointer(path: Any) -> str:
    return "".join(f"/{part}" for part in path)


def _line(model: Model, pointer: str) -> int:
    while pointer:
        if pointer in model.lines:
            return model.lines[pointer]
        pointer = pointer.rsplit("/", 1)[0]
    return model.lines.get("", 1)


def _rule_of(error: SchemaErrorLike) -> tuple[str, str | None, str | None]:
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


class _Failure(NamedTuple):
    """One schema error with what a message needs: the instance around it and the section it is about."""

    error: SchemaErrorLike
    model: Model
    schema: LoadedSchema
    section: str | None

    @property
    def path(self) -> list[Any]:
        return list(self.error.absolute_path)

    @property
    def value(self) -> Any:
        return _value_at(self.model.instance, self.path)

    @property
    def parent(self) -> Any:
        path = self.path
        return _value_at(self.model.instance, path[:-1]) if path else self.model.instance

    @property
    def title(self) -> str:
        return _section_title(self.schema, self.section)

    def parent_field(self, key: str) -> Any:
        parent = self.parent
        return parent.get(key) if isinstance(parent, dict) else None

    def value_field(self, key: str) -> Any:
        value = self.value
        return value.get(key) if isinstance(value, dict) else None


def _missing_section(f: _Failure) -> str:
    spec = f.schema.vocabulary.sections.get(f.section or "")
    accepted = ", ".join(dict.fromkeys([spec.title, *spec.headings][:6])) if spec else f.section
    return f"missing section '{f.title}'; add a heading such as: {accepted}"


def _empty_section(f: _Failure) -> str:
    return f"section '{f.parent_field('heading')}' has a heading but no content"


def _implied_section(f: _Failure) -> str:
    return f"'{f.title}' is only implied by the text here; give it its own '{f.title}' heading"


def _placeholder(f: _Failure) -> str:
    return f"template placeholder {f.value_field('text')} left in the document; replace it with the real value"


def _timeline_missing_time(f: _Failure) -> str:
    return f"timeline entry has no time: \"{_short(f.parent_field('text'))}\""


def _timeline_order(f: _Failure) -> str:
    value = f.value if isinstance(f.value, dict) else {}
    return (f"timeline entry at {_when(value, '')} comes after the entry at {_when(value, 'previous_')} "
            f"(line {value.get('previous_line')}); put entries in order or give their dates")


def _no_action_items(f: _Failure) -> str:
    heading = f.model.instance.get("sections", {}).get("corrective_actions", {}).get("heading", "")
    return f"section '{heading}' lists no action items; write each as a list item or on its own line"


def _section_length(f: _Failure) -> str:
    bound = "at least" if f.error.validator in ("minimum", "exclusiveMinimum") else "at most"
    return (f"section '{f.parent_field('heading')}' has {f.value} words; the schema asks for {bound} "
            f"{f.error.validator_value}")


def _front_matter(f: _Failure) -> str:
    path = f.path
    field = path[1] if len(path) > 1 else None
    return f"front matter field '{field}': {f.error.message}" if field else f"front matter: {f.error.message}"


# The message of each schema rule of the registry (``findings.RULES``); other rules say jsonschema's message.
MESSAGES: dict[str, Callable[[_Failure], str]] = {
    "missing-section": _missing_section,
    "empty-section": _empty_section,
    "implied-section": _implied_section,
    "placeholder": _placeholder,
    "timeline-missing-time": _timeline_missing_time,
    "timeline-order": _timeline_order,
    "no-action-items": _no_action_items,
    "section-length": _section_length,
    "front-matter": _front_matter,
}


def _message(rule: str, error: SchemaErrorLike, model: Model, schema: LoadedSchema, section: str | None) -> str:
    build = MESSAGES.get(rule)
    return build(_Failure(error, model, schema, section)) if build is not None else str(error.message)


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


def _custom_message(template: str, error: SchemaErrorLike, model: Model) -> str:
    path = list(error.absolute_path)
    parent = _value_at(model.instance, path[:-1]) if path else model.instance
    fields = _Fields(parent if isinstance(parent, dict) else {})
    fields["value"] = _value_at(model.instance, path)
    try:
        return str(string.Formatter().vformat(template, (), fields))
    except (ValueError, IndexError, AttributeError):
        return template


def _section_of(error: SchemaErrorLike, rule: str) -> str | None:
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
    return rule_for(rule).section


def validate(path: str, model: Model, schema: LoadedSchema) -> list[Finding]:
    """A finding for each schema error: found without jsonschema when the schema's keywords allow
    (``schema_errors``, which first tries to prove the model valid), else jsonschema's."""
    try:
        return _all_findings(path, schema_errors(schema.prover, model.instance), model, schema)
    except (Undecided, RecursionError):
        pass  # the schema needs jsonschema, which also says what a loop of $refs is
    try:
        return _all_findings(path, schema.validator.iter_errors(model.instance), model, schema)
    except RecursionError:  # the model is shallow (front matter at most 100 levels): the schema loops
        raise SchemaError(f"schema {schema.name} refers to itself ($ref) in a loop that never reaches a value; "
                          "every $ref must lead to a keyword that checks something") from None


def _all_findings(path: str, errors: Iterable[SchemaErrorLike], model: Model, schema: LoadedSchema) -> list[Finding]:
    findings: list[Finding] = []
    for error in errors:  # one at a time: there can be 70,000
        findings.extend(_findings(path, error, model, schema))
    return findings


def _findings(path: str, error: SchemaErrorLike, model: Model, schema: LoadedSchema) -> Iterator[Finding]:
    """The findings of one schema error: of each of its causes, for a keyword that combines subschemas."""
    if error.validator in ("if", "then", "allOf", "anyOf", "oneOf", "$ref") and error.context:
        causes = list(error.context)
    else:
        causes = [error]
    for item in causes:
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
        message = (_custom_message(template, item, model) if template
                   else _message(rule, item, model, schema, section))
        yield Finding(path, line, column, rule, severity or rule_for(rule).severity, message, section)
