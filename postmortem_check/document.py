"""Read stage: bytes to text, with the problems of decoding reported as findings, and front matter."""

from __future__ import annotations

import codecs
import os
import re
import stat
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .files import read_regular
from .findings import Finding
from .lazy_re import LazyPattern
from .pattern_store import compiled_from_store

if TYPE_CHECKING:
    import yaml


class Document:
    """A decoded document: its text, its lines, its front matter and what went wrong reading it."""

    __slots__ = ("body_start", "findings", "front_matter", "lines", "path", "readable", "template_lines", "text")

    def __init__(self, path: str, text: str, lines: list[str], findings: list[Finding] | None = None,
                 readable: bool = True) -> None:
        self.path = path
        self.text = text
        self.lines = lines
        self.front_matter: dict[str, Any] | None = None
        self.body_start = 1  # file line where the Markdown body starts (after front matter)
        self.findings: list[Finding] = [] if findings is None else findings
        self.template_lines: frozenset[str] = frozenset()  # prose lines of the team's template (template_lines_for)
        self.readable = readable  # False: nothing to lint beyond ``findings`` (not UTF-8 text)

    @property
    def empty(self) -> bool:
        """Nothing but white space: only the missing sections to report."""
        return not self.text.strip()


def split_lines(text: str) -> list[str]:
    """Split on the line breaks Markdown knows (LF, CRLF, CR) and no others."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def decode(path: str, data: bytes) -> Document:
    """Decode ``data`` as UTF-8 (a BOM is accepted); binary or undecodable input gives a finding."""
    nul = data.find(b"\x00")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _unreadable(path, "file is UTF-16 encoded (byte order mark at offset 0); save it as UTF-8", 1)
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        return _unreadable(path, f"file is not text: NUL byte at offset {nul}", line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        offset = error.start + (3 if data.startswith(codecs.BOM_UTF8) else 0)
        line = data.count(b"\n", 0, offset) + 1
        return _unreadable(path, f"file is not valid UTF-8: byte 0x{data[offset]:02x} at offset {offset}", line)
    if not text.strip():  # nothing to read front matter from; lint reports what is missing
        return Document(path, text, split_lines(text))
    document = Document(path, text, split_lines(text))
    _read_front_matter(document)
    return document


def _unreadable(path: str, message: str, line: int) -> Document:
    finding = Finding(path, line, 1, "unreadable-file", "error", message)
    return Document(path, "", [""], findings=[finding], readable=False)


_MAX_YAML_DEPTH = 100


def _without_timestamps(yaml: Any) -> dict[Any, Any]:
    """The safe loader's implicit resolvers, except the one that turns dates into date objects."""
    return {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


@lru_cache(maxsize=1)
def _safe_loader() -> Any:
    """The YAML loader class, built on first use so that files without front matter never import yaml."""
    import yaml

    class _SafeLineLoader(yaml.SafeLoader):
        """Safe loader that refuses aliases (no alias bomb can expand), deep nesting (no RecursionError)
        and impossible dates, and keeps implicit dates as strings."""

        yaml_implicit_resolvers = _without_timestamps(yaml)
        _depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.constructor.ConstructorError(
                    None, None, "YAML aliases (*name) are not allowed here", event.start_mark
                )
            if self._depth >= _MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                message = f"YAML nested more than {_MAX_YAML_DEPTH} levels deep"
                raise yaml.composer.ComposerError(None, None, message, mark)
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_yaml_timestamp(self, node: Any) -> Any:
            """``!!timestamp 2024-13-45`` is a YAML error, not a ValueError that stops the run."""
            try:
                return super().construct_yaml_timestamp(node)
            except ValueError as error:
                raise yaml.constructor.ConstructorError(
                    None, None, f"{node.value!r} is not a valid date: {error}", node.start_mark
                ) from None

    _SafeLineLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLineLoader.construct_yaml_timestamp)
    return _SafeLineLoader


@lru_cache(maxsize=1)
def _fast_loader() -> Any:
    """libyaml's safe loader with the same resolvers (dates stay strings); None without libyaml."""
    import yaml

    if not getattr(yaml, "__with_libyaml__", False):
        return None

    class _FastSafeLoader(yaml.CSafeLoader):
        """For front matter that cannot hold an anchor or alias: it has neither ``&`` nor ``*``."""

        yaml_implicit_resolvers = _without_timestamps(yaml)

    return _FastSafeLoader


_NESTED_SEQUENCE = LazyPattern(r"^[ \t]*-[ \t]+-", re.M)
_DEEP_INDENT = LazyPattern(r"^ {33}", re.M)


def _plain(text: str) -> bool:
    """Short, shallow, printable ASCII without anchors, aliases or tags: both YAML parsers read it the
    same way, and libyaml (which recurses in C) never meets deep nesting (few brackets, little indent)."""
    return (len(text) <= 8192 and text.isascii() and text.replace("\n", "").isprintable()
            and not any(c in text for c in "&*!?@`%|>") and text.count("[") + text.count("{") <= 32
            and not _NESTED_SEQUENCE.search(text) and not _DEEP_INDENT.search(text))


@lru_cache(maxsize=1)
def yaml_module() -> ModuleType:
    """PyYAML, imported on first use: the patterns it compiles when imported are built from the pattern store."""
    with compiled_from_store():
        import yaml
    return yaml


def load_yaml(text: str) -> Any:
    """Load YAML with a safe loader that also refuses aliases."""
    yaml = yaml_module()

    if _plain(text) and _fast_loader() is not None:
        try:
            return yaml.load(text, Loader=_fast_loader())  # a CSafeLoader subclass
        except yaml.YAMLError:
            pass  # the pure-Python loader says what is wrong, in its own words
    return yaml.load(text, Loader=_safe_loader())  # a SafeLoader subclass


def yaml_error_line(error: yaml.YAMLError) -> int | None:
    """The 1-based line a YAML error points at, relative to the YAML text."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return mark.line + 1 if mark is not None else None


def _read_front_matter(document: Document) -> None:
    lines = document.lines
    if not lines or lines[0].rstrip() != "---":
        return
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        return  # an opening rule with no closing one is not front matter
    document.body_start = end + 2
    yaml = yaml_module()
    try:
        data = load_yaml("\n".join(lines[1:end]))
    except yaml.YAMLError as error:
        line = yaml_error_line(error)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        document.findings.append(
            Finding(document.path, 1 + (line or 1), 1, "front-matter-yaml", "error",
                    f"front matter is not valid YAML: {problem}")
        )
        document.front_matter = {}
        return
    if data is None:
        data = {}
    if not isinstance(data, dict):
        document.findings.append(
            Finding(document.path, 2, 1, "front-matter-yaml", "error",
                    f"front matter must be a mapping of fields, not a {type(data).__name__}")
        )
        data = {}
    document.front_matter = {str(key): _jsonable(value) for key, value in data.items()}


def _jsonable(value: Any) -> Any:
    """YAML dates and other scalars as JSON values (dates as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


_TEMPLATE_MAX_BYTES = 256 * 1024
_LIST_MARKER = LazyPattern(r"^(?:[-*+]|\d{1,3}[.)])[ \t]{1,4}")
_TEMPLATE_MIN_WORDS = 5


def template_key(line: str) -> str:
    """A prose line as compared with the template's: without list marker and extra white space."""
    return " ".join(_LIST_MARKER.sub("", line.strip()).split())


def template_prose(text: str) -> frozenset[str]:
    """The instruction lines of a template: prose of five words or more (not headings, tables or slots)."""
    keys = set()
    for line in split_lines(text):
        key = template_key(line)
        if key[:1] not in ("#", "|", "<", "`", ">", "") and "{{" not in key and len(key.split()) >= _TEMPLATE_MIN_WORDS:
            keys.add(key)
    return frozenset(keys)


def template_lines_for(path: str) -> frozenset[str]:
    """Prose lines of the team's template: a regular Markdown file named ``*template*`` in the document's
    own folder (links are not followed, large files are not read; the template itself gets none)."""
    folder, name = os.path.split(os.path.abspath(path))
    template = _template_in(folder)
    if template is None or template[0] == name:
        return frozenset()
    return template[1]


def template_candidates(folder: str) -> list[str] | None:
    """The names in ``folder`` that may be the team's template, in the order they are tried; None when the
    folder cannot be listed."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    # only the candidates are sorted: a folder of thousands of postmortems is listed at every run
    return sorted(n for n in names if "template" in n.lower() and n.lower().endswith((".md", ".markdown")))


@lru_cache(maxsize=64)
def _template_in(folder: str) -> tuple[str, frozenset[str]] | None:
    for name in template_candidates(folder) or ():
        full = os.path.join(folder, name)
        try:
            if stat.S_ISLNK(os.lstat(full).st_mode):
                continue
            data, size = read_regular(full, _TEMPLATE_MAX_BYTES)  # never blocks on a FIFO swapped in
            if size > _TEMPLATE_MAX_BYTES:
                continue
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            continue
        return name, template_prose(text)
    return None
