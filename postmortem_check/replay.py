"""Replay: a lint command line run again on inputs that have not changed prints what it printed before,
decided before anything heavy is imported (only ``os``, ``sys``, ``stat``, ``marshal`` and BLAKE2).

A lint of named files and folders (``lint postmortems/``, ``lint incident.md``, an editor's check on
save, ``pre-commit run --all-files``) that wrote nothing on standard error leaves a *record* in the cache
folder, ``runs/<key>.run``: what it printed on standard output, its exit code, and what every other input
it read held. The key is a hash of the command line, the working directory, the environment variables and
terminals the output depends on, the tool's version, the ``installation`` of the libraries it uses and the
state of every file the config search may read. The record lists the rest: each file linted (a plain path
below the working directory: no symbolic link, no ``.git``) with a digest of its bytes, each file the
schema was read from, each folder given and every folder below it, and each linted file's folder (their
names, and every file the template search may read). A run with the same key replays the record when
every one of those still holds; anything else (a difference, a record this user's key did not seal, a
damaged one) is a miss and the command runs as usual.

A record is written only when every file it depends on was last changed before the run began, less a
margin for coarse file times: the bytes it digests are then those the run read.
"""

from __future__ import annotations

import marshal
import os
import stat
import sys

from . import CONFIG_NAMES, PYPROJECT, __version__
from .digests import blake2b, sealed, unsealed

TYPE_CHECKING = False  # typing is not imported: it costs more than a replay
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, TextIO

    State = tuple[bool, str] | str | None  # (a symbolic link?, digest), "absent"; None: cannot be known cheaply
    Dependency = tuple[str, str, object]  # (kind, path, what it held): "file", "read" or "folder"

FOLDER = ".postmortem-check-cache"  # the cache folder's name, at the project root
RECORDS = "runs"  # the records' folder, inside the cache folder
_FORMAT = 1  # bumped when a record's layout changes
_SUFFIX = ".run"
_MAX_RECORDS = 64  # the newest kept: a hook run on other files each commit leaves one each time
_READ_LIMIT = 64 * 1024 * 1024  # a file larger than this is not digested: a run that reads one is not recorded
SETTLED_NS = 2_000_000_000  # a file changed this recently may have changed after a run read it
_OUTPUT_ENVIRONMENT = ("GITHUB_ACTIONS", "CI", "NO_COLOR", "FORCE_COLOR", "TERM")  # the format, colour, progress
_ABSENT = "absent"
# Libraries that read documents too, as (module, distribution): an upgrade of one can change a finding.
_LIBRARIES = (("mistune", "mistune"), ("yaml", "pyyaml"), ("jsonschema", "jsonschema"))


def user_cache() -> str:
    """This user's cache folder: ``$XDG_CACHE_HOME/postmortem-check`` (default ``~/.cache``)."""
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
                        "postmortem-check")


def read_secret(folder: str) -> bytes | None:
    """The sealing key kept in ``folder`` (32 bytes), or None."""
    data = _read(os.path.join(folder, "key"), 64)
    return data if data is not None and len(data) == 32 else None


def _read(path: str, limit: int) -> bytes | None:
    """A regular file's bytes (opened without blocking on a FIFO); None for anything else or above ``limit``."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks = []
        while chunk := os.read(descriptor, max(info.st_size + 1, 1 << 16)):
            chunks.append(chunk)
        data = b"".join(chunks)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(descriptor)


def file_state(path: str) -> State:
    """What a run reading ``path`` can see there: ``absent``; else whether it is a symbolic link, and a digest
    of its bytes (``other`` when it is not a regular file); None when it cannot be read or is too large."""
    try:
        link = stat.S_ISLNK(os.lstat(path).st_mode)
        info = os.stat(path)
    except FileNotFoundError:
        return _ABSENT
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return link, "other"
    data = _read(path, _READ_LIMIT)
    return None if data is None else (link, blake2b(data, digest_size=20).hexdigest())


def folder_state(folder: str) -> str | None:
    """A digest of the names in ``folder``, each with whether it is a folder (as a walk sees it), or None
    when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            names = sorted((entry.name, entry.is_dir()) for entry in entries)
    except OSError:
        return None
    return blake2b(repr(names).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def plain_path(path: str, cwd: str) -> bool:
    """Whether ``path`` names a file below ``cwd`` with no symbolic link on the way and no ``.git`` folder:
    then the file read is the one named, inside the tree."""
    full = os.path.normpath(os.path.join(cwd, path))
    inside = full.startswith(cwd.rstrip(os.sep) + os.sep)
    return inside and os.path.realpath(full) == full and ".git" not in full[len(cwd):].split(os.sep)


def _config_given(words: Sequence[str]) -> str | None:
    """The value of ``--config`` (spelled out) on the command line, if any."""
    for i, word in enumerate(words):
        if word == "--config" and i + 1 < len(words):
            return words[i + 1]
        if word.startswith("--config="):
            return word.partition("=")[2]
    return None


def config_candidates(words: Sequence[str], cwd: str) -> list[str]:
    """Every file the config search may read for this command line: the ``--config`` file, else each config
    name and ``pyproject.toml`` in the working directory and each folder above, up to the first folder with a
    config file. A run whose config came from anywhere else (a ``--config`` spelled otherwise) is not recorded."""
    given = _config_given(words)
    if given is not None:
        return [os.path.join(cwd, given)]
    found: list[str] = []
    folder = cwd
    while True:
        found += [os.path.join(folder, name) for name in (*CONFIG_NAMES, PYPROJECT)]
        parent = os.path.dirname(folder)
        if any(os.path.isfile(os.path.join(folder, name)) for name in CONFIG_NAMES) or parent == folder:
            return found
        folder = parent


_installation: list[str] = []  # this process's installation, once known: the code it runs cannot change


def installation() -> str:
    """``installation_of`` the libraries the findings depend on, worked out once a process: it is part of
    every cache key and record key (a lint asks for it five times)."""
    if not _installation:
        _installation.append(installation_of(_LIBRARIES))
    return _installation[0]


def installation_of(libraries: Sequence[tuple[str, str]]) -> str:
    """The Python version, this package's code and, for each library, its installed version, so that an
    upgrade is a miss while a fresh install of the same versions (a CI job's) is not. Versions are read from
    the names of the ``*.dist-info`` folders beside the packages; a package without one (a checkout on
    ``PYTHONPATH``, an editable install) counts by its modules' sizes and times of change
    (``modules_state``)."""
    package = os.path.dirname(os.path.abspath(__file__))
    states: list[object] = [sys.version, _installed_version(package, "postmortem_check") or modules_state(package)]
    for module, distribution in libraries:
        folder = next((os.path.join(entry or ".", module) for entry in sys.path
                       if os.path.isfile(os.path.join(entry or ".", module, "__init__.py"))), None)
        states.append((module, folder and (_installed_version(folder, distribution) or modules_state(folder))))
    return repr(states)


def _installed_version(package: str, distribution: str) -> str | None:
    """The version in the name of the ``<distribution>-<version>.dist-info`` folder beside ``package``."""
    try:
        names = os.listdir(os.path.dirname(package))
    except OSError:
        return None
    for name in names:
        stem, _, suffix = name.rpartition(".")
        project, dash, version = stem.partition("-")
        if suffix == "dist-info" and dash and project.lower().replace(".", "_").replace("-", "_") == distribution:
            return version
    return None


def modules_state(root: str) -> str:
    """A digest of the name, size and time of change of every ``.py`` file below ``root`` (a folder that
    cannot be read, inside a zip archive say, counts as empty)."""
    states = []
    folders = [root]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        found = entry.stat()
                        states.append((entry.path, found.st_size, found.st_mtime_ns))
                    elif entry.name != "__pycache__" and entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
        except OSError:
            continue
    return blake2b(repr(sorted(states)).encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _isatty(descriptor: int) -> bool:
    try:
        return os.isatty(descriptor)
    except OSError:
        return False


def command_key(words: Sequence[str], cwd: str, candidates: Sequence[str]) -> str | None:
    """The key of a command line run in ``cwd``, with the config search's ``candidates`` as they are now;
    None when one of them cannot be read."""
    states = [(path, file_state(path)) for path in candidates]
    if any(state is None for _, state in states):
        return None
    environment = [os.environ.get(name) for name in _OUTPUT_ENVIRONMENT]
    parts = (_FORMAT, __version__, installation(), cwd, tuple(words), environment, _isatty(1), _isatty(2), states)
    return blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


def _record_folders(candidates: Sequence[str], cwd: str) -> list[str]:
    """Where a record for this command line may have been written: the cache folder the run chose (the
    config's folder or the working directory, else this user's cache folder), or the one named by
    ``$POSTMORTEM_CHECK_CACHE_DIR``."""
    chosen = os.environ.get("POSTMORTEM_CHECK_CACHE_DIR")
    if chosen:
        return [] if os.path.islink(os.path.join(chosen, RECORDS)) else [os.path.join(chosen, RECORDS)]
    roots = dict.fromkeys(os.path.dirname(path) for path in candidates if os.path.isfile(path))
    projects = [os.path.join(root, FOLDER) for root in (*roots, cwd)]
    return [os.path.join(project, RECORDS) for project in projects  # a link committed to the tree is never followed
            if not (os.path.islink(project) or os.path.islink(os.path.join(project, RECORDS)))
            ] + [os.path.join(user_cache(), RECORDS)]


def _holds(dependency: Any, cwd: str) -> bool:
    """Whether a recorded dependency still holds what it held."""
    kind, path, held = dependency
    if kind == "file":
        return plain_path(path, cwd) and bool(file_state(path) == held)
    if kind == "read":
        return bool(file_state(path) == held)
    return kind == "folder" and bool(folder_state(path) == held)


def recorded_output(words: Sequence[str]) -> tuple[str, int] | None:
    """What a lint with this command line printed, and its exit code, when its record is found, sealed by
    this user's key, and every input it lists still holds what it held; else None."""
    try:
        cwd = os.getcwd()
    except OSError:  # the working directory was removed: the command line reports it
        return None
    candidates = config_candidates(words, cwd)
    key = command_key(words, cwd, candidates)
    secret = read_secret(user_cache())
    if key is None or secret is None:
        return None
    for folder in _record_folders(candidates, cwd):
        record = os.path.join(folder, key + _SUFFIX)
        data = None if os.path.islink(record) else _read(record, _READ_LIMIT)
        if data is None:
            continue
        body = unsealed(secret, data)
        if body is None:
            continue
        try:
            record_format, record_key, dependencies, text, code = marshal.loads(body)
            if (record_format, record_key) != (_FORMAT, key) or not isinstance(text, str) or type(code) is not int:
                continue
            if all(_holds(dependency, cwd) for dependency in dependencies):
                return text, code
        except (ValueError, TypeError, EOFError):
            continue
    return None


def settled(paths: Sequence[str], started_ns: int) -> bool:
    """Whether every one of ``paths`` (files or folders) was last changed before ``started_ns``, less a margin
    for coarse file times (a path that is not there is settled)."""
    for path in paths:
        try:
            if os.stat(path).st_mtime_ns >= started_ns - SETTLED_NS:
                return False
        except FileNotFoundError:
            continue
        except OSError:
            return False
    return True


def keep(folder: str, secret: bytes, key: str, dependencies: list[Dependency], text: str, code: int) -> None:
    """Write a sealed record in ``folder`` (atomically: a temporary file renamed), keeping the
    ``_MAX_RECORDS`` newest; a record that cannot be written is no record, never an error."""
    from .files import TEMPORARY, prune, replace_file

    body = marshal.dumps((_FORMAT, key, dependencies, text, int(code)))
    try:
        os.makedirs(folder, exist_ok=True)
        if os.path.islink(folder):  # a link in a committed cache folder is never written through
            return
        replace_file(os.path.join(folder, key + _SUFFIX), sealed(secret, body), TEMPORARY)
    except OSError:
        return
    prune(folder, _SUFFIX, _MAX_RECORDS)


class Capture:
    """Standard output as a run writes it, kept as text too; and whether anything went to standard error.
    Installed as ``sys.stdout`` and ``sys.stderr`` for a run that may be recorded."""

    def __init__(self) -> None:
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr
        self.text: list[str] = []
        self.wrote_error = False

    def __enter__(self) -> Capture:
        sys.stdout, sys.stderr = _Tee(self.out, self.text.append), _Tee(self.err, self._flag)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.out, self.err

    def _flag(self, text: str) -> None:
        self.wrote_error = self.wrote_error or bool(text)


class _Tee:
    """A text stream that hands what is written to ``seen`` before writing it to ``stream``."""

    def __init__(self, stream: TextIO, seen: Any) -> None:
        self._stream = stream
        self._seen = seen

    def write(self, text: str) -> int:
        self._seen(text)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
