"""Text output: ``path:line:col: severity rule message``, one finding a line, then a summary line."""

from __future__ import annotations

import unicodedata
from typing import TextIO

from ..lint import FileResult
from . import Totals

# Bidirectional controls can make a line read differently from what it holds (Trojan Source).
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control, bidi, separator and undecodable characters as escapes.

    Keeps one finding on one line and stops a document (or a file name) from sending escape
    sequences to the reader's terminal. A lone surrogate from an undecodable file name shows as ``\\xNN``.
    """
    out: list[str] = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # surrogateescape'd byte of a non-UTF-8 file name
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char in _BIDI or unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


class TextReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def file(self, result: FileResult) -> None:
        for f in result.findings:
            message = printable(" ".join(f.message.split()))
            where = f"{printable(f.path)}:{f.line}:{f.column}"
            self.out.write(f"{where}: {f.severity} {printable(f.rule)} {message}\n")

    def finish(self, totals: Totals) -> None:
        self.out.write(f"{totals}\n")
