"""The document lifecycle refuses illegal jumps (DESIGN.md)."""

from __future__ import annotations

import pytest

from desktop_app.domain.states import (
    FINAL_STATES,
    PENDING_STATES,
    TRANSITIONS,
    DocState,
    InvalidTransition,
    can_transition,
    check_transition,
)

S = DocState


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.DRAFT, S.QUEUED),
        (S.QUEUED, S.SENDING),
        (S.SENDING, S.SUBMITTED),
        (S.SENDING, S.UNKNOWN),
        (S.SENDING, S.QUEUED),
        (S.SUBMITTED, S.APPROVED),
        (S.SUBMITTED, S.REJECTED),
        (S.UNKNOWN, S.SUBMITTED),
        (S.UNKNOWN, S.APPROVED),
        (S.REJECTED, S.QUEUED),
        (S.REJECTED, S.VOIDED),
        (S.APPROVED, S.CANCEL_REQUESTED),
        (S.CANCEL_REQUESTED, S.CANCELLED),
        (S.CANCEL_REQUESTED, S.APPROVED),
    ],
)
def test_allowed_transition_passes(current: DocState, target: DocState) -> None:
    assert can_transition(current, target)
    check_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (S.APPROVED, S.QUEUED),
        (S.APPROVED, S.REJECTED),
        (S.DRAFT, S.SENDING),
        (S.QUEUED, S.APPROVED),
        (S.SUBMITTED, S.QUEUED),
        (S.CANCELLED, S.APPROVED),
        (S.VOIDED, S.QUEUED),
        (S.REJECTED, S.APPROVED),
    ],
)
def test_refused_transition_raises_naming_both_states(current: DocState, target: DocState) -> None:
    assert not can_transition(current, target)
    with pytest.raises(InvalidTransition) as excinfo:
        check_transition(current, target)
    assert current.value in str(excinfo.value) and target.value in str(excinfo.value)


def test_transitions_accept_plain_strings_as_stored_in_the_database() -> None:
    check_transition("QUEUED", "SENDING")
    with pytest.raises(InvalidTransition):
        check_transition("APPROVED", "QUEUED")


def test_a_submitted_document_is_never_sent_again_without_reconciling() -> None:
    assert S.QUEUED not in TRANSITIONS[S.SUBMITTED]
    assert S.SENDING not in TRANSITIONS[S.UNKNOWN]


def test_final_states_only_lead_to_cancellation_or_requeue() -> None:
    assert TRANSITIONS[S.CANCELLED] == frozenset()
    assert TRANSITIONS[S.VOIDED] == frozenset()
    assert PENDING_STATES.isdisjoint(FINAL_STATES)


def test_every_state_has_an_entry_in_the_transition_table() -> None:
    assert set(TRANSITIONS) == set(DocState)
