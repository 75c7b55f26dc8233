"""The OpenAPI 3.1 document of the local API, built from the same route table that the
server dispatches on (`api.ROUTES`), so the two cannot diverge. The schemas and examples
live here; tests post every request example to a real server and check every response,
and every response example, against its schema."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from desktop_app import __version__
from desktop_app.domain.states import DocState

if TYPE_CHECKING:
    from desktop_app.gateway.api import Route

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
EXPECTED_STATUS = "x-expected-status"

STATES = [s.value for s in DocState]


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str) -> dict[str, Any]:
    return {"type": [kind, "null"]}


_EXAMPLE_DE: dict[str, Any] = {
    "tipoDocumento": 1,
    "establecimiento": "001",
    "punto": "001",
    "fecha": "2025-03-14T10:30:00",
    "moneda": "PYG",
    "cliente": {"contribuyente": True, "ruc": "80012345-0",
                "razonSocial": "Ferretería El Tornillo S.A."},
    "items": [{"descripcion": "Martillo de carpintero", "cantidad": 1,
               "precioUnitario": 110000, "ivaTipo": 1, "ivaBase": 100, "iva": 10}],
}


def example_document(**changes: Any) -> dict[str, Any]:
    """A valid Paraguayan DE (FacturaSend/DTEpy JSON) for the examples."""
    doc = copy.deepcopy(_EXAMPLE_DE)
    doc.update(changes)
    return doc


_EXAMPLE_CSV = (
    "documento;fecha;cliente_ruc;cliente_razon_social;item_descripcion;item_cantidad;"
    "item_precio_unitario;item_iva\n"
    "V-0101;2025-03-14 10:30;80012345-0;Ferretería El Tornillo S.A.;Martillo;1;110000;10\n"
    "V-0101;;;;Clavos (caja);2;15000;10\n"
    "V-0102;2025-03-14 10:42;;;Destornillador;1;35000;10\n"
)

_ROW_EXAMPLE: dict[str, Any] = {
    "id": 42, "profile": "Caja 1", "provider": "facturasend", "tipoDocumento": 1,
    "numero": "001-001-0000042", "fecha": "2025-03-14T10:30:00",
    "cliente": "Ferretería El Tornillo S.A.", "documentoCliente": "80012345-0",
    "moneda": "PYG", "total": 110000, "iva": 10000,
    "cdc": "01800695631001001000004212025031419876543210", "state": "APPROVED",
    "processing": False, "lote": "17", "code": "0260",
    "message": "Autorización del DE satisfactoria", "country": "PY",
    "external_ref": "V-0001", "cuf": None, "cae": None, "cae_expiry": None,
    "observations": None, "provider_number": None, "external_id": "V-0001", "final": True,
}

SCHEMAS: dict[str, Any] = {
    "FieldError": {
        "type": "object",
        "description": "One problem, where the POS finds it: the document's index in the "
                       "request (0-based) and JSON field, or the row (header = 1) and column "
                       "of a CSV/XLSX.",
        "required": ["message"],
        "properties": {
            "document": {"type": "integer", "minimum": 0},
            "external_id": {"type": "string"},
            "field": {"type": "string"},
            "row": {"type": "integer", "minimum": 1},
            "column": {"type": "string"},
            "message": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code: validation, "
                      "unauthorized, not_found, method_not_allowed, bad_request, "
                      "too_large, unsupported_media_type, length_required, "
                      "idempotency_key_reused, invalid_state, pdf_unavailable, internal."},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": ref("FieldError")},
        },
    },
    "Envelope": {
        "type": "object",
        "description": "One document with the POS's own id for it.",
        "required": ["document"],
        "properties": {
            "external_id": {"type": "string", "pattern": "^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$",
                            "description": "The POS's id of the sale: the idempotency key "
                                           "of this document and the name of its result "
                                           "file."},
            "document": ref("NativeDocument"),
        },
        "additionalProperties": False,
    },
    "NativeDocument": {
        "type": "object",
        "description": "One document in the profile country's native JSON, as `lote import` "
                       "takes it: Paraguay, the FacturaSend/DTEpy DE JSON; Bolivia, a CUCU "
                       "invoice; Argentina, a TusFacturas comprobante. Checked by the same "
                       "rules as the invoice dialog.",
    },
    "DocumentsRequest": {
        "description": "One document or many: a native document, an envelope, an array of "
                       "either, or {\"documents\": [...]}.",
        "anyOf": [
            ref("Envelope"),
            {"type": "array", "items": {"anyOf": [ref("Envelope"), ref("NativeDocument")]},
             "minItems": 1},
            {"type": "object", "required": ["documents"], "additionalProperties": False,
             "properties": {"documents": {"type": "array", "minItems": 1, "items": {
                 "anyOf": [ref("Envelope"), ref("NativeDocument")]}}}},
            ref("NativeDocument"),
        ],
    },
    "AcceptedDocument": {
        "type": "object",
        "required": ["index", "id", "external_id", "created", "state", "numero", "cdc", "url"],
        "properties": {
            "index": {"type": "integer", "minimum": 0},
            "id": {"type": "integer"},
            "external_id": {"type": "string"},
            "created": {"type": "boolean",
                        "description": "false: the external id was known; this is the "
                                       "document created the first time."},
            "state": {"type": "string", "enum": STATES},
            "numero": {"type": "string"},
            "cdc": _nullable("string"),
            "url": {"type": "string"},
        },
        "additionalProperties": False,
    },
    "IntakeResponse": {
        "type": "object",
        "required": ["documents", "created", "existing"],
        "properties": {
            "documents": {"type": "array", "items": ref("AcceptedDocument")},
            "created": {"type": "integer", "minimum": 0},
            "existing": {"type": "integer", "minimum": 0},
        },
        "additionalProperties": False,
    },
    "DocumentEvent": {
        "type": "object",
        "required": ["at", "from", "to", "actor"],
        "properties": {
            "at": {"type": "string"}, "from": _nullable("string"), "to": {"type": "string"},
            "actor": {"type": "string"}, "code": _nullable("string"),
            "message": _nullable("string"),
        },
    },
    "Document": {
        "type": "object",
        "required": ["id", "profile", "numero", "state", "external_id", "final", "cdc", "code",
                     "message"],
        "properties": {
            "id": {"type": "integer"},
            "profile": {"type": "string"},
            "provider": {"type": "string"},
            "country": {"type": "string", "enum": ["PY", "BO", "AR"]},
            "tipoDocumento": {"type": "integer"},
            "numero": {"type": "string"},
            "fecha": {"type": "string"},
            "cliente": {"type": "string"},
            "documentoCliente": {"type": "string"},
            "moneda": {"type": "string"},
            "total": {"type": ["integer", "string"]},
            "iva": {"type": ["integer", "string"]},
            "state": {"type": "string", "enum": STATES},
            "final": {"type": "boolean", "description": "APPROVED, "
                      "APPROVED_WITH_OBSERVATIONS, REJECTED, CANCELLED or VOIDED."},
            "processing": {"type": "boolean"},
            "lote": _nullable("string"),
            "cdc": _nullable("string"),
            "cuf": _nullable("string"),
            "cae": _nullable("string"),
            "cae_expiry": _nullable("string"),
            "provider_number": _nullable("string"),
            "code": _nullable("string"),
            "message": _nullable("string"),
            "observations": _nullable("string"),
            "external_ref": _nullable("string"),
            "external_id": _nullable("string"),
            "events": {"type": "array", "items": ref("DocumentEvent")},
        },
    },
    "DocumentList": {
        "type": "object",
        "required": ["documents", "next_cursor"],
        "properties": {
            "documents": {"type": "array", "items": ref("Document")},
            "next_cursor": {**_nullable("string"),
                            "description": "Pass as `cursor` for the next page; null on the "
                                           "last one."},
        },
        "additionalProperties": False,
    },
    "CancelRequest": {
        "type": "object",
        "properties": {"motivo": {"type": "string", "maxLength": 500}},
        "additionalProperties": False,
    },
    "Health": {
        "type": "object",
        "required": ["status", "version", "profile", "online", "queue_size", "states"],
        "properties": {
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string"},
            "profile": {"type": "string"},
            "country": {"type": "string"},
            "online": {**_nullable("boolean"),
                       "description": "Whether the last request to the provider succeeded "
                                      "(null: none yet)."},
            "last_sync_at": _nullable("string"),
            "last_error": _nullable("string"),
            "queue_size": {"type": "integer", "minimum": 0,
                           "description": "Documents waiting to be sent or for a result."},
            "attention": {"type": "integer", "minimum": 0},
            "states": {"type": "object", "additionalProperties": {"type": "integer"}},
            "sender": {**_nullable("boolean"),
                       "description": "Whether this process sends (false: another Lote "
                                      "on this data folder does)."},
        },
    },
    "ResultFile": {
        "description": "resultados/<external id>.json, written when a document reaches a "
                       "final state: the Document plus the printed PDF.",
        "allOf": [ref("Document"), {
            "type": "object",
            "required": ["pdf", "written_at"],
            "properties": {"pdf": _nullable("string"), "written_at": {"type": "string"},
                           "pdf_error": {"type": "string"}},
        }],
    },
}


def _error_example(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message": message, **extra}


RESPONSE_EXAMPLES: dict[str, Any] = {
    "created": {"documents": [{"index": 0, "id": 42, "external_id": "V-0001", "created": True,
                               "state": "QUEUED", "numero": "001-001-0000042",
                               "cdc": "01800695631001001000004212025031419876543210",
                               "url": "/v1/documents/42"}],
                "created": 1, "existing": 0},
    "existing": {"documents": [{"index": 0, "id": 42, "external_id": "V-0001", "created": False,
                                "state": "APPROVED", "numero": "001-001-0000042",
                                "cdc": "01800695631001001000004212025031419876543210",
                                "url": "/v1/documents/42"}],
                 "created": 0, "existing": 1},
    "validation": _error_example(
        "validation", "Nada se guardó: 2 problema(s).",
        errors=[{"document": 0, "external_id": "V-0009", "field": "items[0].cantidad",
                 "message": "Cantidad del ítem 1: debe ser mayor que cero."},
                {"document": 0, "external_id": "V-0009", "field": "cliente.ruc",
                 "message": "RUC del cliente: el dígito verificador no corresponde."}]),
    "unauthorized": _error_example("unauthorized", "Falta el token o no es válido."),
    "not_found": _error_example("not_found", "No existe el documento 42."),
    "document": {**_ROW_EXAMPLE, "events": [
        {"at": "2025-03-14T13:30:01", "from": None, "to": "QUEUED", "actor": "gateway-api",
         "code": None, "message": "Guardado y encolado"},
        {"at": "2025-03-14T13:30:05", "from": "SUBMITTED", "to": "APPROVED", "actor": "sync",
         "code": "0260", "message": "Autorización del DE satisfactoria"}]},
    "list": {"documents": [_ROW_EXAMPLE], "next_cursor": None},
    "cancel": {**_ROW_EXAMPLE, "state": "CANCEL_REQUESTED", "final": False, "code": None,
               "message": "Anulación pedida por el sistema de caja: cliente desistió"},
    "health": {"status": "ok", "version": __version__, "profile": "Caja 1", "country": "PY",
               "online": False, "last_sync_at": "2025-03-14T13:29:58+00:00",
               "last_error": "Sin conexión con el proveedor", "queue_size": 12,
               "attention": 0, "states": {"QUEUED": 12, "APPROVED": 230}, "sender": True},
}


def _example(value: Any, status: int, summary: str) -> dict[str, Any]:
    return {"summary": summary, "value": value, EXPECTED_STATUS: status}


REQUEST_EXAMPLES: dict[str, dict[str, Any]] = {
    JSON: {
        "one": _example({"external_id": "V-0001", "document": example_document()}, 201,
                        "One sale with the POS's id"),
        "many": _example({"documents": [
            {"external_id": "V-0002", "document": example_document()},
            {"external_id": "V-0003", "document": example_document(
                cliente={"contribuyente": False, "documentoTipo": 1,
                         "documentoNumero": "1234567", "razonSocial": "Juan Pérez"})}]},
            201, "Several sales in one call (all or nothing)"),
        "native": _example(example_document(), 201,
                           "A bare native document (send an Idempotency-Key with it)"),
        "invalid": _example({"external_id": "V-0009", "document": example_document(
            cliente={"contribuyente": True, "ruc": "80012345-9",
                     "razonSocial": "Ferretería El Tornillo S.A."},
            items=[{"descripcion": "Martillo", "cantidad": 0, "precioUnitario": 110000,
                    "ivaTipo": 1, "ivaBase": 100, "iva": 10}])},
            422, "Invalid: every problem is listed, nothing is saved"),
    },
    CSV: {
        "sheet": _example(_EXAMPLE_CSV, 201,
                          "The CSV of `lote import`: one row per item, `documento` is the id"),
    },
}


def build_document(routes: list[Route] | tuple[Route, ...]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of `routes`."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        op: dict[str, Any] = {
            "operationId": route.operation_id,
            "summary": route.summary,
            "description": route.description,
            "responses": copy.deepcopy(route.responses),
        }
        if route.parameters:
            op["parameters"] = copy.deepcopy(list(route.parameters))
        if route.request_body is not None:
            op["requestBody"] = copy.deepcopy(route.request_body)
        if route.public:
            op["security"] = []
        # What the server itself may answer before or around any route.
        responses = op["responses"]
        if route.request_body is not None:
            responses.setdefault("411", error_response("The body came without Content-Length."))
            responses.setdefault("413", error_response("The body is larger than the limit."))
        responses.setdefault("500", error_response("Unexpected error (details in Lote's log)."))
        paths.setdefault(route.path, {})[route.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Lote local API",
            "version": __version__,
            "description": (
                "Hand sales from a point-of-sale or ERP program to Lote, the offline-first "
                "outbox for electronic invoices. Listens on 127.0.0.1 only (unless enabled "
                "otherwise on purpose); every call but this document needs "
                "`Authorization: Bearer <token>` (the token is shown in Lote's settings and "
                "kept in `<data folder>/gateway/api-token`). Documents are validated and "
                "queued at once, whether the internet is up or down, and sent when the "
                "provider answers; follow them with GET /v1/documents/{id} or the result "
                "files in the profile's folder (`resultados/<external id>.json`). "
                "A repeated POST with the same Idempotency-Key, or of a document whose "
                "external id is known, returns the first result instead of a second invoice."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": copy.deepcopy(SCHEMAS),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def json_content(schema: str, examples: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": ref(schema)}
    if examples:
        body["examples"] = {name: {"value": value} for name, value in examples.items()}
    return {JSON: body}


def error_response(description: str, example: str | None = None) -> dict[str, Any]:
    return {"description": description,
            "content": json_content("Error", {example: RESPONSE_EXAMPLES[example]}
                                    if example else None)}
