"""The pages of the review app. Each handler checks the session, the role and the
organisation scope (404 outside it), calls the review library and renders a template."""

from __future__ import annotations

import math
import re
import secrets
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from weerbaar.errors import AccessDenied, WeerbaarError
from weerbaar.ingest.pageimage import PageImageError, may_render, render_page_png
from weerbaar.review import (
    STAGES,
    ReviewError,
    agreement,
    export_decisions,
    import_decisions,
    record_decision,
    undo_last,
)
from weerbaar.review.core import text_at_offsets_matches
from weerbaar.review.progress import queue_progress
from weerbaar.settings import load_settings
from weerbaar.store import decisions as q
from weerbaar.web.accounts import Session, login, logout
from weerbaar.web.app import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    catalog,
    check_origin,
    checked_form,
    is_local,
    read_form,
    render,
    require_session,
    state,
)
from weerbaar.web.security import FILE_CSP

router = APIRouter()

MEASURE_RE = re.compile(r"^[0-9]{1,2}(\.[0-9]{1,2}){0,2}$")
ORG_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
PAGE_SIZE = 50
MAX_DISAGREEMENTS = 100


def _measure_key(mid: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in mid.split("."))


def _scope(session: Session) -> list[str] | None:
    orgs = session.user.organisations
    return list(orgs) if orgs is not None else None


def _visible_org(session: Session, code: str) -> str:
    if not ORG_RE.match(code) or not session.user.may_see(code):
        raise HTTPException(404)
    return code


def _valid_measure(measure_id: str | None) -> str:
    """A measure id of the catalogue (any well-formed id when no catalogue loads)."""
    if not measure_id or not MEASURE_RE.match(measure_id):
        raise HTTPException(404)
    cat = catalog()
    if cat is not None:
        try:
            cat.measure(measure_id)
        except WeerbaarError as exc:
            raise HTTPException(404) from exc
    return measure_id


def _require_reviewer(session: Session) -> None:
    if not session.user.can_review:
        raise HTTPException(403, "Uw rol (lezer) mag geen beslissingen vastleggen.")


def _require_admin(session: Session) -> None:
    if not session.user.is_admin:
        raise HTTPException(403, "Alleen een beheerder mag dit.")


def _page_no(request: Request) -> int:
    try:
        return max(1, min(100_000, int(request.query_params.get("pagina", "1"))))
    except ValueError:
        return 1


# --------------------------------------------------------------------------- login
def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/inloggen")
def login_page(request: Request) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        login_token=token,
        volgende=_safe_next(request.query_params.get("volgende")),
        error=None,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=not is_local(request),
        path="/inloggen",
        max_age=3600,
    )
    return response


MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW_S = 15 * 60
_failed_lock = threading.Lock()


def _too_many_failures(request: Request, name: str) -> bool:
    failures = state(request).failed_logins
    now = time.monotonic()
    with _failed_lock:
        recent = [t for t in failures.get(name, []) if now - t < FAILED_LOGIN_WINDOW_S]
        failures[name] = recent
        return len(recent) >= MAX_FAILED_LOGINS


def _record_failure(request: Request, name: str) -> None:
    with _failed_lock:
        state(request).failed_logins.setdefault(name, []).append(time.monotonic())


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
    target = _safe_next(str(form.get("volgende") or "/"))
    ws = state(request).ws
    key = name.strip().lower()
    if _too_many_failures(request, key):
        return render(
            request,
            "login.html",
            status_code=429,
            login_token=cookie,
            volgende=target,
            error="Te vaak een onjuist wachtwoord voor deze gebruiker. Probeer het over een "
            "kwartier opnieuw.",
            gebruiker=name,
        )
    try:
        session = login(ws, name, password)
    except AccessDenied as exc:
        _record_failure(request, key)
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
        secure=not is_local(request),
        path="/",
        max_age=load_settings().session_hours * 3600,
    )
    response.delete_cookie(LOGIN_COOKIE, path="/inloggen")
    return response


@router.post("/uitloggen")
async def logout_submit(request: Request, session: Session = Depends(require_session)) -> Response:
    await checked_form(request, session)
    logout(state(request).ws, session.token)
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
    with state(request).ws.read() as conn:
        totals = q.organisation_counts(conn, organisations=scope)
        if chosen is None and len(totals) == 1:
            chosen = totals[0]["organisation_code"]
        measures = q.queue_counts(conn, organisations=[chosen]) if chosen is not None else []
    measures.sort(key=lambda r: _measure_key(r["measure_id"]))
    return render(
        request,
        "overview.html",
        orgs=[(t["organisation_code"], t) for t in totals],
        chosen=chosen,
        measures=measures,
    )


# --------------------------------------------------------------------------- queue
@router.get("/wachtrij/{organisation}/{measure_id}")
def queue_page(
    request: Request,
    organisation: str,
    measure_id: str,
    session: Session = Depends(require_session),
) -> Response:
    _visible_org(session, organisation)
    _valid_measure(measure_id)
    page = _page_no(request)
    ws = state(request).ws
    progress = queue_progress(
        ws,
        organisation=organisation,
        measure_id=measure_id,
        reranker=state(request).reranker.estimate(organisation, measure_id),
    )
    with ws.read() as conn:
        items = q.queue(
            conn,
            organisation=organisation,
            measure_id=measure_id,
            reviewer=session.user.name,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
        next_id = q.next_in_queue(
            conn, organisation=organisation, measure_id=measure_id, reviewer=session.user.name
        )
    pages = max(1, math.ceil(progress.total / PAGE_SIZE))
    return render(
        request,
        "queue.html",
        organisation=organisation,
        measure_id=measure_id,
        items=items,
        progress=progress,
        next_id=next_id,
        page=page,
        pages=pages,
        done=request.query_params.get("klaar") == "1",
    )


# --------------------------------------------------------------------------- passage
_stage_ready = threading.Event()
_stage_warming = threading.Lock()


def _warm_stage_model() -> None:
    """Train/load the stage classifier once, in the background (it takes seconds)."""
    if not _stage_warming.acquire(blocking=False):
        return

    def run() -> None:
        try:
            from weerbaar.assess.stage import suggest_stage

            suggest_stage("De gemeente stelt een plan op.")
        except Exception:  # no classifier: cue words only
            pass
        finally:
            _stage_ready.set()

    threading.Thread(target=run, daemon=True, name="weerbaar-stage-warmup").start()


def _suggest_stage(request: Request, text: str) -> str | None:
    """A suggested stage for a passage: the assess package's classifier when it is
    loaded, its fast cue-word rule until then (a page view never waits for training)."""
    try:
        from weerbaar.assess import stage as stage_mod
    except ImportError:
        return None
    try:
        if _stage_ready.is_set():
            stage, _ = stage_mod.suggest_stage(text)
        else:
            if state(request).stage_model:
                _warm_stage_model()
            stage, _ = stage_mod.cue_stage(text)
    except Exception:
        return None
    return stage if stage in STAGES else None


def _passage_context(
    request: Request, session: Session, passage_id: int, measure_id: str | None
) -> dict[str, Any]:
    ws = state(request).ws
    with ws.read() as conn:
        passage = q.get_passage(conn, passage_id)
        if passage is None or not session.user.may_see(passage["organisation_code"]):
            raise HTTPException(404)
        if measure_id is None:
            cand = q.any_candidate(conn, passage_id=passage_id)
            if cand is None:
                raise HTTPException(404)
            measure_id = cand["measure_id"]
        _valid_measure(measure_id)
        cand = q.candidate_for(conn, passage_id=passage_id, measure_id=measure_id)
        version = cand["catalog_version"] if cand else None
        neighbours = q.neighbour_passages(
            conn, document_id=passage["document_id"], seq=passage["seq"], before=1, after=1
        )
        pages = q.document_pages(
            conn, passage["document_id"], passage["page_start"], passage["page_end"]
        )
        mine = None
        if version is not None:
            mine = q.get_decision(
                conn,
                passage_id=passage_id,
                catalog_version=version,
                measure_id=measure_id,
                reviewer=session.user.name,
            )
        else:
            found = q.query_decisions(
                conn, passage_id=passage_id, measure_id=measure_id, reviewer=session.user.name
            )
            mine = found[0] if found else None
        org = passage["organisation_code"]
        position = None
        if cand is not None:
            position = {
                "rank": cand["rank"],
                "next": q.next_in_queue(
                    conn,
                    organisation=org,
                    measure_id=measure_id,
                    reviewer=session.user.name,
                    after_rank=cand["rank"],
                ),
            }
    source_ok = text_at_offsets_matches(passage, pages)
    suggested = (cand or {}).get("stage_suggested") or _suggest_stage(request, passage["text"])
    cat = catalog()
    aspects: list[Any] = []
    measures: list[Any] = []
    description = None
    if cat is not None:
        measures = list(cat.measures)
        try:
            aspects = list(cat.measure(measure_id).aspects)
            description = cat.measure(measure_id).description
        except Exception:
            aspects = []
    from weerbaar.store.official import official_text

    official = official_text(ws, measure_id, cat.version if cat is not None else None)
    before = [n for n in neighbours if n["seq"] < passage["seq"]]
    after = [n for n in neighbours if n["seq"] > passage["seq"]]
    progress = None
    if cand:
        progress = queue_progress(
            ws,
            organisation=org,
            measure_id=measure_id,
            reranker=state(request).reranker.estimate(org, measure_id),
        )
    return {
        "passage": passage,
        "measure_id": measure_id,
        "before": before,
        "after": after,
        "source_ok": source_ok,
        "suggested_stage": suggested,
        "aspects": aspects,
        "measures": measures,
        "measure_description": description,
        "official_text": official,
        "mine": mine,
        "position": position,
        "progress": progress,
        "stages": STAGES,
        "error": None,
        "saved": request.query_params.get("opgeslagen") == "1",
        "undone": request.query_params.get("ongedaan") == "1",
    }


def _passage_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 12:
        raise HTTPException(404)
    return int(raw)


@router.get("/passage/{passage_id}")
def passage_page(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    pid = _passage_id(passage_id)
    measure = request.query_params.get("maatregel") or None
    return render(request, "passage.html", **_passage_context(request, session, pid, measure))


def _bool_field(value: Any) -> bool | None:
    return {"ja": True, "nee": False}.get(str(value or ""))


@router.post("/passage/{passage_id}/beslissing")
async def decision_submit(
    request: Request, passage_id: str, session: Session = Depends(require_session)
) -> Response:
    form = await checked_form(request, session)
    pid = _passage_id(passage_id)
    measure = _valid_measure(str(form.get("maatregel") or ""))
    ws = state(request).ws
    with ws.read() as conn:
        org = q.passage_organisation(conn, pid)
    if org is None or not session.user.may_see(org):
        raise HTTPException(404)
    _require_reviewer(session)
    relevant = str(form.get("relevant") or "")
    other = str(form.get("andere_maatregel") or "") or None
    stage = str(form.get("fase") or "") or None
    try:
        if other is not None and relevant == "andere":
            _valid_measure(other)
        record_decision(
            ws,
            reviewer=session.user.name,
            passage_id=pid,
            measure_id=measure,
            relevant=relevant,
            other_measure_id=other if relevant == "andere" else None,
            source_ok=_bool_field(form.get("juist")),
            context_ok=_bool_field(form.get("context")),
            stage=stage,
            aspects=[str(a)[:32] for a in form.getlist("aspect")][:50],
            comment=str(form.get("opmerking") or "")[:4000],
        )
    except (ReviewError, HTTPException) as exc:
        ctx = _passage_context(request, session, pid, measure)
        ctx["error"] = exc.detail if isinstance(exc, HTTPException) else str(exc)
        if isinstance(exc, HTTPException):
            ctx["error"] = "Kies een geldige andere maatregel."
        return render(request, "passage.html", status_code=400, **ctx)
    state(request).reranker.request(org, measure)
    with ws.read() as conn:
        nxt = q.next_in_queue(
            conn, organisation=org, measure_id=measure, reviewer=session.user.name
        )
    if nxt is None:
        return RedirectResponse(f"/wachtrij/{org}/{measure}?klaar=1", status_code=303)
    return RedirectResponse(f"/passage/{nxt}?maatregel={measure}&opgeslagen=1", status_code=303)


@router.post("/ongedaan")
async def undo_submit(request: Request, session: Session = Depends(require_session)) -> Response:
    await checked_form(request, session)
    _require_reviewer(session)
    undone = undo_last(state(request).ws, session.user.name)
    if undone is None:
        return RedirectResponse("/?niets_ongedaan=1", status_code=303)
    return RedirectResponse(
        f"/passage/{undone['passage_id']}?maatregel={undone['measure_id']}&ongedaan=1",
        status_code=303,
    )


# --------------------------------------------------------------------------- sources
def _document(request: Request, session: Session, raw_id: str) -> dict[str, Any]:
    doc_id = _passage_id(raw_id)
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
    n = _passage_id(page_no)
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


@lru_cache(maxsize=32)
def _render_png(path: str, mtime: float, page_index: int) -> bytes:
    """A page image, drawn in a limited child process (never in the web process)."""
    return render_page_png(Path(path), page_index, load_settings())


@router.get("/bron/{document_id}/pagina/{page_no}/afbeelding.png")
def source_page_image(
    request: Request, document_id: str, page_no: str, session: Session = Depends(require_session)
) -> Response:
    doc = _document(request, session, document_id)
    n = _passage_id(page_no)
    if not may_render(doc.get("status")) or (doc.get("pages") and n > doc["pages"]):
        raise HTTPException(404)
    path = _stored_file(request, doc)
    if not _is_pdf(path) or n < 1:
        raise HTTPException(404)
    assert path is not None
    try:
        png = _render_png(str(path), path.stat().st_mtime, n - 1)
    except PageImageError as exc:
        if exc.missing:
            raise HTTPException(404) from exc
        raise HTTPException(503 if exc.busy else 422, str(exc)) from exc
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=600"})


def content_disposition(kind: str, name: str) -> str:
    """RFC 6266 header value: an ASCII fallback and the UTF-8 name, no control chars."""
    clean = "".join(c for c in name if c.isprintable() and c not in '\\/"\r\n;')
    clean = clean.strip(" .")[:150] or "document"
    ascii_name = "".join(
        c if c.isascii() and (c.isalnum() or c in " ._-()") else "_" for c in clean
    )
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(clean, safe='')}"


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
    page = _page_no(request)
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


@router.get("/overeenstemming")
def agreement_page(request: Request, session: Session = Depends(require_session)) -> Response:
    result = agreement(state(request).ws, organisation=_scope(session))
    names = {"relevant": "relevantie", "stage": "fase", "source_ok": "juistheid"}
    names["context_ok"] = "context"
    shown = [
        {**d, "points_nl": ", ".join(names.get(p, p) for p in d["points"])}
        for d in result.disagreements[:MAX_DISAGREEMENTS]
    ]
    return render(
        request,
        "agreement.html",
        result=result,
        disagreements=shown,
        n_disagreements=len(result.disagreements),
    )


# --------------------------------------------------------------------------- transfer
@router.get("/beslissingen")
def transfer_page(request: Request, session: Session = Depends(require_session)) -> Response:
    _require_admin(session)
    return render(request, "transfer.html", report=None, error=None)


@router.get("/beslissingen/export.{fmt}")
def export_file(
    request: Request, fmt: str, session: Session = Depends(require_session)
) -> Response:
    _require_admin(session)
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
    _require_admin(session)
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
    data = await upload.read()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"import.{fmt}"
        path.write_bytes(data)
        try:
            report = import_decisions(state(request).ws, path, fmt, organisations=_scope(session))
        except WeerbaarError as exc:
            return render(request, "transfer.html", status_code=400, report=None, error=str(exc))
    return render(request, "transfer.html", report=report, error=None)


@router.get("/thema.css")
def theme_css(request: Request) -> Response:
    """The organisation's own design-token CSS, when configured."""
    path = state(request).theme_css
    if path is None:
        raise HTTPException(404)
    return Response(path.read_bytes(), media_type="text/css; charset=utf-8")
