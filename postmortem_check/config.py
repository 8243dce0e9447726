"""Configuration: ``.postmortem-check.yaml``, found upward from the working directory, validated by its schema."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .document import load_yaml, yaml_error_line
from .schema import BUILTIN_SCHEMAS, packaged_text

CONFIG_NAMES = (".postmortem-check.yaml", ".postmortem-check.yml")
DEFAULT_INCLUDE = ("*.md", "*.markdown")
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024


class ConfigError(Exception):
    """A configuration that cannot be used; each line of the message names the file and line."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    schema: str = "default"
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    rules: dict[str, str] = field(default_factory=dict)
    word_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    issues: dict[str, Any] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        for name in CONFIG_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


def _key_lines(text: str) -> dict[str, int]:
    """JSON pointer of each mapping key and sequence item in a YAML text, to its 1-based line."""
    import yaml

    lines: dict[str, int] = {}
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


def load_config(path: Path) -> Config:
    """Read and validate a config file; a ConfigError lists every problem with its line."""
    import yaml
    from jsonschema import Draft202012Validator

    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    try:
        data = load_yaml(text)
    except yaml.YAMLError as yaml_error:
        line = yaml_error_line(yaml_error) or 1
        problem = getattr(yaml_error, "problem", None) or str(yaml_error).splitlines()[0]
        raise ConfigError(f"{path}:{line}: not valid YAML: {problem}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: the configuration must be a mapping of settings, not a {type(data).__name__}")
    validator = Draft202012Validator(json.loads(packaged_text("config.json")))
    lines = _key_lines(text)
    problems = []
    for invalid in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        pointer = "".join(f"/{p}" for p in invalid.absolute_path)
        where = pointer or "(top level)"
        if invalid.validator == "additionalProperties":
            extra = sorted(set(invalid.instance) - set(invalid.schema.get("properties", {})))
            for key in extra:
                line = lines.get(f"{pointer}/{key}", 1)
                problems.append((line, f"{path}:{line}: unknown setting '{key}' in {where}"))
            continue
        line = lines.get(pointer, 1)
        problems.append((line, f"{path}:{line}: {where}: {invalid.message}"))
    if problems:
        raise ConfigError("\n".join(message for _, message in sorted(problems)))
    schema = data.get("schema", "default")
    if schema not in BUILTIN_SCHEMAS and not Path(schema).is_absolute():
        schema = str(path.parent / schema)
    return Config(
        path=path,
        schema=schema,
        include=tuple(data.get("include", DEFAULT_INCLUDE)),
        exclude=tuple(data.get("exclude", ())),
        rules=dict(data.get("rules", {})),
        word_counts={k: dict(v) for k, v in data.get("word_counts", {}).items()},
        max_file_size=int(data.get("max_file_size", DEFAULT_MAX_FILE_SIZE)),
        issues=dict(data.get("issues", {})),
        quality=dict(data.get("quality", {})),
    )
