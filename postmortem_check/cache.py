"""Result cache: what lint found in a file, kept per file and keyed by everything that can change it.

The key is a hash of the tool version, the config, the schema with every resource it references, the
template lines read beside the file, the file's path and its bytes. An entry is plain JSON, checked field by
field when read: a corrupt, foreign or partial entry is a miss and is written again, never trusted.

Every entry is sealed with an HMAC under a secret kept in the user's cache home, never in the project: a
cache folder committed to the repository (a pull request can add one) holds no entry this machine sealed,
so it can never hide a finding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import __version__
from .action_items import ActionItem
from .config import Config
from .files import read_regular
from .findings import Finding, Severity
from .results import FileResult
from .schema import LoadedSchema

FOLDER = ".postmortem-check-cache"
_MAX_ENTRY = 64 * 1024 * 1024
_FORMAT = 1  # bumped when an entry's layout changes
_SEVERITIES = {s.value: s for s in Severity}
_ITEM_FIELDS = ("id", "text", "line", "done", "assignees", "labels", "due", "priority", "issue", "placeholder",
                "index")


def cache_folder(config: Config) -> Path:
    """``.postmortem-check-cache`` at the project root (the config file's folder, else the working
    directory); ``$XDG_CACHE_HOME/postmortem-check`` (default ``~/.cache``) when that folder cannot be written;
    ``$POSTMORTEM_CHECK_CACHE_DIR`` when it is set."""
    chosen = os.environ.get("POSTMORTEM_CHECK_CACHE_DIR")
    if chosen:
        return Path(chosen)
    root = config.path.parent if config.path is not None else Path.cwd()
    if os.access(root / FOLDER if (root / FOLDER).is_dir() else root, os.W_OK):
        return root / FOLDER
    return _user_cache()


def _user_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "postmortem-check"


def _secret() -> bytes | None:
    """This user's sealing key, made on first use (readable by the user alone); None when it cannot be had."""
    path = _user_cache() / "key"
    try:
        data, size = read_regular(path, 64)
        if size == 32:
            return data
    except FileNotFoundError:
        pass
    except OSError:
        return None
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
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


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


def result_key(path: str, data: bytes, template_lines: Iterable[str], schema: LoadedSchema, config: Config) -> str:
    """The cache key of one file's result (the same in every process: nothing in it depends on hash order)."""
    digest = hashlib.sha256()
    context = [_FORMAT, __version__, repr(config), _schema_digest(schema), sorted(template_lines), path]
    digest.update(json.dumps(context, default=repr).encode("utf-8", "surrogateescape"))
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


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


def _item(row: Any) -> ActionItem:
    if not (isinstance(row, list) and len(row) == len(_ITEM_FIELDS)):
        raise ValueError("item")
    values = dict(zip(_ITEM_FIELDS, row, strict=True))
    kinds = {"id": str, "text": str, "line": int, "done": bool, "placeholder": bool, "index": int}
    if not all(type(values[name]) is kind for name, kind in kinds.items()):
        raise ValueError("item")
    if not all(values[name] is None or isinstance(values[name], str) for name in ("due", "priority", "issue")):
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
    """Entries under one folder, one file each, written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._ready = False
        self._secret: bytes | None = None

    def _key(self) -> bytes | None:
        if self._secret is None:
            self._secret = _secret()
        return self._secret

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, path: str) -> FileResult | None:
        """The sealed entry for ``key``; anything else (missing, not a regular file, not sealed by this
        user's key, corrupt) is a miss."""
        secret = self._key()
        if secret is None:
            return None
        try:
            data, size = read_regular(self._entry(key), _MAX_ENTRY)
            seal, _, text = data.decode("utf-8").partition("\n")
        except (OSError, UnicodeDecodeError):
            return None
        if size > _MAX_ENTRY or not hmac.compare_digest(seal, _seal(secret, text)):
            return None
        return _decode(text, path)

    def put(self, key: str, result: FileResult) -> None:
        """Keep ``result``; a cache that cannot be written is no cache, never an error."""
        text = _encode(result)
        secret = self._key()
        if text is None or secret is None:
            return
        entry = self._entry(key)
        try:
            if not self._ready:
                self.folder.mkdir(parents=True, exist_ok=True)
                ignore = self.folder / ".gitignore"
                if not ignore.exists():
                    ignore.write_text("# written by postmortem-check: the whole folder is a cache\n*\n", "utf-8")
                self._ready = True
            entry.parent.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(f"{_seal(secret, text)}\n{text}")
                os.replace(temporary, entry)
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            return
