"""The proof of validity that spares a clean document jsonschema's validation: it agrees with jsonschema
wherever it decides, and says "not proven" for what it does not decide. The validator that passes over what
the proof proves valid gives jsonschema's errors, in jsonschema's order. (Errors found without jsonschema:
test_schema_errors.)"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from postmortem_check.quickcheck import DECIDED, JSONSCHEMA_KEYWORDS, Prover
from postmortem_check.schema import (
    BUILTIN_SCHEMAS,
    FORMAT_CHECKS,
    LoadedSchema,
    format_checker,
    load_schema,
    pruned,
    schema_with_word_bounds,
)
from postmortem_check.vocabulary import Vocabulary
from tests.conftest import CORPUS, ROOT, SEEDS, SHARED


def test_the_keyword_list_is_jsonschemas() -> None:
    """A keyword jsonschema learns must be decided here or make the proof give up, never be ignored."""
    assert set(Draft202012Validator.VALIDATORS) == JSONSCHEMA_KEYWORDS
    assert DECIDED <= JSONSCHEMA_KEYWORDS


def _loaded(schema: dict[str, Any], resources: dict[str, Any] | None = None) -> LoadedSchema:
    return LoadedSchema("test", {"$id": "urn:test:root", **schema}, Vocabulary([]), resources or {})


def _plain(loaded: LoadedSchema) -> Draft202012Validator:
    """jsonschema's own validator of the schema ``loaded.validator`` validates against (its ``$ref``s replaced
    by their targets when they can be), as nothing here changed it."""
    return Draft202012Validator(loaded.validator.schema, registry=loaded.registry, format_checker=format_checker())


def _agree(loaded: LoadedSchema, instance: Any) -> tuple[bool, bool]:
    return loaded.prover.proves_valid(instance), _plain(loaded).is_valid(instance)


def _errors(validator: Draft202012Validator, instance: Any) -> list[Any]:
    """Everything a finding can be made of, for each error and each error in its context, in order."""
    def described(error: Any) -> Any:
        return (error.message, list(error.absolute_path), list(error.absolute_schema_path), error.validator,
                error.validator_value, [described(cause) for cause in error.context])

    return [described(error) for error in validator.iter_errors(instance)]


@pytest.mark.parametrize(("schema", "instance", "valid"), [
    ({"const": 1}, True, False),  # True is not 1, for JSON Schema
    ({"const": [0]}, [False], False),
    ({"enum": [1, "a"]}, 1.0, True),
    ({"type": "integer"}, 2.0, True),
    ({"type": "integer"}, True, False),
    ({"type": ["string", "null"]}, None, True),
    ({"type": "number", "minimum": 1, "exclusiveMaximum": 3}, 3, False),
    ({"minLength": 2}, 7, True),  # a string keyword on a number asserts nothing
    ({"format": "date"}, "2024-02-30", False),
    ({"format": "date"}, "2024-03-27 11:00:00", True),
    ({"format": "email"}, "not an address", True),  # a format the checker does not know
    ({"items": {"type": "string"}, "minItems": 1}, ["a", 2], False),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {"c": 1}, True),
    ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, 1, False),
    ({"anyOf": [{"type": "integer"}, {"not": {}}]}, 1, True),
    ({"$ref": "#/$defs/name", "$defs": {"name": {"type": "string"}}}, "x", True),
    ({"$ref": "urn:test:other#/$defs/a~1b"}, 5, False),
    ({"properties": {"a": False}}, {"b": 1}, True),
])
def test_decided_keywords_agree_with_jsonschema(schema: dict[str, Any], instance: Any, valid: bool) -> None:
    loaded = _loaded(schema, {"urn:test:other": {"$id": "urn:test:other", "$defs": {"a/b": {"type": "string"}}}})
    assert _agree(loaded, instance) == (valid, valid)


@pytest.mark.parametrize("schema", [
    {"pattern": "^a"},  # a keyword jsonschema knows and this module does not decide
    {"properties": {"a": {"uniqueItems": True}}},
    {"$ref": "#anchor", "$defs": {"a": {"$anchor": "anchor"}}},  # a plain-name fragment
    {"$ref": "#/$defs/a", "$defs": {"a": {"$id": "urn:test:embedded", "type": "object"}}},  # its own base URI
    {"$ref": "urn:test:elsewhere"},  # a document it was not given
    {"$ref": "#"},  # a loop that never reaches the instance's parts
])
def test_what_it_does_not_decide_is_not_proven(schema: dict[str, Any]) -> None:
    assert Prover({"$id": "urn:test:root", **schema}, {}, FORMAT_CHECKS).proves_valid({"a": []}) is False


def test_a_value_that_is_not_json_is_not_proven() -> None:
    prover = Prover({"type": "object"}, {}, FORMAT_CHECKS)
    assert prover.proves_valid({}) and not prover.proves_valid({1, 2})


# --- random schemas and instances: the proof is never wrong, and exact where it decides -------------------

_NAMES = ("a", "b", "c")
_TYPES = ("array", "boolean", "integer", "null", "number", "object", "string")
_SCALARS: tuple[Any, ...] = (None, True, False, 0, 1, 1.0, 2.5, -3, "", "a", "ab", "2024-01-02", "2024-13-01",
                             "2024-01-02T10:00:00Z", "10:00")
_UNDECIDED = {"pattern": "^a", "uniqueItems": True, "patternProperties": {"^a": {"type": "string"}}, "maxProperties": 1,
              # keywords whose results depend on what the pruned keywords evaluated, or sit beside them
              "unevaluatedProperties": False, "unevaluatedItems": False, "prefixItems": [{"type": "string"}],
              "contains": {"type": "integer"}}


def _value(rng: random.Random, depth: int) -> Any:
    roll = rng.random()
    if depth <= 0 or roll < 0.6:
        return rng.choice(_SCALARS)
    if roll < 0.8:
        return [_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]
    return {name: _value(rng, depth - 1) for name in rng.sample(_NAMES, rng.randint(0, 3))}


def _schema(rng: random.Random, depth: int, refs: bool) -> Any:
    if depth <= 0 or rng.random() < 0.15:
        return rng.choice([True, False, {}, {"type": rng.choice(_TYPES)}])
    pool = [*sorted(DECIDED - ({"$ref"} if not refs else set())), "then", "else"]
    keys = rng.sample(pool, rng.randint(1, 3)) + ([rng.choice(sorted(_UNDECIDED))] if rng.random() < 0.05 else [])
    out: dict[str, Any] = {}
    for key in keys:
        if key in ("allOf", "anyOf", "oneOf"):
            out[key] = [_schema(rng, depth - 1, refs) for _ in range(rng.randint(1, 3))]
        elif key in ("not", "if", "then", "else", "items"):
            out[key] = _schema(rng, depth - 1, refs)
        elif key == "properties":
            out[key] = {name: _schema(rng, depth - 1, refs) for name in rng.sample(_NAMES, 2)}
        elif key == "additionalProperties":
            out[key] = rng.choice([False, True, _schema(rng, depth - 1, refs)])
        elif key == "required":
            out[key] = rng.sample(_NAMES, rng.randint(0, 2))
        elif key == "type":
            out[key] = rng.choice([rng.choice(_TYPES), rng.sample(_TYPES, 2)])
        elif key == "const":
            out[key] = _value(rng, 1)
        elif key == "enum":
            out[key] = [_value(rng, 1) for _ in range(rng.randint(1, 3))]
        elif key in ("minItems", "maxItems", "minLength", "maxLength"):
            out[key] = rng.randint(0, 3)
        elif key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            out[key] = rng.choice([0, 1, 1.5, -2])
        elif key == "format":
            out[key] = rng.choice(["date", "date-time", "email"])
        elif key == "$ref":
            out[key] = rng.choice(["#/$defs/a", "#/$defs/b", "urn:test:other#/$defs/c", "urn:test:other"])
        else:
            out[key] = _UNDECIDED[key]
    return out


def _random_cases(seed: int, count: int) -> Iterator[tuple[LoadedSchema, Any, bool]]:
    rng = random.Random(seed)
    for _ in range(count):
        other = {"$id": "urn:test:other", "$defs": {"c": _schema(rng, 2, refs=False)},
                 "allOf": [_schema(rng, 1, refs=False)]}
        schema = {"$defs": {"a": _schema(rng, 2, refs=False), "b": _schema(rng, 2, refs=False)},
                  "allOf": [_schema(rng, 4, refs=True)]}
        decided = not any(key in json.dumps([schema, other]) for key in _UNDECIDED)
        loaded = _loaded(schema, {"urn:test:other": other})
        for _ in range(4):
            yield loaded, _value(rng, 3), decided


def test_random_schemas_never_proven_valid_when_jsonschema_says_not() -> None:
    decided_cases = proven = pruned_cases = 0
    for loaded, instance, decided in _random_cases(seed=20261202, count=1500):
        proof, truth = _agree(loaded, instance)
        assert _errors(loaded.validator, instance) == _errors(_plain(loaded), instance), (loaded.schema, instance)
        pruned_cases += loaded.validator.__class__ is not Draft202012Validator
        assert truth or not proof, (loaded.schema, instance)
        if decided:
            assert proof == truth, (loaded.schema, instance)
            decided_cases += 1
        proven += proof
    assert decided_cases > 3000 and proven > 2000  # the cases were varied enough to mean something
    assert pruned_cases > 4000  # and most were checked with the validator that passes over proven parts


def test_the_validator_passes_over_what_is_proven_valid() -> None:
    """One bad value beside 1,000 good timeline entries: the entries are not validated again, and the error
    is jsonschema's own (the test fails if ``pruned`` prunes nothing, or prunes the error)."""
    from jsonschema.validators import extend

    schema = {"properties": {"entries": {"items": {"type": "object", "required": ["time"],
                                                    "properties": {"time": {"type": "string"}}}},
                             "title": {"type": "string"}}}
    instance = {"entries": [{"time": f"10:{n % 60:02d}"} for n in range(1000)], "title": 5}
    calls = {"type": 0}
    counted_type = Draft202012Validator.VALIDATORS["type"]

    def type_keyword(*args: Any) -> Any:
        calls["type"] += 1
        return counted_type(*args)

    counting = extend(Draft202012Validator, {"type": type_keyword})
    plain = counting(schema)
    expected = _errors(plain, instance)
    plain_calls, calls["type"] = calls["type"], 0
    assert _errors(pruned(counting, Prover(schema, {}, FORMAT_CHECKS))(schema), instance) == expected
    assert [error[0] for error in expected] == ["5 is not of type 'string'"]
    assert plain_calls > 2000 and calls["type"] == 1


# --- real documents: the packaged schemas are decided exactly -------------------------------------------------


def _documents() -> Iterator[Path]:
    folders = [SEEDS, CORPUS, *sorted((SHARED / "realrepos").glob("*/"))]
    for folder in folders:
        if folder.name != "labels" and folder.is_dir():
            yield from sorted(p for p in folder.rglob("*") if p.suffix in (".md", ".txt") and p.is_file())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    return generate(tmp_path_factory.mktemp("generated"), 300)


@pytest.mark.parametrize("name", BUILTIN_SCHEMAS)
def test_every_real_document_is_decided_as_jsonschema_decides(name: str, generated: list[Path]) -> None:
    from postmortem_check.document import decode
    from postmortem_check.model import build_model
    from postmortem_check.outline import build_outline

    schemas = [load_schema(name), schema_with_word_bounds(name, (("summary", (("max", 60), ("min", 10))),))]
    paths = [*_documents(), *generated]
    outcomes: dict[bool, int] = {True: 0, False: 0}
    for path in paths:
        document = decode(str(path), path.read_bytes())
        body = "\n".join(document.lines[document.body_start - 1:])
        outline = build_outline(str(path), body, document.body_start, schemas[0].vocabulary)
        model = build_model(document, outline, schemas[0].section_order)
        for loaded in schemas:
            proof, truth = _agree(loaded, model.instance)
            assert proof == truth, path
            assert _errors(loaded.validator, model.instance) == _errors(_plain(loaded), model.instance), path
            outcomes[proof] += 1
    assert outcomes[True] and outcomes[False]
