"""CucuClient over real HTTP against the CUCU sandbox on 127.0.0.1.

Each test is one rule of the contract: seeds/cucu-invoices-batch.txt for the batch,
PROVIDERS.md ("CUCU", "Bolivia facts") for the envelope, 429/503, status and search.
Time (CUCU's settle time, Retry-After, SIAT's delay) runs on a fake clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from desktop_app.domain.bolivia import LOCAL_KEY, cuf_parts
from desktop_app.providers.base import (
    CallRefused,
    ConnectionFailed,
    DocumentRef,
    Outcome,
    OutcomeUnknown,
    OutgoingDocument,
)
from desktop_app.providers.cucu import CucuClient, RetryLater, create_client
from desktop_app.sandbox.cucu import DEFAULT_API_KEY, DEMO_UNKNOWN_NIT, CucuSandbox, demo_invoice
from desktop_app.sandbox.server import Fault
from tests.providers.factories import FakeClock

KEY = DEFAULT_API_KEY
POS = "660e8400-e29b-41d4-a716-446655440004"


def doc(local_id: int, **kwargs: Any) -> OutgoingDocument:
    payload = demo_invoice(**kwargs)
    payload[LOCAL_KEY] = {"numero": local_id, "ref": f"ref-{local_id}",
                          "fecha": "2026-02-11T09:00:00", "sucursal": "0"}
    return OutgoingDocument(local_id=local_id, payload=payload, numero=f"{POS}-{local_id:06d}",
                            external_ref=f"ref-{local_id}")


def ref(local_id: int, provider_ref: str | None = None) -> DocumentRef:
    return DocumentRef(local_id=local_id, tipo_documento=1, establecimiento="0", punto=POS,
                       numero=local_id, external_ref=f"ref-{local_id}", provider_ref=provider_ref)


@pytest.fixture
def cucu(clock: FakeClock) -> Iterator[CucuSandbox]:
    with CucuSandbox(clock=clock, processing_delay=2.0) as sb:
        yield sb


def make(cucu: CucuSandbox, clock: FakeClock, **kwargs: Any) -> CucuClient:
    return CucuClient(cucu.url, KEY, timeout=5.0, clock=clock, **kwargs)


@pytest.fixture
def client(cucu: CucuSandbox, clock: FakeClock) -> Iterator[CucuClient]:
    with make(cucu, clock) as c:
        yield c


def test_a_mixed_batch_is_answered_per_invoice(client: CucuClient, cucu: CucuSandbox) -> None:
    result = client.submit([doc(1), doc(2, nit=DEMO_UNKNOWN_NIT), doc(3, activity="461021"),
                            doc(4, product=62271), doc(5)])
    by_id = {r.local_id: r for r in result.documents}
    assert [by_id[i].outcome for i in range(1, 6)] == [
        Outcome.APPROVED, Outcome.REJECTED, Outcome.REJECTED, Outcome.REJECTED, Outcome.APPROVED]
    assert [by_id[i].code for i in (2, 3, 4)] == ["1037", "1016", "1017"]
    assert by_id[2].message == "EL NUMERO DOCUMENTO DE TIPO NIT NO ES VALIDO"
    approved = by_id[5]
    assert approved.provider_ref and approved.numero == "5"  # CUCU's number, not Lote's
    parts = cuf_parts(approved.cuf)
    assert parts is not None and parts.numero == 5
    assert cucu.issued_by_ref() == {"ref-1": 1, "ref-5": 1}


def test_probe_pings_with_the_key(client: CucuClient, cucu: CucuSandbox) -> None:
    client.probe()
    with CucuClient(cucu.url, "sk_test_wrong", timeout=5.0) as wrong:
        with pytest.raises(CallRefused) as caught:
            wrong.probe()
    assert caught.value.auth and "sk_test_wrong" not in str(caught.value)
    assert "sk_test" not in repr(wrong)


def test_a_wrong_key_refuses_the_batch_and_issues_nothing(cucu: CucuSandbox) -> None:
    with CucuClient(cucu.url, "sk_test_wrong", timeout=5.0) as wrong:
        with pytest.raises(CallRefused) as caught:
            wrong.submit([doc(1)])
    assert caught.value.auth and cucu.invoices() == []


def test_connection_refused_is_connection_failed(client: CucuClient, cucu: CucuSandbox) -> None:
    cucu.set_down(True)
    with pytest.raises(ConnectionFailed):
        client.submit([doc(1)])
    with pytest.raises(ConnectionFailed):
        client.probe()
    cucu.set_down(False)
    assert client.submit([doc(1)]).documents[0].outcome is Outcome.APPROVED


@pytest.mark.parametrize("fault", [Fault.HTTP_500, Fault.HTTP_503, Fault.HTML_PAGE,
                                   Fault.RESET_BEFORE])
def test_faults_before_processing_are_unknown_and_not_called_never_received_too_early(
        client: CucuClient, cucu: CucuSandbox, clock: FakeClock, fault: Fault) -> None:
    cucu.inject_fault(fault, path="/batch")
    with pytest.raises(OutcomeUnknown):
        client.submit([doc(1), doc(2)])
    assert cucu.invoices() == []
    # CUCU may still be working on the batch (30 s per invoice): not "never received" yet.
    [waiting] = client.lookup(ref(1))
    assert waiting.outcome is Outcome.PROCESSING and waiting.local_id == 1
    clock.advance(2 * 30 + 5)
    assert client.lookup(ref(1)) == []  # now it is safe to send it again


@pytest.mark.parametrize("fault", [Fault.RESET_AFTER, Fault.HTTP_524_AFTER,
                                   Fault.MALFORMED_JSON_AFTER])
def test_faults_after_processing_are_unknown_and_found_by_search(
        client: CucuClient, cucu: CucuSandbox, fault: Fault) -> None:
    cucu.inject_fault(fault, path="/batch")
    with pytest.raises(OutcomeUnknown):
        client.submit([doc(1), doc(2, nit=DEMO_UNKNOWN_NIT)])
    [approved] = client.lookup(ref(1))
    assert (approved.outcome, approved.local_id, approved.code) == (Outcome.APPROVED, 1, "908")
    assert approved.provider_ref and approved.cuf and approved.numero == "1"
    [rejected] = client.lookup(ref(2))
    assert (rejected.outcome, rejected.code) == (Outcome.REJECTED, "1037")
    assert cucu.issued_by_ref() == {"ref-1": 1}


def test_lookup_after_a_restart_finds_the_invoice_by_its_reference(
        cucu: CucuSandbox, clock: FakeClock) -> None:
    with make(cucu, clock) as first:
        first.submit([doc(1)])
    with make(cucu, clock) as restarted:  # no memory of what was sent
        [found] = restarted.lookup(ref(1))
    assert found.outcome is Outcome.APPROVED and found.local_id == 1


def test_lookup_with_a_known_invoice_id_asks_its_status(client: CucuClient) -> None:
    [sent] = client.submit([doc(1)]).documents
    [found] = client.lookup(ref(1, provider_ref=sent.provider_ref))
    assert found.outcome is Outcome.APPROVED and found.provider_ref == sent.provider_ref


def test_429_refuses_then_holds_calls_until_retry_after(
        client: CucuClient, cucu: CucuSandbox, clock: FakeClock) -> None:
    cucu.rate_limited, cucu.retry_after = True, 10
    with pytest.raises(RetryLater) as caught:
        client.submit([doc(1), doc(2)])
    assert (caught.value.code, caught.value.errors, caught.value.retry_after) == ("429", {}, 10)
    cucu.rate_limited = False
    with pytest.raises(ConnectionFailed, match="esperar"):
        client.submit([doc(1), doc(2)])  # nothing leaves the machine during the hold
    assert cucu.rate_limited_requests == 1 and cucu.received_by_ref() == {}
    clock.advance(10)
    assert len(client.submit([doc(1), doc(2)]).documents) == 2


def test_siat_unavailable_refuses_the_whole_batch(
        client: CucuClient, cucu: CucuSandbox, clock: FakeClock) -> None:
    cucu.siat_available = False
    with pytest.raises(RetryLater) as caught:
        client.submit([doc(1)])
    assert caught.value.code == "503" and "SIAT" in str(caught.value)
    assert cucu.invoices() == []


def test_siat_failing_mid_batch_requeues_the_rest(client: CucuClient, cucu: CucuSandbox) -> None:
    cucu.interrupt_siat_after(1)
    result = client.submit([doc(1), doc(2), doc(3)])
    assert [(r.local_id, r.outcome) for r in result.documents] == [
        (1, Outcome.APPROVED), (2, Outcome.NOT_PROCESSED), (3, Outcome.NOT_PROCESSED)]
    assert result.documents[1].code == "995"


def test_a_slow_siat_is_reconciled_then_polled_to_approval(
        client: CucuClient, cucu: CucuSandbox, clock: FakeClock) -> None:
    cucu.siat_slow = True
    assert client.submit([doc(1)]).documents == []  # timed out at SIAT: fate unknown
    [pending] = client.lookup(ref(1))
    assert pending.outcome is Outcome.PROCESSING and pending.provider_ref
    assert pending.provider_status == "PENDING" and pending.code == "901"
    [still] = client.poll([ref(1, pending.provider_ref)])
    assert still.outcome is Outcome.PROCESSING
    clock.advance(2)
    [done] = client.poll([ref(1, pending.provider_ref)])
    assert (done.outcome, done.local_id, done.code) == (Outcome.APPROVED, 1, "908")
    assert cucu.issued_by_ref() == {"ref-1": 1}


def test_poll_maps_cancelled_to_approved_and_keeps_the_status(
        client: CucuClient, cucu: CucuSandbox) -> None:
    [sent] = client.submit([doc(1)]).documents
    assert sent.provider_ref
    cucu.set_state(sent.provider_ref, "CANCELLED", 905)
    [polled] = client.poll([ref(1, sent.provider_ref)])
    assert (polled.outcome, polled.provider_status, polled.code) == (
        Outcome.APPROVED, "CANCELLED", "905")


def test_poll_of_an_unknown_invoice_id_is_not_found(client: CucuClient) -> None:
    [polled] = client.poll([ref(7, "no-such-id")])
    assert polled.outcome is Outcome.NOT_FOUND and polled.local_id == 7


def test_poll_without_an_invoice_id_searches_and_waits_for_the_batch_to_settle(
        cucu: CucuSandbox, clock: FakeClock) -> None:
    with make(cucu, clock) as client:
        cucu.inject_fault(Fault.RESET_BEFORE, path="/batch")
        with pytest.raises(OutcomeUnknown):
            client.submit([doc(1)])
        assert client.poll([ref(1)]) == []  # not found, CUCU may still be working
        clock.advance(30 + 5)
        [gone] = client.poll([ref(1)])
        assert gone.outcome is Outcome.NOT_FOUND and gone.local_id == 1
        client.submit([doc(2)])
        [found] = client.poll([ref(2)])
        assert found.outcome is Outcome.APPROVED and found.local_id == 2


def test_without_echo_the_search_falls_back_to_client_total_and_date(
        client: CucuClient, cucu: CucuSandbox) -> None:
    cucu.echo_external_reference = False
    cucu.inject_fault(Fault.RESET_AFTER, path="/batch")
    with pytest.raises(OutcomeUnknown):
        client.submit([doc(1, nit="1023456789", price=113), doc(2, nit="1023456789", price=200)])
    [one] = client.lookup(ref(1))
    assert one.outcome is Outcome.APPROVED and one.local_id == 1 and one.numero == "1"
    [two] = client.lookup(ref(2))
    assert two.numero == "2"


def test_without_echo_two_identical_sales_are_left_for_a_person(
        client: CucuClient, cucu: CucuSandbox) -> None:
    cucu.echo_external_reference = False
    cucu.inject_fault(Fault.RESET_AFTER, path="/batch")
    with pytest.raises(OutcomeUnknown):
        client.submit([doc(1), doc(2)])
    [undecided] = client.lookup(ref(1))
    assert undecided.outcome is Outcome.PROCESSING and "varias facturas" in (undecided.message or "")
    assert client.poll([ref(1)]) == []


@pytest.mark.parametrize(("timeout", "batch"), [(None, 120.0), (30.0, 60.0), (5.0, 10.0),
                                                (100.0, 120.0)])
def test_the_batch_waits_longer_than_other_calls_but_below_the_stale_threshold(
        timeout: float | None, batch: float) -> None:
    client = create_client(base_url="http://127.0.0.1:9", tenant=None, api_key=KEY,
                           timeout=timeout)
    with client:
        assert client.batch_timeout == batch
        if timeout is not None:
            assert client.batch_timeout < 2 * timeout + 30  # SyncEngine.stale_sending_after
