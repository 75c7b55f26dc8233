"""DTEpyClient over real HTTP against the DTEpy sandbox on 127.0.0.1.

Each test reads as a rule of the contract: seeds/dtepy-api.txt for the routes and
shapes, PROVIDERS.md ("DTEpy", "SIFEN facts") and DNIT's 2024 guide for the codes, the
RUC block and how a lost answer is reconciled. Processing takes 2 s on a fake clock;
the wall clock is pinned to the factories' FECHA day so no document is "late".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
    DocumentRef,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
)
from desktop_app.providers.dtepy import DTEpyClient, create_client
from desktop_app.providers.registry import PROVIDER_DEFAULTS, make_provider_client, make_sandbox
from desktop_app.sandbox.dtepy import DEMO_CANCELLED_RUC, DTEpySandbox
from desktop_app.sandbox.server import Fault
from tests.providers.factories import (
    API_KEY,
    FECHA,
    FakeClock,
    item,
    make_doc,
    ruc_with_dv,
    ruc_with_wrong_dv,
)

TENANT = "1"
NOW = datetime.fromisoformat(FECHA) + timedelta(hours=2)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def dtepy(clock: FakeClock) -> Iterator[DTEpySandbox]:
    with DTEpySandbox(
        tenant=TENANT, api_key=API_KEY, clock=clock, processing_delay=2.0, wall_clock=lambda: NOW
    ) as sb:
        yield sb


@pytest.fixture
def client(dtepy: DTEpySandbox) -> Iterator[DTEpyClient]:
    with DTEpyClient(dtepy.url, TENANT, API_KEY, timeout=5.0) as c:
        yield c


def ref_of(doc: OutgoingDocument, lote: str | None = None) -> DocumentRef:
    de = doc.payload
    return DocumentRef(
        local_id=doc.local_id,
        tipo_documento=de["tipoDocumento"],
        establecimiento=f"{int(de['establecimiento']):03d}",
        punto=de["punto"],
        numero=de["numero"],
        cdc=doc.cdc,
        provider_lote_id=lote,
    )


def docs_with_cdc(*numbers: int, **de_kwargs: object) -> list[OutgoingDocument]:
    return [make_doc(n, with_cdc=True, **de_kwargs) for n in numbers]  # type: ignore[arg-type]


# -- the normal cycle --------------------------------------------------------------------


def test_lote_of_three_is_received_then_processing_then_approved(
    client: DTEpyClient, clock: FakeClock
) -> None:
    docs = docs_with_cdc(1, 2, 3)
    submitted = client.submit(docs)
    assert submitted.lote_id is not None and len(submitted.lote_id) == 17
    assert [(d.local_id, d.cdc, d.outcome) for d in submitted.documents] == [
        (doc.local_id, doc.cdc, Outcome.RECEIVED) for doc in docs
    ]
    refs = [ref_of(d, submitted.lote_id) for d in docs]
    assert {r.outcome for r in client.poll(refs)} == {Outcome.PROCESSING}

    clock.advance(2)
    final = client.poll(refs)
    assert sorted(r.local_id for r in final) == [1, 2, 3]  # type: ignore[type-var]
    assert {(r.outcome, r.code, r.message) for r in final} == {
        (Outcome.APPROVED, "0260", "Autorización del DE satisfactoria")
    }
    assert all(r.provider_ref and len(r.provider_ref) == 8 for r in final)
    assert {r.cdc for r in final} == {d.cdc for d in docs}


@pytest.mark.parametrize("quirk", [True, False], ids=["object", "list"])
def test_a_one_document_lote_is_read_whether_sifen_answers_an_object_or_a_list(
    client: DTEpyClient, dtepy: DTEpySandbox, clock: FakeClock, quirk: bool
) -> None:
    dtepy.single_object_quirk = quirk
    (doc,) = docs_with_cdc(1)
    lote = client.submit([doc]).lote_id
    clock.advance(2)
    assert lote is not None
    assert len(client.query_lote(lote, 1).results) == 1
    (result,) = client.poll([ref_of(doc, lote)])
    assert (result.local_id, result.outcome) == (1, Outcome.APPROVED)


def test_poll_asks_each_lote_once_and_maps_results_by_cdc(
    client: DTEpyClient, clock: FakeClock
) -> None:
    first = docs_with_cdc(1, 2)
    second = docs_with_cdc(3, ruc=DEMO_CANCELLED_RUC)
    lote_a = client.submit(first).lote_id
    lote_b = client.submit(second).lote_id
    clock.advance(2)
    refs = [ref_of(second[0], lote_b), ref_of(first[1], lote_a), ref_of(first[0], lote_a)]
    by_id = {r.local_id: r for r in client.poll(refs)}
    assert {k: v.outcome for k, v in by_id.items()} == {
        1: Outcome.APPROVED,
        2: Outcome.APPROVED,
        3: Outcome.REJECTED,
    }
    assert by_id[3].code == "1307"


# -- the simulated SIFEN's rules, through the client ---------------------------------------


@pytest.mark.parametrize(
    ("de_kwargs", "code"),
    [
        ({"ruc": ruc_with_wrong_dv("80012345")}, "1309"),
        ({"ruc": "80A"}, "1309"),
        ({"ruc": DEMO_CANCELLED_RUC}, "1307"),
        ({"entregas_total": 109_950}, "2365"),
        ({"items": [item(iva_tipo=1, iva=0)]}, "1908"),
        ({"items": [item(iva_tipo=3, iva=10)]}, "1907"),
        ({"fecha": (NOW - timedelta(days=31)).isoformat()}, "1005"),
        ({"fecha": (NOW + timedelta(hours=1)).isoformat()}, "1004"),
    ],
    ids=[
        "ruc-check-digit",
        "ruc-malformed",
        "ruc-cancelled",
        "entregas-do-not-add-up",
        "gravado-with-iva-0",
        "exento-with-iva-10",
        "older-than-30-days",
        "clock-ahead",
    ],
)
def test_sifen_rejects_each_rule_with_its_code(
    client: DTEpyClient, clock: FakeClock, de_kwargs: dict[str, object], code: str
) -> None:
    (doc,) = docs_with_cdc(1, **de_kwargs)
    lote = client.submit([doc]).lote_id
    clock.advance(2)
    (result,) = client.poll([ref_of(doc, lote)])
    assert (result.outcome, result.code, result.provider_status) == (
        Outcome.REJECTED,
        code,
        "Rechazado",
    )
    assert result.message and result.provider_ref is None


def test_every_problem_of_a_document_is_reported(client: DTEpyClient, clock: FakeClock) -> None:
    (doc,) = docs_with_cdc(1, ruc=ruc_with_wrong_dv("80012345"), entregas_total=1)
    lote = client.submit([doc]).lote_id
    clock.advance(2)
    (result,) = client.poll([ref_of(doc, lote)])
    assert result.code == "1309"
    assert result.message is not None and "RUC" in result.message and "entregas" in result.message


def test_late_transmission_is_approved_with_observation(
    client: DTEpyClient, clock: FakeClock
) -> None:
    (doc,) = docs_with_cdc(1, fecha=(NOW - timedelta(days=4)).isoformat())
    lote = client.submit([doc]).lote_id
    clock.advance(2)
    (result,) = client.poll([ref_of(doc, lote)])
    assert result.outcome is Outcome.APPROVED_WITH_OBSERVATIONS
    assert (result.code, result.provider_status) == ("1005", "Aprobado con observación")
    assert result.observations == "Transmisión extemporánea del DE"


def test_same_number_under_a_new_cdc_after_approval_is_rejected_1002(
    client: DTEpyClient, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    first = make_doc(1, 7, with_cdc=True)
    client.submit([first])
    clock.advance(2)
    second = make_doc(2, 7, with_cdc=True)  # another security code: another CDC
    assert second.cdc != first.cdc
    lote = client.submit([second]).lote_id
    clock.advance(2)
    (result,) = client.poll([ref_of(second, lote)])
    assert (result.outcome, result.code) == (Outcome.REJECTED, "1002")
    assert dtepy.approvals_by_number() == {(1, 1, 1, 7): 1}


def test_resending_an_approved_cdc_is_rejected_1001_and_not_issued_again(
    client: DTEpyClient, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    (doc,) = docs_with_cdc(5)
    client.submit([doc])
    clock.advance(2)
    assert doc.cdc is not None
    assert client.query_cdc(doc.cdc, 1) is not None
    lote = client.submit([doc]).lote_id  # it has a final result: SIFEN takes it, and says 1001
    clock.advance(2)
    (result,) = client.poll([ref_of(doc, lote)])
    assert (result.outcome, result.code) == (Outcome.REJECTED, "1001")
    assert dtepy.approvals_by_number() == {(1, 1, 1, 5): 1}
    assert dtepy.receipts_by_cdc() == {doc.cdc: 2}
    assert dtepy.blocks() == []
    assert [r.outcome for r in client.lookup(ref_of(doc))] == [Outcome.APPROVED]


def test_a_rejected_document_can_be_corrected_and_resent_with_the_same_cdc(
    client: DTEpyClient, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    bad = make_doc(1, 3, with_cdc=True, ruc=ruc_with_wrong_dv("80012345"))
    client.submit([bad])
    clock.advance(2)
    fixed = make_doc(1, 3, with_cdc=True, ruc=ruc_with_dv("80012345"))
    assert fixed.cdc == bad.cdc
    lote = client.submit([fixed]).lote_id
    clock.advance(2)
    assert client.poll([ref_of(fixed, lote)])[0].outcome is Outcome.APPROVED
    assert dtepy.approvals_by_number() == {(1, 1, 1, 3): 1}
    assert dtepy.blocks() == []


# -- never resend a CDC without a final result --------------------------------------------------


def test_resending_a_pending_cdc_is_refused_0301_and_blocks_the_emisor(
    client: DTEpyClient, dtepy: DTEpySandbox, clock: FakeClock
) -> None:
    (doc,) = docs_with_cdc(1)
    client.submit([doc])
    with pytest.raises(CallRefused) as info:
        client.submit([doc])
    assert info.value.code == "0301" and info.value.errors == {} and info.value.auth
    assert "bloqueada" in str(info.value)
    assert [(b.reason, b.cdcs) for b in dtepy.blocks()] == [
        ("reenvío de CDC aún en procesamiento", (doc.cdc,))
    ]
    assert dtepy.receipts_by_cdc() == {doc.cdc: 1}  # the refused lote created nothing

    with pytest.raises(CallRefused, match="0301"):  # blocked: even an innocent lote
        client.submit(docs_with_cdc(2))
    with pytest.raises(CallRefused, match="0301"):
        client.submit_sync(docs_with_cdc(3)[0])
    clock.advance(dtepy.block_seconds)
    assert client.submit(docs_with_cdc(2)).lote_id is not None


def test_lookup_of_a_document_still_in_a_lote_says_processing_not_absent(
    client: DTEpyClient, dtepy: DTEpySandbox
) -> None:
    (doc,) = docs_with_cdc(1)
    client.submit([doc])  # as if the answer had been lost: Lote has no lote number
    assert doc.cdc is not None
    assert client.query_cdc(doc.cdc, 1) is None  # SIFEN's 0420 alone would mislead
    (attempt,) = client.lookup(ref_of(doc))
    assert (attempt.outcome, attempt.local_id, attempt.cdc) == (Outcome.PROCESSING, 1, doc.cdc)
    assert dtepy.blocks() == []


def test_lookup_of_a_document_never_received_is_empty(client: DTEpyClient) -> None:
    (doc,) = docs_with_cdc(1)
    assert client.lookup(ref_of(doc)) == []
    assert client.lookup(ref_of(doc, "11158097383500000")) == []  # unknown lote, then by CDC


def test_lookup_finds_the_rejection_and_the_approval(client: DTEpyClient, clock: FakeClock) -> None:
    good, bad = make_doc(1, with_cdc=True), make_doc(2, with_cdc=True, ruc=DEMO_CANCELLED_RUC)
    client.submit([good, bad])
    clock.advance(2)
    assert [(a.outcome, a.code) for a in client.lookup(ref_of(good))] == [
        (Outcome.APPROVED, "0422")
    ]
    assert [(a.outcome, a.code, a.local_id) for a in client.lookup(ref_of(bad))] == [
        (Outcome.REJECTED, "1307", 2)
    ]


def test_lookup_of_a_document_without_cdc_asks_nothing(
    client: DTEpyClient, dtepy: DTEpySandbox
) -> None:
    doc = make_doc(1)
    dtepy.set_down(True)  # would raise ConnectionFailed if a request were made
    assert client.lookup(ref_of(doc)) == []


def test_poll_without_a_lote_number_asks_the_lote_by_cdc(
    client: DTEpyClient, clock: FakeClock
) -> None:
    docs = docs_with_cdc(1, 2)
    client.submit(docs)
    assert {r.outcome for r in client.poll([ref_of(d) for d in docs])} == {Outcome.PROCESSING}
    clock.advance(2)
    assert {r.outcome for r in client.poll([ref_of(d) for d in docs])} == {Outcome.APPROVED}


def test_documents_without_lote_number_in_one_concluded_lote_cost_one_request(
    client: DTEpyClient, clock: FakeClock
) -> None:
    docs = docs_with_cdc(1, 2, 3)
    client.submit(docs)
    clock.advance(2)
    sent: list[str] = []
    client._http.event_hooks["request"] = [lambda request: sent.append(request.url.path)]
    results = client.poll([ref_of(d) for d in docs])
    assert sorted(r.local_id for r in results) == [1, 2, 3]  # type: ignore[type-var]
    assert {r.outcome for r in results} == {Outcome.APPROVED}
    assert sent == ["/documentoset/consultalote"]


def test_lookup_asks_by_cdc_when_the_known_lote_concluded_without_the_document(
    client: DTEpyClient, clock: FakeClock
) -> None:
    (first,) = docs_with_cdc(1)
    lote = client.submit([first]).lote_id
    clock.advance(2)
    (second,) = docs_with_cdc(2)
    client.submit([second])  # still processing, in another lote
    (attempt,) = client.lookup(ref_of(second, lote))
    assert (attempt.outcome, attempt.local_id) == (Outcome.PROCESSING, 2)


def test_a_lote_older_than_48_hours_is_answered_per_cdc(
    client: DTEpyClient, clock: FakeClock
) -> None:
    good, bad = make_doc(1, with_cdc=True), make_doc(2, with_cdc=True, ruc=DEMO_CANCELLED_RUC)
    lote = client.submit([good, bad]).lote_id
    clock.advance(48 * 3600 + 1)
    assert lote is not None and client.query_lote(lote, 1).code == "0364"
    by_id = {r.local_id: r for r in client.poll([ref_of(good, lote), ref_of(bad, lote)])}
    assert (by_id[1].outcome, by_id[1].code) == (Outcome.APPROVED, "0422")
    assert (by_id[2].outcome, by_id[2].code) == (Outcome.REJECTED, "0420")
    assert [a.outcome for a in client.lookup(ref_of(bad, lote))] == [Outcome.REJECTED]


def test_an_unknown_lote_reports_its_documents_not_found(client: DTEpyClient) -> None:
    (doc,) = docs_with_cdc(1)
    (result,) = client.poll([ref_of(doc, "11158097383500000")])
    assert (result.outcome, result.code, result.local_id) == (Outcome.NOT_FOUND, "0360", 1)


# -- synchronous emission ------------------------------------------------------------------------


def test_submit_sync_answers_at_once(client: DTEpyClient, dtepy: DTEpySandbox) -> None:
    good = make_doc(1, with_cdc=True)
    result = client.submit_sync(good)
    assert (result.outcome, result.local_id, result.cdc, result.code) == (
        Outcome.APPROVED,
        1,
        good.cdc,
        "0260",
    )
    bad = make_doc(2, with_cdc=True, ruc=DEMO_CANCELLED_RUC)
    rejected = client.submit_sync(bad)
    assert (rejected.outcome, rejected.code) == (Outcome.REJECTED, "1307")
    assert dtepy.approvals_by_number() == {(1, 1, 1, 1): 1}


# -- refusals and faults ---------------------------------------------------------------------------


def test_documents_without_cdc_are_refused_before_anything_is_sent(
    client: DTEpyClient, dtepy: DTEpySandbox
) -> None:
    with pytest.raises(CallRefused) as info:
        client.submit([make_doc(1, with_cdc=True), make_doc(2)])
    assert info.value.code == "SIN_CDC" and info.value.auth and info.value.errors == {}
    assert dtepy.documents() == []


def test_dtepy_structure_errors_name_the_document(client: DTEpyClient, dtepy: DTEpySandbox) -> None:
    good, bad = make_doc(1, with_cdc=True), make_doc(2, with_cdc=True)
    broken = replace(bad, payload={**bad.payload, "items": []})
    with pytest.raises(CallRefused) as info:
        client.submit([good, broken])
    assert list(info.value.errors) == [1]
    assert "items" in info.value.errors[1]
    assert dtepy.documents() == []


def test_probe_checks_token_and_emisor(dtepy: DTEpySandbox, client: DTEpyClient) -> None:
    client.probe()
    with DTEpyClient(dtepy.url, TENANT, "wrong", timeout=5.0) as wrong:
        with pytest.raises(CallRefused) as info:
            wrong.probe()
        assert info.value.auth
    with DTEpyClient(dtepy.url, "2", API_KEY, timeout=5.0) as other:
        with pytest.raises(CallRefused) as info:
            other.submit(docs_with_cdc(1))
        assert info.value.auth and info.value.code == "403"
    assert dtepy.documents() == []


def test_connection_refused_is_connection_failed(dtepy: DTEpySandbox, client: DTEpyClient) -> None:
    dtepy.set_down(True)
    (doc,) = docs_with_cdc(1)
    with pytest.raises(ConnectionFailed):
        client.submit([doc])
    with pytest.raises(ConnectionFailed):
        client.poll([ref_of(doc, "1")])
    with pytest.raises(ConnectionFailed):
        client.probe()


@pytest.mark.parametrize(
    ("fault", "processed"),
    [
        (Fault.HTTP_500, False),
        (Fault.HTTP_503, False),
        (Fault.HTML_PAGE, False),
        (Fault.RESET_BEFORE, False),
        (Fault.RESET_AFTER, True),
        (Fault.HTTP_524_AFTER, True),
        (Fault.MALFORMED_JSON_AFTER, True),
        (Fault.TRUNCATED_BODY_AFTER, True),
    ],
)
def test_faults_after_sending_are_unknown_and_lookup_tells_the_truth(
    client: DTEpyClient, dtepy: DTEpySandbox, fault: Fault, processed: bool
) -> None:
    dtepy.inject_fault(fault, path="/documentoset/lotes")
    (doc,) = docs_with_cdc(1)
    with pytest.raises(OutcomeUnknown):
        client.submit([doc])
    attempts = client.lookup(ref_of(doc))
    if processed:
        assert [a.outcome for a in attempts] == [Outcome.PROCESSING]
        assert len(dtepy.lote_ids()) == 1
    else:
        assert attempts == []
        assert dtepy.lote_ids() == []
    assert dtepy.blocks() == []


def test_a_read_timeout_is_unknown(dtepy: DTEpySandbox) -> None:
    dtepy.latency = 0.6
    with DTEpyClient(dtepy.url, TENANT, API_KEY, timeout=0.2) as slow:
        with pytest.raises(OutcomeUnknown):
            slow.submit(docs_with_cdc(1))


def test_faults_on_queries_are_unknown(client: DTEpyClient, dtepy: DTEpySandbox) -> None:
    (doc,) = docs_with_cdc(1)
    dtepy.inject_fault(Fault.HTML_PAGE, path="consulta")
    with pytest.raises(OutcomeUnknown):
        client.poll([ref_of(doc, "1")])
    dtepy.inject_fault(Fault.HTTP_503, path="consulta")
    with pytest.raises(OutcomeUnknown):
        client.lookup(ref_of(doc))


def test_the_token_is_not_in_the_clients_repr_or_errors(dtepy: DTEpySandbox) -> None:
    with DTEpyClient(dtepy.url, TENANT, "secret-token-123", timeout=5.0) as c:
        assert "secret-token-123" not in repr(c)
        with pytest.raises(CallRefused) as info:
            c.probe()
        assert "secret-token-123" not in str(info.value)


# -- registry ------------------------------------------------------------------------------------


def test_registry_builds_the_dtepy_client_and_sandbox() -> None:
    with make_sandbox(
        "dtepy", processing_delay=0, api_key=API_KEY, wall_clock=lambda: NOW
    ) as sandbox:
        assert isinstance(sandbox, DTEpySandbox)
        client = make_provider_client(
            "dtepy",
            base_url=sandbox.url,
            tenant=TENANT,
            api_key=API_KEY,
            emisor_ruc="80069563-1",
            timeout=5.0,
        )
        assert isinstance(client, DTEpyClient)
        with client:
            assert client.max_batch == PROVIDER_DEFAULTS["dtepy"]["max_batch"] == 50
            client.probe()
            (doc,) = docs_with_cdc(1)
            lote = client.submit([doc]).lote_id
            assert client.poll([ref_of(doc, lote)])[0].outcome is Outcome.APPROVED


def test_dtepy_needs_the_emisor_id() -> None:
    with pytest.raises(ValueError):
        create_client(base_url="http://127.0.0.1:1", tenant=None, api_key="k")
    with pytest.raises(ValueError):
        DTEpyClient("http://127.0.0.1:1", " ", "k")
