"""Configuración: provider profiles, numbering, and the window's own preferences.

- Perfiles: provider, endpoint, emisor (RUC checked with its check digit),
  establecimiento and punto de expedición, batch size and polling. The API key goes to
  the operating system's keyring only (DESIGN rule 4); the form never shows it back,
  it only says whether one is stored.
- Numeración: the next number per document type, establecimiento and punto. It only
  moves forward past every number already used (store/corrections.set_next_number).
- Sistema de caja: the POS gateway's watched folder per profile and the local API
  (gateway/settings.py), applied at the next start.
- General: language (Español / English, applied at the next start) and whether the
  tray announces rejected documents.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app import paths
from desktop_app.credentials import CredentialsUnavailable, delete_api_key, get_api_key, set_api_key
from desktop_app.domain.numbering import format_numero
from desktop_app.domain.ruc import ruc_error
from desktop_app.gateway.settings import GatewaySettings, load_or_create_token, new_token
from desktop_app.gui import labels
from desktop_app.gui.documents_model import provider_name
from desktop_app.gui.key_storage import store_key
from desktop_app.gui.screen import fit_to_screen, scrollable
from desktop_app.gui.settings import (
    LANGUAGES,
    current_language,
    notify_rejected,
    set_language,
    set_notify_rejected,
)
from desktop_app.providers.registry import PROVIDER_DEFAULTS, PROVIDERS
from desktop_app.runtime import configured_database_url, save_database_url
from desktop_app.store.corrections import CorrectionRefused, set_next_number
from desktop_app.store.db import Database
from desktop_app.store.lote_queries import number_sequences
from desktop_app.store.models import ProviderProfile
from desktop_app.store.profiles import list_profiles, remove_profile, save_profile

log = logging.getLogger(__name__)

COUNTRY_NAMES = {"PY": "Paraguay", "BO": "Bolivia", "AR": "Argentina"}
ERROR_STYLE = "color: #b3261e;"


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setStyleSheet(ERROR_STYLE)
    label.setWordWrap(True)
    label.hide()
    return label


def _show(label: QLabel, text: str | None) -> None:
    label.setText(text or "")
    label.setVisible(bool(text))


class ProfilesTab(QWidget):
    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setObjectName("profiles_tab")
        h = QHBoxLayout(self)

        left = QVBoxLayout()
        self.list = QListWidget()
        self.list.setObjectName("profiles_list")
        self.list.currentRowChanged.connect(self._selected)
        left.addWidget(self.list, 1)
        self.new_button = QPushButton(self.tr("Nuevo perfil"))
        self.new_button.setObjectName("new_profile_button")
        self.new_button.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_button.setToolTip(self.tr("Nuevo perfil (Ctrl+Shift+N)"))
        self.new_button.clicked.connect(self.new_profile)
        self.remove_button = QPushButton(self.tr("Eliminar perfil"))
        self.remove_button.setObjectName("remove_profile_button")
        self.remove_button.clicked.connect(self.remove_current)
        left.addWidget(self.new_button)
        left.addWidget(self.remove_button)
        h.addLayout(left, 1)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("profile_name_edit")
        self.name_error = _error_label("profile_name_error")
        form.addRow(self.tr("&Nombre:"), self._with(self.name_edit, self.name_error))
        self.provider_combo = QComboBox()
        self.provider_combo.setObjectName("provider_combo")
        for provider in PROVIDERS:
            country = PROVIDER_DEFAULTS[provider]["country"]
            self.provider_combo.addItem(
                f"{provider_name(provider)} ({COUNTRY_NAMES.get(country, country)})", provider
            )
        self.provider_combo.currentIndexChanged.connect(self._provider_changed)
        form.addRow(self.tr("&Proveedor:"), self.provider_combo)
        self.base_url_edit = QLineEdit()
        self.base_url_edit.setObjectName("base_url_edit")
        self.base_url_edit.setPlaceholderText("https://api.proveedor.com.py")
        self.base_url_error = _error_label("base_url_error")
        form.addRow(
            self.tr("&URL del servicio:"), self._with(self.base_url_edit, self.base_url_error)
        )
        self.tenant_edit = QLineEdit()
        self.tenant_edit.setObjectName("tenant_edit")
        self.tenant_edit.setPlaceholderText(
            self.tr("Identificador de la cuenta, si el proveedor lo pide")
        )
        form.addRow(self.tr("C&uenta (tenant):"), self.tenant_edit)
        self.api_key_edit = QLineEdit()
        self.api_key_edit.setObjectName("api_key_edit")
        self.api_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key_status = QLabel()
        self.api_key_status.setObjectName("api_key_status")
        self.api_key_status.setWordWrap(True)
        self.api_key_status.setStyleSheet("color: #5f6368;")
        form.addRow(self.tr("Clave &API:"), self._with(self.api_key_edit, self.api_key_status))

        self.emisor_ruc_edit = QLineEdit()
        self.emisor_ruc_edit.setObjectName("emisor_ruc_edit")
        self.emisor_ruc_edit.setPlaceholderText("80012345-6")
        self.emisor_ruc_edit.textEdited.connect(lambda _t: self._check_ruc(final=False))
        self.emisor_ruc_error = _error_label("emisor_ruc_error")
        form.addRow(
            self.tr("RUC del &emisor:"), self._with(self.emisor_ruc_edit, self.emisor_ruc_error)
        )
        self.emisor_name_edit = QLineEdit()
        self.emisor_name_edit.setObjectName("emisor_name_edit")
        form.addRow(self.tr("&Razón social del emisor:"), self.emisor_name_edit)
        self.tipo_contribuyente_combo = QComboBox()
        self.tipo_contribuyente_combo.addItem(self.tr("Persona física"), 1)
        self.tipo_contribuyente_combo.addItem(self.tr("Persona jurídica"), 2)
        form.addRow(self.tr("Tipo de contribuyente:"), self.tipo_contribuyente_combo)
        self.establecimiento_edit = QLineEdit()
        self.establecimiento_edit.setObjectName("establecimiento_edit")
        self.establecimiento_edit.setInputMask("999")
        self.punto_edit = QLineEdit()
        self.punto_edit.setObjectName("punto_edit")
        self.punto_edit.setInputMask("999")
        self.place_error = _error_label("place_error")
        places = QHBoxLayout()
        places.addWidget(QLabel(self.tr("Establecimiento")))
        places.addWidget(self.establecimiento_edit)
        places.addWidget(QLabel(self.tr("Punto de expedición")))
        places.addWidget(self.punto_edit)
        places.addStretch(1)
        holder = QWidget()
        holder.setLayout(places)
        places.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("Emisión:"), self._with(holder, self.place_error))
        self.max_batch_spin = QSpinBox()
        self.max_batch_spin.setObjectName("max_batch_spin")
        self.max_batch_spin.setRange(1, 50)
        form.addRow(self.tr("Documentos por &lote:"), self.max_batch_spin)
        self.poll_first_spin = QDoubleSpinBox()
        self.poll_first_spin.setObjectName("poll_first_spin")
        self.poll_first_spin.setRange(1, 3600)
        self.poll_first_spin.setDecimals(0)
        self.poll_first_spin.setSuffix(self.tr(" s"))
        form.addRow(self.tr("Primera consulta tras enviar:"), self.poll_first_spin)
        self.poll_every_spin = QDoubleSpinBox()
        self.poll_every_spin.setObjectName("poll_every_spin")
        self.poll_every_spin.setRange(1, 3600)
        self.poll_every_spin.setDecimals(0)
        self.poll_every_spin.setSuffix(self.tr(" s"))
        form.addRow(self.tr("&Consultar resultados cada:"), self.poll_every_spin)
        self.poll_max_spin = QSpinBox()
        self.poll_max_spin.setObjectName("poll_max_spin")
        self.poll_max_spin.setRange(1, 7 * 24 * 60)
        self.poll_max_spin.setSuffix(self.tr(" min"))
        self.poll_max_spin.setToolTip(
            self.tr("Pasado este tiempo sin resultado, el documento se marca «Requiere atención».")
        )
        form.addRow(self.tr("Esperar un resultado hasta:"), self.poll_max_spin)
        self.default_check = QCheckBox(self.tr("Perfil predeterminado para facturar"))
        self.default_check.setObjectName("default_check")
        form.addRow("", self.default_check)
        self.demo_note = QLabel(
            self.tr(
                "Perfil de demostración: envía a un simulador local. Agregue un perfil real para "
                "facturar ante la SET."
            )
        )
        self.demo_note.setWordWrap(True)
        self.demo_note.setStyleSheet("color: #8a5a00;")
        form.addRow(self.demo_note)
        self.save_button = QPushButton(self.tr("Guardar perfil"))
        self.save_button.setObjectName("save_profile_button")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setToolTip(self.tr("Guardar perfil (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setObjectName("profile_message")
        self.message.setWordWrap(True)
        form.addRow(self.save_button, self.message)
        right = QWidget()
        right.setLayout(form)
        h.addWidget(right, 3)
        self.reload()

    @staticmethod
    def _with(field: QWidget, note: QLabel) -> QWidget:
        holder = QWidget()
        v = QVBoxLayout(holder)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(field)
        v.addWidget(note)
        return holder

    # -- data ----------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        self.profiles = list_profiles(self._db)
        self.list.blockSignals(True)
        self.list.clear()
        for p in self.profiles:
            text = p.name + (self.tr(" (predeterminado)") if p.is_default else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            self.list.addItem(item)
        self.list.blockSignals(False)
        row = next((n for n, p in enumerate(self.profiles) if p.id == select_id), 0)
        if self.profiles:
            self.list.setCurrentRow(row)
            self._selected(row)
        else:
            self.new_profile()

    def current(self) -> ProviderProfile | None:
        row = self.list.currentRow()
        return self.profiles[row] if 0 <= row < len(self.profiles) else None

    def _selected(self, row: int) -> None:
        if not 0 <= row < len(self.profiles):
            return
        self._fill(self.profiles[row])

    def _fill(self, p: ProviderProfile) -> None:
        self._editing = p
        self.name_edit.setText(p.name)
        self.provider_combo.blockSignals(True)
        self.provider_combo.setCurrentIndex(max(0, self.provider_combo.findData(p.provider)))
        self.provider_combo.blockSignals(False)
        self.base_url_edit.setText(p.base_url)
        self.tenant_edit.setText(p.tenant or "")
        self.api_key_edit.clear()
        self.emisor_ruc_edit.setText(p.emisor_ruc or "")
        self.emisor_name_edit.setText(p.emisor_name or "")
        self.tipo_contribuyente_combo.setCurrentIndex(0 if p.tipo_contribuyente == 1 else 1)
        self.establecimiento_edit.setText(p.establecimiento)
        self.punto_edit.setText(p.punto)
        self.max_batch_spin.setValue(p.max_batch)
        self.poll_first_spin.setValue(p.poll_first_s)
        self.poll_every_spin.setValue(p.poll_every_s)
        self.poll_max_spin.setValue(max(1, int(p.poll_max_s // 60)))
        self.default_check.setChecked(p.is_default)
        self.demo_note.setVisible(p.is_demo)
        self.remove_button.setEnabled(p.id is not None)
        for label in (
            self.name_error,
            self.base_url_error,
            self.emisor_ruc_error,
            self.place_error,
        ):
            _show(label, None)
        self.message.setText("")
        self._show_key_status(p)

    def _show_key_status(self, p: ProviderProfile) -> None:
        if p.is_demo:
            text = self.tr("El perfil de demostración usa la clave pública del simulador.")
        elif p.id is not None and get_api_key(p.name):
            text = self.tr(
                "Hay una clave guardada en el llavero del sistema. Escriba otra para reemplazarla."
            )
        else:
            text = self.tr(
                "Sin clave guardada. Se guarda solo en el llavero del sistema, nunca en un archivo."
            )
        self.api_key_status.setText(text)

    def new_profile(self) -> None:
        provider = "facturasend"
        d = PROVIDER_DEFAULTS[provider]
        p = ProviderProfile(
            name="",
            provider=provider,
            country=d["country"],
            base_url="",
            max_batch=d["max_batch"],
            poll_first_s=d["poll_first_s"],
            poll_every_s=d["poll_every_s"],
        )
        self.list.clearSelection()
        self._fill(p)
        self.name_edit.setFocus()

    def _provider_changed(self) -> None:
        provider = self.provider_combo.currentData()
        d = PROVIDER_DEFAULTS.get(provider, {})
        self.max_batch_spin.setValue(d.get("max_batch", self.max_batch_spin.value()))
        self.poll_first_spin.setValue(d.get("poll_first_s", self.poll_first_spin.value()))
        self.poll_every_spin.setValue(d.get("poll_every_s", self.poll_every_spin.value()))
        country = d.get("country", "PY")
        self.emisor_ruc_edit.setEnabled(country == "PY")

    def _check_ruc(self, final: bool = True) -> str | None:
        text = self.emisor_ruc_edit.text().strip()
        country = PROVIDER_DEFAULTS.get(self.provider_combo.currentData(), {}).get("country")
        problem = None
        if text and country == "PY" and (final or "-" in text):
            problem = ruc_error(text)
        _show(self.emisor_ruc_error, problem)
        return problem

    def save(self) -> bool:
        base = self._editing
        provider = str(self.provider_combo.currentData())
        name = self.name_edit.text().strip()
        problems = False
        if not name:
            _show(self.name_error, self.tr("Escriba un nombre para el perfil."))
            problems = True
        elif any(p.name == name and p.id != base.id for p in self.profiles):
            _show(self.name_error, self.tr("Ya existe un perfil con ese nombre."))
            problems = True
        else:
            _show(self.name_error, None)
        url = self.base_url_edit.text().strip()
        if not base.is_demo and not url.startswith(("http://", "https://")):
            _show(self.base_url_error, self.tr("La URL debe empezar con https:// (o http://)."))
            problems = True
        else:
            _show(self.base_url_error, None)
        if self._check_ruc(final=True):
            problems = True
        est, punto = self.establecimiento_edit.text().strip(), self.punto_edit.text().strip()
        if not (
            len(est) == 3
            and len(punto) == 3
            and est.isdigit()
            and punto.isdigit()
            and est != "000"
            and punto != "000"
        ):
            _show(
                self.place_error,
                self.tr("Establecimiento y punto de expedición llevan 3 dígitos, de 001 a 999."),
            )
            problems = True
        else:
            _show(self.place_error, None)
        if problems:
            self.message.setText("")
            return False
        old_name = base.name
        profile = ProviderProfile(
            id=base.id,
            name=name,
            provider=provider,
            country=PROVIDER_DEFAULTS[provider]["country"],
            base_url=url or base.base_url,
            tenant=self.tenant_edit.text().strip() or None,
            emisor_ruc=self.emisor_ruc_edit.text().strip() or None,
            emisor_name=self.emisor_name_edit.text().strip() or None,
            tipo_contribuyente=int(self.tipo_contribuyente_combo.currentData()),
            establecimiento=est,
            punto=punto,
            max_batch=self.max_batch_spin.value(),
            poll_first_s=self.poll_first_spin.value(),
            poll_every_s=self.poll_every_spin.value(),
            poll_max_s=float(self.poll_max_spin.value() * 60),
            is_default=self.default_check.isChecked(),
            is_demo=base.is_demo,
            created_at=base.created_at,
            online=base.online,
            failures=base.failures,
            next_attempt_at=base.next_attempt_at,
            last_error=base.last_error,
            last_sync_at=base.last_sync_at,
        )
        saved = save_profile(self._db, profile)
        note = self.tr("Perfil guardado.")
        key = self.api_key_edit.text()
        try:
            if key:
                where = store_key(self, saved.name, key, self._data_dir())
                note = {
                    "keyring": self.tr("Perfil guardado; la clave quedó en el llavero del sistema."),
                    "file": self.tr("Perfil guardado; la clave quedó en el archivo cifrado."),
                }.get(where, self.tr("Perfil guardado; la clave se usará solo en esta sesión."))
            elif old_name and old_name != saved.name:
                previous = get_api_key(old_name)
                if previous:
                    set_api_key(saved.name, previous)
                    delete_api_key(old_name)
        except CredentialsUnavailable as exc:
            note = self.tr("Perfil guardado, pero sin clave: {error}").format(error=exc)
            self.message.setStyleSheet(ERROR_STYLE)
        else:
            self.message.setStyleSheet("color: #1e6b34;")
        self.reload(select_id=saved.id)
        self.message.setText(note)
        self.changed.emit()
        return True

    def _data_dir(self) -> Path:
        """The data folder (beside the SQLite file), where an encrypted key file lives."""
        return self._db.path.parent if self._db.path is not None else paths.data_dir()

    def remove_current(self) -> bool:
        p = self.current()
        if p is None or p.id is None:
            return False
        answer = QMessageBox.question(
            self,
            self.tr("Eliminar perfil"),
            self.tr("¿Eliminar el perfil «{name}»? Solo se puede si no tiene documentos.").format(
                name=p.name
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return False
        try:
            remove_profile(self._db, p.name)
        except ValueError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(exc).capitalize() + ".")
            return False
        delete_api_key(p.name)
        self.reload()
        self.changed.emit()
        return True


class NumberingTab(QWidget):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._db = db
        self.setObjectName("numbering_tab")
        v = QVBoxLayout(self)
        top = QHBoxLayout()
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("numbering_profile")
        label = QLabel(self.tr("Pe&rfil:"))
        label.setBuddy(self.profile_combo)
        top.addWidget(label)
        top.addWidget(self.profile_combo, 1)
        v.addLayout(top)
        intro = QLabel(
            self.tr(
                "Lote asigna el número al guardar cada documento. Un número aprobado no se vuelve "
                "a usar; el de un documento rechazado se conserva al corregirlo y reenviarlo. Aquí "
                "puede adelantar el próximo número (por ejemplo, si emitió documentos con otro "
                "sistema), nunca retrocederlo."
            )
        )
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #5f6368;")
        v.addWidget(intro)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("numbering_table")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Tipo de documento"),
                self.tr("Establecimiento"),
                self.tr("Punto de expedición"),
                self.tr("Último usado"),
                self.tr("Próximo número"),
            ]
        )
        self.table.verticalHeader().hide()
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in range(1, 5):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        v.addWidget(self.table, 1)
        self.message = QLabel()
        self.message.setObjectName("numbering_message")
        self.message.setWordWrap(True)
        v.addWidget(self.message)
        self.spins: list[tuple[tuple[int, str, str], QSpinBox, int]] = []
        self.profile_combo.currentIndexChanged.connect(self.reload)
        self.reload_profiles()

    def reload_profiles(self) -> None:
        current = self.profile_combo.currentData()
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        for p in list_profiles(self._db):
            self.profile_combo.addItem(p.name, p.id)
        self.profile_combo.setCurrentIndex(max(0, self.profile_combo.findData(current)))
        self.profile_combo.blockSignals(False)
        self.reload()

    def reload(self) -> None:
        profile_id = self.profile_combo.currentData()
        self.spins = []
        if profile_id is None:
            self.table.setRowCount(0)
            return
        profile = next(p for p in list_profiles(self._db) if p.id == profile_id)
        rows = number_sequences(self._db, profile_id)
        keys = {(r.tipo_documento, r.establecimiento, r.punto) for r in rows}
        own = (1, profile.establecimiento, profile.punto)
        entries = [
            (r.tipo_documento, r.establecimiento, r.punto, r.highest_used, r.next_numero)
            for r in rows
        ]
        if own not in keys:
            entries.insert(0, (*own, 0, 1))
        self.table.setRowCount(len(entries))
        for r, (tipo, est, punto, used, following) in enumerate(entries):
            cells = (
                labels.tipo_documento_label(tipo, profile.country),
                est,
                punto,
                format_numero(est, punto, used) if used else "—",
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(r, c, item)
            spin = QSpinBox()
            spin.setObjectName(f"next_number_{tipo}_{est}_{punto}")
            spin.setRange(1, 9_999_999)
            spin.setValue(following)
            spin.setKeyboardTracking(False)
            self.table.setCellWidget(r, 4, spin)
            self.spins.append(((tipo, est, punto), spin, following))

    def save(self) -> bool:
        """Apply the next numbers that were changed; False (and why) when one cannot."""
        profile_id = self.profile_combo.currentData()
        ok = True
        messages = []
        for (tipo, est, punto), spin, before in self.spins:
            if spin.value() == before:
                continue
            try:
                set_next_number(self._db, profile_id, tipo, est, punto, spin.value())
                messages.append(
                    self.tr("Próximo número de {est}-{punto}: {n}.").format(
                        est=est, punto=punto, n=spin.value()
                    )
                )
            except CorrectionRefused as exc:
                ok = False
                messages.append(str(exc))
        self.message.setStyleSheet("" if ok else ERROR_STYLE)
        self.message.setText(" ".join(messages))
        if ok:
            self.reload()
        return ok


class GeneralTab(QWidget):
    def __init__(self, parent: QWidget | None = None, *, data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("general_tab")
        self._data_dir = data_dir
        form = QFormLayout(self)
        self.language_combo = QComboBox()
        self.language_combo.setObjectName("language_combo")
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(
            max(0, self.language_combo.findData(current_language()))
        )
        form.addRow(self.tr("&Idioma:"), self.language_combo)
        self.language_note = QLabel(self.tr("El idioma cambia al volver a abrir Lote."))
        self.language_note.setStyleSheet("color: #5f6368;")
        form.addRow("", self.language_note)
        self.notify_check = QCheckBox(
            self.tr("Avisar en la bandeja del sistema cuando se rechacen documentos")
        )
        self.notify_check.setObjectName("notify_check")
        self.notify_check.setChecked(notify_rejected())
        form.addRow("", self.notify_check)
        # Several counters on one PostgreSQL database (docs/postgresql.md): the same as
        # `lote --db`, remembered for this data folder; the password stays in ~/.pgpass.
        self.database_edit = QLineEdit(
            (configured_database_url(data_dir) or "") if data_dir is not None else "")
        self.database_edit.setObjectName("database_edit")
        self.database_edit.setPlaceholderText("postgresql+psycopg://usuario@servidor/lote")
        self.database_edit.setEnabled(data_dir is not None)
        form.addRow(self.tr("Base de datos compartida:"), self.database_edit)
        self.database_note = QLabel(self.tr(
            "Vacío: la base de datos propia de este equipo. Se aplica al reiniciar Lote."))
        self.database_note.setWordWrap(True)
        self.database_note.setStyleSheet("color: #5f6368;")
        form.addRow("", self.database_note)

    def save_database(self) -> str | None:
        """Remember the shared database; the Spanish reason if the address is refused."""
        if self._data_dir is None:
            return None
        text = self.database_edit.text().strip()
        if text == (configured_database_url(self._data_dir) or ""):
            return None
        try:
            save_database_url(self._data_dir, text or None)
        except ValueError as exc:
            self.database_note.setText(str(exc))
            self.database_note.setStyleSheet(ERROR_STYLE)
            return str(exc)
        return None

    def save(self) -> bool:
        changed = self.language_combo.currentData() != current_language()
        set_language(str(self.language_combo.currentData()))
        set_notify_rejected(self.notify_check.isChecked())
        return changed


class GatewayTab(QWidget):
    """The POS gateway (docs/gateway.md): a watched folder per profile and the local API."""

    def __init__(self, db: Database, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gateway_tab")
        self.settings = GatewaySettings.load(data_dir)
        form = QFormLayout(self)
        self.folder_edits: dict[str, QLineEdit] = {}
        for p in list_profiles(db):
            edit = QLineEdit(self.settings.folders.get(p.name, ""))
            edit.setObjectName(f"gateway_folder_{p.name}")
            edit.setPlaceholderText(str(self.settings.default_folder(p.name)))
            button = QPushButton(self.tr("Elegir…"))
            button.clicked.connect(lambda _=False, e=edit: self._choose(e))
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(button)
            form.addRow(p.name, row)
            self.folder_edits[p.name] = edit
        self.api_check = QCheckBox(self.tr("API local"))
        self.api_check.setObjectName("gateway_api_check")
        self.api_check.setChecked(self.settings.api_enabled)
        form.addRow("", self.api_check)
        self.port_spin = QSpinBox()
        self.port_spin.setObjectName("gateway_port_spin")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(self.settings.api_port or 8484)
        form.addRow(self.tr("Puerto:"), self.port_spin)
        self.token_edit = QLineEdit(load_or_create_token(self.settings.token_path))
        self.token_edit.setObjectName("gateway_token_edit")
        self.token_edit.setReadOnly(True)
        self.token_button = QPushButton(self.tr("Nuevo token"))
        self.token_button.clicked.connect(self.renew_token)
        row = QHBoxLayout()
        row.addWidget(self.token_edit, 1)
        row.addWidget(self.token_button)
        form.addRow("Token:", row)
        note = QLabel(self.tr("Se aplica al reiniciar Lote."))
        note.setStyleSheet("color: #5f6368;")
        form.addRow("", note)

    def _choose(self, edit: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Elegir…"), edit.text())
        if folder:
            edit.setText(folder)

    def renew_token(self) -> None:
        self.token_edit.setText(new_token(self.settings.token_path))

    def save(self) -> None:
        self.settings.folders = {
            name: edit.text().strip()
            for name, edit in self.folder_edits.items() if edit.text().strip()
        }
        self.settings.api_enabled = self.api_check.isChecked()
        self.settings.api_port = self.port_spin.value()
        self.settings.save()


class SettingsDialog(QDialog):
    profiles_changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None, *,
                 data_dir: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.setWindowTitle(self.tr("Configuración"))
        #: After "Aceptar": the language setting changed (applies at the next start).
        self.language_changed = False
        v = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.profiles_tab = ProfilesTab(db)
        self.numbering_tab = NumberingTab(db)
        self.tabs.addTab(scrollable(self.profiles_tab), self.tr("&Perfiles de proveedor"))
        self.tabs.addTab(self.numbering_tab, self.tr("&Numeración"))
        if data_dir is None:
            data_dir = db.path.parent if db.path is not None else paths.data_dir()
        self.general_tab = GeneralTab(data_dir=data_dir)
        self.tabs.addTab(scrollable(self.general_tab), self.tr("&General"))
        self.gateway_tab = GatewayTab(db, data_dir)
        self.tabs.addTab(scrollable(self.gateway_tab), self.tr("Sistema de caja"))
        self.profiles_tab.changed.connect(self.profiles_changed)
        self.profiles_tab.changed.connect(self.numbering_tab.reload_profiles)
        v.addWidget(self.tabs)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Aceptar"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cerrar"))
        self.buttons.accepted.connect(self.apply_and_close)
        self.buttons.rejected.connect(self.reject)
        v.addWidget(self.buttons)
        em = self.fontMetrics().horizontalAdvance("M")
        fit_to_screen(self, em * 92, self.fontMetrics().height() * 48)

    def apply_and_close(self) -> None:
        """Numbering and general preferences; profiles are saved with their own button."""
        if not self.numbering_tab.save():
            self.tabs.setCurrentIndex(1)
            return
        if self.general_tab.save_database() is not None:
            self.tabs.setCurrentIndex(2)  # General
            return
        self.language_changed = self.general_tab.save()
        try:
            self.gateway_tab.save()
        except OSError:
            log.exception("saving the POS gateway settings failed")
        self.accept()
