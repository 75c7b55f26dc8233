"""The window's own preferences (QSettings, organisation "Lote") and the language.

Preferences that only concern this computer's window live here: column widths and
order, window geometry, the last screen, the language, whether to notify rejections.
Everything about providers, numbering and the emisor lives in the database (profiles),
and API keys in the OS keyring (DESIGN rule 4), never here.

An INI file in the user's configuration folder: the same on every platform, readable,
and tests point it at a temporary folder with `QSettings.setPath`.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

log = logging.getLogger(__name__)

ORGANISATION = "Lote"
APPLICATION = "Lote"
#: Language code -> its own name (shown untranslated in the selector).
LANGUAGES = {"es": "Español", "en": "English"}
DEFAULT_LANGUAGE = "es"

KEY_LANGUAGE = "language"
KEY_NOTIFY_REJECTED = "notify_rejected"
KEY_START_PAGE = "window/page"


def app_settings() -> QSettings:
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANISATION, APPLICATION
    )


def current_language() -> str:
    value = str(app_settings().value(KEY_LANGUAGE, DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def set_language(code: str) -> None:
    if code not in LANGUAGES:
        raise ValueError(code)
    settings = app_settings()
    settings.setValue(KEY_LANGUAGE, code)
    settings.sync()


def notify_rejected() -> bool:
    return _as_bool(app_settings().value(KEY_NOTIFY_REJECTED, True))


def set_notify_rejected(on: bool) -> None:
    app_settings().setValue(KEY_NOTIFY_REJECTED, bool(on))


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "sí", "si")
    return bool(value)


def translations_dir() -> Path:
    """resources/translations of the source tree (or of an installed copy next to the
    package)."""
    here = Path(__file__).resolve()
    for base in (here.parents[2], here.parents[1]):
        candidate = base / "resources" / "translations"
        if candidate.is_dir():
            return candidate
    return here.parents[2] / "resources" / "translations"


_installed: list[QTranslator] = []


def install_translators(app: QCoreApplication, language: str | None = None) -> str:
    """Load Lote's and Qt's own translations for `language` (default: the setting).

    Lote's source strings are Spanish, so Spanish needs only Qt's qtbase_es (standard
    buttons, context menus); English needs lote_en.qm and no Qt catalogue."""
    language = language or current_language()
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language == "es":
        qt = QTranslator(app)
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if qt.load(QLocale(QLocale.Language.Spanish), "qtbase", "_", folder):
            app.installTranslator(qt)
            _installed.append(qt)
        return language
    lote = QTranslator(app)
    path = translations_dir() / f"lote_{language}.qm"
    if lote.load(str(path)):
        app.installTranslator(lote)
        _installed.append(lote)
    else:
        log.warning("translation %s not found; the window stays in Spanish", path)
    return language
