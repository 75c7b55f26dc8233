"""The gateway's settings file, the API token, and calls handed to the main thread."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from desktop_app.gateway.mainthread import MainThreadBusy, MainThreadCalls
from desktop_app.gateway.settings import GatewaySettings, load_or_create_token, new_token, slug


def test_settings_round_trip_through_their_json_file(tmp_path: Path) -> None:
    settings = GatewaySettings(data_dir=tmp_path)
    assert not settings.api_enabled and settings.api_bind == "127.0.0.1"
    assert settings.folder_for("Caja 1 / Centro") == tmp_path / "gateway" / "pos" / "Caja-1-Centro"
    settings.folders["Caja 1"] = str(tmp_path / "pos")
    settings.api_enabled, settings.api_port, settings.pdf_layout = True, 9000, "ticket"
    settings.save()
    again = GatewaySettings.load(tmp_path)
    assert again.folder_for("Caja 1") == tmp_path / "pos"
    assert again.results_dir_for("Caja 1") == tmp_path / "pos" / "resultados"
    assert (again.api_enabled, again.api_port, again.pdf_layout) == (True, 9000, "ticket")


def test_a_damaged_settings_file_falls_back_to_the_defaults(tmp_path: Path) -> None:
    settings = GatewaySettings(data_dir=tmp_path)
    settings.path.write_text("{not json", encoding="utf-8")
    assert GatewaySettings.load(tmp_path).api_port == 8484
    settings.path.write_text('{"api": {"port": "x", "enabled": true}, "pdf_layout": "a3"}',
                             encoding="utf-8")
    loaded = GatewaySettings.load(tmp_path)
    assert (loaded.api_port, loaded.api_enabled, loaded.pdf_layout) == (8484, True, "a4")


def test_the_token_is_made_once_readable_by_the_user_only_and_can_be_renewed(
        tmp_path: Path) -> None:
    path = tmp_path / "api-token"
    token = load_or_create_token(path)
    assert len(token) >= 40 and load_or_create_token(path) == token
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert new_token(path) != token and load_or_create_token(path) != token
    assert slug("../..") == "perfil"


def test_a_call_from_another_thread_runs_on_the_owner_and_returns_or_raises_there() -> None:
    calls = MainThreadCalls()
    seen: list[object] = []

    def where() -> int:
        return threading.get_ident()

    def boom() -> None:
        raise ValueError("no paper")

    def worker() -> None:
        seen.append(calls.call(where))
        try:
            calls.call(boom)
        except ValueError as exc:
            seen.append(str(exc))

    thread = threading.Thread(target=worker)
    thread.start()
    while thread.is_alive():
        calls.pump(wait=0.05)
    assert seen == [threading.get_ident(), "no paper"]
    assert calls.call(where) == threading.get_ident()  # on the owner: directly


def test_a_call_the_owner_never_runs_times_out_and_is_dropped() -> None:
    calls = MainThreadCalls()
    ran: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            calls.call(lambda: ran.append(1), timeout=0.05)
        except MainThreadBusy as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert len(errors) == 1
    calls.pump()
    assert ran == []  # cancelled: not run late


def test_documents_older_than_the_side_database_are_never_claimed(db, demo_profile, settings) -> None:
    from desktop_app.gateway.intake import ACTOR_API, Intake
    from desktop_app.gateway.ledger import Ledger
    from desktop_app.store.outbox import enqueue_documents
    from tests.support.factories import document

    enqueue_documents(db, demo_profile.id, [document()], actor=ACTOR_API, external_refs=["OLD"])
    ledger = Ledger(settings.ledger_path)
    try:
        intake = Intake(db, ledger)
        assert intake.recover_lost_intake() == 0 and ledger.count("intake") == 0
    finally:
        ledger.close()


@pytest.mark.parametrize("name", ["a.tmp", "a.json.part", "~a.json", ".a.json"])
def test_temporary_names_are_ignored(name: str) -> None:
    from desktop_app.gateway.folder import ignored

    assert ignored(name) and not ignored("a.json")
