"""Configuration: ``.postmortem-check.yaml`` or ``[tool.postmortem-check]`` in ``pyproject.toml``, found upward
from the working directory, validated by its schema."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from . import CONFIG_NAMES, PYPROJECT
from .document import load_yaml, yaml_error_line, yaml_module
from .errors import UserError
from .files import read_capped_text
from .lazy_re import LazyPattern

TOOL_TABLE = ("tool", "postmortem-check")
DEFAULT_INCLUDE = ("*.md", "*.markdown")
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024


class ConfigError(UserError):
    """A configuration that cannot be used. ``problems`` lists every problem, each naming the file and line;
    the message is those problems, one a line."""

    def __init__(self, *problems: str) -> None:
        self.problems = [line for problem in problems for line in problem.splitlines()]
        super().__init__("\n".join(self.problems))


class Config(NamedTuple):
    """The settings of a run. Its tables are read, never changed: the empty ones are shared defaults."""

    path: Path | None = None
    schema: str = "default"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    rules: dict[str, str] = {}  # noqa: RUF012
    word_counts: dict[str, dict[str, int]] = {}  # noqa: RUF012
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    issues: dict[str, Any] = {}  # noqa: RUF012
    draft: dict[str, Any] = {}  # noqa: RUF012
    quality: dict[str, int] = {}  # noqa: RUF012
    cache: bool = True


def _escaped(text: str) -> str:
    """A path safe to print on a terminal: non-printable characters as escapes."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _has_tool_table(path: Path) -> bool:
    """Whether a pyproject.toml configures this tool (one that does not parse counts if it names the table).
    A text that neither names the tool nor holds a ``\\u`` escape (with which a quoted key can spell any
    name) cannot, and is not parsed: the TOML parser is not even imported for a project's own settings."""
    try:
        text = read_capped_text(path)
    except (OSError, UnicodeDecodeError):
        return False
    if TOOL_TABLE[1] not in text and "\\u" not in text and "\\U" not in text:
        return False
    try:
        data = _toml().loads(text)
    except (ValueError, RecursionError):
        return "[tool.postmortem-check" in text
    return isinstance(data.get(TOOL_TABLE[0]), dict) and TOOL_TABLE[1] in data[TOOL_TABLE[0]]


def find_config(start: Path) -> Path | None:
    """The nearest config upward from ``start``: in each folder ``.postmortem-check.yaml`` (or ``.yml``), else a
    ``pyproject.toml`` with a ``[tool.postmortem-check]`` table. When a folder has both, the YAML file is used
    and standard error says so."""
    for directory in (start, *start.parents):
        dedicated = next((directory / n for n in CONFIG_NAMES if (directory / n).is_file()), None)
        pyproject = directory / PYPROJECT
        has_table = pyproject.is_file() and _has_tool_table(pyproject)
        if dedicated is not None:
            if has_table:
                print(f"postmortem-check: both {_escaped(str(dedicated))} and [tool.postmortem-check] in "
                      f"{_escaped(str(pyproject))} found; using {_escaped(dedicated.name)}", file=sys.stderr)
            return dedicated
        if has_table:
            return pyproject
    return None


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli

    return tomli


def _key_lines(text: str) -> dict[str, int]:
    """JSON pointer of each mapping key and sequence item in a YAML text, to its 1-based line."""
    import yaml

    lines: dict[str, int] = {"": 1}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = f"{pointer}/{key.value}"
                lines[child] = key.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                child = f"{pointer}/{index}"
                lines[child] = value.start_mark.line + 1
                stack.append((value, child))
    return lines


_TOML_HEADER = LazyPattern(r"\s*\[\[?([^\[\]#]+)\]\]?\s*(?:#.*)?$")
_TOML_PART = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_TOML_KEY = LazyPattern(rf"\s*({_TOML_PART}(?:\s*\.\s*{_TOML_PART})*)\s*=")
_TOML_INLINE_KEY = LazyPattern(rf"[{{,]\s*({_TOML_PART})\s*=")


def _dotted(key: str) -> list[str]:
    return [part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", key)]


def _toml_key_lines(text: str) -> dict[str, int]:
    """JSON pointer of each key of the ``[tool.postmortem-check]`` table in a TOML text, to its 1-based line
    (keys of inline tables included; items of arrays take their key's line)."""
    lines: dict[str, int] = {}
    table: list[str] = []
    prefix = list(TOOL_TABLE)
    for number, line in enumerate(text.splitlines(), 1):
        header = _TOML_HEADER.match(line)
        if header:
            table = _dotted(header.group(1))
            if table[:2] == prefix:
                lines.setdefault("".join(f"/{p}" for p in table[2:]), number)
            continue
        key = _TOML_KEY.match(line)
        if not key:
            continue
        full = table + _dotted(key.group(1))
        if full[:2] != prefix:
            continue
        pointer = "".join(f"/{p}" for p in full[2:])
        lines.setdefault(pointer, number)
        for inner in _TOML_INLINE_KEY.finditer(line, key.end()):
            lines.setdefault(f"{pointer}/{inner.group(1).strip(chr(34) + chr(39))}", number)
    return lines


def _line(lines: dict[str, int], pointer: str) -> int:
    """The line of ``pointer``, or of its nearest parent that has one."""
    while pointer not in lines and pointer:
        pointer = pointer.rsplit("/", 1)[0]
    return lines.get(pointer, 1)


def _read(path: Path) -> tuple[Any, dict[str, int]]:
    """The settings a config file holds and the line of each, from YAML or (``.toml``) TOML."""
    try:
        text = read_capped_text(path)  # a regular file of at most 1 MiB, never a FIFO or a device
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise ConfigError(f"{path}: cannot be read: {reason}") from None
    if path.suffix != ".toml":
        yaml = yaml_module()
        try:
            return load_yaml(text), _key_lines(text)
        except yaml.YAMLError as yaml_error:
            line = yaml_error_line(yaml_error) or 1
            problem = getattr(yaml_error, "problem", None) or str(yaml_error).splitlines()[0]
            raise ConfigError(f"{path}:{line}: not valid YAML: {problem}") from None
    try:
        data = _toml().loads(text)
    except RecursionError:
        raise ConfigError(f"{path}:1: not valid TOML: nested too deeply") from None
    except ValueError as toml_error:
        found = re.search(r"line (\d+)", str(toml_error))
        raise ConfigError(f"{path}:{found.group(1) if found else 1}: not valid TOML: {toml_error}") from None
    tool = data.get(TOOL_TABLE[0])
    if not isinstance(tool, dict) or TOOL_TABLE[1] not in tool:
        raise ConfigError(f"{path}:1: has no [tool.postmortem-check] table")
    return tool[TOOL_TABLE[1]], _toml_key_lines(text)


def _suggest(name: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _severities(data: dict[str, Any]) -> dict[str, Any]:
    """YAML reads unquoted ``off``, ``no`` and ``false`` as false: for a severity, that means ``off``."""
    rules = data.get("rules")
    if not isinstance(rules, dict):
        return data
    return {**data, "rules": {name: "off" if value is False else value for name, value in rules.items()}}


def _schema_problems(path: Path, data: dict[str, Any], lines: dict[str, int]) -> list[tuple[int, str]]:
    """The team schema the config names, if it cannot be used, every rule name no rule has, and every
    ``word_counts`` section the schema does not declare."""
    from .findings import RULES
    from .schema import SchemaError, load_schema, schema_rules

    problems: list[tuple[int, str]] = []
    known = set(RULES)
    rules, schema = data.get("rules", {}), data.get("schema", "default")
    if not isinstance(rules, dict) or not isinstance(schema, str) or not schema:
        return problems  # reported by the config schema
    schema = _schema_path(path, schema)
    try:
        loaded = load_schema(schema)
    except SchemaError as error:
        line = _line(lines, "/schema")
        problems.append((line, f"{path}:{line}: /schema: {error}"))
        return problems  # the rules and sections a team schema adds are unknown until it loads
    known.update(rule.id for rule in schema_rules(loaded))
    for name in rules:
        if str(name) not in known:
            line = _line(lines, f"/rules/{name}")
            problems.append((line, f"{path}:{line}: unknown rule '{name}' in /rules{_suggest(str(name), known)}"))
    sections = loaded.section_order
    word_counts = data.get("word_counts", {})
    for name in word_counts if isinstance(word_counts, dict) else ():
        if str(name) not in sections:
            line = _line(lines, f"/word_counts/{name}")
            hint = _suggest(str(name), sections) or f"; the schema's sections are {', '.join(sections)}"
            problems.append((line, f"{path}:{line}: unknown section '{name}' in /word_counts{hint}"))
    return problems


def _schema_path(path: Path, schema: str) -> str:
    from .schema import BUILTIN_SCHEMAS

    if schema not in BUILTIN_SCHEMAS and not Path(schema).is_absolute():
        return str(path.parent / schema)
    return schema


def load_config(path: Path) -> Config:
    """Read and validate a config file; a ConfigError lists every problem with its line."""
    from .quickcheck import Prover
    from .schema import packaged_text

    data, lines = _read(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the configuration must be a mapping of settings, not a {type(data).__name__}")
    data = _severities(data)
    config_schema = json.loads(packaged_text("config.json"))
    problems = [] if Prover(config_schema, {}, {}).proves_valid(data) else _invalid(path, data, lines, config_schema)
    problems += _schema_problems(path, data, lines)
    if problems:
        raise ConfigError(*(message for _, message in sorted(problems)))
    return Config(
        path=path,
        schema=_schema_path(path, data.get("schema", "default")),
        include=tuple(data.get("include", DEFAULT_INCLUDE)),
        exclude=tuple(data.get("exclude", ())),
        rules=dict(data.get("rules", {})),
        word_counts={k: dict(v) for k, v in data.get("word_counts", {}).items()},
        max_file_size=int(data.get("max_file_size", DEFAULT_MAX_FILE_SIZE)),
        issues=dict(data.get("issues", {})),
        draft=dict(data.get("draft", {})),
        quality=dict(data.get("quality", {})),
        cache=bool(data.get("cache", True)),
    )


def _invalid(path: Path, data: dict[str, Any], lines: dict[str, int],
             config_schema: dict[str, Any]) -> list[tuple[int, str]]:
    """What jsonschema finds wrong in a config the proof did not pass, each with its line."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(config_schema)
    problems = []
    for invalid in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = "".join(f"/{p}" for p in invalid.absolute_path)
        where = pointer or "(top level)"
        if invalid.validator == "additionalProperties":
            allowed = invalid.schema.get("properties", {})
            for key in sorted(set(invalid.instance) - set(allowed), key=str):
                line = _line(lines, f"{pointer}/{key}")
                hint = _suggest(str(key), allowed)
                problems.append((line, f"{path}:{line}: unknown setting '{key}' in {where}{hint}"))
            continue
        line = _line(lines, pointer)
        message = invalid.message
        if invalid.validator == "enum" and pointer.startswith("/rules/"):
            message = f"{invalid.instance!r} is not one of the severities error, warning or off"
        problems.append((line, f"{path}:{line}: {where}: {message}"))
    return problems
