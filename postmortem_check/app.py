"""The application layer every command runs on: configuration and schema, the lint run streamed to the
reporters, and the exit code. The command line, the action and the issue command only parse their inputs
and call these."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .batch import lint_paths
from .cache import forget_contexts, known_config, remember_config
from .config import Config, ConfigError, find_config, load_config
from .discover import included
from .document import decode
from .errors import ExitCode, UserError, exit_code
from .lint import lint_document, schema_for, too_large
from .report import Reporter
from .results import FileResult, Totals

if TYPE_CHECKING:
    from .schema import LoadedSchema


def load_configuration(config_path: Path | None, schema: str | None, *, cached: bool = False) -> Config:
    """The config (explicit, found upward, or defaults) with ``--schema`` applied and its schema loaded.

    ``cached`` (lint with its result cache): when the cache kept this config as loaded before (the same
    config bytes, schema files and ``--schema``), that config, neither parsed nor validated again, and its
    schema left to be loaded when a file needs it; else the config is loaded and kept for the next run.
    Raises UserError (ConfigError or SchemaError) with one message line per problem.
    """
    if config_path is not None and not config_path.exists():  # a FIFO or a device is refused when read
        raise ConfigError(f"config file {config_path} does not exist")
    forget_contexts()
    try:
        path = config_path or find_config(Path.cwd())
        if cached and (known := known_config(path, schema)) is not None:
            return known
        started = time.time_ns()
        config = load_config(path) if path else Config()
    except OSError as error:
        what = "the working directory" if config_path is None else f"{config_path}:"
        raise ConfigError(f"{what} cannot be read: {error.strerror or error}") from None
    if schema:
        config = config._replace(schema=schema)
    loaded = loaded_schema(config)
    if cached:
        remember_config(config, schema, loaded, started)
    return config


def loaded_schema(config: Config) -> LoadedSchema:
    """The config's schema, compiled once, with its word-count bounds."""
    return schema_for(config)


class LintRun:
    """What a lint run saw: the totals, the results when kept, and the problems that stopped a file."""

    def __init__(self) -> None:
        self.totals = Totals()
        self.results: list[FileResult] = []
        self.problems: list[str] = []

    def exit_code(self, fail_on: str) -> ExitCode:
        return exit_code(self.totals.errors, self.totals.warnings, fail_on, len(self.problems))


def run_lint(paths: Iterable[str], config: Config, reporters: Sequence[Reporter], *, jobs: int | None = None,
             keep: bool = False, after_file: Callable[[], None] | None = None) -> LintRun:
    """Lint every file under ``paths``, handing each result to every reporter as it comes, then the totals.

    ``keep`` keeps the results (the issue path needs their action items); ``after_file`` runs after each
    file (the command line flushes stdout there, so output streams).
    """
    run = LintRun()
    for result in lint_paths(paths, config, run.problems, jobs):
        run.totals.add(result)
        if keep:
            run.results.append(result)
        for reporter in reporters:
            reporter.file(result)
        if after_file is not None:
            after_file()
    for reporter in reporters:
        reporter.finish(run.totals)
    return run


def read_bounded(stream: BinaryIO, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of ``stream``, and its whole size (the rest is counted, not kept)."""
    data = stream.read(limit + 1)
    size = len(data)
    if size > limit:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
    return data, size


def run_lint_stdin(stream: BinaryIO, name: str | None, config: Config, reporters: Sequence[Reporter]) -> LintRun:
    """Lint a document read from ``stream`` (standard input), shown as ``name`` (default ``-``).

    A ``name`` the config's ``include`` does not cover, or that ``exclude`` leaves out, is not linted
    (0 files), as when a directory walk meets it. Above ``max_file_size`` it is one finding, as a file is.
    """
    run = LintRun()
    if name is None or included(name, config):
        schema = schema_for(config)
        data, size = read_bounded(stream, config.max_file_size)
        if size > config.max_file_size:
            result = too_large(name or "-", size, schema, config)
        else:
            result = lint_document(decode(name or "-", data), schema, config)
        run.totals.add(result)
        for reporter in reporters:
            reporter.file(result)
    for reporter in reporters:
        reporter.finish(run.totals)
    return run


def record_run(key: str, words: Sequence[str], candidates: Sequence[str], config: Config, given: Sequence[str],
               linted: Sequence[str], started_ns: int, text: str, code: int) -> None:
    """Keep what a lint of the files and folders ``given`` printed (``text``), having linted the files
    ``linted``, and its exit code, for ``replay`` to print again while nothing it read changes: not when the
    cache is off, when the findings change with the date, when the config came from elsewhere than the
    ``candidates`` of its search, when a file linted is not a plain path below the working directory, when a
    file or folder it depends on changed after the run began (less a margin for coarse file times), or when
    the key changed meanwhile. A folder given is kept with every folder below it (those the walk skips
    aside): their names decide which files are linted."""
    from . import replay
    from .cache import cache_folder, dated, schema_sources, sealing_key
    from .discover import SKIP_DIRS
    from .document import template_candidates

    sources = schema_sources(config)
    cwd = os.getcwd()
    if (not config.cache or dated(config) or sources is None
            or (config.path is not None
                and os.path.normpath(os.path.join(cwd, config.path)) not in map(os.path.normpath, candidates))
            or not all(replay.plain_path(path, cwd) for path in linted)):
        return
    folders = [os.path.dirname(os.path.join(cwd, path)) for path in linted]
    for top in (path for path in given if os.path.isdir(path)):
        for folder, dirs, _ in os.walk(os.path.join(cwd, top)):
            dirs[:] = [name for name in dirs if name not in SKIP_DIRS]
            folders.append(folder)
    folders = list(dict.fromkeys(os.path.normpath(folder) for folder in folders))
    read = [*sources, *(os.path.join(folder, name) for folder in folders for name in template_candidates(folder) or ())]
    paths = [*candidates, *linted, *read, *folders]
    if not replay.settled(paths, started_ns):  # checked again once digested: nothing changed while digesting
        return
    dependencies: list[replay.Dependency] = [
        *(("file", path, replay.file_state(path)) for path in linted),
        *(("read", path, replay.file_state(path)) for path in read),
        *(("folder", folder, replay.folder_state(folder)) for folder in folders)]
    secret = sealing_key()
    if (secret is None or any(held is None for _, _, held in dependencies)
            or not replay.settled(paths, started_ns)
            or replay.command_key(words, cwd, candidates) != key):
        return
    replay.keep(str(cache_folder(config) / replay.RECORDS), secret, key, dependencies, text, code)


__all__ = ["LintRun", "UserError", "load_configuration", "loaded_schema", "record_run", "run_lint", "run_lint_stdin"]
