"""The package's import map: every import points to the same layer or a lower one, and there is no cycle.

Function-local and ``TYPE_CHECKING`` imports count: hiding an import in a function does not change the
dependency it makes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "postmortem_check"

# Lowest first. A module may import only modules of its own layer or a lower one. "" is the package itself.
LAYERS: list[tuple[str, set[str]]] = [
    ("base", {"", "issues", "errors", "files", "console", "findings", "vocabulary", "schemas", "kinds",
              "quickcheck", "schema_errors", "lazy_re", "pattern_store", "needed_text", "digests", "replay",
              "issues.actions"}),
    ("core", {"document", "parse", "blockparser", "outline", "timeline", "action_items", "model", "schema", "config",
              "validate", "results", "discover", "template_text", "suppress", "quality", "placeholders",
              "followup", "followup.facts", "followup.times", "cache"}),
    ("reports and issue sync", {"report", "report.text", "report.json", "report.github", "report.sarif",
                                "report.summary", "report.gitlab", "report.junit", "followup.figures",
                                "followup.svg", "followup.render", "issues.errors",
                                "issues.content", "issues.client", "issues.sync", "issues.scope",
                                "issues.repository", "issues.writeback", "issues.engine"}),
    ("lint and authoring", {"lint", "batch", "authoring", "fix", "adopt", "adopt.discover", "adopt.learn",
                            "adopt.patterns", "followup.read"}),
    ("application", {"app", "issues.service", "followup.issue_states"}),
    ("entry points", {"cli", "action", "issues.command", "__main__", "adopt.command",
                      "followup.command"}),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """Package modules that ``name`` imports, anywhere in its file."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        targets: list[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                prefix = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.startswith("postmortem_check"):
                prefix = node.module.removeprefix("postmortem_check").lstrip(".")
            else:
                continue
            targets = [f"{prefix}.{alias.name}".lstrip(".") for alias in node.names] + [prefix]
        elif isinstance(node, ast.Import):
            targets = [a.name.removeprefix("postmortem_check").lstrip(".") for a in node.names
                       if a.name.startswith("postmortem_check")]
        for target in targets:
            if target in modules and target != name:
                out.add(target)
                break
    return out


def _layer(name: str) -> int:
    for index, (_, members) in enumerate(LAYERS):
        if name in members:
            return index
    raise AssertionError(f"module {name!r} is on no layer of the map in {__file__}")


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_every_module_is_on_the_map():
    for name in _modules():
        _layer(name)


def test_imports_point_down():
    wrong = [f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
             for name, targets in _graph().items() for target in targets if _layer(target) > _layer(name)]
    assert wrong == []


def test_reports_never_import_lint():
    graph = _graph()
    assert not [name for name in graph if name.startswith("report") and "lint" in graph[name]]


def test_no_import_cycle():
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target):], target] if target in path else [name, target])
            elif target not in state:
                visit(target, [*path, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_the_map_finds_imports():
    """The walker itself: a function-local relative import is seen (so the tests above can fail)."""
    graph = _graph()
    assert "issues.command" in graph["cli"]  # imported inside a function
    assert "results" in graph["report.text"]
    assert "action_items" in graph["issues.sync"]


def test_no_function_over_sixty_lines():
    """Complexity is held by ruff (C901, max-complexity 15 in pyproject.toml); length here."""
    long = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 60:
                    long.append(f"{name}.{node.name}: {length} lines")
    assert long == []


def test_the_readme_pipeline_paragraph_names_every_module():
    readme = (ROOT / "README.md").read_text()
    paragraph = readme[readme.index("The pipeline has one module per stage"):]
    paragraph = paragraph.split("\n\n")[0]
    named = set(re.findall(r"`([a-z_/]+)`", paragraph))
    missing = []
    for name in _modules():
        if name in ("", "issues", "schemas"):  # the packages themselves and the packaged JSON
            continue
        short = name.split(".")[-1] if name.startswith("report.") else name.replace(".", "/")
        if short not in named:
            missing.append(name)
    assert missing == []
