"""Where an API key goes when the system has no keyring (issue "Secrets stay secret"):
the app says so plainly and lets the user choose — this session only, or a file
encrypted with a password typed at start-up. It never writes a key in clear."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from desktop_app.credentials import (
    CredentialsUnavailable,
    WrongPassword,
    key_file_path,
    keyring_available,
    set_api_key,
    unlock_key_file,
)

SESSION, FILE = "session", "file"


def ask_choice(parent: QWidget | None) -> str | None:
    box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("KeyStorage", "Sin llavero del sistema"),
                      QCoreApplication.translate(
        "KeyStorage",
        "No hay un llavero del sistema disponible para guardar la clave API. Lote no la guarda "
        "en claro en ningún archivo. Elija: guardarla solo durante esta sesión, o en un archivo "
        "cifrado con una contraseña que se pedirá al iniciar."), parent=parent)
    session = box.addButton(QCoreApplication.translate("KeyStorage", "Solo durante esta sesión"), QMessageBox.ButtonRole.AcceptRole)
    file = box.addButton(QCoreApplication.translate("KeyStorage", "Archivo cifrado con contraseña"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QCoreApplication.translate("KeyStorage", "Cancelar"), QMessageBox.ButtonRole.RejectRole)
    box.exec()
    clicked = box.clickedButton()
    return SESSION if clicked is session else FILE if clicked is file else None


def ask_password(parent: QWidget | None, prompt: str) -> str | None:
    text, ok = QInputDialog.getText(parent, QCoreApplication.translate("KeyStorage", "Contraseña de las claves"), prompt,
                                    QLineEdit.EchoMode.Password)
    return text if ok and text else None


def store_key(parent: QWidget | None, profile_name: str, api_key: str, data_dir: Path, *,
              choose: Callable[[QWidget | None], str | None] = ask_choice,
              password: Callable[[QWidget | None, str], str | None] = ask_password) -> str:
    """Store the key in the keyring, or where the user chooses when there is none.
    Returns "keyring", "session" or "file"; CredentialsUnavailable if they cancel."""
    try:
        return set_api_key(profile_name, api_key)
    except CredentialsUnavailable:
        choice = choose(parent)
        if choice is None:
            raise
    if choice == FILE:
        creating = not key_file_path(data_dir).exists()
        prompt = (QCoreApplication.translate("KeyStorage", "Elija una contraseña para el archivo cifrado de claves (se pedirá al iniciar):")
                  if creating else QCoreApplication.translate("KeyStorage", "Contraseña del archivo cifrado de claves:"))
        typed = password(parent, prompt)
        if typed is None:
            raise CredentialsUnavailable(QCoreApplication.translate("KeyStorage", "No se guardó la clave: falta la contraseña."))
        if creating and password(parent, QCoreApplication.translate("KeyStorage", "Repita la contraseña:")) != typed:
            raise CredentialsUnavailable(QCoreApplication.translate("KeyStorage", "No se guardó la clave: las contraseñas no coinciden."))
        try:
            unlock_key_file(data_dir, typed, create=creating)
        except WrongPassword as exc:
            raise CredentialsUnavailable(str(exc)) from exc
    return set_api_key(profile_name, api_key, fallback=choice)


def unlock_at_start(parent: QWidget | None, data_dir: Path, *,
                    password: Callable[[QWidget | None, str], str | None] = ask_password,
                    tries: int = 3) -> bool:
    """Without a keyring, ask for the key file's password once at start-up. Cancelling
    leaves the keys locked: documents still save and queue, sending waits."""
    if keyring_available() or not key_file_path(data_dir).exists():
        return False
    prompt = QCoreApplication.translate("KeyStorage", "Lote guarda las claves API en un archivo cifrado. Contraseña:")
    for _ in range(tries):
        typed = password(parent, prompt)
        if typed is None:
            return False
        try:
            unlock_key_file(data_dir, typed)
            return True
        except WrongPassword:
            prompt = QCoreApplication.translate("KeyStorage", "Contraseña incorrecta. Vuelva a intentarlo:")
    return False
