"""The `lote` command.

`lote` opens the window; the subcommands let a bookkeeper, a script or a test drive the
same engine without it. Exit codes: 0 ok, 1 error, 2 usage, 3 invalid input (nothing
imported), 4 `sync --until-idle` timed out, 5 another instance is already sending from
this data folder, 6 the database is damaged (the message says how to restore it).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from desktop_app import __version__
from desktop_app.gateway import cli as gateway_cli
from desktop_app.providers.registry import PROVIDERS

EXIT_INVALID = 3
EXIT_TIMEOUT = 4
EXIT_BUSY = 5
EXIT_DAMAGED = 6


def _parser() -> argparse.ArgumentParser:
    def options(parser: argparse.ArgumentParser, default: object) -> argparse.ArgumentParser:
        parser.add_argument("--data-dir", default=default,
                            help="data folder (default: per-user data folder; env LOTE_DATA_DIR)")
        parser.add_argument("--db", default=default,
                            help="database URL (default: SQLite in the data folder)")
        parser.add_argument("-v", "--verbose", action="store_true", default=default,
                            help="log to stderr")
        return parser

    # Subcommands accept the same options; SUPPRESS keeps a value given before the
    # subcommand ("lote -v sync") from being reset by the subcommand's own default.
    common = options(argparse.ArgumentParser(add_help=False), argparse.SUPPRESS)
    p = options(argparse.ArgumentParser(prog="lote", description=(
        "Offline-first outbox for electronic invoices.")), None)
    p.set_defaults(verbose=False)
    p.add_argument("--version", action="version", version=f"lote {__version__}")
    p.add_argument("--self-test", action="store_true",
                   help="send one invoice through the built-in sandbox in a temporary folder, "
                        "print the result and exit (0 ok, 1 failed)")
    sub = p.add_subparsers(dest="command")

    sub.add_parser("demo", parents=[common], help="open the window in demo mode (built-in sandbox)")

    prof = sub.add_parser("profile", parents=[common], help="provider profiles")
    psub = prof.add_subparsers(dest="profile_command", required=True)
    add = psub.add_parser("add", parents=[common], help="add or update a profile; API key from stdin or LOTE_API_KEY")
    add.add_argument("name")
    add.add_argument("--provider", required=True, choices=list(PROVIDERS))
    add.add_argument("--base-url", required=True)
    add.add_argument("--tenant")
    add.add_argument("--emisor", help="emisor RUC with check digit, e.g. 80069563-1")
    add.add_argument("--emisor-name")
    add.add_argument("--poll-first", type=float, help="seconds before the first result check")
    add.add_argument("--poll-every", type=float, help="seconds between result checks")
    add.add_argument("--default", action="store_true")
    add.add_argument("--key-store", choices=["keyring", "encrypted-file"], default="keyring",
                     help="where the API key goes when there is no system keyring: a file "
                          "encrypted with a password (LOTE_KEY_PASSWORD or typed)")
    psub.add_parser("list", parents=[common], help="list profiles")
    rm = psub.add_parser("remove", parents=[common], help="remove a profile without documents")
    rm.add_argument("name")
    te = psub.add_parser("test", parents=[common],
                         help="one harmless authenticated call: URL, credentials and clock")
    te.add_argument("name", nargs="?", help="default: the default profile")

    imp = sub.add_parser("import", parents=[common],
                         help="queue documents from a JSON, CSV or XLSX file")
    imp.add_argument("file")
    imp.add_argument("--profile")
    imp.add_argument("--skip-invalid", action="store_true", help="import the valid ones, report the rest")

    sy = sub.add_parser("sync", parents=[common], help="send queued documents and follow results")
    mode = sy.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="one step: reconcile, send, poll")
    mode.add_argument("--until-idle", action="store_true", help="until nothing waits (exit 4 on --timeout)")
    sy.add_argument("--timeout", type=float)

    ls = sub.add_parser("list", parents=[common], help="list documents")
    ls.add_argument("--state", help="QUEUED, SENDING, SUBMITTED, APPROVED, REJECTED, UNKNOWN, ...")
    ls.add_argument("--json", action="store_true")

    sh = sub.add_parser("show", parents=[common], help="one document: id, number 001-001-0000001 or CDC")
    sh.add_argument("ref")
    sh.add_argument("--json", action="store_true")

    bk = sub.add_parser("backup", parents=[common], help="copy the database (SQLite online backup)")
    bk.add_argument("--to", help="target file (default: the backups folder)")
    rs = sub.add_parser("restore", parents=[common],
                        help="replace the database with a backup (the current one is kept aside)")
    rs.add_argument("file")

    sb = sub.add_parser("sandbox", parents=[common], help="run a provider simulator on 127.0.0.1")
    sb.add_argument("--provider", default="facturasend", choices=list(PROVIDERS))
    sb.add_argument("--port", type=int, default=0)
    sb.add_argument("--processing-delay", type=float, default=2.0)
    sb.add_argument("--latency", type=float, default=0.0, help="seconds added to every answer")
    sb.add_argument("--fault-rate", type=float, default=0.0, help="share of requests spoiled")
    gateway_cli.add_parsers(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from desktop_app.logs import setup_logging

    setup_logging(args.verbose, data_dir=args.data_dir)
    if args.self_test:
        from desktop_app.selftest import run_self_test

        return run_self_test(verbose=args.verbose)
    command = args.command
    if command in (None, "demo"):
        from desktop_app.gui.app import run_gui

        return run_gui(data_dir=args.data_dir, db_url=args.db, force_demo=command == "demo")
    from desktop_app.store.db import DatabaseDamaged

    handler = {
        "profile": _cmd_profile, "import": _cmd_import, "sync": _cmd_sync,
        "list": _cmd_list, "show": _cmd_show, "sandbox": _cmd_sandbox,
        "backup": _cmd_backup, "restore": _cmd_restore,
        "watch": gateway_cli.cmd_watch, "api": gateway_cli.cmd_api,
    }[command]
    try:
        return handler(args)
    except DatabaseDamaged as exc:
        _err(str(exc))
        return EXIT_DAMAGED
    except KeyboardInterrupt:
        return 130


def _runtime(args: argparse.Namespace, *, start_sandbox: bool = False):
    from desktop_app.runtime import open_runtime

    rt = open_runtime(args.data_dir, db_url=args.db, start_sandbox=start_sandbox)
    _unlock_keys(rt.data_dir, create=False)
    return rt


def _password(prompt: str) -> str | None:
    import getpass

    from desktop_app.credentials import PASSWORD_ENV

    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return None


def _unlock_keys(folder: Path, *, create: bool) -> bool:
    """Open the encrypted key file when there is no keyring and the file exists."""
    from desktop_app.credentials import (
        WrongPassword,
        key_file_path,
        keyring_available,
        unlock_key_file,
    )

    if not create and (keyring_available() or not key_file_path(folder).exists()):
        return False
    password = _password("Contraseña del archivo de claves de Lote: ")
    if password is None:
        _err("hay claves en un archivo cifrado: defina LOTE_KEY_PASSWORD o ejecute en una terminal")
        return False
    try:
        unlock_key_file(folder, password, create=create)
    except WrongPassword as exc:
        _err(str(exc))
        return False
    return True


def _err(msg: str) -> None:
    print(f"lote: {msg}", file=sys.stderr)


# -- profile ------------------------------------------------------------------------
def _cmd_profile(args: argparse.Namespace) -> int:
    from desktop_app.credentials import CredentialsUnavailable, delete_api_key, set_api_key
    from desktop_app.domain.ruc import ruc_error
    from desktop_app.providers.registry import PROVIDER_DEFAULTS
    from desktop_app.store.models import ProviderProfile
    from desktop_app.store.profiles import get_profile, list_profiles, remove_profile, save_profile

    rt = _runtime(args, start_sandbox=args.profile_command == "test")
    try:
        if args.profile_command == "list":
            for p in list_profiles(rt.db):
                flags = " (predeterminado)" if p.is_default else ""
                flags += " (demo)" if p.is_demo else ""
                print(f"{p.name}\t{p.provider}\t{p.base_url}\temisor={p.emisor_ruc or '-'}{flags}")
            return 0
        if args.profile_command == "test":
            return _profile_test(rt, args.name)
        if args.profile_command == "remove":
            try:
                if not remove_profile(rt.db, args.name):
                    _err(f"no existe el perfil {args.name}")
                    return 1
            except ValueError as exc:
                _err(str(exc))
                return 1
            delete_api_key(args.name)
            return 0
        # add
        if args.emisor and (msg := ruc_error(args.emisor)):
            _err(f"--emisor: {msg}")
            return EXIT_INVALID
        if not args.base_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            _err("--base-url: debe usar https:// (http:// solo para 127.0.0.1 o localhost)")
            return EXIT_INVALID
        key = os.environ.get("LOTE_API_KEY")
        if key is None and not sys.stdin.isatty():
            key = sys.stdin.readline().strip()
        if not key:
            _err("falta la clave API: pásela por la entrada estándar o en LOTE_API_KEY")
            return EXIT_INVALID
        defaults = PROVIDER_DEFAULTS[args.provider]
        existing = get_profile(rt.db, args.name)
        profile = existing or ProviderProfile(name=args.name, provider=args.provider, base_url=args.base_url)
        profile.provider, profile.base_url, profile.tenant = args.provider, args.base_url, args.tenant
        profile.country = defaults["country"]
        profile.emisor_ruc = args.emisor or profile.emisor_ruc
        profile.emisor_name = args.emisor_name or profile.emisor_name
        profile.max_batch = defaults["max_batch"]
        profile.poll_first_s = args.poll_first if args.poll_first is not None else defaults["poll_first_s"]
        profile.poll_every_s = args.poll_every if args.poll_every is not None else defaults["poll_every_s"]
        profile.is_default = args.default or profile.is_default
        fallback = None
        if args.key_store == "encrypted-file":
            from desktop_app.credentials import key_file_path

            if not key_file_path(rt.data_dir).exists() and not _unlock_keys(rt.data_dir, create=True):
                return 1
            fallback = "file"
        try:
            where = set_api_key(args.name, key, fallback=fallback)
        except CredentialsUnavailable as exc:
            _err(f"{exc} Use --key-store encrypted-file.")
            return 1
        save_profile(rt.db, profile)
        place = {"keyring": "en el llavero del sistema",
                 "file": "en el archivo cifrado con su contraseña"}.get(where, "solo en esta sesión")
        print(f"Perfil {args.name} guardado; la clave API está {place}.")
        return 0
    finally:
        rt.close()


def _profile_test(rt, name: str | None) -> int:
    """Say plainly whether the URL answers, the credentials are accepted and the clock
    agrees with the provider's (SIFEN rejects documents dated ahead: code 1004)."""
    from email.utils import parsedate_to_datetime

    import httpx

    from desktop_app.credentials import api_key_for
    from desktop_app.providers.base import CallRefused, ConnectionFailed, ProviderError
    from desktop_app.providers.registry import make_provider_client
    from desktop_app.store.profiles import default_profile, get_profile

    profile = get_profile(rt.db, name) if name else default_profile(rt.db)
    if profile is None:
        _err(f"no existe el perfil {name}")
        return 1
    url = rt.base_url_for(profile)
    if url is None:
        print(f"El perfil {profile.name} es el de demostración y usa el simulador incorporado, "
              "que solo corre en modo demostración.")
        return 1
    key = api_key_for(profile)
    print(f"Perfil {profile.name} ({profile.provider}) en {url}")
    if not key:
        print("  Credenciales: FALTA la clave API en el llavero del sistema "
              "(vuelva a ejecutar «lote profile add»).")
        return 1
    ok = True
    try:
        with make_provider_client(profile.provider, base_url=url, tenant=profile.tenant,
                                  api_key=key, emisor_ruc=profile.emisor_ruc, timeout=15) as client:
            client.probe()
        print("  URL: responde.\n  Credenciales: aceptadas.")
    except ConnectionFailed:
        print("  URL: NO responde (sin conexión, dirección o puerto equivocados).")
        return 1
    except CallRefused as exc:
        ok = False
        print("  URL: responde.")
        print("  Credenciales: RECHAZADAS." if exc.auth else f"  El proveedor rechazó la consulta: {exc}")
    except ProviderError as exc:
        ok = False
        print(f"  URL: responde con un error ({exc}).")
    try:
        answer = httpx.head(url, timeout=10)
        server = parsedate_to_datetime(answer.headers["date"])
        skew = (datetime.now(UTC) - server).total_seconds()
        verdict = "bien" if abs(skew) <= 120 else "¡AJUSTE LA HORA DEL EQUIPO!"
        ok &= abs(skew) <= 120
        print(f"  Reloj: diferencia de {skew:+.0f} s con el proveedor ({verdict}).")
    except (httpx.HTTPError, KeyError, TypeError, ValueError):
        print("  Reloj: el proveedor no informa su hora; no se pudo comparar.")
    return 0 if ok else 1


# -- import -------------------------------------------------------------------------
def _cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.domain.country import rules_for
    from desktop_app.store.profiles import default_profile, get_profile

    path = Path(args.file)
    if path.suffix.lower() in (".csv", ".xlsx"):
        return _import_sheet(args, path)
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        _err(f"{path}: no se pudo leer como JSON ({exc})")
        return EXIT_INVALID
    items = data if isinstance(data, list) else [data]
    rt = _runtime(args)
    try:
        profile = get_profile(rt.db, args.profile) if args.profile else default_profile(rt.db)
        if profile is None:
            _err(f"no existe el perfil {args.profile}")
            return 1
        from desktop_app.store.outbox import check_document, enqueue_checked, gc_paused

        # Each document is prepared and validated once (check_document) and saved as
        # checked (enqueue_checked), not validated a second time (BENCHMARKS.md, import).
        rules = rules_for(profile.country)
        errors: dict[int, list] = {}
        checked, positions = [], []
        with gc_paused():
            for index, item in enumerate(items):
                doc, errs = rules.parse(item)
                if doc is not None and not errs:
                    ok, errs = check_document(rules, doc)
                    if ok is not None:
                        checked.append(ok)
                        positions.append(index)
                        continue
                errors[index] = errs
        if errors:
            _print_errors(errors)
            if not args.skip_invalid:
                print(f"Nada importado: {len(errors)} de {len(items)} documento(s) con errores.",
                      file=sys.stderr)
                return EXIT_INVALID
        result = enqueue_checked(rt.db, profile.id, checked, actor="import")
        if result.errors:  # what only the database can tell (punto, date order)
            _print_errors({positions[i]: errs for i, errs in result.errors.items()})
        print(f"{len(result.ids)} documento(s) encolado(s) en el perfil {profile.name}"
              + (f"; {len(errors)} con errores no importado(s)" if errors else "") + ".")
        return 0 if result.ok else EXIT_INVALID
    finally:
        rt.close()


def _import_sheet(args: argparse.Namespace, path: Path) -> int:
    """CSV/XLSX: the same preview the import dialog shows (every error by row and
    column), then all-or-nothing unless --skip-invalid."""
    from desktop_app.documents.importing import commit_import, preview_import
    from desktop_app.store.profiles import default_profile, get_profile

    rt = _runtime(args)
    try:
        profile = get_profile(rt.db, args.profile) if args.profile else default_profile(rt.db)
        if profile is None:
            _err(f"no existe el perfil {args.profile}")
            return 1
        preview = preview_import(path, profile.country, db=rt.db, profile_id=profile.id)
        print(preview.summary())
        for error in preview.all_errors():
            print(f"{path.name}: {error}", file=sys.stderr)
        if preview.file_errors:
            return EXIT_INVALID
        if preview.errors and not args.skip_invalid:
            print("Nada importado (todo o nada): corrija los errores o use --skip-invalid.",
                  file=sys.stderr)
            return EXIT_INVALID
        result = commit_import(rt.db, profile.id, preview, only_valid=args.skip_invalid)
        print(result.message())
        return 0 if result.saved else EXIT_INVALID
    finally:
        rt.close()


def _print_errors(errors: dict[int, list]) -> None:
    for index in sorted(errors):
        for e in errors[index]:
            print(f"documento [{index}] {e.field}: {e.message}", file=sys.stderr)


# -- sync -----------------------------------------------------------------------------
def _cmd_sync(args: argparse.Namespace) -> int:
    rt = _runtime(args, start_sandbox=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        if not rt.acquire_sender():
            pid = rt.sender_owner()
            _err(f"otra instancia de Lote (PID {pid or '?'}) ya envía desde esta carpeta de "
                 "datos; no se inicia un segundo envío")
            return EXIT_BUSY
        engine = rt.make_engine()
        if args.once:
            report = engine.step()
            print(f"{report.requests} petición(es); {len(report.changed)} documento(s) cambiaron; "
                  f"{engine.pending_count()} pendiente(s).")
            return 0
        done = engine.run_until_idle(args.timeout)
        pending = engine.pending_count()
        if not done:
            _err(f"tiempo agotado: {pending} documento(s) siguen pendientes")
            return EXIT_TIMEOUT
        print("Sin documentos pendientes.")
        return 0
    finally:
        rt.close()


# -- list / show ----------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    from desktop_app.store.queries import list_documents

    rt = _runtime(args)
    try:
        rows = list_documents(rt.db, state=args.state.upper() if args.state else None)
        if args.json:
            json.dump([r.to_json() for r in rows], sys.stdout, ensure_ascii=False, indent=1)
            print()
        else:
            for r in rows:
                print(f"{r.id:>6}  {r.numero}  {r.state:<26} {r.customer_name[:30]:<30} "
                      f"{r.total:>14,.0f}  {r.code or ''} {r.message or ''}".rstrip())
        return 0
    finally:
        rt.close()


def _cmd_show(args: argparse.Namespace) -> int:
    from desktop_app.store.queries import document_events, document_payload, find_document

    rt = _runtime(args)
    try:
        row = find_document(rt.db, args.ref)
        if row is None:
            _err(f"no se encontró el documento {args.ref}")
            return 1
        events = document_events(rt.db, row.id)
        if args.json:
            out = row.to_json()
            out["document"] = document_payload(rt.db, row.id)
            out["events"] = [{"at": e.at.isoformat(timespec="seconds"), "from": e.from_state,
                              "to": e.to_state, "actor": e.actor, "code": e.code,
                              "message": e.message} for e in events]
            json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
            print()
            return 0
        for key, value in row.to_json().items():
            print(f"{key:>16}: {value if value is not None else ''}")
        print("          eventos:")
        for e in events:
            print(f"  {e.at:%Y-%m-%d %H:%M:%S}  {e.from_state or '-':>10} -> {e.to_state:<12} "
                  f"{e.actor:<6} {e.code or ''} {e.message or ''}".rstrip())
        return 0
    finally:
        rt.close()


# -- backup / restore ---------------------------------------------------------------
def _cmd_backup(args: argparse.Namespace) -> int:
    rt = _runtime(args)
    try:
        target = rt.db.backup(reason="manual", target=Path(args.to) if args.to else None)
        if target is None:
            _err("las copias de seguridad de PostgreSQL se hacen con pg_dump")
            return 1
        print(f"Copia de seguridad guardada en {target}")
        return 0
    finally:
        rt.close()


def _cmd_restore(args: argparse.Namespace) -> int:
    from desktop_app import paths
    from desktop_app.instance_lock import SenderLock
    from desktop_app.store.db import Database

    source = Path(args.file)
    if not source.is_file():
        _err(f"no existe el archivo {source}")
        return 1
    folder = paths.data_dir(args.data_dir)
    lock = SenderLock(folder)
    if not lock.acquire():
        _err(f"cierre Lote antes de restaurar: la instancia con PID {lock.owner_pid() or '?'} "
             "está usando esta carpeta de datos")
        return EXIT_BUSY
    db = Database(args.db or paths.sqlite_url(folder), backup_dir=paths.backups_dir(folder))
    try:
        safety = db.restore_from(source)
    except ValueError as exc:
        _err(str(exc))
        return EXIT_INVALID
    finally:
        db.dispose()
        lock.release()
    print(f"Base de datos restaurada desde {source}."
          + (f" La anterior quedó en {safety}." if safety else ""))
    return 0


# -- sandbox --------------------------------------------------------------------------
def _cmd_sandbox(args: argparse.Namespace) -> int:
    import threading

    from desktop_app.credentials import DEMO_API_KEY
    from desktop_app.providers.registry import make_sandbox

    sandbox = make_sandbox(args.provider, port=args.port, api_key=DEMO_API_KEY,
                           processing_delay=args.processing_delay)
    sandbox.latency = args.latency
    if args.fault_rate:
        sandbox.set_fault_rate(args.fault_rate)
    sandbox.start()
    print(f"Sandbox {args.provider} escuchando en {sandbox.url} (clave API: {DEMO_API_KEY})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
