"""Terminals and their puntos de expedición: several counters, one database.

SIFEN numbers every document within an establecimiento and a punto de expedición
(MT v150: dEst, dPunExp, dNumDoc), and DNIT expects each cash register to be its own
punto: two machines issuing on one punto would have to share one sequence and one
lote order across the network, and a gap or a duplicate there is the shop's problem
with the authority. So with a shared PostgreSQL database each Lote installation is a
*terminal* — an id kept in its data folder (`terminal-id`) — and each (profile,
establecimiento, punto) belongs to exactly one terminal (`uq_terminal_punto`).

No ceremony: a terminal takes a punto the first time it issues on it. On PostgreSQL a
document whose punto another terminal already took is refused with that terminal's
name (a `ValidationError` on "punto": errors the user can fix are values). On SQLite
the file *is* the terminal: the punto simply follows the current id, so a data folder
restored on a new computer keeps working.

`terminal_lote` records which terminal claimed each lote: after a crash a terminal
turns back into UNKNOWN only the SENDING documents *it* had on the wire — another
terminal's may be in flight right now (sync/engine.py, `recover_interrupted`).
"""

from __future__ import annotations

import os
import re
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Column, ForeignKey, Index, Integer, String, UniqueConstraint, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, SQLModel, col, select

from desktop_app.store.db import Database
from desktop_app.store.types import UTCDateTime, insert_or_ignore, utcnow

#: The file in the data folder that names this installation.
TERMINAL_FILE = "terminal-id"
#: The terminal of a `Database` opened without one (tests, scripts): one per process
#: is fine on SQLite; on PostgreSQL `runtime.open_database` always passes the real id.
LOCAL_TERMINAL = "local"
_ID_RE = re.compile(r"[0-9a-f]{32}")


def _utc(**kw) -> Column:
    return Column(UTCDateTime(), **kw)


class Terminal(SQLModel, table=True):
    """One Lote installation (its data folder). `name` is what people are told."""

    __tablename__ = "terminal"

    id: str = Field(primary_key=True)
    name: str
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class TerminalPunto(SQLModel, table=True):
    """A punto de expedición of a profile and the one terminal that issues on it.
    `chosen` marks the punto the terminal's new invoices use for that profile."""

    __tablename__ = "terminal_punto"
    __table_args__ = (
        UniqueConstraint("profile_id", "establecimiento", "punto", name="uq_terminal_punto"),
        Index("ix_terminal_punto_terminal_id", "terminal_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    profile_id: int = Field(
        sa_column=Column(
            Integer(), ForeignKey("provider_profile.id", ondelete="CASCADE"), nullable=False
        )
    )
    establecimiento: str
    punto: str
    terminal_id: str = Field(sa_column=Column(String(), ForeignKey("terminal.id"), nullable=False))
    chosen: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc(nullable=False))


class TerminalLote(SQLModel, table=True):
    """Which terminal claimed (and sent) a lote. Written on shared databases only."""

    __tablename__ = "terminal_lote"

    lote_id: int = Field(
        sa_column=Column(Integer(), ForeignKey("lote.id"), primary_key=True, autoincrement=False)
    )
    terminal_id: str = Field(
        sa_column=Column(String(), ForeignKey("terminal.id"), nullable=False, index=True)
    )


@dataclass(frozen=True)
class PuntoOwner:
    establecimiento: str
    punto: str
    terminal_id: str
    terminal_name: str


class PuntoTaken(ValueError):
    """Another terminal issues on this punto (the message names it)."""

    def __init__(self, owner: PuntoOwner, profile_name: str) -> None:
        super().__init__(punto_taken_message(owner, profile_name))
        self.owner = owner


def punto_taken_message(owner: PuntoOwner, profile_name: str) -> str:
    return (
        f"El punto de expedición {owner.establecimiento}-{owner.punto} del perfil "
        f"«{profile_name}» pertenece a la terminal «{owner.terminal_name}»: cada terminal "
        "emite en su propio punto. Elija otro punto de expedición para esta terminal en "
        "Configuración."
    )


# -- this installation ------------------------------------------------------------------


def terminal_id_for(folder: Path) -> str:
    """This installation's id, created on first use (a random 128-bit hex string, 0600).

    Copying a data folder to a second computer copies its id too: give the copy a new
    one by deleting `terminal-id` there before its first start."""
    path = folder / TERMINAL_FILE
    existing = _read_id(path)
    if existing:
        return existing
    new = uuid.uuid4().hex
    tmp = path.with_name(f"{TERMINAL_FILE}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        os.write(fd, (new + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # atomic "create if absent": two first starts agree on one id
    except FileExistsError:
        winner = _read_id(path)
        if winner:
            return winner
        os.replace(tmp, path)  # an unreadable file: replace it
        return new
    except OSError:  # file systems without hard links
        os.replace(tmp, path)
        return new
    finally:
        tmp.unlink(missing_ok=True)
    return new


def _read_id(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return text if _ID_RE.fullmatch(text) else None


def default_terminal_name() -> str:
    """The computer's name: what the other counters are told ("caja-2")."""
    return os.environ.get("LOTE_TERMINAL_NAME") or socket.gethostname() or "terminal"


def current_terminal(db: Database) -> str:
    return getattr(db, "terminal_id", None) or LOCAL_TERMINAL


def register_terminal(db: Database, name: str | None = None) -> Terminal:
    """Record this terminal (at every start): its name and when it was last seen."""
    tid = current_terminal(db)
    now = utcnow()
    with db.write() as s:
        stmt = insert_or_ignore(s, Terminal).values(
            id=tid, name=name or default_terminal_name(), created_at=now, last_seen_at=now
        )
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={"name": stmt.excluded.name, "last_seen_at": stmt.excluded.last_seen_at},
            )
        )
        row = s.get(Terminal, tid, populate_existing=True)
        assert row is not None
        return row


def ensure_terminal(session: OrmSession, terminal_id: str) -> None:
    """Make sure the terminal row exists (a Database opened without the runtime)."""
    now = utcnow()
    session.execute(
        insert_or_ignore(session, Terminal)
        .values(
            id=terminal_id,
            name=default_terminal_name(),
            created_at=now,
            last_seen_at=now,
        )
        .on_conflict_do_nothing(index_elements=["id"])
    )


# -- puntos ----------------------------------------------------------------------------


def claim_puntos(
    session: OrmSession, profile_id: int, places: set[tuple[str, str]], terminal_id: str
) -> dict[tuple[str, str], PuntoOwner]:
    """Take every (establecimiento, punto) in `places` for `terminal_id` inside the
    caller's transaction; returns those another terminal owns (PostgreSQL only).

    INSERT ... ON CONFLICT DO NOTHING, then read the owner: two terminals taking the
    same free punto at once do not fail on the unique constraint — the second waits
    for the first to commit and is then told who owns it."""
    if not places:
        return {}
    ensure_terminal(session, terminal_id)
    shared = session.get_bind().dialect.name != "sqlite"
    have_chosen = (
        session.execute(
            select(col(TerminalPunto.id))
            .where(
                col(TerminalPunto.profile_id) == profile_id,
                col(TerminalPunto.terminal_id) == terminal_id,
                col(TerminalPunto.chosen).is_(True),
            )
            .limit(1)
        ).first()
        is not None
    )
    refused: dict[tuple[str, str], PuntoOwner] = {}
    for est, punto in sorted(places):  # one order everywhere: no deadlock between terminals
        inserted = session.execute(
            insert_or_ignore(session, TerminalPunto)
            .values(
                profile_id=profile_id,
                establecimiento=est,
                punto=punto,
                terminal_id=terminal_id,
                chosen=not have_chosen,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["profile_id", "establecimiento", "punto"])
        )
        have_chosen = have_chosen or bool(getattr(inserted, "rowcount", 0))
        owner = _owner(session, profile_id, est, punto)
        if owner is None or owner.terminal_id == terminal_id:
            continue
        if shared:
            refused[(est, punto)] = owner
        else:
            # One SQLite file, one terminal: the punto follows this installation.
            session.execute(
                update(TerminalPunto)
                .where(
                    col(TerminalPunto.profile_id) == profile_id,
                    col(TerminalPunto.establecimiento) == est,
                    col(TerminalPunto.punto) == punto,
                )
                .values(terminal_id=terminal_id)
            )
    return refused


def _owner(session: OrmSession, profile_id: int, est: str, punto: str) -> PuntoOwner | None:
    row = session.execute(
        select(col(TerminalPunto.terminal_id), col(Terminal.name))
        .join(Terminal, col(Terminal.id) == col(TerminalPunto.terminal_id))
        .where(
            col(TerminalPunto.profile_id) == profile_id,
            col(TerminalPunto.establecimiento) == est,
            col(TerminalPunto.punto) == punto,
        )
    ).first()
    return PuntoOwner(est, punto, row[0], row[1]) if row else None


def assign_punto(db: Database, profile_id: int, establecimiento: str, punto: str) -> None:
    """This terminal issues its new documents of the profile on (establecimiento,
    punto) from now on. Raises `PuntoTaken` when another terminal owns it (PostgreSQL)."""
    from desktop_app.store.models import ProviderProfile

    tid = current_terminal(db)
    with db.write() as s:
        profile = s.get(ProviderProfile, profile_id)
        if profile is None:
            raise LookupError(profile_id)
        refused = claim_puntos(s, profile_id, {(establecimiento, punto)}, tid)
        if refused:
            raise PuntoTaken(refused[(establecimiento, punto)], profile.name)
        s.execute(
            update(TerminalPunto)
            .where(
                col(TerminalPunto.profile_id) == profile_id,
                col(TerminalPunto.terminal_id) == tid,
            )
            .values(
                chosen=(col(TerminalPunto.establecimiento) == establecimiento)
                & (col(TerminalPunto.punto) == punto)
            )
        )


def terminal_place(db: Database, profile_id: int) -> tuple[str, str]:
    """(establecimiento, punto) this terminal's new invoices of the profile use: the one
    it chose (`assign_punto`), else the profile's own."""
    from desktop_app.store.models import ProviderProfile

    tid = current_terminal(db)
    with db.session() as s:
        row = s.execute(
            select(col(TerminalPunto.establecimiento), col(TerminalPunto.punto)).where(
                col(TerminalPunto.profile_id) == profile_id,
                col(TerminalPunto.terminal_id) == tid,
                col(TerminalPunto.chosen).is_(True),
            )
        ).first()
        if row is not None:
            return row[0], row[1]
        profile = s.get(ProviderProfile, profile_id)
        if profile is None:
            raise LookupError(profile_id)
        return profile.establecimiento, profile.punto


def punto_owner(
    db: Database, profile_id: int, establecimiento: str, punto: str
) -> PuntoOwner | None:
    with db.session() as s:
        return _owner(s, profile_id, establecimiento, punto)


@dataclass(frozen=True)
class TerminalPuntos:
    terminal_id: str
    name: str
    last_seen_at: datetime
    puntos: list[tuple[int, str, str]]  # (profile_id, establecimiento, punto)


def list_terminals(db: Database) -> list[TerminalPuntos]:
    """Every terminal and its puntos (a settings screen, `lote terminal list`)."""
    with db.session() as s:
        terminals = s.exec(select(Terminal).order_by(col(Terminal.name))).all()
        puntos = s.exec(
            select(TerminalPunto).order_by(
                col(TerminalPunto.profile_id),
                col(TerminalPunto.establecimiento),
                col(TerminalPunto.punto),
            )
        ).all()
    out = []
    for t in terminals:
        mine = [(p.profile_id, p.establecimiento, p.punto) for p in puntos if p.terminal_id == t.id]
        out.append(TerminalPuntos(t.id, t.name, t.last_seen_at, mine))
    return out


def release_puntos(db: Database, terminal_id: str) -> int:
    """Free every punto of a terminal that is gone for good (a replaced computer), so
    another terminal may take them. Its lotes keep naming it. Returns how many."""
    from sqlalchemy import delete

    with db.write() as s:
        result = s.execute(
            delete(TerminalPunto).where(col(TerminalPunto.terminal_id) == terminal_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def record_lote(session: OrmSession, lote_id: int, terminal_id: str) -> None:
    """Note, in the claim's own transaction, that this terminal sends the lote."""
    ensure_terminal(session, terminal_id)
    session.execute(insert_or_ignore(session, TerminalLote).values(lote_id=lote_id, terminal_id=terminal_id))
