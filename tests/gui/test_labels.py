from __future__ import annotations

from desktop_app.domain.states import DocState
from desktop_app.gui.labels import state_icon, state_label


def test_every_state_has_its_spanish_label():
    assert {s: state_label(s) for s in DocState} == {
        DocState.DRAFT: "Borrador",
        DocState.QUEUED: "Encolado",
        DocState.SENDING: "Enviando",
        DocState.SUBMITTED: "Enviado",
        DocState.APPROVED: "Aprobado",
        DocState.APPROVED_WITH_OBSERVATIONS: "Aprobado con observaciones",
        DocState.REJECTED: "Rechazado",
        DocState.UNKNOWN: "Verificando",
        DocState.CANCEL_REQUESTED: "Anulación solicitada",
        DocState.CANCELLED: "Anulado",
        DocState.VOIDED: "Inutilizado",
    }


def test_submitted_and_still_processing_reads_procesando():
    assert state_label("SUBMITTED", processing=True) == "Procesando"
    assert state_label("QUEUED", processing=True) == "Encolado"


def test_a_state_from_a_newer_release_does_not_break_the_table(qapp):
    assert state_label("SOMETHING_NEW") == "Desconocido"
    assert not state_icon("SOMETHING_NEW").isNull()
    assert not state_icon(DocState.APPROVED).isNull()
