"""Result cache: what lint found in a file, kept per file and keyed by everything that can change it.

The key is a hash of the context (the tool version, the config, the schema with every resource it
references), the template lines read beside the file, the file's path and its bytes. An entry is plain
JSON, checked field by field when read: a corrupt, foreign or partial entry is a miss and is written again,
never trusted.

So that a hit is decided before the config's YAML is parsed and the schema compiled (jsonschema, PyYAML and
mistune are not imported on a warm run), each loaded context is also kept as a manifest, keyed by the
config file's bytes, the ``--schema`` given and the working directory: the config as loaded, the context's
digest, and every schema file read with the hash of its bytes. A manifest is used only when each of those
files still has those bytes.

Every entry is sealed with an HMAC under a secret kept in the user's cache home, never in the project: a
cache folder committed to the repository (a pull request can add one) holds no entry this machine sealed,
so it can never hide a finding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import Config
from .files import CONFIG_MAX_BYTES, read_regular
from .findings import Finding, Severity
from .results import ActionItem, FileResult

if TYPE_CHECKING:
    from .schema import LoadedSchema

FOLDER = ".postmortem-check-cache"
_MAX_ENTRY = 64 * 1024 * 1024
_FORMAT = 2  # bumped when an entry's layout changes
_SETTLED_NS = 2_000_000_000  # a file changed this recently may have changed after it was read: no manifest
_SEVERITIES = {s.value: s for s in Severity}
_CONFIG_FIELDS = tuple(f.name for f in fields(Config))
_ITEM_FIELDS = ("id", "text", "line", "done", "assignees", "labels", "due", "priority", "issue", "placeholder",
                "index")


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
    if os.access(root / FOLDER if (root / FOLDER).is_dir() else root, os.W_OK):
        return root / FOLDER
    return _user_cache()


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "postmortem-check"


def _secret() -> bytes | None:
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


def _seal(secret: bytes, text: str) -> str:
    return hmac.digest(secret, text.encode("utf-8"), "sha256").hex()


_digests: dict[int, tuple[LoadedSchema, str]] = {}


def _schema_digest(schema: LoadedSchema) -> str:
    """The schema as loaded, with every resource its ``$ref``s may reach (team files included); once per
    loaded schema (schemas are compiled once per process and kept)."""
    known = _digests.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1]
    registry = schema.registry
    resources = sorted((str(uri), registry[uri].contents) for uri in registry) if registry is not None else []
    text = json.dumps([schema.name, schema.schema, resources], sort_keys=True, default=repr)
    digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
    _digests[id(schema)] = (schema, digest)
    return digest


def _settings(config: Config) -> str:
    """The config's settings that can change a file's findings (not which files are linted, nor the cache)."""
    return repr(replace(config, include=(), exclude=(), cache=True))


# settings -> the context digest and the schema it was computed from (None: read from a manifest)
_contexts: dict[str, tuple[LoadedSchema | None, str]] = {}


def forget_contexts() -> None:
    """Start afresh: a config about to be loaded again may come with other schema files."""
    _contexts.clear()


def context_digest(config: Config, load_schema: Callable[[], LoadedSchema]) -> str:
    """The digest of everything besides the file that can change its findings: the tool version, the
    config's settings and its schema (loaded by ``load_schema`` unless a manifest already gave the digest)."""
    settings = _settings(config)
    known = _contexts.get(settings)
    if known is not None and known[0] is None:
        return known[1]
    schema = load_schema()
    if known is None or known[0] is not schema:
        text = json.dumps([_FORMAT, __version__, settings, _schema_digest(schema)])
        known = _contexts[settings] = (schema, hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest())
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


_ITEM_KINDS = {"id": str, "text": str, "line": int, "done": bool, "placeholder": bool, "index": int}
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
    """Entries under one folder, one file each, sealed and written atomically; ``context`` is the
    ``context_digest`` every key of this run starts from."""

    def __init__(self, folder: Path, context: str = "") -> None:
        self.folder = folder
        self.context = context
        self.misses = 0  # keys asked for and not found (or not trusted)
        self._ready = False
        self._secret: bytes | None = None

    def _key(self) -> bytes | None:
        if self._secret is None:
            self._secret = _secret()
        return self._secret

    def _entry(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], f"{key}.json")

    def key(self, path: str, data: bytes, template_lines: Iterable[str]) -> str:
        """The key of one file's result (the same in every process: nothing in it depends on hash order)."""
        digest = hashlib.sha256()
        context = [_FORMAT, self.context, sorted(template_lines), path]
        digest.update(json.dumps(context).encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def read(self, entry: str | Path) -> str | None:
        """The text of a sealed entry; anything else (missing, not a regular file, not sealed by this user's
        key, not UTF-8) is None."""
        secret = self._key()
        if secret is None:
            return None
        try:
            data, size = read_regular(entry, _MAX_ENTRY)
            seal, _, text = data.decode("utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            return None
        if size > _MAX_ENTRY or not hmac.compare_digest(seal, _seal(secret, text)):
            return None
        return text

    def write(self, entry: str | Path, text: str) -> None:
        """Seal ``text`` and write it to ``entry`` atomically; a cache that cannot be written is no cache,
        never an error."""
        secret = self._key()
        if secret is None:
            return
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                ignore = self.folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# written by postmortem-check: the whole folder is a cache\n*\n", "utf-8")
                self._ready = True
            import tempfile  # only when writing: a warm run never imports it

            folder = os.path.dirname(entry)
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(f"{_seal(secret, text)}\n{text}")
                os.replace(temporary, entry)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return

    def get(self, key: str, path: str) -> FileResult | None:
        """The result kept for ``key``, or None (a miss) for anything that is not exactly an entry for ``path``."""
        text = self.read(self._entry(key))
        result = None if text is None else _decode(text, path)
        self.misses += result is None
        return result

    def put(self, key: str, result: FileResult) -> None:
        """Keep ``result``, unless it would not come back identical."""
        text = _encode(result)
        if text is not None:
            self.write(self._entry(key), text)


# --- the context manifest: a hit decided before the config and its schema are loaded ---------------------

def _manifest(folder: Path, config_path: Path | None, config_bytes: bytes, schema_arg: str | None) -> Path:
    """Where the manifest of a config file with these bytes, read from this working directory, is kept."""
    digest = hashlib.sha256()
    context = [_FORMAT, __version__, None if config_path is None else str(config_path), os.getcwd(), schema_arg]
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
    return None if data is None else hashlib.sha256(data).hexdigest()


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
    for uri in schema.registry or ():
        if str(uri).startswith("file:"):
            files.append(str(Path(urlparse(str(uri)).path).resolve()))
    return files


def remember_config(config: Config, schema_arg: str | None, schema: LoadedSchema, started_ns: int) -> None:
    """Keep the loaded ``config`` and ``schema`` as a manifest for the next run; not when the cache is off,
    nor when a file it was read from cannot be read again or changed after ``started_ns`` (when loading
    began, less a margin for coarse file times): it might then hold other bytes than those loaded."""
    if not config.cache:
        return
    settled = started_ns - _SETTLED_NS
    config_bytes = b"" if config.path is None else _file_bytes(config.path, settled)
    files = _schema_files(config, schema)
    if config_bytes is None or files is None:
        return
    hashes = [[name, _file_hash(name, settled)] for name in files]
    data = _config_data(config)
    rebuilt = _config_from(json.loads(json.dumps(data, default=repr)))
    if any(digest is None for _, digest in hashes) or rebuilt is None or repr(rebuilt) != repr(config):
        return  # settings JSON cannot hold (a date in ``issues``): this config is loaded every run
    cache = ResultCache(_folder(config.path))
    text = json.dumps({"format": _FORMAT, "config": data, "files": hashes,
                       "context": context_digest(config, lambda: schema)})
    cache.write(_manifest(cache.folder, config.path, config_bytes, schema_arg), text)


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
    return config
