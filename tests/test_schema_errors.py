"""Schema errors found without jsonschema are jsonschema's own: the same errors in the same order, with
everything a finding is made of, on random schemas and on every real document. A schema with a keyword not
decided here goes to jsonschema; a lint imports jsonschema only then, or to check a team schema that no
earlier run checked with the bytes it has now."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from postmortem_check.authoring import builtin_schema_text
from postmortem_check.quickcheck import Undecided
from postmortem_check.schema import BUILTIN_SCHEMAS, LoadedSchema, format_checker, load_schema, schema_with_word_bounds
from postmortem_check.schema_errors import schema_errors
from tests.conftest import ROOT
from tests.test_quickcheck import _documents, _loaded, _random_cases, generated

__all__ = ["generated"]  # the fixture, shared with test_quickcheck


def _described(error: Any) -> Any:
    """Everything a finding can be made of (and the schema paths), for an error and each error in its context."""
    return (error.message, list(error.absolute_path), list(error.absolute_schema_path), error.validator,
            error.validator_value, error.instance, error.schema, error.parent is None,
            [_described(cause) for cause in error.context])


def _jsonschemas(loaded: LoadedSchema, instance: Any) -> list[Any]:
    validator = Draft202012Validator(loaded.schema, registry=loaded.registry, format_checker=format_checker())
    return [_described(error) for error in validator.iter_errors(instance)]


def _ours(loaded: LoadedSchema, instance: Any) -> list[Any] | None:
    """The errors found here, described; None when they cannot be."""
    try:
        return [_described(error) for error in schema_errors(loaded.prover, instance)]
    except (Undecided, RecursionError):
        return None


@pytest.mark.parametrize(("schema", "instance"), [
    ({"properties": {"a": False}}, {"a": 1}),  # jsonschema does not add "a" to a false schema's paths
    ({"required": ["b", "a", "c"]}, {"a": 1}),  # one error a missing name, in the schema's order
    ({"anyOf": [{"type": "string"}, {"required": ["x"]}]}, {"y": 1}),  # the causes, with their parent
    ({"oneOf": [{"type": "integer"}, {}, {"minimum": 0}]}, 1),  # valid under more than one
    ({"items": False}, [1]),
    ({"items": False}, [1, 2]),
    ({"not": {"const": "implied"}}, "implied"),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {"a": 1}),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}, {}),
    ({"format": "date"}, "2024-02-30"),  # the date check's ValueError becomes the message, as a cause would
    ({"minLength": 1, "maxLength": 0}, ""),
    ({"minItems": 2, "maxItems": 1}, [True]),
    ({"exclusiveMinimum": 1, "maximum": 0.5}, 1),
    ({"enum": [1, "a"], "const": True}, 1.0),  # True is not 1
    ({"type": ["string", "null"]}, 3),
    ({"$ref": "urn:test:other#/$defs/a~1b"}, 5),  # into another document, an escaped name
    ({"allOf": [{"$ref": "#/$defs/x"}, True]}, {"n": "x"}),
    ({"additionalProperties": False}, {"b": 1}),  # "'b' was unexpected"
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "c": 2, "b": 3}),  # sorted, "were"
    ({"properties": {"a": {}}, "additionalProperties": {"type": "string"}}, {"a": 1, "c": 2, "b": 3, "d": "x"}),
])
def test_corners_give_jsonschemas_errors(schema: dict[str, Any], instance: Any) -> None:
    loaded = _loaded({**schema, "$defs": {"x": {"properties": {"n": {"type": "integer"}}}}},
                     {"urn:test:other": {"$id": "urn:test:other", "$defs": {"a/b": {"type": "string"}}}})
    expected = _jsonschemas(loaded, instance)
    assert expected, "each case has an error"
    assert _ours(loaded, instance) == expected


@pytest.mark.parametrize("schema", [
    {"pattern": "^a"},  # a keyword jsonschema knows and this module does not decide
    {"properties": {"a": {"uniqueItems": True}}},
    {"$ref": "#anchor", "$defs": {"a": {"$anchor": "anchor"}}},
    {"$ref": "#"},  # a loop that never reaches the instance's parts
    {"additionalProperties": False, "patternProperties": {"^a": {}}},  # which properties are additional
    {"not": {"additionalProperties": False, "patternProperties": {"^x": {}}}},  # even where one error decides
])
def test_what_is_not_decided_is_left_to_jsonschema(schema: dict[str, Any]) -> None:
    assert _ours(_loaded(schema), {"a": [1, 1]}) is None


def test_a_value_that_is_not_json_is_left_to_jsonschema() -> None:
    assert _ours(_loaded({"type": "string"}), {1, 2}) is None


def test_random_schemas_give_jsonschemas_errors() -> None:
    decided_cases = with_errors = 0
    for loaded, instance, decided in _random_cases(seed=20261203, count=1500):
        ours = _ours(loaded, instance)
        if ours is None:
            assert not decided, (loaded.schema, instance)
            continue
        expected = _jsonschemas(loaded, instance)
        assert ours == expected, (loaded.schema, instance)
        decided_cases += 1
        with_errors += bool(expected)
    assert decided_cases > 5000 and with_errors > 2000  # varied enough to mean something


@pytest.mark.parametrize("name", BUILTIN_SCHEMAS)
def test_every_real_document_gives_jsonschemas_errors(name: str, generated: list[Path]) -> None:
    from postmortem_check.document import decode
    from postmortem_check.model import build_model
    from postmortem_check.outline import build_outline

    schemas = [load_schema(name), schema_with_word_bounds(name, (("summary", (("max", 60), ("min", 10))),))]
    errors = 0
    for path in [*_documents(), *generated]:
        document = decode(str(path), path.read_bytes())
        body = "\n".join(document.lines[document.body_start - 1:])
        outline = build_outline(str(path), body, document.body_start, schemas[0].vocabulary)
        model = build_model(document, outline, schemas[0].section_order)
        for loaded in schemas:
            expected = _jsonschemas(loaded, model.instance)
            assert _ours(loaded, model.instance) == expected, path
            errors += len(expected)
    assert errors > 1000


def test_a_schema_that_is_only_a_ref_is_proved_once_through_its_target(monkeypatch: pytest.MonkeyPatch) -> None:
    from postmortem_check.quickcheck import Prover

    loaded = load_schema("default")
    text = "# Outage\n\n## Summary\n\nIt broke.\n\n## Timeline\n\n- 10:00 UTC down\n- 11:00 UTC up\n"
    proved: list[Any] = []
    real = Prover.proves

    def counted(self: Prover, schema: Any, instance: Any, base: str | None = None) -> bool:
        proved.append(schema)
        return real(self, schema, instance, base)

    monkeypatch.setattr(Prover, "proves", counted)
    instance = _model_of(text, loaded)
    assert _ours(loaded, instance) == _jsonschemas(loaded, instance) != []  # sections are missing
    refs_only = [schema for schema in proved if set(schema) & {"$ref", "type", "properties"} == {"$ref"}]
    assert proved and not refs_only  # the timeline's {"$ref": ...} is not proved before what it points to
    assert any(schema is loaded.schema["properties"]["sections"] for schema in proved)


def _model_of(text: str, loaded: LoadedSchema) -> Any:
    from postmortem_check.document import decode
    from postmortem_check.model import build_model
    from postmortem_check.outline import build_outline

    document = decode("t.md", text.encode("utf-8"))
    outline = build_outline("t.md", "\n".join(document.lines), 1, loaded.vocabulary)
    return build_model(document, outline, loaded.section_order).instance


# --- when a lint imports jsonschema ---------------------------------------------------------------------------

CLEAN = """# Checkout outage

## Summary

Checkout returned errors for twenty minutes after a bad deploy.

## Impact

About a third of orders failed between 10:02 and 10:22 UTC.

## Timeline

- 10:02 Deploy of checkout 4.2 starts.
- 10:22 Rollback completes and errors stop.

## Root cause

A configuration key was renamed in the deploy without a migration.

## Resolution

The deploy was rolled back.

## Action items

- Add a check for renamed configuration keys to the deploy pipeline.

## Lessons learned

Config changes need the same review as code.
"""
PROBE = """
import json, sys
from postmortem_check.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, "jsonschema" in sys.modules]))
"""


def _lint(folder: Path, *args: str) -> tuple[int, bool]:
    """A lint in a process of its own: the exit code, and whether it imported jsonschema."""
    env = {key: value for key, value in os.environ.items() if key != "POSTMORTEM_CHECK_CACHE_DIR"}
    run = subprocess.run([sys.executable, "-c", PROBE, "lint", *args], cwd=folder, env={**env, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    code, imported = json.loads(run.stdout.splitlines()[-1])
    return code, imported


def _settled(path: Path, text: str) -> None:
    """Write ``path`` as if minutes ago: the cache keeps no manifest of a config whose files just changed."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, (time.time() - 600, time.time() - 600))


@pytest.mark.parametrize(("text", "code"), [
    (CLEAN, 0),
    (CLEAN.replace("10:22 Rollback", "Rollback"), 0),  # an entry without a time: a schema warning
    (CLEAN.replace("## Root cause", "## Root cause\n\n[describe the cause]"), 1),  # a placeholder
    (CLEAN.replace("## Resolution\n\nThe deploy was rolled back.\n", ""), 1),  # a missing section
])
def test_a_lint_with_a_built_in_schema_never_imports_jsonschema(tmp_path: Path, text: str, code: int) -> None:
    (tmp_path / "postmortem.md").write_text(text, encoding="utf-8")
    assert _lint(tmp_path, "--no-cache", "postmortem.md") == (code, False)


@pytest.mark.parametrize(("config", "result"), [
    ("schema: default\nrules:\n  placeholder: warning\nexclude: [drafts]\n", (0, False)),
    ("schema: default\nrulez:\n  placeholder: warning\n", (2, True)),  # an unknown setting: jsonschema says so
])
def test_a_config_the_proof_passes_is_read_without_jsonschema(tmp_path: Path, config: str,
                                                              result: tuple[int, bool]) -> None:
    (tmp_path / ".postmortem-check.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "postmortem.md").write_text(CLEAN, encoding="utf-8")
    assert _lint(tmp_path, "--no-cache", "postmortem.md") == result


def test_a_team_schema_is_checked_once_for_its_bytes(tmp_path: Path) -> None:
    """The first run checks the team schema (jsonschema), the next ones trust the cache's word that it has
    not changed; a changed one is checked again, and a bad one is refused."""
    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id")
    _settled(tmp_path / "team.json", json.dumps(schema))
    _settled(tmp_path / ".postmortem-check.yaml", "schema: team.json\n")
    document = tmp_path / "postmortem.md"
    document.write_text(CLEAN.replace("## Root cause", "## Root cause\n\n[describe the cause]"), encoding="utf-8")
    assert _lint(tmp_path, "postmortem.md") == (1, True)
    document.write_text(CLEAN.replace("## Root cause", "## Root cause\n\nTBD"), encoding="utf-8")
    assert _lint(tmp_path, "postmortem.md") == (1, False)
    schema["properties"]["title"] = {"type": 5}
    (tmp_path / "team.json").write_text(json.dumps(schema), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "POSTMORTEM_CHECK_CACHE_DIR"}
    run = subprocess.run([sys.executable, "-m", "postmortem_check", "lint", "postmortem.md"], cwd=tmp_path,
                         env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "is not a valid JSON Schema at properties/title/type" in run.stderr, run.stderr


def test_a_team_schema_with_a_keyword_not_decided_is_validated_by_jsonschema(tmp_path: Path) -> None:
    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id")
    schema["properties"]["title"] = {"type": "string", "pattern": "^[A-Z]"}
    _settled(tmp_path / "team.json", json.dumps(schema))
    _settled(tmp_path / ".postmortem-check.yaml", "schema: team.json\n")
    (tmp_path / "postmortem.md").write_text(CLEAN.replace("# Checkout outage", "# checkout outage"), "utf-8")
    assert _lint(tmp_path, "postmortem.md") == (1, True)
    assert _lint(tmp_path, "postmortem.md") == (1, False), "the result came from the cache"
    (tmp_path / "postmortem.md").write_text(CLEAN.replace("# Checkout outage", "# checkout outage!"), "utf-8")
    assert _lint(tmp_path, "postmortem.md") == (1, True), "a changed file: the pattern needs jsonschema"


def test_errors_found_before_a_keyword_not_decided_are_dropped_for_jsonschemas(tmp_path: Path) -> None:
    """The sections' errors are found first, then a ``pattern`` is met: the findings are jsonschema's
    alone, each once, the same as the built-in schema's (a pattern on an object asserts nothing)."""
    from postmortem_check.cli import main
    from postmortem_check.document import decode
    from postmortem_check.model import build_model
    from postmortem_check.outline import build_outline

    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id")
    schema["allOf"] = [*schema["allOf"], {"pattern": "^x"}]  # after every other keyword of the root
    team = tmp_path / "team.json"
    team.write_text(json.dumps(schema), encoding="utf-8")
    text = CLEAN.replace("## Resolution\n\nThe deploy was rolled back.\n", "")
    document = tmp_path / "postmortem.md"
    document.write_text(text.replace("## Root cause", "## Root cause\n\nTBD"), encoding="utf-8")

    loaded = load_schema(str(team))
    decoded = decode(str(document), document.read_bytes())
    model = build_model(decoded, build_outline(str(document), "\n".join(decoded.lines), 1, loaded.vocabulary),
                        loaded.section_order)
    errors = schema_errors(loaded.prover, model.instance)
    assert next(errors).validator in ("required", "not")  # an error is found here first
    with pytest.raises(Undecided):
        list(errors)

    def findings(schema_name: str) -> list[dict[str, Any]]:
        out = tmp_path / "out.json"
        with open(out, "w", encoding="utf-8") as stream, contextlib.redirect_stdout(stream):
            code = main(["lint", "--no-cache", "--format", "json", "--schema", schema_name, str(document)])
        assert code == 1
        return [f for file in json.loads(out.read_text("utf-8"))["files"] for f in file["findings"]]

    expected = findings("default")
    assert sorted(f["rule"] for f in expected) == ["missing-section", "placeholder"]
    assert findings(str(team)) == expected


@pytest.mark.parametrize(("extra", "imported"), [
    ({}, False),
    ({"pattern": "^x"}, True),
    ({"$ref": "extra.json"}, True),  # a pattern only in a file the schema refers to
])
def test_workers_start_without_jsonschema_unless_the_schema_needs_it(
        tmp_path: Path, extra: dict[str, Any], imported: bool) -> None:
    """Before forking its workers, a run compiles jsonschema's validator only for a schema whose errors may
    need it (here a pattern, which the workers would otherwise each compile)."""
    schema = json.loads(builtin_schema_text("default"))
    schema.pop("$id")
    schema["allOf"] = [*schema["allOf"], extra]
    (tmp_path / "team.json").write_text(json.dumps(schema), encoding="utf-8")
    (tmp_path / "extra.json").write_text('{"pattern": "^x"}', encoding="utf-8")
    for number in range(70):  # enough for workers: batch.PARALLEL_THRESHOLD
        (tmp_path / f"pm{number:02d}.md").write_text(CLEAN.replace("10:22 Rollback", "Rollback"), encoding="utf-8")
    probe = PROBE.replace("code = main(sys.argv[1:])", "from postmortem_check import schema\n"
                          "schema._check_schema = lambda *args: None  # only the run's own imports count\n"
                          "code = main(sys.argv[1:])")
    env = {key: value for key, value in os.environ.items() if key != "POSTMORTEM_CHECK_CACHE_DIR"}
    run = subprocess.run([sys.executable, "-c", probe, "lint", "--no-cache", "--jobs", "2", "--schema", "team.json",
                          "."], cwd=tmp_path, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                         timeout=120)
    assert json.loads(run.stdout.splitlines()[-1]) == [0, imported], run.stderr
