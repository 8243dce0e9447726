"""Start-up: ``--version`` and ``--help`` import nothing of the pipeline."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.robustness import ROOT

PROBE = """
import json, sys
from postmortem_check.cli import main
code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(("postmortem_check", "jsonschema",
                                                                        "mistune", "yaml", "github")))]))
"""
LIGHT = {"postmortem_check", "postmortem_check.cli", "postmortem_check.console", "postmortem_check.errors",
         "postmortem_check.kinds"}  # the enum base the error model uses


def _modules(*args: str) -> tuple[int, set[str]]:
    run = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    code, modules = json.loads(run.stdout.splitlines()[-1])
    return code, set(modules)


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_version_and_help_import_no_pipeline_module(args: list[str]) -> None:
    code, modules = _modules(*args)
    assert code == (2 if not args else 0)
    assert modules <= LIGHT, modules - LIGHT


def test_a_command_imports_what_it_needs() -> None:
    """The probe above can fail: ``rules`` loads the schema, and with it jsonschema."""
    code, modules = _modules("rules")
    assert code == 0
    assert "jsonschema" in modules and "postmortem_check.schema" in modules
