"""The 44-digit CDC (Código de Control) of a SIFEN electronic document.

SIFEN MT v150 §10.1: tipo DE (2) + RUC (8, zero-padded) + DV (1) + establecimiento (3)
+ punto (3) + número (7) + tipo contribuyente (1) + fecha AAAAMMDD (8) + tipo emisión (1)
+ código de seguridad (9) + check digit (1, modulo 11 as for the RUC).
"""

from __future__ import annotations

import secrets
from datetime import date

from desktop_app.domain.ruc import mod11_check_digit

CDC_LENGTH = 44


def build_cdc(
    *,
    tipo_documento: int,
    ruc: str,
    dv: int,
    establecimiento: str | int,
    punto: str | int,
    numero: int,
    tipo_contribuyente: int,
    fecha: date,
    tipo_emision: int,
    codigo_seguridad: str,
) -> str:
    # The date without strftime ({fecha:%Y%m%d}): it imports `time` on every call, through
    # shiboken's import hook once PySide6 is loaded (BENCHMARKS.md, import).
    body = (
        f"{int(tipo_documento):02d}{int(ruc):08d}{int(dv):01d}"
        f"{int(establecimiento):03d}{int(punto):03d}{int(numero):07d}"
        f"{int(tipo_contribuyente):01d}{fecha.year:04d}{fecha.month:02d}{fecha.day:02d}"
        f"{int(tipo_emision):01d}"
        f"{int(codigo_seguridad):09d}"
    )
    if len(body) != CDC_LENGTH - 1 or not body.isdigit():
        raise ValueError(f"CDC body must be 43 digits, got {len(body)} characters: {body}")
    return body + str(mod11_check_digit(body))


def new_security_code() -> str:
    """Nine random digits, new for every document (MT v150: dCodSeq)."""
    return f"{secrets.randbelow(999_999_999) + 1:09d}"


def is_valid_cdc(cdc: str) -> bool:
    return (
        isinstance(cdc, str)
        and len(cdc) == CDC_LENGTH
        and cdc.isascii()
        and cdc.isdigit()
        and mod11_check_digit(cdc[:-1]) == int(cdc[-1])
    )


def format_cdc(cdc: str) -> str:
    """CDC in blocks of four, as printed on the KuDE."""
    return " ".join(cdc[i : i + 4] for i in range(0, len(cdc), 4))
