"""The closed vocabularies of the pipeline, one definition each: the kinds of block ``parse`` flattens a
document into, and the styles of section marker ``outline`` recognises. Each compares and prints as its
string value, so a value read back from JSON or written as a literal is the same member."""

from __future__ import annotations

from enum import Enum


class TextEnum(str, Enum):
    """An enum whose members compare, print and format as their string value."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class BlockKind(TextEnum):
    """What a flattened block is (``parse.Block.kind``)."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    TABLE_ROW = "table_row"
    CODE = "code"
    HTML = "html"
    RULE = "rule"


class SectionStyle(TextEnum):
    """How a section is marked (``outline.Section.style``), strongest first."""

    HEADING = "heading"
    EMPHASIS = "emphasis"
    LABEL = "label"
    INLINE = "inline"
    LEAD = "lead"
    IMPLIED = "implied"

    @property
    def is_marker(self) -> bool:
        """A line a person sees as a section marker (not a label inside a paragraph, the lead, or wording)."""
        return self in (SectionStyle.HEADING, SectionStyle.EMPHASIS, SectionStyle.LABEL)
