"""Prove a model (or a config) valid against its schema without jsonschema, for the keywords the packaged
schemas use.

A postmortem with no schema finding is the usual state of a repository whose hook passes. Proving that
here spares a run jsonschema's import (about 90 ms a process) and its validation (about 0.6 ms a file).
The answer is exact for the keywords decided below, and "not proven" for anything else: another keyword
jsonschema knows, a ``$ref`` this module cannot resolve, a nested ``$id``, a value that is not JSON.
A document not proven valid has its errors found by ``schema_errors`` (the same keywords, jsonschema's
errors) or, for anything else, by jsonschema.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias
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
    "$ref", "additionalProperties", "allOf", "anyOf", "const", "enum", "exclusiveMaximum", "exclusiveMinimum",
    "format", "if", "items", "maxItems", "maxLength", "maximum", "minItems", "minLength", "minimum", "not",
    "oneOf", "properties", "required", "type",
})
UNDECIDED = JSONSCHEMA_KEYWORDS - DECIDED
JSON_VALUES = (dict, list, str, int, float, bool, type(None))
_BOUNDS = {"minLength": (str, 1), "maxLength": (str, -1), "minItems": (list, 1), "maxItems": (list, -1)}


Check: TypeAlias = Callable[[Any], bool]


class Undecided(Exception):
    """The schema or the instance needs more than this module decides exactly."""


def _unproven(instance: Any) -> bool:
    raise Undecided


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# jsonschema's type checker for Draft 2020-12, on JSON values
TYPES: dict[str, Callable[[Any], bool]] = {
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "integer": lambda value: (isinstance(value, int) and not isinstance(value, bool))
    or (isinstance(value, float) and value.is_integer()),
    "null": lambda value: value is None,
    "number": is_number,
    "object": lambda value: isinstance(value, dict),
    "string": lambda value: isinstance(value, str),
}


def json_equal(one: Any, two: Any) -> bool:
    """jsonschema's equality (``_utils.equal``): ``True`` is not ``1``, also inside lists and objects."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, Sequence) and isinstance(two, Sequence):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, Mapping) and isinstance(two, Mapping):
        return one.keys() == two.keys() and all(json_equal(one[key], two[key]) for key in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # ``one is two`` was checked above
    return bool(one == two)


class Prover:
    """One schema, the documents its ``$ref``s can reach (URI -> contents), and the formats it asserts.

    Each schema object is turned once into a check, a function of the instance, the first time it is met;
    an object with a keyword not decided here becomes a check that gives up when it is reached."""

    def __init__(self, schema: dict[str, Any], resources: Mapping[str, Any],
                 formats: Mapping[str, Callable[[Any], bool]]) -> None:
        base = schema.get("$id", "")
        self.schema = schema
        self.base = base if isinstance(base, str) else ""
        self.resources = {**resources, self.base: schema}
        self.formats = formats
        self._checks: dict[tuple[int, str], Check] = {}
        self._root = self._check(schema, self.base)

    def proves_valid(self, instance: Any) -> bool:
        """True when ``instance`` is valid (Draft 2020-12); False when it is not, or cannot be decided here."""
        return _proven(self._root, instance)

    def proves(self, schema: Any, instance: Any, base: str | None = None) -> bool:
        """``proves_valid`` against ``schema``, one of the objects inside this prover's schema documents
        (``base``: the URI of the one it is in, when not the schema's own)."""
        return _proven(self._check(schema, self.base if base is None else base), instance)

    def decides_all(self) -> bool:
        """Whether every keyword jsonschema acts on, in the schema and in what its ``$ref``s reach, is decided
        here. Conservative: a key inside a ``const`` or ``enum`` value counts too."""
        seen: set[int] = set()
        stack: list[tuple[Any, str]] = [(self.schema, self.base)]
        while stack:
            node, base = stack.pop()
            if isinstance(node, list):
                stack.extend((item, base) for item in node)
            elif isinstance(node, dict) and id(node) not in seen:
                seen.add(id(node))
                if not UNDECIDED.isdisjoint(node) or node.get("$id", base) != base:
                    return False
                if "$ref" in node:
                    try:
                        stack.append(self.resolve(node["$ref"], base))
                    except Undecided:
                        return False
                stack.extend((value, base) for value in node.values())
        return True

    def _check(self, schema: Any, base: str) -> Check:
        if schema is True or schema is False:
            return _always if schema else _never
        key = (id(schema), base)
        known = self._checks.get(key)
        if known is None:
            known = self._checks[key] = self._compile(schema, base)
        return known

    def _compile(self, schema: Any, base: str) -> Check:
        if not isinstance(schema, dict) or not UNDECIDED.isdisjoint(schema) or schema.get("$id", base) != base:
            return _unproven
        try:
            checks = [self._keyword(key, value, schema, base) for key, value in schema.items() if key in DECIDED]
        except Undecided:
            return _unproven

        def check(instance: Any) -> bool:
            if not isinstance(instance, JSON_VALUES):
                raise Undecided
            for each in checks:  # noqa: SIM110 (a third of all()'s time: this runs for every value of a model)
                if not each(instance):
                    return False
            return True

        return check

    def _keyword(self, key: str, value: Any, schema: dict[str, Any], base: str) -> Check:
        """The check of one keyword; Undecided for a value this module does not decide."""
        if key == "$ref":
            return self._reference(value, base)
        if key in ("allOf", "anyOf", "oneOf"):
            if not isinstance(value, list):
                raise Undecided
            return _combined(key, [self._check(sub, base) for sub in value])
        if key == "not":
            negated = self._check(value, base)
            return lambda instance: not negated(instance)
        if key == "if":
            return _conditional(*(self._check(schema.get(part, True), base) for part in ("if", "then", "else")))
        if key == "properties":
            if not isinstance(value, dict):
                raise Undecided
            return _properties([(name, self._check(sub, base)) for name, sub in value.items()])
        if key == "items":
            return _items(self._check(value, base))
        if key == "additionalProperties":  # decided without patternProperties (not decided) beside it
            named, extra = named_properties(schema, value), self._check(value, base)
            return lambda instance: not isinstance(instance, dict) or all(
                extra(instance[name]) for name in instance if name not in named)
        if key == "format":
            return self._format(value)
        return _assertion(key, value)

    def _reference(self, ref: Any, base: str) -> Check:
        """The check of what ``ref`` points to, made when first used (a schema may refer to itself)."""
        target: list[Check] = []

        def check(instance: Any) -> bool:
            if not target:
                target.append(self._check(*self.resolve(ref, base)))
            return target[0](instance)

        return check

    def _format(self, name: Any) -> Check:
        if not isinstance(name, str):
            raise Undecided
        conforms = self.formats.get(name)
        if conforms is None:
            return _always  # a format the checker does not know asserts nothing, as in jsonschema

        def check(instance: Any) -> bool:
            try:
                return bool(conforms(instance))
            except ValueError:
                return False

        return check

    def resolve(self, ref: Any, base: str) -> tuple[Any, str]:
        """What ``ref`` points to, and its document's URI: a whole document or a JSON pointer into one;
        ``Undecided`` for anything else."""
        if not isinstance(ref, str):
            raise Undecided
        uri, fragment = (base, ref[1:]) if ref.startswith("#") else urldefrag(urljoin(base, ref))
        if uri not in self.resources or (fragment and not fragment.startswith("/")):
            raise Undecided
        node = self.resources[uri]
        for token in unquote(fragment).split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise Undecided
            if isinstance(node, dict) and "$id" in node:
                raise Undecided  # an embedded resource, with a base URI of its own
        return node, uri


def named_properties(schema: dict[str, Any], value: Any) -> dict[str, Any]:
    """The properties ``additionalProperties`` (``value``) leaves alone: those its schema object names;
    Undecided for values jsonschema's metaschema would refuse."""
    named = schema.get("properties", {})
    if not isinstance(named, dict) or not isinstance(value, (dict, bool)):
        raise Undecided
    return named


def _proven(check: Check, instance: Any) -> bool:
    try:
        return check(instance)
    except (Undecided, RecursionError):
        return False


def _combined(key: str, subs: list[Check]) -> Check:
    if key == "allOf":
        def check(instance: Any) -> bool:
            for sub in subs:  # noqa: SIM110 (a third of all()'s time)
                if not sub(instance):
                    return False
            return True

        return check
    if key == "anyOf":
        return lambda instance: any(sub(instance) for sub in subs)
    return lambda instance: sum(sub(instance) for sub in subs) == 1


def _conditional(condition: Check, then: Check, otherwise: Check) -> Check:
    return lambda instance: then(instance) if condition(instance) else otherwise(instance)


def _properties(subs: list[tuple[Any, Check]]) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, dict):
            for name, sub in subs:
                if name in instance and not sub(instance[name]):
                    return False
        return True

    return check


def _items(each: Check) -> Check:
    def check(instance: Any) -> bool:
        if isinstance(instance, list):
            for item in instance:
                if not each(item):
                    return False
        return True

    return check


def _assertion(key: str, value: Any) -> Check:
    """The check of a keyword that looks at the instance alone."""
    if key == "type":
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(name, str) and name in TYPES for name in names):
            raise Undecided
        tests = [TYPES[name] for name in names]
        return tests[0] if len(tests) == 1 else lambda instance: any(test(instance) for test in tests)
    if key == "const":
        return lambda instance: json_equal(instance, value)
    if key == "enum":
        if not isinstance(value, list):
            raise Undecided
        return lambda instance: any(json_equal(each, instance) for each in value)
    if key == "required":
        if not isinstance(value, list):
            raise Undecided
        if all(isinstance(name, str) for name in value):
            wanted = frozenset(value)
            return lambda instance: not isinstance(instance, dict) or instance.keys() >= wanted
        return lambda instance: not isinstance(instance, dict) or all(name in instance for name in value)
    if key in _BOUNDS:
        kind, sign = _BOUNDS[key]
        if not isinstance(value, int) or isinstance(value, bool):
            raise Undecided
        return lambda instance: not isinstance(instance, kind) or (len(instance) - value) * sign >= 0
    if not is_number(value):
        raise Undecided
    return _number(key, value)


def _number(key: str, bound: int | float) -> Check:
    if key == "minimum":
        return lambda instance: not is_number(instance) or not instance < bound
    if key == "maximum":
        return lambda instance: not is_number(instance) or not instance > bound
    if key == "exclusiveMinimum":
        return lambda instance: not is_number(instance) or not instance <= bound
    return lambda instance: not is_number(instance) or not instance >= bound
