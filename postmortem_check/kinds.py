"""The base of the closed vocabularies (``findings.Severity``, ``FailOn``, the issue sync's ``Step`` and
``Outcome``): each compares and prints as its string value, so a value read back from JSON or written as a
literal is the same member."""

from __future__ import annotations

from enum import Enum


class TextEnum(str, Enum):
    """An enum whose members compare, print and format as their string value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)
