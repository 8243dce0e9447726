"""A model's schema errors as jsonschema reports them, without jsonschema, for the keywords ``quickcheck``
decides.

Most postmortems in a real repository have a finding or two, and a pre-commit hook lints one changed file
per process: jsonschema's import (about 60 ms) was half of such a run. Each keyword here does what
jsonschema's own (``jsonschema._keywords``) does, and an error has the attributes of its
``ValidationError`` that ``validate`` reads: the message, the keyword and its value, the instance and
subschema, the relative paths, the parent and the context. Tests compare both, error for error, on random
schemas and on every real document. A schema or instance with anything else (a keyword not decided, a
``$ref`` the prover cannot resolve, a value that is not JSON) has no answer here, and jsonschema validates.
"""

from __future__ import annotations

import operator
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from .quickcheck import (
    DECIDED,
    JSON_VALUES,
    JSONSCHEMA_KEYWORDS,
    TYPES,
    UNDECIDED,
    Prover,
    Undecided,
    is_number,
    json_equal,
    named_properties,
)

_UNSET: Any = object()


class Violation:
    """One schema error, with the attributes of jsonschema's ``ValidationError`` that findings are made of."""

    def __init__(self, message: str, context: list[Violation] | None = None) -> None:
        self.message = message
        self.validator: Any = _UNSET
        self.validator_value: Any = _UNSET
        self.instance: Any = _UNSET
        self.schema: Any = _UNSET
        self.path: deque[str | int] = deque()
        self.schema_path: deque[str | int] = deque()
        self.parent: Violation | None = None
        self.context = context or []
        for cause in self.context:
            cause.parent = self

    def _set(self, validator: Any, validator_value: Any, instance: Any, schema: Any) -> None:
        """What jsonschema's ``ValidationError._set`` does: fill in what the keyword that raised it left unset."""
        if self.validator is _UNSET:
            self.validator, self.validator_value = validator, validator_value
        if self.instance is _UNSET:
            self.instance = instance
        if self.schema is _UNSET:
            self.schema = schema

    @property
    def absolute_path(self) -> deque[str | int]:
        return self._absolute("path")

    @property
    def absolute_schema_path(self) -> deque[str | int]:
        return self._absolute("schema_path")

    def _absolute(self, name: str) -> deque[str | int]:
        path: deque[str | int] = deque(getattr(self, name))
        if self.parent is not None:
            path.extendleft(reversed(self.parent._absolute(name)))
        return path


def schema_errors(prover: Prover, instance: Any) -> Iterator[Violation]:
    """jsonschema's errors for ``instance`` against ``prover``'s schema, in its order, one at a time (there can
    be 70,000). ``Undecided`` (or a RecursionError: a ``$ref`` loop) when, at any point, they cannot be found
    here: the errors given so far must then be dropped, and jsonschema must validate."""
    return _Evaluator(prover).errors(instance, prover.schema, prover.base)


def _only_ref(schema: Any) -> bool:
    """A schema object whose one keyword is ``$ref`` (the rest annotations): it proves what its target proves."""
    return isinstance(schema, dict) and "$ref" in schema and all(
        key == "$ref" or key not in JSONSCHEMA_KEYWORDS for key in schema)


class _Evaluator:
    """jsonschema's ``iter_errors`` and ``descend``, and its keywords, over the prover's schema documents."""

    def __init__(self, prover: Prover) -> None:
        self.prover = prover

    def errors(self, instance: Any, schema: Any, base: str, path: str | int | None = None,
               schema_path: str | int | None = None) -> Iterator[Violation]:
        """The errors of ``instance`` against ``schema`` (``descend``), their paths extended by the given
        steps; nothing at all, at once, for a part the prover proves valid."""
        if schema is True or (not _only_ref(schema) and self.prover.proves(schema, instance, base)):
            return  # a schema that is only a $ref: what it points to is proved next, the same way
        if schema is False:  # as jsonschema's descend has it: the steps are not added to this error's paths
            error = Violation(f"False schema does not allow {instance!r}")
            error._set(None, None, instance, schema)
            yield error
            return
        for error in self._keywords(instance, schema, base):
            if path is not None:
                error.path.appendleft(path)
            if schema_path is not None:
                error.schema_path.appendleft(schema_path)
            yield error

    def _keywords(self, instance: Any, schema: Any, base: str) -> Iterator[Violation]:
        if (not isinstance(schema, dict) or schema.get("$id", base) != base or not isinstance(instance, JSON_VALUES)
                or not UNDECIDED.isdisjoint(schema)):  # before any error: one may depend on such a keyword
            raise Undecided
        for key, value in schema.items():
            if key not in DECIDED:
                continue
            for error in self._keyword(key, value, instance, schema, base):
                error._set(key, value, instance, schema)
                if key not in ("if", "$ref"):
                    error.schema_path.appendleft(key)
                yield error

    def _keyword(self, key: str, value: Any, instance: Any, schema: dict[str, Any], base: str) -> Iterator[Violation]:
        """The errors of one keyword, as jsonschema's function of the same name yields them."""
        if key == "$ref":
            target, uri = self.prover.resolve(value, base)
            yield from self.errors(instance, target, uri)
        elif key == "properties":
            if isinstance(instance, dict):
                for name, sub in _mapping(value).items():
                    if name in instance:
                        yield from self.errors(instance[name], sub, base, path=name, schema_path=name)
        elif key == "items":
            yield from self._items(value, instance, base)
        elif key == "additionalProperties":
            yield from self._additional(value, instance, schema, base)
        elif key in ("allOf", "anyOf", "oneOf", "not", "if"):
            yield from self._combined(key, value, instance, schema, base)
        elif key == "format":
            yield from self._format(value, instance)
        else:
            for message in _assertion(key, value, instance):
                yield Violation(message)

    def _combined(self, key: str, value: Any, instance: Any, schema: dict[str, Any],
                  base: str) -> Iterator[Violation]:
        """The keywords that apply subschemas to the instance itself."""
        if key == "allOf":
            for index, sub in enumerate(_array(value)):
                yield from self.errors(instance, sub, base, schema_path=index)
        elif key in ("anyOf", "oneOf"):
            yield from self._alternatives(key, _array(value), instance, base)
        elif key == "not":
            if self._valid(instance, value, base):
                yield Violation(f"{instance!r} should not be valid under {value!r}")
        else:  # if: then or else, as the instance is valid against it or not
            branch = "then" if self._valid(instance, value, base) else "else"
            if branch in schema:
                yield from self.errors(instance, schema[branch], base, schema_path=branch)

    def _valid(self, instance: Any, schema: Any, base: str) -> bool:
        return next(self.errors(instance, schema, base), None) is None

    def _items(self, items: Any, instance: Any, base: str) -> Iterator[Violation]:
        if not isinstance(instance, list) or not instance:
            return
        if items is False:  # no prefixItems (not decided): every item is extra
            rest = instance if len(instance) != 1 else instance[0]
            yield Violation(f"Expected at most 0 items but found {len(instance)} extra: {rest!r}")
            return
        for index, item in enumerate(instance):
            yield from self.errors(item, items, base, path=index)

    def _additional(self, value: Any, instance: Any, schema: dict[str, Any], base: str) -> Iterator[Violation]:
        named = named_properties(schema, value)
        if not isinstance(instance, dict):
            return
        extras = {name for name in instance if name not in named}  # a set, iterated as jsonschema's is
        if isinstance(value, dict):
            for name in extras:
                yield from self.errors(instance[name], value, base, path=name)
        elif not value and extras:
            names = sorted(extras, key=str)
            listed = ", ".join(repr(name) for name in names)
            yield Violation(f"Additional properties are not allowed ({listed} {'was' if len(names) == 1 else 'were'}"
                            " unexpected)")

    def _alternatives(self, key: str, subschemas: list[Any], instance: Any, base: str) -> Iterator[Violation]:
        causes: list[Violation] = []
        first_valid = None
        for index, sub in enumerate(subschemas):
            found = list(self.errors(instance, sub, base, schema_path=index))
            if not found:
                first_valid = index
                break
            causes.extend(found)
        else:
            yield Violation(f"{instance!r} is not valid under any of the given schemas", context=causes)
        if key == "oneOf" and first_valid is not None:
            more = [sub for sub in subschemas[first_valid + 1:] if self._valid(instance, sub, base)]
            if more:
                more.append(subschemas[first_valid])
                reprs = ", ".join(repr(sub) for sub in more)
                yield Violation(f"{instance!r} is valid under each of {reprs}")

    def _format(self, name: Any, instance: Any) -> Iterator[Violation]:
        if not isinstance(name, str):
            raise Undecided
        conforms = self.prover.formats.get(name)
        if conforms is None:
            return
        try:
            result = conforms(instance)
        except ValueError:
            result = False
        if not result:
            yield Violation(f"{instance!r} is not a {name!r}")


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Undecided
    return value


def _array(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Undecided
    return value


_SHORT = {"minLength": str, "minItems": list}
_LONG = {"maxLength": str, "maxItems": list}
_NUMBER_FAILS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {  # a number out of bounds, and its message
    "minimum": (operator.lt, "is less than the minimum of"),
    "maximum": (operator.gt, "is greater than the maximum of"),
    "exclusiveMinimum": (operator.le, "is less than or equal to the minimum of"),
    "exclusiveMaximum": (operator.ge, "is greater than or equal to the maximum of"),
}


def _assertion(key: str, value: Any, instance: Any) -> list[str]:
    """The messages of a keyword that looks at the instance alone: none when the instance passes."""
    if key == "type":
        names = value if isinstance(value, list) else [value]
        if not all(isinstance(name, str) and name in TYPES for name in names):
            raise Undecided
        if any(TYPES[name](instance) for name in names):
            return []
        return [f"{instance!r} is not of type {', '.join(repr(name) for name in names)}"]
    if key == "const":
        return [] if json_equal(instance, value) else [f"{value!r} was expected"]
    if key == "enum":
        matched = any(json_equal(each, instance) for each in _array(value))
        return [] if matched else [f"{instance!r} is not one of {value!r}"]
    if key == "required":
        names = _array(value)
        return [f"{name!r} is a required property" for name in names if name not in instance] \
            if isinstance(instance, dict) else []
    if key in _SHORT or key in _LONG:
        if not isinstance(value, int) or isinstance(value, bool):
            raise Undecided
        if key in _SHORT:
            if isinstance(instance, _SHORT[key]) and len(instance) < value:
                return [f"{instance!r} {'should be non-empty' if value == 1 else 'is too short'}"]
        elif isinstance(instance, _LONG[key]) and len(instance) > value:
            return [f"{instance!r} {'is expected to be empty' if value == 0 else 'is too long'}"]
        return []
    if not is_number(value):
        raise Undecided
    fails, words = _NUMBER_FAILS[key]
    return [f"{instance!r} {words} {value!r}"] if is_number(instance) and fails(instance, value) else []
