"""Regular expressions compiled when first used.

Compiling is most of what importing a module of patterns costs, and a document needs only some of them:
a one-file run pays for the patterns its document uses, not for every pattern of every module it imports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from .pattern_store import compile_pattern

_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


class LazyPattern:
    """``re.compile(pattern, flags)`` when one of its methods is first used (by ``compile_pattern``, from the
    program an earlier run kept when there is one). That first use puts the compiled pattern's own methods
    in place, so that later calls cost what a compiled pattern's do."""

    search: Callable[..., re.Match[str] | None]
    match: Callable[..., re.Match[str] | None]
    fullmatch: Callable[..., re.Match[str] | None]
    finditer: Callable[..., Iterator[re.Match[str]]]
    findall: Callable[..., list[Any]]
    sub: Callable[..., str]
    subn: Callable[..., tuple[str, int]]
    split: Callable[..., list[Any]]

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str) -> Any:  # only before the first use: later, the methods are found
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = compile_pattern(self.pattern, self.flags)
        for method in _METHODS:
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)
