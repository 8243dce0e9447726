"""Schemas: load a built-in or team schema, resolve its ``$ref``s offline, and compile it once."""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urljoin, urlparse

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError as JsonSchemaError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT202012

from .vocabulary import SectionSpec, Vocabulary

if TYPE_CHECKING:
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

BUILTIN_SCHEMAS = ("default", "google-sre")
_PACKAGED_PREFIX = "urn:postmortem-check:"


class SchemaError(Exception):
    """A schema that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class LoadedSchema:
    name: str
    schema: dict[str, Any]
    validator: Draft202012Validator
    vocabulary: Vocabulary

    @property
    def section_order(self) -> list[str]:
        return self.vocabulary.order

    @property
    def required_sections(self) -> list[str]:
        sections = self.schema.get("properties", {}).get("sections", {})
        return list(sections.get("required", []))


def _schema_files() -> Traversable:
    """The packaged schemas; from a source checkout whose top-level folder shadows the install, ``schemas/``."""
    try:
        return resources.files("postmortem_check.schemas")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "schemas"


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


def _refuse(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def _format_checker() -> FormatChecker:
    checker = FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date(value: object) -> bool:
        return not isinstance(value, str) or bool(date.fromisoformat(value))

    @checker.checks("date-time", raises=ValueError)  # type: ignore[untyped-decorator]
    def _date_time(value: object) -> bool:
        return not isinstance(value, str) or bool(datetime.fromisoformat(value.replace("Z", "+00:00")))

    return checker


FORMAT_CHECKER = _format_checker()


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
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise SchemaError(f"{what} {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SchemaError(f"{what} {path} cannot be read: {error}") from None
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


def _vocabulary(schema: dict[str, Any]) -> Vocabulary:
    sections = schema.get("properties", {}).get("sections", {}).get("properties", {})
    specs: list[SectionSpec] = []
    if isinstance(sections, dict):
        for section_id, spec in sections.items():
            if not isinstance(spec, dict):
                continue
            try:
                implied = tuple(re.compile(p, re.IGNORECASE) for p in spec.get("x-implied-by", []))
            except (re.error, TypeError) as error:
                raise SchemaError(f"section {section_id!r}: x-implied-by has a bad pattern: {error}") from None
            specs.append(SectionSpec(
                section_id,
                str(spec.get("title", section_id.replace("_", " ").title())),
                str(spec.get("description", "")),
                tuple(str(h) for h in spec.get("x-headings", [])),
                implied,
            ))
    return Vocabulary(specs)


@lru_cache(maxsize=16)
def load_schema(name_or_path: str) -> LoadedSchema:
    """A built-in schema by name (``default``, ``google-sre``) or a team schema by path."""
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
    try:
        if name_or_path not in BUILTIN_SCHEMAS:  # packaged schemas are checked by the test suite
            Draft202012Validator.check_schema(schema)
    except JsonSchemaError as error:
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        raise SchemaError(f"schema {name_or_path} is not a valid JSON Schema at {where}: {error.message}") from None
    if "$id" not in schema:
        schema = {**schema, "$id": base}  # so that relative $refs resolve next to the schema file
    registry: Registry[Any] = Registry(retrieve=_refuse).with_resources(  # type: ignore[call-arg]
        (uri, Resource.from_contents(data, default_specification=DRAFT202012))
        for uri, data in registry_data.items()
    )
    validator = Draft202012Validator(schema, registry=registry, format_checker=FORMAT_CHECKER)
    return LoadedSchema(name_or_path, schema, validator, _vocabulary(schema))
