"""``lote watch`` and ``lote api``: the gateway without the window.

Both run until Ctrl+C (or SIGTERM) and, when this process can be the data folder's
sender, send and follow the documents too; otherwise (the window is open and sending)
they only take documents in and write results as the other process moves them.
Wired into `desktop_app.cli` by `add_parsers` and the two handlers.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

EXIT_USAGE = 2
EXIT_BUSY = 5


def add_parsers(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add ``watch`` and ``api`` to the `lote` command's subparsers."""
    w = subparsers.add_parser(
        "watch", parents=[common],
        help="take sales from a POS through a watched folder (until Ctrl+C)")
    w.add_argument("--profile", help="profile name (default: every profile with a folder in "
                                     "the settings, else the default profile)")
    w.add_argument("--folder", help="watch this folder for --profile (not saved)")
    w.add_argument("--no-pdf", action="store_true",
                   help="do not print a PDF beside each approved result")
    a = subparsers.add_parser(
        "api", parents=[common],
        help="serve the local HTTP API for a POS on 127.0.0.1 (until Ctrl+C)")
    a.add_argument("--profile", help="profile of posted documents (default: the default profile)")
    a.add_argument("--port", type=int, help="port (default: the settings', 8484)")
    a.add_argument("--token-file", help="file holding the bearer token (made if missing; "
                                        "default: <data folder>/gateway/api-token)")
    a.add_argument("--bind", help="address to listen on (default 127.0.0.1)")
    a.add_argument("--allow-remote", action="store_true",
                   help="allow --bind to a non-loopback address (anyone on the network with "
                        "the token could issue invoices)")
    a.add_argument("--no-pdf", action="store_true", help="no PDFs (GET .../pdf answers 503)")


def cmd_watch(args: argparse.Namespace) -> int:
    from desktop_app.gateway.folder import FolderBusy
    from desktop_app.store.profiles import default_profile, get_profile, list_profiles

    with _Session(args) as session:
        db, settings = session.rt.db, session.settings
        if args.profile:
            profile = get_profile(db, args.profile)
            if profile is None:
                return _fail(f"no existe el perfil {args.profile}")
            chosen = [(profile, Path(args.folder) if args.folder else None)]
        else:
            if args.folder:
                profile = default_profile(db)
                if profile is None:
                    return _fail("no hay perfiles")
                chosen = [(profile, Path(args.folder))]
            else:
                configured = [p for p in list_profiles(db) if p.name in settings.folders]
                fallback = default_profile(db)
                chosen = [(p, None) for p in configured] or \
                    ([(fallback, None)] if fallback is not None else [])
        if not chosen:
            return _fail("no hay perfiles: cree uno con «lote profile add»")
        host = session.host()
        try:
            for profile, folder in chosen:
                watcher = host.watch(profile, folder)
                print(f"Vigilando {watcher.folder} para el perfil {profile.name} "
                      f"(resultados en {watcher.folder / 'resultados'}).", flush=True)
        except FolderBusy as exc:
            _err(str(exc))
            return EXIT_BUSY
        return session.run()


def cmd_api(args: argparse.Namespace) -> int:
    from desktop_app.gateway.server import RemoteBindRefused
    from desktop_app.gateway.settings import load_or_create_token
    from desktop_app.store.profiles import default_profile, get_profile

    with _Session(args) as session:
        db, settings = session.rt.db, session.settings
        profile = get_profile(db, args.profile) if args.profile else default_profile(db)
        if profile is None:
            return _fail(f"no existe el perfil {args.profile}" if args.profile else
                         "no hay perfiles: cree uno con «lote profile add»")
        bind = args.bind or settings.api_bind
        allow_remote = args.allow_remote or (settings.api_allow_remote and not args.bind)
        token_path = Path(args.token_file) if args.token_file else settings.token_path
        token = load_or_create_token(token_path)
        host = session.host()
        try:
            server = host.serve_api(profile, token=token, host=bind,
                                    port=settings.api_port if args.port is None else args.port,
                                    allow_remote=allow_remote)
        except RemoteBindRefused as exc:
            _err(str(exc))
            return EXIT_USAGE
        except OSError as exc:
            return _fail(f"no se pudo escuchar en {bind}: {exc}")
        print(f"API de Lote en {server.url}/v1 para el perfil {profile.name}; token en "
              f"{token_path}; descripción en {server.url}/v1/openapi.json", flush=True)
        return session.run()


class _Session:
    """The runtime, the sender lock, the host and Ctrl+C, shared by both commands."""

    def __init__(self, args: argparse.Namespace) -> None:
        from desktop_app.cli import _runtime
        from desktop_app.gateway.settings import GatewaySettings

        self.args = args
        self.rt = _runtime(args, start_sandbox=True)
        self.settings = GatewaySettings.load(self.rt.data_dir)
        self._host: Any = None
        self.stop = threading.Event()

    def __enter__(self) -> _Session:
        return self

    def host(self) -> Any:
        from desktop_app.gateway.host import GatewayHost
        from desktop_app.gateway.pdf import qt_pdf_renderer
        from desktop_app.gateway.settings import gateway_dir

        engine = self.rt.make_engine() if self.rt.acquire_sender() else None
        if engine is None:
            pid = self.rt.sender_owner()
            print(f"Otra instancia de Lote (PID {pid or '?'}) envía desde esta carpeta de datos: "
                  "aquí solo se reciben documentos y se escriben resultados.", flush=True)
        renderer = None if self.args.no_pdf else qt_pdf_renderer(
            self.rt.db, gateway_dir(self.rt.data_dir) / "pdf", layout=self.settings.pdf_layout)
        self._host = GatewayHost(self.rt.db, self.settings, engine=engine, pdf_renderer=renderer)
        return self._host

    def run(self) -> int:
        signal.signal(signal.SIGTERM, lambda *_: self.stop.set())
        self._host.start()
        print("Ctrl+C para terminar.", flush=True)
        try:
            self._host.run(self.stop)
        except KeyboardInterrupt:
            pass
        return 0

    def __exit__(self, *exc: object) -> None:
        if self._host is not None:
            self._host.close()
        self.rt.close()


def _err(msg: str) -> None:
    print(f"lote: {msg}", file=sys.stderr)


def _fail(msg: str) -> int:
    _err(msg)
    return 1
