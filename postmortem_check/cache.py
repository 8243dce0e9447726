"""Result cache: what lint found in a file, kept per file and keyed by everything that can change it.

The key is a hash of the context (the tool version and the libraries installed, the config, the schema with
every resource it references), the template lines read beside the file, the file's path and its bytes. An
entry is plain JSON, checked field by field when read: a corrupt, foreign or partial entry is a miss and is
written again, never trusted.

Entries are kept in packs, as ruff keeps one cache file per package (creating a file costs far more than
writing its bytes): ``packs/<context>-<time>-<random>.pack`` holds a header line, then one line per entry
(its key, its seal, its JSON), sorted by key. A run opens its context's packs once, when it first looks a
file up: its first lookups are binary searches in each (a large pack is mapped, so one file's run reads a
few pages of it), later ones go through an index of every line. It writes the entries it made as one new
pack, atomically (a temporary file renamed), at its end (worker processes hand theirs to the parent).
A pack is never changed once in place (so mapping it is safe): a context with more than ``_MAX_PACKS``
packs has them merged into one, of the newest entry for each path, and only the packs merged are then
removed (one another run wrote meanwhile stays; a pack removed under a reader is only a miss). All packs
together stay under ``_MAX_BYTES``: beyond it other contexts' packs are removed, oldest first, then this
context's oldest entries are left out when its packs are merged.

So that a hit is decided before the config's YAML is parsed and the schema compiled (jsonschema, PyYAML and
mistune are not imported on a warm run), each loaded context is also kept as a manifest
(``contexts/<digest>.manifest``, the ``_MAX_MANIFESTS`` newest), keyed by the config file's bytes, the
``--schema`` given and the working directory: the config as loaded, the context's digest, and every schema
file read with the hash of its bytes. A manifest is used only when each of those files still has those bytes.

Every entry and manifest is sealed with a MAC (keyed BLAKE2b) under a secret kept in the user's cache home,
never in the project: a cache folder committed to the repository (a pull request can add one) holds no
entry this machine sealed, so it can never hide a finding.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config
from .digests import blake2b, compare_digest, seal, sealed, unsealed
from .files import CONFIG_MAX_BYTES, TEMPORARY, left_by_a_dead_writer, prune, read_regular, remove, replace_file
from .findings import OFF, Finding, Severity
from .replay import FOLDER, SETTLED_NS, installation, user_cache
from .results import ActionItem, FileResult

if TYPE_CHECKING:
    from mmap import mmap

    from .schema import LoadedSchema

_FORMAT = 4  # bumped when the layout of a pack, an entry or a manifest changes
_PACK_HEADER = f"postmortem-check pack {_FORMAT}\n".encode("ascii")
_KEY_LENGTH = 64  # a key is a BLAKE2b digest of 32 bytes, in hexadecimal
_MAX_PACKS = 16  # a context with more packs than this has them merged into one
_MAX_BYTES = 64 * 1024 * 1024  # the packs of every context together; beyond it the oldest are dropped
_FLUSH_BYTES = 4 * 1024 * 1024  # new entries kept in memory before they are written as a pack
_MAX_MANIFESTS = 32  # the newest kept; a config edited often leaves one for each version
_SCANS = 16  # lookups answered by a binary search in each pack; after that the packs are indexed
_MAP_BYTES = 1024 * 1024  # a pack larger than this is mapped, not read, for a run's first lookups
_SEVERITIES = {s.value: s for s in Severity}
_CONFIG_FIELDS = Config._fields
_ITEM_FIELDS = ("id", "text", "line", "done", "assignees", "labels", "due", "priority", "issue", "placeholder",
                "position")


def cache_folder(config: Config) -> Path:
    """``.postmortem-check-cache`` at the project root (the config file's folder, else the working
    directory); ``$XDG_CACHE_HOME/postmortem-check`` (default ``~/.cache``) when that folder cannot be written;
    ``$POSTMORTEM_CHECK_CACHE_DIR`` when it is set."""
    return _folder(config.path)


def _folder(config_path: Path | None) -> Path:
    chosen = os.environ.get("POSTMORTEM_CHECK_CACHE_DIR")
    if chosen:
        return Path(chosen)
    root = config_path.parent if config_path is not None else Path.cwd()
    project = root / FOLDER
    if project.is_symlink():  # committed to the tree, say: never read or written through
        return _user_cache()
    if os.access(project if project.is_dir() else root, os.W_OK):
        return project
    return _user_cache()


def _user_cache() -> Path:
    return Path(user_cache())


def sealing_key() -> bytes | None:
    """This user's sealing key, made on first use (readable by the user alone); None when it cannot be had."""
    return _secret_in(_user_cache())


@lru_cache(maxsize=4)
def _secret_in(folder: Path) -> bytes | None:
    path = folder / "key"
    try:
        data, size = read_regular(path, 64)
        if size == 32:
            return data
    except FileNotFoundError:
        pass
    except OSError:
        return None
    import secrets

    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(key)
        return key
    except FileExistsError:  # another process made it first
        try:
            data, size = read_regular(path, 64)
        except OSError:
            return None
        return data if size == 32 else None
    except OSError:
        return None


_digests: dict[int, tuple[LoadedSchema, str]] = {}


def _schema_digest(schema: LoadedSchema) -> str:
    """The schema as loaded, with every resource its ``$ref``s may reach (team files included); once per
    loaded schema (schemas are compiled once per process and kept)."""
    known = _digests.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    resources = sorted(schema.resources.items())
    text = json.dumps([schema.name, schema.schema, resources], sort_keys=True, default=repr)
    digest = blake2b(text.encode("utf-8", "surrogateescape"), digest_size=32).hexdigest()
    _digests[id(schema)] = (schema, digest)
    return digest


def _settings(config: Config) -> str:
    """The config's settings that can change a file's findings (not which files are linted, nor the cache)."""
    return repr(config._replace(include=(), exclude=(), cache=True))


# settings -> the context digest and the schema it was computed from (None: read from a manifest)
_contexts: dict[str, tuple[LoadedSchema | None, str]] = {}
_checked_schemas: set[str] = set()  # the schemas of the configs manifests gave in this run
_schema_sources: dict[str, list[str]] = {}  # schema -> the files it was read from, as a manifest lists them


def forget_contexts() -> None:
    """Start afresh: a config about to be loaded again may come with other schema files."""
    _contexts.clear()
    _checked_schemas.clear()
    _schema_sources.clear()


def checked_before(schema: str) -> bool:
    """Whether a manifest gave this run a config with this schema: an earlier run loaded and checked it, and
    it and every file its ``$ref``s reach still have the bytes they had then."""
    return schema in _checked_schemas


def schema_sources(config: Config) -> list[str] | None:
    """Every file the config's schema was read from (the packaged schemas, a team schema and each file its
    ``$ref``s reach), when this run kept or read a manifest for the config; else None."""
    return _schema_sources.get(config.schema)


def dated(config: Config) -> bool:
    """Whether the config's findings change with the date: ``overdue-action-item`` is on."""
    return config.rules.get("overdue-action-item", OFF) != OFF


def context_digest(config: Config, load_schema: Callable[[], LoadedSchema]) -> str:
    """The digest of everything besides the file that can change its findings: the tool version and the
    libraries installed (``replay.installation``), the config's settings and its schema (loaded by
    ``load_schema`` unless a manifest already gave the digest), and today's date (UTC) when the findings
    change with it."""
    return f"{_context(config, load_schema)}-{_today()}" if dated(config) else _context(config, load_schema)


def _today() -> str:
    """Today's date in UTC, as the quality rules see it."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).date().isoformat()


def _context(config: Config, load_schema: Callable[[], LoadedSchema]) -> str:
    settings = _settings(config)
    known = _contexts.get(settings)
    if known is not None and known[0] is None:
        return known[1]
    schema = load_schema()
    if known is None or known[0] is not schema:
        text = json.dumps([_FORMAT, __version__, installation(), settings, _schema_digest(schema)])
        digest = blake2b(text.encode("utf-8", "surrogateescape"), digest_size=32).hexdigest()
        known = _contexts[settings] = (schema, digest)
    return known[1]


def _encode(result: FileResult) -> str | None:
    """The result as JSON, or None when it would not come back identical (front matter JSON cannot hold)."""
    front_matter = result.front_matter
    try:
        if front_matter is not None and json.loads(json.dumps(front_matter)) != front_matter:
            return None
        entry = {
            "format": _FORMAT, "path": result.path, "schema": result.schema, "title": result.title,
            "front_matter": front_matter, "sections": result.sections,
            "findings": [[f.path, f.line, f.column, f.rule, str(f.severity.value if isinstance(f.severity, Severity)
                                                                   else f.severity), f.message, f.section]
                         for f in result.findings],
            "action_items": [[_plain(getattr(item, name)) for name in _ITEM_FIELDS] for item in result.action_items],
        }
        text = json.dumps(entry)
    except (TypeError, ValueError, RecursionError):
        return None
    return text if json.loads(text) == entry else None


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _finding(row: Any) -> Finding:
    path, line, column, rule, severity, message, section = row
    if not (isinstance(path, str) and type(line) is int and type(column) is int and isinstance(rule, str)
            and severity in _SEVERITIES and isinstance(message, str) and (section is None or isinstance(section, str))):
        raise ValueError("finding")
    return Finding(path, line, column, rule, _SEVERITIES[severity], message, section)


_ITEM_KINDS = {"id": str, "text": str, "line": int, "done": bool, "placeholder": bool, "position": int}
_ITEM_OPTIONAL = ("due", "priority", "issue")


def _item(row: Any) -> ActionItem:
    if not (isinstance(row, list) and len(row) == len(_ITEM_FIELDS)):
        raise ValueError("item")
    values = dict(zip(_ITEM_FIELDS, row, strict=True))
    for name, kind in _ITEM_KINDS.items():
        if type(values[name]) is not kind:
            raise ValueError("item")
    for name in _ITEM_OPTIONAL:
        if not (values[name] is None or isinstance(values[name], str)):
            raise ValueError("item")
    for name in ("assignees", "labels"):
        if not (isinstance(values[name], list) and all(isinstance(v, str) for v in values[name])):
            raise ValueError("item")
        values[name] = tuple(values[name])
    return ActionItem(**values)


def _decode(text: str, path: str) -> FileResult | None:
    """The result an entry holds, or None for anything that is not exactly an entry for ``path``."""
    try:
        entry = json.loads(text)
        if not (isinstance(entry, dict) and entry.get("format") == _FORMAT and entry.get("path") == path
                and isinstance(entry.get("schema"), str) and isinstance(entry.get("sections"), dict)
                and all(isinstance(v, dict) for v in entry["sections"].values())
                and (entry.get("title") is None or isinstance(entry.get("title"), str))
                and (entry.get("front_matter") is None or isinstance(entry.get("front_matter"), dict))
                and isinstance(entry.get("findings"), list) and isinstance(entry.get("action_items"), list)):
            return None
        return FileResult(path, entry["schema"], [_finding(row) for row in entry["findings"]],
                          title=entry["title"], front_matter=entry["front_matter"], sections=entry["sections"],
                          action_items=[_item(row) for row in entry["action_items"]])
    except (ValueError, TypeError, RecursionError):
        return None


class ResultCache:
    """One context's entries under one folder (``context`` is the ``context_digest`` every key of this run
    starts from), kept in packs: a pack holds many entries, one sealed line each in key order, and is written
    whole and atomically; a run writes one pack of the entries it made (one per ``_FLUSH_BYTES`` of them),
    and opens the packs of its context once, the first time it looks an entry up."""

    def __init__(self, folder: Path, context: str = "") -> None:
        self.folder = folder
        self.context = context
        self.misses = 0  # keys asked for and not found (or not trusted)
        self._ready = False
        self._secret: bytes | None = None
        self._packs: list[bytes | mmap] | None = None  # this context's packs, newest first
        self._index: dict[bytes, bytes] | None = None  # key -> line, once lookups are many
        self._lookups = 0
        self._new: list[bytes] = []  # sealed lines not written yet
        self._new_bytes = 0

    def _key(self) -> bytes | None:
        if self._secret is None:
            self._secret = sealing_key()
        return self._secret

    def key(self, path: str, data: bytes, template_lines: Iterable[str]) -> str:
        """The key of one file's result (the same in every process: nothing in it depends on hash order)."""
        digest = blake2b(digest_size=32)
        context = [_FORMAT, self.context, sorted(template_lines), path]
        digest.update(json.dumps(context).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str, path: str) -> FileResult | None:
        """The result kept for ``key``, or None (a miss) for anything that is not exactly an entry for ``path``."""
        line = self._line(key.encode("ascii"))
        text = None if line is None else self._opened(line)
        result = None if text is None else _decode(text, path)
        self.misses += result is None
        return result

    def put(self, key: str, result: FileResult) -> None:
        """Keep ``result`` (written with the next pack), unless it would not come back identical."""
        text = _encode(result)
        secret = self._key()
        if text is not None and secret is not None:
            body = f"{key} {text}".encode("ascii")  # JSON as written escapes every other character
            self.keep([b"%s %s %s\n" % (key.encode("ascii"), seal(secret, body), text.encode("ascii"))])

    def take(self) -> list[bytes]:
        """The sealed lines made since the last ``take`` (a worker process hands them to the parent)."""
        lines, self._new, self._new_bytes = self._new, [], 0
        return lines

    def keep(self, lines: list[bytes]) -> None:
        """Sealed lines to write with the next pack; written now when they are many."""
        self._new += lines
        self._new_bytes += sum(map(len, lines))
        if self._new_bytes > _FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the new entries as one pack, then tidy the folder; a cache that cannot be written is no
        cache, never an error."""
        lines = self.take()
        if lines and self._write(self._pack_path(), [_PACK_HEADER, *sorted(lines)]):
            self._tidy()

    def _line(self, key: bytes) -> bytes | None:
        """The newest line of this context's packs for ``key``: found by a binary search in each pack for the
        first few lookups (a run over one file reads a few pages of each), through an index of every line
        after that."""
        if self._packs is None:
            self._packs = self._read_packs()
        self._lookups += 1
        if self._index is None and self._lookups > _SCANS:
            self._index = {}
            for data in reversed(self._packs):  # oldest first: a newer line for a key replaces an older one
                self._index.update((line[:_KEY_LENGTH], line) for line in bytes(data).split(b"\n")[1:])
            self._packs = []
        if self._index is not None:
            return self._index.get(key)
        for data in self._packs:
            if (line := _bisect(data, key)) is not None:
                return line
        return None

    def _opened(self, line: bytes) -> str | None:
        """The entry a pack line holds when this user's key sealed it with its key; else None."""
        secret = self._key()
        key, _, rest = line.partition(b" ")
        kept, _, text = rest.partition(b" ")
        if secret is None or not compare_digest(kept, seal(secret, key + b" " + text)):
            return None
        return text.decode("ascii", "replace")

    # --- packs on disk -----------------------------------------------------------------------------------

    def _pack_path(self) -> Path:
        """A new pack's name: this context, then the time (names sort oldest first), then a random part."""
        return self.folder / "packs" / f"{self.context[:16]}-{time.time_ns():016x}-{os.urandom(4).hex()}.pack"

    def _files(self) -> list[os.DirEntry[str]]:
        """The files in the packs folder, without a ``stat`` each (a symbolic link is no pack: a cache folder
        committed to the tree may hold one)."""
        if (self.folder / "packs").is_symlink():  # a link in a committed cache folder is never followed
            return []
        try:
            with os.scandir(self.folder / "packs") as entries:
                return [entry for entry in entries if entry.is_file(follow_symlinks=False)]
        except OSError:
            return []

    def _mine(self, names: Iterable[str]) -> list[str]:
        """This context's packs among ``names``, oldest first."""
        prefix = f"{self.context[:16]}-"
        return sorted(name for name in names if name.startswith(prefix) and name.endswith(".pack"))

    def _read_packs(self) -> list[bytes | mmap]:
        """This context's packs, newest first, at most ``2 * _MAX_PACKS`` and ``_MAX_BYTES`` in all; one
        that cannot be read or is not a pack is left out (its entries are misses)."""
        packs: list[bytes | mmap] = []
        budget = _MAX_BYTES
        for name in reversed(self._mine(entry.name for entry in self._files())[-2 * _MAX_PACKS:]):
            try:
                data = _pack_bytes(self.folder / "packs" / name, budget, mapped=True)
            except OSError:
                continue
            if data:
                packs.append(data)
                budget -= len(data)
        return packs

    def _sizes(self) -> dict[str, int]:
        """Every pack in the folder (of any context) with its size; a temporary file left behind by a
        process that died while writing is removed."""
        sizes: dict[str, int] = {}
        for entry in self._files():
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if left_by_a_dead_writer(entry.name, info.st_mtime_ns):
                remove(entry.path)
            elif entry.name.endswith(".pack"):
                sizes[entry.name] = info.st_size
        return sizes

    def _tidy(self) -> None:
        """Keep the folder bounded: when the packs of every context hold more than ``_MAX_BYTES``, remove
        other contexts' packs, oldest first; when this context has more than ``_MAX_PACKS`` packs, or the
        folder is still too large, merge them into one."""
        sizes = self._sizes()
        total = sum(sizes.values())
        mine = self._mine(sizes)
        for name in sorted(set(sizes) - set(mine), key=lambda name: name.partition("-")[2]):
            if total <= _MAX_BYTES:
                break
            if remove(self.folder / "packs" / name):
                total -= sizes[name]
        if len(mine) > _MAX_PACKS or total > _MAX_BYTES:
            self._compact(mine, _MAX_BYTES // 2 if total > _MAX_BYTES else _MAX_BYTES)

    def _compact(self, names: list[str], budget: int) -> None:
        """Merge the packs ``names`` (oldest first) into one of the entries still useful: sealed by this
        user, the newest for each path, the newest first up to ``budget`` bytes; then remove exactly the
        packs merged (one another run wrote meanwhile stays; one that is gone was merged by another run)."""
        keys: set[bytes] = set()
        paths: set[str] = set()
        lines: list[bytes] = []
        merged: list[Path] = []
        for name in reversed(names):
            pack = self.folder / "packs" / name
            try:
                data = bytes(_pack_bytes(pack, _MAX_BYTES))  # read, never mapped
            except FileNotFoundError:
                continue
            except OSError:
                data = b""
            merged.append(pack)  # a pack that is damaged or too large is merged too: into nothing
            for line in data.split(b"\n")[1:]:
                key = line[:_KEY_LENGTH]
                if key in keys or len(line) >= budget:
                    continue  # a copy of a line kept (the key alone need not be opened), or too large
                path = _entry_path(self._opened(line))
                if path is not None and path not in paths:
                    keys.add(key)
                    paths.add(path)
                    lines.append(line + b"\n")
                    budget -= len(line) + 1
        if merged and self._write(self._pack_path(), [_PACK_HEADER, *sorted(lines)]):
            for pack in merged:
                remove(pack)

    def _write(self, path: Path, chunks: list[bytes]) -> bool:
        """Write ``chunks`` to ``path`` atomically (a temporary file renamed); False when it cannot be written."""
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                _ignore_all(self.folder)
                self._ready = True
            path.parent.mkdir(exist_ok=True)
            if path.parent.is_symlink():  # a link in a committed cache folder is never written through
                return False
            replace_file(str(path), chunks, TEMPORARY)
        except OSError:
            return False
        return True

    # --- single sealed files (the context manifests) -----------------------------------------------------

    def read(self, entry: str | Path) -> str | None:
        """The text of a sealed file; anything else (missing, not a regular file, not sealed by this user's
        key, not UTF-8) is None."""
        secret = self._key()
        if secret is None or Path(entry).is_symlink() or Path(entry).parent.is_symlink():
            return None
        try:
            data, size = read_regular(entry, _MAX_BYTES)
            text = unsealed(secret, data)
            return None if size > _MAX_BYTES or text is None else text.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def write(self, entry: Path, text: str) -> None:
        """Seal ``text`` and write it to ``entry`` atomically; a cache that cannot be written is no cache,
        never an error."""
        secret = self._key()
        if secret is not None:
            data = text.encode("utf-8")
            self._write(entry, sealed(secret, data))


def _ignore_all(folder: Path) -> None:
    """A ``.gitignore`` that keeps the whole cache folder out of git, made once (never through a link)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(folder / ".gitignore", flags, 0o644)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write("# written by postmortem-check: the whole folder is a cache\n*\n")


def _pack_bytes(path: Path, limit: int, mapped: bool = False) -> bytes | mmap:
    """A pack's bytes (``mapped`` and larger than ``_MAP_BYTES``: mapped, so that a lookup reads only the
    pages it needs); empty when it is not a regular file, is larger than ``limit`` or is not a pack. OSError
    when it cannot be opened (FileNotFoundError: another run removed it). A pack is never changed once it is
    in place (it is written whole, then renamed), so it is read in one call, of the size it has."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return b""
        if mapped and info.st_size > _MAP_BYTES:
            import mmap  # only then: importing it costs more than reading a small pack

            data: bytes | mmap.mmap = mmap.mmap(descriptor, 0, access=mmap.ACCESS_READ)
        else:
            data = os.read(descriptor, info.st_size)
    finally:
        os.close(descriptor)
    return data if data[:len(_PACK_HEADER)] == _PACK_HEADER else b""


def _bisect(data: bytes | mmap, key: bytes) -> bytes | None:
    """The line for ``key`` in a pack, whose lines are sorted (each begins with its key): a binary search over
    its bytes, reading a few lines of it however many it holds."""
    low, high = len(_PACK_HEADER), len(data)  # a line starts at low; none that starts at high or after matches
    while low < high:
        start = data.rfind(b"\n", low - 1, (low + high) // 2) + 1  # the line around the middle
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        found = data[start:start + _KEY_LENGTH]
        if found == key:
            return data[start:end]
        if found < key:
            low = end + 1
        else:
            high = start
    return None


def _entry_path(text: str | None) -> str | None:
    """The path an entry is for, or None when it is not an entry of this format."""
    try:
        entry = json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        return None
    path = entry.get("path") if isinstance(entry, dict) and entry.get("format") == _FORMAT else None
    return path if isinstance(path, str) else None


# --- the context manifest: a hit decided before the config and its schema are loaded ---------------------

def _manifest(folder: Path, config_path: Path | None, config_bytes: bytes, schema_arg: str | None) -> Path:
    """Where the manifest of a config file with these bytes, read from this working directory, is kept."""
    digest = blake2b(digest_size=32)
    context = [_FORMAT, __version__, installation(), None if config_path is None else str(config_path), os.getcwd(),
               schema_arg]
    digest.update(json.dumps(context).encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(config_bytes)
    return folder / "contexts" / f"{digest.hexdigest()}.manifest"


def _file_bytes(path: str | Path, settled_before: int | None = None) -> bytes | None:
    """A config or schema file's bytes; None when it cannot be read, is too large, or (``settled_before``)
    changed after that time."""
    try:
        data, size = read_regular(path, CONFIG_MAX_BYTES)
        if settled_before is not None and os.stat(path).st_mtime_ns >= settled_before:
            return None
    except OSError:
        return None
    return data if size <= CONFIG_MAX_BYTES else None


def _file_hash(path: str, settled_before: int | None = None) -> str | None:
    data = _file_bytes(path, settled_before)
    return None if data is None else blake2b(data, digest_size=32).hexdigest()


def _config_data(config: Config) -> dict[str, Any]:
    data = {name: getattr(config, name) for name in _CONFIG_FIELDS}
    return {**data, "path": None if config.path is None else str(config.path),
            "include": list(config.include), "exclude": list(config.exclude)}


def _config_from(data: Any) -> Config | None:
    """The Config a manifest holds, or None for anything that is not one."""
    if not (isinstance(data, dict) and set(data) == set(_CONFIG_FIELDS)
            and (data["path"] is None or isinstance(data["path"], str))
            and all(isinstance(data[name], list) and all(isinstance(v, str) for v in data[name])
                    for name in ("include", "exclude"))):
        return None
    try:
        return Config(**{**data, "path": None if data["path"] is None else Path(data["path"]),
                         "include": tuple(data["include"]), "exclude": tuple(data["exclude"])})
    except TypeError:
        return None


def _schema_files(config: Config, schema: LoadedSchema) -> list[str] | None:
    """Every file the schema was read from: the packaged schemas, a team schema and each file its ``$ref``s
    reach; None when they are not plain files (a zipped install)."""
    from urllib.parse import urlparse

    from .schema import BUILTIN_SCHEMAS, _schema_files

    packaged = _schema_files()
    if not isinstance(packaged, Path):
        return None
    files = sorted(str(entry) for entry in packaged.iterdir() if entry.name.endswith(".json"))
    if config.schema not in BUILTIN_SCHEMAS:
        files.append(str(Path(config.schema).resolve()))
    for uri in schema.resources:
        if str(uri).startswith("file:"):
            files.append(str(Path(urlparse(str(uri)).path).resolve()))
    return files


def remember_config(config: Config, schema_arg: str | None, schema: LoadedSchema, started_ns: int) -> None:
    """Keep the loaded ``config`` and ``schema`` as a manifest for the next run; not when the cache is off,
    nor when a file it was read from cannot be read again or changed after ``started_ns`` (when loading
    began, less a margin for coarse file times): it might then hold other bytes than those loaded."""
    if not config.cache:
        return
    settled = started_ns - SETTLED_NS
    config_bytes = b"" if config.path is None else _file_bytes(config.path, settled)
    files = _schema_files(config, schema)
    if config_bytes is None or files is None:
        return
    hashes = [[name, _file_hash(name, settled)] for name in files]
    data = _config_data(config)
    rebuilt = _config_from(json.loads(json.dumps(data, default=repr)))
    if any(digest is None for _, digest in hashes) or rebuilt is None or repr(rebuilt) != repr(config):
        return  # settings JSON cannot hold (a date in ``issues``): this config is loaded every run
    _schema_sources[config.schema] = files
    cache = ResultCache(_folder(config.path))
    text = json.dumps({"format": _FORMAT, "config": data, "files": hashes,
                       "context": _context(config, lambda: schema)})
    manifest = _manifest(cache.folder, config.path, config_bytes, schema_arg)
    cache.write(manifest, text)
    prune(manifest.parent, ".manifest", _MAX_MANIFESTS)


def known_config(config_path: Path | None, schema_arg: str | None) -> Config | None:
    """The config a manifest kept for a config file with these bytes (none: ``config_path`` None) and this
    ``--schema``, when every file its schema was read from still has the same bytes; None otherwise, and then
    the config is loaded as usual. The context digest it holds is remembered for the run's keys."""
    config_bytes = b"" if config_path is None else _file_bytes(config_path)
    if config_bytes is None:
        return None
    folder = _folder(config_path)
    text = ResultCache(folder).read(_manifest(folder, config_path, config_bytes, schema_arg))
    try:
        entry = json.loads(text) if text is not None else None
    except (ValueError, RecursionError):
        return None
    if not (isinstance(entry, dict) and entry.get("format") == _FORMAT and isinstance(entry.get("context"), str)
            and isinstance(entry.get("files"), list)):
        return None
    for row in entry["files"]:
        if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str)
                and _file_hash(row[0]) == row[1]):
            return None
    config = _config_from(entry.get("config"))
    if config is not None:
        _contexts[_settings(config)] = (None, entry["context"])
        _checked_schemas.add(config.schema)
        _schema_sources[config.schema] = [row[0] for row in entry["files"]]
    return config
