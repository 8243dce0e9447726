"""Behaviour that speed must not change: parallel output, lazy imports, the built-in schemas' validity.

No timings here: speed is measured by bench/run.py and recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from postmortem_check import lint
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
