"""Real stored documents of the three countries, in the states a printout cares about."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from desktop_app.domain.country import rules_for
from desktop_app.store.db import Database
from desktop_app.store.models import Document, Lote, ProviderProfile
from desktop_app.store.outbox import enqueue_documents
from desktop_app.store.profiles import save_profile

PY_EMISOR_RUC = "80069563-1"  # the public FacturaSend example's RUC (check digit verified)
AR_EMISOR_CUIT = "20-26756539-3"  # PROVIDERS.md's worked example
BO_EMISOR_NIT = "1020703023"
CAE = "75123456789012"
CUF = "4E6F7E0AB1C2D3E4F5A6B7C8D9E0F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A"


def profile(db: Database, country: str, name: str | None = None) -> ProviderProfile:
    emisor = {"PY": PY_EMISOR_RUC, "AR": AR_EMISOR_CUIT, "BO": BO_EMISOR_NIT}[country]
    provider = {"PY": "facturasend", "AR": "tusfacturas", "BO": "cucu"}[country]
    names = {
        "PY": "Comercial Demo S.A.",
        "AR": "Almacén del Sur S.R.L.",
        "BO": "Distribuidora Andina S.R.L.",
    }
    return save_profile(
        db,
        ProviderProfile(
            name=name or f"perfil-{country}",
            provider=provider,
            country=country,
            base_url="http://127.0.0.1:9",
            emisor_ruc=emisor,
            emisor_name=names[country],
        ),
    )


def py_json(*, fecha: datetime | None = None, ruc: str | None = "80012345-0") -> dict:
    cliente = (
        {
            "contribuyente": True,
            "ruc": ruc,
            "razonSocial": "Ferretería El Tornillo S.A.",
            "tipoOperacion": 1,
        }
        if ruc
        else {
            "contribuyente": False,
            "documentoTipo": 1,
            "documentoNumero": "1234567",
            "razonSocial": "María Benítez",
            "tipoOperacion": 2,
        }
    )
    return {
        "tipoDocumento": 1,
        "establecimiento": 1,
        "punto": "001",
        "fecha": (fecha or datetime.now().replace(microsecond=0)).strftime("%Y-%m-%dT%H:%M:%S"),
        "tipoEmision": 1,
        "tipoTransaccion": 1,
        "tipoImpuesto": 1,
        "moneda": "PYG",
        "cliente": cliente,
        "items": [
            {
                "codigo": "T-100",
                "descripcion": "Martillo de carpintero",
                "cantidad": 2,
                "precioUnitario": 55000,
                "ivaTipo": 1,
                "ivaBase": 100,
                "iva": 10,
            },
            {
                "codigo": "A-015",
                "descripcion": "Arroz tipo 1 (kg)",
                "cantidad": 2,
                "precioUnitario": 10500,
                "ivaTipo": 1,
                "ivaBase": 100,
                "iva": 5,
            },
            {
                "codigo": "L-777",
                "descripcion": "Libro de texto escolar",
                "cantidad": 1,
                "precioUnitario": 45000,
                "ivaTipo": 3,
                "ivaBase": 0,
                "iva": 0,
            },
        ],
    }


def ar_json(*, fecha: date | None = None, tipo: str = "FACTURA B") -> dict:
    return {
        "cliente": {
            "documento_tipo": "DNI",
            "documento_nro": "28123456",
            "razon_social": "Juan Pérez",
            "condicion_iva": "CF",
            "domicilio": "Av. Siempreviva 742",
            "provincia": "2",
            "condicion_pago": "211",
        },
        "comprobante": {
            "tipo": tipo,
            "operacion": "V",
            "punto_venta": 3,
            "fecha": (fecha or date.today()).strftime("%d/%m/%Y"),
            "moneda": "PES",
            "cotizacion": "1",
            "detalle": [
                {
                    "cantidad": "2",
                    "producto": {
                        "descripcion": "Yerba mate 1 kg",
                        "codigo": "Y1",
                        "precio_unitario_sin_iva": "1000.00",
                        "alicuota": "21",
                    },
                },
                {
                    "cantidad": "1",
                    "producto": {
                        "descripcion": "Pan lactal",
                        "codigo": "P2",
                        "precio_unitario_sin_iva": "800.00",
                        "alicuota": "10.5",
                    },
                },
            ],
        },
    }


def bo_json() -> dict:
    return {
        "pointOfSaleId": "pos-centro-1",
        "clientDocumentType": 5,
        "clientDocumentNumber": "1020703023",
        "clientBusinessName": "Comercial Illimani S.A.",
        "paymentMethodCode": 1,
        "details": [
            {
                "activityCode": "620100",
                "sinProductCode": 83141,
                "description": "Soporte técnico",
                "quantity": 2,
                "unitMeasure": 58,
                "unitPrice": 150,
                "discount": 10,
            },
            {
                "activityCode": "620100",
                "sinProductCode": 83141,
                "description": "Cable HDMI 2 m",
                "quantity": 1,
                "unitMeasure": 57,
                "unitPrice": 45.5,
            },
        ],
    }


def store(db: Database, profile_id: int, country: str, data: dict) -> int:
    rules = rules_for(country)
    doc, errors = rules.parse(data)
    assert doc is not None, errors
    result = enqueue_documents(db, profile_id, [doc])
    assert result.ok, result.errors
    return result.ids[0]


def set_state(db: Database, doc_id: int, state: str, **columns) -> None:
    """Test setup only: put a document straight into `state` with the authority's ids."""
    with db.write() as s:
        row = s.get(Document, doc_id)
        assert row is not None
        row.state = state
        for key, value in columns.items():
            setattr(row, key, value)
        s.add(row)


def add_lote(db: Database, profile_id: int, doc_ids: list[int], provider_lote_id: str) -> int:
    with db.write() as s:
        lote = Lote(
            profile_id=profile_id,
            attempt_id=f"att-{provider_lote_id}",
            provider_lote_id=provider_lote_id,
            tipo_documento=1,
            size=len(doc_ids),
            state="DONE",
        )
        s.add(lote)
        s.flush()
        assert lote.id is not None
        for doc_id in doc_ids:
            row = s.get(Document, doc_id)
            assert row is not None
            row.lote_id = lote.id
            s.add(row)
        return lote.id


@pytest.fixture
def py_profile(db: Database) -> ProviderProfile:
    return profile(db, "PY")


@pytest.fixture
def ar_profile(db: Database) -> ProviderProfile:
    return profile(db, "AR")


@pytest.fixture
def bo_profile(db: Database) -> ProviderProfile:
    return profile(db, "BO")


def have(tool: str) -> bool:
    return shutil.which(tool) is not None


needs_poppler = pytest.mark.skipif(
    not have("pdftotext") or not have("pdftoppm"),
    reason="poppler-utils (pdftotext, pdftoppm) not installed",
)


def pdf_text(path: Path) -> str:
    """The PDF's text in drawing order (``-raw``: rotated text, like the diagonal band,
    comes out as words rather than scattered letters)."""
    args = ["pdftotext", "-raw", str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def pdf_to_png(path: Path, out_prefix: Path, dpi: int = 200) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(path), str(out_prefix)], check=True)
    return sorted(out_prefix.parent.glob(out_prefix.name + "*.png"))
