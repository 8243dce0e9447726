"""The lint pipeline for one document and for many paths: read, parse, outline, model, validate."""

from __future__ import annotations

import copy
import fnmatch
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from typing import Any

from .action_items import ActionItem
from .config import Config
from .document import Document, decode, template_lines_for
from .findings import Finding
from .model import build_model
from .outline import build_outline
from .schema import LoadedSchema, compile_validator, load_schema
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
    validator = (compile_validator(schema, loaded.registry) if loaded.registry is not None
                 else loaded.validator.evolve(schema=schema))
    return LoadedSchema(name, schema, validator, loaded.vocabulary, loaded.registry)


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
    document = decode(path, data)
    document.template_lines = template_lines_for(path)
    return lint_document(document, schema, config)


def _excluded(relative: str, config: Config) -> bool:
    return any(fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(os.path.basename(relative), pattern)
               for pattern in config.exclude)


def included(relative: str, config: Config) -> bool:
    """Whether a file met while walking a directory is linted: its name matches ``include`` (any case)
    and neither its path below the directory nor its name matches ``exclude``."""
    name = os.path.basename(relative).lower()
    return any(fnmatch.fnmatch(name, p.lower()) for p in config.include) and not _excluded(relative, config)


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
                    if included(os.path.relpath(full, given), config) and os.path.isfile(full):
                        yield full
        elif os.path.islink(given):
            problems.append(f"{given}: a symbolic link to nothing (broken, or a link loop)")
        elif os.path.lexists(given):
            problems.append(f"{given}: not a regular file or directory")
        else:
            problems.append(f"{given}: no such file or directory")


PARALLEL_THRESHOLD = 64  # fewer files than this are linted in this process: no pool to start
_CHUNK = 32  # files per task sent to a worker
_Item = tuple[str | None, str | None]  # a path to lint, or a problem met while expanding the paths
_Outcome = tuple[FileResult | None, str | None]  # a result, or a problem that stopped a file being read


def default_jobs() -> int:
    """Worker processes for a large run: the CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _items(paths: Iterable[str], config: Config) -> Iterator[_Item]:
    """Files to lint and expansion problems, in the order ``expand_paths`` meets them."""
    met: list[str] = []
    for path in expand_paths(paths, config, met):
        yield from ((None, problem) for problem in met)
        met.clear()
        yield path, None
    yield from ((None, problem) for problem in met)


def _outcome(item: _Item, schema: LoadedSchema, config: Config) -> _Outcome:
    path, problem = item
    if path is None:
        return None, problem
    try:
        return lint_file(path, schema, config), None
    except OSError as error:
        return None, f"{path}: cannot be read: {error.strerror or error}"


_worker_config: Config | None = None


def _worker_init(config: Config) -> None:
    global _worker_config
    _worker_config = config
    schema_for(config)  # compiled once per worker (already in memory when forked)


def _lint_chunk(chunk: list[_Item]) -> list[_Outcome]:
    assert _worker_config is not None
    config = _worker_config
    schema = schema_for(config)
    return [_outcome(item, schema, config) for item in chunk]


def _chunks(items: Iterator[_Item], size: int) -> Iterator[list[_Item]]:
    chunk: list[_Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lint_parallel(items: Iterator[_Item], config: Config, jobs: int) -> Iterator[_Outcome]:
    """Outcomes in input order from ``jobs`` worker processes, with a bounded number of chunks in flight."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    # fork shares the imported modules and the compiled schema with the workers at no cost
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    context = multiprocessing.get_context(method)
    pending: deque[Future[list[_Outcome]]] = deque()
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init, initargs=(config,)) as pool:
        for chunk in _chunks(items, _CHUNK):
            pending.append(pool.submit(_lint_chunk, chunk))
            if len(pending) >= jobs * 4:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def lint_paths(
    paths: Iterable[str], config: Config, problems: list[str], jobs: int | None = None
) -> Iterator[FileResult]:
    """Lint every file under ``paths``; problems that stop a file being read are appended to ``problems``.

    Results come in input order, whether linted here or by ``jobs`` worker processes (default: one
    per CPU; 1 for none). Workers start only when there are at least ``PARALLEL_THRESHOLD`` files.
    """
    schema = schema_for(config)
    items = _items(paths, config)
    jobs = default_jobs() if jobs is None else max(1, jobs)
    first: list[_Item] = []
    files = 0
    if jobs > 1:
        for item in items:
            first.append(item)
            files += item[0] is not None
            if files >= PARALLEL_THRESHOLD:
                break
    if files >= PARALLEL_THRESHOLD:
        outcomes: Iterator[_Outcome] = _lint_parallel(chain(first, items), config, jobs)
    else:
        outcomes = (_outcome(item, schema, config) for item in chain(first, items))
    for result, problem in outcomes:
        if problem is not None:
            problems.append(problem)
        elif result is not None:
            yield result
