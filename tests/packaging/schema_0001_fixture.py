"""Builds tests/fixtures/lote-schema-0001.sqlite3: a database as the first release of Lote
left it — schema by migration 0001 only, a few rows in every table (a real profile and
the demo one, numbering, lotes, documents in several states with real DE payloads and
CDCs, their audit events).

The file is committed and never rebuilt by the tests: it stands for a user's database
made by old code. Rebuild only if it is lost:

    .venv/bin/python -m tests.packaging.schema_0001_fixture
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

from alembic import command

from desktop_app.domain.country import rules_for
from desktop_app.domain.emisor import DEMO_EMISOR, Emisor
from desktop_app.store.db import Database, alembic_config
from tests.support.factories import document, ruc

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "lote-schema-0001.sqlite3"
START = datetime(2026, 3, 2, 9, 30, 0)


def _ts(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def build(path: Path) -> Path:
    path.unlink(missing_ok=True)
    old = Database(f"sqlite:///{path}")
    command.upgrade(alembic_config(old.engine), "0001")
    old.dispose()

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=ON")
    profiles = [
        # id, name, provider, base_url, tenant, emisor, name, is_default, is_demo, failures, last_error
        (
            1,
            "Ferretería Central",
            "facturasend",
            "https://api.facturasend.com.py",
            "ferreteria",
            ruc("80012345"),
            "Ferretería Central S.A.",
            1,
            0,
            2,
            "Sin conexión con el proveedor (tiempo agotado)",
        ),
        (
            2,
            "Demo",
            "facturasend",
            "sandbox:",
            "demo",
            DEMO_EMISOR.ruc,
            DEMO_EMISOR.razon_social,
            0,
            1,
            0,
            None,
        ),
    ]
    for (
        pid,
        name,
        provider,
        url,
        tenant,
        emisor,
        emisor_name,
        default,
        demo,
        failures,
        error,
    ) in profiles:
        conn.execute(
            "INSERT INTO provider_profile (id, name, provider, country, base_url, tenant,"
            " emisor_ruc, emisor_name, tipo_contribuyente, establecimiento, punto, max_batch,"
            " poll_first_s, poll_every_s, poll_max_s, is_default, is_demo, created_at, online,"
            " failures, next_attempt_at, last_error, last_sync_at)"
            " VALUES (?, ?, ?, 'PY', ?, ?, ?, ?, 2, '001', '001', 50, 5.0, 30.0, 3600.0, ?, ?, ?,"
            " ?, ?, ?, ?, ?)",
            (
                pid,
                name,
                provider,
                url,
                tenant,
                emisor,
                emisor_name,
                default,
                demo,
                _ts(START),
                0 if failures else 1,
                failures,
                _ts(START + timedelta(minutes=5)) if failures else None,
                error,
                _ts(START + timedelta(hours=2)),
            ),
        )

    emisor = Emisor(ruc=profiles[0][5], razon_social=profiles[0][6], tipo_contribuyente=2)
    rules = rules_for("PY")
    lotes = [
        (1, 1, "attempt-0001", "20260302093512345", 1, 2, "DONE", "0300", "Lote procesado"),
        (2, 1, "attempt-0002", "20260302101500001", 1, 1, "SUBMITTED", None, None),
    ]
    for lid, pid, attempt, provider_id, tipo, size, state, code, message in lotes:
        conn.execute(
            "INSERT INTO lote (id, profile_id, attempt_id, provider_lote_id, tipo_documento,"
            " size, state, created_at, finished_at, code, message) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            (
                lid,
                pid,
                attempt,
                provider_id,
                tipo,
                size,
                state,
                _ts(START + timedelta(minutes=lid)),
                _ts(START + timedelta(minutes=lid + 1)) if state == "DONE" else None,
                code,
                message,
            ),
        )

    # numero, state, lote, code, message, customer RUC, price
    docs = [
        (1, "APPROVED", 1, "0260", "Aprobado", ruc("80012345"), 110_000),
        (2, "REJECTED", 1, "1250", "RUC del receptor inexistente", ruc("80000001"), 55_000),
        (3, "SUBMITTED", 2, None, None, ruc("80054321"), 1_250_000),
        (4, "QUEUED", None, None, None, ruc("80099999"), 27_500),
    ]
    event_id = 0
    for numero, state, lote_id, code, message, tax_id, price in docs:
        doc = rules.with_numero(rules.prepare(document(tax_id=tax_id, price=price)), numero)
        doc.fecha = START + timedelta(minutes=numero)
        summary = rules.summary(doc)
        created = START + timedelta(minutes=numero)
        conn.execute(
            "INSERT INTO document (id, profile_id, tipo_documento, establecimiento, punto, numero,"
            " fecha, customer_name, customer_tax_id, currency, total, iva_total, state,"
            " processing, cdc, external_ref, attempt_id, lote_id, code, message, payload, polls,"
            " next_poll_at, submitted_at, created_at, updated_at) VALUES (?, 1, 1, '001', '001',"
            " ?, ?, ?, ?, 'PYG', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                numero,
                numero,
                _ts(doc.fecha),
                summary.customer_name,
                summary.customer_tax_id,
                int(summary.total),
                int(summary.iva_total),
                state,
                1 if state == "SUBMITTED" else 0,
                rules.authority_id(doc, emisor),
                f"pos-{numero:04d}",
                f"attempt-{lote_id:04d}" if lote_id else None,
                lote_id,
                code,
                message,
                json.dumps(rules.to_json(doc), ensure_ascii=False),
                2 if lote_id else 0,
                _ts(created + timedelta(minutes=30)) if state == "SUBMITTED" else None,
                _ts(created + timedelta(seconds=20)) if lote_id else None,
                _ts(created),
                _ts(created + timedelta(minutes=2)),
            ),
        )
        history = [(None, "QUEUED", "user", None, "Guardado y encolado")]
        if lote_id:
            history += [
                ("QUEUED", "SENDING", "sync", None, None),
                ("SENDING", "SUBMITTED", "sync", "0300", "Lote recibido"),
            ]
        if state in ("APPROVED", "REJECTED"):
            history.append(("SUBMITTED", state, "sync", code, message))
        for step, (before, after, actor, ev_code, ev_message) in enumerate(history):
            event_id += 1
            conn.execute(
                "INSERT INTO document_event (id, document_id, at, from_state, to_state, actor,"
                " code, message, attempt_id, lote_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    event_id,
                    numero,
                    _ts(created + timedelta(seconds=10 * step)),
                    before,
                    after,
                    actor,
                    ev_code,
                    ev_message,
                    f"attempt-{lote_id:04d}" if lote_id and step else None,
                    lote_id if step else None,
                ),
            )
    conn.execute(
        "INSERT INTO number_sequence (id, profile_id, tipo_documento, establecimiento,"
        " punto, next_numero) VALUES (1, 1, 1, '001', '001', 5)"
    )
    conn.execute(
        "INSERT INTO number_sequence (id, profile_id, tipo_documento, establecimiento,"
        " punto, next_numero) VALUES (2, 2, 1, '001', '001', 1)"
    )
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    conn.execute("VACUUM")
    conn.close()
    return path


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURE
    target.parent.mkdir(parents=True, exist_ok=True)
    build(target)
    print(f"{target} ({target.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
