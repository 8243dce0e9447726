"""The ``postmortem-check`` console script, and ``python -m postmortem_check``.

``--version`` alone is answered here, before the command line module is imported: argparse and what it
brings cost more than the interpreter's own start. Every other command line, and a version line that
could not be written, goes to ``cli.run``, which reports output errors with their exit codes.
"""

from __future__ import annotations

import os
import sys

from . import VERSION_LINE


def run() -> None:
    if sys.argv[1:] == ["--version"] and _written(VERSION_LINE + "\n"):
        raise SystemExit(0)
    from .cli import run as run_command_line

    run_command_line()


def _written(line: str) -> bool:
    """Whether ``line`` went to standard output, written past its buffer so that nothing is left in it when
    it could not be: ``cli.run`` then writes the line again and reports the error as every command does."""
    data = line.encode("utf-8")
    try:
        return os.write(sys.stdout.fileno(), data) == len(data)
    except (AttributeError, OSError, ValueError):  # closed (None), full, a broken pipe, not a file
        return False


if __name__ == "__main__":
    run()
