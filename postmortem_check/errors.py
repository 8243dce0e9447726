"""The error model every command shares: exit codes and the errors a user can act on."""

from __future__ import annotations

from enum import IntEnum

from .kinds import TextEnum


class ExitCode(IntEnum):
    """0 clean, 1 findings (or an issue that failed), 2 usage, config, schema or tool error."""

    CLEAN = 0
    FINDINGS = 1
    ERROR = 2
    INTERRUPTED = 130
    BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell sees from a tool whose reader closed the pipe


class FailOn(TextEnum):
    """Which findings make the exit code 1."""

    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"


class UserError(Exception):
    """A problem the user can fix (arguments, configuration, schema, environment): its message, one or
    more lines, is shown as ``postmortem-check: error: ...`` and the exit code is 2."""


class UsageError(UserError):
    """Arguments or inputs that cannot be used."""


def exit_code(errors: int, warnings: int, fail_on: str, problems: int = 0) -> ExitCode:
    """The exit code of a lint run: 2 if a file could not be read, else 1 if the findings fail it."""
    if problems:
        return ExitCode.ERROR
    failing = errors + (warnings if fail_on == FailOn.WARNING else 0)
    return ExitCode.FINDINGS if failing and fail_on != FailOn.NEVER else ExitCode.CLEAN
