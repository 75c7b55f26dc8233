"""The documents table's free-text filter through SQLite's FTS5 trigram indexes
(migration 0006): the same documents as the LIKE scan it replaces, kept in step by
triggers, built for the documents already there when upgrading, and a LIKE fallback
when a database has no index."""

from __future__ import annotations

import random
import re
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command

from desktop_app.store import lote_queries
from desktop_app.store.db import Database, alembic_config
from desktop_app.store.lote_queries import (
    DocumentFilter,
    document_count,
    document_search,
    matching_ids,
)
from desktop_app.store.models import SEARCH_INDEXES, Document
from desktop_app.store.outbox import Change, apply_changes, enqueue_documents
from tests.packaging.schema_0001_fixture import FIXTURE
from tests.support.factories import customer, document, ruc

COLUMNS = ("customer_name", "customer_tax_id", "cdc", "cuf", "cae", "provider_number")
TRIGGERS = {f"{index}_{event}" for index in SEARCH_INDEXES for event in ("insert", "delete", "update")}

#: Names people type, and names that FTS5 would read as syntax if they were not quoted.
NAMES = [
    "Farmacia Central",
    "FARMACIA SANTA RITA",
    "farmacia del pueblo",
    "Ñandutí S.A.",
    "ñandutí srl",
    "ÑANDUTÍ HNOS",
    "BENÍTEZ Ana",
    "Benítez Ana",
    "Benitez Ana María",
    "José Pérez",
    "JOSÉ PÉREZ e hijos",
    "Güemes Comercial",
    "GÜEMES",
    'Bar "El Gaucho"',
    'Kiosko "24" Horas',
    "Casa * Estrella",
    "Hermanos-Gómez",
    "AND Comercial",
    "Comercial AND OR NOT",
    "Cerámica (Luque) NEAR",
    "50% Descuentos",
    "under_score SA",
    "O'Higgins SRL",
    "Distribuidora: Norte^2",
    "Panadería {La Espiga}",
    "Ferretería El Tornillo S.A.",
]


def _queue_varied(db: Database, profile_id: int, n: int = 300) -> list[int]:
    """`n` documents with the names above and assorted tax ids; then, as the sync
    engine would write them, CUFs, CAEs and provider numbers for some (the UPDATE
    triggers' path)."""
    rng = random.Random(6)
    docs = []
    for i in range(n):
        tax_id = ruc(rng.choice(["80026564", "8002656", "4567890", "1234567", "80012345"])
                     if i % 3 else str(rng.randrange(1_000_000, 99_999_999)))
        docs.append(replace(document(tax_id=tax_id), cliente=customer(tax_id, NAMES[i % len(NAMES)])))
    result = enqueue_documents(db, profile_id, docs)
    assert result.ok, result.errors
    changes = []
    for i, doc_id in enumerate(result.ids):
        values: dict[str, str] = {}
        if i % 3 == 1:
            values["cuf"] = "".join(rng.choice("0123456789ABCDEF") for _ in range(60))
        if i % 4 == 2:
            values["cae"] = f"{rng.randrange(10**13, 10**14)}"
        if i % 5 == 3:
            values["provider_number"] = rng.choice(["CUCU-", "A-0001-", "pn "]) + f"{i:06d}"
        if values:
            changes.append(Change(doc_id, "QUEUED", values=values))
    with db.write() as s:
        apply_changes(s, changes, actor="test", at=datetime.now(UTC))
    return result.ids


def _rows(db: Database) -> dict[int, tuple[str | None, ...]]:
    conn = sqlite3.connect(db.engine.url.database or "")
    try:
        return {r[0]: tuple(r[1:]) for r in conn.execute(f"SELECT id, {', '.join(COLUMNS)} FROM document")}
    finally:
        conn.close()


def _ascii_lower(value: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in value)


def _containing(rows: dict[int, tuple[str | None, ...]], text: str, fold) -> set[int]:
    """The documents with `text` in one of the searched columns, case folded by `fold`."""
    wanted = fold(text)
    return {i for i, values in rows.items() if any(v is not None and wanted in fold(v) for v in values)}


def _texts(rows: dict[int, tuple[str | None, ...]]) -> list[str]:
    """Many search texts: pieces of the stored values in their case, upper and lower
    case, plus texts made of FTS5 syntax, LIKE wildcards, accents and nothing found."""
    rng = random.Random(7)
    texts = [
        '"', '""', 'Bar "El', '"24"', "*", "Casa *", "* Estrella", "-", "Hermanos-", "-Gómez",
        "AND", "and", "AND OR NOT", "OR", "NOT", "NEAR", "(Luque)", "(", ")", ":", "a: N",
        "^2", "{La", "}", "'", "O'H", "%", "50%", "_", "r_s", "under_", "ñ", "Ñ", "ñan",
        "ÑAN", "ñandutí", "ÑANDUTÍ", "nandu", "BENÍTEZ", "benítez", "benitez", "BENITEZ",
        "é", "PÉR", "pér", "per", "GÜE", "güe", "gue", "Ferretería", "FERRETERÍA", "ía",
        "farmacia", "FARMACIA", "Farm", "far", "fa", "f", "80026", "8002656", "80026564-",
        "4567890-1", "123", "12", "1", "0001", "CUCU", "cucu-0", "A-0001-", "pn 0", "abc",
        "ABC", "zzz no existe", "a" * 80, "  farmacia  ", "S.A.", ".", "\\", "e hijos",
    ]
    for values in rng.sample(list(rows.values()), 60):
        for value in values:
            if not value:
                continue
            start = rng.randrange(len(value))
            piece = value[start:start + rng.choice([1, 2, 3, 4, 6, 9, 15])]
            texts += [piece, piece.upper(), piece.lower(), piece.swapcase()]
    return list(dict.fromkeys(t for t in texts if t.strip()))


def test_the_index_finds_what_the_like_scan_found_and_also_non_ascii_case(
    db: Database, demo_profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compared over a few hundred documents and a few hundred texts: every document the
    LIKE version finds, and beyond it only those whose match needed folding the case of
    a non-ASCII letter (ñ/Ñ, é/É: SQLite's LIKE only folds ASCII)."""
    ids = _queue_varied(db, demo_profile.id)
    rows = _rows(db)
    assert set(rows) == set(ids)
    texts = _texts(rows)
    assert len(texts) > 300

    def search(text: str) -> list[int]:
        return document_search(db, DocumentFilter(text=text))

    with db.session() as s:
        assert lote_queries.search_index_ready(s)
    indexed = {t: search(t) for t in texts}
    monkeypatch.setattr(lote_queries, "search_index_ready", lambda session: False)
    scanned = {t: search(t) for t in texts}
    monkeypatch.undo()

    extra_seen = 0
    for text in texts:
        fts, like = indexed[text], scanned[text]
        assert fts == sorted(fts, reverse=True), text  # still newest first
        assert set(like) <= set(fts), text
        stripped = text.strip()
        folded_only = _containing(rows, stripped, str.lower) - _containing(rows, stripped, _ascii_lower)
        if len(stripped) >= lote_queries.FTS_MIN_CHARS:
            assert set(fts) - set(like) == folded_only, text
            extra_seen += bool(folded_only)
        else:
            assert fts == like, text
        if not re.fullmatch(r"[0-9A-Fa-f-]+", stripped):
            # Free text (not a number, tax id or code): plainly "contains", as typed.
            assert set(like) == _containing(rows, stripped, _ascii_lower), text
            if len(stripped) >= lote_queries.FTS_MIN_CHARS:
                assert set(fts) == _containing(rows, stripped, str.lower), text
    assert extra_seen >= 5  # the comparison did meet non-ASCII case

    for text in ("farmacia", "80026", "ñandutí", "Bar \"El", "zzz no existe"):
        flt = DocumentFilter(text=text)
        assert document_count(db, flt) == len(indexed[text])
        assert matching_ids(db, flt, ids) == set(indexed[text])


def test_special_characters_accents_and_case(db: Database, demo_profile) -> None:
    ids = dict(zip(NAMES, _queue_varied(db, demo_profile.id, len(NAMES)), strict=True))

    def names(text: str) -> set[str]:
        found = set(document_search(db, DocumentFilter(text=text)))
        return {name for name, doc_id in ids.items() if doc_id in found}

    assert names("ñandutí") == names("ÑANDUTÍ") == {"Ñandutí S.A.", "ñandutí srl", "ÑANDUTÍ HNOS"}
    assert names("nanduti") == set()  # accents count, as with LIKE
    assert names("benítez") == {"BENÍTEZ Ana", "Benítez Ana"}
    assert names("BENITEZ") == {"Benitez Ana María"}
    assert names('Bar "El') == {'Bar "El Gaucho"'}
    assert names('"24"') == {'Kiosko "24" Horas'}
    assert names('"') == {'Bar "El Gaucho"', 'Kiosko "24" Horas'}
    assert names("Casa *") == {"Casa * Estrella"}
    assert names("-Gómez") == {"Hermanos-Gómez"}
    assert names("AND") == {
        "AND Comercial", "Comercial AND OR NOT", "Ñandutí S.A.", "ñandutí srl", "ÑANDUTÍ HNOS"
    }
    assert names("OR NOT") == {"Comercial AND OR NOT"}
    assert names("(Luque) NEAR") == {"Cerámica (Luque) NEAR"}
    assert names("a: N") == {"Distribuidora: Norte^2"}
    assert names("{La") == {"Panadería {La Espiga}"}
    assert names("O'Hi") == {"O'Higgins SRL"}
    # LIKE wildcards are matched as typed, through the index and through LIKE alike.
    assert names("50%") == {"50% Descuentos"}
    assert names("r_s") == {"under_score SA"}
    assert names("%") == {"50% Descuentos"}
    assert names("_") == {"under_score SA"}
    assert names("a\x00b") == set()  # FTS5 cannot take a NUL: the LIKE answers


def test_the_triggers_keep_the_indexes_in_step(db: Database, demo_profile) -> None:
    [doc_id] = _queue_varied(db, demo_profile.id, 1)
    path = db.engine.url.database or ""

    def found(text: str) -> bool:
        return document_search(db, DocumentFilter(text=text)) == [doc_id]

    def index_pages() -> list[tuple[int, int]]:
        conn = sqlite3.connect(path)
        try:
            return [conn.execute(f"SELECT count(*), sum(length(block)) FROM {index}_data").fetchone()
                    for index in SEARCH_INDEXES]
        finally:
            conn.close()

    assert found("Farmacia Central")
    with db.write() as s:
        apply_changes(s, [Change(doc_id, "QUEUED", values={"customer_name": "Librería Lumen",
                                                           "cae": "71234567890123"})],
                      actor="test", at=datetime.now(UTC))
    assert found("librería lum") and found("123456789012") and not found("Farmacia")
    # State columns (what the sync engine writes all the time) leave the indexes alone,
    # and so does writing an indexed column with the value it has.
    before = index_pages()
    with db.write() as s:
        apply_changes(s, [Change(doc_id, "QUEUED", values={"state": "SENDING", "polls": 3,
                                                           "cae": "71234567890123"})],
                      actor="test", at=datetime.now(UTC))
    assert index_pages() == before
    _assert_indexes_match_the_table(path)

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DELETE FROM document WHERE id = ?", (doc_id,))
    conn.commit()
    conn.close()
    assert not found("Librería")
    _assert_indexes_match_the_table(path)


def _assert_indexes_match_the_table(path: str | Path) -> None:
    """FTS5's integrity-check with rank 1: the index agrees with the `document` rows."""
    conn = sqlite3.connect(path)
    try:
        for index in SEARCH_INDEXES:
            conn.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
        triggers = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert TRIGGERS <= triggers  # a migration that rebuilt `document` must make them again
    finally:
        conn.close()


def test_at_head_every_document_is_indexed_and_the_filter_uses_the_indexes(
    db: Database, demo_profile
) -> None:
    _queue_varied(db, demo_profile.id, 30)
    path = db.engine.url.database or ""
    _assert_indexes_match_the_table(path)
    conn = sqlite3.connect(path)
    try:
        for index in SEARCH_INDEXES:
            assert conn.execute(f"SELECT count(*) FROM {index}_docsize").fetchone() == (30,)
    finally:
        conn.close()
    from sqlalchemy.dialects import sqlite as sqlite_dialect

    stmt = lote_queries._base(DocumentFilter(text="farmacia"), Document.id, fts=True)
    sql = str(stmt.compile(dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}))
    conn = sqlite3.connect(path)
    try:
        plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
    finally:
        conn.close()
    assert "VIRTUAL TABLE" in plan and "SCAN document " not in f"{plan} "


def test_a_database_without_the_indexes_searches_with_like_and_gets_them_back(
    db: Database, demo_profile
) -> None:
    """Migration 0006 down and up again: without the indexes (as when SQLite lacks the
    trigram tokenizer) the filter scans with LIKE; upgrading builds them for the
    documents already there."""
    ids = _queue_varied(db, demo_profile.id, 40)
    texts = ["farmacia", "ÑANDUTÍ", "80026", "8002656", "Bar \"El", "CUCU", "pn 0", "zz"]
    with_index = {t: document_search(db, DocumentFilter(text=t)) for t in texts}
    cfg = alembic_config(db.engine)
    command.downgrade(cfg, "0005")
    with db.session() as s:
        assert not lote_queries.search_index_ready(s)
    for text in texts:
        like = document_search(db, DocumentFilter(text=text))
        if text == "ÑANDUTÍ":  # LIKE folds only ASCII: the upper-case name alone
            assert set(like) < set(with_index[text])
        else:
            assert like == with_index[text], text
    command.upgrade(cfg, "head")
    assert {t: document_search(db, DocumentFilter(text=t)) for t in texts} == with_index
    _assert_indexes_match_the_table(db.engine.url.database or "")
    assert len(document_search(db, DocumentFilter())) == len(ids)


def test_the_first_release_database_is_indexed_when_upgraded(tmp_path: Path) -> None:
    """tests/fixtures/lote-schema-0001.sqlite3 opened as the app opens it: every old
    document is in the indexes and found by its customer and tax id."""
    from desktop_app.store.queries import list_documents

    path = tmp_path / "lote.sqlite3"
    shutil.copyfile(FIXTURE, path)
    db = Database.open(f"sqlite:///{path}", backup_dir=tmp_path / "backups", check=True)
    try:
        rows = list_documents(db)
        assert len(rows) >= 4
        _assert_indexes_match_the_table(path)
        conn = sqlite3.connect(path)
        try:
            for index in SEARCH_INDEXES:
                docsize = conn.execute(f"SELECT count(*) FROM {index}_docsize").fetchone()[0]
                assert docsize == len(rows)
        finally:
            conn.close()
        for row in rows:
            for text in (row.customer_name, row.customer_name.upper(), row.customer_tax_id[:5]):
                assert row.id in document_search(db, DocumentFilter(text=text)), text
    finally:
        db.dispose()
