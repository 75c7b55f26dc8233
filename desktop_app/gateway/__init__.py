"""The back-room gateway: a shop's point-of-sale or ERP program hands its sales to Lote.

Two ways in, one way through:

- a watched folder per profile (`folder.py`): a JSON, CSV or XLSX file dropped there is
  validated and queued in one transaction, then moved to ``procesados/`` or, with a
  ``.errors.json`` naming every problem, to ``errores/``;
- a local HTTP API on 127.0.0.1 (`server.py`, routes and OpenAPI in `api.py` and
  `openapi.py`), off by default, guarded by a bearer token.

Both hand their documents to `intake.Intake.submit`, which calls
`store.outbox.enqueue_documents` — the same validation and queue as the invoice dialog —
under one lock that makes a repeated sale (same external id, same Idempotency-Key, same
file) return the first result instead of a second invoice. When a document reaches a
final state, `results.GatewayResults` writes ``resultados/<external id>.json`` (and the
printed PDF) so the POS can print or react. The gateway's own bookkeeping lives in a
small side database, ``gateway/gateway.sqlite3`` in the data folder (`ledger.py`), so
it never needs a migration of the main schema. `host.GatewayHost` runs all of it for
``lote watch`` and ``lote api``; see docs/gateway.md for the protocols.
"""
