"""Schemas: load a built-in or team schema, resolve its ``$ref``s offline, and compile it once."""

from __future__ import annotations

import copy
import json
import re
import sys
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urldefrag, urljoin, urlparse

from .errors import UserError
from .files import read_capped_text
from .lazy_re import LazyPattern
from .quickcheck import Prover
from .vocabulary import IMPLIED_FLAGS, SectionSpec, Vocabulary

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry

    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

BUILTIN_SCHEMAS = ("default", "google-sre")
_PACKAGED_PREFIX = "urn:postmortem-check:"


class SchemaError(UserError):
    """A schema that cannot be used; the message says which and why."""


class LoadedSchema:
    """A schema as loaded; jsonschema is imported, and the schema compiled, when a document first needs it.
    ``resources`` maps a URI to the document the schema's ``$ref``s to it resolve against."""

    def __init__(self, name: str, schema: dict[str, Any], vocabulary: Vocabulary,
                 resources: dict[str, dict[str, Any]]) -> None:
        self.name, self.schema, self.vocabulary, self.resources = name, schema, vocabulary, resources

    @cached_property
    def prover(self) -> Prover:
        """Proves a model valid without jsonschema, for the keywords the packaged schemas use."""
        return Prover(self.schema, self.resources, FORMAT_CHECKS)

    @property
    def needs_jsonschema(self) -> bool:
        """Whether a document with errors may be validated by jsonschema: the schema, or what its ``$ref``s
        reach, has a keyword the prover does not decide (else ``schema_errors`` finds every error)."""
        return not self.prover.decides_all()

    @cached_property
    def registry(self) -> Registry[Any]:
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        return Registry(retrieve=_refuse).with_resources(  # type: ignore[call-arg]
            (uri, Resource.from_contents(data, default_specification=DRAFT202012))
            for uri, data in self.resources.items()
        )

    @cached_property
    def validator(self) -> Draft202012Validator:
        """jsonschema's validator, its ``$ref``s replaced by their targets once, here, when possible; it then
        also passes over the parts of a document proven valid (``pruned``)."""
        from jsonschema import Draft202012Validator

        base = self.schema.get("$id", "")
        inlined = inline_refs(self.schema, self.registry.resolver(base if isinstance(base, str) else ""))
        if inlined is None:
            return Draft202012Validator(self.schema, registry=self.registry, format_checker=format_checker())
        validator_class = pruned(Draft202012Validator, Prover(inlined, {}, FORMAT_CHECKS))
        return validator_class(inlined, registry=self.registry, format_checker=format_checker())

    @property
    def section_order(self) -> list[str]:
        return self.vocabulary.order

    @property
    def required_sections(self) -> list[str]:
        sections = self.schema.get("properties", {}).get("sections", {})
        return list(sections.get("required", []))

    def resolver(self) -> Any:
        """A ``referencing`` resolver at the schema's root, to read what its ``$ref``s point to."""
        from referencing import Resource
        from referencing.jsonschema import DRAFT202012

        base = str(self.schema.get("$id", ""))
        root = Resource.from_contents(self.schema, default_specification=DRAFT202012)
        return self.registry.with_resource(base, root).resolver(base)


def _schema_files() -> Traversable:
    """The packaged schemas; from a source checkout whose top-level folder shadows the install, ``schemas/``."""
    try:
        import postmortem_check.schemas as packaged
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "schemas"
    if packaged.__file__:  # a folder on disk: read without importing importlib.resources (7 ms)
        return Path(packaged.__file__).parent
    from importlib import resources

    return resources.files(packaged)


def packaged_text(filename: str) -> str:
    return _schema_files().joinpath(filename).read_text("utf-8")


@cache
def _packaged_resources() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in _schema_files().iterdir():
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text("utf-8"))
            if isinstance(data, dict) and isinstance(data.get("$id"), str):
                found[data["$id"]] = data
    return found


def _refuse(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


# A YAML timestamp: a date, then a time of day and an optional zone (YAML 1.1 timestamp type).
_YAML_TIMESTAMP = LazyPattern(
    r"(?P<date>\d{4}-\d{2}-\d{2})(?:[Tt]|[ \t]{1,4})(?P<time>\d{1,2}:\d{2}:\d{2}(?:\.\d{1,9})?)"
    r"(?:[ \t]{0,4}(?:Z|[-+]\d{1,2}(?::\d{2})?))?"
)


def _date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    stamp = _YAML_TIMESTAMP.fullmatch(value)  # "2024-03-27 11:00:00", as status-page generators write
    if stamp:
        hour, rest = stamp.group("time").split(":", 1)
        return bool(datetime.fromisoformat(f"{stamp.group('date')}T{int(hour):02d}:{rest}"))
    return bool(date.fromisoformat(value))


def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))


# The ``format`` values asserted, each with its check: ValueError (or False) for a value not in the format.
FORMAT_CHECKS = {"date": _date, "date-time": _date_time}


@cache
def format_checker() -> FormatChecker:
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in FORMAT_CHECKS.items():
        checker.checks(name, raises=ValueError)(check)
    return checker


def _refs(node: Any) -> list[str]:
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("$ref", "$dynamicRef") and isinstance(value, str):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _read_json(path: Path, what: str) -> dict[str, Any]:
    try:
        data = json.loads(read_capped_text(path))  # a regular file of at most 1 MiB: never /dev/zero or a FIFO
    except FileNotFoundError:
        raise SchemaError(f"{what} {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise SchemaError(f"{what} {path} cannot be read: {reason}") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise SchemaError(f"{what} {path} is not valid JSON: {where}: {error.msg}") from None
    if not isinstance(data, dict):
        raise SchemaError(f"{what} {path} must be a JSON object")
    return data


def _collect_local(schema: dict[str, Any], base: str, root_dir: Path, registry: dict[str, dict[str, Any]]) -> None:
    """Add every file the schema refers to, refusing the network and files outside ``root_dir``."""
    packaged = _packaged_resources()
    for ref in _refs(schema):
        target, _ = urldefrag(urljoin(base, ref))
        if not target or target == base or target in registry or target in packaged:
            continue
        scheme = urlparse(target).scheme
        if scheme in ("http", "https"):
            raise SchemaError(f"$ref {ref!r} points to the network; remote schemas are never fetched")
        if target.startswith(_PACKAGED_PREFIX):
            raise SchemaError(f"$ref {ref!r} names no packaged schema")
        if scheme != "file":
            raise SchemaError(f"$ref {ref!r} cannot be resolved offline")
        path = Path(urlparse(target).path).resolve()
        if not path.is_relative_to(root_dir):
            raise SchemaError(f"$ref {ref!r} points outside the schema's directory {root_dir}")
        data = _read_json(path, "schema file referenced by $ref")
        registry[target] = data
        _collect_local(data, target, root_dir, registry)


_IMPLIED = ("x-implied-by", "x-implied-in-timeline", "x-implied-in-quotes")  # lists of patterns


def _patterns(section_id: str, spec: dict[str, Any], keyword: str, check: bool) -> tuple[str, ...]:
    """A section's list of patterns under ``keyword``; SchemaError for anything else. With ``check`` (a team
    schema), each must compile; the packaged schemas' patterns are compiled by the test suite, and here only
    when a document lacks their section (``vocabulary.implied_patterns``)."""
    patterns = spec.get(keyword, [])
    if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
        raise SchemaError(f"section {section_id!r}: {keyword} must be a list of regular expressions")
    if check:
        try:
            for pattern in patterns:
                re.compile(pattern, IMPLIED_FLAGS)
        except re.error as error:
            raise SchemaError(f"section {section_id!r}: {keyword} has a bad pattern: {error}") from None
    return tuple(patterns)


def _vocabulary(schema: dict[str, Any], check: bool) -> Vocabulary:
    sections = schema.get("properties", {}).get("sections", {}).get("properties", {})
    specs: list[SectionSpec] = []
    if isinstance(sections, dict):
        for section_id, spec in sections.items():
            if not isinstance(spec, dict):
                continue
            implied, in_timeline, in_quotes = (_patterns(section_id, spec, keyword, check) for keyword in _IMPLIED)
            specs.append(SectionSpec(
                section_id,
                str(spec.get("title", section_id.replace("_", " ").title())),
                str(spec.get("description", "")),
                tuple(str(h) for h in spec.get("x-headings", [])),
                implied,
                in_timeline,
                in_quotes,
            ))
    return Vocabulary(specs)


class _NotInlinable(Exception):
    """The schema uses references that cannot be replaced by their targets (recursion, dynamic scope)."""


_DYNAMIC = ("$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor")
# Values that are data (or definitions, reached only through the ``$ref``s being replaced), never walked.
_DATA_KEYWORDS = ("const", "enum", "examples", "default", "$defs", "definitions")
_SCHEMA_MAPS = ("properties", "patternProperties", "dependentSchemas")  # name -> subschema
_MAX_INLINED_NODES = 20_000


def inline_refs(schema: dict[str, Any], resolver: Any) -> dict[str, Any] | None:
    """A copy of ``schema`` with each ``{"$ref": R, ...}`` turned into ``{"allOf": [target of R], ...}``.

    Validation gives the same errors (a ``$ref`` and a one-element ``allOf`` both report their target's
    errors unwrapped, at the same instance path), without a registry look-up per file. ``None`` when that
    cannot be done: recursive or dynamic references, a ``$ref`` beside an ``allOf``, or a schema that
    would grow too large. ``resolver`` is the ``referencing`` resolver for the schema's base URI.
    """
    count = 0

    def walk(node: Any, resolver: Any, active: tuple[int, ...]) -> Any:
        nonlocal count
        count += 1
        if count > _MAX_INLINED_NODES:
            raise _NotInlinable
        if isinstance(node, list):
            return [walk(item, resolver, active) for item in node]
        if not isinstance(node, dict):
            return node
        if any(key in node for key in _DYNAMIC):
            raise _NotInlinable
        if isinstance(node.get("$id"), str):
            resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if "allOf" in node:
                    raise _NotInlinable
                resolved = resolver.lookup(value)
                if id(resolved.contents) in active:
                    raise _NotInlinable  # a recursive schema: keep its references
                target = resolved.contents
                out["allOf"] = [walk(target, resolved.resolver, (*active, id(target)))]
            elif key in _DATA_KEYWORDS or key.startswith("x-"):
                out[key] = value
            elif key in _SCHEMA_MAPS and isinstance(value, dict):
                out[key] = {name: walk(sub, resolver, active) for name, sub in value.items()}
            else:
                out[key] = walk(value, resolver, active)
        return out

    from referencing.exceptions import NoSuchResource, Unresolvable
    from referencing.jsonschema import DRAFT202012

    try:
        inlined: dict[str, Any] = walk(schema, resolver, (id(schema),))
    except (_NotInlinable, RecursionError, NoSuchResource, Unresolvable):
        return None
    return inlined


_PRUNED = ("properties", "items", "allOf")  # keywords whose every error comes from a subschema they apply


def pruned(validator_class: type[Draft202012Validator], prover: Prover) -> type[Draft202012Validator]:
    """``validator_class``, but ``properties``, ``items`` and ``allOf`` pass over an instance that ``prover``
    proves valid against every subschema they apply (``prover``'s schema is the one validated, without
    ``$ref``). Their errors all come from those subschemas, so the errors and their order are the same; a
    document with one error is validated along that error's path, not through its 1,000 timeline entries."""
    from jsonschema.validators import extend

    def passing_over_proven(keyword: str) -> Any:
        apply = validator_class.VALIDATORS[keyword]

        def check(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Iterator[Any]:
            if not _proven(keyword, value, instance, schema, prover):
                yield from apply(validator, value, instance, schema)

        return check

    extended: type[Draft202012Validator] = extend(validator_class, {k: passing_over_proven(k) for k in _PRUNED})
    return extended


def _proven(keyword: str, value: Any, instance: Any, schema: dict[str, Any], prover: Prover) -> bool:
    """Whether every subschema that ``keyword`` (of ``_PRUNED``) applies to ``instance`` is proven valid."""
    if keyword == "properties":
        return isinstance(value, dict) and isinstance(instance, dict) and all(
            prover.proves(sub, instance[name]) for name, sub in value.items() if name in instance)
    if keyword == "items":  # after prefixItems, items applies to the rest only: not decided here
        return "prefixItems" not in schema and isinstance(instance, list) and all(
            prover.proves(value, item) for item in instance)
    return isinstance(value, list) and all(prover.proves(sub, instance) for sub in value)


@lru_cache(maxsize=16)
def load_schema(name_or_path: str, checked: bool = False) -> LoadedSchema:
    """A built-in schema by name (``default``, ``google-sre``) or a team schema by path. ``checked``: an
    earlier run checked this team schema (``check_schema``) with the bytes it and the files it refers to
    have now, as the result cache's manifest says; it is not checked again, which would import jsonschema."""
    registry_data: dict[str, dict[str, Any]] = dict(_packaged_resources())
    if name_or_path in BUILTIN_SCHEMAS:
        schema = json.loads(packaged_text(f"{name_or_path}.json"))
        base = schema["$id"]
    else:
        path = Path(name_or_path).resolve()
        if path.is_dir():
            raise SchemaError(f"schema {name_or_path} is a directory, not a JSON file")
        if not path.exists():
            raise SchemaError(
                f"schema {name_or_path!r} is neither a built-in schema ({', '.join(BUILTIN_SCHEMAS)}) nor a file"
            )
        schema = _read_json(Path(name_or_path), "schema")  # named as the user gave it
        base = path.as_uri()
        _collect_local(schema, base, path.parent, registry_data)
        if not checked:  # the packaged schemas are checked by the test suite instead
            _check_schema(name_or_path, schema)
    if "$id" not in schema:
        schema = {**schema, "$id": base}  # so that relative $refs resolve next to the schema file
    vocabulary = _vocabulary(schema, check=name_or_path not in BUILTIN_SCHEMAS)
    return LoadedSchema(name_or_path, schema, vocabulary, registry_data)


def _check_schema(name: str, schema: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError as JsonSchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except JsonSchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise SchemaError(f"schema {name} is not a valid JSON Schema at {where}: {error.message}") from None


@lru_cache(maxsize=16)
def schema_with_word_bounds(name: str, bounds: tuple[tuple[str, tuple[tuple[str, int], ...]], ...],
                            checked: bool = False) -> LoadedSchema:
    """The schema with the config's word-count bounds added to its sections (compiled once)."""
    loaded = load_schema(name, checked)
    if not bounds:
        return loaded
    schema = copy.deepcopy(loaded.schema)
    sections = schema.setdefault("properties", {}).setdefault("sections", {}).setdefault("properties", {})
    for section_id, limits in bounds:
        words: dict[str, Any] = {"x-rule": "section-length"}
        for key, value in limits:
            words["minimum" if key == "min" else "maximum"] = value
        sections.setdefault(section_id, {}).setdefault("properties", {})["words"] = words
    return LoadedSchema(name, schema, loaded.vocabulary, loaded.resources)


class SchemaRule(NamedTuple):
    """A rule as one schema uses it: the ``x-severity`` and ``x-message`` it sets, if any."""

    id: str
    severity: str | None
    message: str | None


def schema_rules(schema: LoadedSchema) -> list[SchemaRule]:
    """Every ``x-rule`` the schema (and what it refers to) declares, in the order first met."""
    found: list[SchemaRule] = []
    seen_refs: set[str] = set()

    def walk(node: Any, resolver: Any) -> Iterator[SchemaRule]:
        if isinstance(node, list):
            for item in node:
                yield from walk(item, resolver)
            return
        if not isinstance(node, dict):
            return
        if isinstance(node.get("x-rule"), str):
            severity, message = node.get("x-severity"), node.get("x-message")
            yield SchemaRule(node["x-rule"], severity if isinstance(severity, str) else None,
                             message if isinstance(message, str) else None)
        ref = node.get("$ref")
        if isinstance(ref, str) and resolver is not None:
            resolved = resolver.lookup(ref)
            key = f"{id(resolved.resolver)}:{ref}"
            if key not in seen_refs:
                seen_refs.add(key)
                yield from walk(resolved.contents, resolved.resolver)
        for key, value in node.items():
            if key not in ("$ref", *_IMPLIED, "x-headings", "enum", "const", "examples", "default"):
                yield from walk(value, resolver)

    for rule in walk(schema.schema, schema.resolver()):
        if rule not in found:
            found.append(rule)
    return found
