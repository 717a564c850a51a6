"""The pages of the review app. Each handler checks the session, the role and the
organisation scope (404 outside it), calls the review library and renders a template."""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from weerbaar.errors import AccessDenied, WeerbaarError
from weerbaar.ingest.pageimage import PageImageError, cached_page_png, may_render
from weerbaar.review import (
    export_decisions,
    import_decisions,
)
from weerbaar.review.views import overview_view
from weerbaar.settings import load_settings
from weerbaar.store import decisions as q
from weerbaar.web.accounts import Session, login, login_throttled, logout, record_failure
from weerbaar.web.deps import (
    LOGIN_COOKIE,
    MEASURE_RE,
    PAGE_SIZE,
    SESSION_COOKIE,
    check_origin,
    checked_form,
    content_disposition,
    page_no,
    parse_id,
    read_form,
    render,
    require_admin,
    require_session,
    safe_next,
    scope,
    state,
    valid_measure,
    visible_org,
)
from weerbaar.web.security import FILE_CSP

router = APIRouter()

# Older names, still imported by other route modules.
_valid_measure = valid_measure
_visible_org = visible_org
_scope = scope


# --------------------------------------------------------------------------- login
@router.get("/inloggen")
def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        login_token=token,
        volgende=safe_next(request.query_params.get("volgende")),
        error=None,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",  # served over HTTPS (also via a proxy)
        path="/inloggen",
        max_age=3600,
    )
    return response


@router.post("/inloggen")
async def login_submit(request: Request) -> Response:
    check_origin(request)
    form = await read_form(request)
    cookie = request.cookies.get(LOGIN_COOKIE) or ""
    token = form.get("login_token")
    if not cookie or not isinstance(token, str) or not secrets.compare_digest(cookie, token):
        raise HTTPException(403, "Het inlogformulier is verlopen. Laad de pagina opnieuw.")
    name = str(form.get("gebruiker") or "")[:100]
    password = str(form.get("wachtwoord") or "")[:1000]
    target = safe_next(str(form.get("volgende") or "/"))
    ws = state(request).ws
    key = name.strip().lower()
    client = request.client.host if request.client else ""
    throttled = await run_in_threadpool(login_throttled, ws, key, client)
    if throttled:
        return render(
            request,
            "login.html",
            status_code=429,
            login_token=cookie,
            volgende=target,
            error=throttled,
            gebruiker=name,
        )
    try:  # Argon2 off the event loop (and at most a few at once, see accounts.login)
        session = await run_in_threadpool(login, ws, name, password)
    except AccessDenied as exc:
        await run_in_threadpool(record_failure, ws, key, client)
        return render(
            request,
            "login.html",
            status_code=401,
            login_token=cookie,
            volgende=target,
            error=str(exc),
            gebruiker=name,
        )
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",  # served over HTTPS (also via a proxy)
        path="/",
        max_age=load_settings().session_hours * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/inloggen")
    return response


@router.post("/uitloggen")
async def logout_submit(request: Request, session: Session = Depends(require_session)) -> Response:
    await checked_form(request, session)
    await run_in_threadpool(logout, state(request).ws, session.token)
    response = RedirectResponse("/inloggen", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --------------------------------------------------------------------------- overview
@router.get("/")
def overview(request: Request, session: Session = Depends(require_session)) -> Response:
    scope = _scope(session)
    chosen = request.query_params.get("organisatie") or None
    if chosen:
        _visible_org(session, chosen)
    view = overview_view(state(request).ws, organisations=scope, chosen=chosen)
    return render(
        request,
        "overview.html",
        orgs=[(t["organisation_code"], t) for t in view.organisations],
        chosen=view.chosen,
        measures=view.measures,
    )


# --------------------------------------------------------------------------- sources
def _document(request: Request, session: Session, raw_id: str) -> dict[str, Any]:
    doc_id = parse_id(raw_id)
    with state(request).ws.read() as conn:
        doc = q.get_document(conn, doc_id)
    if doc is None or not session.user.may_see(doc["organisation_code"]):
        raise HTTPException(404)
    return doc


def _stored_file(request: Request, doc: dict[str, Any]) -> Path | None:
    rel = doc.get("stored_path")
    if not rel:
        return None
    root = state(request).ws.root.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def _is_pdf(path: Path | None) -> bool:
    if path is None:
        return False
    with path.open("rb") as fh:
        return fh.read(5) == b"%PDF-"


@router.get("/bron/{document_id}/pagina/{page_no}")
def source_page(
    request: Request, document_id: str, page_no: str, session: Session = Depends(require_session)
) -> Response:
    doc = _document(request, session, document_id)
    n = parse_id(page_no)
    with state(request).ws.read() as conn:
        rows = q.document_pages(conn, doc["id"], n, n)
        passage = None
        raw = request.query_params.get("passage", "")
        if raw.isdigit():
            passage = q.get_passage(conn, int(raw))
    if not rows:
        raise HTTPException(404)
    page = rows[0]
    text = page["text"]
    parts = (text, "", "")
    if passage is not None and passage["document_id"] == doc["id"]:
        start = max(0, passage["char_start"] - page["doc_start"])
        end = min(len(text), passage["char_end"] - page["doc_start"])
        if start < end:
            parts = (text[:start], text[start:end], text[end:])
    path = _stored_file(request, doc)
    return render(
        request,
        "source.html",
        doc=doc,
        page_no=n,
        parts=parts,
        is_pdf=_is_pdf(path),
        has_file=path is not None,
        passage=passage if parts[1] else None,
    )


@router.get("/bron/{document_id}/pagina/{page_no}/afbeelding.png")
def source_page_image(
    request: Request, document_id: str, page_no: str, session: Session = Depends(require_session)
) -> Response:
    doc = _document(request, session, document_id)
    n = parse_id(page_no)
    if not may_render(doc.get("status")) or (doc.get("pages") and n > doc["pages"]):
        raise HTTPException(404)
    path = _stored_file(request, doc)
    if not _is_pdf(path) or n < 1:
        raise HTTPException(404)
    assert path is not None
    try:
        png = cached_page_png(path, n - 1, load_settings())
    except PageImageError as exc:
        if exc.missing:
            raise HTTPException(404) from exc
        raise HTTPException(503 if exc.busy else 422, str(exc)) from exc
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=600"})


@router.get("/bron/{document_id}/bestand")
def source_file(
    request: Request, document_id: str, session: Session = Depends(require_session)
) -> Response:
    doc = _document(request, session, document_id)
    path = _stored_file(request, doc)
    if path is None:
        raise HTTPException(404)
    pdf = _is_pdf(path)
    suffix = ".pdf" if pdf else (path.suffix.lower()[:8] if path.suffix else "")
    name = f"{doc.get('title') or 'document'}{suffix}"
    headers = {
        "Content-Disposition": content_disposition("inline" if pdf else "attachment", name),
        "Content-Security-Policy": FILE_CSP
        if not pdf
        else "default-src 'none'; frame-ancestors 'none'",
        "Cache-Control": "private, no-store",
    }
    media = "application/pdf" if pdf else "application/octet-stream"
    return FileResponse(path, media_type=media, headers=headers)


# --------------------------------------------------------------------------- audit
@router.get("/logboek")
def audit_page(request: Request, session: Session = Depends(require_session)) -> Response:
    page = page_no(request)
    measure = request.query_params.get("maatregel") or None
    if measure is not None and not MEASURE_RE.match(measure):
        measure = None
    reviewer = (request.query_params.get("beoordelaar") or "")[:100] or None
    with state(request).ws.read() as conn:
        rows = q.list_log(
            conn,
            organisations=_scope(session),
            measure_id=measure,
            reviewer=reviewer,
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
    return render(
        request,
        "audit.html",
        rows=rows[:PAGE_SIZE],
        has_more=len(rows) > PAGE_SIZE,
        page=page,
        measure=measure or "",
        reviewer=reviewer or "",
    )


# --------------------------------------------------------------------------- transfer
@router.get("/beslissingen")
def transfer_page(request: Request, session: Session = Depends(require_session)) -> Response:
    require_admin(session)
    return render(request, "transfer.html", report=None, error=None)


@router.get("/beslissingen/export.{fmt}")
def export_file(
    request: Request, fmt: str, session: Session = Depends(require_session)
) -> Response:
    require_admin(session)
    if fmt not in ("json", "csv"):
        raise HTTPException(404)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"beslissingen.{fmt}"
        export_decisions(state(request).ws, out, fmt, organisation=_scope(session))
        data = out.read_bytes()
    media = "application/json" if fmt == "json" else "text/csv; charset=utf-8"
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": content_disposition("attachment", f"beslissingen.{fmt}")},
    )


@router.post("/beslissingen/import")
async def import_file(request: Request, session: Session = Depends(require_session)) -> Response:
    check_origin(request)
    try:
        form = await request.form(max_fields=10, max_files=1, max_part_size=64 * 1024)
    except Exception as exc:
        raise HTTPException(400, "Het formulier kan niet worden gelezen.") from exc
    token = form.get("csrf_token")
    if not isinstance(token, str) or not secrets.compare_digest(token, session.csrf_token):
        raise HTTPException(403, "Het formulier is verlopen of ongeldig. Laad de pagina opnieuw.")
    require_admin(session)
    upload = form.get("bestand")
    if upload is None or isinstance(upload, str):
        return render(
            request,
            "transfer.html",
            status_code=400,
            report=None,
            error="Kies een bestand (JSON of CSV).",
        )
    name = (upload.filename or "").lower()
    fmt = "csv" if name.endswith(".csv") else "json" if name.endswith(".json") else None
    if fmt is None:
        return render(
            request,
            "transfer.html",
            status_code=400,
            report=None,
            error="Alleen .json- en .csv-bestanden kunnen worden ingelezen.",
        )
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        return render(
            request,
            "transfer.html",
            status_code=400,
            report=None,
            error=f"Het bestand is te groot (meer dan {MAX_IMPORT_BYTES // 1_000_000} MB).",
        )
    try:
        report = await run_in_threadpool(
            _import_bytes, request, session, data, fmt, upload.filename or f"import.{fmt}"
        )
    except WeerbaarError as exc:
        return render(request, "transfer.html", status_code=400, report=None, error=str(exc))
    return render(request, "transfer.html", report=report, error=None)


MAX_IMPORT_BYTES = 5_000_000  # a decision import file


def _import_bytes(request: Request, session: Session, data: bytes, fmt: str, name: str) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"import.{fmt}"
        path.write_bytes(data)
        try:
            return import_decisions(
                state(request).ws,
                path,
                fmt,
                organisations=_scope(session),
                importer=session.user.name,
            )
        except WeerbaarError as exc:
            raise WeerbaarError(str(exc).replace(str(path), name[:100])) from None


@router.get("/thema.css")
def theme_css(request: Request) -> Response:
    """The organisation's own design-token CSS, when configured."""
    path = state(request).theme_css
    if path is None:
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type="text/css; charset=utf-8")
