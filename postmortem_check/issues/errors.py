"""The one error type of issue sync (no PyGithub import, so planning can use it freely)."""

from __future__ import annotations


class GitHubError(Exception):
    """A request that did not succeed, said in one line a person can act on.

    ``kind``: auth, permission, not_found, gone, rate_limit, server, network, validation or other.
    ``ambiguous``: the request may have been carried out although no success came back.
    ``fatal``: every further request would fail the same way, so the run stops.
    """

    def __init__(self, message: str, *, kind: str, status: int | None = None, ambiguous: bool = False,
                 fatal: bool = False, invalid: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind
        self.status = status
        self.ambiguous = ambiguous
        self.fatal = fatal
        self.invalid = invalid or {}  # 422: field name -> the values GitHub refused
