"""The one writer of diagnostics: every line escaped for a terminal, the token (if any) redacted."""

from __future__ import annotations

import sys
import unicodedata
from typing import TextIO

PROG = "postmortem-check"

# Bidirectional controls can make a line read differently from what it holds (Trojan Source).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control, bidi, separator and undecodable characters as escapes.

    Keeps one finding on one line and stops a document (or a file name) from sending escape
    sequences to the reader's terminal. A lone surrogate from an undecodable file name shows as ``\\xNN``.
    """
    if text.isascii() and text.isprintable():  # no control character: nothing to escape (the common case)
        return text
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


class Console:
    """Writes diagnostics (stderr) and plain results (stdout), a line at a time, escaped and redacted.

    ``secret`` (the GitHub token) is replaced by ``***`` wherever it appears, before escaping.
    """

    def __init__(self, secret: str | None = None, err: TextIO | None = None, out: TextIO | None = None) -> None:
        self.secret = secret
        self._err = err
        self._out = out

    @property
    def err(self) -> TextIO:
        return self._err or sys.stderr

    @property
    def out(self) -> TextIO:
        return self._out or sys.stdout

    def clean(self, text: str) -> str:
        """One line, redacted and escaped; a line never starts a workflow command (``::``)."""
        if self.secret:
            text = text.replace(self.secret, "***")
        text = printable(text)
        return "\\x3a" + text[1:] if text.startswith("::") else text

    def _write(self, stream: TextIO, text: str) -> None:
        for line in text.split("\n"):
            stream.write(self.clean(line) + "\n")
        stream.flush()

    def say(self, message: str) -> None:
        """``postmortem-check: message`` on stderr."""
        self._write(self.err, "\n".join(f"{PROG}: {line}" for line in message.split("\n")))

    def error(self, message: str) -> None:
        """``postmortem-check: error: ...`` on stderr, one per line of ``message``."""
        self._write(self.err, "\n".join(f"{PROG}: error: {line}" for line in message.split("\n")))

    def warning(self, message: str) -> None:
        self._write(self.err, f"{PROG}: warning: {message}")

    def result(self, line: str) -> None:
        """One line of a command's own output on stdout."""
        self._write(self.out, line)

    def raw(self, text: str) -> None:
        """Machine-readable output (JSON) on stdout: redacted, not escaped (it is already quoted)."""
        if self.secret:
            text = text.replace(self.secret, "***")
        self.out.write(text + "\n")
        self.out.flush()
