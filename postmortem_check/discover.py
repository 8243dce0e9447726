"""Which files are postmortems: one matcher for ``lint DIR``, the action's push and pull-request paths, and
the pre-commit hook's documented ``exclude`` pattern.

A file named on the command line is always linted. A file met by walking a directory or matched by a glob
is linted when its name matches ``include``, it is not a README, index, changelog, contributing guide or
template (``NOT_POSTMORTEM``, the hook's ``exclude``), and no ``exclude`` pattern matches it or a folder
above it. ``exclude`` patterns are relative to the config file's folder (the working directory without
one); a pattern without ``/`` also matches a bare name, and a pattern may be relative to the directory
being walked, as it was before.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache

from .config import Config
from .lazy_re import LazyPattern
from .replay import FOLDER as CACHE_FOLDER

# Index pages, project documents and templates that live beside postmortems. The same text is the hook's
# ``exclude`` in .pre-commit-hooks.yaml (a test keeps them equal).
NOT_POSTMORTEM = LazyPattern(
    r"(?i)(^|/)((_?readme|_?index|changelog|changes|contributing|code_of_conduct|license|security)(\.[^/]*)?"
    r"|([^/]*[^a-z/])?_?templates?([^a-z/][^/]*)?|_?templates?/.*)$"
)
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", CACHE_FOLDER})


def is_glob(entry: str) -> bool:
    """Whether a ``paths`` entry is a glob pattern rather than a file or directory name."""
    return any(char in entry for char in "*?[")


@lru_cache(maxsize=256)
def glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex over ``/``-separated paths: ``*`` and ``?`` stay within one folder name, ``**/``
    is any number of folders (none included), a trailing ``**`` anything below."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and (end := pattern.find("]", i + 2)) != -1:
            body = pattern[i + 1:end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _clean(entry: str) -> str:
    entry = entry.replace("\\", "/")
    while entry.startswith("./"):
        entry = entry[2:]
    return entry.rstrip("/") or "."


def _base(config: Config) -> str:
    """The folder ``exclude`` patterns are relative to: the config file's, else the working directory."""
    return os.path.abspath(config.path.parent if config.path is not None else os.curdir)


def _anchored(path: str, root: str | None, config: Config) -> list[str]:
    """The forms of ``path`` an exclude pattern is matched against."""
    forms = []
    below_config = os.path.relpath(os.path.abspath(path), _base(config)).replace(os.sep, "/")
    if not below_config.startswith("../"):
        forms.append(below_config)
    if root is not None:
        forms.append(os.path.relpath(path, root).replace(os.sep, "/"))
    return forms


def _pattern_hits(relative: str, pattern: str) -> bool:
    regex = glob_regex(_clean(pattern))
    parts = relative.split("/")
    prefixes = ("/".join(parts[:k]) for k in range(1, len(parts) + 1))
    return any(regex.match(prefix) for prefix in prefixes) or (
        "/" not in pattern and any(regex.match(part) for part in parts))


def _config_excluded(path: str, config: Config, root: str | None) -> bool:
    if not config.exclude:  # nothing to match: the path's forms are not worth computing
        return False
    return any(_pattern_hits(form, pattern) for form in _anchored(path, root, config) for pattern in config.exclude)


def excluded(path: str, config: Config, root: str | None = None) -> bool:
    """Whether a file met by a walk or a glob is left out: a README/index/template by default (its path
    below ``root``, or as given), or by a config ``exclude`` pattern matching it or a folder above it."""
    below_root = os.path.relpath(path, root) if root is not None else path
    return bool(NOT_POSTMORTEM.search(below_root.replace(os.sep, "/"))) or _config_excluded(path, config, root)


def _name_included(path: str, config: Config) -> bool:
    """An ``include`` pattern (any case) matches the file's name, or its path from the config file's folder."""
    name = os.path.basename(path).lower()
    if any(glob_regex(pattern.lower()).match(name) for pattern in config.include):
        return True
    below_config = os.path.relpath(os.path.abspath(path), _base(config)).replace(os.sep, "/")
    return not below_config.startswith("../") and any(
        glob_regex(pattern.lower()).match(below_config.lower()) for pattern in config.include)


def included(path: str, config: Config, root: str | None = None) -> bool:
    """Whether a file met while walking ``root`` (a path below it, or relative to the working directory
    when ``root`` is None) is linted: ``include`` matches it and it is not excluded."""
    return _name_included(path, config) and not excluded(path, config, root)


def selected(name: str, entries: Sequence[str], config: Config) -> bool:
    """Whether a file (relative to the working directory) is covered by the ``paths`` entries: named, under
    a named directory and included, or matched by a glob and not excluded. Pull requests and pushes use this."""
    name = _clean(name)
    for raw in entries:
        entry = _clean(raw)
        if is_glob(entry):
            hit = bool(glob_regex(entry).match(name)) and not excluded(name, config, None)
        elif name == entry:
            hit = True
        elif entry == "." or name.startswith(entry + "/"):
            hit = included(name, config, entry)
        else:
            hit = False
        if hit:
            return True
    return False


def select_changed(changed: Sequence[str], entries: Sequence[str], config: Config) -> list[str]:
    """The changed files (relative to the working directory) that ``paths`` covers, sorted."""
    return sorted(dict.fromkeys(n for n in changed if selected(n, entries, config) and os.path.isfile(n)))


def _unreadable(problems: list[str]) -> Callable[[OSError], None]:
    """An ``os.walk`` error handler: a folder that cannot be listed is a problem naming it (exit 2)."""
    def record(error: OSError) -> None:
        problems.append(f"{error.filename}: cannot be read: {error.strerror or error}")
    return record


def _walk(root: str, config: Config, problems: list[str]) -> Iterator[str]:
    """Files below ``root``; directory links are not followed (a file link out of the tree is linted as a
    ``symlink-outside`` finding, never read)."""
    for folder, dirs, files in os.walk(root, onerror=_unreadable(problems), followlinks=False):
        # a folder is pruned only by the config: the default pattern is about file paths (``templates/``
        # included), and a folder named like ``security`` may well hold postmortems
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS
                         and not _config_excluded(os.path.join(folder, d), config, root))
        for name in sorted(files):
            full = os.path.join(folder, name)
            if included(full, config, root) and os.path.isfile(full):
                yield full


def _glob_root(pattern: str) -> str:
    """The folder a glob's matches all lie under: its leading names without a wildcard."""
    fixed = []
    for part in pattern.split("/")[:-1]:
        if is_glob(part):
            break
        fixed.append(part)
    return "/".join(fixed) or "."


def expand_glob(pattern: str, config: Config, problems: list[str] | None = None) -> list[str]:
    """Files matching a ``paths`` glob (relative to the working directory), README/templates left out.
    Directory links are never followed (so never loop); folders that cannot be listed go to ``problems``."""
    pattern = _clean(pattern)
    root = _glob_root(pattern)
    if not os.path.isdir(root):
        return []
    found = []
    met = problems if problems is not None else []
    for folder, dirs, files in os.walk(root, onerror=_unreadable(met), followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            full = os.path.normpath(os.path.join(folder, name)).replace(os.sep, "/")
            if selected(full, [pattern], config) and os.path.isfile(full):
                found.append(full)
    return found


def expand_entries(entries: Sequence[str], config: Config,
                   problems: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Paths to lint for the action's ``paths`` (globs expanded), and warnings for globs that match nothing;
    folders a glob cannot list go to ``problems``."""
    out: list[str] = []
    warnings = []
    for entry in entries:
        if is_glob(entry):
            matches = expand_glob(entry, config, problems)
            if not matches:
                warnings.append(f"paths pattern {entry!r} matches no file")
            out += matches
        else:
            out.append(entry)
    return list(dict.fromkeys(out)), warnings


def expand_paths(paths: Iterable[str], config: Config, problems: list[str]) -> Iterator[str]:
    """Files to lint: named files as given, directories walked (``included``), in sorted order; a path that
    is neither is appended to ``problems``."""
    for given in paths:
        if os.path.isfile(given):
            yield given
        elif os.path.isdir(given):
            yield from _walk(given, config, problems)
        elif os.path.islink(given):
            problems.append(f"{given}: a symbolic link to nothing (broken, or a link loop)")
        elif os.path.lexists(given):
            problems.append(f"{given}: not a regular file or directory")
        else:
            problems.append(f"{given}: no such file or directory")
