"""Behaviour that speed must not change: parallel output, lazy imports, the built-in schemas' validity.

No timings here: speed is measured by bench/run.py and recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from postmortem_check import batch as lint
from postmortem_check.cli import main
from postmortem_check.schema import BUILTIN_SCHEMAS, packaged_text
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from generate import generate


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More files than the parallel threshold, in nested directories, with one unreadable file among them."""
    root = tmp_path_factory.mktemp("many")
    count = lint.PARALLEL_THRESHOLD + 3 * 32 + 5  # a partial last chunk
    generate(root / "a", count // 2)
    generate(root / "b" / "c", count - count // 2, seed=7)
    (root / "a" / "binary.md").write_bytes(b"\x00\x01")
    return root


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_parallel_output_is_identical(many: Path, fmt: str, capsys: pytest.CaptureFixture[str]) -> None:
    paths = [str(many / "b"), str(many / "missing.md"), str(many / "a")]
    serial = _run(["lint", "--format", fmt, "--jobs", "1", *paths], capsys)
    parallel = _run(["lint", "--format", fmt, "--jobs", "2", *paths], capsys)
    assert serial == parallel
    code, out, err = serial
    assert code == 2 and "missing.md: no such file or directory" in err
    if fmt == "json":
        assert len(json.loads(out)["files"]) == lint.PARALLEL_THRESHOLD + 3 * 32 + 6


def test_parallel_results_in_input_order(many: Path) -> None:
    config = lint.Config()
    problems: list[str] = []
    serial = [r.path for r in lint.lint_paths([str(many)], config, problems, jobs=1)]
    parallel = [r.path for r in lint.lint_paths([str(many)], config, problems, jobs=3)]
    assert serial == parallel == list(lint.expand_paths([str(many)], config, []))


def test_few_files_start_no_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    generate(tmp_path, 3)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started for a handful of files")

    monkeypatch.setattr(lint, "_lint_parallel", refuse)
    assert len(list(lint.lint_paths([str(tmp_path)], lint.Config(), [], jobs=4))) == 3


def test_a_run_whose_files_are_all_in_the_cache_starts_no_workers(many: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    config = lint.Config()
    first = [r.path for r in lint.lint_paths([str(many / "a")], config, [], jobs=2)]  # fills the cache
    assert len(first) >= lint.PARALLEL_THRESHOLD

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a pool was started though every file was in the cache")

    monkeypatch.setattr(lint, "_lint_parallel", refuse)
    assert [r.path for r in lint.lint_paths([str(many / "a")], config, [], jobs=2)] == first


def test_jobs_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--jobs", "0", "x.md"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_lint_does_not_import_github(tmp_path: Path) -> None:
    generate(tmp_path, 1)
    probe = (
        "import io, sys\n"
        "from contextlib import redirect_stdout\n"
        "from postmortem_check.cli import main\n"
        "with redirect_stdout(io.StringIO()):\n"
        f"    main(['lint', {str(tmp_path)!r}])\n"
        "print(sorted(m for m in ('github', 'requests', 'urllib3') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", BUILTIN_SCHEMAS)
def test_builtin_schemas_are_valid(name: str) -> None:
    """load_schema skips check_schema for the packaged schemas (it costs every run); this test does it."""
    Draft202012Validator.check_schema(json.loads(packaged_text(f"{name}.json")))


# --- shortcuts that must not change results -----------------------------------------------------------


def _findings_both_ways(schema_name: str, directory: Path) -> tuple[list[object], list[object]]:
    """Findings of every generated file with the compiled (inlined) validator and with the schema as written."""
    from jsonschema import Draft202012Validator as Validator

    from postmortem_check.document import decode
    from postmortem_check.findings import Finding
    from postmortem_check.model import build_model
    from postmortem_check.outline import build_outline
    from postmortem_check.schema import LoadedSchema, format_checker, load_schema
    from postmortem_check.validate import validate

    loaded = load_schema(schema_name)
    as_written = LoadedSchema(loaded.name, loaded.schema, loaded.vocabulary, loaded.resources)
    vars(as_written)["validator"] = Validator(loaded.schema, registry=loaded.registry,
                                              format_checker=format_checker())  # in place of the compiled one
    fast: list[object] = []
    slow: list[object] = []
    for path in sorted(directory.glob("*.md")):
        document = decode(str(path), path.read_bytes())
        body = "\n".join(document.lines[document.body_start - 1:])
        outline = build_outline(str(path), body, document.body_start, loaded.vocabulary)
        model = build_model(document, outline, loaded.section_order)
        fast += sorted(validate(str(path), model, loaded), key=Finding.sort_key)
        slow += sorted(validate(str(path), model, as_written), key=Finding.sort_key)
    return fast, slow


@pytest.mark.parametrize("name", BUILTIN_SCHEMAS)
def test_inlined_references_give_the_same_findings(many: Path, name: str) -> None:
    fast, slow = _findings_both_ways(name, many / "a")
    assert fast == slow and fast


def test_packaged_schemas_are_compiled_without_references() -> None:
    from postmortem_check.schema import load_schema

    compiled = load_schema("default").validator.schema
    outside_defs = {key: value for key, value in compiled.items() if key != "$defs"}
    assert "$ref" not in json.dumps(outside_defs)


def test_recursive_or_dynamic_references_are_kept(tmp_path: Path) -> None:
    from postmortem_check.schema import inline_refs, load_schema

    tree = {"$id": "urn:test:tree", "type": "object", "properties": {"child": {"$ref": "#"}}}
    registry = load_schema("default").registry
    assert inline_refs(tree, registry.resolver("urn:test:tree")) is None
    dynamic = {"$id": "urn:test:dyn", "$dynamicAnchor": "node", "properties": {"x": {"$dynamicRef": "#node"}}}
    assert inline_refs(dynamic, registry.resolver("urn:test:dyn")) is None
    schema = tmp_path / "team.json"
    schema.write_text(json.dumps({**tree, "$id": "urn:test:team"}), encoding="utf-8")
    assert load_schema(str(schema)).validator.schema["properties"]["child"] == {"$ref": "#"}


FRONT_MATTERS = [
    "title: Checkout outage\ndate: 2026-03-04\nauthors: [a.b, c.d]\nstatus: final\nseverity: 2",
    "date: 2026-03-04 10:00:00\nwhen: 2026-03-04T10:00:00Z\nlist:\n  - 1\n  - yes\n  - null\n",
    "title: 'quoted: value'\nnested:\n  key: [1, 2.5, -3]\n  other: \"x\"\n",
    "title: bad: mapping\n",
    "- a\n- b\n",
    "key: [unclosed\n",
    "",
]


@pytest.mark.parametrize("text", FRONT_MATTERS)
def test_libyaml_and_python_loaders_agree(text: str) -> None:
    import yaml

    from postmortem_check.document import _fast_loader, _plain, _safe_loader, load_yaml

    def outcome(loader: object) -> object:
        try:
            return yaml.load(text, Loader=loader)  # type: ignore[arg-type]
        except yaml.YAMLError as error:
            return type(error), str(error)

    expected = outcome(_safe_loader())
    assert _plain(text)
    if _fast_loader() is not None and not isinstance(expected, tuple):
        assert outcome(_fast_loader()) == expected
    try:
        assert load_yaml(text) == expected
    except yaml.YAMLError as error:
        assert (type(error), str(error)) == expected  # the error is always the Python loader's


@pytest.mark.parametrize("text", [
    "base: &a 1\nother: *a\n", "a: !!python/name:os.system x\n",
    "x: " + "[" * 100_000 + "]" * 100_000,  # libyaml recurses in C: deep nesting never reaches it
    "- " * 100_000 + "x",
    "".join("  " * i + f"k{i}:\n" for i in range(120)) + "  " * 120 + "v",
])
def test_anchors_aliases_tags_and_deep_nesting_go_through_the_python_loader(text: str) -> None:
    import yaml

    from postmortem_check.document import _plain, load_yaml

    assert not _plain(text)
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)


GOLDEN = ROOT / "tests" / "golden" / "generated-lint.json"


def test_lint_output_on_the_generated_corpus_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """What lint prints as JSON for 24 generated postmortems (every heading style, front matter, timelines as
    lists and tables) is the recorded output, byte for byte: a change made for speed changes no finding. A
    change of detection records the new output with POSTMORTEM_CHECK_UPDATE_GOLDEN=1 (and says so)."""
    monkeypatch.chdir(tmp_path)
    generate(tmp_path / "docs", 24)
    assert main(["lint", "--no-cache", "--jobs", "1", "--format", "json", "docs"]) == 1
    out = capsys.readouterr().out
    if os.environ.get("POSTMORTEM_CHECK_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(out, "utf-8")
    assert out == GOLDEN.read_text("utf-8")
