"""Prove a model valid against its schema without jsonschema, for the keywords the packaged schemas use.

Most postmortems have no schema finding. Proving that here spares a run jsonschema's import (about 90 ms
a process) and its validation (about 0.6 ms a file). The answer is exact for the keywords decided below,
and "not proven" for anything else: another keyword jsonschema knows, a ``$ref`` this module cannot
resolve, a nested ``$id``, a value that is not JSON. Findings always come from jsonschema (``validate``),
which runs whenever a document is not proven valid here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin

# Every keyword jsonschema's Draft 2020-12 validator acts on (``Draft202012Validator.VALIDATORS``; a test
# keeps the two in step). Other keys (annotations, ``$defs``, ``x-*``, ``then``/``else`` without ``if``)
# change nothing.
JSONSCHEMA_KEYWORDS = frozenset({
    "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains", "dependentRequired",
    "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items", "maxItems",
    "maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum", "multipleOf",
    "not", "oneOf", "pattern", "patternProperties", "prefixItems", "properties", "propertyNames", "required",
    "type", "unevaluatedItems", "unevaluatedProperties", "uniqueItems",
})
DECIDED = frozenset({
    "$ref", "allOf", "anyOf", "const", "enum", "exclusiveMaximum", "exclusiveMinimum", "format", "if", "items",
    "maxItems", "maxLength", "maximum", "minItems", "minLength", "minimum", "not", "oneOf", "properties",
    "required", "type",
})
_UNDECIDED = JSONSCHEMA_KEYWORDS - DECIDED
_APPLICATORS = ("$ref", "allOf", "anyOf", "oneOf", "not", "if")
_JSON_VALUES = (dict, list, str, int, float, bool, type(None))
_MAX_REFERENCES = 64  # ``$ref``s followed in a row without descending into the instance: a loop


class _Unproven(Exception):
    """The schema or the instance needs more than this module decides exactly."""


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# jsonschema's type checker for Draft 2020-12, on JSON values
_TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
    "null": lambda value: value is None,
    "number": _is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality (``_utils.equal``): ``True`` is not ``1``, also inside lists and objects."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(_equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # ``one is two`` was checked above
    return bool(one == two)


class Prover:
    """One schema, the documents its ``$ref``s can reach (URI -> contents), and the formats it asserts."""

    def __init__(self, schema: dict[str, Any], resources: Mapping[str, Any],
                 formats: Mapping[str, Callable[[Any], bool]]) -> None:
        base = schema.get("$id", "")
        self.schema = schema
        self.base = base if isinstance(base, str) else ""
        self.resources = {**resources, self.base: schema}
        self.formats = formats

    def proves_valid(self, instance: Any) -> bool:
        """True when ``instance`` is valid (Draft 2020-12); False when it is not, or cannot be decided here."""
        try:
            return self._valid(self.schema, instance, self.base)
        except (_Unproven, RecursionError):
            return False

    def _valid(self, schema: Any, instance: Any, base: str, hops: int = 0) -> bool:
        if schema is True:
            return True
        if schema is False:
            return False
        if not isinstance(schema, dict) or not isinstance(instance, _JSON_VALUES) or hops > _MAX_REFERENCES:
            raise _Unproven
        if not _UNDECIDED.isdisjoint(schema) or schema.get("$id", base) != base:
            raise _Unproven
        return all(self._keyword(key, value, schema, instance, base, hops)
                   for key, value in schema.items() if key in DECIDED)

    def _keyword(self, key: str, value: Any, schema: dict[str, Any], instance: Any, base: str, hops: int) -> bool:
        if key in _APPLICATORS:
            return self._applicator(key, value, schema, instance, base, hops)
        if key == "type":
            names = value if isinstance(value, list) else [value]
            if not all(isinstance(name, str) and name in _TYPES for name in names):
                raise _Unproven
            return any(_TYPES[name](instance) for name in names)
        if key == "const":
            return _equal(instance, value)
        if key == "enum":
            if not isinstance(value, list):
                raise _Unproven
            return any(_equal(each, instance) for each in value)
        if key == "format":
            return self._format(value, instance)
        if isinstance(instance, dict):
            return self._object(key, value, instance, base)
        if isinstance(instance, list):
            return self._array(key, value, instance, base)
        if isinstance(instance, str):
            return self._bound(key, value, len(instance), ("minLength", "maxLength"))
        if _is_number(instance):
            return self._number(key, value, instance)
        return True  # the keyword does not apply to a value of this type

    def _applicator(self, key: str, value: Any, schema: dict[str, Any], instance: Any, base: str,
                    hops: int) -> bool:
        """The keywords that apply subschemas to the instance itself."""
        if key == "$ref":
            target, where = self._resolve(value, base)
            return self._valid(target, instance, where, hops + 1)
        if key == "not":
            return not self._valid(value, instance, base, hops)
        if key == "if":
            if self._valid(value, instance, base, hops):
                return "then" not in schema or self._valid(schema["then"], instance, base, hops)
            return "else" not in schema or self._valid(schema["else"], instance, base, hops)
        if not isinstance(value, list):
            raise _Unproven
        results = (self._valid(sub, instance, base, hops) for sub in value)
        if key == "allOf":
            return all(results)
        return any(results) if key == "anyOf" else sum(results) == 1

    def _object(self, key: str, value: Any, instance: dict[Any, Any], base: str) -> bool:
        if key == "properties":
            if not isinstance(value, dict):
                raise _Unproven
            return all(self._valid(sub, instance[name], base) for name, sub in value.items() if name in instance)
        if key == "required":
            if not isinstance(value, list):
                raise _Unproven
            return all(name in instance for name in value)
        return True

    def _array(self, key: str, value: Any, instance: list[Any], base: str) -> bool:
        if key == "items":
            return all(self._valid(value, item, base) for item in instance)
        return self._bound(key, value, len(instance), ("minItems", "maxItems"))

    @staticmethod
    def _bound(key: str, value: Any, size: int, keywords: tuple[str, str]) -> bool:
        if key not in keywords:
            return True
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Unproven
        return size >= value if key == keywords[0] else size <= value

    @staticmethod
    def _number(key: str, value: Any, instance: int | float) -> bool:
        if key not in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            return True
        if not _is_number(value):
            raise _Unproven
        if key == "minimum":
            return not instance < value
        if key == "maximum":
            return not instance > value
        return not instance <= value if key == "exclusiveMinimum" else not instance >= value

    def _format(self, name: Any, instance: Any) -> bool:
        if not isinstance(name, str):
            raise _Unproven
        check = self.formats.get(name)
        if check is None:
            return True  # a format the checker does not know asserts nothing, as in jsonschema
        try:
            return bool(check(instance))
        except ValueError:
            return False

    def _resolve(self, ref: Any, base: str) -> tuple[Any, str]:
        """What ``ref`` points to, and its document's URI: a whole document or a JSON pointer into one."""
        if not isinstance(ref, str):
            raise _Unproven
        uri, fragment = (base, ref[1:]) if ref.startswith("#") else urldefrag(urljoin(base, ref))
        if uri not in self.resources or (fragment and not fragment.startswith("/")):
            raise _Unproven
        node = self.resources[uri]
        for token in unquote(fragment).split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise _Unproven
            if isinstance(node, dict) and "$id" in node:
                raise _Unproven  # an embedded resource, with a base URI of its own
        return node, uri

