"""The issue sync's vocabulary, one definition: what a plan step does, and what happened to an item."""

from __future__ import annotations

from ..kinds import TextEnum


class Outcome(TextEnum):
    """What happened to an item (``sync.Outcome.action``, the ``action`` of the JSON output)."""

    CREATED = "created"
    EXISTS = "exists"
    UPDATED = "updated"
    CLOSED = "closed"
    REOPENED = "reopened"
    ORPHANED = "orphaned"
    LINKED = "linked"
    SKIPPED = "skipped"
    FAILED = "failed"

    @property
    def planned(self) -> str:
        """How a dry run says it: ``would create`` for what would be written."""
        return _WOULD.get(self, self.value)


class Step(TextEnum):
    """What a plan step does (``sync.Step.action``)."""

    CREATE = "create"
    UPDATE = "update"
    CLOSE = "close"
    REOPEN = "reopen"
    EXISTS = "exists"
    LINK = "link"
    SKIP = "skip"

    @property
    def outcome(self) -> Outcome:
        return _PAST[self]

    @property
    def writes(self) -> bool:
        return self in (Step.CREATE, Step.UPDATE, Step.CLOSE, Step.REOPEN)


_PAST = {Step.CREATE: Outcome.CREATED, Step.UPDATE: Outcome.UPDATED, Step.CLOSE: Outcome.CLOSED,
         Step.REOPEN: Outcome.REOPENED,
         Step.EXISTS: Outcome.EXISTS, Step.LINK: Outcome.LINKED, Step.SKIP: Outcome.SKIPPED}
_WOULD = {Outcome.CREATED: "would create", Outcome.UPDATED: "would update", Outcome.CLOSED: "would close",
          Outcome.REOPENED: "would reopen"}
