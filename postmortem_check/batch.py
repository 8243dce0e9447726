"""Many files: expand the paths, lint each file, and yield the results in input order, in worker processes
when a run is large enough to pay for them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import TYPE_CHECKING

from .config import Config
from .discover import expand_paths
from .lint import lint_file, schema_for
from .results import FileResult

if TYPE_CHECKING:
    from .cache import ResultCache
    from .schema import LoadedSchema

PARALLEL_THRESHOLD = 64  # fewer files than this are linted in this process: no pool to start
_MISSES_BEFORE_WORKERS = 8  # files the cache did not have, linted here before workers are considered
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


def _cache(config: Config) -> ResultCache | None:
    """The result cache for this config, unless it is switched off (``cache: false``, ``--no-cache``)."""
    if not config.cache:
        return None
    from .cache import ResultCache, cache_folder, context_digest

    return ResultCache(cache_folder(config), context_digest(config, lambda: schema_for(config)))


def _outcome(item: _Item, schema: LoadedSchema | None, config: Config, cache: ResultCache | None = None) -> _Outcome:
    path, problem = item
    if path is None:
        return None, problem
    try:
        return lint_file(path, schema, config, cache), None
    except OSError as error:
        return None, f"{path}: cannot be read: {error.strerror or error}"


_worker_config: Config | None = None
_worker_cache: ResultCache | None = None


def _worker_init(config: Config) -> None:
    global _worker_config, _worker_cache
    _worker_config = config  # the schema is compiled when a file needs it (already in memory when forked)
    _worker_cache = _cache(config)  # its packs are read once per worker, when a file is first looked up


def _lint_chunk(chunk: list[_Item]) -> tuple[list[_Outcome], list[bytes]]:
    """The chunk's outcomes, and the cache entries made for them: the parent writes them with its own."""
    assert _worker_config is not None
    outcomes = [_outcome(item, None, _worker_config, _worker_cache) for item in chunk]
    return outcomes, _worker_cache.take() if _worker_cache is not None else []


def _chunks(items: Iterator[_Item], size: int) -> Iterator[list[_Item]]:
    chunk: list[_Item] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lint_parallel(items: Iterator[_Item], config: Config, cache: ResultCache | None,
                   jobs: int) -> Iterator[_Outcome]:
    """Outcomes in input order from ``jobs`` worker processes, with a bounded number of chunks in flight; the
    cache entries the workers made are kept in ``cache``, to be written with this process's."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    # fork shares the imported modules and the compiled schema with the workers at no cost; among this many
    # files one is likely to have errors, so a schema whose errors need jsonschema is compiled here, once
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    if method == "fork" and (schema := schema_for(config)).needs_jsonschema:
        schema.validator  # noqa: B018 (compiled on first access)
    context = multiprocessing.get_context(method)
    pending: deque[Future[tuple[list[_Outcome], list[bytes]]]] = deque()

    def done() -> list[_Outcome]:
        outcomes, entries = pending.popleft().result()
        if cache is not None:
            cache.keep(entries)
        return outcomes

    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_worker_init, initargs=(config,)) as pool:
        for chunk in _chunks(items, _CHUNK):
            pending.append(pool.submit(_lint_chunk, chunk))
            if len(pending) >= jobs * 4:
                yield from done()
        while pending:
            yield from done()


def _outcomes(items: Iterator[_Item], config: Config, cache: ResultCache | None, jobs: int) -> Iterator[_Outcome]:
    """Outcomes in input order: linted here for a small run, and while the files come from the cache (a run
    whose files are all unchanged starts no worker); in ``jobs`` workers once enough files need linting."""
    first: list[_Item] = []
    files = 0
    if jobs > 1:
        for item in items:
            first.append(item)
            files += item[0] is not None
            if files >= PARALLEL_THRESHOLD:
                break
    rest = chain(first, items)
    if files < PARALLEL_THRESHOLD:
        yield from (_outcome(item, None, config, cache) for item in rest)
        return
    if cache is not None:
        for item in rest:
            yield _outcome(item, None, config, cache)
            if cache.misses >= _MISSES_BEFORE_WORKERS:
                break
        else:
            return
    yield from _lint_parallel(rest, config, cache, jobs)


def lint_paths(
    paths: Iterable[str], config: Config, problems: list[str], jobs: int | None = None
) -> Iterator[FileResult]:
    """Lint every file under ``paths``; problems that stop a file being read are appended to ``problems``.

    Results come in input order, whether linted here or by ``jobs`` worker processes (default: one
    per CPU; 1 for none). Workers start only when at least ``_MISSES_BEFORE_WORKERS`` files were not in the
    cache and ``PARALLEL_THRESHOLD`` more remain. The schema is loaded when a file is linted, not taken from
    the cache.
    """
    cache = _cache(config)  # its context loads the schema, unless the cache kept this config as loaded
    if cache is None:
        schema_for(config)  # every file is linted: the schema is compiled here, once, before workers fork
    jobs = default_jobs() if jobs is None else max(1, jobs)
    try:
        for result, problem in _outcomes(_items(paths, config), config, cache, jobs):
            if problem is not None:
                problems.append(problem)
            elif result is not None:
                yield result
    finally:
        if cache is not None:
            cache.flush()  # the run's new entries, as one pack
