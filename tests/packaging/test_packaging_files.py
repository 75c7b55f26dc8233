"""The packaging files agree with the code: what the PyInstaller spec collects (every
migration, the translations, the icons, the modules loaded by name), one version for
everything, a valid desktop entry, an installer that keeps the user's data.

The bundle itself is built and self-tested by packaging/build_linux.sh (a CI step of its
own: about 2 minutes); these checks take milliseconds and run with the suite."""

from __future__ import annotations

import configparser
import importlib
import pkgutil
import struct
import sys
import types
from pathlib import Path

import pytest

import desktop_app
from desktop_app import __version__

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING / "linux"))
make_deb = importlib.import_module("make_deb")


class _Analysis:
    """Keeps what the spec passes; `datas` becomes a TOC like PyInstaller's:
    (destination file, source file, "DATA")."""

    def __init__(self, scripts, pathex, datas, hiddenimports, excludes, **_kw) -> None:
        self.scripts, self.pathex = scripts, pathex
        self.datas = [(f"{folder}/{Path(src).name}", src, "DATA") for src, folder in datas]
        self.hiddenimports, self.excludes = hiddenimports, excludes
        self.binaries: list = []
        self.pure: list = []


def _all_modules(package: str) -> list[str]:
    module = importlib.import_module(package)
    return [package] + [m.name for m in pkgutil.walk_packages(module.__path__, f"{package}.")]


@pytest.fixture(scope="module")
def spec() -> dict:
    """packaging/lote.spec executed with stand-ins for PyInstaller's build classes: what
    it would hand to Analysis (PyInstaller itself need not be installed)."""
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = _all_modules  # type: ignore[attr-defined]
    bindepend = types.ModuleType("PyInstaller.depend.bindepend")
    bindepend.get_imports = lambda _path: []  # type: ignore[attr-defined]
    fake = {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.depend": types.ModuleType("PyInstaller.depend"),
        "PyInstaller.depend.bindepend": bindepend,
    }
    saved = {name: sys.modules.get(name) for name in fake}
    sys.modules.update(fake)
    namespace = {
        "SPECPATH": str(PACKAGING),
        "Analysis": _Analysis,
        "PYZ": lambda *a, **k: None,
        "EXE": lambda *a, **k: (a, k),
        "COLLECT": lambda *a, **k: (a, k),
        "__file__": str(PACKAGING / "lote.spec"),
    }
    try:
        exec(
            compile((PACKAGING / "lote.spec").read_text(encoding="utf-8"), "lote.spec", "exec"),
            namespace,
        )
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    return namespace


def _dest(spec: dict, source: Path) -> str | None:
    """The folder of the bundle `source` is collected into."""
    for dest, src, _kind in spec["a"].datas:
        if Path(src) == source:
            return dest.replace("\\", "/").rsplit("/", 1)[0]
    return None


def test_every_migration_is_collected_next_to_the_frozen_store_package(spec) -> None:
    migrations = ROOT / "desktop_app" / "store" / "migrations"
    for script in [migrations / "env.py", *sorted((migrations / "versions").glob("*.py"))]:
        expected = "desktop_app/store/migrations" + (
            "/versions" if script.parent.name == "versions" else ""
        )
        assert _dest(spec, script) == expected, script.name


def test_what_the_migrations_import_is_in_the_bundle(spec) -> None:
    hidden = set(spec["a"].hiddenimports)
    assert {"alembic.op", "sqlalchemy", "sqlmodel"} <= hidden
    assert "desktop_app.store.books" in hidden and "desktop_app.store.models" in hidden


def test_modules_imported_by_name_are_collected(spec) -> None:
    hidden = set(spec["a"].hiddenimports)
    for name in (
        "desktop_app.providers.facturasend",
        "desktop_app.sandbox.facturasend",
        "desktop_app.domain.paraguay",
        "desktop_app.selftest",
        "desktop_app.diagnostics",
        "desktop_app.gui.about_dialog",
    ):
        assert name in hidden


def test_resources_are_collected_where_the_code_looks_for_them(spec) -> None:
    from desktop_app.gui.settings import translations_dir

    for qm in translations_dir().glob("*.qm"):
        assert _dest(spec, qm) == "resources/translations"
    assert not any(src.endswith(".ts") for _dest_, src, _kind in spec["a"].datas)
    assert _dest(spec, ROOT / "resources" / "icons" / "lote-256.png") == "resources/icons"
    assert _dest(spec, ROOT / "resources" / "samples" / "paraguay.csv") == "resources/samples"
    # gui/settings.translations_dir() looks two folders above desktop_app/gui: in the
    # bundle that is _internal/, where "resources/translations" lands.
    frozen_settings = Path("_internal/desktop_app/gui/settings.py")
    assert frozen_settings.parents[2] / "resources" / "translations" == Path(
        "_internal/resources/translations"
    )


def test_qt_modules_lote_uses_are_not_excluded(spec) -> None:
    used = {
        "PySide6.QtCore",
        "PySide6.QtGui",
        "PySide6.QtWidgets",
        "PySide6.QtNetwork",
        "PySide6.QtPrintSupport",
    }
    assert not used & set(spec["a"].excludes)
    for path in (ROOT / "desktop_app").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "from PySide6." in line or "import PySide6." in line:
                module = line.split("PySide6.")[1].split()[0].rstrip(",")
                assert f"PySide6.{module}" not in spec["a"].excludes, f"{path.name} uses {module}"


def test_the_version_is_written_in_one_place() -> None:
    assert make_deb.version() == __version__ == desktop_app.__version__
    assert "@VERSION@" in (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8")
    iss = (PACKAGING / "windows" / "lote.iss").read_text(encoding="utf-8")
    assert "AppVersion={#AppVersion}" in iss and __version__ not in iss
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'version = { attr = "desktop_app.__version__" }' in pyproject


@pytest.mark.parametrize(
    ("pep440", "debian"),
    [
        ("0.1.0", "0.1.0"),
        ("1.2.0rc1", "1.2.0~rc1"),
        ("2.0.0b3", "2.0.0~b3"),
        ("1.0.dev4", "1.0~dev4"),
    ],
)
def test_debian_versions_sort_pre_releases_first(pep440: str, debian: str) -> None:
    assert make_deb.debian_version(pep440) == debian


def test_the_control_file_is_complete_and_depends_on_what_qt_needs() -> None:
    template = (PACKAGING / "linux" / "control.in").read_text(encoding="utf-8")
    control = make_deb.render_control(
        template,
        version="0.1.0",
        arch="amd64",
        installed_size="1",
        maintainer="x <x@example.invalid>",
        homepage="https://x",
        glibc="2.35",
    )
    assert "@" not in control.replace("x@example.invalid", "")
    depends = make_deb.depends_packages(control)
    # STYLE.md's list for Qt on a bare machine and under X11, the PDF's font, printing.
    for package in (
        "libgl1",
        "libegl1",
        "libx11-6",
        "libdbus-1-3",
        "libfontconfig1",
        "libfreetype6",
        "libglib2.0-0",
        "libxkbcommon0",
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxkbcommon-x11-0",
        "fonts-dejavu-core",
        "libcups2",
    ):
        assert package in depends
    assert make_deb._base("libssl3t64") == "libssl3"
    with pytest.raises(SystemExit):
        make_deb.render_control("Version: @VERSION@\nX: @MISSING@\n", version="1")


def test_the_desktop_entry_starts_lote_with_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "linux" / "lote.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application" and section["Name"] == "Lote"
    assert section["Exec"] == "lote" and section["Terminal"] == "false"
    assert section["Icon"] == "lote"
    assert section["Categories"].endswith(";") and "Office" in section["Categories"]
    for size in make_deb.PNG_SIZES:
        assert (ROOT / "resources" / "icons" / f"lote-{size}.png").is_file()
    assert (ROOT / "resources" / "icons" / "lote.svg").is_file()


def test_the_icons_are_what_their_names_say() -> None:
    icons = ROOT / "resources" / "icons"
    for size in make_deb.PNG_SIZES:
        data = (icons / f"lote-{size}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (size, size)
    ico = (icons / "lote.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1) and count >= 5
    sides = {ico[6 + 16 * i] or 256 for i in range(count)}
    assert {16, 32, 48, 256} <= sides


def test_the_windows_installer_is_per_user_and_keeps_the_data() -> None:
    iss = (PACKAGING / "windows" / "lote.iss").read_text(encoding="utf-8")
    settings = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in iss.splitlines()
        if "=" in line and not line.startswith((";", " "))
    }
    assert settings["PrivilegesRequired"] == "lowest"
    assert settings["DefaultDirName"] == r"{autopf}\{#AppName}"
    assert "{autoprograms}" in iss  # Start-menu entry of the user
    assert "[UninstallDelete]" not in iss.splitlines()
    for line in iss.splitlines():
        if line.startswith("Type: filesandordirs"):
            assert "{app}" in line and "localappdata" not in line.lower()
    assert "NotInDataFolder" in iss and r"{localappdata}\Lote" in iss


def test_the_windows_data_folder_is_the_one_the_installer_protects(monkeypatch) -> None:
    """paths.data_dir() and logs use platformdirs' user folders: on Windows they are
    %LOCALAPPDATA%\\Lote and its Logs, what lote.iss keeps and refuses to install into."""
    from platformdirs.windows import Windows

    from desktop_app.paths import APP_NAME

    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", r"C:\Users\ana\AppData\Local")
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", r"C:\Users\ana\AppData\Roaming")
    dirs = Windows(APP_NAME, appauthor=False)
    assert dirs.user_data_dir.replace("/", "\\") == r"C:\Users\ana\AppData\Local\Lote"
    assert dirs.user_log_dir.replace("/", "\\") == r"C:\Users\ana\AppData\Local\Lote\Logs"
