"""The document lifecycle (DESIGN.md, "Document lifecycle").

Every state change of a document goes through `check_transition`, so the store can
refuse an illegal jump (e.g. APPROVED back to QUEUED) before anything is written.
"""

from __future__ import annotations

from enum import StrEnum


class DocState(StrEnum):
    DRAFT = "DRAFT"
    QUEUED = "QUEUED"
    SENDING = "SENDING"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    APPROVED_WITH_OBSERVATIONS = "APPROVED_WITH_OBSERVATIONS"
    REJECTED = "REJECTED"
    UNKNOWN = "UNKNOWN"
    CANCEL_REQUESTED = "CANCEL_REQUESTED"
    CANCELLED = "CANCELLED"
    VOIDED = "VOIDED"


S = DocState

#: Allowed transitions. SENDING -> QUEUED exists for the one case where we *know* the
#: request never left the machine (connection refused before any byte was sent) or
#: the provider refused the whole call without creating anything; every other
#: failure of an in-flight request goes to UNKNOWN and is reconciled (DESIGN rule 2).
TRANSITIONS: dict[DocState, frozenset[DocState]] = {
    S.DRAFT: frozenset({S.QUEUED}),
    S.QUEUED: frozenset({S.SENDING, S.VOIDED}),
    S.SENDING: frozenset(
        {S.SUBMITTED, S.UNKNOWN, S.QUEUED, S.REJECTED, S.APPROVED, S.APPROVED_WITH_OBSERVATIONS}
    ),
    S.SUBMITTED: frozenset({S.APPROVED, S.APPROVED_WITH_OBSERVATIONS, S.REJECTED, S.UNKNOWN}),
    S.UNKNOWN: frozenset(
        {S.SUBMITTED, S.APPROVED, S.APPROVED_WITH_OBSERVATIONS, S.REJECTED, S.QUEUED}
    ),
    S.REJECTED: frozenset({S.QUEUED, S.VOIDED}),
    S.APPROVED: frozenset({S.CANCEL_REQUESTED}),
    S.APPROVED_WITH_OBSERVATIONS: frozenset({S.CANCEL_REQUESTED}),
    S.CANCEL_REQUESTED: frozenset({S.CANCELLED, S.APPROVED, S.APPROVED_WITH_OBSERVATIONS}),
    S.CANCELLED: frozenset(),
    S.VOIDED: frozenset(),
}

#: States in which the document still waits for the sender or for a provider result.
PENDING_STATES: frozenset[DocState] = frozenset({S.QUEUED, S.SENDING, S.SUBMITTED, S.UNKNOWN})
#: States that end the sending cycle.
FINAL_STATES: frozenset[DocState] = frozenset(
    {S.APPROVED, S.APPROVED_WITH_OBSERVATIONS, S.REJECTED, S.CANCELLED, S.VOIDED}
)


class InvalidTransition(ValueError):
    def __init__(self, current: DocState, target: DocState) -> None:
        super().__init__(f"transition {current.value} -> {target.value} is not allowed")
        self.current = current
        self.target = target


def can_transition(current: DocState, target: DocState) -> bool:
    return target in TRANSITIONS[current]


def check_transition(current: DocState | str, target: DocState | str) -> None:
    """Raise `InvalidTransition` unless the lifecycle allows `current -> target`."""
    cur, tgt = DocState(current), DocState(target)
    if not can_transition(cur, tgt):
        raise InvalidTransition(cur, tgt)
