"""Compiled regular expressions kept between runs, as the interpreter keeps the bytecode of modules.

``re.compile`` parses a pattern and generates its program in Python; the engine then builds the pattern
object from that program, a list of unsigned integers (``_sre.compile``, the call ``re.compile`` ends
with). For a one-file lint, parsing and generating the package's patterns, the schema's wording patterns
and mistune's block scanners costs about a fifth of the run. A run keeps the programs it generated in one
file of the user's cache folder (one per interpreter build: ``patterns-<digest>.bin``), sealed with the
user's key as the result cache is; a later run builds each pattern it needs from its program. mistune and
PyYAML compile theirs when imported: they are imported under ``compiled_from_store``, which stands in for
``re.compile`` meanwhile. A pattern built so compares equal to the one ``re.compile`` returns (equality of
patterns compares their programs; a test checks every pattern).

What a wording pattern's matches need (``needed_text``: that text's anchors and its finder) is kept beside
its program once found, and the file is named by that module's source too: a change to how that text is
found starts a new file.

Anything unexpected is ``re.compile`` as usual: no key yet, a file this user's key did not seal, an entry
of the wrong shape, an interpreter whose ``re`` internals differ. ``keep_programs(False)`` turns the file
off: ``lint --no-cache`` neither reads nor writes it, a config with ``cache: false`` writes nothing.
"""

from __future__ import annotations

import marshal
import os
import re
import sys
from contextlib import contextmanager

from .digests import blake2b, sealed, unsealed

TYPE_CHECKING = False  # typing is not imported here: this module is imported by every module of patterns
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any, TypeGuard

    # of the strings one of which every match contains (``needed_text``): their ``anchors`` (None: none) and
    # the pattern that finds them (``finder``)
    Needed = tuple[tuple[str, ...] | None, str]
    # _sre.compile's arguments after the pattern, the code as the bytes of its unsigned ints; then what its
    # matches need (None: nothing known; False: not found yet)
    Program = tuple[int, bytes, int, dict[str, int], tuple[str | None, ...], Needed | bool | None]

try:
    from _sre import compile as _from_program
    if sys.version_info >= (3, 11):
        from re import _compiler, _parser
    else:  # pragma: no cover (3.10)
        import sre_compile as _compiler
        import sre_parse as _parser
except ImportError:  # pragma: no cover (an interpreter without these internals)
    _from_program = None

_compile = re.compile  # re's own, also while ``compiled_from_store`` stands in for it
_MAX_BYTES = 4 * 1024 * 1024  # a larger file is started afresh with this run's programs
_FORMAT = 4  # bumped when the layout of the file changes


class _Store:
    """This process's programs: those read from the file, and those generated since."""

    def __init__(self) -> None:
        self.enabled = _from_program is not None
        self.loaded: dict[tuple[str, int], Program] | None = None  # None: not read yet
        self.new: dict[tuple[str, int], Program] = {}


_store = _Store()


def keep_programs(enabled: bool) -> None:
    """Whether this process reads and writes the programs kept between runs (on unless turned off)."""
    _store.enabled = enabled and _from_program is not None


def compile_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, built from the program an earlier run kept when there is one."""
    if not _store.enabled:
        return _compile(pattern, flags)
    key = (pattern, int(flags))
    program = _programs().get(key)
    if program is not None:
        try:
            return _built(pattern, program)
        except (TypeError, ValueError, RuntimeError, OverflowError):  # not a program this engine takes
            pass
    try:
        program = _generate(pattern, int(flags))
        compiled = _built(pattern, program)
    except re.error:
        raise
    except Exception:  # re's internals are not what this module expects: compile as usual from now on
        _store.enabled = False
        return _compile(pattern, flags)
    _store.new[key] = program
    return compiled


@contextmanager
def compiled_from_store() -> Iterator[None]:
    """While in force, ``re.compile`` of a text pattern is ``compile_pattern``: put around the first import of
    a module that compiles its patterns when imported (mistune and PyYAML: about a sixth of a one-file lint
    when generated afresh). Anything else goes to ``re.compile`` itself; the patterns are the same either way."""
    re.compile = _served
    try:
        yield
    finally:
        re.compile = _compile


def _served(pattern: Any, flags: int = 0) -> Any:
    return compile_pattern(pattern, flags) if type(pattern) is str else _compile(pattern, flags)


def needed(pattern: str, flags: int = 0) -> Needed | None:
    """Of the strings one of which every match of the pattern contains (``needed_text``), their ``anchors`` and
    ``finder``'s pattern: kept with its program when there is one, else parsed again. None when nothing is
    known."""
    key = (pattern, int(flags))
    program = (_store.new.get(key) or _programs().get(key)) if _store.enabled else None
    kept = program[5] if program is not None else False
    if kept is None or _is_needed(kept):
        return kept
    try:
        from .needed_text import anchors, finder, needed_text

        words = needed_text(_parser.parse(pattern, flags))
        found = None if words is None else (anchors(words), finder(words))
    except Exception:  # a pattern the engine compiled is parsed alike; anything else: no text is known
        return None
    if program is not None:  # kept with the program from now on
        _store.new[key] = (*program[:5], found)
    return found


def _is_needed(kept: Any) -> TypeGuard[Needed]:
    """True for a kept ``needed`` pair: some strings (or None), and a pattern."""
    return isinstance(kept, tuple) and len(kept) == 2 and type(kept[1]) is str and bool(kept[1]) and (
        kept[0] is None or (isinstance(kept[0], tuple) and bool(kept[0]) and all(type(s) is str for s in kept[0])))


def _built(pattern: str, program: Program) -> re.Pattern[str]:
    """The pattern object the engine builds from ``program``."""
    flags, code, groups, groupindex, indexgroup, _ = program
    ops = memoryview(code).cast("I").tolist()
    built: re.Pattern[str] = _from_program(pattern, flags, ops, groups, groupindex, indexgroup)
    return built


def _generate(pattern: str, flags: int) -> Program:
    """What ``re.compile`` passes to ``_sre.compile`` after parsing the pattern and generating its code."""
    from array import array

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)  # type: ignore[attr-defined]
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in parsed.state.groupdict.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), array("I", code).tobytes(), parsed.state.groups - 1,
            dict(parsed.state.groupdict), tuple(indexgroup), False)


def _path() -> str:
    from .replay import user_cache

    build = blake2b(repr((_FORMAT, sys.version, sys.implementation.cache_tag, getattr(_parser, "MAGIC", None),
                          _source("needed_text.py"))).encode("utf-8"), digest_size=8).hexdigest()
    return os.path.join(user_cache(), f"patterns-{build}.bin")


def _source(name: str) -> bytes:
    """The source of a module of this package that the kept entries derive from: a change to it (a newer
    version, an edited checkout) starts a new file."""
    try:
        with open(os.path.join(os.path.dirname(__file__), name), "rb") as source:
            return source.read()
    except OSError:
        return b""


def _programs() -> dict[tuple[str, int], Program]:
    """The programs kept by earlier runs, read once a process (empty when there is no sealed file); saved
    again at exit when this run generated others."""
    if _store.loaded is None:
        import atexit

        _store.loaded = _read()
        atexit.register(_save)
    return _store.loaded


def _read() -> dict[tuple[str, int], Program]:
    from .files import read_regular
    from .replay import read_secret, user_cache

    secret = read_secret(user_cache())
    if secret is None:
        return {}
    try:
        data, size = read_regular(_path(), _MAX_BYTES)
    except OSError:
        return {}
    body = unsealed(secret, data)
    if size > _MAX_BYTES or body is None:
        return {}
    try:
        programs: Any = marshal.loads(body)
    except (ValueError, TypeError, EOFError):
        return {}
    return programs if isinstance(programs, dict) else {}


def _save() -> None:
    """Write the programs kept and those this run generated, atomically; nothing when there is nothing new,
    no key or no writable cache folder."""
    from .files import TEMPORARY, replace_file
    from .replay import read_secret, user_cache

    if not (_store.enabled and _store.new):
        return
    secret = read_secret(user_cache())
    if secret is None:
        return
    kept = {**(_store.loaded or {}), **_store.new}
    body = marshal.dumps(kept)
    if len(body) > _MAX_BYTES:  # started afresh
        body = marshal.dumps(_store.new)
    try:
        replace_file(_path(), sealed(secret, body), TEMPORARY)
    except OSError:
        return
    _store.loaded, _store.new = kept, {}
