"""The lint pipeline for one document and for many paths: read, parse, outline, model, validate."""

from __future__ import annotations

import copy
import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .action_items import ActionItem
from .config import Config
from .document import Document, decode
from .findings import Finding
from .model import build_model
from .outline import build_outline
from .schema import LoadedSchema, load_schema
from .validate import validate

_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}


@dataclass
class FileResult:
    """Everything lint learned about one file."""

    path: str
    schema: str
    findings: list[Finding]
    title: str | None = None
    front_matter: dict[str, Any] | None = None
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    action_items: list[ActionItem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return self.errors == 0


@lru_cache(maxsize=16)
def _schema_with_bounds(name: str, bounds: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]) -> LoadedSchema:
    """The schema with the config's word-count bounds added to its sections (compiled once)."""
    loaded = load_schema(name)
    if not bounds:
        return loaded
    schema = copy.deepcopy(loaded.schema)
    sections = schema.setdefault("properties", {}).setdefault("sections", {}).setdefault("properties", {})
    for section_id, limits in bounds:
        words: dict[str, Any] = {"x-rule": "section-length"}
        for key, value in limits:
            words["minimum" if key == "min" else "maximum"] = value
        sections.setdefault(section_id, {}).setdefault("properties", {})["words"] = words
    return LoadedSchema(name, schema, loaded.validator.evolve(schema=schema), loaded.vocabulary)


def schema_for(config: Config) -> LoadedSchema:
    bounds = tuple(sorted((k, tuple(sorted(v.items()))) for k, v in config.word_counts.items()))
    return _schema_with_bounds(config.schema, bounds)


def _apply_severities(findings: list[Finding], config: Config) -> list[Finding]:
    out = []
    for finding in findings:
        severity = config.rules.get(finding.rule, finding.severity)
        if severity == "off":
            continue
        if severity != finding.severity:
            finding = Finding(finding.path, finding.line, finding.column, finding.rule, severity,
                              finding.message, finding.section)
        out.append(finding)
    return sorted(out, key=Finding.sort_key)


def lint_document(document: Document, schema: LoadedSchema, config: Config) -> FileResult:
    """Lint a decoded document (the pure core: no file system)."""
    findings = list(document.findings)
    result = FileResult(document.path, schema.name, findings, front_matter=document.front_matter)
    if not document.readable:
        result.findings = _apply_severities(findings, config)
        return result
    body = "\n".join(document.lines[document.body_start - 1:])
    outline = build_outline(document.path, body, document.body_start, schema.vocabulary)
    model = build_model(document, outline, schema.section_order)
    findings += outline.findings
    findings += validate(document.path, model, schema)
    result.findings = _apply_severities(findings, config)
    result.title = outline.title
    result.sections = {
        section_id: {"heading": data["heading"], "line": data["line"], "style": data["style"]}
        for section_id, data in model.instance["sections"].items()
    }
    result.action_items = model.action_items
    return result


def lint_text(text: str, config: Config | None = None, path: str = "<text>") -> FileResult:
    """Lint Markdown text with the configured schema; convenient for tests and embedding."""
    config = config or Config()
    return lint_document(decode(path, text.encode("utf-8")), schema_for(config), config)


def lint_file(path: str, schema: LoadedSchema, config: Config) -> FileResult:
    """Read one file and lint it; an I/O problem raises OSError for the caller to report."""
    size = os.stat(path).st_size
    if size > config.max_file_size:
        finding = Finding(path, 1, 1, "file-too-large", "error",
                          f"file is {size} bytes, above the limit of {config.max_file_size} (max_file_size)")
        return FileResult(path, schema.name, _apply_severities([finding], config))
    with open(path, "rb") as handle:
        data = handle.read(config.max_file_size + 1)
    return lint_document(decode(path, data), schema, config)


def _excluded(relative: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(relative), pattern)
               for pattern in config.exclude)


def expand_paths(paths: Iterable[str], config: Config, problems: list[str]) -> Iterator[str]:
    """Files to lint: named files as given, directories walked for the include globs, in sorted order."""
    for given in paths:
        if os.path.isfile(given):
            yield given
        elif os.path.isdir(given):
            for root, dirs, files in os.walk(given, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS
                                 and not _excluded(os.path.relpath(os.path.join(root, d), given), config))
                for name in sorted(files):
                    full = os.path.join(root, name)
                    relative = os.path.relpath(full, given)
                    if any(fnmatch.fnmatch(name.lower(), p.lower()) for p in config.include) \
                            and not _excluded(relative, config) and os.path.isfile(full):
                        yield full
        elif os.path.lexists(given):
            problems.append(f"{given}: not a regular file or directory (a broken link?)")
        else:
            problems.append(f"{given}: no such file or directory")


def lint_paths(paths: Iterable[str], config: Config, problems: list[str]) -> Iterator[FileResult]:
    """Lint every file under ``paths``; problems that stop a file being read are appended to ``problems``."""
    schema = schema_for(config)
    for path in expand_paths(paths, config, problems):
        try:
            yield lint_file(path, schema, config)
        except OSError as error:
            problems.append(f"{path}: cannot be read: {error.strerror or error}")
