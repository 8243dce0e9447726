"""The ``postmortem-check`` console script, and ``python -m postmortem_check``.

Two command lines are answered here, before the command line module is imported (argparse and what it
brings cost more than the interpreter's own start): ``--version`` alone, and a lint the cache recorded
whose inputs have not changed (``replay``). Every other command line, and an answer that could not be
written, goes to ``cli.run``, which reports output errors with their exit codes.
"""

from __future__ import annotations

import os
import sys

from . import VERSION_LINE


def run() -> None:
    words = sys.argv[1:]
    if words == ["--version"] and _written(VERSION_LINE + "\n"):
        raise SystemExit(0)
    if words[:1] == ["lint"]:
        from .replay import recorded_output

        try:
            recorded = recorded_output(words)
        except KeyboardInterrupt:  # answered as the command line answers it (ExitCode.INTERRUPTED)
            sys.stderr.write("postmortem-check: interrupted\n")
            raise SystemExit(130) from None
        if recorded is not None and _written(recorded[0]):
            raise SystemExit(recorded[1])
    from .cli import run as run_command_line

    run_command_line()


def _written(text: str) -> bool:
    """Whether ``text`` went to standard output, written past its buffer so that nothing is left in it when
    it could not be: ``cli.run`` then writes it again and reports the error as every command does."""
    stream = sys.stdout
    try:
        data = text.encode(stream.encoding or "utf-8", "backslashreplace")
        descriptor = stream.fileno()
        while data:
            data = data[os.write(descriptor, data):]
    except (AttributeError, OSError, ValueError, LookupError):  # closed (None), full, a broken pipe, not a file
        return False
    return True


if __name__ == "__main__":
    run()
