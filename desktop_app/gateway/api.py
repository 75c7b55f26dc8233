"""The local HTTP API: its routes and what each one does, without the transport.

`ROUTES` is the single table of the API: `GatewayApi.dispatch` routes requests with it
and `openapi.build_document` describes it, so the OpenAPI document always matches the
implementation. `server.ApiServer` adds the socket, the token check and the size limit.

Everything that writes goes through `intake.Intake` (POST) or `store.outbox.transition`
(cancel): the same validation, queue and audit trail as the window.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from desktop_app import __version__
from desktop_app.domain.states import PENDING_STATES, DocState
from desktop_app.gateway import openapi
from desktop_app.gateway.intake import (
    ACTOR_API,
    GatewayError,
    Incoming,
    Intake,
    IntakeOutcome,
    json_items,
    request_hash,
    sheet_items,
)
from desktop_app.gateway.mainthread import MainThreadBusy
from desktop_app.gateway.openapi import CSV, JSON, PDF, XLSX, error_response, json_content
from desktop_app.gateway.results import FINAL_VALUES
from desktop_app.store.db import Database
from desktop_app.store.models import Document, ProviderProfile
from desktop_app.store.outbox import ProfileNotFound, transition
from desktop_app.store.profiles import get_profile
from desktop_app.store.queries import DocumentRow, document_events, rows_by_ids

log = logging.getLogger(__name__)

MAX_LIMIT = 500
DEFAULT_LIMIT = 100
MAX_KEY_LENGTH = 255
_KEY_RE = re.compile(r"[\x21-\x7e]{1,255}")
CANCELLABLE = {DocState.APPROVED.value, DocState.APPROVED_WITH_OBSERVATIONS.value}


# -- requests and responses -------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRequest:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # from the path template

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass
class ApiResponse:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None
                  ) -> ApiResponse:
    body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
    return ApiResponse(status, body, headers=dict(headers or {}))


def problem(status: int, error: str, message: str, *,
            errors: list[GatewayError] | None = None,
            headers: dict[str, str] | None = None) -> ApiResponse:
    payload: dict[str, Any] = {"error": error, "message": message}
    if errors is not None:
        payload["errors"] = [e.to_json() for e in errors]
    return json_response(payload, status, headers)


# -- the route table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # OpenAPI template: /v1/documents/{id}
    handler: str  # GatewayApi method name
    operation_id: str
    summary: str
    description: str
    responses: dict[str, Any]
    parameters: tuple[dict[str, Any], ...] = ()
    request_body: dict[str, Any] | None = None
    public: bool = False  # no token needed

    @property
    def regex(self) -> re.Pattern[str]:
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[0-9]+)", self.path)
        return re.compile(f"^{pattern}$")


def _param(name: str, where: str, description: str, schema: dict[str, Any],
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "description": description, "required": required,
            "schema": schema}


_ID = _param("id", "path", "Lote's id of the document.", {"type": "integer"}, True)
_PROFILE = _param("profile", "query", "Profile name (default: the profile the API serves).",
                  {"type": "string"})
_UNAUTHORIZED = error_response("Missing or wrong bearer token.", "unauthorized")
_NOT_FOUND = error_response("No such document.", "not_found")

ROUTES: tuple[Route, ...] = (
    Route(
        "POST", "/v1/documents", "post_documents", "createDocuments",
        "Validate and queue one or many documents",
        "The same formats as `lote import`: the country's native JSON (one document, an "
        "array, envelopes with an `external_id`, or `{\"documents\": [...]}`), or a CSV/XLSX "
        "file as the body (`documento` column = external id). All or nothing: one invalid "
        "document saves nothing and the 422 answer lists every problem. Answers at once, "
        "online or offline: the documents are QUEUED and sent when the provider answers. "
        "Idempotent: with an `Idempotency-Key` header a repeated request returns the first "
        "response (header `Idempotent-Replayed: true`); a document whose external id the "
        "profile already has is answered with that document (`created: false`, status 200 "
        "when none was new) instead of a second invoice.",
        {
            "201": {"description": "Queued (at least one document is new).",
                    "headers": {"Location": {"schema": {"type": "string"},
                                             "description": "When one document was sent."}},
                    "content": json_content("IntakeResponse",
                                            {"created": openapi.RESPONSE_EXAMPLES["created"]})},
            "200": {"description": "Every document was known already (same external ids).",
                    "content": json_content("IntakeResponse",
                                            {"existing": openapi.RESPONSE_EXAMPLES["existing"]})},
            "400": error_response("The body is not JSON, or an Idempotency-Key is malformed."),
            "401": _UNAUTHORIZED,
            "404": error_response("No such profile."),
            "413": error_response("The body is larger than the limit (16 MiB by default)."),
            "415": error_response("Not JSON, CSV or XLSX."),
            "422": error_response("Invalid documents (nothing saved), or an Idempotency-Key "
                                  "reused for a different request.", "validation"),
        },
        parameters=(
            _PROFILE,
            _param("Idempotency-Key", "header", "Any printable ASCII up to 255 characters; a "
                   "repeated request with the same key returns the first response.",
                   {"type": "string", "maxLength": MAX_KEY_LENGTH}),
        ),
        request_body={
            "required": True,
            "content": {
                JSON: {"schema": openapi.ref("DocumentsRequest"),
                       "examples": openapi.REQUEST_EXAMPLES[JSON]},
                CSV: {"schema": {"type": "string"}, "examples": openapi.REQUEST_EXAMPLES[CSV]},
                XLSX: {"schema": {"type": "string", "contentEncoding": "binary"}},
            },
        },
    ),
    Route(
        "GET", "/v1/documents", "list_documents", "listDocuments",
        "Documents of the profile, changed since a moment",
        "Ordered by last change; `since` (ISO 8601, UTC when it has no offset) keeps those "
        "changed at or after it, `state` filters (comma-separated), `external_id` finds one "
        "sale. Pages of `limit` (≤ 500): pass `next_cursor` back as `cursor`.",
        {"200": {"description": "A page of documents.",
                 "content": json_content("DocumentList", {"list": openapi.RESPONSE_EXAMPLES["list"]})},
         "400": error_response("A malformed parameter."),
         "401": _UNAUTHORIZED,
         "404": error_response("No such profile.")},
        parameters=(
            _param("state", "query", "States, comma-separated.", {"type": "string"}),
            _param("since", "query", "Changed at or after (ISO 8601).", {"type": "string"}),
            _param("external_id", "query", "The POS's id of the sale.", {"type": "string"}),
            _param("cursor", "query", "`next_cursor` of the previous page.", {"type": "string"}),
            _param("limit", "query", "Page size.",
                   {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
            _PROFILE,
        ),
    ),
    Route(
        "GET", "/v1/documents/{id}", "get_document", "getDocument",
        "One document with its history",
        "State, number, CDC/CUF/CAE, the provider's code and message, and every state "
        "change (the audit trail).",
        {"200": {"description": "The document.",
                 "content": json_content("Document", {"document": openapi.RESPONSE_EXAMPLES["document"]})},
         "401": _UNAUTHORIZED, "404": _NOT_FOUND},
        parameters=(_ID,),
    ),
    Route(
        "GET", "/v1/documents/{id}/pdf", "get_pdf", "getDocumentPdf",
        "The printed document (KuDE / invoice) as PDF",
        "The same PDF as «Guardar PDF» in the window; a document not approved yet carries a "
        "visible band saying so. A4 or 80 mm ticket as set in Lote's settings.",
        {"200": {"description": "The PDF.",
                 "content": {PDF: {"schema": {"type": "string", "contentEncoding": "binary"}}}},
         "401": _UNAUTHORIZED, "404": _NOT_FOUND,
         "503": error_response("This Lote cannot print now (no printing in this mode, or "
                               "the main thread is busy).")},
        parameters=(_ID,),
    ),
    Route(
        "POST", "/v1/documents/{id}/cancel", "cancel_document", "cancelDocument",
        "Ask for the cancellation of an approved document",
        "Moves an APPROVED document to CANCEL_REQUESTED with an audit event (the reason "
        "goes into it) and answers 202 with the document. Sending the cancellation event to "
        "the provider is not implemented by the provider adapters yet: the document stays "
        "CANCEL_REQUESTED until it is; a result file is written when it becomes CANCELLED. "
        "Asking again is harmless (202). Other states answer 409.",
        {"202": {"description": "Cancellation requested (or already requested/done).",
                 "content": json_content("Document", {"cancel": openapi.RESPONSE_EXAMPLES["cancel"]})},
         "400": error_response("The body is not a CancelRequest."),
         "401": _UNAUTHORIZED, "404": _NOT_FOUND,
         "409": error_response("The document is not approved (yet).")},
        parameters=(_ID,),
        request_body={"required": False, "content": json_content("CancelRequest")},
    ),
    Route(
        "GET", "/v1/health", "health", "health",
        "Online or offline, and how many documents wait",
        "`online` is the truth of the last request to the provider (not the network "
        "adapter's opinion); `queue_size` counts documents waiting to be sent or for a "
        "result.",
        {"200": {"description": "Lote answers.",
                 "content": json_content("Health", {"health": openapi.RESPONSE_EXAMPLES["health"]})},
         "401": _UNAUTHORIZED,
         "404": error_response("No such profile.")},
        parameters=(_PROFILE,),
    ),
    Route(
        "GET", "/v1/openapi.json", "openapi", "openapi",
        "This document", "The OpenAPI 3.1 description of the API (no token needed).",
        {"200": {"description": "OpenAPI 3.1 JSON.", "content": {JSON: {"schema": {"type": "object"}}}}},
        public=True,
    ),
)


def match(method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
    """(route, path params, methods allowed on the path)."""
    allowed: list[str] = []
    for route in ROUTES:
        m = route.regex.match(path)
        if m is None:
            continue
        allowed.append(route.method)
        if route.method == method:
            return route, m.groupdict(), allowed
    return None, {}, allowed


# -- the handlers -------------------------------------------------------------------------------


def document_view(row: DocumentRow) -> dict[str, Any]:
    out = row.to_json()
    out["external_id"] = row.external_ref
    out["final"] = row.state in FINAL_VALUES
    return out


class GatewayApi:
    def __init__(
        self,
        db: Database,
        intake: Intake,
        *,
        profile_id: int,
        pdf_renderer: Callable[[int], Path] | None = None,
        on_intake: Callable[[list[int]], None] | None = None,
        is_sender: Callable[[], bool | None] | None = None,
        temp_dir: Path | None = None,
    ) -> None:
        """`pdf_renderer` is called from the server's threads: the host hands in one that
        runs on its Qt main thread (`MainThreadCalls.proxy`). `on_intake(ids)` is told
        of documents taken in (to wake the sender); it must be thread-safe."""
        self.db = db
        self.intake = intake
        self.profile_id = profile_id
        self.pdf_renderer = pdf_renderer
        self.on_intake = on_intake
        self.is_sender = is_sender
        self.temp_dir = temp_dir
        self._openapi: bytes | None = None

    def dispatch(self, request: ApiRequest) -> ApiResponse:
        route, params, allowed = match(request.method, request.path)
        if route is None:
            if allowed:
                return problem(405, "method_not_allowed", f"Use {', '.join(allowed)}.",
                               headers={"Allow": ", ".join(allowed)})
            return problem(404, "not_found", f"No existe {request.path}.")
        request = ApiRequest(request.method, request.path, request.query, request.headers,
                             request.body, params)
        handler: Callable[[ApiRequest], ApiResponse] = getattr(self, route.handler)
        return handler(request)

    # -- helpers ---------------------------------------------------------------------------
    def _profile_of(self, request: ApiRequest) -> ProviderProfile | None:
        name = request.query.get("profile")
        if name:
            return get_profile(self.db, name)
        with self.db.session() as s:
            return s.get(ProviderProfile, self.profile_id)

    def _row(self, request: ApiRequest) -> DocumentRow | None:
        doc_id = int(request.params["id"])
        return rows_by_ids(self.db, [doc_id]).get(doc_id)

    # -- POST /v1/documents ------------------------------------------------------------------
    def post_documents(self, request: ApiRequest) -> ApiResponse:
        profile = self._profile_of(request)
        if profile is None or profile.id is None:
            return problem(404, "not_found", f"No existe el perfil {request.query.get('profile')}.")
        key = request.header("idempotency-key")
        if key is not None and not _KEY_RE.fullmatch(key):
            return problem(400, "bad_request", "Idempotency-Key: hasta 255 caracteres ASCII "
                           "visibles, sin espacios.")
        kind = request.content_type
        if kind in (JSON, "") or kind.endswith("+json"):
            try:
                data = json.loads(request.body.decode("utf-8-sig"))
            except (UnicodeDecodeError, ValueError) as exc:
                return problem(400, "bad_request", f"El cuerpo no es JSON válido: {exc}.")
            items, errors = json_items(data)
        elif kind in (CSV, XLSX, "application/csv"):
            items, errors = self._sheet(request.body, ".xlsx" if kind == XLSX else ".csv",
                                        profile.country)
        else:
            return problem(415, "unsupported_media_type",
                           f"Content-Type «{kind}» no admitido: use {JSON}, {CSV} o {XLSX}.")
        if errors:
            return _invalid(errors)
        try:
            outcome = self.intake.submit(
                profile.id, items, source="api", idempotency_key=key,
                request_digest=request_hash(request.body, kind) if key else None)
        except ProfileNotFound:
            return problem(404, "not_found", "El perfil ya no existe.")
        return self._answer(outcome)

    def _sheet(self, body: bytes, suffix: str, country: str
               ) -> tuple[list[Incoming], list[GatewayError]]:
        with tempfile.TemporaryDirectory(dir=self.temp_dir, prefix="lote-api-") as folder:
            path = Path(folder) / f"solicitud{suffix}"
            path.write_bytes(body)
            return sheet_items(path, country)

    def _answer(self, outcome: IntakeOutcome) -> ApiResponse:
        if outcome.replay is not None:
            return ApiResponse(outcome.replay.status, outcome.replay.body.encode("utf-8"),
                               headers={"Idempotent-Replayed": "true"})
        if outcome.key_reused:
            return problem(422, "idempotency_key_reused",
                           "Esta Idempotency-Key ya se usó para otra solicitud distinta.")
        if outcome.errors:
            return _invalid(outcome.errors)
        ids = [d.id for d in outcome.documents]
        if self.on_intake is not None:
            self.on_intake(ids)
        headers = {"Location": f"/v1/documents/{ids[0]}"} if len(ids) == 1 else {}
        return json_response(outcome.to_json(), outcome.status, headers)

    # -- GET /v1/documents/{id} ------------------------------------------------------------------
    def get_document(self, request: ApiRequest) -> ApiResponse:
        row = self._row(request)
        if row is None:
            return problem(404, "not_found", f"No existe el documento {request.params['id']}.")
        out = document_view(row)
        out["events"] = [{"at": e.at.isoformat(timespec="seconds"), "from": e.from_state,
                          "to": e.to_state, "actor": e.actor, "code": e.code,
                          "message": e.message} for e in document_events(self.db, row.id)]
        return json_response(out)

    # -- GET /v1/documents --------------------------------------------------------------------
    def list_documents(self, request: ApiRequest) -> ApiResponse:
        profile = self._profile_of(request)
        if profile is None:
            return problem(404, "not_found", f"No existe el perfil {request.query.get('profile')}.")
        q = request.query
        try:
            limit = int(q.get("limit") or DEFAULT_LIMIT)
            if not 1 <= limit <= MAX_LIMIT:
                raise ValueError
        except ValueError:
            return problem(400, "bad_request", f"limit: un número de 1 a {MAX_LIMIT}.")
        stmt = select(Document.id, Document.updated_at).where(Document.profile_id == profile.id)
        if q.get("state"):
            states = [s.strip().upper() for s in q["state"].split(",") if s.strip()]
            unknown = [s for s in states if s not in openapi.STATES]
            if unknown:
                return problem(400, "bad_request", f"state: desconocido {', '.join(unknown)}.")
            stmt = stmt.where(col(Document.state).in_(states))
        if q.get("external_id"):
            stmt = stmt.where(Document.external_ref == q["external_id"])
        if q.get("since"):
            since = _parse_time(q["since"])
            if since is None:
                return problem(400, "bad_request", "since: una fecha y hora ISO 8601.")
            stmt = stmt.where(col(Document.updated_at) >= since)
        if q.get("cursor"):
            after = _read_cursor(q["cursor"])
            if after is None:
                return problem(400, "bad_request", "cursor: no es un cursor de esta API.")
            stamp, last_id = after
            stmt = stmt.where(or_(col(Document.updated_at) > stamp,
                                  and_(col(Document.updated_at) == stamp,
                                       col(Document.id) > last_id)))
        stmt = stmt.order_by(col(Document.updated_at), col(Document.id)).limit(limit + 1)
        with self.db.session() as s:
            found = [(int(doc_id or 0), stamp) for doc_id, stamp in s.exec(stmt)]
        page = found[:limit]
        rows = rows_by_ids(self.db, [doc_id for doc_id, _ in page])
        cursor = _make_cursor(page[-1][0], page[-1][1]) if len(found) > limit else None
        return json_response({"documents": [document_view(rows[i]) for i, _ in page if i in rows],
                              "next_cursor": cursor})

    # -- GET /v1/documents/{id}/pdf ---------------------------------------------------------------
    def get_pdf(self, request: ApiRequest) -> ApiResponse:
        row = self._row(request)
        if row is None:
            return problem(404, "not_found", f"No existe el documento {request.params['id']}.")
        if self.pdf_renderer is None:
            return problem(503, "pdf_unavailable", "Este Lote no imprime en este modo.")
        try:
            path = self.pdf_renderer(row.id)
            data = Path(path).read_bytes()
        except MainThreadBusy:
            return problem(503, "pdf_unavailable", "Lote está ocupado; intente de nuevo.",
                           headers={"Retry-After": "5"})
        except Exception as exc:  # Qt missing or the printer code failing: say so calmly
            log.exception("api: printing document %s failed", row.id)
            return problem(503, "pdf_unavailable", f"No se pudo generar el PDF: {exc}")
        return ApiResponse(200, data, PDF, {
            "Content-Disposition": f'inline; filename="{row.external_ref or row.id}.pdf"'})

    # -- POST /v1/documents/{id}/cancel ----------------------------------------------------------
    def cancel_document(self, request: ApiRequest) -> ApiResponse:
        motivo = ""
        if request.body.strip():
            try:
                data = json.loads(request.body)
            except ValueError:
                return problem(400, "bad_request", "El cuerpo no es JSON válido.")
            if not isinstance(data, dict) or set(data) - {"motivo"} or \
                    not isinstance(data.get("motivo", ""), str) or len(data.get("motivo", "")) > 500:
                return problem(400, "bad_request", "Se espera {\"motivo\": \"...\"} (hasta 500 caracteres).")
            motivo = data.get("motivo", "").strip()
        doc_id = int(request.params["id"])
        with self.db.write() as s:
            doc = s.get(Document, doc_id)
            if doc is None:
                return problem(404, "not_found", f"No existe el documento {doc_id}.")
            if doc.state in CANCELLABLE:
                message = "Anulación pedida por el sistema de caja" + (f": {motivo}" if motivo else "")
                transition(s, doc, DocState.CANCEL_REQUESTED, actor=ACTOR_API, message=message)
            elif doc.state not in (DocState.CANCEL_REQUESTED.value, DocState.CANCELLED.value):
                return problem(409, "invalid_state",
                               f"Solo se anula un documento aprobado; este está en {doc.state}.")
        row = rows_by_ids(self.db, [doc_id])[doc_id]
        return json_response(document_view(row), 202)

    # -- GET /v1/health -------------------------------------------------------------------------
    def health(self, request: ApiRequest) -> ApiResponse:
        profile = self._profile_of(request)
        if profile is None:
            return problem(404, "not_found", f"No existe el perfil {request.query.get('profile')}.")
        pending = [s.value for s in PENDING_STATES]
        with self.db.session() as s:
            states = dict(s.exec(select(Document.state, func.count())
                                 .where(Document.profile_id == profile.id)
                                 .group_by(Document.state)).all())
            attention = s.exec(select(func.count()).select_from(Document).where(
                Document.profile_id == profile.id, col(Document.attention).is_(True),
                col(Document.state).in_(pending))).one()
        return json_response({
            "status": "ok",
            "version": __version__,
            "profile": profile.name,
            "country": profile.country,
            "online": profile.online,
            "last_sync_at": profile.last_sync_at.isoformat(timespec="seconds")
            if profile.last_sync_at else None,
            "last_error": profile.last_error,
            "queue_size": sum(n for state, n in states.items() if state in pending) - attention,
            "attention": attention,
            "states": states,
            "sender": self.is_sender() if self.is_sender else None,
        })

    # -- GET /v1/openapi.json --------------------------------------------------------------------
    def openapi(self, request: ApiRequest) -> ApiResponse:
        if self._openapi is None:
            self._openapi = json.dumps(openapi.build_document(ROUTES), ensure_ascii=False,
                                       indent=1).encode("utf-8")
        return ApiResponse(200, self._openapi)


def _invalid(errors: list[GatewayError]) -> ApiResponse:
    return problem(422, "validation", f"Nada se guardó: {len(errors)} problema(s).", errors=errors)


def _parse_time(text: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _make_cursor(doc_id: int, stamp: datetime) -> str:
    raw = f"{stamp.astimezone(UTC).isoformat()}|{doc_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_cursor(text: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
        stamp, doc_id = raw.rsplit("|", 1)
        return datetime.fromisoformat(stamp), int(doc_id)
    except (ValueError, UnicodeDecodeError):
        return None
